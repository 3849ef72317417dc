//! The storage conformance suite: what every backend must do.
//!
//! Runs on SQLite today; the PostgreSQL backend (scale-out issue) must pass
//! the same functions.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use harrier_core::accounts::Role;
use harrier_core::accounts::session::SessionPolicy;
use harrier_core::directory::{Service, ServiceKind};
use harrier_core::intake::{
    Channel, Location, LocationKind, ReportInput, ReporterContact, validate,
};
use harrier_core::ports::{
    DirectoryImport, IdempotencyKey, ReportFilter, Store, StoreError, SubjectFilter,
};
use harrier_core::taxonomy::Taxonomy;
use harrier_store::{SqliteOptions, SqliteStore};
use std::sync::Arc;
use time::OffsetDateTime;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2026-11-24 10:00 UTC);

fn report(url: &str) -> harrier_core::intake::ValidReport {
    let input = ReportInput {
        category: "drugs".into(),
        locations: vec![Location {
            kind: LocationKind::Url,
            value: url.into(),
        }],
        description: "selling".into(),
        good_faith: true,
        contact: ReporterContact {
            email: Some("a@example.org".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    validate(input, Channel::Api, &Taxonomy::shipped().unwrap(), NOW).unwrap()
}

async fn reports_round_trip(store: Arc<dyn Store>) {
    let stored = store
        .insert_report(report("https://example.test/a"), None)
        .await
        .unwrap();
    let status = store.report_status(&stored.receipt).await.unwrap().unwrap();
    assert_eq!(status.status.as_str(), "received");
    let record = store.get_report(stored.report_id).await.unwrap().unwrap();
    assert_eq!(
        record.contact.unwrap().email.as_deref(),
        Some("a@example.org")
    );
    assert_eq!(record.received_at, NOW);
    let list = store
        .list_reports(&ReportFilter {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(list.len(), 1);
    let none = store
        .list_reports(&ReportFilter {
            limit: 10,
            since: Some(NOW + time::Duration::seconds(1)),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(none.is_empty());
}

async fn idempotency_keys(store: Arc<dyn Store>) {
    let key = IdempotencyKey {
        key: "k1".into(),
        request_hash: "h1".into(),
    };
    let first = store
        .insert_report(report("https://example.test/b"), Some(key.clone()))
        .await
        .unwrap();
    let again = store
        .insert_report(report("https://example.test/b"), Some(key))
        .await
        .unwrap();
    assert_eq!(first.receipt, again.receipt);
    assert!(again.replayed);
    let other = IdempotencyKey {
        key: "k1".into(),
        request_hash: "h2".into(),
    };
    let conflict = store
        .insert_report(report("https://example.test/b"), Some(other))
        .await;
    assert!(matches!(conflict, Err(StoreError::IdempotencyConflict)));
    assert_eq!(store.totals().await.unwrap().reports, 1);
}

async fn concurrent_writes_all_land_once(store: Arc<dyn Store>) {
    let mut tasks = Vec::new();
    for i in 0..400 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let key = IdempotencyKey {
                key: format!("c{}", i % 200),
                request_hash: "same".into(),
            };
            store
                .insert_report(
                    report(&format!("https://example.test/c/{}", i % 200)),
                    Some(key),
                )
                .await
        }));
    }
    let mut fresh = 0;
    for task in tasks {
        if !task.await.unwrap().unwrap().replayed {
            fresh += 1;
        }
    }
    assert_eq!(fresh, 200, "each key stored exactly once");
    assert_eq!(store.totals().await.unwrap().reports, 200);
    let subjects = store
        .list_subjects(&SubjectFilter {
            min_reports: 1,
            limit: 500,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(subjects.len(), 200);
}

async fn staff_and_tokens(store: Arc<dyn Store>) {
    let staff = store
        .put_staff("ana", Role::Intake, "hash", true, false, NOW)
        .await
        .unwrap();
    assert!(matches!(
        store
            .put_staff("ana", Role::Admin, "hash", true, false, NOW)
            .await,
        Err(StoreError::AlreadyExists(_))
    ));
    let policy = SessionPolicy {
        absolute: time::Duration::hours(1),
        idle: time::Duration::hours(1),
    };
    store
        .insert_session(&policy.open(staff.id, "t1".into(), NOW))
        .await
        .unwrap();
    assert_eq!(
        store.staff_by_token("t1", NOW).await.unwrap().unwrap().name,
        "ana"
    );
    assert!(
        store
            .staff_by_token("t1", NOW + time::Duration::hours(2))
            .await
            .unwrap()
            .is_none(),
        "expired"
    );
    store
        .put_staff("ana", Role::Admin, "hash2", true, true, NOW)
        .await
        .unwrap();
    assert!(
        store.staff_by_token("t1", NOW).await.unwrap().is_none(),
        "a reset ends sessions"
    );
    store.set_password(staff.id, "hash3", None).await.unwrap();
    let credentials = store.staff_credentials("ana").await.unwrap().unwrap();
    assert_eq!(
        (
            credentials.password_hash.as_str(),
            credentials.staff.must_change_password
        ),
        ("hash3", false)
    );
}

async fn directory_imports(store: Arc<dyn Store>) {
    let service = Service {
        name: "[SAMPLE] Help".into(),
        kind: ServiceKind::Hotline,
        address: "1 Road".into(),
        city: "Shanghai".into(),
        latitude: 31.2,
        longitude: 121.4,
        phone: "+86 21 5555 0100".into(),
        hours: "24h".into(),
        languages: vec!["zh".into(), "en".into()],
        url: None,
    };
    store
        .import_directory(
            "a.csv",
            vec![service.clone(); 3],
            DirectoryImport::Append,
            NOW,
        )
        .await
        .unwrap();
    store
        .import_directory(
            "a.csv",
            vec![service.clone()],
            DirectoryImport::ReplaceSource,
            NOW,
        )
        .await
        .unwrap();
    let all = store.directory().await.unwrap();
    assert_eq!(all, vec![service]);
}

fn sqlite(options: &SqliteOptions) -> (tempfile::TempDir, Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("h.db"), options).unwrap();
    (dir, Arc::new(store))
}

macro_rules! conformance {
    ($backend:ident, $make:expr) => {
        mod $backend {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn reports_round_trip() {
                let (_d, s) = $make;
                super::reports_round_trip(s).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn idempotency_keys() {
                let (_d, s) = $make;
                super::idempotency_keys(s).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn concurrent_writes_all_land_once() {
                let (_d, s) = $make;
                super::concurrent_writes_all_land_once(s).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn staff_and_tokens() {
                let (_d, s) = $make;
                super::staff_and_tokens(s).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn directory_imports() {
                let (_d, s) = $make;
                super::directory_imports(s).await
            }
        }
    };
}

conformance!(sqlite_group_commit, sqlite(&SqliteOptions::default()));
conformance!(
    sqlite_one_commit_per_write,
    sqlite(&SqliteOptions {
        group_commit: false,
        ..SqliteOptions::default()
    })
);

#[test]
fn reopening_keeps_data_and_schema_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.db");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = SqliteStore::open(&path, &SqliteOptions::default()).unwrap();
        store
            .insert_report(report("https://example.test/r"), None)
            .await
            .unwrap();
    });
    rt.block_on(async {
        let store = SqliteStore::open(&path, &SqliteOptions::default()).unwrap();
        assert_eq!(store.totals().await.unwrap().reports, 1);
    });
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
}

/// Many concurrent writes share commits with group commit on, and pay one
/// commit each with it off.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_commit_shares_fsyncs_between_concurrent_writes() {
    for group_commit in [true, false] {
        let dir = tempfile::tempdir().unwrap();
        let options = SqliteOptions {
            group_commit,
            ..SqliteOptions::default()
        };
        let store = Arc::new(SqliteStore::open(dir.path().join("h.db"), &options).unwrap());
        let before = store.commits();
        let tasks: Vec<_> = (0..300)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move {
                    store
                        .insert_report(report(&format!("https://example.test/g/{i}")), None)
                        .await
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        let commits = store.commits() - before;
        if group_commit {
            assert!(
                commits < 300,
                "300 concurrent writes took {commits} commits"
            );
        } else {
            assert_eq!(commits, 300);
        }
    }
}
