//! The intake and staff API through the real router and a real SQLite file.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

mod common;

use common::{report_json, test_app};
use harrier_core::accounts::Role;

#[tokio::test]
async fn a_report_is_stored_acknowledged_and_readable_by_staff() {
    let t = test_app();
    let answer = t
        .post_json(
            "/api/v1/reports",
            report_json("https://example.test/p/1"),
            &[],
        )
        .await;
    assert_eq!(answer.status, 201, "{}", answer.text());
    let receipt = answer.json();
    let code = receipt["receipt"].as_str().unwrap().to_owned();
    assert_eq!(code.replace('-', "").len(), 20);
    assert_eq!(receipt["status"], "received");
    assert_eq!(t.report_count().await, 1);

    let page = t.get(&format!("/r/{code}?lang=en")).await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains(">Received<"), "{}", page.text());
    assert!(
        !page.text().contains("Li Wei"),
        "the status page shows no personal data"
    );

    let intake = t.token("ana", Role::Intake).await;
    let analyst = t.token("bo", Role::Analyst).await;
    let list = t.get_as("/api/v1/reports", &intake).await.json();
    let report = &list["reports"][0];
    assert_eq!(report["channel"], "api");
    assert_eq!(report["contact"]["email"], "li.wei@example.org");
    assert_eq!(report["locations"][1]["subject"]["kind"], "account");
    let id = report["id"].as_i64().unwrap();

    let seen_by_analyst = t
        .get_as(&format!("/api/v1/reports/{id}"), &analyst)
        .await
        .json();
    assert_eq!(seen_by_analyst["has_contact"], true);
    assert!(
        seen_by_analyst.get("contact").is_none(),
        "only intake sees reporters: {seen_by_analyst}"
    );
}

#[tokio::test]
async fn staff_reads_need_a_valid_token() {
    let t = test_app();
    assert_eq!(t.get("/api/v1/reports").await.error_code(), "unauthorized");
    assert_eq!(t.get_as("/api/v1/reports", "hst_forged").await.status, 401);
    let auditor = t.token("au", Role::Auditor).await;
    assert_eq!(t.get_as("/api/v1/reports/999", &auditor).await.status, 404);
    let bad = t.get_as("/api/v1/reports?status=lost", &auditor).await;
    assert_eq!(
        (bad.status.as_u16(), bad.error_code().as_str()),
        (400, "invalid_query")
    );
}

#[tokio::test]
async fn reports_of_one_target_fold_into_one_subject() {
    let t = test_app();
    let variants = [
        "https://example.test/p/7",
        "http://www.example.test/p/7/",
        "EXAMPLE.test/p/7?utm_source=wechat",
        "https://example.test/p/7#comments",
    ];
    for i in 0..100 {
        let body = report_json(variants[i % variants.len()]);
        assert_eq!(t.post_json("/api/v1/reports", body, &[]).await.status, 201);
    }
    let staff = t.token("ana", Role::Moderator).await;
    let subjects = t.get_as("/api/v1/subjects?kind=url", &staff).await.json();
    let subjects = subjects["subjects"].as_array().unwrap();
    assert_eq!(subjects.len(), 1, "{subjects:?}");
    assert_eq!(subjects[0]["report_count"], 100);
    assert_eq!(subjects[0]["key"], "https://example.test/p/7");
}

#[tokio::test]
async fn an_idempotent_retry_returns_the_same_receipt_and_stores_nothing_twice() {
    let t = test_app();
    let body = report_json("https://example.test/p/2");
    let key = [("idempotency-key", "3f1c-retry-me")];
    let first = t.post_json("/api/v1/reports", body.clone(), &key).await;
    let second = t.post_json("/api/v1/reports", body.clone(), &key).await;
    assert_eq!(first.status, 201);
    assert_eq!(second.status, 200);
    assert_eq!(first.json()["receipt"], second.json()["receipt"]);
    assert_eq!(second.json()["replayed"], true);
    let reused = t
        .post_json(
            "/api/v1/reports",
            report_json("https://example.test/other"),
            &key,
        )
        .await;
    assert_eq!(
        (reused.status.as_u16(), reused.error_code().as_str()),
        (422, "idempotency_key_reused")
    );
    assert_eq!(t.report_count().await, 1);
}

#[tokio::test]
async fn bad_input_gets_a_clear_code_and_stores_nothing() {
    let t = test_app();
    let good: serde_json::Value =
        serde_json::from_str(&report_json("https://example.test/p/3")).unwrap();
    let with = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut v = good.clone();
        f(&mut v);
        v.to_string()
    };
    let cases: Vec<(Vec<u8>, u16, &str)> = vec![
        (vec![b' '; 300 * 1024], 413, "body_too_large"),
        (
            b"{\"category\": \"drugs\xff\"}".to_vec(),
            400,
            "invalid_utf8",
        ),
        (b"{\"category\": ".to_vec(), 400, "invalid_json"),
        (
            with(&|v| {
                v.as_object_mut().unwrap().remove("explanation");
            })
            .into_bytes(),
            400,
            "missing_field",
        ),
        (
            with(&|v| v["surprise"] = 1.into()).into_bytes(),
            400,
            "unknown_field",
        ),
        (
            with(&|v| v["platform"] = "x".repeat(10_000).into()).into_bytes(),
            422,
            "field_too_long",
        ),
        (
            with(&|v| v["explanation"] = "y".repeat(10_001).into()).into_bytes(),
            422,
            "field_too_long",
        ),
        (
            with(&|v| v["good_faith"] = false.into()).into_bytes(),
            422,
            "good_faith_required",
        ),
        (
            with(&|v| v["category"] = "rumours".into()).into_bytes(),
            422,
            "unknown_category",
        ),
        (
            with(&|v| v["locations"] = serde_json::json!([])).into_bytes(),
            422,
            "location_required",
        ),
        (
            with(&|v| v["locations"][0]["kind"] = "email".into()).into_bytes(),
            422,
            "invalid_location",
        ),
        (
            with(&|v| v["locations"][0]["value"] = "javascript:alert(1)".into()).into_bytes(),
            422,
            "invalid_location",
        ),
        (
            with(&|v| v["occurred_at"] = "yesterday".into()).into_bytes(),
            422,
            "invalid_date",
        ),
        (
            with(&|v| v["notifier"]["email"] = "not-an-address".into()).into_bytes(),
            422,
            "invalid_email",
        ),
    ];
    for (body, status, code) in cases {
        let answer = t.post_json("/api/v1/reports", body, &[]).await;
        assert_eq!(answer.status.as_u16(), status, "{code}: {}", answer.text());
        assert_eq!(answer.error_code(), code, "{}", answer.text());
        let message = answer.json()["error"]["message"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            message.len() > 10,
            "a message a person understands: {message}"
        );
    }
    assert_eq!(t.report_count().await, 0, "nothing is half-stored");
}

#[tokio::test]
async fn login_with_a_one_time_password_requires_a_new_one() {
    let t = test_app();
    let hash = harrier_core::accounts::hash_password("one-time-pass-123").unwrap();
    use harrier_core::ports::Store;
    t.store
        .put_staff(
            "lin",
            Role::Intake,
            &hash,
            true,
            false,
            time::macros::datetime!(2026-11-24 09:00 UTC),
        )
        .await
        .unwrap();
    let login = |body: serde_json::Value| t.post_json("/api/v1/auth/login", body.to_string(), &[]);
    let wrong = login(serde_json::json!({"name": "lin", "password": "nope"})).await;
    assert_eq!(wrong.error_code(), "invalid_credentials");
    let nobody = login(serde_json::json!({"name": "ghost", "password": "nope"})).await;
    assert_eq!(nobody.error_code(), "invalid_credentials");
    let must_change =
        login(serde_json::json!({"name": "lin", "password": "one-time-pass-123"})).await;
    assert_eq!(
        (
            must_change.status.as_u16(),
            must_change.error_code().as_str()
        ),
        (403, "password_change_required")
    );
    let weak = login(serde_json::json!({"name": "lin", "password": "one-time-pass-123", "new_password": "short"})).await;
    assert_eq!(weak.error_code(), "weak_password");
    let ok = login(serde_json::json!({"name": "lin", "password": "one-time-pass-123", "new_password": "a much longer secret"})).await;
    assert_eq!(ok.status, 200, "{}", ok.text());
    let token = ok.json()["token"].as_str().unwrap().to_owned();
    assert_eq!(t.get_as("/api/v1/reports", &token).await.status, 200);
    let again = login(serde_json::json!({"name": "lin", "password": "a much longer secret"})).await;
    assert_eq!(
        again.status, 200,
        "the new password works without another change"
    );
}

#[tokio::test]
async fn phone_reports_are_logged_by_intake_staff_only() {
    let t = test_app();
    let body = report_json("https://example.test/p/9");
    let anonymous = t
        .post_json("/api/v1/reports/phone", body.clone(), &[])
        .await;
    assert_eq!(anonymous.status, 401);
    let analyst = t.token("an", Role::Analyst).await;
    let refused = t
        .post_json(
            "/api/v1/reports/phone",
            body.clone(),
            &[("authorization", &format!("Bearer {analyst}"))],
        )
        .await;
    assert_eq!(refused.error_code(), "forbidden");
    let intake = t.token("in", Role::Intake).await;
    let logged = t
        .post_json(
            "/api/v1/reports/phone",
            body,
            &[("authorization", &format!("Bearer {intake}"))],
        )
        .await;
    assert_eq!(logged.status, 201, "{}", logged.text());
    let list = t
        .get_as("/api/v1/reports?channel=phone", &intake)
        .await
        .json();
    assert_eq!(list["reports"][0]["logged_by"], "in");
}

#[tokio::test]
async fn every_permission_is_checked_for_every_role() {
    use harrier_web::auth::{PERMISSIONS, Permission, allowed};
    for (permission, _) in PERMISSIONS {
        for role in Role::ALL {
            let expected = match permission {
                Permission::ReadReports => true,
                Permission::LogPhoneReport => matches!(role, Role::Admin | Role::Intake),
                Permission::ManageProviders | Permission::ReloadRules => role == Role::Admin,
                // Not intake (reporter-facing) nor reviewer (appeals).
                Permission::ReadPatrol => !matches!(role, Role::Intake | Role::Reviewer),
                Permission::ReadCases => true,
                // Intake triages tip-offs; the reviewer and auditor do not.
                Permission::TriageReports => !matches!(role, Role::Reviewer | Role::Auditor),
                // Only the auditor never moves a case.
                Permission::MoveCases => role != Role::Auditor,
                Permission::AssignCases | Permission::AddEvidence | Permission::ExportEvidence => {
                    matches!(role, Role::Admin | Role::Analyst | Role::Moderator)
                }
                Permission::ReadAudit => matches!(role, Role::Admin | Role::Auditor),
                Permission::OwnAccount => true,
                // Decisions are the moderators'; appeals go to someone else.
                Permission::TakeDecisions | Permission::SendOrders => {
                    matches!(role, Role::Admin | Role::Moderator)
                }
                Permission::ReviewAppeals => matches!(role, Role::Admin | Role::Reviewer),
                Permission::ManageTemplates => role == Role::Admin,
                Permission::ExportStatements => !matches!(role, Role::Intake | Role::Analyst),
                Permission::ReadOrders => true,
            };
            assert_eq!(
                allowed(permission, role),
                expected,
                "{permission:?} {role:?}"
            );
        }
    }
}

#[tokio::test]
async fn the_rate_limit_refuses_a_flood_from_one_address() {
    let t = common::test_app_with(harrier_web::LimitsConfig {
        enabled: true,
        per_address_per_minute: 3,
        global_per_second: 100,
    });
    let mut codes = Vec::new();
    for i in 0..5 {
        let answer = t
            .post_json(
                "/api/v1/reports",
                report_json(&format!("https://example.test/{i}")),
                &[],
            )
            .await;
        codes.push(answer.status.as_u16());
    }
    assert_eq!(codes, vec![201, 201, 201, 429, 429]);
    assert_eq!(t.report_count().await, 3);
}

#[tokio::test]
async fn operations_endpoints_answer() {
    let t = test_app();
    assert_eq!(t.get("/healthz").await.json()["status"], "ok");
    t.post_json(
        "/api/v1/reports",
        report_json("https://example.test/m"),
        &[],
    )
    .await;
    let metrics = t.get("/metrics").await;
    assert!(
        metrics.text().contains("harrier_reports_stored_total"),
        "{}",
        metrics.text()
    );
    let doc = t.get("/api/openapi.json").await.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/api/v1/reports",
        "/api/v1/reports/phone",
        "/api/v1/reports/{id}",
        "/api/v1/subjects",
        "/api/v1/categories",
        "/api/v1/auth/login",
        "/healthz",
        "/metrics",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from the OpenAPI document"
        );
    }
    let categories = t.get("/api/v1/categories").await.json();
    assert_eq!(categories.as_array().unwrap().len(), 12);
}
