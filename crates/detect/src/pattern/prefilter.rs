//! The literal prefilter of the pattern set.
//!
//! Every match of a regex starts with one of its prefix literals and ends
//! with one of its suffix literals (when `regex-syntax` can give a finite
//! set): so if none of them occurs in a text, the regex cannot match it.
//! We take whichever of the two sets has the longer shortest literal.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use regex_syntax::hir::literal::{ExtractKind, Extractor, Seq};

/// The literals one of which every match of `regex` contains, or `None`
/// when there is no such finite set (or the regex does not parse).
pub fn required_literals(regex: &str) -> Option<Vec<String>> {
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(regex)
        .ok()?;
    let best = [ExtractKind::Prefix, ExtractKind::Suffix]
        .into_iter()
        .map(|kind| {
            let mut extractor = Extractor::new();
            extractor.kind(kind).limit_total(250);
            extractor.extract(&hir)
        })
        .filter(|seq| seq.is_finite() && seq.min_literal_len().is_some_and(|len| len > 0))
        .max_by_key(|seq: &Seq| seq.min_literal_len().unwrap_or(0))?;
    let literals = best.literals()?;
    let mut out: Vec<String> = literals
        .iter()
        .map(|literal| String::from_utf8_lossy(literal.as_bytes()).into_owned())
        .collect();
    // A literal cut inside a UTF-8 character comes back with U+FFFD, which
    // the text never holds: such a set cannot gate.
    if out.iter().any(|literal| literal.contains('\u{fffd}')) {
        return None;
    }
    out.sort();
    out.dedup();
    Some(out)
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
}
