//! The ring analysis as the platform runs it: feed items stored through
//! `harrier import items`, `harrier analyze coordination --window 24h`
//! finds the crew among ordinary posts, stores it as a group subject with
//! its members and items, opens one case on it with every member, and a
//! second run updates the group without a second signal or case.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use std::path::Path;
use std::process::{Command, Output};

fn harrier(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_harrier"))
        .args(args)
        .env_remove("HARRIER_CONFIG")
        .env("HARRIER_STORAGE__DATA_DIR", data)
        .env("HARRIER_LOG", "warn")
        .output()
        .unwrap()
}

fn ok(output: &Output) -> String {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{text}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn count(data: &Path, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(data.join("harrier.db")).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn a_crew_in_the_feed_becomes_a_group_with_one_case() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    ok(&harrier(
        data,
        &["provider", "add", "weibo", "--scopes", "feed"],
    ));
    let mut lines = Vec::new();
    // Six accounts post the same attack on a restaurant, twice each, and
    // one of them offers to delete such posts for money.
    let attack = [
        "老王烧烤店是黑店，用过期肉，吃完拉肚子，大家避雷！",
        "曝光老王烧烤店 卫生太差 后厨有老鼠 已经投诉了",
    ];
    for crew in 0..6 {
        for (n, text) in attack.iter().enumerate() {
            lines.push(serde_json::json!({
                "id": format!("crew-{crew}-{n}"), "account": format!("shill_{crew}"), "text": text,
                "ts": 1_764_000_000 + crew * 60 + n as i64 * 600,
            }));
        }
    }
    lines.push(serde_json::json!({
        "id": "offer", "account": "shill_0", "ts": 1_764_003_000,
        "text": "差评太多？专业删帖删差评，价格优惠，联系微信 delpost88",
    }));
    // Ordinary posts: each account says something of its own.
    for n in 0..60 {
        lines.push(serde_json::json!({
            "id": format!("bg-{n}"), "account": format!("user_{n}"),
            "ts": 1_764_000_000 + n * 97,
            "text": format!("今天第{n}次去公园散步，天气不错，拍了{n}张照片"),
        }));
    }
    let file = data.join("items.jsonl");
    let body: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    std::fs::write(&file, body.join("\n")).unwrap();
    ok(&harrier(
        data,
        &[
            "import",
            "items",
            file.to_str().unwrap(),
            "--provider",
            "weibo",
        ],
    ));

    let first: serde_json::Value = serde_json::from_str(&ok(&harrier(
        data,
        &["analyze", "coordination", "--window", "24h"],
    )))
    .unwrap();
    assert_eq!(first["posts"], 73, "{first}");
    assert_eq!(first["groups"], 1, "{first}");
    assert_eq!(first["stored"]["new"], 1, "{first}");
    assert_eq!(first["stored"]["cases_opened"], 1, "{first}");

    assert_eq!(count(data, "SELECT COUNT(*) FROM ring_members"), 6);
    assert_eq!(
        count(
            data,
            "SELECT COUNT(*) FROM ring_members m JOIN subjects s ON s.id = m.subject_id \
             WHERE s.key LIKE 'user_%'"
        ),
        0,
        "no ordinary account is grouped"
    );
    assert_eq!(
        count(
            data,
            "SELECT COUNT(*) FROM ring_groups WHERE category = 'extortion_paid_deletion'"
        ),
        1,
        "the deletion offer is linked to the attack"
    );
    // One case on the group subject, holding the group and its six members.
    assert_eq!(
        count(
            data,
            "SELECT COUNT(*) FROM cases c JOIN subjects s ON s.id = c.subject_id WHERE s.kind = 'group'"
        ),
        1
    );
    assert_eq!(count(data, "SELECT COUNT(*) FROM case_subjects"), 7);
    assert_eq!(
        count(
            data,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'ring.group_found'"
        ),
        1
    );

    // The same run again: the group is updated, nothing is added twice.
    let second: serde_json::Value = serde_json::from_str(&ok(&harrier(
        data,
        &["analyze", "coordination", "--window", "24h"],
    )))
    .unwrap();
    assert_eq!(second["stored"]["new"], 0, "{second}");
    assert_eq!(second["stored"]["updated"], 1, "{second}");
    assert_eq!(second["stored"]["cases_opened"], 0, "{second}");
    assert_eq!(count(data, "SELECT COUNT(*) FROM cases"), 1);
    assert_eq!(
        count(
            data,
            "SELECT COUNT(*) FROM signals WHERE rule = 'ring.group'"
        ),
        1
    );
    assert_eq!(count(data, "SELECT runs FROM ring_groups"), 2);
    ok(&harrier(data, &["audit", "verify"]));
}
