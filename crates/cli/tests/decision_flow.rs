//! The whole chain over real HTTP with real processes: a tip-off, its
//! case, a decision with an order, the order delivered to
//! `harrier provider-sim` (which verifies the signature) and answered
//! "actioned", the affected person's appeal through the portal form, a
//! reversal by a reviewer who did not decide, and the reversal order
//! delivered, though the receiver was down and Harrier was killed and
//! started again in between: no order lost, none applied twice.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

mod common;

use common::free_port;
use common::sim::{
    call, effects, harrier, json, kill, start_server, start_sim, wait_for, word_after,
};
use serde_json::{Value, json as j};

fn one_time_password(data: &std::path::Path, name: &str, role: &str) -> String {
    let out = harrier(data)
        .args(["staff", "add", name, "--role", role])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.lines()
        .find_map(|l| {
            l.split_once("one-time password: ")
                .map(|(_, p)| p.trim().to_owned())
        })
        .unwrap()
}

fn sign_in(port: u16, name: &str, password: &str) -> String {
    let (status, body) = json(
        port,
        "POST",
        "/api/v1/auth/login",
        "",
        &j!({"name": name, "password": password, "new_password": format!("{name}-own-password-1")}),
    );
    assert_eq!(status, 200, "{body}");
    body["token"].as_str().unwrap().to_owned()
}

fn order_state(port: u16, token: &str, id: i64) -> String {
    let (_, body) = json(
        port,
        "GET",
        &format!("/api/v1/orders/{id}"),
        token,
        &Value::Null,
    );
    body["state"].as_str().unwrap_or_default().to_owned()
}

/// Files the appeal through the portal's form, as a browser would.
fn appeal(port: u16, path: &str) {
    let (status, head, html) = call(port, "GET", path, &[], b"");
    assert_eq!(status, 200, "{html}");
    let cookie = head
        .lines()
        .find_map(|l| {
            l.strip_prefix("set-cookie: ")
                .or_else(|| l.strip_prefix("Set-Cookie: "))
        })
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_owned();
    let token = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap();
    let boundary = "----flow";
    let mut body = String::new();
    for (name, value) in [
        ("csrf", token),
        ("explanation", "I was quoting a news report."),
        ("contact_email", "me@example.org"),
    ] {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    let content_type = format!("multipart/form-data; boundary={boundary}");
    let (status, _, html) = call(
        port,
        "POST",
        path,
        &[("content-type", &content_type), ("cookie", &cookie)],
        body.as_bytes(),
    );
    assert_eq!(status, 201, "{html}");
    assert!(html.contains("id=\"appeal-received\""));
}

#[test]
fn tip_off_to_decision_order_appeal_and_reversal_over_http() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (port, sim_port) = (free_port(), free_port());
    let moderator_pw = one_time_password(&data, "mo", "moderator");
    let reviewer_pw = one_time_password(&data, "rev", "reviewer");
    let added = harrier(&data)
        .args(["provider", "add", "examplenet", "--scopes", "orders"])
        .output()
        .unwrap();
    let key = word_after(&added, "hk_");
    let hook = harrier(&data)
        .args(["provider", "webhook", "examplenet", "--url"])
        .arg(format!("http://127.0.0.1:{sim_port}/webhook"))
        .output()
        .unwrap();
    let secret = word_after(&hook, "whsec_");

    let mut server = start_server(&data, port);
    let sim = start_sim(&data, sim_port, port, &secret, &key, 0);
    let moderator = sign_in(port, "mo", &moderator_pw);
    let reviewer = sign_in(port, "rev", &reviewer_pw);

    // The tip-off and its case.
    let (status, filed) = json(
        port,
        "POST",
        "/api/v1/reports",
        "",
        &j!({
            "category": "drugs", "good_faith": true, "platform": "examplenet",
            "explanation": "This account sells methamphetamine every evening.",
            "locations": [{"kind": "handle", "value": "@ice_seller_77"}]
        }),
    );
    assert_eq!(status, 201, "{filed}");
    let receipt = filed["receipt"].as_str().unwrap().to_owned();
    let (_, reports) = json(port, "GET", "/api/v1/reports", &moderator, &Value::Null);
    let report = reports["reports"][0]["id"].as_i64().unwrap();
    let (status, triaged) = json(
        port,
        "POST",
        &format!("/api/v1/reports/{report}/triage"),
        &moderator,
        &j!({"reason": "flow"}),
    );
    assert_eq!(status, 200, "{triaged}");
    let case = triaged["case_id"].as_i64().unwrap();

    // The decision and its order, delivered and answered.
    let (status, taken) = json(
        port,
        "POST",
        &format!("/api/v1/cases/{case}/decisions"),
        &moderator,
        &j!({
            "statement": {
                "ground": "illegal_content", "legal_ground": "Criminal Law Art. 347",
                "explanation": "Offers methamphetamine for sale.", "visibility": ["removed"],
                "account": "suspended", "facts": "Posts with prices per gram and delivery."
            },
            "notice_language": "en",
            "orders": [{"provider": "examplenet", "action": "remove", "legal_basis": "DSA Art. 9 order"}]
        }),
    );
    assert_eq!(status, 201, "{taken}");
    let order = taken["decision"]["orders"][0]["id"].as_i64().unwrap();
    // The link's host is `decisions.public_url`; the path is what matters.
    let code = taken["appeal_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap();
    let appeal_path = format!("/appeal/{code}");
    wait_for("the order to be applied at the provider", || {
        effects(sim_port).is_some_and(|(e, _)| e.iter().any(|x| x["order_id"] == order))
    });
    wait_for("the provider's answer", || {
        order_state(port, &moderator, order) == "actioned"
    });
    let (_, detail) = json(
        port,
        "GET",
        &format!("/api/v1/orders/{order}"),
        &moderator,
        &Value::Null,
    );
    assert_eq!(detail["answers"][0]["status"], "actioned", "{detail}");

    // The affected person appeals through the portal.
    appeal(port, &appeal_path);

    // The receiver goes down before the review; the reviewer reverses
    // (the decider may not); Harrier is killed with the reversal order
    // pending, starts again, and the receiver comes back.
    kill(sim);
    let (_, appeals) = json(port, "GET", "/api/v1/appeals", &reviewer, &Value::Null);
    let appeal_id = appeals["appeals"][0]["id"].as_i64().unwrap();
    let (status, _) = json(
        port,
        "POST",
        &format!("/api/v1/appeals/{appeal_id}/review"),
        &moderator,
        &j!({"outcome": "uphold", "reasons": "mine"}),
    );
    assert_eq!(status, 403, "the decider does not review");
    let (status, reviewed) = json(
        port,
        "POST",
        &format!("/api/v1/appeals/{appeal_id}/review"),
        &reviewer,
        &j!({"outcome": "reverse", "reasons": "The post quoted a news report about an arrest."}),
    );
    assert_eq!(status, 200, "{reviewed}");
    let (_, decision) = json(
        port,
        "GET",
        &format!("/api/v1/cases/{case}/decisions"),
        &moderator,
        &Value::Null,
    );
    let orders = decision["decisions"][0]["orders"]
        .as_array()
        .unwrap()
        .clone();
    let reversal = orders.iter().find(|o| o["action"] == "reinstate").unwrap();
    assert_eq!(reversal["reverses"], order);
    let reversal = reversal["id"].as_i64().unwrap();
    wait_for("a failed attempt of the reversal", || {
        let (_, d) = json(
            port,
            "GET",
            &format!("/api/v1/orders/{reversal}"),
            &moderator,
            &Value::Null,
        );
        d["delivery"]["attempts"].as_i64().unwrap_or(0) >= 1
    });
    kill(server);
    server = start_server(&data, port);
    let sim = start_sim(&data, sim_port, port, &secret, &key, 1);
    wait_for("the reversal to be applied and answered", || {
        order_state(port, &moderator, reversal) == "actioned"
    });

    let (applied, _) = effects(sim_port).unwrap();
    let count = |id: i64| applied.iter().filter(|e| e["order_id"] == id).count();
    assert_eq!(count(order), 1, "the removal was applied once");
    assert_eq!(
        count(reversal),
        1,
        "the reversal was applied once, though its first acknowledgement was lost"
    );
    assert!(
        applied
            .iter()
            .any(|e| e["order_id"] == reversal && e["action"] == "reinstate")
    );

    // The person and the reporter see the outcome.
    let (_, _, page) = call(port, "GET", &format!("{appeal_path}?lang=en"), &[], b"");
    assert!(page.contains("Reversed on appeal"), "{page}");
    assert!(page.contains("quoted a news report"));
    let (_, _, status_page) = call(port, "GET", &format!("/r/{receipt}?lang=en"), &[], b"");
    assert!(
        status_page.contains("data-state=\"appeal.state.reversed\""),
        "{status_page}"
    );
    kill(server);
    kill(sim);

    // The audit chain holds every step and verifies.
    let verified = harrier(&data).args(["audit", "verify"]).output().unwrap();
    assert!(verified.status.success(), "{verified:?}");
}
