//! `harrier scan` and `harrier rules` run as a user would run them, on the
//! shipped ruleset (`rules/` at the repository root).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use std::io::Write;
use std::process::{Command, Output, Stdio};

const RULES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../rules");

fn harrier(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_harrier"))
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn scan_writes_signals_and_skips_malformed_lines_by_number() {
    let input = concat!(
        r#"{"id":"a1","text":"冰毒出货，同城可送，加微信 abc_12345","lang":"zh","account":"u1","ts":1700000000}"#,
        "\n",
        "{not json\n",
        r#"{"id":"a2","txt":"typo in a field name"}"#,
        "\n",
        "\n",
        r#"{"id":"a3","text":"警方破获一起贩卖冰毒案"}"#,
        "\n",
    );
    let out = harrier(&["scan", "--rules", RULES, "-"], input);
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{stderr}");
    let signals: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!signals.is_empty());
    assert!(signals.iter().all(|s| s["item"] == "a1"), "{stdout}");
    let sale = signals
        .iter()
        .find(|s| s["rule"] == "drugs.sale")
        .expect("drugs.sale");
    assert_eq!(sale["category"], "drugs");
    assert_eq!(sale["severity"], "high");
    assert!(sale["ruleset_version"].as_str().unwrap().len() == 16);
    let spans: Vec<&str> = sale["explanation"]["spans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["text"].as_str().unwrap())
        .collect();
    assert!(spans.contains(&"冰毒"), "{spans:?}");
    assert!(stderr.contains("line 2: not an item"), "{stderr}");
    assert!(
        stderr.contains("line 3: not an item") && stderr.contains("unknown field `txt`"),
        "{stderr}"
    );
    assert!(stderr.contains("scanned 2 items"), "{stderr}");
    assert!(stderr.contains("2 malformed lines skipped"), "{stderr}");
}

#[test]
fn scan_explain_is_readable_and_shows_no_control_characters() {
    let input = "{\"id\":\"x\",\"text\":\"\\u001b[31m有冰*毒，300一克，到付\"}\n";
    let out = harrier(&["scan", "--rules", RULES, "--explain", "-"], input);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success());
    assert!(stdout.contains("drugs.sale"), "{stdout}");
    assert!(stdout.contains("[冰*毒]"), "{stdout}");
    assert!(stdout.contains("lexicon drugs/substance: 冰毒"), "{stdout}");
    assert!(
        !stdout.contains('\u{1b}'),
        "a terminal escape from the content reached the terminal"
    );
}

#[test]
fn scan_of_a_missing_file_or_folder_says_which() {
    let out = harrier(&["scan", "--rules", RULES, "/nonexistent/items.jsonl"], "");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("could not open /nonexistent/items.jsonl")
    );
    let out = harrier(&["scan", "--rules", "/nonexistent/rules", "-"], "");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no ruleset folder at /nonexistent/rules")
    );
}

#[test]
fn rules_check_and_test_pass_on_the_shipped_ruleset() {
    let out = harrier(&["rules", "check", "--rules", RULES], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("compiles"));
    let out = harrier(&["rules", "test", "--rules", RULES], "");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("examples behave as written"), "{stdout}");
}

#[test]
fn rules_check_names_file_line_and_rule_of_every_error() {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["lexicons", "patterns", "rules"] {
        std::fs::create_dir(dir.path().join(sub)).unwrap();
    }
    std::fs::write(
        dir.path().join("patterns/p.toml"),
        "[[pattern]]\nid = \"price.bad\"\nkind = \"price\"\nregex = '\\d{2'\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("rules/r.toml"),
        "[[rule]]\nid = \"x.y\"\ncategory = \"drugs\"\nseverity = \"high\"\ndescription = \"d\"\nall = [\"entity:fax\"]\n",
    )
    .unwrap();
    let out = harrier(
        &["rules", "check", "--rules", dir.path().to_str().unwrap()],
        "",
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("patterns/p.toml:4: price.bad: regex does not compile"),
        "{stderr}"
    );
    assert!(
        stderr.contains("rules/r.toml:6: x.y: \"entity:fax\""),
        "{stderr}"
    );
}

#[test]
fn rules_test_reports_a_failing_example() {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["lexicons", "rules"] {
        std::fs::create_dir(dir.path().join(sub)).unwrap();
    }
    std::fs::write(
        dir.path().join("lexicons/d.toml"),
        "id = \"d\"\ncategory = \"drugs\"\n[[group]]\nkind = \"substance\"\nlang = \"zh\"\nweight = 0.9\nterms = [\"冰毒\"]\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("rules/r.toml"),
        "[[rule]]\nid = \"x.y\"\ncategory = \"drugs\"\nseverity = \"high\"\ndescription = \"d\"\nall = [\"lexicon:d\"]\nmust_match = [\"海洛因\"]\nmust_not_match = [\"冰毒\"]\n",
    )
    .unwrap();
    let out = harrier(
        &["rules", "test", "--rules", dir.path().to_str().unwrap()],
        "",
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(
        stdout.contains("x.y: must match but does not: \"海洛因\""),
        "{stdout}"
    );
    assert!(
        stdout.contains("x.y: must not match but does: \"冰毒\""),
        "{stdout}"
    );
}
