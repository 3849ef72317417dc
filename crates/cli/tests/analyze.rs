//! `harrier analyze coordination` run as an analyst would: a CSV and a
//! JSON-lines file of posts in, groups and edges out.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use std::process::Command;

fn harrier(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_harrier"))
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .output()
        .unwrap()
}

fn read(path: &std::path::Path) -> String {
    String::from_utf8(harrier_core::bounded::read_file(path, 1 << 24).unwrap()).unwrap()
}

/// Three accounts post the same offer within minutes, twice; two ordinary
/// accounts post other things; one row has a broken time.
fn csv_input() -> String {
    let mut csv = String::from("id,account,time,text,urls\n");
    let offer = "专业删帖删差评，24小时处理，加微信 shantie_kefu88";
    for wave in 0..2 {
        for (i, account) in ["ring_a", "ring_b", "ring_c"].iter().enumerate() {
            let time = 1_700_000_000 + wave * 20_000 + i as i64 * 60;
            csv.push_str(&format!(
                "{wave}{i},{account},{time},\"{offer}\",https://shantie.example/{wave}\n"
            ));
        }
    }
    csv.push_str("o1,ordinary1,1700000030,今天天气不错，去公园散步了,\n");
    csv.push_str("o2,ordinary2,1700000090,\"新开的面馆味道很好, recommended\",\n");
    csv.push_str("bad,ordinary3,not-a-time,hello,\n");
    csv
}

#[test]
fn csv_in_folder_out() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("posts.csv");
    std::fs::write(&input, csv_input()).unwrap();
    let out = dir.path().join("result");
    let output = harrier(&[
        "analyze",
        "coordination",
        "--input",
        input.to_str().unwrap(),
        "--window",
        "10m",
        "--out",
        out.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("row 10: time \"not-a-time\""), "{stderr}");
    let groups = read(&out.join("groups.csv"));
    let members: Vec<&str> = groups
        .lines()
        .skip(1)
        .map(|line| line.split(',').nth(1).unwrap())
        .collect();
    assert_eq!(members, vec!["ring_a", "ring_b", "ring_c"]);
    let edges = read(&out.join("edges.csv"));
    // Every kind ties each ordered pair once per wave: weight 2.
    assert!(edges.contains("co_post,ring_a,ring_b,2"), "{edges}");
    assert!(edges.contains("co_contact,ring_c,ring_a,2"), "{edges}");
    assert!(edges.contains("co_domain,ring_b,ring_c,2"), "{edges}");
    assert!(edges.contains("co_link,ring_a,ring_c,2"), "{edges}");
    assert!(!edges.contains("ordinary"), "{edges}");
    let json: serde_json::Value = serde_json::from_str(&read(&out.join("groups.json"))).unwrap();
    let group = &json["groups"][0];
    assert!(group["scores"]["commercial_share"].as_f64().unwrap() > 0.99);
    assert!(group["scores"]["synchrony"].as_f64().unwrap() > 0.5);
}

#[test]
fn jsonl_in_json_out_with_timings() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("posts.jsonl");
    let mut lines = String::new();
    for (n, line) in csv_input().lines().skip(1).enumerate() {
        let fields: Vec<&str> = line.splitn(4, ',').collect();
        let time: serde_json::Value = fields[2]
            .parse::<i64>()
            .map_or(serde_json::json!(fields[2]), |t| serde_json::json!(t));
        let text = fields[3]
            .rsplit_once(',')
            .map_or(fields[3], |(t, _)| t)
            .trim_matches('"');
        lines.push_str(
            &serde_json::json!({"id": format!("j{n}"), "account": fields[1], "time": time, "text": text})
                .to_string(),
        );
        lines.push('\n');
    }
    std::fs::write(&input, lines).unwrap();
    let out = dir.path().join("result.json");
    let output = harrier(&[
        "analyze",
        "coordination",
        "--input",
        input.to_str().unwrap(),
        "--window",
        "600",
        "--kinds",
        "post",
        "--timings",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let timings: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&output.stdout).trim()).unwrap();
    assert_eq!(timings["posts"], 8);
    assert_eq!(timings["groups"], 1);
    let json: serde_json::Value = serde_json::from_str(&read(&out)).unwrap();
    assert_eq!(json["groups"][0]["members"].as_array().unwrap().len(), 3);
    assert!(
        json["edges"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["kind"] == "post")
    );
}

#[test]
fn unknown_kind_is_refused() {
    let output = harrier(&[
        "analyze",
        "coordination",
        "--input",
        "/nonexistent.csv",
        "--kinds",
        "post,telepathy",
        "--out",
        "/tmp/x.json",
    ]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("telepathy"));
}
