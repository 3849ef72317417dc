//! What the store's integration tests share: a fresh database with the
//! shipped taxonomy's case policy, staff, and a tip-off triaged into a case.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // each test uses some

use harrier_core::accounts::{Role, Staff};
use harrier_core::cases::{CasePolicy, CaseStore};
use harrier_core::intake::{Channel, Location, LocationKind, ReportInput, validate};
use harrier_core::ports::Store;
use harrier_core::taxonomy::Taxonomy;
use harrier_store::{SqliteOptions, SqliteStore};
use std::sync::Arc;
use time::OffsetDateTime;
use time::macros::datetime;

pub const NOW: OffsetDateTime = datetime!(2026-11-24 10:00 UTC);

/// A new database in a temporary folder (kept alive by the first value).
pub fn store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let taxonomy = Taxonomy::shipped().unwrap();
    let options = SqliteOptions {
        case_policy: Arc::new(CasePolicy::from_taxonomy(&taxonomy, &Default::default())),
        ..SqliteOptions::default()
    };
    let store = SqliteStore::open(dir.path().join("h.db"), &options).unwrap();
    (dir, store)
}

/// A staff account (the same one again when the name exists).
pub async fn staff(store: &SqliteStore, name: &str, role: Role) -> Staff {
    match store.staff_credentials(name).await.unwrap() {
        Some(c) => c.staff,
        None => store
            .put_staff(name, role, "x", false, false, NOW)
            .await
            .unwrap(),
    }
}

/// A drug-selling tip-off about `@ice_seller` on weibo, triaged by `by`:
/// (case, its subject, the receipt in its stored form).
pub async fn tip_off_case(store: &SqliteStore, by: &Staff) -> (i64, i64, String) {
    let input = ReportInput {
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
    let valid = validate(input, Channel::Api, &Taxonomy::shipped().unwrap(), NOW).unwrap();
    let receipt = valid.receipt.as_str().to_owned();
    let report = store.insert_report(valid, None).await.unwrap().report_id;
    let triaged = store
        .triage_report(report, by, "tip-off", NOW)
        .await
        .unwrap();
    let detail = store.get_case(triaged.case_id).await.unwrap().unwrap();
    (triaged.case_id, detail.case.subject.id, receipt)
}
