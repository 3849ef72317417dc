//! The staff console through the real router: sign-in with CSRF and the
//! one-time password change, the session cookie, the patrol page by role,
//! sign-out.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

mod common;

use axum::body::Body;
use axum::http::Request;
use common::{Answer, TestApp};
use harrier_core::accounts::{Role, hash_password};
use harrier_core::ports::Store;
use time::macros::datetime;

fn set_cookie(answer: &Answer, name: &str) -> Option<String> {
    answer
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

/// The console's CSRF cookie and the form's token.
async fn login_tokens(t: &TestApp) -> (String, String) {
    let page = t.get("/staff/login?lang=en").await;
    assert_eq!(page.status, 200);
    // The choice of language is remembered, as on the portal.
    assert!(set_cookie(&page, "lang").is_some_and(|c| c.starts_with("lang=en")));
    let cookie = set_cookie(&page, "harrier_staff_csrf")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let token = page
        .text()
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    (cookie, token)
}

async fn post_form(t: &TestApp, uri: &str, cookie: &str, body: String) -> Answer {
    t.send(
        Request::post(uri)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", cookie)
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

async fn get_with(t: &TestApp, uri: &str, cookie: &str) -> Answer {
    t.send(
        Request::get(uri)
            .header("cookie", cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

async fn staff(t: &TestApp, name: &str, role: Role, password: &str, must_change: bool) {
    let hash = hash_password(password).unwrap();
    t.store
        .put_staff(
            name,
            role,
            &hash,
            must_change,
            false,
            datetime!(2026-11-24 09:00 UTC),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn sign_in_changes_the_one_time_password_and_opens_the_patrol_page() {
    let t = common::test_app();
    staff(&t, "ada", Role::Analyst, "one-time-pass", true).await;

    // Not signed in: sent to the sign-in page.
    let page = t.get("/staff/patrol").await;
    assert_eq!(page.status, 303);
    assert_eq!(page.headers["location"], "/staff/login");

    let (csrf_cookie, token) = login_tokens(&t).await;
    // Without the CSRF token: refused, nothing signed in.
    let forged = post_form(
        &t,
        "/staff/login?lang=en",
        &csrf_cookie,
        "name=ada&password=one-time-pass&csrf=forged".into(),
    )
    .await;
    assert_eq!(forged.status, 403);
    assert!(forged.text().contains("csrf_failed"));

    let wrong = post_form(
        &t,
        "/staff/login?lang=en",
        &csrf_cookie,
        format!("name=ada&password=nope&csrf={token}"),
    )
    .await;
    assert_eq!(wrong.status, 401);
    assert!(wrong.text().contains("The name or the password is wrong."));

    let must_change = post_form(
        &t,
        "/staff/login?lang=en",
        &csrf_cookie,
        format!("name=ada&password=one-time-pass&csrf={token}"),
    )
    .await;
    assert_eq!(must_change.status, 403);
    assert!(must_change.text().contains("password_change_required"));
    assert!(set_cookie(&must_change, "harrier_staff").is_none());

    let signed_in = post_form(
        &t,
        "/staff/login?lang=en",
        &csrf_cookie,
        format!("name=ada&password=one-time-pass&new_password=my-own-long-password&csrf={token}"),
    )
    .await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.text());
    let session = set_cookie(&signed_in, "harrier_staff").unwrap();
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Strict"));
    assert!(session.contains("Path=/staff"));
    let session = session.split(';').next().unwrap().to_owned();

    let page = get_with(
        &t,
        "/staff/patrol?lang=en",
        &format!("{session}; {csrf_cookie}"),
    )
    .await;
    assert_eq!(page.status, 200, "{}", page.text());
    let html = page.text();
    assert!(html.contains("Waiting to be scanned"), "{html}");
    assert!(html.contains("ada (analyst)"), "{html}");

    // Signing out ends the session in the database, not only the cookie.
    let logout_token = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let out = post_form(
        &t,
        "/staff/logout",
        &format!("{session}; {csrf_cookie}"),
        format!("csrf={logout_token}"),
    )
    .await;
    assert_eq!(out.status, 303);
    assert!(
        set_cookie(&out, "harrier_staff")
            .unwrap()
            .contains("Max-Age=0")
    );
    let after = get_with(&t, "/staff/patrol", &session).await;
    assert_eq!(after.status, 303);
}

#[tokio::test]
async fn the_patrol_page_is_refused_to_roles_without_it() {
    let t = common::test_app();
    staff(&t, "ina", Role::Intake, "intake-password-1", false).await;
    let (csrf_cookie, token) = login_tokens(&t).await;
    let signed_in = post_form(
        &t,
        "/staff/login",
        &csrf_cookie,
        format!("name=ina&password=intake-password-1&csrf={token}"),
    )
    .await;
    assert_eq!(signed_in.status, 303);
    let session = set_cookie(&signed_in, "harrier_staff")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let page = get_with(&t, "/staff/patrol", &session).await;
    assert_eq!(page.status, 403);
}
