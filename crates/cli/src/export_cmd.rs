//! `harrier export sor --since YYYY-MM-DD [--out FILE]`: the statements of
//! reasons of the decisions taken since a day, as the document the EU DSA
//! Transparency Database's multiple-statements endpoint takes
//! (`{"statements": [...]}`, see `harrier_core::decisions::sor`).
//!
//! Decisions are read a page at a time and each record is written as soon
//! as it is mapped, so a large export never sits in memory. With `--out`
//! the document is written to `FILE.partial` and renamed when complete: a
//! failed export leaves no file that looks whole.

use crate::config::Config;
use crate::wiring;
use anyhow::Context;
use harrier_core::decisions::DecisionStore;
use harrier_core::decisions::sor::{in_dsa_scope, statement_of_reasons};
use std::io::Write;
use std::path::{Path, PathBuf};
use time::{Date, OffsetDateTime};

/// Decisions read per page.
pub const PAGE: u32 = 1_000;

/// The start of the day `value` (`YYYY-MM-DD`, UTC), or an error naming it.
pub fn parse_since(value: &str) -> anyhow::Result<OffsetDateTime> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(value.trim(), &format)
        .map(|d| d.midnight().assume_utc())
        .map_err(|_| anyhow::anyhow!("--since {value:?} is not a date written YYYY-MM-DD"))
}

/// Writes `{"statements":[...]}` with every decision taken at or after
/// `since` that falls under the DSA; returns how many statements.
pub async fn write_statements(
    store: &dyn DecisionStore,
    since: OffsetDateTime,
    page_size: u32,
    out: &mut dyn Write,
) -> anyhow::Result<u64> {
    out.write_all(b"{\"statements\":[")?;
    let mut after = 0;
    let mut written = 0u64;
    loop {
        let page = store.decisions_since(since, after, page_size).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for decision in page.iter().filter(|d| in_dsa_scope(&d.statement)) {
            out.write_all(if written == 0 { b"\n" } else { b",\n" })?;
            serde_json::to_writer(&mut *out, &statement_of_reasons(decision))?;
            written += 1;
        }
        if page.len() < page_size as usize {
            break;
        }
    }
    out.write_all(b"\n]}\n")?;
    out.flush()?;
    Ok(written)
}

/// The command: to `out`, or to standard output.
pub async fn run(config: &Config, since: &str, out: Option<&Path>) -> anyhow::Result<()> {
    let since_at = parse_since(since)?;
    let store = wiring::open_store(config)?;
    let written = match out {
        None => {
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::new(stdout.lock());
            write_statements(&store, since_at, PAGE, &mut w).await?
        }
        Some(path) => {
            let mut partial = PathBuf::from(path).into_os_string();
            partial.push(".partial");
            let partial = PathBuf::from(partial);
            let file = std::fs::File::create(&partial)
                .with_context(|| format!("could not create {}", partial.display()))?;
            let mut w = std::io::BufWriter::new(file);
            let written = write_statements(&store, since_at, PAGE, &mut w).await?;
            w.into_inner()
                .map_err(|e| e.into_error())?
                .sync_all()
                .with_context(|| format!("could not write {}", partial.display()))?;
            std::fs::rename(&partial, path)
                .with_context(|| format!("could not rename to {}", path.display()))?;
            eprintln!(
                "{written} statements of reasons since {since} written to {}",
                path.display()
            );
            written
        }
    };
    crate::audit_cmd::record(
        &store,
        "decisions.statements_exported",
        "decisions".to_owned(),
        serde_json::json!({
            "since": since.trim(),
            "statements": written,
            "out": out.map(|p| p.display().to_string()),
        }),
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use harrier_core::accounts::Role;
    use harrier_core::cases::{CasePolicy, CaseStore};
    use harrier_core::decisions::{CaseDefaults, NewDecision, Source, StatementInput, validate};
    use harrier_core::intake::{Channel, Location, LocationKind, ReportInput};
    use harrier_core::ports::Store;
    use harrier_core::taxonomy::Taxonomy;
    use harrier_store::{SqliteOptions, SqliteStore};
    use std::sync::Arc;
    use time::Duration;
    use time::macros::{date, datetime};

    const NOW: OffsetDateTime = datetime!(2026-11-24 10:00 UTC);

    /// A store with one case and a decision on it per scope given.
    async fn store_with_decisions(dir: &Path, scopes: &[&[&str]]) -> SqliteStore {
        let taxonomy = Taxonomy::shipped().unwrap();
        let options = SqliteOptions {
            case_policy: Arc::new(CasePolicy::from_taxonomy(&taxonomy, &Default::default())),
            ..SqliteOptions::default()
        };
        let store = SqliteStore::open(dir.join("harrier.db"), &options).unwrap();
        let staff = store
            .put_staff("mo", Role::Moderator, "x", false, false, NOW)
            .await
            .unwrap();
        let report = ReportInput {
            category: "drugs".into(),
            platform: Some("weibo".into()),
            locations: vec![Location {
                kind: LocationKind::Handle,
                value: "@ice_seller".into(),
            }],
            description: "sells ice in the evenings".into(),
            good_faith: true,
            ..Default::default()
        };
        let report = harrier_core::intake::validate(report, Channel::Api, &taxonomy, NOW).unwrap();
        let report = store.insert_report(report, None).await.unwrap().report_id;
        let case = store
            .triage_report(report, &staff, "tip-off", NOW)
            .await
            .unwrap();
        let subject = store
            .get_case(case.case_id)
            .await
            .unwrap()
            .unwrap()
            .case
            .subject
            .id;
        for (n, scope) in scopes.iter().enumerate() {
            let input = StatementInput {
                ground: "illegal_content".into(),
                legal_ground: "Art. 347 Criminal Law".into(),
                explanation: "offers methamphetamine for sale".into(),
                visibility: vec!["removed".into()],
                territorial_scope: scope.iter().map(|c| (*c).to_owned()).collect(),
                facts: "Posts offer ice with prices and delivery.".into(),
                ..Default::default()
            };
            let defaults = CaseDefaults {
                category: "drugs".into(),
                source: Source::Article16,
                automated_detection: false,
                content_date: date!(2026 - 11 - 20),
                today: date!(2026 - 11 - 24),
            };
            let decision = NewDecision {
                case_id: case.case_id,
                subject_id: subject,
                statement: validate(&input, &taxonomy, &defaults).unwrap(),
                appeal_code: format!("CODE{n}"),
                appeal_until: NOW + Duration::days(183),
                notice_language: "en".into(),
                notice: "Your post was removed.".into(),
                email: None,
                orders: vec![],
            };
            store.decide(decision, &staff, NOW).await.unwrap();
        }
        store
    }

    #[tokio::test]
    async fn pages_are_joined_into_one_document_without_decisions_outside_the_eea() {
        let dir = tempfile::tempdir().unwrap();
        let store =
            store_with_decisions(dir.path(), &[&[], &["CN"], &["DE", "CN"], &["FR"], &[]]).await;
        let since = parse_since("2026-11-24").unwrap();
        for page_size in [1, 2, 3, 1_000] {
            let mut out = Vec::new();
            let written = write_statements(&store, since, page_size, &mut out)
                .await
                .unwrap();
            assert_eq!(written, 4, "page size {page_size}");
            let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
            let statements = doc["statements"].as_array().unwrap();
            let puids: Vec<&str> = statements
                .iter()
                .map(|s| s["puid"].as_str().unwrap())
                .collect();
            assert_eq!(
                puids,
                [
                    "harrier-decision-1",
                    "harrier-decision-3",
                    "harrier-decision-4",
                    "harrier-decision-5"
                ],
                "page size {page_size}"
            );
            assert_eq!(
                statements[1]["territorial_scope"],
                serde_json::json!(["DE"])
            );
        }
        let mut out = Vec::new();
        let later = parse_since("2026-11-25").unwrap();
        assert_eq!(
            write_statements(&store, later, 2, &mut out).await.unwrap(),
            0
        );
        let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(doc, serde_json::json!({"statements": []}));
    }

    #[test]
    fn since_is_a_day_and_a_bad_one_is_named() {
        let at = parse_since("2026-11-24").unwrap();
        assert_eq!(at, time::macros::datetime!(2026-11-24 0:00 UTC));
        for bad in ["24.11.2026", "2026-13-01", "2026-02-30", "yesterday", ""] {
            let err = parse_since(bad).unwrap_err().to_string();
            assert!(err.contains(&format!("{bad:?}")), "{err}");
            assert!(err.contains("YYYY-MM-DD"), "{err}");
        }
    }
}
