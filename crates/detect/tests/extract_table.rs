//! Runs the cases of testdata/extract.toml through `Extractors::extract`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use harrier_detect::extract::{DomainList, Entity, Extractors};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    case: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    text: String,
    entities: Vec<Expected>,
    regions: Option<Vec<String>>,
    lists: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    kind: String,
    value: String,
    span: String,
    detail: Option<String>,
    obfuscated: Option<bool>,
    listed: Option<String>,
}

fn extractors(case: &Case) -> Extractors {
    let mut extractors = Extractors::new();
    if let Some(regions) = &case.regions {
        let regions: Vec<&str> = regions.iter().map(String::as_str).collect();
        extractors = extractors.with_phone_regions(&regions).unwrap();
    }
    for list in case.lists.iter().flatten() {
        assert_eq!(list, "bad", "{}: unknown test list", case.name);
        extractors =
            extractors.with_domain_list(DomainList::from_lines("bad", "evil.cn\nscam-shop.top\n"));
    }
    extractors
}

/// What differs between an entity and its expectation, if anything.
fn mismatch(text: &str, got: &Entity, want: &Expected) -> Option<String> {
    let listed = got.listed.as_ref().map(|hit| hit.list.to_string());
    let wrong = got.kind.as_str() != want.kind
        || got.value != want.value
        || got.text(text) != want.span
        || want
            .detail
            .as_deref()
            .is_some_and(|d| got.detail != Some(d))
        || want.obfuscated.is_some_and(|o| got.obfuscated != o)
        || listed != want.listed;
    wrong.then(|| {
        format!(
            "got {} {:?} at {:?} (detail {:?}, obfuscated {}, listed {:?}), expected {} {:?} at {:?}",
            got.kind.as_str(),
            got.value,
            got.text(text),
            got.detail,
            got.obfuscated,
            listed,
            want.kind,
            want.value,
            want.span
        )
    })
}

#[test]
fn extract_table() {
    // Compiled in: unit tests do no I/O.
    let table: Table = toml::from_str(include_str!("../testdata/extract.toml")).unwrap();
    assert!(table.case.len() >= 50, "the table lost cases");
    let mut failures = Vec::new();
    for case in &table.case {
        let got = extractors(case).extract(&case.text);
        if got.len() != case.entities.len() {
            let found: Vec<String> = got
                .iter()
                .map(|e| {
                    format!(
                        "{} {:?} at {:?}",
                        e.kind.as_str(),
                        e.value,
                        e.text(&case.text)
                    )
                })
                .collect();
            failures.push(format!(
                "{}: {} entities, expected {}: {found:?}",
                case.name,
                got.len(),
                case.entities.len()
            ));
            continue;
        }
        for (got, want) in got.iter().zip(&case.entities) {
            if let Some(why) = mismatch(&case.text, got, want) {
                failures.push(format!("{}: {why}", case.name));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
