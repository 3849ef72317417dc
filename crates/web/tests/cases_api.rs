//! Cases through the API and the console: a tip-off triaged into a case,
//! moves refused with the allowed ones named, evidence in and out with its
//! hostile name kept as text, the ZIP export whose manifest hashes match its
//! files, and the audit log that recorded all of it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

mod common;

use axum::body::Body;
use axum::http::Request;
use harrier_core::accounts::Role;
use harrier_core::ports::Store;
use sha2::{Digest, Sha256};

/// A 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
    0x42, 0x60, 0x82,
];

const HOSTILE_NAME: &str = "<img src=x onerror=alert(1)>.png";

async fn post(
    t: &common::TestApp,
    uri: &str,
    token: &str,
    body: impl Into<Body>,
) -> common::Answer {
    t.send(
        Request::post(uri)
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/json")
            .body(body.into())
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn a_tip_off_becomes_a_case_with_evidence_an_export_and_an_audit_trail() {
    let t = common::test_app();
    let intake = t.token("ines", Role::Intake).await;
    let analyst = t.token("ana", Role::Analyst).await;
    let moderator = t.token("mo", Role::Moderator).await;
    let admin = t.token("root", Role::Admin).await;

    let filed = t
        .post_json(
            "/api/v1/reports",
            common::report_json("https://example.test/p/1"),
            &[],
        )
        .await;
    assert_eq!(filed.status, 201, "{}", filed.text());
    let report = t.get_as("/api/v1/reports", &intake).await.json()["reports"][0]["id"]
        .as_i64()
        .unwrap();

    let triaged = post(&t, &format!("/api/v1/reports/{report}/triage"), &intake, "").await;
    assert_eq!(triaged.status, 200, "{}", triaged.text());
    let case = triaged.json()["case_id"].as_i64().unwrap();
    assert_eq!(triaged.json()["opened"], true);

    let queue = t.get_as("/api/v1/cases?sort=deadline", &analyst).await;
    assert_eq!(queue.json()["cases"][0]["id"], case);
    assert_eq!(queue.json()["cases"][0]["state"], "triage");
    let bad = t.get_as("/api/v1/cases?state=open", &analyst).await;
    assert_eq!(bad.status, 400);
    assert!(
        bad.text().contains("\\\"open\\\" is not one of"),
        "{}",
        bad.text()
    );

    // A move the table does not list names the ones it does.
    let refused = post(
        &t,
        &format!("/api/v1/cases/{case}/transition"),
        &moderator,
        r#"{"to":"decided","reason":"x"}"#,
    )
    .await;
    assert_eq!(refused.status, 409);
    assert_eq!(refused.error_code(), "invalid_transition");
    assert!(
        refused.text().contains("investigating, closed"),
        "{}",
        refused.text()
    );
    let no_reason = post(
        &t,
        &format!("/api/v1/cases/{case}/transition"),
        &analyst,
        r#"{"to":"investigating","reason":""}"#,
    )
    .await;
    assert_eq!(no_reason.status, 422);
    assert_eq!(no_reason.error_code(), "reason_required");
    let moved = post(
        &t,
        &format!("/api/v1/cases/{case}/transition"),
        &analyst,
        r#"{"to":"investigating","reason":"menu and prices in the group"}"#,
    )
    .await;
    assert_eq!(moved.status, 200, "{}", moved.text());
    let claimed = post(&t, &format!("/api/v1/cases/{case}/claim"), &analyst, "").await;
    assert_eq!(claimed.json()["assignee"], "ana");
    // Assigning by name goes through the list of active staff.
    let assigned = post(
        &t,
        &format!("/api/v1/cases/{case}/assign"),
        &moderator,
        r#"{"staff":"mo"}"#,
    )
    .await;
    assert_eq!(assigned.json()["assignee"], "mo", "{}", assigned.text());
    let mine = t.get_as("/api/v1/cases?assignee=mo", &analyst).await.json();
    assert_eq!(mine["cases"][0]["id"], case);
    let nobody = post(
        &t,
        &format!("/api/v1/cases/{case}/assign"),
        &moderator,
        r#"{"staff":"nobody"}"#,
    )
    .await;
    assert_eq!(nobody.status, 422);
    assert_eq!(nobody.error_code(), "no_such_staff");

    // Evidence: sniffed from its bytes, its name kept as untrusted text.
    let uri = format!(
        "/api/v1/cases/{case}/evidence?name={}&note=menu",
        urlencode(HOSTILE_NAME)
    );
    let added = t
        .send(
            Request::post(&uri)
                .header("authorization", format!("Bearer {analyst}"))
                .body(Body::from(PNG))
                .unwrap(),
        )
        .await;
    assert_eq!(added.status, 201, "{}", added.text());
    let sha = added.json()["sha256"].as_str().unwrap().to_owned();
    assert_eq!(sha, hex::encode(Sha256::digest(PNG)));
    assert_eq!(added.json()["name"], HOSTILE_NAME);
    let again = t
        .send(
            Request::post(&uri)
                .header("authorization", format!("Bearer {analyst}"))
                .body(Body::from(PNG))
                .unwrap(),
        )
        .await;
    assert_eq!(again.status, 409);
    let script = t
        .send(
            Request::post(format!("/api/v1/cases/{case}/evidence?name=x.html"))
                .header("authorization", format!("Bearer {analyst}"))
                .body(Body::from("<html><script>alert(1)</script></html>"))
                .unwrap(),
        )
        .await;
    assert_eq!(script.status, 415, "{}", script.text());

    let file = t
        .get_as(&format!("/api/v1/cases/{case}/evidence/{sha}"), &moderator)
        .await;
    assert_eq!(file.status, 200);
    assert_eq!(file.body, PNG);
    assert_eq!(file.headers["content-type"], "image/png");
    assert!(
        file.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(
        file.headers["content-security-policy"],
        "sandbox; default-src 'none'"
    );
    assert_eq!(file.headers["x-content-type-options"], "nosniff");

    // The export: every file listed with the hash of its bytes.
    let zip = t
        .get_as(&format!("/api/v1/cases/{case}/export"), &analyst)
        .await;
    assert_eq!(zip.status, 200, "{}", zip.text());
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip.body.clone())).unwrap();
    let manifest = member(&mut archive, "manifest.json");
    let manifest = String::from_utf8(manifest).unwrap();
    let manifest_sha = hex::encode(Sha256::digest(manifest.as_bytes()));
    assert_eq!(zip.headers["x-manifest-sha256"], manifest_sha.as_str());
    let manifest: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    assert_eq!(manifest["reporter_identities"], "not exported");
    let files = manifest["files"].as_array().unwrap();
    let kinds: Vec<_> = files.iter().map(|f| f["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["evidence", "report", "audit"]);
    for listed in files {
        let bytes = member(&mut archive, listed["path"].as_str().unwrap());
        assert_eq!(
            listed["sha256"].as_str().unwrap(),
            hex::encode(Sha256::digest(&bytes))
        );
    }
    assert!(!archive.file_names().any(|n| n.contains('<')));
    let report_json =
        String::from_utf8(member(&mut archive, &format!("reports/{report}.json"))).unwrap();
    assert!(!report_json.contains("li.wei@example.org"), "{report_json}");

    // The case as the intake role sees it (contacts) and as others do.
    let as_intake = t
        .get_as(&format!("/api/v1/cases/{case}"), &intake)
        .await
        .json();
    assert_eq!(
        as_intake["reports"][0]["contact"]["email"],
        "li.wei@example.org"
    );
    let as_analyst = t
        .get_as(&format!("/api/v1/cases/{case}"), &analyst)
        .await
        .json();
    assert!(as_analyst["reports"][0].get("contact").is_none());
    assert_eq!(as_analyst["reports"][0]["has_contact"], true);
    assert_eq!(
        as_analyst["next_states"],
        serde_json::json!(["triage", "closed"])
    );

    // The audit log holds every step, chained.
    let audit = t.get_as("/api/v1/audit", &admin).await.json();
    let actions: Vec<_> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    for expected in [
        "case.opened",
        "report.triaged",
        "case.transition",
        "case.assigned",
        "evidence.added",
        "evidence.exported",
    ] {
        assert!(
            actions.iter().any(|a| a == expected),
            "{expected}: {actions:?}"
        );
    }
    let entries = audit["entries"].as_array().unwrap();
    for pair in entries.windows(2) {
        assert_eq!(pair[1]["prev_hash"], pair[0]["hash"]);
    }
    let head = t.get_as("/api/v1/audit/head", &admin).await.json();
    assert_eq!(head["seq"], entries.len() as i64);
    assert_eq!(t.get_as("/api/v1/audit", &analyst).await.status, 403);
}

#[tokio::test]
async fn the_console_shows_hostile_text_as_text() {
    let t = common::test_app();
    let intake = t.token("ines", Role::Intake).await;
    let analyst = t.token("ana", Role::Analyst).await;
    let body = serde_json::json!({
        "category": "drugs",
        "explanation": "<script>alert('x')</script> 冰毒 出",
        "locations": [{"kind": "handle", "value": "@\"><svg onload=alert(2)>"}],
        "good_faith": true
    })
    .to_string();
    assert_eq!(t.post_json("/api/v1/reports", body, &[]).await.status, 201);
    let report = t.get_as("/api/v1/reports", &intake).await.json()["reports"][0]["id"]
        .as_i64()
        .unwrap();
    let case = post(&t, &format!("/api/v1/reports/{report}/triage"), &intake, "")
        .await
        .json()["case_id"]
        .as_i64()
        .unwrap();
    let page = t
        .send(
            Request::get(format!("/staff/cases/{case}"))
                .header("cookie", format!("harrier_staff={analyst}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(!html.contains("<svg onload"), "{html}");
    assert!(html.contains("&#60;script&#62;alert"), "{html}");
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
}

/// One member of the export, read under a cap.
fn member(archive: &mut zip::ZipArchive<std::io::Cursor<Vec<u8>>>, name: &str) -> Vec<u8> {
    let file = archive.by_name(name).unwrap();
    harrier_core::bounded::read_to_end(file, 1 << 20).unwrap()
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'.' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test]
async fn sign_ins_and_provider_changes_are_in_the_audit_log() {
    let t = common::test_app();
    let admin = t.token("root", Role::Admin).await;
    let hash = harrier_core::accounts::hash_password("a long enough password").unwrap();
    t.store
        .put_staff(
            "ana",
            Role::Analyst,
            &hash,
            false,
            false,
            time::macros::datetime!(2026-11-24 09:00 UTC),
        )
        .await
        .unwrap();
    let wrong = t
        .post_json(
            "/api/v1/auth/login",
            r#"{"name":"ana","password":"not the password"}"#,
            &[],
        )
        .await;
    assert_eq!(wrong.status, 401);
    let right = t
        .post_json(
            "/api/v1/auth/login",
            r#"{"name":"ana","password":"a long enough password"}"#,
            &[],
        )
        .await;
    assert_eq!(right.status, 200, "{}", right.text());
    let created = post(&t, "/api/v1/providers", &admin, r#"{"name":"weibo"}"#).await;
    assert_eq!(created.status, 201, "{}", created.text());
    let entries = t.get_as("/api/v1/audit", &admin).await.json()["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["actor"].as_str().unwrap().to_owned(),
                e["action"].as_str().unwrap().to_owned(),
            )
        })
        .collect::<Vec<_>>();
    let expected = [
        ("system:sign-in", "staff.sign_in_failed"),
        ("staff:ana", "staff.signed_in"),
        ("staff:root", "provider.created"),
    ];
    for (actor, action) in expected {
        assert!(
            entries.iter().any(|(a, b)| a == actor && b == action),
            "{actor} {action} missing from {entries:?}"
        );
    }
}

#[tokio::test]
async fn a_subject_page_shows_its_timeline_and_linked_subjects() {
    let t = common::test_app();
    let intake = t.token("ines", Role::Intake).await;
    for handles in [
        vec!["@dealer", "@<b>runner</b>"],
        vec!["@dealer", "@<b>runner</b>"],
        vec!["@dealer", "@driver"],
    ] {
        let body = serde_json::json!({
            "category": "drugs",
            "explanation": "sells ice",
            "platform": "weibo",
            "locations": handles.iter().map(|h| serde_json::json!({"kind": "handle", "value": h})).collect::<Vec<_>>(),
            "good_faith": true
        });
        assert_eq!(
            t.post_json("/api/v1/reports", body.to_string(), &[])
                .await
                .status,
            201
        );
    }
    let reports = t.get_as("/api/v1/reports", &intake).await.json();
    for r in reports["reports"].as_array().unwrap() {
        let id = r["id"].as_i64().unwrap();
        assert_eq!(
            post(&t, &format!("/api/v1/reports/{id}/triage"), &intake, "")
                .await
                .status,
            200
        );
    }
    let subjects = t.get_as("/api/v1/subjects", &intake).await.json();
    let dealer = subjects["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == "dealer")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let page = t
        .get_as(&format!("/api/v1/subjects/{dealer}"), &intake)
        .await;
    assert_eq!(page.status, 200, "{}", page.text());
    let page = page.json();
    assert_eq!(page["reports"].as_array().unwrap().len(), 3);
    assert_eq!(page["cases"].as_array().unwrap().len(), 1);
    let links: Vec<(String, String, i64)> = page["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["subject"]["key"].as_str().unwrap().to_owned(),
                l["via"].as_str().unwrap().to_owned(),
                l["weight"].as_i64().unwrap(),
            )
        })
        .collect();
    assert!(
        links.contains(&("<b>runner</b>".into(), "reported_together".into(), 2)),
        "{links:?}"
    );
    assert!(
        links.contains(&("driver".into(), "reported_together".into(), 1)),
        "{links:?}"
    );
    assert!(
        links.contains(&("driver".into(), "same_case".into(), 1)),
        "{links:?}"
    );

    let html = t
        .send(
            Request::get(format!("/staff/subjects/{dealer}"))
                .header("cookie", format!("harrier_staff={intake}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(html.status, 200);
    let html = html.text();
    assert!(html.contains("<svg class=\"subject-graph\""), "{html}");
    assert!(!html.contains("<b>runner"), "labels are escaped");
    assert_eq!(html.matches("data-kind=\"report\"").count(), 3);
    assert_eq!(html.matches("data-kind=\"case\"").count(), 1);
    assert_eq!(t.get_as("/api/v1/subjects/999", &intake).await.status, 404);
}

#[tokio::test]
async fn search_finds_chinese_and_english_words_and_saves_views() {
    let t = common::test_app();
    let intake = t.token("ines", Role::Intake).await;
    for (text, handle) in [
        ("出售冰毒，货到付款，加微信 bing_88", "@seller_a"),
        ("Selling cocaine by the gram, DM for prices", "@seller_b"),
        ("兼职刷单，日赚三百", "@scam_c"),
    ] {
        let body = serde_json::json!({
            "category": "drugs",
            "explanation": text,
            "locations": [{"kind": "handle", "value": handle}],
            "notifier": {"email": "secret.reporter@example.org"},
            "good_faith": true
        });
        assert_eq!(
            t.post_json("/api/v1/reports", body.to_string(), &[])
                .await
                .status,
            201
        );
    }
    let first = t.get_as("/api/v1/reports", &intake).await.json()["reports"][2]["id"]
        .as_i64()
        .unwrap();
    let case = post(&t, &format!("/api/v1/reports/{first}/triage"), &intake, "")
        .await
        .json()["case_id"]
        .as_i64()
        .unwrap();
    let hits = |q: &str| {
        let uri = format!("/api/v1/search?q={}", urlencode(q));
        let t = &t;
        let intake = intake.clone();
        async move {
            let answer = t.get_as(&uri, &intake).await;
            assert_eq!(answer.status, 200, "{}", answer.text());
            answer.json()["hits"].as_array().unwrap().clone()
        }
    };
    // A Chinese word inside a longer run of characters.
    let found = hits("冰毒").await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["kind"], "report");
    assert_eq!(found[0]["case_id"], case);
    assert_eq!(found[0]["matched"][0], "冰毒");
    // A handle typed as it is written; English words, any case.
    assert_eq!(hits("bing_88").await.len(), 1);
    assert_eq!(hits("COCAINE gram").await.len(), 1);
    assert_eq!(hits("刷单").await.len(), 1);
    // Every term must match; reporter contacts are never searchable.
    assert!(hits("冰毒 cocaine").await.is_empty());
    assert!(hits("secret.reporter").await.is_empty());
    // The case is found by its subject's handle.
    let cases = t
        .get_as("/api/v1/search?q=seller_a&kind=case", &intake)
        .await
        .json();
    assert_eq!(cases["hits"][0]["id"], case, "{cases}");
    assert_eq!(
        t.get_as("/api/v1/search?q=x&kind=person", &intake)
            .await
            .status,
        400
    );

    // The console page highlights the match, escaped.
    let page = t
        .send(
            Request::get(format!("/staff/search?q={}", urlencode("冰毒")))
                .header("cookie", format!("harrier_staff={intake}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("<mark>冰毒</mark>"), "{}", page.text());
}

#[tokio::test]
async fn saved_views_keep_a_queue_under_a_name() {
    let t = common::test_app();
    let analyst = t.token("ana", Role::Analyst).await;
    let nonce = "0123456789abcdef0123456789abcdef";
    let csrf = harrier_web::csrf::token(&t.state.secret, nonce);
    let save = |name: &str, path: &str| {
        Request::post("/staff/views")
            .header(
                "cookie",
                format!("harrier_staff={analyst}; harrier_staff_csrf={nonce}"),
            )
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(format!(
                "csrf={csrf}&name={}&path={}",
                urlencode(name),
                urlencode(path)
            )))
            .unwrap()
    };
    let saved = t
        .send(save(
            "drugs by deadline",
            "/staff/cases?category=drugs&sort=deadline",
        ))
        .await;
    assert_eq!(saved.status, 303, "{}", saved.text());
    assert_eq!(
        saved.headers["location"],
        "/staff/cases?category=drugs&sort=deadline"
    );
    let elsewhere = t.send(save("out", "https://evil.example/")).await;
    assert_eq!(elsewhere.status, 422);
    let page = t
        .send(
            Request::get("/staff/cases")
                .header("cookie", format!("harrier_staff={analyst}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let html = page.text();
    assert!(
        html.contains("href=\"/staff/cases?category=drugs&#38;sort=deadline\"")
            || html.contains("href=\"/staff/cases?category=drugs&amp;sort=deadline\""),
        "{html}"
    );
    assert!(html.contains(">drugs by deadline</a>"), "{html}");
}

#[tokio::test]
async fn the_console_acts_on_many_cases_at_once() {
    let t = common::test_app();
    let intake = t.token("ines", Role::Intake).await;
    let moderator = t.token("mo", Role::Moderator).await;
    let mut cases = Vec::new();
    for handle in ["@one", "@two"] {
        let body = serde_json::json!({"category": "drugs", "explanation": "sells ice",
            "locations": [{"kind": "handle", "value": handle}], "good_faith": true});
        assert_eq!(
            t.post_json("/api/v1/reports", body.to_string(), &[])
                .await
                .status,
            201
        );
    }
    for r in t.get_as("/api/v1/reports", &intake).await.json()["reports"]
        .as_array()
        .unwrap()
    {
        let id = r["id"].as_i64().unwrap();
        cases.push(
            post(&t, &format!("/api/v1/reports/{id}/triage"), &intake, "")
                .await
                .json()["case_id"]
                .as_i64()
                .unwrap(),
        );
    }
    let nonce = "0123456789abcdef0123456789abcdef";
    let csrf = harrier_web::csrf::token(&t.state.secret, nonce);
    let bulk = |body: String| {
        Request::post("/staff/cases/bulk")
            .header(
                "cookie",
                format!("harrier_staff={moderator}; harrier_staff_csrf={nonce}"),
            )
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    };
    let claimed = t
        .send(bulk(format!(
            "csrf={csrf}&ids={}&ids={}&action=claim",
            cases[0], cases[1]
        )))
        .await;
    assert_eq!(claimed.status, 303, "{}", claimed.text());
    for case in &cases {
        let got = t
            .get_as(&format!("/api/v1/cases/{case}"), &moderator)
            .await
            .json();
        assert_eq!(got["case"]["assignee"], "mo");
    }
    // Close one first: the bulk move then closes the other and names the
    // refused one with its reason.
    post(
        &t,
        &format!("/api/v1/cases/{}/transition", cases[0]),
        &moderator,
        r#"{"to":"closed","reason":"duplicate"}"#,
    )
    .await;
    let closed = t
        .send(bulk(format!(
            "csrf={csrf}&ids={}&ids={}&action=to%3Aclosed&reason=same+seller",
            cases[0], cases[1]
        )))
        .await;
    assert_eq!(closed.status, 409, "{}", closed.text());
    assert!(
        closed.text().contains(&format!("#{}", cases[0])),
        "{}",
        closed.text()
    );
    let got = t
        .get_as(&format!("/api/v1/cases/{}", cases[1]), &moderator)
        .await
        .json();
    assert_eq!(got["case"]["state"], "closed");
    assert_eq!(got["transitions"][1]["reason"], "same seller");
    let forged = t
        .send(bulk(format!("csrf=nope&ids={}&action=claim", cases[1])))
        .await;
    assert_eq!(forged.status, 403);
}

#[tokio::test]
async fn groups_show_members_items_and_their_case() {
    use harrier_core::cases::{CaseStore, NewGroup};
    use harrier_core::patrol::{ItemInput, PatrolStore, validate_item};
    let t = common::test_app();
    let analyst = t.token("ana", Role::Analyst).await;
    let now = time::macros::datetime!(2026-11-24 10:00 UTC);
    let provider = t.store.add_provider("weibo", now).await.unwrap();
    let items = ["a", "b"]
        .iter()
        .map(|n| {
            validate_item(ItemInput {
                id: format!("p-{n}"),
                kind: "post".into(),
                text: Some("曝光老王烧烤店 黑店 避雷".into()),
                account: Some(format!("shill_{n}")),
                ..ItemInput::default()
            })
            .unwrap()
        })
        .collect();
    let stored = t.store.insert_items(provider.id, items, now).await.unwrap();
    let group = NewGroup {
        fingerprint: "f".repeat(64),
        members: vec![
            ("weibo".into(), "shill_a".into()),
            ("weibo".into(), "shill_b".into()),
        ],
        item_ids: stored.iter().map(|s| s.item_id).collect(),
        category: "coordinated_manipulation".into(),
        score: 0.8,
        scores_json: r#"{"scores":{"score":0.8}}"#.into(),
        explanation_json: r#"["2 accounts, 2 posts"]"#.into(),
        open_case: true,
        version: "ring-test".into(),
    };
    let done = t
        .store
        .store_groups(vec![group], (now - time::Duration::hours(24), now), now)
        .await
        .unwrap();
    assert_eq!((done.new, done.cases_opened), (1, 1));
    let list = t.get_as("/api/v1/groups", &analyst).await.json();
    let id = list["groups"][0]["id"].as_i64().unwrap();
    assert_eq!(list["groups"][0]["explanation"][0], "2 accounts, 2 posts");
    let detail = t
        .get_as(&format!("/api/v1/groups/{id}"), &analyst)
        .await
        .json();
    assert_eq!(detail["members"].as_array().unwrap().len(), 2);
    assert_eq!(detail["items"].as_array().unwrap().len(), 2);
    assert_eq!(detail["group"]["subject"]["kind"], "group");
    let case = detail["group"]["case_id"].as_i64().unwrap();
    let case = t
        .get_as(&format!("/api/v1/cases/{case}"), &analyst)
        .await
        .json();
    assert_eq!(case["signals"][0]["rule"], "ring.group");
    assert_eq!(
        case["subjects"].as_array().unwrap().len(),
        3,
        "the group and its two members"
    );
    assert_eq!(t.get_as("/api/v1/groups/99", &analyst).await.status, 404);

    // A member's page: its items, its group, and the group as a link; the
    // group's page: its members.
    let member = detail["members"][0]["id"].as_i64().unwrap();
    let page = t
        .get_as(&format!("/api/v1/subjects/{member}"), &analyst)
        .await
        .json();
    assert_eq!(page["items"].as_array().unwrap().len(), 1, "{page}");
    assert_eq!(page["groups"][0]["id"], id);
    assert!(
        page["links"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["via"] == "in_group")
    );
    let group_subject = detail["group"]["subject"]["id"].as_i64().unwrap();
    let page = t
        .get_as(&format!("/api/v1/subjects/{group_subject}"), &analyst)
        .await
        .json();
    let members = page["links"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["via"] == "member")
        .count();
    assert_eq!(members, 2, "{page}");
}
