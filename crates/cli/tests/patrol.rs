//! The patrol end to end with real processes: a provider pushes 10,000
//! items through the API of `harrier serve` (no in-process workers); a
//! `harrier patrol` process scans them and is killed with SIGKILL half way;
//! a second one finishes. Every item is scanned, the signals are exactly
//! those `harrier scan` finds in the same items (nothing lost, nothing
//! twice), and each subject with a live signal has one open case.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

mod common;

use common::{free_port, request};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const ITEMS: usize = 10_000;
const BATCH: usize = 1_000;

fn harrier(data: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_harrier"));
    command
        .env_remove("HARRIER_CONFIG")
        .env("HARRIER_STORAGE__DATA_DIR", data)
        .env("HARRIER_LIMITS__ENABLED", "false")
        .env("HARRIER_LOG", "warn");
    command
}

fn start_server(data: &Path, port: u16) -> Child {
    let child = harrier(data)
        .arg("serve")
        .env("HARRIER_SERVER__LISTEN", format!("127.0.0.1:{port}"))
        .env("HARRIER_PATROL__WORKERS", "0")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    common::wait_ready(child, port)
}

fn start_patrol(data: &Path) -> Child {
    harrier(data)
        .arg("patrol")
        .env("HARRIER_PATROL__PATROL_WORKERS", "2")
        .env("HARRIER_PATROL__BATCH", "50")
        .env("HARRIER_PATROL__LEASE_SECONDS", "2")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// The items: ordinary posts, and every 40th a drug sale with a contact
/// from one of 25 seller accounts; a few Traditional and spaced-out.
fn items() -> Vec<serde_json::Value> {
    (0..ITEMS)
        .map(|i| {
            let (account, text) = if i % 40 == 7 {
                let text = match i % 3 {
                    0 => format!("出冰 {} 元/克 同城到付 加微信 bing_{i}", 100 + i % 50),
                    1 => format!("出貨 冰毒 {}元 加V信 sell{i}", 300 + i % 9),
                    _ => format!("k e t a m i n e for sale, text me +1 (415) 555-{:04}", i % 10_000),
                };
                (format!("seller{}", i % 25), text)
            } else {
                (
                    format!("user{}", i % 997),
                    format!("第{i}条：今天去公园散步，天气很好，晚上和朋友吃饭。"),
                )
            };
            serde_json::json!({"id": format!("it-{i}"), "kind": "post", "account": account, "text": text})
        })
        .collect()
}

fn count(db: &rusqlite::Connection, sql: &str) -> i64 {
    db.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn ten_thousand_items_survive_a_killed_worker_without_loss_or_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");

    let added = harrier(&data)
        .args(["provider", "add", "acme", "--scopes", "feed"])
        .output()
        .unwrap();
    assert!(added.status.success(), "{added:?}");
    let printed = String::from_utf8_lossy(&added.stdout).into_owned();
    let key = printed
        .split_whitespace()
        .find(|w| w.starts_with("hk_"))
        .unwrap()
        .to_owned();

    let port = free_port();
    let mut server = start_server(&data, port);
    let items = items();
    for batch in items.chunks(BATCH) {
        let body = serde_json::json!({ "items": batch }).to_string();
        let raw = format!(
            "POST /api/v1/items HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let answer = request(port, raw.as_bytes()).unwrap();
        assert!(
            answer.starts_with("HTTP/1.1 200"),
            "{}",
            &answer[..answer.len().min(500)]
        );
        assert!(
            answer.contains(&format!("\"accepted\":{}", batch.len())),
            "{answer}"
        );
    }
    server.kill().unwrap();
    server.wait().unwrap();

    // What the ruleset finds in these items, item by item.
    let mut jsonl = String::new();
    for item in &items {
        // scan reads the detection engine's item: no kind.
        let mut item = item.clone();
        item.as_object_mut().unwrap().remove("kind");
        jsonl.push_str(&item.to_string());
        jsonl.push('\n');
    }
    let items_file = dir.path().join("items.jsonl");
    std::fs::write(&items_file, jsonl).unwrap();
    let scanned = harrier(&data)
        .args(["scan", "--rules", data.join("rules").to_str().unwrap()])
        .arg(&items_file)
        .output()
        .unwrap();
    assert!(scanned.status.success(), "{scanned:?}");
    let expected: BTreeSet<(String, String)> = String::from_utf8_lossy(&scanned.stdout)
        .lines()
        .map(|line| {
            let signal: serde_json::Value = serde_json::from_str(line).unwrap();
            (
                signal["item"].as_str().unwrap().to_owned(),
                signal["rule"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        expected.len() >= 200,
        "the planted sales should signal: {}",
        expected.len()
    );

    // A patrol process, killed half way.
    let db = rusqlite::Connection::open(data.join("harrier.db")).unwrap();
    let mut first = start_patrol(&data);
    // Polls, not a clock: at most 300 s.
    let scanned = "SELECT COUNT(*) FROM items WHERE scanned_at IS NOT NULL";
    let mut polls = 0;
    while count(&db, scanned) < 2_000 {
        polls += 1;
        assert!(polls < 15_000, "the patrol made no progress");
        std::thread::sleep(Duration::from_millis(20));
    }
    first.kill().unwrap(); // SIGKILL, in the middle of its batches
    first.wait().unwrap();
    let left = count(&db, "SELECT COUNT(*) FROM item_queue");
    assert!(left > 0, "the kill came too late to test anything");

    let mut second = start_patrol(&data);
    let mut polls = 0;
    while count(&db, "SELECT COUNT(*) FROM item_queue") > 0 {
        polls += 1;
        assert!(polls < 6_000, "the queue did not drain");
        std::thread::sleep(Duration::from_millis(50));
    }
    second.kill().unwrap();
    second.wait().unwrap();

    assert_eq!(count(&db, "SELECT COUNT(*) FROM items"), ITEMS as i64);
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM items WHERE scanned_at IS NULL"),
        0
    );
    let mut stored = db
        .prepare("SELECT i.external_id, s.rule FROM signals s JOIN items i ON i.id = s.item_id")
        .unwrap();
    let stored: Vec<(String, String)> = stored
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let distinct: BTreeSet<(String, String)> = stored.iter().cloned().collect();
    assert_eq!(stored.len(), distinct.len(), "a signal was stored twice");
    assert_eq!(
        distinct, expected,
        "the stored signals differ from harrier scan's"
    );

    // One open case per subject with a live signal, holding every live signal.
    let subjects = count(
        &db,
        "SELECT COUNT(DISTINCT subject_id) FROM signals WHERE live = 1",
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM cases WHERE state <> 'closed'"),
        subjects
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM case_signals"),
        count(&db, "SELECT COUNT(*) FROM signals WHERE live = 1")
    );
    assert!(
        subjects <= 25,
        "signals on harmless accounts: {subjects} subjects"
    );

    // A backtest of a candidate without the drug rules: it reports what the
    // candidate would lose and writes nothing.
    let candidate = dir.path().join("candidate");
    std::fs::create_dir_all(candidate.join("rules")).unwrap();
    for sub in ["lexicons", "patterns"] {
        std::fs::create_dir_all(candidate.join(sub)).unwrap();
        for entry in std::fs::read_dir(data.join("rules").join(sub)).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), candidate.join(sub).join(entry.file_name())).unwrap();
        }
    }
    for entry in std::fs::read_dir(data.join("rules/rules")).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name() != "drugs.toml" {
            std::fs::copy(
                entry.path(),
                candidate.join("rules").join(entry.file_name()),
            )
            .unwrap();
        }
    }
    let signals_before = count(&db, "SELECT COUNT(*) FROM signals");
    let backtest = harrier(&data)
        .args(["rules", "backtest", "--since", "1d"])
        .arg(&candidate)
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&backtest.stdout).into_owned();
    assert!(backtest.status.success(), "{backtest:?}");
    assert!(
        printed.contains(&format!("backtest over {ITEMS} items")),
        "{printed}"
    );
    assert!(
        printed.contains("| drugs.sale | drugs | live |"),
        "{printed}"
    );
    let lost = printed
        .lines()
        .find(|l| l.starts_with("items with a live signal from the current ruleset only"))
        .unwrap();
    assert!(!lost.contains("only: 0"), "{printed}");
    assert!(printed.contains("nothing was written"), "{printed}");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM signals"), signals_before);
}

/// Waits until `log` holds `needle` (at most 60 s of polls).
fn wait_for(log: &Path, needle: &str) -> String {
    for _ in 0..1_200 {
        let text = read_log(log);
        if text.contains(needle) {
            return text;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{needle:?} never appeared in the log:\n{}", read_log(log));
}

/// A text file of the test (a log, a rule file), read under a cap.
fn read_log(log: &Path) -> String {
    harrier_core::bounded::read_file(log, 1 << 20)
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default()
}

#[cfg(unix)]
#[test]
fn sighup_swaps_in_a_ruleset_that_compiles_and_keeps_the_old_one_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("patrol.log");
    let mut patrol = harrier(&data)
        .arg("patrol")
        .env("HARRIER_LOG", "info")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    wait_for(&log, "patrol worker started");
    let hup = |pid: u32| {
        let sent = Command::new("kill")
            .args(["-HUP", &pid.to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
    };

    // A changed rule file: a new version.
    let drugs = data.join("rules/rules/drugs.toml");
    let mut text = read_log(&drugs);
    text.push_str("\n# reviewed 2026-11-24\n");
    std::fs::write(&drugs, &text).unwrap();
    hup(patrol.id());
    let printed = wait_for(&log, "ruleset reloaded");

    // A broken one: refused, named, the old one stays.
    std::fs::write(&drugs, format!("{text}\n[[rule]]\nid = \"broken\"\n")).unwrap();
    hup(patrol.id());
    let printed_after = wait_for(&log, "does not compile; the old one stays");
    patrol.kill().unwrap();
    patrol.wait().unwrap();
    assert!(printed.contains("version="), "{printed}");
    assert!(printed_after.contains("drugs.toml"), "{printed_after}");
}
