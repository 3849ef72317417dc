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
    t.send(
        Request::builder()
            .method(method)
            .uri(uri)
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await
}

/// A tip-off triaged into a case; returns the case id.
async fn case(t: &common::TestApp, intake: &str) -> i64 {
    let filed = t
        .post_json(
            "/api/v1/reports",
            common::report_json("https://example.test/p/1"),
            &[],
        )
        .await;
    assert_eq!(filed.status, 201, "{}", filed.text());
    let report = t.get_as("/api/v1/reports", intake).await.json()["reports"][0]["id"]
        .as_i64()
        .unwrap();
    let triaged = send(
        t,
        "POST",
        &format!("/api/v1/reports/{report}/triage"),
        intake,
        json!({}),
    )
    .await;
    assert_eq!(triaged.status, 200, "{}", triaged.text());
    triaged.json()["case_id"].as_i64().unwrap()
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
    let case = case(&t, &intake).await;
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

    let case = case(&t, &intake).await;
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
