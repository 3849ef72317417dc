//! Decisions and appeals through the API: a preview that names every wrong
//! field and stores nothing, a decision with its order and notice, appeals
//! reviewed only by someone other than the decider, templates checked
//! before they are stored.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

mod common;

use axum::body::Body;
use axum::http::Request;
use harrier_core::accounts::Role;
use harrier_core::decisions::{DecisionStore, NewAppeal};
use harrier_core::patrol::PatrolStore;
use serde_json::{Value, json};

async fn send(
    t: &common::TestApp,
    method: &str,
    uri: &str,
    token: &str,
    body: Value,
) -> common::Answer {
    t.send_json(method, uri, token, body).await
}

fn decision_body() -> Value {
    json!({
        "statement": {
            "ground": "illegal_content",
            "legal_ground": "Criminal Law Art. 347",
            "explanation": "The account offers methamphetamine for sale.",
            "visibility": ["removed"],
            "account": "suspended",
            "facts": "Three posts between 18 and 20 November offer 冰 with prices per gram."
        },
        "notice_language": "en",
        "orders": [{"provider": "examplenet", "action": "remove", "legal_basis": "DSA Art. 9 order"}]
    })
}

#[tokio::test]
async fn a_decision_is_previewed_taken_appealed_and_reversed_by_another_person() {
    let t = common::test_app();
    let intake = t.token("ines", Role::Intake).await;
    let moderator = t.token("mo", Role::Moderator).await;
    let reviewer = t.token("rev", Role::Reviewer).await;
    let analyst = t.token("ana", Role::Analyst).await;
    let case = t.triaged_case(&intake).await;
    t.store
        .add_provider("examplenet", t.state.clock.now())
        .await
        .unwrap();

    // Every wrong field at once, nothing stored.
    let bad = send(
        &t,
        "POST",
        &format!("/api/v1/cases/{case}/decisions/preview"),
        &moderator,
        json!({
            "statement": {"ground": "rumour", "explanation": "", "facts": "x", "visibility": ["hidden"], "end_date": "soon"},
            "orders": [{"provider": "nobody", "action": "remove", "legal_basis": ""}]
        }),
    )
    .await;
    assert_eq!(bad.status, 422, "{}", bad.text());
    let fields: Vec<String> = bad.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    for f in [
        "ground",
        "explanation",
        "visibility",
        "end_date",
        "orders[0].provider",
        "orders[0].legal_basis",
    ] {
        assert!(fields.iter().any(|x| x == f), "{f} missing from {fields:?}");
    }

    let preview = send(
        &t,
        "POST",
        &format!("/api/v1/cases/{case}/decisions/preview"),
        &moderator,
        decision_body(),
    )
    .await;
    assert_eq!(preview.status, 200, "{}", preview.text());
    let notice = preview.json()["notice"].as_str().unwrap().to_owned();
    assert!(
        notice.contains("content removed; account suspended"),
        "{notice}"
    );
    assert!(notice.contains("http://127.0.0.1:8080/appeal/"), "{notice}");
    assert_eq!(
        preview.json()["statement"]["dsa_category"],
        "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS"
    );
    assert_eq!(
        preview.json()["statement"]["source"],
        "article_16",
        "a web/API tip-off is an Art. 16 notice"
    );
    assert!(
        t.store
            .decisions_since(time::OffsetDateTime::UNIX_EPOCH, 0, 10)
            .await
            .unwrap()
            .is_empty()
    );

    let refused = send(
        &t,
        "POST",
        &format!("/api/v1/cases/{case}/decisions"),
        &analyst,
        decision_body(),
    )
    .await;
    assert_eq!(refused.status, 403);
    let taken = send(
        &t,
        "POST",
        &format!("/api/v1/cases/{case}/decisions"),
        &moderator,
        decision_body(),
    )
    .await;
    assert_eq!(taken.status, 201, "{}", taken.text());
    let d = &taken.json()["decision"];
    let decision_id = d["decision"]["id"].as_i64().unwrap();
    assert_eq!(d["orders"][0]["action"], "remove");
    assert_eq!(d["orders"][0]["target"]["kind"], "url");
    assert_eq!(d["orders"][0]["notice"]["language"], "en");
    assert_eq!(d["decision"]["statement"]["content_date"], "2026-11-20");
    let code = d["decision"]["appeal_code"].as_str().unwrap().to_owned();
    let case_now = t.get_as(&format!("/api/v1/cases/{case}"), &moderator).await;
    assert_eq!(case_now.json()["case"]["state"], "decided");

    // The affected person appeals (the portal files through the same store call).
    t.store
        .file_appeal(
            NewAppeal {
                code,
                explanation: "I was quoting a news story.".into(),
                contact_email: None,
                language: "en".into(),
                files: vec![],
            },
            t.state.clock.now(),
        )
        .await
        .unwrap();
    let queue = t.get_as("/api/v1/appeals", &reviewer).await;
    let appeal = queue.json()["appeals"][0]["id"].as_i64().unwrap();

    let no_reasons = send(
        &t,
        "POST",
        &format!("/api/v1/appeals/{appeal}/review"),
        &reviewer,
        json!({"outcome": "reverse", "reasons": ""}),
    )
    .await;
    assert_eq!(no_reasons.status, 422);
    assert_eq!(no_reasons.json()["error"]["field"], "reasons");
    let moderator_reviews = send(
        &t,
        "POST",
        &format!("/api/v1/appeals/{appeal}/review"),
        &moderator,
        json!({"outcome": "uphold", "reasons": "fine"}),
    )
    .await;
    assert_eq!(
        moderator_reviews.status, 403,
        "moderators do not review appeals"
    );

    let reversed = send(
        &t,
        "POST",
        &format!("/api/v1/appeals/{appeal}/review"),
        &reviewer,
        json!({"outcome": "reverse", "reasons": "The post quoted a news report about an arrest."}),
    )
    .await;
    assert_eq!(reversed.status, 200, "{}", reversed.text());
    assert_eq!(reversed.json()["appeal"]["state"], "reversed");
    let after = t
        .get_as(&format!("/api/v1/decisions/{decision_id}"), &moderator)
        .await;
    let orders = after.json()["decision"]["orders"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(orders.len(), 2);
    assert_eq!(orders[1]["action"], "reinstate");
    assert_eq!(orders[1]["reverses"], orders[0]["id"]);
    assert!(
        orders[1]["notice"]["text"]
            .as_str()
            .unwrap()
            .contains("The post quoted a news report")
    );
    assert_eq!(after.json()["decision"]["decision"]["state"], "reversed");

    let audit = t
        .get_as(
            &format!("/api/v1/audit?object=case:{case}"),
            &t.token("aud", Role::Auditor).await,
        )
        .await;
    let actions: Vec<String> = audit.json()["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    for a in ["decision.taken", "appeal.filed", "appeal.decided"] {
        assert!(actions.iter().any(|x| x == a), "{a} not in {actions:?}");
    }
}

#[tokio::test]
async fn templates_are_checked_before_they_are_stored_and_then_used() {
    let t = common::test_app();
    let admin = t.token("root", Role::Admin).await;
    let moderator = t.token("mo", Role::Moderator).await;
    let intake = t.token("ines", Role::Intake).await;
    let typo = send(&t, "PUT", "/api/v1/message-templates", &admin,
        json!({"kind": "decision", "category": "drugs", "language": "en", "body": "see {apeal_url}"})).await;
    assert_eq!(typo.status, 422);
    assert!(typo.text().contains("apeal_url"), "{}", typo.text());
    let not_admin = send(
        &t,
        "PUT",
        "/api/v1/message-templates",
        &moderator,
        json!({"kind": "decision", "category": "drugs", "language": "en", "body": "x"}),
    )
    .await;
    assert_eq!(not_admin.status, 403);
    let ok = send(&t, "PUT", "/api/v1/message-templates", &admin,
        json!({"kind": "decision", "category": "drugs", "language": "en", "body": "CUSTOM {restrictions} {appeal_code}"})).await;
    assert_eq!(ok.status, 204, "{}", ok.text());

    let case = t.triaged_case(&intake).await;
    let preview = send(
        &t,
        "POST",
        &format!("/api/v1/cases/{case}/decisions/preview"),
        &moderator,
        json!({"statement": decision_body()["statement"], "notice_language": "en"}),
    )
    .await;
    assert_eq!(preview.status, 200, "{}", preview.text());
    assert!(
        preview.json()["notice"]
            .as_str()
            .unwrap()
            .starts_with("CUSTOM content removed"),
        "{}",
        preview.text()
    );
    let listed = t
        .get_as("/api/v1/message-templates", &moderator)
        .await
        .json();
    let edited = listed["templates"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["source"] == "edited")
        .count();
    assert_eq!(edited, 1);
}

const NONCE: &str = "0123456789abcdef0123456789abcdef";

async fn console_post(
    t: &common::TestApp,
    uri: &str,
    token: &str,
    form: &[(&str, &str)],
) -> common::Answer {
    let csrf = harrier_web::csrf::token(&t.state.secret, NONCE);
    let mut body = url::form_urlencoded::Serializer::new(String::new());
    body.append_pair("csrf", &csrf);
    for (k, v) in form {
        body.append_pair(k, v);
    }
    t.send(
        Request::post(uri)
            .header(
                "cookie",
                format!("harrier_staff={token}; harrier_staff_csrf={NONCE}"),
            )
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body.finish()))
            .unwrap(),
    )
    .await
}

async fn console_get(t: &common::TestApp, uri: &str, token: &str) -> common::Answer {
    t.send(
        Request::get(uri)
            .header("cookie", format!("harrier_staff={token}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn the_console_previews_then_takes_a_decision_and_a_reviewer_decides_the_appeal() {
    let t = common::test_app();
    let intake = t.token("ines", Role::Intake).await;
    let moderator = t.token("mo", Role::Moderator).await;
    let reviewer = t.token("rev", Role::Reviewer).await;
    let case = t.triaged_case(&intake).await;
    t.store
        .add_provider("examplenet", t.state.clock.now())
        .await
        .unwrap();

    let form = console_get(
        &t,
        &format!("/staff/cases/{case}/decide?lang=en"),
        &moderator,
    )
    .await;
    assert_eq!(form.status, 200);
    assert!(
        form.text().contains("value=\"article_16\" selected"),
        "the source comes from the case"
    );
    let fields = [
        ("ground", "illegal_content"),
        ("legal_ground", "Criminal Law Art. 347"),
        ("explanation", "Offers methamphetamine."),
        ("visibility", "removed"),
        ("visibility", "labelled"),
        ("facts", "Posts with prices <b>per gram</b>."),
        ("notice_language", "en"),
        ("order_provider", "examplenet"),
        ("order_action", "remove"),
        ("order_legal_basis", "DSA Art. 9"),
    ];
    let missing = console_post(
        &t,
        &format!("/staff/cases/{case}/decide?lang=en"),
        &moderator,
        &fields[..2],
    )
    .await;
    assert_eq!(missing.status, 422);
    assert!(
        missing.text().contains("data-field=\"facts\""),
        "{}",
        missing.text()
    );
    assert!(missing.text().contains("data-field=\"restrictions\""));

    let mut preview = fields.to_vec();
    preview.push(("action", "preview"));
    let previewed = console_post(
        &t,
        &format!("/staff/cases/{case}/decide?lang=en"),
        &moderator,
        &preview,
    )
    .await;
    assert_eq!(previewed.status, 200, "{}", previewed.text());
    let html = previewed.text();
    assert!(html.contains("id=\"notice-preview\""));
    assert!(html.contains("content removed; content labelled"), "{html}");
    assert!(
        html.contains("&#60;b&#62;per gram"),
        "the facts are escaped in the preview"
    );
    assert!(html.contains("id=\"confirm-decision\""));
    assert!(
        t.store
            .decisions_since(time::OffsetDateTime::UNIX_EPOCH, 0, 10)
            .await
            .unwrap()
            .is_empty()
    );

    let mut confirm = fields.to_vec();
    confirm.push(("action", "confirm"));
    let taken = console_post(
        &t,
        &format!("/staff/cases/{case}/decide"),
        &moderator,
        &confirm,
    )
    .await;
    assert_eq!(taken.status, 303, "{}", taken.text());
    let page = console_get(&t, &format!("/staff/cases/{case}?lang=en"), &moderator)
        .await
        .text();
    assert!(page.contains("class=\"decision\""), "{page}");
    assert!(page.contains("visibility:labelled"));
    assert!(page.contains("examplenet"));
    let decision = &t
        .store
        .decisions_since(time::OffsetDateTime::UNIX_EPOCH, 0, 10)
        .await
        .unwrap()[0];

    t.store
        .file_appeal(
            NewAppeal {
                code: decision.appeal_code.clone(),
                explanation: "<script>alert(1)</script> it was satire".into(),
                contact_email: Some("me@example.org".into()),
                language: "en".into(),
                files: vec![],
            },
            t.state.clock.now(),
        )
        .await
        .unwrap();
    let queue = console_get(&t, "/staff/appeals?lang=en", &reviewer)
        .await
        .text();
    assert!(
        queue.contains("class=\"appeal-row\" data-state=\"open\""),
        "{queue}"
    );
    let appeal = t
        .store
        .appeals(&harrier_core::decisions::AppealQuery {
            open_only: true,
            limit: 10,
        })
        .await
        .unwrap()[0]
        .id;
    let own = console_get(&t, &format!("/staff/appeals/{appeal}?lang=en"), &moderator)
        .await
        .text();
    assert!(
        !own.contains("id=\"review-form\""),
        "a moderator does not review"
    );
    let shown = console_get(&t, &format!("/staff/appeals/{appeal}?lang=en"), &reviewer)
        .await
        .text();
    assert!(shown.contains("id=\"review-form\""));
    assert!(shown.contains("&#60;script&#62;"));

    let modified = console_post(
        &t,
        &format!("/staff/appeals/{appeal}/review"),
        &reviewer,
        &[
            ("outcome", "modify"),
            ("reasons", "Labelling is enough."),
            ("visibility", "labelled"),
        ],
    )
    .await;
    assert_eq!(modified.status, 303, "{}", modified.text());
    let after = t.store.decision(decision.id).await.unwrap().unwrap();
    assert_eq!(after.decision.state.as_str(), "modified");
    let new = t
        .store
        .decision(after.decision.superseded_by.unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        new.decision.statement.restrictions.labels(),
        vec!["visibility:labelled"]
    );
    assert_eq!(new.orders[0].action.as_str(), "amend");
    assert!(
        after
            .notices
            .iter()
            .any(|n| n.kind == "appeal_modified" && n.channel == "email")
    );
}

#[tokio::test]
async fn a_dead_letter_is_listed_in_the_console_and_delivered_again_with_its_id() {
    use harrier_core::audit::Actor;
    use harrier_core::orders::delivery::{Attempt, DeliveryStore};
    let t = common::test_app();
    let intake = t.token("ines", Role::Intake).await;
    let moderator = t.token("mo", Role::Moderator).await;
    let analyst = t.token("ana", Role::Analyst).await;
    let case = t.triaged_case(&intake).await;
    let now = t.state.clock.now();
    let provider = t.store.add_provider("examplenet", now).await.unwrap();
    t.store
        .set_webhook(
            provider.id,
            "https://provider.example/hook",
            "sealed",
            Actor::System("test"),
            now,
        )
        .await
        .unwrap();
    let taken = send(
        &t,
        "POST",
        &format!("/api/v1/cases/{case}/decisions"),
        &moderator,
        decision_body(),
    )
    .await;
    assert_eq!(taken.status, 201, "{}", taken.text());
    let order = taken.json()["decision"]["orders"][0]["id"]
        .as_i64()
        .unwrap();
    let claimed = t
        .store
        .claim_deliveries(10, time::Duration::minutes(1), now)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    let gave_up = Attempt::Failed {
        status: Some(503),
        error: "<b>down</b>".into(),
        retry_at: None,
    };
    assert!(
        t.store
            .record_attempt(order, gave_up, now, now)
            .await
            .unwrap()
    );

    let list = console_get(&t, "/staff/orders?lang=en", &moderator)
        .await
        .text();
    assert!(list.contains(&format!("data-dead=\"{order}\"")), "{list}");
    assert!(list.contains("&#60;b&#62;down"), "the error is text");
    let page = console_get(&t, &format!("/staff/orders/{order}?lang=en"), &moderator)
        .await
        .text();
    assert!(page.contains("id=\"redeliver-form\""));
    let refused = console_post(
        &t,
        &format!("/staff/orders/{order}/redeliver"),
        &analyst,
        &[],
    )
    .await;
    assert_eq!(refused.status, 403, "analysts do not send orders");
    let before = t.store.delivery(order).await.unwrap().unwrap();
    let again = console_post(
        &t,
        &format!("/staff/orders/{order}/redeliver"),
        &moderator,
        &[],
    )
    .await;
    assert_eq!(again.status, 303, "{}", again.text());
    let after = t.store.delivery(order).await.unwrap().unwrap();
    assert_eq!(after.state.as_str(), "pending");
    assert_eq!(
        after.delivery_id, before.delivery_id,
        "the same delivery id"
    );
    let twice = console_post(
        &t,
        &format!("/staff/orders/{order}/redeliver"),
        &moderator,
        &[],
    )
    .await;
    assert_eq!(twice.status, 409, "only a dead delivery is redelivered");
}
