//! The port the storage implements for decisions, appeals, notices and
//! message templates.
//!
//! Every change appends its audit entry in the same transaction, and a
//! decision is stored with its notices, its orders and the case's move to
//! `decided` in one commit, or not at all.

use super::{Appeal, AppealReview, Decision, FieldError, MessageTemplate, NewAppeal, Statement};
use crate::accounts::Staff;
use crate::orders::{NewOrder, Order};
use crate::ports::StoreError;
use async_trait::async_trait;
use serde::Serialize;
use thiserror::Error;
use time::OffsetDateTime;

/// A notice to send by e-mail with the decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailNotice {
    pub address: String,
    pub language: String,
    pub body: String,
}

/// A decision to store.
#[derive(Debug, Clone)]
pub struct NewDecision {
    pub case_id: i64,
    pub subject_id: i64,
    pub statement: Statement,
    pub appeal_code: String,
    pub appeal_until: OffsetDateTime,
    /// The text for the affected person and its language.
    pub notice_language: String,
    pub notice: String,
    pub email: Option<EmailNotice>,
    /// Orders made with it (their `decision_id` is filled in by the store).
    pub orders: Vec<NewOrder>,
}

/// A notice as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoticeRecord {
    pub id: i64,
    pub decision_id: i64,
    pub appeal_id: Option<i64>,
    /// `decision`, `appeal_upheld`, ...
    pub kind: String,
    /// `provider` (inside the orders), `email`, or `none` (kept, but no
    /// channel was known: staff pass the code on another way).
    pub channel: String,
    pub language: String,
    pub body: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub sent_at: Option<OffsetDateTime>,
}

/// An e-mail notice waiting for the outbox, with its address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingEmail {
    pub id: i64,
    pub decision_id: i64,
    pub address: String,
    pub language: String,
    pub body: String,
}

/// A decision with what hangs on it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecisionDetail {
    pub decision: Decision,
    pub notices: Vec<NoticeRecord>,
    pub orders: Vec<Order>,
    pub appeals: Vec<Appeal>,
}

/// What the public sees behind an appeal code: the statement of reasons,
/// never the case or who decided.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicDecision {
    pub decision: Decision,
    /// The text the person was sent, in its language.
    pub notice: Option<NoticeRecord>,
    pub appeals: Vec<Appeal>,
}

/// What a reporter sees of the outcome of their report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportOutcome {
    pub case_state: String,
    pub decisions: Vec<OutcomeLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutcomeLine {
    #[serde(with = "time::serde::rfc3339")]
    pub decided_at: OffsetDateTime,
    pub category: String,
    pub restrictions: Vec<String>,
    /// `in_force`, `reversed`, `modified`.
    pub state: String,
}

/// Which appeals.
#[derive(Debug, Clone, Default)]
pub struct AppealQuery {
    /// Only open ones (oldest first); else every appeal, newest first.
    pub open_only: bool,
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DecisionError {
    #[error("case {0} was not found")]
    CaseNotFound(i64),
    #[error("subject {subject} is not in case {case}")]
    SubjectNotInCase { case: i64, subject: i64 },
    #[error(
        "case {case} is {state}: a decision can be taken on a case that is new, in triage, investigating or decided"
    )]
    CaseNotDecidable { case: i64, state: &'static str },
    #[error("the {role} role may not {what}")]
    Forbidden {
        role: &'static str,
        what: &'static str,
    },
    #[error("the statement of reasons is incomplete")]
    Invalid(Vec<FieldError>),
    #[error("decision {0} was not found")]
    DecisionNotFound(i64),
    #[error("no decision has this appeal code")]
    UnknownCode,
    #[error("the appeal period ended on {0}")]
    AppealWindowClosed(OffsetDateTime),
    #[error("decision {0} is no longer in force")]
    DecisionNotInForce(i64),
    #[error("an appeal against this decision is already open")]
    AppealAlreadyOpen,
    #[error("appeal {0} was not found")]
    AppealNotFound(i64),
    #[error("appeal {0} has already been decided")]
    AppealDecided(i64),
    #[error("the reviewer of an appeal must not be who took the decision ({0})")]
    ReviewerTookDecision(String),
    #[error("provider {0} was not found")]
    ProviderNotFound(i64),
    #[error("storage unavailable: {0}")]
    Unavailable(String),
}

impl DecisionError {
    /// The stable code the API answers with.
    pub fn code(&self) -> &'static str {
        match self {
            Self::CaseNotFound(_) | Self::DecisionNotFound(_) | Self::AppealNotFound(_) => {
                "not_found"
            }
            Self::SubjectNotInCase { .. } => "subject_not_in_case",
            Self::CaseNotDecidable { .. } => "case_not_decidable",
            Self::Forbidden { .. } => "forbidden",
            Self::Invalid(_) => "invalid_statement",
            Self::UnknownCode => "unknown_code",
            Self::AppealWindowClosed(_) => "appeal_window_closed",
            Self::DecisionNotInForce(_) => "decision_not_in_force",
            Self::AppealAlreadyOpen => "appeal_already_open",
            Self::AppealDecided(_) => "appeal_decided",
            Self::ReviewerTookDecision(_) => "reviewer_took_decision",
            Self::ProviderNotFound(_) => "provider_not_found",
            Self::Unavailable(_) => "unavailable",
        }
    }
}

impl From<StoreError> for DecisionError {
    fn from(e: StoreError) -> Self {
        Self::Unavailable(e.to_string())
    }
}

#[async_trait]
pub trait DecisionStore: Send + Sync + 'static {
    /// Stores a decision, its notices and orders, and moves the case to
    /// `decided` (through `investigating` from `new` or `triage`).
    async fn decide(
        &self,
        new: NewDecision,
        by: &Staff,
        now: OffsetDateTime,
    ) -> Result<DecisionDetail, DecisionError>;
    async fn decision(&self, id: i64) -> Result<Option<DecisionDetail>, StoreError>;
    async fn case_decisions(&self, case_id: i64) -> Result<Vec<DecisionDetail>, StoreError>;
    /// Decisions taken at or after `since`, oldest first, after id
    /// `after` (for paging an export).
    async fn decisions_since(
        &self,
        since: OffsetDateTime,
        after: i64,
        limit: u32,
    ) -> Result<Vec<Decision>, StoreError>;
    /// The decision an appeal code belongs to (codes are compared after
    /// normalisation by the caller).
    async fn public_decision(&self, code: &str) -> Result<Option<PublicDecision>, StoreError>;
    /// Files an appeal; moves a `decided` case to `appealed`.
    async fn file_appeal(
        &self,
        appeal: NewAppeal,
        now: OffsetDateTime,
    ) -> Result<Appeal, DecisionError>;
    async fn appeals(&self, query: &AppealQuery) -> Result<Vec<Appeal>, StoreError>;
    async fn appeal(&self, id: i64) -> Result<Option<Appeal>, StoreError>;
    /// Decides an appeal: checks the reviewer did not take the decision,
    /// stores the outcome, the notice, and for a reversal or modification
    /// the orders that undo or amend each order of the decision.
    async fn review_appeal(
        &self,
        id: i64,
        review: AppealReview,
        by: &Staff,
        now: OffsetDateTime,
    ) -> Result<Appeal, DecisionError>;
    /// The outcome a reporter sees on their receipt page (`receipt` in its
    /// stored form, `ReceiptCode::as_str`).
    async fn report_outcome(&self, receipt: &str) -> Result<Option<ReportOutcome>, StoreError>;
    async fn templates(&self) -> Result<Vec<MessageTemplate>, StoreError>;
    async fn put_template(
        &self,
        template: MessageTemplate,
        by: &Staff,
        now: OffsetDateTime,
    ) -> Result<(), StoreError>;
    async fn pending_emails(&self, limit: u32) -> Result<Vec<PendingEmail>, StoreError>;
    async fn mark_email_sent(&self, id: i64, now: OffsetDateTime) -> Result<(), StoreError>;
}
