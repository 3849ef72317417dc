//! Groups found by the ring analysis, as the platform stores them: the
//! types the store port speaks.

use crate::ports::SubjectSummary;
use serde::Serialize;
use time::OffsetDateTime;

/// A stored feed item as the ring analysis reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RingPost {
    pub item_id: i64,
    pub provider: String,
    pub account: String,
    /// Seconds since the epoch (the item's own time, else when received).
    pub ts: i64,
    pub text: String,
    pub url: Option<String>,
}

/// A group to store from one run.
#[derive(Debug, Clone, PartialEq)]
pub struct NewGroup {
    /// SHA-256 of the sorted `provider:account` member names.
    pub fingerprint: String,
    /// (provider, account) of each member.
    pub members: Vec<(String, String)>,
    /// The members' items that show the group (ids of stored items).
    pub item_ids: Vec<i64>,
    /// coordinated_manipulation, or extortion_paid_deletion when posts
    /// offering deletion are linked to negative posts.
    pub category: String,
    pub score: f64,
    /// The engine's scores and evidence, as JSON.
    pub scores_json: String,
    /// The readable explanation lines, as a JSON array.
    pub explanation_json: String,
    /// Open (or add to) a case: the score passed the threshold.
    pub open_case: bool,
    /// The ruleset-like version of the analysis settings, stamped on the
    /// group's signal.
    pub version: String,
}

/// What storing one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct GroupsStored {
    pub new: u64,
    pub updated: u64,
    pub cases_opened: u64,
    pub cases_updated: u64,
}

/// A stored group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupSummary {
    pub id: i64,
    /// The group as a subject (kind `group`).
    pub subject: SubjectSummary,
    pub category: String,
    pub size: i64,
    pub score: f64,
    pub explanation: Vec<String>,
    pub window_start: OffsetDateTime,
    pub window_end: OffsetDateTime,
    pub first_found_at: OffsetDateTime,
    pub last_found_at: OffsetDateTime,
    pub runs: i64,
    /// The active case on the group, when there is one.
    pub case_id: Option<i64>,
}

/// A group with its members and items (oldest first: the timeline).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupDetail {
    pub group: GroupSummary,
    /// The engine's scores and evidence.
    pub scores: serde_json::Value,
    pub members: Vec<SubjectSummary>,
    pub items: Vec<super::CaseItem>,
}
