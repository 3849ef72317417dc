//! Properties of `normalize` that must hold for any text: it never panics,
//! and every offset it reports maps back inside the original, on char
//! boundaries.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use harrier_detect::normalize::{Normalized, Steps, normalize};
use proptest::prelude::*;

/// Characters the steps react to, so random texts exercise them often.
const TRICKY: &[&str] = &[
    "c", "o", "a", "I", "e", "0", "1", "3", "4", "5", "7", "2", "9", "@", "$", " ", ".", "*", "-",
    "_", "|", "/", "·", "冰", "毒", "貨", "聯", "繫", "ｃ", "Ａ", "０", "\u{3000}", "а", "с", "о",
    "Σ", "ο", "İ", "ß", "ﬁ", "①", "𝔞", "\u{200B}", "\u{202E}", "\u{FEFF}", "\u{AD}", "\u{301}",
    "\u{308}", "\u{1100}", "\u{1161}", "한", "ｶ", "😀", "\u{FE0F}", "ooo",
];

fn tricky_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TRICKY), 0..40).prop_map(|parts| parts.concat())
}

fn any_steps() -> impl Strategy<Value = Steps> {
    prop::collection::vec(any::<bool>(), 9).prop_map(|on| Steps {
        nfkc: on[0],
        case_fold: on[1],
        width: on[2],
        invisible: on[3],
        confusables: on[4],
        separators: on[5],
        repeats: on[6],
        leet: on[7],
        traditional_to_simplified: on[8],
    })
}

fn check_map(original: &str, out: &Normalized) -> Result<(), TestCaseError> {
    prop_assert!(out.origin(out.text.len()).is_none());
    let mut previous_start = 0;
    for at in 0..out.text.len() {
        let origin = out.origin(at).unwrap();
        prop_assert!(origin.start < origin.end, "empty origin {:?}", origin);
        prop_assert!(origin.end <= original.len());
        prop_assert!(original.is_char_boundary(origin.start));
        prop_assert!(original.is_char_boundary(origin.end));
        prop_assert!(origin.start >= previous_start, "origins go backwards");
        previous_start = origin.start;
    }
    let whole = out.original_span(0..out.text.len());
    prop_assert!(whole.start <= whole.end && whole.end <= original.len());
    Ok(())
}

fn check_span(
    original: &str,
    out: &Normalized,
    start: usize,
    end: usize,
) -> Result<(), TestCaseError> {
    let span = out.original_span(start..end);
    prop_assert!(span.start <= span.end, "{:?}", span);
    prop_assert!(span.end <= original.len(), "{:?}", span);
    prop_assert!(original.is_char_boundary(span.start));
    prop_assert!(original.is_char_boundary(span.end));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn any_unicode_with_all_steps(text in any::<String>(), a in 0usize..200, b in 0usize..200) {
        let out = normalize(&text, &Steps::all());
        check_map(&text, &out)?;
        check_span(&text, &out, a.min(b), a.max(b))?;
        check_span(&text, &out, a, b)?;
    }

    #[test]
    fn tricky_text_with_any_steps(
        text in tricky_text(),
        steps in any_steps(),
        a in 0usize..200,
        b in 0usize..200,
    ) {
        let out = normalize(&text, &steps);
        check_map(&text, &out)?;
        check_span(&text, &out, a.min(b), a.max(b))?;
    }

    #[test]
    fn a_match_maps_to_text_containing_its_origin(text in tricky_text()) {
        let out = normalize(&text, &Steps::all());
        // Every character of the output comes from the original span of
        // the whole output, and a one-character match maps to exactly its
        // origin.
        for (at, ch) in out.text.char_indices() {
            let span = out.original_span(at..at + ch.len_utf8());
            prop_assert_eq!(span.clone(), out.origin(at).unwrap());
            prop_assert!(!text[span].is_empty());
        }
    }

    #[test]
    fn no_steps_changes_nothing(text in any::<String>()) {
        let out = normalize(&text, &Steps::none());
        prop_assert_eq!(&out.text, &text);
        prop_assert_eq!(out.original_span(0..out.text.len()), 0..text.len());
    }
}

/// Text of the kind the fast path takes: ASCII, Chinese, full-width forms,
/// invisible characters and separators.
fn common_text() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-zA-Z0-9 .*@$_|/~+-冰毒同城出货加微信乾隆於…①，。！？Ａ-Ｚａ-ｚ０-９\u{200b}\u{202e}\u{3000}]{0,40}")
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn fast_path_agrees_with_the_steps(text in common_text(), steps in any_steps()) {
        let fast = normalize(&text, &steps);
        let slow = harrier_detect::normalize::slow(&text, &steps);
        prop_assert_eq!(&fast.text, &slow.text);
        for at in 0..fast.text.len() {
            prop_assert_eq!(fast.origin(at), slow.origin(at));
        }
    }
}

/// The fast path and the step-by-step path agree on real text (the shared
/// data's Chinese reviews and English SMS), when the data is there.
#[test]
fn fast_path_agrees_on_real_text() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data");
    let files = [
        "benign-zh/pos.txt",
        "benign-zh/neg.txt",
        "sms-spam/SMSSpamCollection",
        "cold/test.csv",
    ];
    let mut checked = 0;
    for file in files {
        let path = std::path::Path::new(root).join(file);
        #[allow(clippy::disallowed_methods)] // a test reads the shared data, a few MB
        let Ok(content) = std::fs::read_to_string(&path) else {
            eprintln!("skipping {}: not found", path.display());
            continue;
        };
        for line in content.lines().take(3000) {
            let fast = normalize(line, &Steps::all());
            let slow = harrier_detect::normalize::slow(line, &Steps::all());
            assert_eq!(fast.text, slow.text, "{line:?}");
            for at in 0..fast.text.len() {
                assert_eq!(fast.origin(at), slow.origin(at), "{line:?} at {at}");
            }
            checked += 1;
        }
    }
    eprintln!("{checked} lines agree");
}
