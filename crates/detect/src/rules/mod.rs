//! The compiled ruleset: lexicons, patterns, extractors, hash lists and
//! classifiers combined by rules into signals.
//!
//! What: [`Ruleset::compile`] takes the files of a ruleset folder (read by
//! the caller: this crate does no I/O) and returns a ruleset or every error,
//! each with its file, line and id. [`Ruleset::scan`] runs it on one item
//! and returns signals with explanations. A rule is three lists of
//! conditions (see [`atom`]): all must hold, at least `min_any` of `any`,
//! none of `none`. Its score is the noisy-or of the weights of the evidence
//! that held (a term's weight, a pattern's, an entity's, a classifier's
//! score), and it fires at or above `min_score`.
//! Why: evidence that adds up is what a moderator can check: "a drug term
//! (冰毒), a sale phrase (出货) and a WeChat id" is a reason; a score alone
//! is not.
//! What not: no case is opened here; shadow rules produce signals marked
//! `shadow` and the patrol decides what they do.

pub mod atom;
mod compile;
mod eval;
mod explain;
mod ports;
pub mod spec;

use crate::classify::Model;
use crate::lexicon::matcher::LexiconSet;
use crate::normalize::Steps;
use crate::pattern::PatternSet;
use crate::signal::{RuleState, Severity};
use ports::Extractors;
use ports::Hashes as HashMatcher;

pub use compile::{RulesetInput, SourceFile};
pub use eval::Scratch;

/// A compiled ruleset. Immutable and `Sync`: share one between threads
/// with an `Arc`, each thread with its own [`Scratch`].
pub struct Ruleset {
    /// Content hash of every input, stamped on each signal.
    pub version: String,
    lexicons: LexiconSet,
    patterns: PatternSet,
    rules: Vec<Rule>,
    extractors: Extractors,
    classifiers: Vec<(String, Model)>,
    hashes: HashMatcher,
    /// The distinct normalisations the scan needs: the lexicons' groups in
    /// order, then (if not among them) the patterns'.
    steps: Vec<Steps>,
    /// Index into `steps` of the text patterns run on.
    pattern_text: usize,
    needs_entities: bool,
}

impl std::fmt::Debug for Ruleset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ruleset")
            .field("version", &self.version)
            .field("rules", &self.rules.len())
            .field("lexicons", &self.lexicons)
            .finish()
    }
}

/// What a ruleset holds, for `harrier rules check`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stats {
    pub rules: usize,
    pub live: usize,
    pub shadow: usize,
    pub lexicons: usize,
    pub terms: usize,
    /// Automaton patterns: terms plus pinyin spellings, after merging.
    pub lexicon_patterns: usize,
    pub patterns: usize,
    /// Patterns with no literal gate: they run on every item.
    pub ungated_patterns: Vec<String>,
    pub classifiers: usize,
    pub domain_list_entries: usize,
    pub hash_list_entries: usize,
}

/// One rule, compiled.
#[derive(Debug)]
pub(crate) struct Rule {
    pub(crate) id: String,
    pub(crate) category: String,
    pub(crate) severity: Severity,
    pub(crate) state: RuleState,
    pub(crate) description: String,
    pub(crate) all: Vec<eval::Atom>,
    pub(crate) any: Vec<eval::Atom>,
    pub(crate) min_any: usize,
    pub(crate) none: Vec<eval::Atom>,
    pub(crate) min_score: f32,
    pub(crate) must_match: Vec<String>,
    pub(crate) must_not_match: Vec<String>,
    pub(crate) file: String,
    pub(crate) line: usize,
}

/// A rule's public description.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleInfo<'a> {
    pub id: &'a str,
    pub category: &'a str,
    pub severity: Severity,
    pub state: RuleState,
    pub description: &'a str,
}

/// An example of a rule that did not behave as written.
#[derive(Clone, Debug, PartialEq)]
pub struct ExampleFailure {
    pub rule: String,
    pub file: String,
    pub line: usize,
    /// The example text.
    pub text: String,
    /// true: it must match and did not; false: it must not and did.
    pub expected_match: bool,
}

impl std::fmt::Display for ExampleFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = if self.expected_match {
            "must match but does not"
        } else {
            "must not match but does"
        };
        write!(
            f,
            "{}:{}: {}: {what}: {:?}",
            self.file, self.line, self.rule, self.text
        )
    }
}

impl Ruleset {
    /// The rules, in file order.
    pub fn rules(&self) -> impl Iterator<Item = RuleInfo<'_>> {
        self.rules.iter().map(|rule| RuleInfo {
            id: &rule.id,
            category: &rule.category,
            severity: rule.severity,
            state: rule.state,
            description: &rule.description,
        })
    }

    pub fn stats(&self) -> Stats {
        Stats {
            rules: self.rules.len(),
            live: self
                .rules
                .iter()
                .filter(|r| r.state == RuleState::Live)
                .count(),
            shadow: self
                .rules
                .iter()
                .filter(|r| r.state == RuleState::Shadow)
                .count(),
            lexicons: self.lexicons.lexicons.len(),
            terms: self.lexicons.terms.len(),
            lexicon_patterns: self.lexicons.pattern_count(),
            patterns: self.patterns.patterns.len(),
            ungated_patterns: self
                .patterns
                .ungated()
                .into_iter()
                .map(str::to_owned)
                .collect(),
            classifiers: self.classifiers.len(),
            domain_list_entries: self.extractors.listed_domains(),
            hash_list_entries: self.hashes.len(),
        }
    }

    /// The compiled lexicons (for coverage measurements).
    pub fn lexicons(&self) -> &LexiconSet {
        &self.lexicons
    }

    /// Run every rule's examples; the failures, in rule order.
    pub fn test_examples(&self) -> Vec<ExampleFailure> {
        let mut scratch = Scratch::default();
        let mut failures = Vec::new();
        for rule in &self.rules {
            let cases = rule
                .must_match
                .iter()
                .map(|text| (text, true))
                .chain(rule.must_not_match.iter().map(|text| (text, false)));
            for (text, expected_match) in cases {
                let item = crate::item::Item {
                    id: "example".into(),
                    text: text.clone(),
                    ..Default::default()
                };
                let fired = self
                    .scan(&item, &mut scratch)
                    .iter()
                    .any(|signal| signal.rule == rule.id);
                if fired != expected_match {
                    failures.push(ExampleFailure {
                        rule: rule.id.clone(),
                        file: rule.file.clone(),
                        line: rule.line,
                        text: text.clone(),
                        expected_match,
                    });
                }
            }
        }
        failures
    }

    /// How many examples the rules carry.
    pub fn example_count(&self) -> usize {
        self.rules
            .iter()
            .map(|rule| rule.must_match.len() + rule.must_not_match.len())
            .sum()
    }

    /// The lexicon terms found in `text`: (lexicon id, term as written).
    pub fn lexicon_terms_in(&self, text: &str) -> Vec<(&str, &str)> {
        let texts: Vec<_> = self
            .lexicons
            .steps()
            .map(|steps| crate::normalize::normalize(text, steps))
            .collect();
        let mut hits = Vec::new();
        self.lexicons.find(&texts, &mut hits);
        hits.iter()
            .filter_map(|hit| {
                let lexicon = self.lexicons.lexicons.get(usize::from(hit.lexicon))?;
                let term = self.lexicons.terms.get(hit.term as usize)?;
                Some((lexicon.id.as_str(), term.text.as_str()))
            })
            .collect()
    }

    /// Classifier index by name.
    fn classifier(&self, name: &str) -> Option<usize> {
        self.classifiers.iter().position(|(known, _)| known == name)
    }
}

/// Weight of an extracted entity as evidence, by kind and detail.
pub(crate) fn entity_weight(kind: &str, detail: Option<&str>, listed: bool) -> f32 {
    if listed {
        return 0.95;
    }
    match (kind, detail) {
        ("url", Some("shortener")) => 0.5,
        ("handle", _) | ("wallet", _) => 0.7,
        ("phone", _) => 0.6,
        ("email", _) => 0.5,
        _ => 0.4,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_ruleset_is_shared_between_threads() {
        fn sync<T: Send + Sync>() {}
        sync::<super::Ruleset>();
    }
}
