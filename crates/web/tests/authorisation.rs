//! The route-by-role matrix: every staff route of `auth::ROUTES`, called by
//! every role (API routes with a bearer token, console routes with the
//! session cookie and a valid CSRF token), answers 403 exactly when the
//! table says the role may not; without credentials the API answers 401
//! and the console sends the browser to sign in. The OpenAPI document and
//! the table list the same API routes.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use harrier_core::accounts::Role;
use harrier_web::auth::{Access, ROUTES, allowed};

/// A concrete path for a route pattern (ids that do not exist: an allowed
/// role gets 404 or 400 or 422, never 403).
fn concrete(path: &str) -> String {
    path.replace("{id}", "999999")
        .replace("{name}", "nobody")
        .replace("{prefix}", "hk_nope")
        .replace("{sha256}", &"0".repeat(64))
}

const NONCE: &str = "0123456789abcdef0123456789abcdef";

fn request(method: &str, path: &str, token: Option<&str>, secret: &[u8; 32]) -> Request<Body> {
    let uri = concrete(path);
    let console = path.starts_with("/staff");
    let mut builder = Request::builder().method(method).uri(&uri);
    let mut body = Body::empty();
    if console {
        let mut cookie = format!("harrier_staff_csrf={NONCE}");
        if let Some(token) = token {
            cookie.push_str(&format!("; harrier_staff={token}"));
        }
        builder = builder.header("cookie", cookie);
        if method == "POST" {
            let csrf = harrier_web::csrf::token(secret, NONCE);
            builder = builder.header("content-type", "application/x-www-form-urlencoded");
            // Every field some console form needs, so that a refusal can
            // only come from the permission check.
            body = Body::from(format!(
                "csrf={csrf}&to=closed&reason=r&code=000000&current_password=x&new_password=y"
            ));
        }
    } else {
        if let Some(token) = token {
            builder = builder.header("authorization", format!("Bearer {token}"));
        }
        if method != "GET" {
            builder = builder.header("content-type", "application/json");
            body = Body::from("{}");
        }
    }
    builder.body(body).unwrap()
}

#[tokio::test]
async fn every_staff_route_answers_every_role_as_the_table_says() {
    let t = common::test_app();
    let secret = *t.state.secret;
    let mut tokens = Vec::new();
    for role in Role::ALL {
        tokens.push((role, t.token(&format!("s-{}", role.as_str()), role).await));
    }
    let mut checked = 0;
    for (method, path, access) in ROUTES {
        let permission = match access {
            Access::Staff(permission) | Access::StaffOrProvider(permission, _) => permission,
            _ => continue,
        };
        // Signing out ends the session the next call would use (these
        // routes have their own tests in console.rs and staff_api.rs).
        if path.contains("logout") {
            continue;
        }
        for (role, token) in &tokens {
            let answer = t.send(request(method, path, Some(token), &secret)).await;
            let location = answer
                .headers
                .get("location")
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default();
            if allowed(*permission, *role) {
                // (A console form may answer 401 for a wrong TOTP code; a
                // session the console refuses is sent to sign in instead.)
                let unauthorised = if path.starts_with("/staff") {
                    location == "/staff/login"
                } else {
                    answer.status == StatusCode::UNAUTHORIZED
                };
                assert!(
                    answer.status != StatusCode::FORBIDDEN && !unauthorised,
                    "{method} {path} as {role:?} should be allowed, got {} {}",
                    answer.status,
                    answer.text()
                );
            } else {
                assert_eq!(
                    answer.status,
                    StatusCode::FORBIDDEN,
                    "{method} {path} as {role:?} should be forbidden: {}",
                    answer.text()
                );
            }
            checked += 1;
        }
        let anonymous = t.send(request(method, path, None, &secret)).await;
        if path.starts_with("/staff") {
            assert_eq!(anonymous.status, StatusCode::SEE_OTHER, "{method} {path}");
            assert_eq!(anonymous.headers["location"], "/staff/login");
        } else {
            assert_eq!(
                anonymous.status,
                StatusCode::UNAUTHORIZED,
                "{method} {path}"
            );
        }
    }
    assert!(checked >= 6 * 30, "only {checked} calls were checked");
}

#[tokio::test]
async fn the_openapi_document_and_the_table_list_the_same_api_routes() {
    let t = common::test_app();
    let doc = t.get("/api/openapi.json").await.json();
    let mut documented = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.push((method.to_uppercase(), path.clone()));
        }
    }
    for (method, path) in &documented {
        assert!(
            ROUTES.iter().any(|(m, p, _)| m == method && p == path),
            "{method} {path} is documented but not in auth::ROUTES"
        );
    }
    for (method, path, _) in ROUTES {
        if path.starts_with("/api/v1/") {
            assert!(
                documented.iter().any(|(m, p)| m == method && p == path),
                "{method} {path} is in auth::ROUTES but not in the OpenAPI document"
            );
        }
    }
}

#[tokio::test]
async fn public_pages_need_no_credentials() {
    let t = common::test_app();
    for (method, path, access) in ROUTES {
        if *access != Access::Public || *method != "GET" || path.contains('{') {
            continue;
        }
        let answer = t.get(path).await;
        assert!(
            answer.status.is_success() || answer.status.is_redirection(),
            "GET {path}: {}",
            answer.status
        );
    }
}
