//! The port the storage implements for cases, evidence and the audit log.
//!
//! Every method that changes a case appends its audit entry in the same
//! transaction: a change is stored with its entry or not at all.

use super::{
    CaseError, CaseState, GroupDetail, GroupSummary, GroupsStored, NewGroup, RingPost, SavedView,
    SearchDoc, SearchHit, SearchQuery, SearchSource,
};
use crate::accounts::Staff;
use crate::audit::{Entry, Head, NewEntry};
use crate::ports::{ReportRecord, StoreError, SubjectSummary};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// A case in a queue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseSummary {
    pub id: i64,
    pub state: CaseState,
    pub category: String,
    /// The worst signal severity seen (low, medium, high, critical), or the
    /// report's when the case came from a tip-off.
    pub severity: String,
    /// The subject the case was opened on.
    pub subject: SubjectSummary,
    pub subject_count: i64,
    pub report_count: i64,
    pub signal_count: i64,
    pub top_score: f64,
    pub priority: f64,
    pub assignee: Option<String>,
    pub opened_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// When the first decision is due (opened + the category's SLA).
    pub due_at: OffsetDateTime,
}

/// How a queue is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseSort {
    /// Highest priority first.
    #[default]
    Priority,
    /// Earliest deadline first.
    Deadline,
    /// Newest first.
    Newest,
}

impl CaseSort {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "priority" => Some(Self::Priority),
            "deadline" => Some(Self::Deadline),
            "newest" => Some(Self::Newest),
            _ => None,
        }
    }
}

/// Whose cases.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AssigneeFilter {
    #[default]
    Anyone,
    Unassigned,
    Staff(i64),
}

/// A queue: which cases, in which order.
#[derive(Debug, Clone, Default)]
pub struct CaseQuery {
    /// Empty: every active (not closed) case.
    pub states: Vec<CaseState>,
    pub category: Option<String>,
    pub assignee: AssigneeFilter,
    /// Only cases that include this subject.
    pub subject: Option<i64>,
    pub sort: CaseSort,
    pub limit: u32,
    pub offset: u32,
}

/// The item behind a signal, as staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseItem {
    pub id: i64,
    pub provider: String,
    pub external_id: String,
    pub kind: String,
    pub ts: Option<i64>,
    pub text: String,
    pub account: Option<String>,
    pub room: Option<String>,
    pub url: Option<String>,
    pub received_at: OffsetDateTime,
}

/// A signal in a case with its item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseSignal {
    pub id: i64,
    pub rule: String,
    pub category: String,
    pub severity: String,
    pub score: f64,
    pub ruleset_version: String,
    /// The engine's explanation, as JSON.
    pub explanation: serde_json::Value,
    pub created_at: OffsetDateTime,
    pub item: CaseItem,
}

/// One move of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transition {
    pub from: CaseState,
    pub to: CaseState,
    pub by: String,
    pub reason: String,
    pub at: OffsetDateTime,
}

/// Where a piece of evidence came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceSource {
    /// Uploaded by an analyst.
    Upload,
    /// Supplied by a service provider (e.g. in answer to an order).
    Provider,
    /// A file a reporter attached to a tip-off.
    ReportFile,
}

impl EvidenceSource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Upload => "upload",
            Self::Provider => "provider",
            Self::ReportFile => "report_file",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Upload, Self::Provider, Self::ReportFile]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// Evidence to add to a case; its bytes are already in the blob store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvidence {
    pub sha256: String,
    pub media_type: String,
    pub size: i64,
    /// The file name as given (shown escaped, never trusted).
    pub name: String,
    pub source: EvidenceSource,
    /// Where exactly: `report:12#0`, a provider's reference, ...
    pub source_ref: Option<String>,
    pub note: Option<String>,
}

/// Evidence as stored: never altered once written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceRecord {
    pub id: i64,
    pub case_id: i64,
    pub sha256: String,
    pub media_type: String,
    pub size: i64,
    pub name: String,
    pub source: EvidenceSource,
    pub source_ref: Option<String>,
    pub note: Option<String>,
    pub captured_by: String,
    pub captured_at: OffsetDateTime,
}

/// Everything about one case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseDetail {
    pub case: CaseSummary,
    pub subjects: Vec<SubjectSummary>,
    /// With reporter contacts: the caller removes them for every role but
    /// intake.
    pub reports: Vec<ReportRecord>,
    pub signals: Vec<CaseSignal>,
    pub evidence: Vec<EvidenceRecord>,
    pub transitions: Vec<Transition>,
    /// The audit entries about this case, oldest first.
    pub audit: Vec<Entry>,
}

/// Another subject linked to one: named in the same tip-offs, or held in
/// the same cases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubjectLink {
    pub subject: SubjectSummary,
    /// `reported_together`, `same_case`, `in_group` (an account's group)
    /// or `member` (a group's account).
    pub via: &'static str,
    /// How many tip-offs or cases they share.
    pub weight: i64,
}

/// Everything about one subject, newest first (at most
/// [`SUBJECT_PAGE_ROWS`] of each).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubjectDetail {
    pub subject: SubjectSummary,
    pub reports: Vec<ReportRecord>,
    /// For an account: the items it posted that feeds sent.
    pub items: Vec<CaseItem>,
    pub signals: Vec<CaseSignal>,
    pub cases: Vec<CaseSummary>,
    /// Ring groups it is a member of (or, for a group, itself).
    pub groups: Vec<super::GroupSummary>,
    pub links: Vec<SubjectLink>,
}

/// The most reports, signals, cases and links a subject page lists.
pub const SUBJECT_PAGE_ROWS: i64 = 100;

/// What triaging a report did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Triaged {
    pub case_id: i64,
    /// A new case was opened (else the report joined an active one).
    pub opened: bool,
}

/// One action applied to many cases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkAction {
    Transition { to: CaseState, reason: String },
    Assign { staff: Option<i64> },
}

#[async_trait]
pub trait CaseStore: Send + Sync + 'static {
    async fn list_cases(&self, query: &CaseQuery) -> Result<Vec<CaseSummary>, StoreError>;
    async fn get_case(&self, id: i64) -> Result<Option<CaseDetail>, StoreError>;
    /// Moves a case (checked against the transition table for `by`'s role).
    async fn transition_case(
        &self,
        id: i64,
        to: CaseState,
        by: &Staff,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<CaseSummary, CaseError>;
    /// Assigns a case to a staff member (None: unassigns); claiming is
    /// assigning to oneself.
    async fn assign_case(
        &self,
        id: i64,
        assignee: Option<i64>,
        by: &Staff,
        now: OffsetDateTime,
    ) -> Result<CaseSummary, CaseError>;
    /// Applies one action to each case on its own: each id gets its result.
    async fn bulk_cases(
        &self,
        ids: Vec<i64>,
        action: BulkAction,
        by: &Staff,
        now: OffsetDateTime,
    ) -> Result<Vec<(i64, Result<(), CaseError>)>, StoreError>;
    /// Puts a report into the active case of one of its subjects, or opens
    /// one; links all its subjects and its files (as evidence).
    async fn triage_report(
        &self,
        report_id: i64,
        by: &Staff,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<Triaged, CaseError>;
    async fn add_evidence(
        &self,
        case_id: i64,
        evidence: NewEvidence,
        by: &Staff,
        now: OffsetDateTime,
    ) -> Result<EvidenceRecord, CaseError>;
    /// Appends an entry for an action outside the case methods.
    async fn append_audit(&self, entry: NewEntry, now: OffsetDateTime)
    -> Result<Entry, StoreError>;
    /// Entries after `after_seq` in order, at most `limit`; only those about
    /// `object` when given.
    async fn audit_entries(
        &self,
        after_seq: i64,
        limit: u32,
        object: Option<String>,
    ) -> Result<Vec<Entry>, StoreError>;
    async fn audit_head(&self) -> Result<Option<Head>, StoreError>;
    /// A subject with its tip-offs, signals, cases and linked subjects.
    async fn get_subject(&self, id: i64) -> Result<Option<SubjectDetail>, StoreError>;
    /// Up to `limit` stored records of each kind not yet in the search
    /// index, oldest first.
    async fn search_pending(&self, limit: u32) -> Result<Vec<SearchSource>, StoreError>;
    /// Adds records to the index and moves each kind's mark past them, in
    /// one commit.
    async fn index_search(&self, docs: Vec<SearchDoc>) -> Result<(), StoreError>;
    async fn search(&self, query: &SearchQuery) -> Result<Vec<SearchHit>, StoreError>;
    async fn saved_views(&self, staff_id: i64) -> Result<Vec<SavedView>, StoreError>;
    /// Saves (or renames over) a view; the path must pass
    /// [`super::viewable`].
    async fn save_view(
        &self,
        staff_id: i64,
        name: &str,
        path: &str,
        now: OffsetDateTime,
    ) -> Result<SavedView, StoreError>;
    async fn delete_view(&self, staff_id: i64, id: i64) -> Result<(), StoreError>;
    /// Feed items with an account received since `since`, oldest first, at
    /// most `limit`: the ring analysis's input.
    async fn ring_posts(
        &self,
        since: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<RingPost>, StoreError>;
    /// Stores one run's groups (subjects, members, items) and, for those
    /// over the threshold, their signal and case, in one commit.
    async fn store_groups(
        &self,
        groups: Vec<NewGroup>,
        window: (OffsetDateTime, OffsetDateTime),
        now: OffsetDateTime,
    ) -> Result<GroupsStored, StoreError>;
    /// Groups, highest score first.
    async fn list_groups(&self, limit: u32) -> Result<Vec<GroupSummary>, StoreError>;
    async fn get_group(&self, id: i64) -> Result<Option<GroupDetail>, StoreError>;
    /// Active staff accounts (id, name, role) for assignment lists.
    async fn staff_list(&self) -> Result<Vec<Staff>, StoreError>;
}
