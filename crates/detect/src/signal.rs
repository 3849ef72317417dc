//! Signals: what the engine found, and why.
//!
//! What: one rule's finding on one item, with the category, a score in
//! 0..=1, the rule id and the ruleset version, and an explanation a
//! moderator can read: the matched spans in the original text (as typed,
//! before normalisation) and the features that weighed most.
//! Why: a signal may end in a decision with a statement of reasons; nothing
//! may be flagged without showing what it rests on.

use serde::{Deserialize, Serialize};

/// How grave a finding is; decides priority, not the outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

/// A live rule's signals count; a shadow rule's are recorded to measure
/// it and open no case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleState {
    Live,
    Shadow,
}

/// One rule's finding on one item.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Signal {
    /// The item's id.
    pub item: String,
    pub rule: String,
    /// Taxonomy category id.
    pub category: String,
    pub severity: Severity,
    pub state: RuleState,
    /// 0..=1.
    pub score: f32,
    /// Content hash of the ruleset that produced it.
    pub ruleset_version: String,
    pub explanation: Explanation,
}

/// Why a rule fired.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// One line: the rule's description and what met its conditions.
    pub summary: String,
    /// Matched spans, in the order they occur in the original text.
    pub spans: Vec<MatchedSpan>,
    /// The features that weighed most, heaviest first.
    pub features: Vec<Feature>,
}

/// A stretch of the original text that a detector matched.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MatchedSpan {
    /// Byte offsets into the original text.
    pub start: usize,
    pub end: usize,
    /// The original text of the span, as typed.
    pub text: String,
    /// What matched: `lexicon drugs/substance: 冰毒`, `entity phone`,
    /// `pattern price.cny`.
    pub by: String,
}

/// A named feature and its weight in the score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Feature {
    pub name: String,
    pub weight: f32,
}
