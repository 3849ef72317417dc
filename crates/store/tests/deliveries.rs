//! Webhook deliveries of orders in SQLite: which orders get a delivery to
//! send, claiming with a lease (a second sender gets nothing until the
//! lease runs out), attempts recorded with their retry time, dead letters,
//! redelivery with the same id and body, secret rotation, and the audit
//! entries of each change.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

mod common;

use common::{NOW, staff, store};

const LEASE: Duration = Duration::seconds(60);

/// The case of a triaged tip-off.
async fn case(store: &SqliteStore) -> i64 {
    let intake = staff(store, "intake", Role::Intake).await;
    common::tip_off_case(store, &intake).await.0
}

use harrier_core::accounts::Role;
use harrier_core::audit::{Actor, Verifier};
use harrier_core::cases::CaseStore;
use harrier_core::orders::delivery::{Attempt, DeliveryState, DeliveryStore, RedeliverError};
use harrier_core::orders::request::{OrderRequest, ProviderRef};
use harrier_core::orders::{Order, OrderAction, OrderStore};
use harrier_core::patrol::PatrolStore;
use harrier_store::SqliteStore;
use time::Duration;

/// An order made as staff do (`OrderStore::create_order`: checked,
/// audited), to `provider_id` on case `case_id`.
async fn new_order(store: &SqliteStore, case_id: i64, provider_id: i64) -> Order {
    let moderator = staff(store, "mo", Role::Moderator).await;
    let request = OrderRequest {
        provider: ProviderRef::Id(provider_id),
        action: OrderAction::Remove,
        preserve_days: None,
        legal_basis: "Art. 9 DSA".into(),
        deadline: NOW + Duration::days(1),
        evidence_excerpt: "出冰".into(),
    };
    store
        .create_order(case_id, request, &moderator, NOW)
        .await
        .unwrap()
        .order
}

fn cli() -> Actor {
    Actor::System("cli")
}

async fn actions(store: &SqliteStore) -> Vec<(String, String)> {
    let entries = store.audit_entries(0, 1000, None).await.unwrap();
    let mut verifier = Verifier::new(None);
    for e in &entries {
        verifier.push(e).unwrap();
    }
    entries.into_iter().map(|e| (e.action, e.object)).collect()
}

#[tokio::test]
async fn only_providers_with_a_webhook_get_deliveries_and_polled_orders_stay_polled() {
    let (_dir, store) = store();
    let case_id = case(&store).await;
    let acme = store.add_provider("acme", NOW).await.unwrap();
    let polled = new_order(&store, case_id, acme.id).await;
    assert_eq!(
        store.delivery(polled.id).await.unwrap().unwrap().state,
        DeliveryState::Poll
    );
    assert!(store.webhook(acme.id).await.unwrap().is_none());

    store
        .set_webhook(acme.id, "https://acme.example/hook", "sealed-1", cli(), NOW)
        .await
        .unwrap();
    let hook = store.webhook(acme.id).await.unwrap().unwrap();
    assert_eq!(hook.url, "https://acme.example/hook");
    assert_eq!(hook.sealed_secret, "sealed-1");
    // The order made before the webhook is not resent.
    assert_eq!(
        store.delivery(polled.id).await.unwrap().unwrap().state,
        DeliveryState::Poll
    );
    assert!(
        store
            .claim_deliveries(10, LEASE, NOW)
            .await
            .unwrap()
            .is_empty()
    );

    let sent = new_order(&store, case_id, acme.id).await;
    let status = store.delivery(sent.id).await.unwrap().unwrap();
    assert_eq!(status.state, DeliveryState::Pending);
    assert_eq!(status.provider, "acme");
    assert!(status.delivery_id.starts_with("msg_"));
    let audit = actions(&store).await;
    assert!(audit.contains(&("provider.webhook_set".into(), "provider:acme".into())));

    let unknown = store
        .set_webhook(999, "https://x.example/", "s", cli(), NOW)
        .await;
    assert!(unknown.is_err());
}

#[tokio::test]
async fn a_lease_keeps_a_delivery_from_a_second_sender_until_it_runs_out() {
    let (_dir, store) = store();
    let case_id = case(&store).await;
    let acme = store.add_provider("acme", NOW).await.unwrap();
    store
        .set_webhook(acme.id, "https://acme.example/hook", "sealed", cli(), NOW)
        .await
        .unwrap();
    let order = new_order(&store, case_id, acme.id).await;

    let first = store.claim_deliveries(10, LEASE, NOW).await.unwrap();
    assert_eq!(first.len(), 1);
    let due = &first[0];
    assert_eq!(due.order_id, order.id);
    assert_eq!(due.attempts, 0);
    assert_eq!(due.first_attempt_at, None);
    assert_eq!(due.webhook.url, "https://acme.example/hook");
    let body: serde_json::Value = serde_json::from_str(&due.body).unwrap();
    assert_eq!(body["order"]["id"], order.id);

    // Another sender, during the lease: nothing.
    let during = NOW + LEASE - Duration::SECOND;
    assert!(
        store
            .claim_deliveries(10, LEASE, during)
            .await
            .unwrap()
            .is_empty()
    );
    // The holder died without recording: once the lease is over, the same
    // delivery (same id, same body) is claimed again.
    let after = store
        .claim_deliveries(10, LEASE, NOW + LEASE)
        .await
        .unwrap();
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].delivery_id, due.delivery_id);
    assert_eq!(after[0].body, due.body);
}

#[tokio::test]
async fn failures_retry_then_die_and_a_dead_letter_is_redelivered_with_the_same_id() {
    let (_dir, store) = store();
    let case_id = case(&store).await;
    let acme = store.add_provider("acme", NOW).await.unwrap();
    store
        .set_webhook(acme.id, "https://acme.example/hook", "sealed", cli(), NOW)
        .await
        .unwrap();
    let order = new_order(&store, case_id, acme.id).await;
    let due = store
        .claim_deliveries(1, LEASE, NOW)
        .await
        .unwrap()
        .remove(0);

    let retry_at = NOW + Duration::minutes(2);
    let failed = Attempt::Failed {
        status: Some(503),
        error: "HTTP 503".into(),
        retry_at: Some(retry_at),
    };
    assert!(
        store
            .record_attempt(order.id, failed, NOW, NOW)
            .await
            .unwrap()
    );
    let status = store.delivery(order.id).await.unwrap().unwrap();
    assert_eq!(status.state, DeliveryState::Pending);
    assert_eq!(status.attempts, 1);
    assert_eq!(status.last_status, Some(503));
    assert_eq!(status.first_attempt_at, Some(NOW));
    assert_eq!(status.next_attempt_at, Some(retry_at));
    // Not due before its time, even with the lease released.
    let early = retry_at - Duration::SECOND;
    assert!(
        store
            .claim_deliveries(1, LEASE, early)
            .await
            .unwrap()
            .is_empty()
    );
    let again = store.claim_deliveries(1, LEASE, retry_at).await.unwrap();
    assert_eq!(again[0].attempts, 1);
    assert_eq!(again[0].first_attempt_at, Some(NOW));

    let late = NOW + Duration::hours(24);
    let dead = Attempt::Failed {
        status: None,
        error: "connection refused".into(),
        retry_at: None,
    };
    assert!(
        store
            .record_attempt(order.id, dead.clone(), late, late)
            .await
            .unwrap()
    );
    // A late answer from a sender whose lease ran out changes nothing.
    assert!(
        !store
            .record_attempt(order.id, dead, late, late)
            .await
            .unwrap()
    );
    let letters = store.dead_letters(10).await.unwrap();
    assert_eq!(letters.len(), 1);
    let letter = &letters[0];
    assert_eq!(
        (
            letter.order_id,
            letter.attempts,
            letter.delivery_id.as_str()
        ),
        (order.id, 2, due.delivery_id.as_str())
    );
    assert_eq!(letter.last_error.as_deref(), Some("connection refused"));
    assert_eq!(letter.first_attempt_at, Some(NOW));
    assert_eq!(letter.last_attempt_at, Some(late));
    assert_eq!(letter.order_reference, order.reference);
    assert!(
        store
            .claim_deliveries(1, LEASE, late + Duration::days(9))
            .await
            .unwrap()
            .is_empty()
    );

    let staff = Actor::Staff {
        id: 1,
        name: "ana".into(),
    };
    let back = store
        .redeliver(order.id, staff.clone(), late)
        .await
        .unwrap();
    assert_eq!(back.state, DeliveryState::Pending);
    assert_eq!(back.attempts, 0);
    assert!(store.dead_letters(10).await.unwrap().is_empty());
    let resent = store.claim_deliveries(1, LEASE, late).await.unwrap();
    assert_eq!(resent[0].delivery_id, due.delivery_id);
    assert_eq!(resent[0].body, due.body);
    assert_eq!(resent[0].first_attempt_at, None, "a new retry window");
    assert!(matches!(
        store.redeliver(order.id, staff.clone(), late).await,
        Err(RedeliverError::NotDead(_, "pending"))
    ));
    assert!(matches!(
        store.redeliver(999, staff, late).await,
        Err(RedeliverError::NotFound(999))
    ));

    let done = late + Duration::SECOND;
    let delivered = Attempt::Delivered { status: 204 };
    assert!(
        store
            .record_attempt(order.id, delivered.clone(), late, done)
            .await
            .unwrap()
    );
    assert!(
        !store
            .record_attempt(order.id, delivered, late, done)
            .await
            .unwrap()
    );
    let status = store.delivery(order.id).await.unwrap().unwrap();
    assert_eq!(status.state, DeliveryState::Delivered);
    assert_eq!(status.delivered_at, Some(done));
    assert_eq!(status.next_attempt_at, None);

    let object = format!("order:{}", order.id);
    let audit: Vec<String> = actions(&store)
        .await
        .into_iter()
        .filter(|(_, o)| *o == object)
        .map(|(a, _)| a)
        .collect();
    assert_eq!(
        audit,
        [
            "order.delivery_dead",
            "order.redelivered",
            "order.delivered"
        ]
    );
}

#[tokio::test]
async fn a_rotation_keeps_the_previous_secret_until_a_time() {
    let (_dir, store) = store();
    let acme = store.add_provider("acme", NOW).await.unwrap();
    assert!(
        !store
            .rotate_webhook_secret(acme.id, "new", NOW, cli(), NOW)
            .await
            .unwrap(),
        "no webhook, nothing to rotate"
    );
    store
        .set_webhook(acme.id, "https://acme.example/hook", "old", cli(), NOW)
        .await
        .unwrap();
    let until = NOW + Duration::hours(24);
    assert!(
        store
            .rotate_webhook_secret(acme.id, "new", until, cli(), NOW)
            .await
            .unwrap()
    );
    let hook = store.webhook(acme.id).await.unwrap().unwrap();
    assert_eq!(hook.sealed_secret, "new");
    assert_eq!(hook.sealed_previous.as_deref(), Some("old"));
    assert_eq!(hook.previous_until, Some(until));
    // Setting the webhook again drops the previous secret.
    store
        .set_webhook(acme.id, "https://acme.example/v2", "newest", cli(), NOW)
        .await
        .unwrap();
    let hook = store.webhook(acme.id).await.unwrap().unwrap();
    assert_eq!(hook.sealed_previous, None);
    assert!(actions(&store).await.contains(&(
        "provider.webhook_secret_rotated".into(),
        "provider:acme".into()
    )));
}
