//! Appeals against a decision (DSA Art. 20).
//!
//! The affected person appeals with the code their notice carries, for at
//! least six months after the decision, explaining why and attaching files.
//! A reviewer who did not take the decision upholds, reverses (a reversal
//! order then goes to each provider the decision's orders went to) or
//! modifies it (a new decision replaces it); the person is told the
//! outcome with reasons.

use super::Statement;
use crate::intake::EvidenceFile;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// Appeals stay open at least this long after the decision (six months).
pub const MIN_APPEAL_DAYS: u32 = 183;
/// The longest explanation an appeal takes.
pub const MAX_APPEAL_CHARS: usize = 10_000;
/// The longest reasons a reviewer gives.
pub const MAX_OUTCOME_CHARS: usize = 5_000;
/// The most files an appeal takes.
pub const MAX_APPEAL_FILES: usize = 5;

/// Until when a decision taken at `decided_at` can be appealed.
pub fn appeal_until(decided_at: OffsetDateTime, window_days: u32) -> OffsetDateTime {
    decided_at + Duration::days(i64::from(window_days.max(MIN_APPEAL_DAYS)))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppealState {
    Open,
    Upheld,
    Reversed,
    Modified,
}

impl AppealState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Upheld => "upheld",
            Self::Reversed => "reversed",
            Self::Modified => "modified",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Open, Self::Upheld, Self::Reversed, Self::Modified]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// An appeal as filed, its files already stored as blobs.
#[derive(Debug, Clone)]
pub struct NewAppeal {
    pub code: String,
    pub explanation: String,
    /// Where to send the outcome, if the person gave it.
    pub contact_email: Option<String>,
    pub language: String,
    pub files: Vec<EvidenceFile>,
}

/// What the reviewer decided.
#[derive(Debug, Clone, PartialEq)]
pub enum AppealOutcome {
    Uphold,
    Reverse,
    /// A new statement replaces the decision's.
    Modify(Box<Statement>),
}

impl AppealOutcome {
    pub fn state(&self) -> AppealState {
        match self {
            Self::Uphold => AppealState::Upheld,
            Self::Reverse => AppealState::Reversed,
            Self::Modify(_) => AppealState::Modified,
        }
    }
}

/// The reviewer's decision with what goes out with it.
#[derive(Debug, Clone)]
pub struct AppealReview {
    pub outcome: AppealOutcome,
    pub reasons: String,
    /// The outcome text for the person (rendered from the templates).
    pub notice: String,
    /// The public page where the person reads the decision and outcome.
    pub appeal_url: String,
    /// How long providers get to carry out a reversal or amendment.
    pub order_deadline: Duration,
    /// For a modification: the new decision's appeal code and window.
    pub new_appeal_code: String,
    pub new_appeal_until: OffsetDateTime,
}

/// An appeal as staff see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Appeal {
    pub id: i64,
    pub decision_id: i64,
    pub case_id: i64,
    pub category: String,
    pub explanation: String,
    /// Shown to reviewers only; never exported.
    pub contact_email: Option<String>,
    pub language: String,
    #[serde(with = "time::serde::rfc3339")]
    pub filed_at: OffsetDateTime,
    pub files: Vec<EvidenceFile>,
    pub state: AppealState,
    pub reviewer: Option<String>,
    pub outcome_reasons: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub decided_at: Option<OffsetDateTime>,
    pub new_decision_id: Option<i64>,
    /// Who took the decision appealed against (who may not review it).
    pub decided_by: String,
}
