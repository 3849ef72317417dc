//! Running `harrier serve` and `harrier provider-sim` as processes, for
//! the tests of orders and their delivery.

use super::request;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub fn harrier(data: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_harrier"));
    command
        .env_remove("HARRIER_CONFIG")
        .env("HARRIER_STORAGE__DATA_DIR", data)
        .env("HARRIER_LIMITS__ENABLED", "false")
        .env("HARRIER_PATROL__WORKERS", "0")
        .env("HARRIER_RING__ENABLED", "false")
        .env("HARRIER_ORDERS__INTERVAL_SECONDS", "1")
        .env("HARRIER_ORDERS__RETRY_BASE_SECONDS", "1")
        .env("HARRIER_ORDERS__RETRY_CAP_SECONDS", "2")
        .env("HARRIER_ORDERS__TIMEOUT_SECONDS", "2")
        .env("HARRIER_LOG", "warn");
    command
}

pub fn start_server(data: &Path, port: u16) -> Child {
    let child = harrier(data)
        .arg("serve")
        .env("HARRIER_SERVER__LISTEN", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    super::wait_ready(child, port)
}

/// What the sim says it applied: (effects, duplicates), or None while it
/// does not answer.
pub fn effects(port: u16) -> Option<(Vec<serde_json::Value>, u64)> {
    let answer = request(
        port,
        b"GET /effects HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )?;
    let body = answer.split_once("\r\n\r\n")?.1;
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    Some((
        value["effects"].as_array()?.clone(),
        value["duplicates"].as_u64()?,
    ))
}

pub fn start_sim(
    data: &Path,
    sim_port: u16,
    port: u16,
    secret: &str,
    key: &str,
    fail: u32,
) -> Child {
    let child = harrier(data)
        .args(["provider-sim", "--listen"])
        .arg(format!("127.0.0.1:{sim_port}"))
        .args(["--secret", secret, "--key", key, "--answer", "actioned"])
        .arg("--harrier")
        .arg(format!("http://127.0.0.1:{port}"))
        .arg("--state")
        .arg(data.join("sim-state.jsonl"))
        .args(["--fail-first", &fail.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for("the provider-sim to answer", || effects(sim_port).is_some());
    child
}

/// Polls `done` every 100 ms, for at most three minutes.
pub fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..1800 {
        if done() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("gave up waiting for {what}");
}

pub fn kill(mut child: Child) {
    child.kill().unwrap();
    child.wait().unwrap();
}

pub fn word_after(output: &std::process::Output, prefix: &str) -> String {
    assert!(output.status.success(), "{output:?}");
    String::from_utf8_lossy(&output.stdout)
        .split_whitespace()
        .find(|w| w.starts_with(prefix))
        .unwrap()
        .to_owned()
}

/// One HTTP exchange with the server on `port`: (status, head, body).
pub fn call(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String, String) {
    let mut raw = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    )
    .into_bytes();
    for (k, v) in headers {
        raw.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    raw.extend_from_slice(b"\r\n");
    raw.extend_from_slice(body);
    let answer = request(port, &raw).expect("the server answers");
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, head.to_owned(), body.to_owned())
}

/// A JSON call with a bearer token: (status, parsed body).
pub fn json(
    port: u16,
    method: &str,
    path: &str,
    token: &str,
    body: &serde_json::Value,
) -> (u16, serde_json::Value) {
    let auth = format!("Bearer {token}");
    let mut headers = vec![("content-type", "application/json")];
    if !token.is_empty() {
        headers.push(("authorization", auth.as_str()));
    }
    let text = if body.is_null() {
        String::new()
    } else {
        body.to_string()
    };
    let (status, _, answer) = call(port, method, path, &headers, text.as_bytes());
    (
        status,
        serde_json::from_str(&answer).unwrap_or(serde_json::Value::Null),
    )
}
