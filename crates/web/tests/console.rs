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

/// The value of a hidden field.
fn field(html: &str, name: &str) -> String {
    html.split(&format!("name=\"{name}\" value=\""))
        .nth(1)
        .unwrap_or_else(|| panic!("no field {name} in {html}"))
        .split('"')
        .next()
        .unwrap()
        .to_owned()
}

fn session_of(answer: &Answer) -> String {
    set_cookie(answer, "harrier_staff")
        .unwrap_or_else(|| panic!("no session cookie: {}", answer.text()))
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

/// The app with a clock the test moves.
fn app_with_clock() -> (TestApp, std::sync::Arc<harrier_core::clock::ManualClock>) {
    let mut t = common::test_app();
    let clock = std::sync::Arc::new(harrier_core::clock::ManualClock::new(datetime!(
        2026-11-24 10:00:10 UTC
    )));
    t.state.clock = clock.clone();
    (t, clock)
}

async fn sign_in(
    t: &TestApp,
    csrf_cookie: &str,
    token: &str,
    name: &str,
    password: &str,
) -> Answer {
    post_form(
        t,
        "/staff/login?lang=en",
        csrf_cookie,
        format!("name={name}&password={password}&csrf={token}"),
    )
    .await
}

#[tokio::test]
async fn an_admin_sets_up_totp_before_getting_a_session_and_then_needs_its_codes() {
    use harrier_core::accounts::totp::{open, step_of};
    use harrier_core::clock::Clock;
    let (t, clock) = app_with_clock();
    staff(&t, "root", Role::Admin, "one-time-pass", true).await;
    let (csrf_cookie, token) = login_tokens(&t).await;

    let enrol = post_form(
        &t,
        "/staff/login?lang=en",
        &csrf_cookie,
        format!("name=root&password=one-time-pass&new_password=my-own-long-password&csrf={token}"),
    )
    .await;
    assert_eq!(enrol.status, 200, "{}", enrol.text());
    assert!(
        set_cookie(&enrol, "harrier_staff").is_none(),
        "no session before TOTP"
    );
    let html = enrol.text();
    assert!(html.contains("<svg") && html.contains("otpauth://totp/Harrier:root?secret="));
    let credentials = t.store.staff_credentials("root").await.unwrap().unwrap();
    let stored = credentials.totp.unwrap();
    assert!(!stored.confirmed);
    let secret = open(&t.state.secret, credentials.staff.id, &stored.sealed_secret).unwrap();
    let shown: String = html
        .split("id=\"totp-secret\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .replace(' ', "");
    assert_eq!(shown, secret.base32());
    let pending = field(&html, "pending");

    // A forged pending token and a wrong code are refused.
    let step = step_of(clock.now());
    let code = secret.code_at_step(step);
    let forged = pending.replace("root", "ro0t");
    let answer = post_form(
        &t,
        "/staff/login/enrol?lang=en",
        &csrf_cookie,
        format!("csrf={token}&pending={forged}&code={code}"),
    )
    .await;
    assert!(
        answer.text().contains("totp_enrolment_expired"),
        "{}",
        answer.text()
    );
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let answer = post_form(
        &t,
        "/staff/login/enrol?lang=en",
        &csrf_cookie,
        format!("csrf={token}&pending={pending}&code={wrong}"),
    )
    .await;
    assert_eq!(answer.status, 401);
    assert!(answer.text().contains("The code is wrong"));
    assert!(set_cookie(&answer, "harrier_staff").is_none());

    let done = post_form(
        &t,
        "/staff/login/enrol?lang=en",
        &csrf_cookie,
        format!("csrf={token}&pending={pending}&code={code}"),
    )
    .await;
    assert_eq!(done.status, 303, "{}", done.text());
    let session = session_of(&done);
    let page = get_with(&t, "/staff/account?lang=en", &session).await;
    assert!(page.text().contains("data-state=\"on\""), "{}", page.text());

    // From now on the password alone is not enough.
    let without = sign_in(&t, &csrf_cookie, &token, "root", "my-own-long-password").await;
    assert_eq!(without.status, 401);
    assert!(without.text().contains("totp_required"));
    let used = post_form(
        &t,
        "/staff/login?lang=en",
        &csrf_cookie,
        format!("name=root&password=my-own-long-password&totp={code}&csrf={token}"),
    )
    .await;
    assert!(
        used.text().contains("totp_invalid"),
        "the enrolment's code is used up"
    );
    clock.advance(time::Duration::seconds(30));
    let next = secret.code_at_step(step_of(clock.now()));
    let ok = post_form(
        &t,
        "/staff/login?lang=en",
        &csrf_cookie,
        format!("name=root&password=my-own-long-password&totp={next}&csrf={token}"),
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.text());

    // The pending token expires after ten minutes.
    clock.advance(time::Duration::minutes(11));
    let late = post_form(
        &t,
        "/staff/login/enrol?lang=en",
        &csrf_cookie,
        format!("csrf={token}&pending={pending}&code={code}"),
    )
    .await;
    assert!(late.text().contains("totp_enrolment_expired"));
}

#[tokio::test]
async fn password_change_ends_other_sessions_and_logout_everywhere_ends_all() {
    let (t, _clock) = app_with_clock();
    staff(&t, "ada", Role::Analyst, "first-password-1", false).await;
    let (csrf_cookie, token) = login_tokens(&t).await;
    let here = session_of(&sign_in(&t, &csrf_cookie, &token, "ada", "first-password-1").await);
    let elsewhere = session_of(&sign_in(&t, &csrf_cookie, &token, "ada", "first-password-1").await);
    let cookies = format!("{here}; {csrf_cookie}");

    let wrong = post_form(
        &t,
        "/staff/account/password?lang=en",
        &cookies,
        format!("csrf={token}&current_password=nope&new_password=second-password-2"),
    )
    .await;
    assert_eq!(wrong.status, 401);
    assert!(wrong.text().contains("The current password is wrong."));
    let forged = post_form(
        &t,
        "/staff/account/password",
        &cookies,
        "csrf=x&current_password=first-password-1&new_password=second-password-2".into(),
    )
    .await;
    assert_eq!(forged.status, 403);
    let changed = post_form(
        &t,
        "/staff/account/password?lang=en",
        &cookies,
        format!("csrf={token}&current_password=first-password-1&new_password=second-password-2"),
    )
    .await;
    assert_eq!(changed.status, 200, "{}", changed.text());
    assert!(changed.text().contains("other sessions are ended"));
    assert_eq!(get_with(&t, "/staff/account", &here).await.status, 200);
    assert_eq!(get_with(&t, "/staff/account", &elsewhere).await.status, 303);

    let third = session_of(&sign_in(&t, &csrf_cookie, &token, "ada", "second-password-2").await);
    let out = post_form(&t, "/staff/logout-all", &cookies, format!("csrf={token}")).await;
    assert_eq!(out.status, 303);
    assert!(
        set_cookie(&out, "harrier_staff")
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_eq!(get_with(&t, "/staff/account", &here).await.status, 303);
    assert_eq!(get_with(&t, "/staff/account", &third).await.status, 303);
}

#[tokio::test]
async fn a_non_admin_may_turn_totp_on_from_the_account_page() {
    use harrier_core::accounts::totp::{open, step_of};
    use harrier_core::clock::Clock;
    let (t, clock) = app_with_clock();
    staff(&t, "ina", Role::Intake, "intake-password-1", false).await;
    let (csrf_cookie, token) = login_tokens(&t).await;
    let session = session_of(&sign_in(&t, &csrf_cookie, &token, "ina", "intake-password-1").await);
    let cookies = format!("{session}; {csrf_cookie}");
    assert!(
        get_with(&t, "/staff/account", &session)
            .await
            .text()
            .contains("data-state=\"off\"")
    );
    let begun = post_form(&t, "/staff/account/totp", &cookies, format!("csrf={token}")).await;
    assert_eq!(begun.status, 200);
    assert!(
        begun
            .text()
            .contains("action=\"/staff/account/totp/confirm\"")
    );
    let credentials = t.store.staff_credentials("ina").await.unwrap().unwrap();
    let secret = open(
        &t.state.secret,
        credentials.staff.id,
        &credentials.totp.unwrap().sealed_secret,
    )
    .unwrap();
    let code = secret.code_at_step(step_of(clock.now()));
    let on = post_form(
        &t,
        "/staff/account/totp/confirm?lang=en",
        &cookies,
        format!("csrf={token}&code={code}"),
    )
    .await;
    assert_eq!(on.status, 200, "{}", on.text());
    assert!(on.text().contains("data-state=\"on\""));
    let without = sign_in(&t, &csrf_cookie, &token, "ina", "intake-password-1").await;
    assert!(without.text().contains("totp_required"));
}

#[tokio::test]
async fn a_locked_sign_in_says_until_when() {
    let (t, _clock) = app_with_clock();
    staff(&t, "ada", Role::Analyst, "first-password-1", false).await;
    let (csrf_cookie, token) = login_tokens(&t).await;
    for _ in 0..4 {
        assert_eq!(
            sign_in(&t, &csrf_cookie, &token, "ada", "wrong")
                .await
                .status,
            401
        );
    }
    let locked = sign_in(&t, &csrf_cookie, &token, "ada", "wrong").await;
    assert_eq!(locked.status, 423);
    assert!(
        locked
            .text()
            .contains("this account is locked until 10:15 UTC"),
        "{}",
        locked.text()
    );
    let right = sign_in(&t, &csrf_cookie, &token, "ada", "first-password-1").await;
    assert_eq!((right.status, right.text()), (locked.status, locked.text()));
}
