//! Staff security through the JSON API: the TOTP code at login and its
//! replay, admins without a second factor, the lock after failed sign-ins,
//! sessions' idle and absolute limits, and logging out everywhere. Time is
//! moved with a manual clock.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

mod common;

use common::{Answer, TestApp};
use harrier_core::accounts::totp::{self, TotpSecret, step_of};
use harrier_core::accounts::{Role, hash_password};
use harrier_core::clock::{Clock, ManualClock};
use harrier_core::ports::Store;
use std::sync::Arc;
use time::Duration;
use time::macros::datetime;

const PASSWORD: &str = "a-long-enough-password";

/// A test app whose clock the test moves.
fn app() -> (TestApp, Arc<ManualClock>) {
    let mut t = common::test_app();
    let clock = Arc::new(ManualClock::new(datetime!(2026-11-24 10:00:10 UTC)));
    t.state.clock = clock.clone();
    (t, clock)
}

async fn account(t: &TestApp, name: &str, role: Role) -> i64 {
    let hash = hash_password(PASSWORD).unwrap();
    t.store
        .put_staff(name, role, &hash, false, false, t.state.clock.now())
        .await
        .unwrap()
        .id
}

/// Gives the account a confirmed TOTP secret, as enrolment leaves it.
async fn with_totp(t: &TestApp, id: i64) -> TotpSecret {
    let secret = TotpSecret::generate();
    t.store
        .begin_totp(id, &totp::seal(&t.state.secret, id, &secret))
        .await
        .unwrap();
    assert!(t.store.accept_totp_step(id, 1, true).await.unwrap());
    secret
}

async fn login(t: &TestApp, name: &str, password: &str, code: Option<&str>) -> Answer {
    let mut body = serde_json::json!({"name": name, "password": password});
    if let Some(code) = code {
        body["totp"] = code.into();
    }
    t.post_json("/api/v1/auth/login", body.to_string(), &[])
        .await
}

fn token(answer: &Answer) -> String {
    assert_eq!(answer.status, 200, "{}", answer.text());
    answer.json()["token"].as_str().unwrap().to_owned()
}

fn code_now(t: &TestApp, secret: &TotpSecret, steps_ahead: u64) -> String {
    secret.code_at_step(step_of(t.state.clock.now()) + steps_ahead)
}

#[tokio::test]
async fn api_login_asks_for_the_totp_code_and_takes_each_code_once() {
    let (t, _clock) = app();
    let id = account(&t, "ana", Role::Analyst).await;
    let secret = with_totp(&t, id).await;

    let missing = login(&t, "ana", PASSWORD, None).await;
    assert_eq!(
        (missing.status.as_u16(), missing.error_code()),
        (401, "totp_required".into())
    );
    assert_eq!(missing.json()["error"]["field"], "totp");
    let malformed = login(&t, "ana", PASSWORD, Some("12ab56")).await;
    assert_eq!(malformed.error_code(), "totp_invalid");
    assert!(
        malformed.text().contains("6 digits"),
        "{}",
        malformed.text()
    );
    let right = code_now(&t, &secret, 0);
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    assert_eq!(
        login(&t, "ana", PASSWORD, Some(wrong)).await.error_code(),
        "totp_invalid"
    );
    // The right code with the wrong password: the password is checked first.
    let bad_password = login(&t, "ana", "not-the-password", Some(&right)).await;
    assert_eq!(bad_password.error_code(), "invalid_credentials");

    token(&login(&t, "ana", PASSWORD, Some(&right)).await);
    let replay = login(&t, "ana", PASSWORD, Some(&right)).await;
    assert_eq!(replay.error_code(), "totp_invalid");
    assert!(replay.text().contains("used already"), "{}", replay.text());
    // The next step's code is within the drift allowed, and then used up.
    let next = code_now(&t, &secret, 1);
    token(
        &login(
            &t,
            "ana",
            PASSWORD,
            Some(&format!("{} {}", &next[..3], &next[3..])),
        )
        .await,
    );
    assert_eq!(
        login(&t, "ana", PASSWORD, Some(&right)).await.error_code(),
        "totp_invalid",
        "an older step after a newer one"
    );
}

#[tokio::test]
async fn an_admin_without_a_second_factor_gets_no_api_token() {
    let (t, _clock) = app();
    let id = account(&t, "root", Role::Admin).await;
    let refused = login(&t, "root", PASSWORD, None).await;
    assert_eq!(
        (refused.status.as_u16(), refused.error_code()),
        (403, "totp_enrolment_required".into())
    );
    assert!(refused.text().contains("/staff/login"));
    let secret = with_totp(&t, id).await;
    let code = code_now(&t, &secret, 0);
    token(&login(&t, "root", PASSWORD, Some(&code)).await);
}

#[tokio::test]
async fn five_failures_lock_the_account_without_telling_whether_the_password_was_right() {
    let (t, clock) = app();
    account(&t, "ana", Role::Intake).await;
    for _ in 0..4 {
        let wrong = login(&t, "ana", "wrong-password", None).await;
        assert_eq!(wrong.error_code(), "invalid_credentials");
    }
    clock.advance(Duration::minutes(5));
    let fifth = login(&t, "ana", "wrong-password", None).await;
    assert_eq!(
        (fifth.status.as_u16(), fifth.error_code()),
        (423, "account_locked".into())
    );
    assert!(
        fifth.text().contains("until 2026-11-24T10:20:10Z"),
        "{}",
        fifth.text()
    );
    // While locked, the right password gets the very same answer.
    let right_while_locked = login(&t, "ana", PASSWORD, None).await;
    assert_eq!(right_while_locked.status, fifth.status);
    assert_eq!(right_while_locked.body, fifth.body);

    clock.advance(Duration::minutes(15));
    token(&login(&t, "ana", PASSWORD, None).await);
    // The success cleared the count: four more failures do not lock.
    for _ in 0..4 {
        assert_eq!(
            login(&t, "ana", "wrong-password", None).await.error_code(),
            "invalid_credentials"
        );
    }
    token(&login(&t, "ana", PASSWORD, None).await);

    // Unknown names are never locked: the answer stays the same.
    for _ in 0..8 {
        assert_eq!(
            login(&t, "nobody", "whatever-it-is", None)
                .await
                .error_code(),
            "invalid_credentials"
        );
    }
}

#[tokio::test]
async fn wrong_totp_codes_count_towards_the_lock() {
    let (t, _clock) = app();
    let id = account(&t, "ana", Role::Analyst).await;
    let secret = with_totp(&t, id).await;
    let right = code_now(&t, &secret, 0);
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    for _ in 0..4 {
        assert_eq!(
            login(&t, "ana", PASSWORD, Some(wrong)).await.error_code(),
            "totp_invalid"
        );
    }
    assert_eq!(
        login(&t, "ana", PASSWORD, Some(wrong)).await.error_code(),
        "account_locked"
    );
    assert_eq!(
        login(&t, "ana", PASSWORD, Some(&right)).await.error_code(),
        "account_locked"
    );
}

#[tokio::test]
async fn sessions_end_when_idle_and_at_the_absolute_limit() {
    let (t, clock) = app();
    account(&t, "ana", Role::Intake).await;
    let idle = token(&login(&t, "ana", PASSWORD, None).await);
    let busy = token(&login(&t, "ana", PASSWORD, None).await);
    let reports = |token: String| {
        let t = &t;
        async move { t.get_as("/api/v1/reports", &token).await.status.as_u16() }
    };
    // `busy` is used every 25 minutes; `idle` is not used after the start.
    assert_eq!(reports(idle.clone()).await, 200);
    for _ in 0..28 {
        clock.advance(Duration::minutes(25));
        assert_eq!(reports(busy.clone()).await, 200, "at {}", clock.now());
    }
    assert_eq!(reports(idle).await, 401, "idle for more than 30 minutes");
    // 11 h 40 min after sign-in: one more use is fine, the 12-hour mark is not.
    clock.advance(Duration::minutes(19));
    assert_eq!(reports(busy.clone()).await, 200);
    clock.advance(Duration::minutes(1));
    assert_eq!(
        reports(busy).await,
        401,
        "the absolute limit (server.token_hours)"
    );
}

#[tokio::test]
async fn logout_all_ends_every_session_of_the_account_and_no_other() {
    let (t, _clock) = app();
    account(&t, "ana", Role::Intake).await;
    account(&t, "bo", Role::Intake).await;
    let first = token(&login(&t, "ana", PASSWORD, None).await);
    let second = token(&login(&t, "ana", PASSWORD, None).await);
    let other = token(&login(&t, "bo", PASSWORD, None).await);

    let unauthenticated = t.post_json("/api/v1/auth/logout-all", "", &[]).await;
    assert_eq!(unauthenticated.status, 401);
    let bearer = format!("Bearer {first}");
    let ended = t
        .post_json("/api/v1/auth/logout-all", "", &[("authorization", &bearer)])
        .await;
    assert_eq!(ended.status, 200, "{}", ended.text());
    assert_eq!(ended.json()["ended"], 2);
    assert_eq!(t.get_as("/api/v1/reports", &first).await.status, 401);
    assert_eq!(t.get_as("/api/v1/reports", &second).await.status, 401);
    assert_eq!(t.get_as("/api/v1/reports", &other).await.status, 200);
}

#[tokio::test]
async fn the_openapi_document_describes_the_new_answers() {
    let (t, _clock) = app();
    let doc = t.get("/api/openapi.json").await.json();
    let login = &doc["paths"]["/api/v1/auth/login"]["post"];
    assert!(login["responses"]["423"].is_object());
    assert!(
        login["responses"]["401"]["description"]
            .as_str()
            .unwrap()
            .contains("totp_required")
    );
    let schema = &doc["components"]["schemas"]["LoginRequest"]["properties"];
    assert!(schema["totp"].is_object());
    assert!(doc["paths"]["/api/v1/auth/logout-all"]["post"].is_object());
}
