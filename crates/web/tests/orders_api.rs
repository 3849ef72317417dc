//! Orders over the API: a provider polls and answers only its own orders,
//! answers are checked field by field and end at actioned or rejected,
//! staff make orders from a case with every wrong field named, and the
//! compliance figures agree with the stored times.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

mod common;

use axum::http::StatusCode;
use harrier_core::accounts::Role;
use harrier_core::clock::{Clock, ManualClock};
use harrier_core::patrol::provider::new_api_key;
use harrier_core::patrol::{ItemInput, NewSignal, PatrolStore, ScanResult, Scope, validate_item};
use serde_json::{Value, json};
use std::sync::Arc;
use time::format_description::well_known::Rfc3339;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const T0: OffsetDateTime = datetime!(2026-11-24 10:00 UTC);

/// A provider with a key of these scopes.
async fn provider(t: &common::TestApp, name: &str, scopes: &[Scope]) -> String {
    let p = t.store.add_provider(name, T0).await.unwrap();
    let key = new_api_key();
    t.store
        .add_provider_key(p.id, &key.prefix, &key.hash, scopes, T0)
        .await
        .unwrap();
    key.secret
}

/// A patrol case on `account` of provider `name` with signals on `items`.
async fn case(t: &common::TestApp, name: &str, account: &str, items: &[&str]) -> i64 {
    let p = t.store.provider(name).await.unwrap().unwrap();
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
    t.store.insert_items(p.id, valid, T0).await.unwrap();
    let leased = t
        .store
        .lease_items("w", 100, std::time::Duration::from_secs(60), T0)
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
    t.store.complete_items(results, T0).await.unwrap();
    let staff = t.token("case-reader", Role::Auditor).await;
    let cases = t.get_as("/api/v1/cases", &staff).await.json();
    cases["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["subject"]["key"] == account)
        .map(|c| c["id"].as_i64().unwrap())
        .unwrap()
}

fn at(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap()
}

fn order_json(provider: &str, hours: i64, now: OffsetDateTime) -> String {
    json!({
        "provider": provider,
        "action": "remove",
        "legal_basis": "Art. 9 DSA; order no. 2026/17",
        "deadline": at(now + Duration::hours(hours)),
        "evidence_excerpt": "冰毒 出, DM me",
    })
    .to_string()
}

async fn send_order(t: &common::TestApp, staff: &str, case: i64, body: String) -> common::Answer {
    t.post_json(
        &format!("/api/v1/cases/{case}/orders"),
        body,
        &[("authorization", &format!("Bearer {staff}"))],
    )
    .await
}

async fn order(t: &common::TestApp, staff: &str, case: i64, provider: &str, hours: i64) -> i64 {
    let made = send_order(
        t,
        staff,
        case,
        order_json(provider, hours, t.state.clock.now()),
    )
    .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text());
    made.json()["id"].as_i64().unwrap()
}

async fn answer(t: &common::TestApp, key: &str, id: i64, body: Value) -> common::Answer {
    t.post_json(
        &format!("/api/v1/orders/{id}/response"),
        body.to_string(),
        &[("authorization", &format!("Bearer {key}"))],
    )
    .await
}

fn ids(page: &Value) -> Vec<i64> {
    page["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn a_provider_polls_only_its_own_orders_with_the_webhook_payload() {
    let t = common::test_app();
    let weibo = provider(&t, "weibo", &[Scope::Orders]).await;
    let feed_only = provider(&t, "feedonly", &[Scope::Feed]).await;
    let telegram = provider(&t, "telegram", &[Scope::Orders]).await;
    let staff = t.token("mona", Role::Moderator).await;
    let c = case(&t, "weibo", "seller", &["p1", "p2"]).await;
    let first = order(&t, &staff, c, "weibo", 48).await;
    let theirs = order(&t, &staff, c, "telegram", 48).await;
    let second = order(&t, &staff, c, "weibo", 24).await;

    let page = t.get_as("/api/v1/orders", &weibo).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let page = page.json();
    assert_eq!(ids(&page), vec![first, second]);
    let polled = &page["orders"][0];
    assert_eq!(polled["state"], "sent");
    let payload = &polled["payload"];
    assert_eq!(payload["type"], "order.created");
    assert_eq!(payload["order"]["id"], first);
    assert_eq!(payload["order"]["case"], c);
    assert_eq!(payload["order"]["action"], "remove");
    assert_eq!(payload["order"]["target"]["key"], "seller");
    assert_eq!(payload["order"]["target"]["item_ids"], json!(["p1", "p2"]));
    assert_eq!(
        payload["order"]["respond_to"],
        format!("/api/v1/orders/{first}/response")
    );
    assert!(
        polled.get("created_by").is_none(),
        "no staff names for providers"
    );

    // Paging by id.
    let one = t.get_as("/api/v1/orders?limit=1", &weibo).await.json();
    assert_eq!(ids(&one), vec![first]);
    assert_eq!(one["next_after"], first);
    let rest = t
        .get_as(&format!("/api/v1/orders?limit=1&after={first}"), &weibo)
        .await
        .json();
    assert_eq!(ids(&rest), vec![second]);
    // Staff filters are not for providers.
    let wrong = t.get_as("/api/v1/orders?case=1", &weibo).await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert_eq!(wrong.json()["error"]["field"], "case");

    // One order: its own, not another provider's.
    let own = t.get_as(&format!("/api/v1/orders/{first}"), &weibo).await;
    assert_eq!(own.json()["reference"], format!("HO-2026-{first:06}"));
    let other = t.get_as(&format!("/api/v1/orders/{theirs}"), &weibo).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    assert_eq!(
        ids(&t.get_as("/api/v1/orders", &telegram).await.json()),
        vec![theirs]
    );
    // A key without the orders scope sees nothing.
    let scoped = t.get_as("/api/v1/orders", &feed_only).await;
    assert_eq!(scoped.status, StatusCode::FORBIDDEN);
    assert_eq!(scoped.error_code(), "missing_scope");

    // Staff see all three, newest first, with the delivery.
    let all = t.get_as("/api/v1/orders", &staff).await.json();
    assert_eq!(ids(&all), vec![second, theirs, first]);
    assert_eq!(all["orders"][0]["delivery"]["state"], "poll");
    let by_provider = t
        .get_as("/api/v1/orders?provider=telegram", &staff)
        .await
        .json();
    assert_eq!(ids(&by_provider), vec![theirs]);
}

#[tokio::test]
async fn providers_answer_each_status_until_the_order_closes() {
    let t = common::test_app();
    let weibo = provider(&t, "weibo", &[Scope::Orders]).await;
    let telegram = provider(&t, "telegram", &[Scope::Orders]).await;
    let staff = t.token("mona", Role::Moderator).await;
    let c = case(&t, "weibo", "seller", &["p1"]).await;
    let removed = order(&t, &staff, c, "weibo", 48).await;
    let refused = order(&t, &staff, c, "weibo", 48).await;

    // Another provider's key: not found, and nothing changes.
    let wrong = answer(&t, &telegram, removed, json!({"status": "acknowledged"})).await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);

    let acked = answer(&t, &weibo, removed, json!({"status": "acknowledged"})).await;
    assert_eq!(acked.status, StatusCode::OK, "{}", acked.text());
    assert_eq!(acked.json()["state"], "acknowledged");
    let asked = answer(
        &t,
        &weibo,
        removed,
        json!({"status": "needs_information", "what": "which posts exactly?"}),
    )
    .await;
    assert_eq!(asked.json()["state"], "needs_information");
    let done = answer(
        &t,
        &weibo,
        removed,
        json!({"status": "actioned", "what": "post p1 removed", "at": "2026-11-24T09:30:00Z"}),
    )
    .await;
    let done = done.json();
    assert_eq!(done["state"], "actioned");
    assert_eq!(done["answers"].as_array().unwrap().len(), 3);
    assert_eq!(done["answers"][2]["what"], "post p1 removed");
    assert_eq!(done["answers"][2]["at"], "2026-11-24T09:30:00Z");

    // Closed: no further answer of any kind.
    let late = answer(
        &t,
        &weibo,
        removed,
        json!({"status": "rejected", "why": "changed our mind"}),
    )
    .await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    assert_eq!(late.error_code(), "order_closed");

    let no = answer(
        &t,
        &weibo,
        refused,
        json!({"status": "rejected", "why": "not hosted by us"}),
    )
    .await;
    assert_eq!(no.json()["state"], "rejected");
    let again = answer(&t, &weibo, refused, json!({"status": "acknowledged"})).await;
    assert_eq!(again.error_code(), "order_closed");

    // Staff see the answers and times; the case shows the audit entries.
    let seen = t
        .get_as(&format!("/api/v1/orders/{removed}"), &staff)
        .await
        .json();
    assert_eq!(seen["state"], "actioned");
    assert_eq!(seen["acknowledged_at"], at(T0));
    assert_eq!(seen["answers"][1]["status"], "needs_information");
    let page = t.get_as(&format!("/api/v1/cases/{c}"), &staff).await.json();
    let answered: Vec<&Value> = page["audit"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "order.answered")
        .collect();
    assert_eq!(answered.len(), 4);
    assert!(answered.iter().all(|e| e["actor"] == "provider:weibo"));
    let detail: Value = serde_json::from_str(answered[3]["detail"].as_str().unwrap()).unwrap();
    assert_eq!(detail["order"], refused);
    assert_eq!(detail["why"], "not hosted by us");
}

#[tokio::test]
async fn bad_answers_are_refused_naming_the_field() {
    let t = common::test_app();
    let weibo = provider(&t, "weibo", &[Scope::Orders]).await;
    let staff = t.token("mona", Role::Moderator).await;
    let c = case(&t, "weibo", "seller", &["p1"]).await;
    let id = order(&t, &staff, c, "weibo", 48).await;
    for (body, field, code) in [
        (
            json!({"status": "actioned", "what": "removed"}),
            "at",
            "required",
        ),
        (
            json!({"status": "actioned", "what": "removed", "at": "soon"}),
            "at",
            "invalid_time",
        ),
        (json!({"status": "done"}), "status", "invalid_status"),
        (json!({"status": "rejected"}), "why", "required"),
        (
            json!({"status": "needs_information", "what": "  "}),
            "what",
            "required",
        ),
        (
            json!({"status": "actioned", "what": "removed", "at": "2026-11-25T10:00:00Z"}),
            "at",
            "in_future",
        ),
    ] {
        let refused = answer(&t, &weibo, id, body.clone()).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let json = refused.json();
        assert_eq!(json["error"]["code"], "invalid_answer", "{body}");
        assert_eq!(json["error"]["field"], field, "{body}");
        assert_eq!(json["errors"][0]["code"], code, "{body}");
    }
    let not_json = t
        .post_json(
            &format!("/api/v1/orders/{id}/response"),
            "status=acknowledged",
            &[("authorization", &format!("Bearer {weibo}"))],
        )
        .await;
    assert_eq!(not_json.status, StatusCode::BAD_REQUEST);
    let huge = answer(
        &t,
        &weibo,
        id,
        json!({"status": "rejected", "why": "x".repeat(20_000)}),
    )
    .await;
    assert_eq!(huge.status, StatusCode::PAYLOAD_TOO_LARGE);
    let unknown = answer(
        &t,
        &weibo,
        id,
        json!({"status": "acknowledged", "extra": 1}),
    )
    .await;
    assert_eq!(unknown.error_code(), "unknown_field");
    // Nothing was stored by any of these.
    let seen = t
        .get_as(&format!("/api/v1/orders/{id}"), &staff)
        .await
        .json();
    assert_eq!(seen["state"], "sent");
    assert!(seen["answers"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn staff_orders_are_checked_field_by_field() {
    let t = common::test_app();
    provider(&t, "weibo", &[Scope::Orders]).await;
    let staff = t.token("mona", Role::Moderator).await;
    let auditor = t.token("audrey", Role::Auditor).await;
    let c = case(&t, "weibo", "seller", &["p1"]).await;

    let empty = send_order(&t, &staff, c, "{}".into()).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let json = empty.json();
    assert_eq!(json["error"]["code"], "invalid_order");
    let fields: Vec<&str> = json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "provider",
            "action",
            "legal_basis",
            "deadline",
            "evidence_excerpt"
        ]
    );

    let preserve = json!({
        "provider": "weibo", "action": "preserve", "preserve_days": 400,
        "legal_basis": "Art. 9 DSA", "deadline": "2026-11-20T00:00:00Z", "evidence_excerpt": "x",
    });
    let refused = send_order(&t, &staff, c, preserve.to_string()).await;
    let json = refused.json();
    let named: Vec<(&str, &str)> = json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        named,
        [("preserve_days", "out_of_range"), ("deadline", "in_past")]
    );

    let disclose = json!({
        "provider": "weibo", "action": "disclose", "legal_basis": "because",
        "deadline": "2026-11-30T00:00:00Z", "evidence_excerpt": "x",
    });
    let refused = send_order(&t, &staff, c, disclose.to_string()).await;
    assert_eq!(refused.json()["error"]["field"], "legal_basis");

    let nobody = send_order(&t, &staff, c, order_json("nobody", 1, T0)).await;
    assert_eq!(nobody.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(nobody.error_code(), "provider_not_found");
    assert_eq!(nobody.json()["error"]["field"], "provider");
    let no_case = send_order(&t, &staff, 999, order_json("weibo", 1, T0)).await;
    assert_eq!(no_case.status, StatusCode::NOT_FOUND);
    let forbidden = send_order(&t, &auditor, c, order_json("weibo", 1, T0)).await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    assert!(
        ids(&t.get_as("/api/v1/orders", &auditor).await.json()).is_empty(),
        "no refused request stored an order"
    );

    let made = send_order(&t, &staff, c, order_json("weibo", 1, T0)).await;
    assert_eq!(made.status, StatusCode::CREATED);
    let made = made.json();
    assert_eq!(made["created_by"], "staff:mona");
    assert_eq!(made["target"]["item_ids"], json!(["p1"]));
    let audit = t.get_as(&format!("/api/v1/cases/{c}"), &staff).await.json()["audit"].clone();
    assert!(
        audit
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "order.created" && e["actor"] == "staff:mona")
    );
}

fn parse(v: &Value) -> OffsetDateTime {
    OffsetDateTime::parse(v.as_str().unwrap(), &Rfc3339).unwrap()
}

/// Median (mean of the middle two, rounded down) and nearest-rank p90.
fn median_p90(mut v: Vec<i64>) -> (i64, i64) {
    v.sort_unstable();
    let n = v.len();
    let median = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]).div_euclid(2)
    };
    let rank = ((n as f64) * 0.9).ceil() as usize;
    (median, v[rank - 1])
}

#[tokio::test]
async fn compliance_figures_agree_with_the_stored_times() {
    let mut t = common::test_app();
    let clock = Arc::new(ManualClock::new(T0));
    t.state.clock = clock.clone();
    let weibo = provider(&t, "weibo", &[Scope::Orders]).await;
    let telegram = provider(&t, "telegram", &[Scope::Orders]).await;
    let staff = t.token("mona", Role::Moderator).await;
    let c = case(&t, "weibo", "seller", &["p1"]).await;

    let a = order(&t, &staff, c, "weibo", 10).await;
    let b = order(&t, &staff, c, "weibo", 10).await;
    let d = order(&t, &staff, c, "weibo", 10).await;
    let late = order(&t, &staff, c, "telegram", 2).await;
    clock.advance(Duration::minutes(50));
    // (Sessions end after 30 idle minutes: a fresh one each time.)
    let staff = t.token("mona-later", Role::Moderator).await;
    let b2 = order(&t, &staff, c, "weibo", 3).await;
    let steps: [(i64, &str, i64, Value); 6] = [
        (10, &weibo, a, json!({"status": "acknowledged"})),
        (60, &weibo, b, json!({"status": "acknowledged"})),
        (
            120,
            &weibo,
            a,
            json!({"status": "actioned", "what": "removed", "at": "2026-11-24T13:00:00Z"}),
        ),
        (
            30,
            &weibo,
            d,
            json!({"status": "rejected", "why": "not ours"}),
        ),
        (
            600,
            &weibo,
            b,
            json!({"status": "actioned", "what": "removed", "at": "2026-11-24T23:00:00Z"}),
        ),
        (5, &telegram, late, json!({"status": "acknowledged"})),
    ];
    for (minutes, key, id, body) in steps {
        clock.advance(Duration::minutes(minutes));
        let answered = answer(&t, key, id, body).await;
        assert_eq!(answered.status, StatusCode::OK, "{}", answered.text());
    }
    let now = clock.now();
    let staff = t.token("mona-at-the-end", Role::Moderator).await;

    let report = t
        .get_as("/api/v1/providers/compliance?days=7", &staff)
        .await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.text());
    let report = report.json();
    let orders = t.get_as("/api/v1/orders?limit=200", &staff).await.json();
    let rows: Vec<&Value> = orders["orders"].as_array().unwrap().iter().collect();
    let of = |name: &str| -> Vec<&Value> {
        rows.iter()
            .copied()
            .filter(|o| o["provider"] == name)
            .collect()
    };
    let secs = |o: &Value, field: &str| -> Option<i64> {
        o[field]
            .as_str()
            .map(|_| (parse(&o[field]) - parse(&o["created_at"])).whole_seconds())
    };

    let w = report["providers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["provider"] == "weibo")
        .unwrap();
    let weibo_rows = of("weibo");
    assert_eq!(w["orders"], weibo_rows.len());
    let ack: Vec<i64> = weibo_rows
        .iter()
        .filter_map(|o| secs(o, "acknowledged_at"))
        .collect();
    let act: Vec<i64> = weibo_rows
        .iter()
        .filter_map(|o| secs(o, "actioned_at"))
        .collect();
    assert_eq!(ack.len(), 3, "a, b and the rejected d answered");
    assert_eq!(act.len(), 2);
    let (median, p90) = median_p90(ack);
    assert_eq!(w["to_acknowledge"]["median_secs"], median);
    assert_eq!(w["to_acknowledge"]["p90_secs"], p90);
    let (median, p90) = median_p90(act);
    assert_eq!(w["to_act"]["median_secs"], median);
    assert_eq!(w["to_act"]["p90_secs"], p90);
    // Due: answered actioned/rejected or past the deadline. On time:
    // actioned (when received) by the deadline.
    let due: Vec<&&Value> = weibo_rows
        .iter()
        .filter(|o| {
            ["actioned", "rejected"].contains(&o["state"].as_str().unwrap())
                || parse(&o["deadline"]) < now
        })
        .collect();
    let on_time = due
        .iter()
        .filter(|o| o["state"] == "actioned" && parse(&o["actioned_at"]) <= parse(&o["deadline"]))
        .count();
    assert_eq!(w["due"], due.len());
    assert_eq!(w["on_time"], on_time);
    assert_eq!(
        w["on_time_share"].as_f64().unwrap(),
        on_time as f64 / due.len() as f64
    );
    assert_eq!(
        (due.len(), on_time),
        (4, 1),
        "a on time; b late; d rejected; b2 overdue"
    );

    // Overdue now: open past the deadline, most overdue first.
    let overdue: Vec<(i64, i64)> = rows
        .iter()
        .filter(|o| o["overdue"] == true)
        .map(|o| {
            (
                o["id"].as_i64().unwrap(),
                (now - parse(&o["deadline"])).whole_seconds(),
            )
        })
        .collect();
    let mut expected = overdue.clone();
    expected.sort_by_key(|x| std::cmp::Reverse(x.1));
    let escalated: Vec<(i64, i64)> = report["escalations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["order_id"].as_i64().unwrap(),
                e["late_secs"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(escalated, expected);
    let mut late_ids: Vec<i64> = escalated.iter().map(|e| e.0).collect();
    late_ids.sort_unstable();
    assert_eq!(late_ids, vec![late, b2]);
    assert_eq!(w["overdue"], 1);
    let overdue_list = t.get_as("/api/v1/orders?overdue=true", &staff).await.json();
    assert_eq!(ids(&overdue_list).len(), 2);

    let bad = t
        .get_as("/api/v1/providers/compliance?days=0", &staff)
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.json()["error"]["field"], "days");
}

const NONCE: &str = "0123456789abcdef0123456789abcdef";

async fn console(
    t: &common::TestApp,
    token: &str,
    method: &str,
    uri: &str,
    form: &str,
) -> common::Answer {
    let mut request = axum::http::Request::builder()
        .method(method)
        .uri(uri)
        .header(
            "cookie",
            format!("harrier_staff_csrf={NONCE}; harrier_staff={token}"),
        );
    if method == "POST" {
        request = request.header("content-type", "application/x-www-form-urlencoded");
    }
    t.send(
        request
            .body(axum::body::Body::from(form.to_owned()))
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn the_console_sends_orders_and_shows_answers_and_compliance() {
    let t = common::test_app();
    let weibo = provider(&t, "weibo", &[Scope::Orders]).await;
    let staff = t.token("mona", Role::Moderator).await;
    let auditor = t.token("audrey", Role::Auditor).await;
    let c = case(&t, "weibo", "seller", &["p1"]).await;
    let csrf = harrier_web::csrf::token(&t.state.secret, NONCE);
    let form = format!(
        "csrf={csrf}&case={c}&provider=weibo&action=preserve&preserve_days=90\
         &legal_basis=Art.+9+DSA&deadline=2026-11-30T12%3A00&evidence_excerpt=%3Cb%3Ebold%3C%2Fb%3E"
    );
    let sent = console(&t, &staff, "POST", "/staff/orders", &form).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text());
    let location = sent.headers["location"].to_str().unwrap().to_owned();
    let id: i64 = location.rsplit('/').next().unwrap().parse().unwrap();
    let stored = t
        .get_as(&format!("/api/v1/orders/{id}"), &staff)
        .await
        .json();
    assert_eq!(stored["deadline"], "2026-11-30T12:00:00Z");
    assert_eq!(stored["preserve_days"], 90);

    // A wrong form names its fields; a bad token is refused.
    let wrong = console(
        &t,
        &staff,
        "POST",
        "/staff/orders",
        &format!("csrf={csrf}&case={c}&provider=weibo&action=preserve&preserve_days=&legal_basis=x&deadline=2020-01-01T00%3A00&evidence_excerpt=x"),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.text().contains("preserve_days") && wrong.text().contains("deadline"));
    let forged = console(
        &t,
        &staff,
        "POST",
        "/staff/orders",
        &form.replace(&csrf, "nope"),
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let denied = console(&t, &auditor, "POST", "/staff/orders", &form).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);

    answer(
        &t,
        &weibo,
        id,
        json!({"status": "needs_information", "what": "<i>which</i> data?"}),
    )
    .await;
    let list = console(&t, &auditor, "GET", "/staff/orders", "").await;
    assert_eq!(list.status, StatusCode::OK);
    let html = list.text();
    assert!(html.contains(&format!("HO-2026-{id:06}")));
    assert!(html.contains("needs_information"));
    assert!(
        !html.contains("send-order-form"),
        "auditors may not send orders"
    );
    assert!(
        console(&t, &staff, "GET", "/staff/orders", "")
            .await
            .text()
            .contains("send-order-form")
    );
    let page = console(&t, &auditor, "GET", &format!("/staff/orders/{id}"), "")
        .await
        .text();
    assert!(page.contains("&#60;i&#62;which&#60;/i&#62; data?"));
    assert!(!page.contains("<i>which"));
    assert!(!page.contains("<b>bold"));
    assert!(page.contains("id=\"delivery-state\">poll<"));
    let report = console(&t, &auditor, "GET", "/staff/compliance?days=7", "").await;
    assert_eq!(report.status, StatusCode::OK);
    assert!(report.text().contains("data-provider=\"weibo\""));
}
