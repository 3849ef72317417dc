//! Orders in SQLite: made from a case with the case's subject and the
//! provider's items as target, listed and polled, answered by their own
//! provider only, audited on the case, and read back for compliance.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

mod common;

use common::{NOW, store};

use harrier_core::accounts::{Role, Staff};
use harrier_core::audit::Verifier;
use harrier_core::cases::{CaseQuery, CaseStore};
use harrier_core::orders::request::{OrderRequest, ProviderRef};
use harrier_core::orders::{
    OrderAction, OrderError, OrderQuery, OrderState, OrderStore, PollQuery, ProviderAnswer,
};
use harrier_core::patrol::{
    ItemInput, NewSignal, PatrolStore, Provider, ScanResult, validate_item,
};
use harrier_core::ports::Store;
use harrier_store::SqliteStore;
use time::Duration;

async fn moderator(store: &SqliteStore) -> Staff {
    store
        .put_staff("mona", Role::Moderator, "x", false, false, NOW)
        .await
        .unwrap()
}

/// A patrol case on `account` of `provider` holding signals on `items`.
async fn patrol_case(
    store: &SqliteStore,
    provider: &Provider,
    account: &str,
    items: &[&str],
) -> i64 {
    let valid = items
        .iter()
        .map(|id| {
            validate_item(ItemInput {
                id: (*id).into(),
                kind: "post".into(),
                text: Some("冰毒 出".into()),
                account: Some(account.into()),
                ..ItemInput::default()
            })
            .unwrap()
        })
        .collect();
    store.insert_items(provider.id, valid, NOW).await.unwrap();
    let leased = store
        .lease_items("w", 100, std::time::Duration::from_secs(60), NOW)
        .await
        .unwrap();
    let results = leased
        .iter()
        .map(|l| ScanResult {
            item_id: l.item_id,
            signals: vec![NewSignal {
                rule: "drugs.sale".into(),
                category: "drugs".into(),
                severity: "high".into(),
                live: true,
                score: 0.9,
                ruleset_version: "v1".into(),
                explanation_json: "{}".into(),
            }],
        })
        .collect();
    store.complete_items(results, NOW).await.unwrap();
    let cases = store
        .list_cases(&CaseQuery {
            limit: 50,
            ..CaseQuery::default()
        })
        .await
        .unwrap();
    cases
        .iter()
        .find(|c| c.subject.key == account)
        .map(|c| c.id)
        .unwrap_or_else(|| panic!("no case on {account}"))
}

fn request(provider: ProviderRef, action: OrderAction, deadline_h: i64) -> OrderRequest {
    OrderRequest {
        provider,
        action,
        preserve_days: (action == OrderAction::Preserve).then_some(90),
        legal_basis: "Art. 9 DSA".into(),
        deadline: NOW + Duration::hours(deadline_h),
        evidence_excerpt: "冰毒 出".into(),
    }
}

async fn order_count(store: &SqliteStore) -> usize {
    store
        .list_orders(&OrderQuery {
            limit: 500,
            ..OrderQuery::default()
        })
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn an_order_targets_the_cases_subject_and_the_providers_items() {
    let (_dir, store) = store();
    let mona = moderator(&store).await;
    let weibo = store.add_provider("weibo", NOW).await.unwrap();
    let other = store.add_provider("telegram", NOW).await.unwrap();
    let case = patrol_case(&store, &weibo, "seller", &["p2", "p1"]).await;

    let made = store
        .create_order(
            case,
            request(ProviderRef::Name("weibo".into()), OrderAction::Remove, 48),
            &mona,
            NOW,
        )
        .await
        .unwrap();
    let o = &made.order;
    assert_eq!(o.reference, format!("HO-2026-{:06}", o.id));
    assert_eq!((o.case_id, o.provider.as_str()), (case, "weibo"));
    assert_eq!(o.target.kind, "account");
    assert_eq!(o.target.platform, "weibo");
    assert_eq!(o.target.key, "seller");
    assert_eq!(o.target.item_ids, vec!["p1", "p2"]);
    assert_eq!(o.state, OrderState::Sent);
    assert_eq!(o.created_by, "staff:mona");
    let delivery = made.delivery.as_ref().unwrap();
    assert_eq!((delivery.state.as_str(), delivery.attempts), ("poll", 0));
    assert!(made.answers.is_empty());

    // Another provider (by id) gets the subject without weibo's items.
    let by_id = store
        .create_order(
            case,
            request(ProviderRef::Id(other.id), OrderAction::Preserve, 24),
            &mona,
            NOW,
        )
        .await
        .unwrap();
    assert!(by_id.order.target.item_ids.is_empty());
    assert_eq!(by_id.order.preserve_days, Some(90));

    let audit = store.get_case(case).await.unwrap().unwrap().audit;
    let created: Vec<_> = audit
        .iter()
        .filter(|e| e.action == "order.created")
        .collect();
    assert_eq!(created.len(), 2);
    assert_eq!(created[0].actor, "staff:mona");
    assert!(created[0].detail.contains(&o.reference));
}

#[tokio::test]
async fn unknown_cases_and_providers_are_refused_without_writing() {
    let (_dir, store) = store();
    let mona = moderator(&store).await;
    let weibo = store.add_provider("weibo", NOW).await.unwrap();
    let case = patrol_case(&store, &weibo, "seller", &["p1"]).await;
    let head = store.audit_head().await.unwrap();
    let refused = store
        .create_order(
            999,
            request(ProviderRef::Name("weibo".into()), OrderAction::Remove, 1),
            &mona,
            NOW,
        )
        .await
        .unwrap_err();
    assert_eq!(refused, OrderError::CaseNotFound(999));
    let refused = store
        .create_order(
            case,
            request(ProviderRef::Name("nobody".into()), OrderAction::Remove, 1),
            &mona,
            NOW,
        )
        .await
        .unwrap_err();
    assert_eq!(refused, OrderError::ProviderNotFound("nobody".into()));
    assert_eq!(refused.code(), "provider_not_found");
    assert_eq!(order_count(&store).await, 0);
    assert_eq!(store.audit_head().await.unwrap(), head);
}

#[tokio::test]
async fn answers_move_the_order_and_are_audited_on_the_case() {
    let (_dir, store) = store();
    let mona = moderator(&store).await;
    let weibo = store.add_provider("weibo", NOW).await.unwrap();
    let other = store.add_provider("telegram", NOW).await.unwrap();
    let case = patrol_case(&store, &weibo, "seller", &["p1"]).await;
    let id = store
        .create_order(
            case,
            request(ProviderRef::Name("weibo".into()), OrderAction::Remove, 48),
            &mona,
            NOW,
        )
        .await
        .unwrap()
        .order
        .id;

    // Another provider's key cannot see or answer it.
    let wrong = store
        .answer_order(id, other.id, ProviderAnswer::Acknowledged, NOW)
        .await
        .unwrap_err();
    assert_eq!(wrong, OrderError::OrderNotFound(id));

    let t1 = NOW + Duration::hours(1);
    let acked = store
        .answer_order(id, weibo.id, ProviderAnswer::Acknowledged, t1)
        .await
        .unwrap();
    assert_eq!(acked.order.state, OrderState::Acknowledged);
    assert_eq!(acked.times.acknowledged_at, Some(t1));
    let t2 = NOW + Duration::hours(2);
    let asked = store
        .answer_order(
            id,
            weibo.id,
            ProviderAnswer::NeedsInformation {
                what: "which posts?".into(),
            },
            t2,
        )
        .await
        .unwrap();
    assert_eq!(asked.order.state, OrderState::NeedsInformation);
    assert_eq!(
        asked.times.acknowledged_at,
        Some(t1),
        "the first answer stays"
    );
    let t3 = NOW + Duration::hours(5);
    let done_at = NOW + Duration::hours(4);
    let done = store
        .answer_order(
            id,
            weibo.id,
            ProviderAnswer::Actioned {
                what: "post removed".into(),
                at: done_at,
            },
            t3,
        )
        .await
        .unwrap();
    assert_eq!(done.order.state, OrderState::Actioned);
    assert_eq!(
        (done.times.actioned_at, done.times.answered_at),
        (Some(t3), Some(t3))
    );
    assert_eq!(done.answers.len(), 3);
    assert_eq!(
        done.answers[2].answer,
        ProviderAnswer::Actioned {
            what: "post removed".into(),
            at: done_at
        }
    );
    assert_eq!(done.answers[1].received_at, t2);

    let closed = store
        .answer_order(
            id,
            weibo.id,
            ProviderAnswer::Rejected { why: "late".into() },
            t3,
        )
        .await
        .unwrap_err();
    assert_eq!(closed.code(), "order_closed");
    assert_eq!(store.order(id).await.unwrap().unwrap().answers.len(), 3);

    let audit = store.get_case(case).await.unwrap().unwrap().audit;
    let answered: Vec<_> = audit
        .iter()
        .filter(|e| e.action == "order.answered")
        .collect();
    assert_eq!(answered.len(), 3);
    assert!(answered.iter().all(|e| e.actor == "provider:weibo"));
    let last: serde_json::Value = serde_json::from_str(&answered[2].detail).unwrap();
    assert_eq!(last["order"], id);
    assert_eq!(last["status"], "actioned");
    assert_eq!(last["what"], "post removed");

    let mut verifier = Verifier::new(None);
    for entry in store.audit_entries(0, 1_000, None).await.unwrap() {
        verifier.push(&entry).unwrap();
    }
    verifier.finish().unwrap();
}

#[tokio::test]
async fn lists_filter_and_providers_poll_their_own_orders_in_pages() {
    let (_dir, store) = store();
    let mona = moderator(&store).await;
    let weibo = store.add_provider("weibo", NOW).await.unwrap();
    let other = store.add_provider("telegram", NOW).await.unwrap();
    let a = patrol_case(&store, &weibo, "seller", &["p1"]).await;
    let b = patrol_case(&store, &weibo, "helper", &["p2"]).await;
    let mut weibo_ids = Vec::new();
    for (case, provider, hours, at) in [
        (a, weibo.id, 1, NOW),
        (a, other.id, 1, NOW),
        (b, weibo.id, 100, NOW + Duration::hours(1)),
        (b, weibo.id, 2, NOW + Duration::hours(2)),
    ] {
        let made = store
            .create_order(
                case,
                request(ProviderRef::Id(provider), OrderAction::Restrict, hours),
                &mona,
                at,
            )
            .await
            .unwrap();
        if provider == weibo.id {
            weibo_ids.push(made.order.id);
        }
    }
    let q = |f: fn(&mut OrderQuery)| {
        let mut q = OrderQuery {
            limit: 50,
            ..OrderQuery::default()
        };
        f(&mut q);
        q
    };
    let ids = |v: Vec<harrier_core::orders::OrderDetail>| -> Vec<i64> {
        v.into_iter().map(|d| d.order.id).collect()
    };
    let all = ids(store.list_orders(&q(|_| {})).await.unwrap());
    assert_eq!(all.len(), 4);
    assert!(all.windows(2).all(|w| w[0] > w[1]), "newest first");
    let mut of_weibo = ids(store
        .list_orders(&OrderQuery {
            provider_id: Some(weibo.id),
            limit: 50,
            ..OrderQuery::default()
        })
        .await
        .unwrap());
    of_weibo.reverse();
    assert_eq!(of_weibo, weibo_ids);
    assert_eq!(
        store
            .list_orders(&OrderQuery {
                case_id: Some(b),
                limit: 50,
                ..OrderQuery::default()
            })
            .await
            .unwrap()
            .len(),
        2
    );
    // At NOW + 3 h: the orders due at +1 h and +2 h are overdue, the one
    // due at +100 h is not.
    let overdue = store
        .list_orders(&OrderQuery {
            overdue_at: Some(NOW + Duration::hours(3)),
            limit: 50,
            ..OrderQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(overdue.len(), 3);
    assert!(overdue.iter().all(|d| d.overdue(NOW + Duration::hours(3))));

    // Polling: weibo's own only, oldest first, paged by the last id.
    let page1 = store
        .provider_orders(
            weibo.id,
            &PollQuery {
                limit: 2,
                ..PollQuery::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(ids(page1.clone()), weibo_ids[..2]);
    let page2 = store
        .provider_orders(
            weibo.id,
            &PollQuery {
                after: page1[1].order.id,
                limit: 2,
                ..PollQuery::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(ids(page2), weibo_ids[2..]);
    let since = store
        .provider_orders(
            weibo.id,
            &PollQuery {
                since: Some(NOW + Duration::hours(1)),
                limit: 10,
                ..PollQuery::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(ids(since), weibo_ids[1..]);
    assert_eq!(store.case_orders(a).await.unwrap().len(), 2);

    // Compliance rows: made since +1 h, plus every open order.
    store
        .answer_order(
            weibo_ids[0],
            weibo.id,
            ProviderAnswer::Rejected { why: "no".into() },
            NOW,
        )
        .await
        .unwrap();
    let rows = store
        .compliance_rows(NOW + Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(rows.len(), 3, "the rejected order made before is left out");
    assert!(rows.iter().all(|r| r.id != weibo_ids[0]));
}
