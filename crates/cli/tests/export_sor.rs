//! `harrier export sor`: a decision in the data directory comes out as a
//! `{"statements": [...]}` document whose records pass the DSA
//! Transparency Database schema kept in `schemas/`; a bad date is refused
//! by name and leaves no file.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use harrier_core::accounts::Role;
use harrier_core::cases::{CasePolicy, CaseStore};
use harrier_core::decisions::{
    CaseDefaults, DecisionStore, NewDecision, Source, StatementInput, validate,
};
use harrier_core::intake::{Channel, Location, LocationKind, ReportInput};
use harrier_core::ports::Store;
use harrier_core::taxonomy::Taxonomy;
use harrier_store::{SqliteOptions, SqliteStore};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;
use time::macros::{date, datetime};
use time::{Duration, OffsetDateTime};

const NOW: OffsetDateTime = datetime!(2026-11-24 10:00 UTC);
const SCHEMA: &str = include_str!("../../../schemas/dsa-statement-of-reasons.schema.json");

fn harrier(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_harrier"))
        .args(args)
        .env("HARRIER_STORAGE__DATA_DIR", data)
        .env("HARRIER_LOG", "warn")
        .env_remove("RUST_BACKTRACE")
        .output()
        .unwrap()
}

/// One case with one decision (an incompatible-content ground, a
/// suspension with an end date), stored as the server would store it.
async fn seed(data: &Path) {
    std::fs::create_dir_all(data).unwrap();
    let taxonomy = Taxonomy::shipped().unwrap();
    let options = SqliteOptions {
        case_policy: Arc::new(CasePolicy::from_taxonomy(&taxonomy, &Default::default())),
        ..SqliteOptions::default()
    };
    let store = SqliteStore::open(data.join("harrier.db"), &options).unwrap();
    let staff = store
        .put_staff("mo", Role::Moderator, "x", false, false, NOW)
        .await
        .unwrap();
    let report = ReportInput {
        category: "fraud_scams".into(),
        platform: Some("weibo".into()),
        locations: vec![Location {
            kind: LocationKind::Handle,
            value: "@fake_bank".into(),
        }],
        description: "pretends to be a bank's customer service".into(),
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
    let input = StatementInput {
        ground: "incompatible_content".into(),
        terms_clause: "Terms §7: no impersonation".into(),
        explanation: "The account poses as a bank's customer service.".into(),
        account: Some("suspended".into()),
        end_date: Some("2027-05-24".into()),
        facts: "Messages ask for card numbers in the bank's name.".into(),
        ..Default::default()
    };
    let defaults = CaseDefaults {
        category: "fraud_scams".into(),
        source: Source::Article16,
        automated_detection: false,
        content_date: date!(2026 - 11 - 20),
        today: date!(2026 - 11 - 24),
    };
    let decision = NewDecision {
        case_id: case.case_id,
        subject_id: subject,
        statement: validate(&input, &taxonomy, &defaults).unwrap(),
        appeal_code: "CODE1".into(),
        appeal_until: NOW + Duration::days(183),
        notice_language: "en".into(),
        notice: "Your account was suspended.".into(),
        email: None,
        orders: vec![],
    };
    store.decide(decision, &staff, NOW).await.unwrap();
}

#[tokio::test]
async fn export_sor_writes_records_that_pass_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    seed(&data).await;
    let file = dir.path().join("sor.json");

    let out = harrier(
        &data,
        &[
            "export",
            "sor",
            "--since",
            "2026-11-01",
            "--out",
            file.to_str().unwrap(),
        ],
    );
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("1 statements of reasons since 2026-11-01"),
        "{said}"
    );
    let written = harrier_core::bounded::read_file(&file, 1 << 20).unwrap();
    let written = String::from_utf8(written).unwrap();
    let doc: Value = serde_json::from_str(&written).unwrap();
    let statements = doc["statements"].as_array().unwrap();
    assert_eq!(statements.len(), 1);
    let schema: Value = serde_json::from_str(SCHEMA).unwrap();
    let validator = jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&statements[0])
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{written}");
    let s = &statements[0];
    assert_eq!(s["decision_ground"], "DECISION_GROUND_INCOMPATIBLE_CONTENT");
    assert_eq!(s["decision_account"], "DECISION_ACCOUNT_SUSPENDED");
    assert_eq!(s["end_date_account_restriction"], "2027-05-24");
    assert_eq!(s["category"], "STATEMENT_CATEGORY_SCAMS_AND_FRAUD");
    assert_eq!(s["puid"], "harrier-decision-1");
    assert!(!dir.path().join("sor.json.partial").exists());

    // Standard output: the same document.
    let out = harrier(&data, &["export", "sor", "--since", "2026-11-01"]);
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), written);

    // Nothing since a later day: an empty list, still a whole document.
    let out = harrier(&data, &["export", "sor", "--since", "2026-11-25"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc, serde_json::json!({"statements": []}));
}

#[test]
fn a_bad_date_is_refused_by_name_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("sor.json");
    let out = harrier(
        &data,
        &[
            "export",
            "sor",
            "--since",
            "1.11.2026",
            "--out",
            file.to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("\"1.11.2026\""), "{said}");
    assert!(said.contains("YYYY-MM-DD"), "{said}");
    assert!(!file.exists());
    assert!(!dir.path().join("sor.json.partial").exists());
}
