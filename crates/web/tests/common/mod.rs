//! A fresh Harrier for each test: its own temporary database and blob folder,
//! a fixed clock, and the real router without a socket.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure
#![allow(clippy::disallowed_methods)] // tests read answers of our own server whole
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use harrier_core::accounts::{Role, new_token};
use harrier_core::clock::ManualClock;
use harrier_core::ports::Store;
use harrier_core::taxonomy::Taxonomy;
use harrier_store::{FsBlobStore, SqliteOptions, SqliteStore};
use harrier_web::content::Content;
use harrier_web::security::Limiters;
use harrier_web::{AppState, LimitsConfig, WebConfig, app};
use http_body_util::BodyExt;
use std::sync::Arc;
use time::macros::datetime;
use tower::ServiceExt;

pub struct TestApp {
    pub state: AppState,
    pub store: SqliteStore,
    pub dir: tempfile::TempDir,
}

pub fn test_app() -> TestApp {
    test_app_with(LimitsConfig {
        enabled: true,
        per_address_per_minute: 10_000,
        global_per_second: 10_000,
    })
}

pub fn test_app_with(limits: LimitsConfig) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let store =
        SqliteStore::open(dir.path().join("harrier.db"), &SqliteOptions::default()).unwrap();
    let state = AppState {
        store: Arc::new(store.clone()),
        patrol: Arc::new(store.clone()),
        cases: Arc::new(store.clone()),
        decisions: Arc::new(store.clone()),
        deliveries: Arc::new(store.clone()),
        orders: Arc::new(store.clone()),
        rules: None,
        blobs: Arc::new(FsBlobStore::open(dir.path().join("blobs")).unwrap()),
        clock: Arc::new(ManualClock::new(datetime!(2026-11-24 10:00 UTC))),
        taxonomy: Arc::new(Taxonomy::shipped().unwrap()),
        content: Arc::new(Content::load().unwrap()),
        config: Arc::new(WebConfig::default()),
        limiters: Arc::new(Limiters::new(&limits)),
        secret: Arc::new([42u8; 32]),
    };
    TestApp { state, store, dir }
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    pub fn error_code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

impl TestApp {
    pub async fn send(&self, request: Request<Body>) -> Answer {
        let response: Response<Body> = app(self.state.clone()).oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        Answer {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, uri: &str) -> Answer {
        self.send(Request::get(uri).body(Body::empty()).unwrap())
            .await
    }

    pub async fn get_as(&self, uri: &str, token: &str) -> Answer {
        self.send(
            Request::get(uri)
                .header("authorization", format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    pub async fn post_json(
        &self,
        uri: &str,
        body: impl Into<Body>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut request = Request::post(uri).header("content-type", "application/json");
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        self.send(request.body(body.into()).unwrap()).await
    }

    /// A staff member with a ready token, made directly in the store.
    pub async fn token(&self, name: &str, role: Role) -> String {
        let staff = self
            .store
            .put_staff(
                name,
                role,
                "$argon2id$unused",
                false,
                false,
                datetime!(2026-11-24 09:00 UTC),
            )
            .await
            .unwrap();
        let (secret, hash) = new_token();
        let session =
            self.state
                .config
                .session_policy()
                .open(staff.id, hash, self.state.clock.now());
        self.store.insert_session(&session).await.unwrap();
        secret
    }

    /// A JSON request with a staff token.
    pub async fn send_json(
        &self,
        method: &str,
        uri: &str,
        token: &str,
        body: serde_json::Value,
    ) -> Answer {
        self.send(
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

    /// A tip-off through the API, triaged by `intake` into a case; the
    /// case's id.
    pub async fn triaged_case(&self, intake: &str) -> i64 {
        let filed = self
            .post_json(
                "/api/v1/reports",
                report_json("https://example.test/p/1"),
                &[],
            )
            .await;
        assert_eq!(filed.status, 201, "{}", filed.text());
        let report = self.get_as("/api/v1/reports", intake).await.json()["reports"][0]["id"]
            .as_i64()
            .unwrap();
        let uri = format!("/api/v1/reports/{report}/triage");
        let triaged = self
            .send_json("POST", &uri, intake, serde_json::json!({}))
            .await;
        assert_eq!(triaged.status, 200, "{}", triaged.text());
        triaged.json()["case_id"].as_i64().unwrap()
    }

    pub async fn report_count(&self) -> i64 {
        self.store.totals().await.unwrap().reports
    }
}

pub fn report_json(url: &str) -> String {
    serde_json::json!({
        "category": "drugs",
        "explanation": "This account sells methamphetamine (冰毒) through a private group.",
        "locations": [{"kind": "url", "value": url}, {"kind": "handle", "value": "@ice_seller_01"}],
        "platform": "ExampleNet",
        "occurred_at": "2026-11-20",
        "notifier": {"name": "Li Wei", "email": "li.wei@example.org"},
        "good_faith": true
    })
    .to_string()
}
