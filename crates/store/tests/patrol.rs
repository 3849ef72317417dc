//! The patrol's storage contract: keys, idempotent items, leases, and
//! completion that deduplicates signals and keeps one open case per subject.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use harrier_core::patrol::{
    ItemInput, NewSignal, PatrolStore, ScanResult, Scope, new_api_key, validate_item,
};
use harrier_core::ports::StoreError;
use harrier_store::{SqliteOptions, SqliteStore};
use std::time::Duration;
use time::OffsetDateTime;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2026-11-24 10:00 UTC);

fn store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("h.db"), &SqliteOptions::default()).unwrap();
    (dir, store)
}

fn item(id: &str, account: &str, text: &str) -> harrier_core::patrol::ValidItem {
    validate_item(ItemInput {
        id: id.into(),
        kind: "post".into(),
        text: Some(text.into()),
        account: Some(account.into()),
        ..ItemInput::default()
    })
    .unwrap()
}

fn signal(rule: &str, live: bool) -> NewSignal {
    NewSignal {
        rule: rule.into(),
        category: "drugs".into(),
        severity: "high".into(),
        live,
        score: 0.9,
        ruleset_version: "v1".into(),
        explanation_json: "{}".into(),
    }
}

#[tokio::test]
async fn keys_are_found_by_hash_until_revoked() {
    let (_dir, store) = store();
    let provider = store.add_provider("weibo", NOW).await.unwrap();
    assert!(matches!(
        store.add_provider("weibo", NOW).await,
        Err(StoreError::AlreadyExists(_))
    ));
    let key = new_api_key();
    store
        .add_provider_key(provider.id, &key.prefix, &key.hash, &[Scope::Feed], NOW)
        .await
        .unwrap();
    let (found, scopes) = store.provider_by_key(&key.hash).await.unwrap().unwrap();
    assert_eq!(found.name, "weibo");
    assert_eq!(scopes, vec![Scope::Feed]);
    store.revoke_provider_key(&key.prefix, NOW).await.unwrap();
    assert!(store.provider_by_key(&key.hash).await.unwrap().is_none());
    assert!(matches!(
        store.revoke_provider_key(&key.prefix, NOW).await,
        Err(StoreError::NotFound(_))
    ));
    let listed = store.list_providers().await.unwrap();
    assert!(listed[0].1[0].revoked_at.is_some());
}

#[tokio::test]
async fn items_are_idempotent_leased_once_and_completed_once() {
    let (_dir, store) = store();
    let provider = store.add_provider("weibo", NOW).await.unwrap();
    let first = store
        .insert_items(
            provider.id,
            vec![item("a", "@Seller", "x"), item("b", "seller", "y")],
            NOW,
        )
        .await
        .unwrap();
    assert!(first.iter().all(|a| a.created));
    let again = store
        .insert_items(provider.id, vec![item("a", "seller", "changed")], NOW)
        .await
        .unwrap();
    assert!(!again[0].created);
    assert_eq!(again[0].item_id, first[0].item_id);

    let lease = Duration::from_secs(30);
    let one = store.lease_items("w1", 10, lease, NOW).await.unwrap();
    assert_eq!(one.len(), 2);
    assert_eq!(one[0].text, "x");
    // Held: another worker gets nothing until the lease expires.
    assert!(
        store
            .lease_items("w2", 10, lease, NOW)
            .await
            .unwrap()
            .is_empty()
    );
    let later = NOW + Duration::from_secs(31);
    let two = store.lease_items("w2", 10, lease, later).await.unwrap();
    assert_eq!(two.len(), 2);
    assert_eq!(two[0].attempts, 1);

    // Both workers complete the same items: signals and cases once.
    let results = |_: ()| {
        vec![
            ScanResult {
                item_id: first[0].item_id,
                signals: vec![signal("drugs.sale", true), signal("drugs.shadow", false)],
            },
            ScanResult {
                item_id: first[1].item_id,
                signals: vec![signal("drugs.sale", true)],
            },
        ]
    };
    let done = store.complete_items(results(()), later).await.unwrap();
    assert_eq!(done.signals, 3);
    assert_eq!(done.cases_opened, 1, "@Seller and seller are one subject");
    assert_eq!(done.cases_updated, 1);
    let twice = store.complete_items(results(()), later).await.unwrap();
    assert_eq!(twice.signals, 0);
    assert_eq!(twice.already_done, 2);

    let status = store.patrol_status(later).await.unwrap();
    assert_eq!(status.items, 2);
    assert_eq!(status.queued, 0);
    assert_eq!(status.signals_live, 2);
    assert_eq!(status.signals_shadow, 1);
    assert_eq!(status.open_cases, 1);
    assert_eq!(status.rules[0].rule, "drugs.sale");
    assert_eq!(status.rules[0].signals, 2);
    assert_eq!(status.rules[0].also_live, 0);
    // The shadow rule's one item was also flagged by drugs.sale (live).
    let shadow = status.rules.iter().find(|r| !r.live).unwrap();
    assert_eq!((shadow.signals, shadow.also_live), (1, 1));
    assert!(
        store
            .lease_items("w3", 10, lease, later)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn lag_is_the_age_of_the_oldest_unscanned_item() {
    let (_dir, store) = store();
    let provider = store.add_provider("qq", NOW).await.unwrap();
    store
        .insert_items(provider.id, vec![item("a", "u", "x")], NOW)
        .await
        .unwrap();
    let status = store
        .patrol_status(NOW + Duration::from_secs(90))
        .await
        .unwrap();
    assert_eq!(status.queued, 1);
    assert!(
        (status.lag_seconds - 90.0).abs() < 0.01,
        "{}",
        status.lag_seconds
    );
}

#[tokio::test]
async fn complete_and_lease_finishes_one_batch_and_hands_out_the_next() {
    let (_dir, store) = store();
    let provider = store.add_provider("qq", NOW).await.unwrap();
    let items: Vec<_> = (0..5).map(|i| item(&format!("i{i}"), "u", "x")).collect();
    store.insert_items(provider.id, items, NOW).await.unwrap();
    let lease = Duration::from_secs(30);
    let first = store.lease_items("w", 2, lease, NOW).await.unwrap();
    let results = first
        .iter()
        .map(|leased| ScanResult {
            item_id: leased.item_id,
            signals: vec![signal("drugs.sale", true)],
        })
        .collect();
    let (done, next) = store
        .complete_and_lease(results, "w", 2, lease, NOW)
        .await
        .unwrap();
    assert_eq!(done.signals, 2);
    assert_eq!(next.len(), 2);
    assert!(
        next[0].item_id > first[1].item_id,
        "the next batch, not the same one"
    );
    let status = store.patrol_status(NOW).await.unwrap();
    assert_eq!((status.queued, status.leased), (3, 2));
}
