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
