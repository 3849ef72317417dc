//! `GET /api/v1/decisions/export`: decisions taken through the API come
//! back, a page at a time, as statements of reasons that pass the DSA
//! Transparency Database schema kept in `schemas/`; without the
//! permission the answer is 403, with a bad query 400 naming the field.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

mod common;

use harrier_core::accounts::Role;
use serde_json::{Value, json};

const SCHEMA: &str = include_str!("../../../schemas/dsa-statement-of-reasons.schema.json");

fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(SCHEMA).unwrap();
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

async fn post(t: &common::TestApp, uri: &str, token: &str, body: Value) -> common::Answer {
    t.send_json("POST", uri, token, body).await
}

async fn decide(t: &common::TestApp, case: i64, token: &str, statement: Value) -> Value {
    let taken = post(
        t,
        &format!("/api/v1/cases/{case}/decisions"),
        token,
        json!({"statement": statement, "notice_language": "en"}),
    )
    .await;
    assert_eq!(taken.status, 201, "{}", taken.text());
    taken.json()["decision"]["decision"].clone()
}

#[tokio::test]
async fn decisions_come_back_as_statements_of_reasons_that_pass_the_schema() {
    let t = common::test_app();
    let intake = t.token("ines", Role::Intake).await;
    let moderator = t.token("mo", Role::Moderator).await;
    let auditor = t.token("aud", Role::Auditor).await;
    let case = t.triaged_case(&intake).await;

    let first = decide(
        &t,
        case,
        &moderator,
        json!({
            "ground": "illegal_content",
            "legal_ground": "Criminal Law Art. 347",
            "explanation": "The account offers methamphetamine for sale.",
            "visibility": ["removed"],
            "account": "suspended",
            "end_date": "2027-05-24",
            "facts": "Three posts between 18 and 20 November offer 冰 with prices per gram.",
            "content_language": "zh"
        }),
    )
    .await;
    let second = decide(
        &t,
        case,
        &moderator,
        json!({
            "ground": "incompatible_content",
            "terms_clause": "Community rules §3",
            "explanation": "Selling regulated goods is not allowed.",
            "also_illegal": true,
            "dsa_keywords": ["KEYWORD_OTHER"],
            "dsa_keyword_other": "sale arranged through a private group",
            "visibility": ["other"],
            "visibility_other": "hidden from search",
            "monetary": "suspension",
            "content_type": ["text", "other"],
            "content_type_other": "sticker",
            "facts": "The same account again, in a second group."
        }),
    )
    .await;
    // Restricted only outside the EEA: not a DSA statement, left out.
    decide(
        &t,
        case,
        &moderator,
        json!({
            "ground": "illegal_content",
            "legal_ground": "Criminal Law Art. 347",
            "explanation": "Offers drugs.",
            "visibility": ["disabled"],
            "territorial_scope": ["CN"],
            "facts": "Geo-blocked where it is illegal."
        }),
    )
    .await;

    let v = validator();
    let page1 = t
        .get_as(
            "/api/v1/decisions/export?since=2026-11-24&limit=2",
            &auditor,
        )
        .await;
    assert_eq!(page1.status, 200, "{}", page1.text());
    let body1 = page1.json();
    let statements1 = body1["statements"].as_array().unwrap();
    assert_eq!(statements1.len(), 2);
    assert_eq!(body1["next_after"], second["id"]);
    for s in statements1 {
        let errors: Vec<String> = v.iter_errors(s).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:#?}\n{s:#}");
    }
    assert_eq!(statements1[0]["puid"], first["puid"]);
    assert_eq!(
        statements1[0]["decision_ground"],
        "DECISION_GROUND_ILLEGAL_CONTENT"
    );
    assert_eq!(statements1[0]["source_type"], "SOURCE_ARTICLE_16");
    assert_eq!(statements1[0]["content_language"], "ZH");
    assert_eq!(statements1[0]["end_date_account_restriction"], "2027-05-24");
    assert_eq!(
        statements1[0]["territorial_scope"]
            .as_array()
            .unwrap()
            .len(),
        30
    );
    assert_eq!(statements1[1]["puid"], second["puid"]);
    assert_eq!(
        statements1[1]["category_specification"],
        json!(["KEYWORD_OTHER"])
    );
    assert_eq!(statements1[1]["incompatible_content_illegal"], "Yes");
    let text = page1.text();
    assert!(
        !text.contains("Li Wei") && !text.contains("li.wei@example.org"),
        "no notifier's name or address in the export: {text}"
    );

    let page2 = t
        .get_as(
            &format!(
                "/api/v1/decisions/export?since=2026-11-24&limit=2&after={}",
                second["id"]
            ),
            &auditor,
        )
        .await;
    assert_eq!(page2.status, 200, "{}", page2.text());
    assert_eq!(page2.json(), json!({"statements": [], "next_after": null}));

    let later = t
        .get_as("/api/v1/decisions/export?since=2026-11-25", &auditor)
        .await;
    assert_eq!(later.json()["statements"], json!([]));
}

#[tokio::test]
async fn the_export_needs_its_permission_and_a_good_query() {
    let t = common::test_app();
    let intake = t.token("ines", Role::Intake).await;
    let analyst = t.token("ana", Role::Analyst).await;
    let reviewer = t.token("rev", Role::Reviewer).await;
    let uri = "/api/v1/decisions/export?since=2026-11-01";
    assert_eq!(t.get(uri).await.status, 401);
    for token in [&intake, &analyst] {
        let refused = t.get_as(uri, token).await;
        assert_eq!(refused.status, 403, "{}", refused.text());
    }
    assert_eq!(t.get_as(uri, &reviewer).await.status, 200);

    for (query, field, named) in [
        ("since=01.11.2026", "since", "01.11.2026"),
        ("since=2026-02-30", "since", "2026-02-30"),
        ("since=2026-11-01&limit=5001", "limit", "5001"),
        ("since=2026-11-01&limit=0", "limit", "0"),
        ("since=2026-11-01&after=-1", "after", "-1"),
    ] {
        let bad = t
            .get_as(&format!("/api/v1/decisions/export?{query}"), &reviewer)
            .await;
        assert_eq!(bad.status, 400, "{query}: {}", bad.text());
        assert_eq!(
            bad.json()["error"]["field"],
            field,
            "{query}: {}",
            bad.text()
        );
        assert!(bad.text().contains(named), "{query}: {}", bad.text());
    }
    let missing = t.get_as("/api/v1/decisions/export", &reviewer).await;
    assert_eq!(missing.status, 400, "{}", missing.text());
}
