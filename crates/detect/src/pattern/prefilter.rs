//! The literal prefilter of the pattern set.
//!
//! Every match of a regex starts with one of its prefix literals and ends
//! with one of its suffix literals (when `regex-syntax` can give a finite
//! set): so if none of them occurs in a text, the regex cannot match it.
//! A match also holds one of the literals of any part that every match
//! must pass through ("inner" literals: in `\d+\s*(?:/|每)\s*克` the `/` or
//! `每`, and the `克`), which gates regexes whose prefix and suffix are
//! classes such as `\d`. We take whichever set has the longest shortest
//! literal (then the fewest literals).

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Class, Hir, HirKind};

/// A class of at most this many characters gates by its characters.
const CLASS_LITERALS: usize = 32;
/// A set of more literals than this does not gate (the automaton would
/// grow and most texts would hold one anyway).
const MAX_LITERALS: usize = 250;

/// The literals one of which every match of `regex` contains, or `None`
/// when there is no such finite set (or the regex does not parse).
pub fn required_literals(regex: &str) -> Option<Vec<String>> {
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(regex)
        .ok()?;
    let affixes = [ExtractKind::Prefix, ExtractKind::Suffix]
        .into_iter()
        .filter_map(|kind| {
            let mut extractor = Extractor::new();
            extractor.kind(kind).limit_total(MAX_LITERALS);
            let seq = extractor.extract(&hir);
            let literals = seq.literals()?;
            let strings: Option<Vec<String>> = literals
                .iter()
                // A literal cut inside a UTF-8 character cannot gate.
                .map(|literal| String::from_utf8(literal.as_bytes().to_vec()).ok())
                .collect();
            strings
        });
    affixes
        .chain(inner(&hir))
        .filter_map(tidy)
        .max_by_key(|set| (shortest(set), std::cmp::Reverse(set.len())))
}

/// Sorted and deduplicated; `None` when empty or holding an empty literal
/// (which every text holds).
fn tidy(mut set: Vec<String>) -> Option<Vec<String>> {
    if set.is_empty() || set.iter().any(String::is_empty) || set.len() > MAX_LITERALS {
        return None;
    }
    set.sort();
    set.dedup();
    Some(set)
}

fn shortest(set: &[String]) -> usize {
    set.iter().map(String::len).min().unwrap_or(0)
}

/// Literals one of which every match of `hir` contains somewhere, or
/// `None` when no such finite set is found.
fn inner(hir: &Hir) -> Option<Vec<String>> {
    match hir.kind() {
        HirKind::Literal(literal) => Some(vec![String::from_utf8(literal.0.to_vec()).ok()?]),
        HirKind::Class(Class::Unicode(class)) => {
            let mut chars = Vec::new();
            for range in class.iter() {
                let (start, end) = (u32::from(range.start()), u32::from(range.end()));
                if chars.len() + (end - start + 1) as usize > CLASS_LITERALS {
                    return None;
                }
                chars.extend((start..=end).filter_map(char::from_u32).map(String::from));
            }
            Some(chars)
        }
        HirKind::Class(Class::Bytes(_)) | HirKind::Empty | HirKind::Look(_) => None,
        HirKind::Repetition(repetition) if repetition.min > 0 => inner(&repetition.sub),
        HirKind::Repetition(_) => None,
        HirKind::Capture(capture) => inner(&capture.sub),
        HirKind::Concat(parts) => parts
            .iter()
            .filter_map(inner)
            .filter_map(tidy)
            .max_by_key(|set| (shortest(set), std::cmp::Reverse(set.len()))),
        HirKind::Alternation(branches) => {
            let mut union = Vec::new();
            for branch in branches {
                union.extend(inner(branch)?);
                if union.len() > MAX_LITERALS {
                    return None;
                }
            }
            Some(union)
        }
    }
}

/// An automaton over every gated pattern's literals.
#[derive(Debug)]
pub(crate) struct Prefilter {
    automaton: Option<AhoCorasick>,
    /// Per automaton literal: the patterns it gates.
    gates: Vec<Vec<u32>>,
    /// Patterns that run on every text.
    always: Vec<u32>,
    /// Scratch: patterns already chosen (per call, reset after).
    count: usize,
}

impl Prefilter {
    pub(crate) fn build<'a>(
        patterns: impl Iterator<Item = (usize, &'a [String])>,
    ) -> Result<Self, String> {
        let mut literals: Vec<String> = Vec::new();
        let mut gates: Vec<Vec<u32>> = Vec::new();
        let mut always = Vec::new();
        let mut count = 0;
        for (index, required) in patterns {
            let index = u32::try_from(index).map_err(|_| "too many patterns".to_owned())?;
            count = count.max(index as usize + 1);
            if required.is_empty() {
                always.push(index);
                continue;
            }
            for literal in required {
                match literals.iter().position(|known| known == literal) {
                    Some(at) => gates[at].push(index),
                    None => {
                        literals.push(literal.clone());
                        gates.push(vec![index]);
                    }
                }
            }
        }
        let automaton = if literals.is_empty() {
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .kind(Some(AhoCorasickKind::DFA))
                    .build(&literals)
                    .map_err(|error| format!("pattern prefilter: {error}"))?,
            )
        };
        Ok(Self {
            automaton,
            gates,
            always,
            count,
        })
    }

    pub(crate) fn has_patterns(&self) -> bool {
        self.automaton.is_some() || !self.always.is_empty()
    }

    /// The patterns to run on `text`, each once, in index order.
    pub(crate) fn candidates(&self, text: &str, out: &mut Vec<u32>) {
        out.extend_from_slice(&self.always);
        if let Some(automaton) = &self.automaton {
            for found in automaton.find_overlapping_iter(text) {
                if let Some(gated) = self.gates.get(found.pattern().as_usize()) {
                    out.extend_from_slice(gated);
                }
            }
        }
        if out.len() > 1 {
            out.sort_unstable();
            out.dedup();
        }
        debug_assert!(out.iter().all(|&i| (i as usize) < self.count));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_of_common_shapes() {
        assert_eq!(
            required_literals(r"\d+\s*(?:元|块)").unwrap(),
            vec!["元", "块"]
        );
        // The suffix "微信" is longer than the prefix "加": it gates better.
        assert_eq!(required_literals(r"加\s*微信").unwrap(), vec!["微信"]);
        assert!(required_literals(r"(?i)casino\d+").is_some());
        assert_eq!(required_literals(r"\w+"), None);
    }

    #[test]
    fn inner_literals_gate_class_bounded_regexes() {
        // Prefix and suffix are digits or letters; the middle is required.
        assert_eq!(
            required_literals(r"\d+\s*(?:/|每)\s*[a-z]+").unwrap(),
            vec!["/", "每"]
        );
        // One literal of each branch.
        assert_eq!(
            required_literals(r"(?:[$£]\d+)|(?:\d+\s?(?:usd|eur)\b)").unwrap(),
            vec!["$", "eur", "usd", "£"]
        );
        assert_eq!(
            required_literals(r"https?://[a-z0-9.-]+\.tk/\S*").unwrap(),
            vec!["http://", "https://"]
        );
        // An optional part gates nothing; a small class gates by its
        // characters (`\d` is every Unicode digit: too many).
        let digits = required_literals(r"[0-9]{2,6}(?:元)?").unwrap();
        assert!(digits.iter().all(|l| l.bytes().all(|b| b.is_ascii_digit())));
        assert_eq!(required_literals(r"\d{2,6}(?:元)?"), None);
        assert_eq!(required_literals(r"(?:x)?\w+"), None);
    }

    #[test]
    fn gates_are_necessary() {
        // Every text a regex matches holds one of its literals.
        let cases = [
            (
                r"\d+\s*(?:元|块)?\s*(?:/|一|每)\s*(?:克|g)",
                "300元/g 和 5每克",
            ),
            (
                r"(?:[$€£]\s?\d{1,5})|(?:\b\d{1,5}\s?(?:usd|bucks)\b)",
                "$5 or 20 bucks",
            ),
            (r"[京津沪][a-z][\s·-]?[a-z0-9]{5,6}", "京a12345"),
            (r"1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}", "138 0013 8000"),
        ];
        for (regex, text) in cases {
            let literals = required_literals(regex).unwrap();
            let compiled = regex::Regex::new(regex).unwrap();
            for found in compiled.find_iter(text) {
                assert!(
                    literals.iter().any(|l| found.as_str().contains(l.as_str())),
                    "{regex}: {:?} holds none of {literals:?}",
                    found.as_str()
                );
            }
        }
    }
}
