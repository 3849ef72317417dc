//! Runs the cases of testdata/normalize.toml through `normalize`.

use harrier_detect::normalize::{Steps, normalize};
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
    input: String,
    expected: String,
    steps: Option<Vec<String>>,
    span: Option<String>,
    original: Option<String>,
}

fn steps_named(names: &[String]) -> Steps {
    let mut steps = Steps::none();
    for name in names {
        let step = match name.as_str() {
            "nfkc" => &mut steps.nfkc,
            "case_fold" => &mut steps.case_fold,
            "width" => &mut steps.width,
            "invisible" => &mut steps.invisible,
            "confusables" => &mut steps.confusables,
            "separators" => &mut steps.separators,
            "repeats" => &mut steps.repeats,
            "leet" => &mut steps.leet,
            "traditional_to_simplified" => &mut steps.traditional_to_simplified,
            other => panic!("unknown step {other:?}"),
        };
        *step = true;
    }
    steps
}

#[test]
fn normalize_table() {
    // Compiled in: unit tests do no I/O.
    let table: Table = toml::from_str(include_str!("../testdata/normalize.toml")).unwrap();
    assert!(table.case.len() >= 40, "the table lost cases");
    let mut failures = Vec::new();
    for case in &table.case {
        let steps = case.steps.as_deref().map_or_else(Steps::all, steps_named);
        let out = normalize(&case.input, &steps);
        if out.text != case.expected {
            failures.push(format!(
                "{}: {:?} gave {:?}, expected {:?}",
                case.name, case.input, out.text, case.expected
            ));
            continue;
        }
        assert!(out.origin(out.text.len()).is_none(), "{}", case.name);
        assert!(
            out.text.is_empty() || out.origin(out.text.len() - 1).is_some(),
            "{}",
            case.name
        );
        if let (Some(span), Some(original)) = (&case.span, &case.original) {
            let at = out.text.find(span.as_str()).unwrap();
            let back = out.original_span(at..at + span.len());
            if &case.input[back.clone()] != original {
                failures.push(format!(
                    "{}: span {:?} maps to {:?}, expected {:?}",
                    case.name, span, &case.input[back], original
                ));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
