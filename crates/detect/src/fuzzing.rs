//! Entry points for fuzzing: the cargo-fuzz targets in `fuzz/` call these,
//! and `tests/fuzz_bounded.rs` runs them on generated inputs for a bounded
//! time in every test run.
//!
//! Each takes arbitrary bytes and panics only if an invariant breaks: the
//! normaliser's offsets must map inside the original on char boundaries;
//! the ruleset compiler must return errors, never panic, on any input, and
//! a ruleset that compiles must scan any text.

use crate::item::Item;
use crate::normalize::{Steps, normalize};
use crate::rules::{Ruleset, RulesetInput, Scratch, SourceFile};

/// The normaliser on any text with any steps (from the first byte).
pub fn normalize_bytes(data: &[u8]) {
    let (flags, rest) = data.split_first().map_or((0xff, &[][..]), |(f, r)| (*f, r));
    let bit = |n: u8| flags & (1 << n) != 0;
    let steps = Steps {
        nfkc: bit(0),
        case_fold: bit(1),
        width: bit(2),
        invisible: bit(3),
        confusables: bit(4),
        separators: bit(5),
        repeats: bit(6),
        leet: bit(7),
        traditional_to_simplified: bit(0) ^ bit(5),
    };
    let text = String::from_utf8_lossy(rest);
    let out = normalize(&text, &steps);
    for at in 0..out.text.len() {
        let origin = out.origin(at).unwrap_or(0..0);
        assert!(
            origin.start < origin.end && origin.end <= text.len(),
            "origin {origin:?} out of bounds"
        );
        assert!(text.is_char_boundary(origin.start) && text.is_char_boundary(origin.end));
    }
    let span = out.original_span(0..out.text.len());
    assert!(
        span.end <= text.len()
            && text.is_char_boundary(span.start)
            && text.is_char_boundary(span.end)
    );
}

/// The ruleset compiler on any files: the input is split at NUL bytes into
/// a lexicon, a pattern file, a rule file and a text to scan.
pub fn compile_bytes(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('\0');
    let mut next = |path: &str| SourceFile {
        path: path.into(),
        content: parts.next().unwrap_or("").to_owned(),
    };
    let input = RulesetInput {
        lexicons: vec![next("lexicons/fuzz.toml")],
        patterns: vec![next("patterns/fuzz.toml")],
        rules: vec![next("rules/fuzz.toml")],
        ..Default::default()
    };
    let scan = parts.next().unwrap_or("").to_owned();
    match Ruleset::compile(&input) {
        Ok(ruleset) => {
            let item = Item {
                id: "fuzz".into(),
                text: scan,
                ..Default::default()
            };
            for signal in ruleset.scan(&item, &mut Scratch::default()) {
                for span in &signal.explanation.spans {
                    assert!(span.end <= item.text.len() && span.start <= span.end);
                }
            }
        }
        Err(errors) => {
            assert!(!errors.0.is_empty());
            for error in &errors.0 {
                assert!(!error.message.is_empty());
            }
        }
    }
}
