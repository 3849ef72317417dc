//! The shipped ruleset (`rules/` at the repository root) on the cases of
//! `testdata/rules.toml`: expected categories and spans, obfuscated
//! variants included; and every rule's own examples.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use harrier_detect::item::Item;
use harrier_detect::rules::{Ruleset, RulesetInput, Scratch, SourceFile};
use harrier_detect::signal::RuleState;
use serde::Deserialize;
use std::path::Path;

#[derive(Deserialize)]
struct Table {
    case: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    text: String,
    categories: Vec<String>,
    #[serde(default)]
    spans: Vec<String>,
}

fn files(dir: &Path) -> Vec<SourceFile> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            #[allow(clippy::disallowed_methods)] // the test reads the repository's own small files
            let content = std::fs::read_to_string(&path).unwrap();
            out.push(SourceFile {
                path: path.display().to_string(),
                content,
            });
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

fn shipped() -> Ruleset {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules");
    let input = RulesetInput {
        lexicons: files(&root.join("lexicons")),
        patterns: files(&root.join("patterns")),
        rules: files(&root.join("rules")),
        ..Default::default()
    };
    Ruleset::compile(&input).unwrap_or_else(|errors| panic!("{errors}"))
}

#[test]
fn shipped_rules_on_the_cases() {
    let ruleset = shipped();
    let table: Table = toml::from_str(include_str!("../testdata/rules.toml")).unwrap();
    let mut scratch = Scratch::default();
    let mut failures = Vec::new();
    for case in &table.case {
        let item = Item {
            id: case.name.clone(),
            text: case.text.clone(),
            ..Default::default()
        };
        let signals = ruleset.scan(&item, &mut scratch);
        let live: Vec<_> = signals
            .iter()
            .filter(|s| s.state == RuleState::Live)
            .collect();
        let mut categories: Vec<String> = live.iter().map(|s| s.category.clone()).collect();
        categories.sort();
        categories.dedup();
        if categories != case.categories {
            failures.push(format!(
                "{}: categories {categories:?}, expected {:?}",
                case.name, case.categories
            ));
            continue;
        }
        for span in &case.spans {
            let found = live
                .iter()
                .flat_map(|s| &s.explanation.spans)
                .any(|s| s.text == *span && case.text.get(s.start..s.end) == Some(span.as_str()));
            if !found {
                failures.push(format!("{}: no span {span:?} in {:?}", case.name, live));
            }
        }
        for signal in &live {
            assert_eq!(signal.ruleset_version, ruleset.version);
            assert!(!signal.explanation.summary.is_empty());
            assert!(signal.score > 0.0 && signal.score <= 1.0);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_rule_example_behaves() {
    let ruleset = shipped();
    let failures = ruleset.test_examples();
    let text: Vec<String> = failures.iter().map(ToString::to_string).collect();
    assert!(failures.is_empty(), "{}", text.join("\n"));
}

#[test]
fn compile_errors_name_file_line_and_rule() {
    let input = RulesetInput {
        lexicons: vec![SourceFile {
            path: "lexicons/a.toml".into(),
            content: "id = \"a\"\ncategory = \"drugs\"\n[[group]]\nkind = \"substance\"\nlang = \"zh\"\nweight = 1.0\nterms = [\"冰毒\"]\n".into(),
        }],
        rules: vec![SourceFile {
            path: "rules/r.toml".into(),
            content: "[[rule]]\nid = \"x.one\"\ncategory = \"drugs\"\nseverity = \"high\"\ndescription = \"d\"\nall = [\"lexicon:nope\"]\n\n[[rule]]\nid = \"x.two\"\ncategory = \"politics\"\nseverity = \"high\"\ndescription = \"d\"\nall = [\"lexicon:a\"]\n".into(),
        }],
        categories: Some(vec!["drugs".into()]),
        ..Default::default()
    };
    let errors = Ruleset::compile(&input).unwrap_err().to_string();
    assert!(
        errors.contains("rules/r.toml:2: x.one: unknown lexicon \"nope\""),
        "{errors}"
    );
    assert!(
        errors.contains("rules/r.toml:9: x.two: category \"politics\" is not in the taxonomy"),
        "{errors}"
    );
}

#[test]
fn version_changes_with_any_file() {
    let a = RulesetInput {
        rules: vec![SourceFile {
            path: "r.toml".into(),
            content: "".into(),
        }],
        ..Default::default()
    };
    let mut b = a.clone();
    b.rules[0].content.push('\n');
    assert_ne!(a.version(), b.version());
    assert_eq!(a.version(), a.clone().version());
}

#[test]
fn hash_lists_and_domain_lists_feed_rules() {
    let listed = "f".repeat(64);
    // Three bits away from the listed hash.
    let near = format!("{}{}", "e".repeat(3), "f".repeat(61));
    let input = RulesetInput {
        rules: vec![SourceFile {
            path: "rules/r.toml".into(),
            content: "[[rule]]\nid = \"img.known\"\ncategory = \"illegal_pornography\"\nseverity = \"critical\"\ndescription = \"known image\"\nall = [\"hash:known\"]\n\n[[rule]]\nid = \"url.listed\"\ncategory = \"fraud_scams\"\nseverity = \"high\"\ndescription = \"listed domain\"\nall = [\"entity:domain/listed\"]\n".into(),
        }],
        hash_lists: vec![SourceFile { path: "lists/hashes/known.pdq.txt".into(), content: format!("{listed},case 12\n") }],
        domain_lists: vec![SourceFile { path: "lists/domains/bad.txt".into(), content: "evil-wallet.xyz\n".into() }],
        ..Default::default()
    };
    let ruleset = Ruleset::compile(&input).unwrap_or_else(|errors| panic!("{errors}"));
    assert_eq!(ruleset.stats().hash_list_entries, 1);
    let item: Item = serde_json::from_value(serde_json::json!({
        "id": "i1",
        "text": "claim your airdrop at https://login.evil-wallet.xyz/claim now",
        "images": [{"pdq": near}],
    }))
    .unwrap();
    let signals = ruleset.scan(&item, &mut Scratch::default());
    let rules: Vec<&str> = signals.iter().map(|s| s.rule.as_str()).collect();
    assert_eq!(rules, vec!["img.known", "url.listed"], "{signals:?}");
    let image = &signals[0];
    assert!(
        image.explanation.features[0]
            .name
            .contains("hash list known (pdq distance 3): case 12"),
        "{image:?}"
    );
    let url = &signals[1];
    assert!(
        url.explanation
            .spans
            .iter()
            .any(|s| s.text.contains("evil-wallet.xyz")),
        "{url:?}"
    );
    // The same text without the image and with another domain gives nothing.
    let clean = Item {
        id: "i2".into(),
        text: "see https://example.org".into(),
        ..Default::default()
    };
    assert!(ruleset.scan(&clean, &mut Scratch::default()).is_empty());
}
