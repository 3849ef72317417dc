//! `harrier train` and `harrier eval` on the real SMS spam data.
//!
//! The data lives outside the repository (`../shared/data`); without it the
//! tests print why and pass.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use std::path::Path;
use std::process::{Command, Output};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data");

fn harrier(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_harrier"))
        .args(args)
        .env_remove("HARRIER_CONFIG")
        .output()
        .unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The F1 column of the row of `class` in eval's table.
fn f1_of(printed: &str, class: &str) -> f64 {
    let row = printed
        .lines()
        .find(|line| line.split_whitespace().next() == Some(class))
        .unwrap_or_else(|| panic!("no row for {class} in:\n{printed}"));
    let columns: Vec<&str> = row.split_whitespace().collect();
    columns[3].parse().unwrap()
}

#[test]
fn sms_spam_model_reaches_f1_095_on_held_out_test() {
    let sms = Path::new(DATA).join("sms-spam/SMSSpamCollection");
    if !sms.exists() {
        eprintln!("skipped: {} is missing", sms.display());
        return;
    }
    let sms = sms.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("sms.model");
    let model = model.to_str().unwrap();

    let trained = harrier(&[
        "train",
        "--data",
        sms,
        "--format",
        "sms",
        "--out",
        model,
        "--lambda",
        "1e-5",
        "--balanced",
        "false",
    ]);
    assert!(trained.status.success(), "{}", text(&trained));
    assert!(text(&trained).contains("wrote"), "{}", text(&trained));

    let evaluated = harrier(&[
        "eval",
        model,
        "--data",
        sms,
        "--format",
        "sms",
        "--examples",
        "1",
    ]);
    let printed = text(&evaluated);
    assert!(evaluated.status.success(), "{printed}");
    assert!(printed.contains("split: Test, 1114 items"), "{printed}");
    assert!(printed.contains("confusion matrix"), "{printed}");
    let f1 = f1_of(&printed, "spam");
    assert!(f1 >= 0.95, "spam F1 {f1} below 0.95:\n{printed}");
}

#[test]
fn eval_refuses_a_file_that_is_not_a_model() {
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("fake.model");
    std::fs::write(&fake, b"not a model at all").unwrap();
    let data = dir.path().join("data.csv");
    std::fs::write(&data, "text,label\nhello,0\n").unwrap();
    let out = harrier(&[
        "eval",
        fake.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--format",
        "csv",
    ]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("not a harrier classifier model"),
        "{}",
        text(&out)
    );
}

#[test]
fn csv_format_trains_and_evaluates() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data.csv");
    let mut rows = String::from("text,label\n");
    for i in 0..40 {
        rows.push_str(&format!("\"win a free prize {i}, call now\",spam\n"));
        rows.push_str(&format!("\"see you at lunch on day {i}\",ham\n"));
    }
    std::fs::write(&data, rows).unwrap();
    let model = dir.path().join("csv.model");
    let (data, model) = (data.to_str().unwrap(), model.to_str().unwrap());
    let trained = harrier(&[
        "train",
        "--data",
        data,
        "--format",
        "csv",
        "--positive",
        "spam",
        "--task",
        "spam",
        "--out",
        model,
        "--hash-bits",
        "16",
        "--lambda",
        "1e-5",
        "--balanced",
        "false",
    ]);
    assert!(trained.status.success(), "{}", text(&trained));
    let out = harrier(&[
        "eval", model, "--data", data, "--format", "csv", "--split", "all",
    ]);
    let printed = text(&out);
    assert!(out.status.success(), "{printed}");
    assert!(
        printed.contains("task spam (positive class spam)"),
        "{printed}"
    );
    assert!(printed.contains("accuracy 1.0000"), "{printed}");
}
