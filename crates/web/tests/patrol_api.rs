//! The feed and patrol API through the real router and a real SQLite file:
//! provider keys and scopes, per-item errors, idempotent items, the
//! batch limits.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

mod common;

use harrier_core::accounts::Role;
use harrier_core::patrol::PatrolStore;

/// An admin creates a provider over the API; the answer holds its key.
async fn provider_key(t: &common::TestApp, name: &str, scopes: &str) -> String {
    let admin = t.token(&format!("admin-{name}"), Role::Admin).await;
    let created = t
        .post_json(
            "/api/v1/providers",
            format!(r#"{{"name":"{name}","scopes":"{scopes}"}}"#),
            &[("authorization", &format!("Bearer {admin}"))],
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    created.json()["key"].as_str().unwrap().to_owned()
}

async fn push(t: &common::TestApp, key: &str, body: &str) -> common::Answer {
    t.post_json(
        "/api/v1/items",
        body.to_owned(),
        &[("authorization", &format!("Bearer {key}"))],
    )
    .await
}

#[tokio::test]
async fn good_items_are_stored_and_bad_ones_refused_by_index() {
    let t = common::test_app();
    let key = provider_key(&t, "weibo", "feed").await;
    let answer = push(
        &t,
        &key,
        r#"{"items":[
            {"id":"1","kind":"post","account":"s1","text":"出冰 加微信 bing_88"},
            {"id":"2","kind":"tweet","text":"x"},
            {"id":"3","kind":"room_join","account":"u"},
            {"id":4,"kind":"post"},
            {"id":"5","kind":"room_join","room":"r1","account":"u","inviter":"s1"},
            {"id":"6","kind":"post","colour":"red"}
        ]}"#,
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    let body = answer.json();
    assert_eq!(body["accepted"], 2);
    assert_eq!(body["rejected"], 4);
    let results = body["results"].as_array().unwrap();
    assert_eq!(results[1]["error"]["field"], "kind");
    assert_eq!(results[2]["error"]["field"], "room");
    assert_eq!(results[3]["error"]["code"], "invalid_item");
    assert!(
        results[5]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("colour"),
        "{}",
        results[5]
    );
    assert_eq!(results[4]["status"], "accepted");

    // Sending the same ids again changes nothing.
    let again = push(
        &t,
        &key,
        r#"{"items":[{"id":"1","kind":"post","text":"other"}]}"#,
    )
    .await;
    assert_eq!(again.json()["duplicates"], 1);
    let status = t
        .store
        .patrol_status(time::OffsetDateTime::UNIX_EPOCH)
        .await
        .unwrap();
    assert_eq!(status.items, 2);
    assert_eq!(status.queued, 2);
}

#[tokio::test]
async fn keys_need_the_feed_scope_and_stop_working_when_revoked() {
    let t = common::test_app();
    let orders_only = provider_key(&t, "courier", "orders").await;
    let refused = push(&t, &orders_only, r#"{"items":[]}"#).await;
    assert_eq!(refused.status, 403);
    assert_eq!(refused.error_code(), "missing_scope");

    let unknown = push(&t, "hk_nope_nope", r#"{"items":[]}"#).await;
    assert_eq!(unknown.status, 401);
    let staff_token = t.token("mod", Role::Moderator).await;
    assert_eq!(push(&t, &staff_token, r#"{"items":[]}"#).await.status, 401);

    let key = provider_key(&t, "qq", "feed").await;
    assert_eq!(push(&t, &key, r#"{"items":[]}"#).await.status, 200);
    let prefix = key.split('_').nth(1).unwrap();
    let admin = t.token("root", Role::Admin).await;
    let revoked = t
        .send(
            axum::http::Request::delete(format!("/api/v1/provider-keys/{prefix}"))
                .header("authorization", format!("Bearer {admin}"))
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(revoked.status, 204, "{}", revoked.text());
    assert_eq!(push(&t, &key, r#"{"items":[]}"#).await.status, 401);
}

#[tokio::test]
async fn batches_over_the_limits_are_refused_whole() {
    let t = common::test_app();
    let key = provider_key(&t, "douyin", "feed").await;
    let many: Vec<String> = (0..1001)
        .map(|i| format!(r#"{{"id":"{i}","kind":"post"}}"#))
        .collect();
    let too_many = push(&t, &key, &format!(r#"{{"items":[{}]}}"#, many.join(","))).await;
    assert_eq!(too_many.status, 400);
    assert_eq!(too_many.error_code(), "batch_too_large");

    // Over 256 KiB (the API's usual cap) but under 5 MiB: accepted.
    let text = "好".repeat(60_000);
    let big: Vec<String> = (0..4)
        .map(|i| format!(r#"{{"id":"b{i}","kind":"post","text":"{text}"}}"#))
        .collect();
    let ok = push(&t, &key, &format!(r#"{{"items":[{}]}}"#, big.join(","))).await;
    assert_eq!(ok.status, 200, "{}", ok.text());
    assert_eq!(ok.json()["accepted"], 4);
    assert_eq!(ok.json()["results"][0]["truncated"], true);

    let huge = format!(
        r#"{{"items":[{{"id":"h","kind":"post","text":"{}"}}]}}"#,
        "a".repeat(6 * 1024 * 1024)
    );
    let refused = push(&t, &key, &huge).await;
    assert_eq!(refused.status, 413);
    assert_eq!(
        t.store
            .patrol_status(time::OffsetDateTime::UNIX_EPOCH)
            .await
            .unwrap()
            .items,
        4
    );

    let not_json = push(&t, &key, "{items: nope").await;
    assert_eq!(not_json.status, 400);
}

#[tokio::test]
async fn only_admins_manage_providers_and_reload_without_a_patrol_says_so() {
    let t = common::test_app();
    let analyst = t.token("ann", Role::Analyst).await;
    let refused = t
        .post_json(
            "/api/v1/providers",
            r#"{"name":"x"}"#,
            &[("authorization", &format!("Bearer {analyst}"))],
        )
        .await;
    assert_eq!(refused.status, 403);
    let status = t.get_as("/api/v1/patrol/status", &analyst).await;
    assert_eq!(status.status, 200, "{}", status.text());
    assert_eq!(status.json()["queued"], 0);

    let admin = t.token("root", Role::Admin).await;
    let bad = t
        .post_json(
            "/api/v1/providers",
            r#"{"name":"<script>"}"#,
            &[("authorization", &format!("Bearer {admin}"))],
        )
        .await;
    assert_eq!(bad.status, 422);
    let reload = t
        .post_json(
            "/api/v1/rules/reload",
            "",
            &[("authorization", &format!("Bearer {admin}"))],
        )
        .await;
    assert_eq!(reload.status, 503);
}
