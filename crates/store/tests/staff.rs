//! The staff-security part of the conformance suite: sessions with idle and
//! absolute limits, ending them, failed sign-ins and the lock, and the TOTP
//! step that can be used once. Every backend must pass these.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use harrier_core::accounts::Role;
use harrier_core::accounts::lockout::LockoutPolicy;
use harrier_core::accounts::session::SessionPolicy;
use harrier_core::ports::{Store, StoreError};
use harrier_store::{SqliteOptions, SqliteStore};
use std::sync::Arc;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const NOW: OffsetDateTime = datetime!(2026-11-24 10:00 UTC);

fn sqlite() -> (tempfile::TempDir, Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("h.db"), &SqliteOptions::default()).unwrap();
    (dir, Arc::new(store))
}

async fn account(store: &Arc<dyn Store>, name: &str) -> i64 {
    store
        .put_staff(name, Role::Analyst, "hash", false, false, NOW)
        .await
        .unwrap()
        .id
}

async fn totp_of(store: &Arc<dyn Store>, name: &str) -> harrier_core::ports::StoredTotp {
    let credentials = store.staff_credentials(name).await.unwrap().unwrap();
    credentials.totp.unwrap()
}

const POLICY: SessionPolicy = SessionPolicy {
    absolute: Duration::hours(12),
    idle: Duration::minutes(30),
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_end_when_idle_and_use_keeps_them_alive() {
    let (_dir, store) = sqlite();
    let id = account(&store, "ana").await;
    store
        .insert_session(&POLICY.open(id, "busy".into(), NOW))
        .await
        .unwrap();
    store
        .insert_session(&POLICY.open(id, "idle".into(), NOW))
        .await
        .unwrap();
    // "busy" is used every 20 minutes for 11 hours; "idle" never again.
    let mut at = NOW;
    while at < NOW + Duration::hours(11) {
        at += Duration::minutes(20);
        assert!(
            store.staff_by_token("busy", at).await.unwrap().is_some(),
            "at {at}"
        );
    }
    assert!(store.staff_by_token("idle", at).await.unwrap().is_none());
    // Used within the minute after its last write, the time is not written
    // again, and the session still ends 30 minutes after that write.
    let last_write = at;
    assert!(
        store
            .staff_by_token("busy", last_write + Duration::seconds(50))
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        store
            .staff_by_token("busy", last_write + Duration::minutes(30))
            .await
            .unwrap()
            .is_none()
    );
    // However busy, it ends at the absolute limit.
    store
        .insert_session(&POLICY.open(id, "long".into(), NOW))
        .await
        .unwrap();
    let mut at = NOW;
    while at + Duration::minutes(10) < NOW + Duration::hours(12) {
        at += Duration::minutes(10);
        assert!(store.staff_by_token("long", at).await.unwrap().is_some());
    }
    assert!(
        store
            .staff_by_token("long", NOW + Duration::hours(12))
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ending_sessions_keeps_the_named_one_and_other_accounts() {
    let (_dir, store) = sqlite();
    let ana = account(&store, "ana").await;
    let bo = account(&store, "bo").await;
    for (id, token) in [(ana, "a1"), (ana, "a2"), (ana, "a3"), (bo, "b1")] {
        store
            .insert_session(&POLICY.open(id, token.into(), NOW))
            .await
            .unwrap();
    }
    store
        .set_password(ana, "new hash", Some("a1"))
        .await
        .unwrap();
    let live = |t: &'static str| {
        let store = store.clone();
        async move { store.staff_by_token(t, NOW).await.unwrap().is_some() }
    };
    assert_eq!(
        (
            live("a1").await,
            live("a2").await,
            live("a3").await,
            live("b1").await
        ),
        (true, false, false, true)
    );
    assert_eq!(store.end_sessions(ana, None).await.unwrap(), 1);
    assert!(!live("a1").await && live("b1").await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_lock_the_account_and_clearing_unlocks_it() {
    let (_dir, store) = sqlite();
    let id = account(&store, "ana").await;
    let policy = LockoutPolicy::default();
    for n in 1..=4u32 {
        let state = store.record_login_failure(id, policy, NOW).await.unwrap();
        assert_eq!((state.count, state.locked_until), (n, None));
    }
    let locked = store.record_login_failure(id, policy, NOW).await.unwrap();
    assert_eq!(locked.locked_until, Some(NOW + Duration::minutes(15)));
    let stored = store
        .staff_credentials("ana")
        .await
        .unwrap()
        .unwrap()
        .failures;
    assert_eq!(stored, locked);
    store.clear_login_failures(id).await.unwrap();
    let cleared = store
        .staff_credentials("ana")
        .await
        .unwrap()
        .unwrap()
        .failures;
    assert_eq!(cleared.locked_at(NOW), None);
    assert_eq!(cleared.count, 0);
    // A reset by an admin (staff add --reset) unlocks too.
    store.record_login_failure(id, policy, NOW).await.unwrap();
    store
        .put_staff("ana", Role::Analyst, "hash", true, true, NOW)
        .await
        .unwrap();
    assert_eq!(
        store
            .staff_credentials("ana")
            .await
            .unwrap()
            .unwrap()
            .failures
            .count,
        0
    );
    assert!(matches!(
        store.record_login_failure(9999, policy, NOW).await,
        Err(StoreError::NotFound(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_totp_step_is_accepted_once_and_a_confirmed_secret_is_not_replaced() {
    let (_dir, store) = sqlite();
    let id = account(&store, "ana").await;
    assert!(
        !store.accept_totp_step(id, 5, true).await.unwrap(),
        "no secret yet"
    );
    store.begin_totp(id, "sealed-1").await.unwrap();
    // Enrolment may start over while unconfirmed.
    store.begin_totp(id, "sealed-2").await.unwrap();
    let totp = totp_of(&store, "ana").await;
    assert_eq!(
        (totp.sealed_secret.as_str(), totp.confirmed, totp.last_step),
        ("sealed-2", false, None)
    );

    assert!(store.accept_totp_step(id, 100, true).await.unwrap());
    assert!(
        !store.accept_totp_step(id, 100, false).await.unwrap(),
        "replay"
    );
    assert!(
        !store.accept_totp_step(id, 99, false).await.unwrap(),
        "an older step"
    );
    assert!(store.accept_totp_step(id, 101, false).await.unwrap());
    let totp = totp_of(&store, "ana").await;
    assert_eq!((totp.confirmed, totp.last_step), (true, Some(101)));
    assert!(matches!(
        store.begin_totp(id, "sealed-3").await,
        Err(StoreError::AlreadyExists(_))
    ));

    // Two sign-ins racing with the same code: exactly one wins.
    let (a, b) = tokio::join!(
        store.accept_totp_step(id, 102, false),
        store.accept_totp_step(id, 102, false)
    );
    assert!(a.unwrap() ^ b.unwrap());

    store
        .insert_session(&POLICY.open(id, "t".into(), NOW))
        .await
        .unwrap();
    store.clear_totp(id).await.unwrap();
    assert!(
        store
            .staff_credentials("ana")
            .await
            .unwrap()
            .unwrap()
            .totp
            .is_none()
    );
    assert!(
        store.staff_by_token("t", NOW).await.unwrap().is_none(),
        "sessions ended"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_version_2_database_is_upgraded_and_its_old_tokens_end() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(include_str!("../migrations/sqlite/0001_init.sql"))
            .unwrap();
        conn.execute_batch(include_str!("../migrations/sqlite/0002_patrol.sql"))
            .unwrap();
        conn.execute_batch(
            "PRAGMA user_version = 2;
             INSERT INTO staff (name, role, password_hash, must_change_password, created_at)
                 VALUES ('old', 'admin', 'h', 0, '2026-01-01T00:00:00.000000Z');
             INSERT INTO staff_tokens VALUES ('tok', 1, '2099-01-01T00:00:00.000000Z');",
        )
        .unwrap();
    }
    let store = SqliteStore::open(&path, &SqliteOptions::default()).unwrap();
    let old = store.staff_credentials("old").await.unwrap().unwrap();
    assert!(old.totp.is_none() && old.failures.count == 0);
    assert!(store.staff_by_token("tok", NOW).await.unwrap().is_none());
}
