//! Ports: what the domain needs from storage, as traits.
//!
//! `harrier-store` implements them (SQLite by default); the web layer and the
//! CLI only see these traits. Row types of a backend never leave it: the
//! methods speak in the domain's own types.

use crate::accounts::lockout::{LockoutPolicy, LoginFailures};
use crate::accounts::session::NewSession;
use crate::accounts::{Role, Staff};
use crate::directory::Service;
use crate::intake::{
    Channel, EvidenceFile, LocationKind, ReceiptCode, ReportStatus, ReporterContact, SubjectKind,
    ValidReport,
};
use async_trait::async_trait;
use serde::Serialize;
use thiserror::Error;
use time::{Date, OffsetDateTime};

#[derive(Debug, Error)]
pub enum StoreError {
    /// The database or disk failed; the caller may retry later.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// An idempotency key came back with a different request.
    #[error("the idempotency key was already used for a different request")]
    IdempotencyConflict,
    #[error("{0} already exists")]
    AlreadyExists(String),
    #[error("{0} was not found")]
    NotFound(String),
}

/// A client's idempotency key with the hash of the request it came with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    pub key: String,
    pub request_hash: String,
}

/// What the reporter gets back once the report is durably stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredReceipt {
    pub report_id: i64,
    pub receipt: ReceiptCode,
    pub status: ReportStatus,
    /// True when an idempotent retry returned an earlier receipt.
    pub replayed: bool,
}

/// The public view of a report: status and outcome only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicStatus {
    pub status: ReportStatus,
    pub outcome: Option<String>,
    pub received_on: Date,
    pub updated_on: Date,
}

/// Filters for the staff list of reports; newest first.
#[derive(Debug, Clone, Default)]
pub struct ReportFilter {
    pub status: Option<ReportStatus>,
    pub category: Option<String>,
    pub channel: Option<Channel>,
    pub since: Option<OffsetDateTime>,
    /// Only reports with an id below this one (the pagination cursor).
    pub before_id: Option<i64>,
    pub limit: u32,
}

/// A subject as staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubjectSummary {
    pub id: i64,
    pub kind: SubjectKind,
    pub platform: String,
    pub key: String,
    pub report_count: i64,
    pub first_reported_at: OffsetDateTime,
    pub last_reported_at: OffsetDateTime,
}

/// One location of a stored report with the subject it folded into.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportLocation {
    pub kind: LocationKind,
    pub value: String,
    pub subject: SubjectSummary,
}

/// A stored report as staff see it. `contact` is filled by the store and
/// removed by the caller for every role but intake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportRecord {
    pub id: i64,
    pub channel: Channel,
    pub category: String,
    pub status: ReportStatus,
    pub outcome: Option<String>,
    pub platform: Option<String>,
    pub occurred_on: Option<Date>,
    pub description: String,
    pub received_at: OffsetDateTime,
    pub locations: Vec<ReportLocation>,
    pub files: Vec<EvidenceFile>,
    pub contact: Option<ReporterContact>,
    pub logged_by: Option<String>,
}

/// Filters for the subject list; most-reported first.
#[derive(Debug, Clone, Default)]
pub struct SubjectFilter {
    pub kind: Option<SubjectKind>,
    pub min_reports: i64,
    pub limit: u32,
}

/// A staff account with what sign-in checks: the password hash, the second
/// factor, the recent failures.
#[derive(Debug, Clone)]
pub struct StaffCredentials {
    pub staff: Staff,
    pub password_hash: String,
    pub disabled: bool,
    pub totp: Option<StoredTotp>,
    pub failures: LoginFailures,
}

/// An account's TOTP secret as stored: sealed (`accounts::totp::seal`),
/// and confirmed once a code from it was accepted. An unconfirmed secret is
/// an enrolment in progress and does not guard the account yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTotp {
    pub sealed_secret: String,
    pub confirmed: bool,
    /// The last step whose code was accepted; codes of that step or earlier
    /// are refused (no replay).
    pub last_step: Option<u64>,
}

/// Totals for /metrics and the health check.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub reports: i64,
    pub subjects: i64,
    pub directory_services: i64,
    pub staff: i64,
}

/// Where a directory import goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectoryImport {
    /// Add the services to what is there.
    Append,
    /// Replace every service from the same source.
    ReplaceSource,
}

/// State: reports, subjects, the directory and staff.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Stores a report durably (the commit has reached disk when this
    /// returns). With an idempotency key that was seen before with the same
    /// request, returns the earlier receipt and stores nothing.
    async fn insert_report(
        &self,
        report: ValidReport,
        idempotency: Option<IdempotencyKey>,
    ) -> Result<StoredReceipt, StoreError>;

    async fn report_status(
        &self,
        receipt: &ReceiptCode,
    ) -> Result<Option<PublicStatus>, StoreError>;
    async fn list_reports(&self, filter: &ReportFilter) -> Result<Vec<ReportRecord>, StoreError>;
    async fn get_report(&self, id: i64) -> Result<Option<ReportRecord>, StoreError>;
    async fn list_subjects(
        &self,
        filter: &SubjectFilter,
    ) -> Result<Vec<SubjectSummary>, StoreError>;

    async fn import_directory(
        &self,
        source: &str,
        services: Vec<Service>,
        mode: DirectoryImport,
        now: OffsetDateTime,
    ) -> Result<usize, StoreError>;
    async fn directory(&self) -> Result<Vec<Service>, StoreError>;

    /// Creates a staff account, or resets an existing one's role and
    /// password when `reset` is true. A reset also ends the account's
    /// sessions and clears its failed sign-ins (the admin's way to unlock);
    /// it keeps the second factor.
    async fn put_staff(
        &self,
        name: &str,
        role: Role,
        password_hash: &str,
        must_change_password: bool,
        reset: bool,
        now: OffsetDateTime,
    ) -> Result<Staff, StoreError>;
    async fn staff_credentials(&self, name: &str) -> Result<Option<StaffCredentials>, StoreError>;
    /// Sets a new password and ends every session of the account but
    /// `keep_session` (a token hash), if given.
    async fn set_password(
        &self,
        staff_id: i64,
        password_hash: &str,
        keep_session: Option<&str>,
    ) -> Result<(), StoreError>;

    /// Counts one failed sign-in (`LoginFailures::after_failure`, in one
    /// write) and returns the new state.
    async fn record_login_failure(
        &self,
        staff_id: i64,
        policy: LockoutPolicy,
        now: OffsetDateTime,
    ) -> Result<LoginFailures, StoreError>;
    async fn clear_login_failures(&self, staff_id: i64) -> Result<(), StoreError>;

    /// Stores a new, unconfirmed TOTP secret (an enrolment). Refused with
    /// `AlreadyExists` when the account has a confirmed one.
    async fn begin_totp(&self, staff_id: i64, sealed_secret: &str) -> Result<(), StoreError>;
    /// Accepts a code's step when it is later than the last accepted one,
    /// in one write, and confirms the secret when `confirm`. False when the
    /// step was already used (a replay) or there is no secret.
    async fn accept_totp_step(
        &self,
        staff_id: i64,
        step: u64,
        confirm: bool,
    ) -> Result<bool, StoreError>;
    /// Removes the second factor and ends every session of the account.
    async fn clear_totp(&self, staff_id: i64) -> Result<(), StoreError>;

    async fn insert_session(&self, session: &NewSession) -> Result<(), StoreError>;
    /// The staff member of a live session (within both of its limits, and
    /// the account not disabled). Writes the last-seen time when it is a
    /// minute old or more (`accounts::session`).
    async fn staff_by_token(
        &self,
        token_hash: &str,
        now: OffsetDateTime,
    ) -> Result<Option<Staff>, StoreError>;
    /// Ends a session (sign-out); unknown tokens are ignored.
    async fn delete_token(&self, token_hash: &str) -> Result<(), StoreError>;
    /// Ends every session of the account but `keep_session`, if given;
    /// returns how many ended.
    async fn end_sessions(
        &self,
        staff_id: i64,
        keep_session: Option<&str>,
    ) -> Result<u64, StoreError>;

    async fn totals(&self) -> Result<Totals, StoreError>;
}

/// Content-addressed storage for evidence files.
#[async_trait]
pub trait BlobStore: Send + Sync + 'static {
    /// Writes the bytes durably and returns their SHA-256 in hex. Writing the
    /// same bytes twice stores them once.
    async fn put(&self, bytes: Vec<u8>) -> Result<String, StoreError>;
    async fn get(&self, sha256: &str) -> Result<Option<Vec<u8>>, StoreError>;
}
