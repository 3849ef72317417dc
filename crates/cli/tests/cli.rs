//! The `harrier` binary itself: commands run as a user would run them.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use std::path::Path;
use std::process::{Command, Output};

fn harrier(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_harrier"))
        .args(args)
        .env("HARRIER_STORAGE__DATA_DIR", data)
        .env("HARRIER_LOG", "warn")
        .env_remove("RUST_BACKTRACE")
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn count(data: &Path, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(data.join("harrier.db")).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

#[test]
fn config_example_prints_the_commented_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let out = harrier(dir.path(), &["config", "example"]);
    assert!(out.status.success());
    let printed = String::from_utf8(out.stdout).unwrap();
    assert!(printed.contains("# Address and port to listen on."));
    assert!(printed.contains("listen = \"127.0.0.1:8080\""));
}

#[test]
fn a_misspelt_setting_stops_the_binary_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_harrier"))
        .args(["config", "show"])
        .env("HARRIER_SERVER__LISTN", "x")
        .env("HARRIER_STORAGE__DATA_DIR", dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(text(&out).contains("listn"), "{}", text(&out));
}

#[test]
fn directory_import_reports_bad_rows_by_number_and_imports_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("services.csv");
    std::fs::write(
        &csv,
        "name,kind,address,city,latitude,longitude,phone,hours,languages,url\n\
         Good one,hotline,1 Road,Beijing,39.9,116.4,+86 10 5555 0100,24h,zh;en,https://example.org/a\n\
         Bad kind,rehab,2 Road,Beijing,39.9,116.4,x,y,zh,\n\
         Bad lat,hotline,3 Road,Beijing,99.9,116.4,x,y,zh,\n\
         Good two,legal_aid,4 Road,Shanghai,31.2,121.4,+86 21 5555 0101,9-17,zh,\n",
    )
    .unwrap();
    let data = dir.path().join("data");
    let out = harrier(&data, &["directory", "import", csv.to_str().unwrap()]);
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("row 3:") && said.contains("rehab"), "{said}");
    assert!(said.contains("row 4:") && said.contains("99.9"), "{said}");
    assert!(
        said.contains("imported 2 services, rejected 2 rows"),
        "{said}"
    );
    assert_eq!(count(&data, "SELECT count(*) FROM directory_services"), 2);
}

#[test]
fn mail_intake_imports_mbox_and_maildir_and_names_the_broken_message() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mbox = format!("{FIXTURES}/tipoffs.mbox");
    let out = harrier(&data, &["intake", "mail", &mbox]);
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("tipoffs.mbox (message 3): not imported"),
        "{said}"
    );
    assert!(
        said.contains("2 reports stored, 0 already imported, 1 not imported"),
        "{said}"
    );
    assert_eq!(
        count(
            &data,
            "SELECT count(*) FROM reports WHERE channel = 'email'"
        ),
        2
    );
    assert_eq!(
        count(
            &data,
            "SELECT count(*) FROM reports WHERE category = 'drugs'"
        ),
        1,
        "[drugs] tag read from the subject"
    );
    assert_eq!(
        count(&data, "SELECT count(*) FROM report_files"),
        1,
        "the text attachment is evidence"
    );
    assert_eq!(
        count(
            &data,
            "SELECT count(*) FROM reporter_contacts WHERE email = 'tipster@example.org'"
        ),
        1
    );
    let found = count(
        &data,
        "SELECT count(*) FROM subjects WHERE key IN ('https://example.test/shop/ice', 'wechat:ice_boss88', '+8613800138000')",
    );
    assert_eq!(found, 3, "locations extracted from the body");
    let html_kept_out = count(
        &data,
        "SELECT count(*) FROM reports WHERE description LIKE '%<b>%'",
    );
    assert_eq!(html_kept_out, 0, "HTML bodies become text");

    let again = harrier(&data, &["intake", "mail", &mbox]);
    assert!(
        text(&again).contains("0 reports stored, 2 already imported"),
        "{}",
        text(&again)
    );

    let maildir = format!("{FIXTURES}/maildir");
    let out = harrier(&data, &["intake", "mail", &maildir]);
    assert!(text(&out).contains("1 reports stored"), "{}", text(&out));
    assert_eq!(
        count(
            &data,
            "SELECT count(*) FROM reports WHERE category = 'firearms_explosives'"
        ),
        1
    );
}

#[test]
fn staff_add_prints_a_one_time_password_once() {
    let dir = tempfile::tempdir().unwrap();
    let out = harrier(dir.path(), &["staff", "add", "mei", "--role", "intake"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("one-time password: "));
    let again = harrier(dir.path(), &["staff", "add", "mei", "--role", "intake"]);
    assert!(!again.status.success());
    assert!(text(&again).contains("already exists"));
    let bad = harrier(dir.path(), &["staff", "add", "kai", "--role", "overlord"]);
    assert!(text(&bad).contains("not one of admin"));
}

#[test]
fn staff_reset_totp_removes_the_second_factor_of_a_named_account() {
    let dir = tempfile::tempdir().unwrap();
    let added = harrier(dir.path(), &["staff", "add", "root", "--role", "admin"]);
    assert!(
        text(&added).contains("authenticator app (TOTP)"),
        "{}",
        text(&added)
    );
    let db = rusqlite::Connection::open(dir.path().join("harrier.db")).unwrap();
    db.execute(
        "UPDATE staff SET totp_secret = 'v1.sealed', totp_confirmed = 1 WHERE name = 'root'",
        [],
    )
    .unwrap();
    let reset = harrier(dir.path(), &["staff", "reset-totp", "root"]);
    assert!(reset.status.success(), "{}", text(&reset));
    assert!(text(&reset).contains("authenticator app removed, every session ended"));
    let left: (Option<String>, bool) = db
        .query_row(
            "SELECT totp_secret, totp_confirmed FROM staff WHERE name = 'root'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(left, (None, false));
    let unknown = harrier(dir.path(), &["staff", "reset-totp", "nobody"]);
    assert!(!unknown.status.success());
    assert!(text(&unknown).contains("there is no staff account \"nobody\""));
}

/// Runs `harrier demo` until it serves, then stops it; returns what it printed.
fn demo_once(data: &Path) -> String {
    use std::io::BufRead;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_harrier"))
        .arg("demo")
        .env("HARRIER_STORAGE__DATA_DIR", data)
        .env("HARRIER_SERVER__LISTEN", format!("127.0.0.1:{port}"))
        .env("HARRIER_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut printed = String::new();
    for line in std::io::BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        printed.push_str(&line);
        printed.push('\n');
        if line.starts_with("Harrier is running") {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    printed
}

#[test]
fn demo_prints_passwords_once_and_never_resets_existing_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let first = demo_once(dir.path());
    assert!(first.contains("loaded 32 SAMPLE help services"), "{first}");
    assert!(
        first.contains("admin     role admin     password "),
        "{first}"
    );
    assert!(first.contains("12 new SAMPLE feed items"), "{first}");
    assert!(first.contains("3 new SAMPLE tip-offs"), "{first}");
    assert!(
        first.contains("analyst   role analyst   password "),
        "{first}"
    );
    assert!(
        first.contains("moderator role moderator password "),
        "{first}"
    );
    assert!(
        first.contains("reviewer  role reviewer  password "),
        "{first}"
    );
    assert!(first.contains("a SAMPLE decision was taken"), "{first}");
    assert!(first.contains("/appeal/"), "{first}");
    let hash = |d: &Path| -> String {
        let conn = rusqlite::Connection::open(d.join("harrier.db")).unwrap();
        conn.query_row(
            "SELECT password_hash FROM staff WHERE name = 'admin'",
            [],
            |r| r.get(0),
        )
        .unwrap()
    };
    let before = hash(dir.path());
    let second = demo_once(dir.path());
    assert!(second.contains("admin     exists already"), "{second}");
    assert!(
        !second.contains("a SAMPLE decision"),
        "one sample decision only: {second}"
    );
    assert!(second.contains("0 new SAMPLE feed items"), "{second}");
    assert!(second.contains("0 new SAMPLE tip-offs"), "{second}");
    assert_eq!(
        hash(dir.path()),
        before,
        "the admin's password is untouched"
    );
    assert_eq!(
        count(dir.path(), "SELECT count(*) FROM directory_services"),
        32,
        "the sample is replaced, not doubled"
    );
}

#[test]
fn a_mail_that_fails_validation_leaves_no_evidence_behind() {
    let dir = tempfile::tempdir().unwrap();
    let eml = dir.path().join("bare.eml");
    std::fs::write(
        &eml,
        "From: someone@example.org\r\nMessage-ID: <bare@example.org>\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
         --b\r\nContent-Type: text/plain; name=\"n.txt\"\r\nContent-Disposition: attachment; filename=\"n.txt\"\r\n\r\nonly an attachment\r\n--b--\r\n",
    )
    .unwrap();
    let data = dir.path().join("data");
    let out = harrier(&data, &["intake", "mail", eml.to_str().unwrap()]);
    assert!(
        text(&out).contains("not imported: description is required"),
        "{}",
        text(&out)
    );
    let blobs: Vec<_> = walk(&data.join("blobs"));
    assert!(blobs.is_empty(), "no blob for a refused mail: {blobs:?}");
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| !p.ends_with("tmp"))
        .flat_map(|p| if p.is_dir() { walk(&p) } else { vec![p] })
        .collect()
}

#[test]
fn audit_verify_finds_the_first_edited_entry_and_a_cut_off_head() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    for name in ["ana", "ben", "cai"] {
        let added = harrier(data, &["staff", "add", name, "--role", "analyst"]);
        assert!(added.status.success(), "{}", text(&added));
    }
    let verified = harrier(data, &["audit", "verify"]);
    assert!(verified.status.success(), "{}", text(&verified));
    assert!(text(&verified).contains("3 entries"), "{}", text(&verified));
    let head = harrier(data, &["audit", "head"]);
    let head = String::from_utf8(head.stdout).unwrap().trim().to_owned();
    assert!(head.starts_with("3:"), "{head}");
    let kept = harrier(data, &["audit", "verify", "--head", &head]);
    assert!(kept.status.success(), "{}", text(&kept));

    // Someone with the database file drops the guards and edits entry 2.
    let conn = rusqlite::Connection::open(data.join("harrier.db")).unwrap();
    conn.execute_batch(
        "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; \
         UPDATE audit_log SET detail = '{\"name\":\"ben\",\"role\":\"admin\"}' WHERE seq = 2;",
    )
    .unwrap();
    drop(conn);
    let broken = harrier(data, &["audit", "verify"]);
    assert!(!broken.status.success());
    assert!(text(&broken).contains("entry 2"), "{}", text(&broken));

    // Put it back and cut the newest entry off instead: only the kept head
    // shows it.
    let conn = rusqlite::Connection::open(data.join("harrier.db")).unwrap();
    conn.execute_batch(
        "UPDATE audit_log SET detail = '{\"name\":\"ben\",\"role\":\"analyst\"}' WHERE seq = 2; \
         DELETE FROM audit_log WHERE seq = 3;",
    )
    .unwrap();
    drop(conn);
    let cut = harrier(data, &["audit", "verify"]);
    assert!(cut.status.success(), "{}", text(&cut));
    let cut = harrier(data, &["audit", "verify", "--head", &head]);
    assert!(!cut.status.success());
    assert!(text(&cut).contains("not in the log"), "{}", text(&cut));
}
