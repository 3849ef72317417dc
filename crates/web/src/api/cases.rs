//! `/api/v1/cases`, triage of reports, evidence and `/api/v1/audit`.

use super::dto::{ReportBody, SubjectBody, rfc3339};
use super::json::{body, body_within, parse_json};
use crate::AppState;
use crate::auth::{Authenticated, Permission};
use crate::cases::{MAX_EVIDENCE_BYTES, add_upload, evidence_response, export, zip_response};
use crate::errors::{ApiError, ErrorBody};
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use harrier_core::accounts::Staff;
use harrier_core::audit::Entry;
use harrier_core::cases::{
    AssigneeFilter, BulkAction, CaseDetail, CaseQuery, CaseSignal, CaseSort, CaseState,
    CaseSummary, EvidenceRecord, EvidenceSource, next_states_for,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A case in a queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseBody {
    pub id: i64,
    /// new, triage, investigating, decided, appealed, reviewed or closed.
    pub state: String,
    pub category: String,
    pub severity: String,
    pub subject: SubjectBody,
    pub subject_count: i64,
    pub report_count: i64,
    pub signal_count: i64,
    pub top_score: f64,
    pub priority: f64,
    pub assignee: Option<String>,
    pub opened_at: String,
    pub updated_at: String,
    pub due_at: String,
    /// Past its deadline and not yet decided.
    pub overdue: bool,
}

impl CaseBody {
    pub fn new(c: CaseSummary, now: time::OffsetDateTime) -> Self {
        let overdue = c.due_at < now
            && matches!(
                c.state,
                CaseState::New | CaseState::Triage | CaseState::Investigating
            );
        Self {
            id: c.id,
            state: c.state.as_str().to_owned(),
            category: c.category,
            severity: c.severity,
            subject: c.subject.into(),
            subject_count: c.subject_count,
            report_count: c.report_count,
            signal_count: c.signal_count,
            top_score: c.top_score,
            priority: c.priority,
            assignee: c.assignee,
            opened_at: rfc3339(c.opened_at),
            updated_at: rfc3339(c.updated_at),
            due_at: rfc3339(c.due_at),
            overdue,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CasePage {
    pub cases: Vec<CaseBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SignalBody {
    pub id: i64,
    pub rule: String,
    pub category: String,
    pub severity: String,
    pub score: f64,
    pub ruleset_version: String,
    /// Spans in the original text and the features that weighed most.
    #[schema(value_type = Object)]
    pub explanation: serde_json::Value,
    pub created_at: String,
    pub item_id: i64,
    pub provider: String,
    pub external_id: String,
    pub item_kind: String,
    pub account: Option<String>,
    pub room: Option<String>,
    /// Shown, never fetched.
    pub url: Option<String>,
    pub text: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EvidenceBody {
    pub id: i64,
    pub sha256: String,
    pub media_type: String,
    pub size: i64,
    /// As given by the uploader or reporter: untrusted text.
    pub name: String,
    /// upload, provider or report_file.
    pub source: String,
    pub source_ref: Option<String>,
    pub note: Option<String>,
    pub captured_by: String,
    pub captured_at: String,
}

impl From<EvidenceRecord> for EvidenceBody {
    fn from(e: EvidenceRecord) -> Self {
        Self {
            id: e.id,
            sha256: e.sha256,
            media_type: e.media_type,
            size: e.size,
            name: e.name,
            source: e.source.as_str().to_owned(),
            source_ref: e.source_ref,
            note: e.note,
            captured_by: e.captured_by,
            captured_at: rfc3339(e.captured_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TransitionBody {
    pub from: String,
    pub to: String,
    pub by: String,
    pub reason: String,
    pub at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryBody {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub object: String,
    /// JSON text, exactly as hashed.
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

impl From<Entry> for AuditEntryBody {
    fn from(e: Entry) -> Self {
        Self {
            seq: e.seq,
            at: e.at,
            actor: e.actor,
            action: e.action,
            object: e.object,
            detail: e.detail,
            prev_hash: e.prev_hash,
            hash: e.hash,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseDetailBody {
    pub case: CaseBody,
    /// The states the caller's role may move this case to.
    pub next_states: Vec<String>,
    pub subjects: Vec<SubjectBody>,
    pub reports: Vec<ReportBody>,
    pub signals: Vec<SignalBody>,
    pub evidence: Vec<EvidenceBody>,
    pub transitions: Vec<TransitionBody>,
    pub audit: Vec<AuditEntryBody>,
}

impl CaseDetailBody {
    pub fn new(d: CaseDetail, staff: &Staff, now: time::OffsetDateTime) -> Self {
        let show_contact = staff.role.sees_reporter_identity();
        Self {
            next_states: next_states_for(d.case.state, staff.role)
                .into_iter()
                .map(|s| s.as_str().to_owned())
                .collect(),
            case: CaseBody::new(d.case, now),
            subjects: d.subjects.into_iter().map(Into::into).collect(),
            reports: d
                .reports
                .into_iter()
                .map(|r| ReportBody::new(r, show_contact))
                .collect(),
            signals: d.signals.into_iter().map(signal_body).collect(),
            evidence: d.evidence.into_iter().map(Into::into).collect(),
            transitions: d
                .transitions
                .into_iter()
                .map(|t| TransitionBody {
                    from: t.from.as_str().to_owned(),
                    to: t.to.as_str().to_owned(),
                    by: t.by,
                    reason: t.reason,
                    at: rfc3339(t.at),
                })
                .collect(),
            audit: d.audit.into_iter().map(Into::into).collect(),
        }
    }
}

fn signal_body(s: CaseSignal) -> SignalBody {
    SignalBody {
        id: s.id,
        rule: s.rule,
        category: s.category,
        severity: s.severity,
        score: s.score,
        ruleset_version: s.ruleset_version,
        explanation: s.explanation,
        created_at: rfc3339(s.created_at),
        item_id: s.item.id,
        provider: s.item.provider,
        external_id: s.item.external_id,
        item_kind: s.item.kind,
        account: s.item.account,
        room: s.item.room,
        url: s.item.url,
        text: s.item.text,
    }
}

fn bad_query(field: &'static str, message: String) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", message).with_field(field)
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CaseListQuery {
    /// Comma-separated states; every active (not closed) state by default.
    pub state: Option<String>,
    pub category: Option<String>,
    /// `me`, `none` or a staff name.
    pub assignee: Option<String>,
    /// Only cases that include this subject id.
    pub subject: Option<i64>,
    /// priority (default), deadline or newest.
    pub sort: Option<String>,
    /// 1 to 200; 50 by default.
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

/// Turns the query of a queue into a [`CaseQuery`]; shared with the console.
pub async fn case_query(
    state: &AppState,
    staff: &Staff,
    q: &CaseListQuery,
) -> Result<CaseQuery, ApiError> {
    let states = match q.state.as_deref().filter(|s| !s.is_empty()) {
        None | Some("active") => Vec::new(),
        Some(list) => list
            .split(',')
            .map(|s| {
                CaseState::parse(s.trim()).ok_or_else(|| {
                    bad_query(
                        "state",
                        format!(
                            "state {s:?} is not one of new, triage, investigating, decided, appealed, reviewed, closed"
                        ),
                    )
                })
            })
            .collect::<Result<_, _>>()?,
    };
    let sort = match q.sort.as_deref().filter(|s| !s.is_empty()) {
        None => CaseSort::Priority,
        Some(s) => CaseSort::parse(s).ok_or_else(|| {
            bad_query(
                "sort",
                format!("sort {s:?} is not priority, deadline or newest"),
            )
        })?,
    };
    let assignee = match q.assignee.as_deref().filter(|s| !s.is_empty()) {
        None | Some("anyone") => AssigneeFilter::Anyone,
        Some("me") => AssigneeFilter::Staff(staff.id),
        Some("none") => AssigneeFilter::Unassigned,
        Some(name) => AssigneeFilter::Staff(staff_id(state, name).await?),
    };
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(bad_query(
            "limit",
            format!("limit {limit} is not between 1 and 200"),
        ));
    }
    Ok(CaseQuery {
        states,
        category: q.category.clone().filter(|c| !c.is_empty()),
        assignee,
        subject: q.subject,
        sort,
        limit,
        offset: q.offset.unwrap_or(0).min(10_000),
    })
}

async fn staff_id(state: &AppState, name: &str) -> Result<i64, ApiError> {
    state
        .cases
        .staff_list()
        .await?
        .into_iter()
        .find(|s| s.name == name)
        .map(|s| s.id)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "no_such_staff",
                format!("there is no active staff account named {name:?}"),
            )
            .with_field("staff")
        })
}

/// A queue of cases.
#[utoipa::path(
    get, path = "/api/v1/cases", tag = "cases",
    params(CaseListQuery), security(("staff_token" = [])),
    responses((status = 200, body = CasePage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody))
)]
pub async fn list(
    State(state): State<AppState>,
    auth: Authenticated,
    query: Result<Query<CaseListQuery>, QueryRejection>,
) -> Result<Json<CasePage>, ApiError> {
    let staff = auth.require(Permission::ReadCases, "read cases")?;
    let Query(q) = query
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", e.body_text()))?;
    let query = case_query(&state, staff, &q).await?;
    let now = state.clock.now();
    let cases = state.cases.list_cases(&query).await?;
    Ok(Json(CasePage {
        cases: cases.into_iter().map(|c| CaseBody::new(c, now)).collect(),
    }))
}

/// One case with its subjects, reports, signals, evidence, moves and audit
/// entries. Reporter contacts only for the intake role.
#[utoipa::path(
    get, path = "/api/v1/cases/{id}", tag = "cases",
    params(("id" = i64, Path)), security(("staff_token" = [])),
    responses((status = 200, body = CaseDetailBody), (status = 404, body = ErrorBody))
)]
pub async fn get(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<i64>,
) -> Result<Json<CaseDetailBody>, ApiError> {
    let staff = auth.require(Permission::ReadCases, "read cases")?;
    let detail = state
        .cases
        .get_case(id)
        .await?
        .ok_or_else(|| ApiError::not_found(&format!("case {id}")))?;
    Ok(Json(CaseDetailBody::new(detail, staff, state.clock.now())))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionRequest {
    /// The state to move to.
    pub to: String,
    /// Why (required, kept with the move and in the audit log).
    pub reason: String,
}

fn parse_state(s: &str) -> Result<CaseState, ApiError> {
    CaseState::parse(s).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_state",
            format!("{s:?} is not one of new, triage, investigating, decided, appealed, reviewed, closed"),
        )
        .with_field("to")
    })
}

/// Move a case. Refused moves answer 409 with the moves that are allowed.
#[utoipa::path(
    post, path = "/api/v1/cases/{id}/transition", tag = "cases",
    params(("id" = i64, Path)), request_body = TransitionRequest, security(("staff_token" = [])),
    responses((status = 200, body = CaseBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "not a move the table allows", body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn transition(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<i64>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Json<CaseBody>, ApiError> {
    let staff = auth.require(Permission::MoveCases, "move cases")?;
    let request: TransitionRequest = parse_json(&body(raw)?)?;
    let to = parse_state(&request.to)?;
    let now = state.clock.now();
    let case = state
        .cases
        .transition_case(id, to, staff, &request.reason, now)
        .await?;
    Ok(Json(CaseBody::new(case, now)))
}

/// Claim a case: assign it to oneself.
#[utoipa::path(
    post, path = "/api/v1/cases/{id}/claim", tag = "cases",
    params(("id" = i64, Path)), security(("staff_token" = [])),
    responses((status = 200, body = CaseBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody))
)]
pub async fn claim(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<i64>,
) -> Result<Json<CaseBody>, ApiError> {
    let staff = auth.require(Permission::MoveCases, "claim cases")?;
    let now = state.clock.now();
    let case = state
        .cases
        .assign_case(id, Some(staff.id), staff, now)
        .await?;
    Ok(Json(CaseBody::new(case, now)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    /// A staff name, or null to unassign.
    pub staff: Option<String>,
}

/// Assign a case to a staff member (or unassign it).
#[utoipa::path(
    post, path = "/api/v1/cases/{id}/assign", tag = "cases",
    params(("id" = i64, Path)), request_body = AssignRequest, security(("staff_token" = [])),
    responses((status = 200, body = CaseBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn assign(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<i64>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Json<CaseBody>, ApiError> {
    let staff = auth.require(Permission::AssignCases, "assign cases")?;
    let request: AssignRequest = parse_json(&body(raw)?)?;
    let assignee = match request.staff.as_deref() {
        Some(name) => Some(staff_id(&state, name).await?),
        None => None,
    };
    let now = state.clock.now();
    let case = state.cases.assign_case(id, assignee, staff, now).await?;
    Ok(Json(CaseBody::new(case, now)))
}

/// The most cases one bulk action takes.
pub const MAX_BULK: usize = 500;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkRequest {
    pub ids: Vec<i64>,
    /// `transition` (with `to` and `reason`) or `assign` (with `staff`, null
    /// to unassign).
    pub action: String,
    pub to: Option<String>,
    pub reason: Option<String>,
    pub staff: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BulkItemBody {
    pub id: i64,
    pub ok: bool,
    pub code: Option<String>,
    pub message: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BulkBody {
    pub results: Vec<BulkItemBody>,
}

/// One action on many cases; each case is answered on its own.
#[utoipa::path(
    post, path = "/api/v1/cases/bulk", tag = "cases",
    request_body = BulkRequest, security(("staff_token" = [])),
    responses((status = 200, body = BulkBody), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn bulk(
    State(state): State<AppState>,
    auth: Authenticated,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Json<BulkBody>, ApiError> {
    let staff = auth.require(Permission::AssignCases, "act on many cases")?;
    let request: BulkRequest = parse_json(&body(raw)?)?;
    if request.ids.is_empty() || request.ids.len() > MAX_BULK {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_ids",
            format!(
                "ids must hold 1 to {MAX_BULK} case ids (got {})",
                request.ids.len()
            ),
        )
        .with_field("ids"));
    }
    let action = match request.action.as_str() {
        "transition" => BulkAction::Transition {
            to: parse_state(request.to.as_deref().unwrap_or(""))?,
            reason: request.reason.clone().unwrap_or_default(),
        },
        "assign" => BulkAction::Assign {
            staff: match request.staff.as_deref() {
                Some(name) => Some(staff_id(&state, name).await?),
                None => None,
            },
        },
        other => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_action",
                format!("action {other:?} is not transition or assign"),
            )
            .with_field("action"));
        }
    };
    let results = state
        .cases
        .bulk_cases(request.ids, action, staff, state.clock.now())
        .await?;
    Ok(Json(BulkBody {
        results: results
            .into_iter()
            .map(|(id, r)| match r {
                Ok(()) => BulkItemBody {
                    id,
                    ok: true,
                    code: None,
                    message: None,
                },
                Err(e) => BulkItemBody {
                    id,
                    ok: false,
                    code: Some(e.code().to_owned()),
                    message: Some(e.to_string()),
                },
            })
            .collect(),
    }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TriageRequest {
    /// Why; "triaged from report N" when left out.
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TriageBody {
    pub case_id: i64,
    /// A new case was opened (else the report joined an active case of one
    /// of its subjects).
    pub opened: bool,
}

/// Put a tip-off into a case: the active case of one of its subjects, or a
/// new one. Its files become evidence of the case.
#[utoipa::path(
    post, path = "/api/v1/reports/{id}/triage", tag = "cases",
    params(("id" = i64, Path)), request_body(content = TriageRequest, description = "optional"),
    security(("staff_token" = [])),
    responses((status = 200, body = TriageBody), (status = 404, body = ErrorBody))
)]
pub async fn triage(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<i64>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<Json<TriageBody>, ApiError> {
    let staff = auth.require(Permission::TriageReports, "triage reports")?;
    let raw = body(raw)?;
    let request: TriageRequest = if raw.iter().all(u8::is_ascii_whitespace) {
        TriageRequest::default()
    } else {
        parse_json(&raw)?
    };
    let triaged = state
        .cases
        .triage_report(id, staff, &request.reason, state.clock.now())
        .await?;
    Ok(Json(TriageBody {
        case_id: triaged.case_id,
        opened: triaged.opened,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct EvidenceQuery {
    /// The file's name (kept as untrusted text).
    pub name: Option<String>,
    pub note: Option<String>,
    /// upload (default) or provider.
    pub source: Option<String>,
}

/// Add a file to a case's evidence: the body is the file (at most 20 MiB;
/// its type is decided from its bytes).
#[utoipa::path(
    post, path = "/api/v1/cases/{id}/evidence", tag = "cases",
    params(("id" = i64, Path), EvidenceQuery), request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    security(("staff_token" = [])),
    responses((status = 201, body = EvidenceBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 413, body = ErrorBody), (status = 415, body = ErrorBody))
)]
pub async fn add_evidence(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<i64>,
    query: Result<Query<EvidenceQuery>, QueryRejection>,
    raw: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<EvidenceBody>), ApiError> {
    let staff = auth.require(Permission::AddEvidence, "add evidence")?;
    let Query(q) = query
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", e.body_text()))?;
    let source = match q.source.as_deref() {
        None | Some("upload") => EvidenceSource::Upload,
        Some("provider") => EvidenceSource::Provider,
        Some(other) => {
            return Err(bad_query(
                "source",
                format!("source {other:?} is not upload or provider"),
            ));
        }
    };
    let bytes = body_within(raw, MAX_EVIDENCE_BYTES)?;
    let record = add_upload(
        &state,
        id,
        q.name.as_deref().unwrap_or("upload"),
        bytes.to_vec(),
        q.note.as_deref(),
        source,
        staff,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(record.into())))
}

/// One evidence file, as an attachment with a sandboxing CSP.
#[utoipa::path(
    get, path = "/api/v1/cases/{id}/evidence/{sha256}", tag = "cases",
    params(("id" = i64, Path), ("sha256" = String, Path)), security(("staff_token" = [])),
    responses((status = 200, description = "the file", content_type = "application/octet-stream"), (status = 404, body = ErrorBody))
)]
pub async fn evidence_file(
    State(state): State<AppState>,
    auth: Authenticated,
    Path((id, sha256)): Path<(i64, String)>,
) -> Result<Response, ApiError> {
    auth.require(Permission::ReadCases, "read evidence")?;
    evidence_response(&state, id, &sha256, false).await
}

/// The case's evidence as a ZIP with a manifest of hashes; the export is
/// recorded in the audit log.
#[utoipa::path(
    get, path = "/api/v1/cases/{id}/export", tag = "cases",
    params(("id" = i64, Path)), security(("staff_token" = [])),
    responses((status = 200, description = "the ZIP", content_type = "application/zip"), (status = 404, body = ErrorBody))
)]
pub async fn export_zip(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let staff = auth.require(Permission::ExportEvidence, "export evidence")?;
    let export = export(&state, id, staff).await?;
    Ok(zip_response(id, export))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Entries after this sequence number (0 by default).
    pub after: Option<i64>,
    /// 1 to 1000; 100 by default.
    pub limit: Option<u32>,
    /// Only entries about this object, e.g. `case:12`.
    pub object: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub entries: Vec<AuditEntryBody>,
}

/// The audit log, oldest first.
#[utoipa::path(
    get, path = "/api/v1/audit", tag = "audit",
    params(AuditQuery), security(("staff_token" = [])),
    responses((status = 200, body = AuditPage), (status = 403, body = ErrorBody))
)]
pub async fn audit(
    State(state): State<AppState>,
    auth: Authenticated,
    query: Result<Query<AuditQuery>, QueryRejection>,
) -> Result<Json<AuditPage>, ApiError> {
    auth.require(Permission::ReadAudit, "read the audit log")?;
    let Query(q) = query
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", e.body_text()))?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(bad_query(
            "limit",
            format!("limit {limit} is not between 1 and 1000"),
        ));
    }
    let entries = state
        .cases
        .audit_entries(q.after.unwrap_or(0), limit, q.object)
        .await?;
    Ok(Json(AuditPage {
        entries: entries.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditHeadBody {
    /// `seq:hash`: keep it outside Harrier; `harrier audit verify --head`
    /// checks the log still contains it.
    pub head: Option<String>,
    pub seq: i64,
}

/// The newest audit entry's sequence number and hash.
#[utoipa::path(
    get, path = "/api/v1/audit/head", tag = "audit",
    security(("staff_token" = [])),
    responses((status = 200, body = AuditHeadBody), (status = 403, body = ErrorBody))
)]
pub async fn audit_head(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Json<AuditHeadBody>, ApiError> {
    auth.require(Permission::ReadAudit, "read the audit log")?;
    let head = state.cases.audit_head().await?;
    Ok(Json(AuditHeadBody {
        seq: head.as_ref().map_or(0, |h| h.seq),
        head: head.map(|h| h.to_string()),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubjectLinkBody {
    pub subject: SubjectBody,
    /// `reported_together`, `same_case`, `in_group` or `member`.
    pub via: String,
    pub weight: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubjectDetailBody {
    pub subject: SubjectBody,
    pub reports: Vec<ReportBody>,
    /// For an account: the items it posted.
    pub items: Vec<CaseItemBody>,
    /// Ring groups it belongs to (for a group: itself).
    pub groups: Vec<super::groups::GroupBody>,
    pub signals: Vec<SignalBody>,
    pub cases: Vec<CaseBody>,
    pub links: Vec<SubjectLinkBody>,
}

/// One subject with its tip-offs, signals, cases and linked subjects
/// (newest first, at most 100 of each).
#[utoipa::path(
    get, path = "/api/v1/subjects/{id}", tag = "cases",
    params(("id" = i64, Path)), security(("staff_token" = [])),
    responses((status = 200, body = SubjectDetailBody), (status = 404, body = ErrorBody))
)]
pub async fn subject(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<i64>,
) -> Result<Json<SubjectDetailBody>, ApiError> {
    let staff = auth.require(Permission::ReadReports, "read subjects")?;
    let detail = state
        .cases
        .get_subject(id)
        .await?
        .ok_or_else(|| ApiError::not_found(&format!("subject {id}")))?;
    let now = state.clock.now();
    let show_contact = staff.role.sees_reporter_identity();
    Ok(Json(SubjectDetailBody {
        subject: detail.subject.into(),
        reports: detail
            .reports
            .into_iter()
            .map(|r| ReportBody::new(r, show_contact))
            .collect(),
        items: detail.items.into_iter().map(Into::into).collect(),
        groups: detail.groups.into_iter().map(Into::into).collect(),
        signals: detail.signals.into_iter().map(signal_body).collect(),
        cases: detail
            .cases
            .into_iter()
            .map(|c| CaseBody::new(c, now))
            .collect(),
        links: detail
            .links
            .into_iter()
            .map(|l| SubjectLinkBody {
                subject: l.subject.into(),
                via: l.via.to_owned(),
                weight: l.weight,
            })
            .collect(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    /// Words in Chinese or English; each space-separated term must occur
    /// (as a phrase).
    pub q: String,
    /// report, item or case.
    pub kind: Option<String>,
    pub category: Option<String>,
    /// 1 to 200; 50 by default.
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchHitBody {
    /// report, item or case.
    pub kind: String,
    pub id: i64,
    pub category: Option<String>,
    pub at: String,
    /// The matching passage as text.
    pub snippet: String,
    /// The words of the passage that matched.
    pub matched: Vec<String>,
    /// The case the hit is in, when there is one.
    pub case_id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchPage {
    pub hits: Vec<SearchHitBody>,
}

/// Parses search parameters into a query; shared with the console.
pub fn search_query(p: &SearchParams) -> Result<harrier_core::cases::SearchQuery, ApiError> {
    let kind =
        match p.kind.as_deref().filter(|k| !k.is_empty()) {
            None => None,
            Some(k) => Some(harrier_core::cases::SearchKind::parse(k).ok_or_else(|| {
                bad_query("kind", format!("kind {k:?} is not report, item or case"))
            })?),
        };
    let limit = p.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(bad_query(
            "limit",
            format!("limit {limit} is not between 1 and 200"),
        ));
    }
    Ok(crate::search::query(
        &p.q,
        kind,
        p.category.clone().filter(|c| !c.is_empty()),
        limit,
    ))
}

/// Full-text search over reports, items and cases (Chinese and English).
/// Reporter contact details are never searched.
#[utoipa::path(
    get, path = "/api/v1/search", tag = "cases",
    params(SearchParams), security(("staff_token" = [])),
    responses((status = 200, body = SearchPage), (status = 400, body = ErrorBody))
)]
pub async fn search(
    State(state): State<AppState>,
    auth: Authenticated,
    query: Result<Query<SearchParams>, QueryRejection>,
) -> Result<Json<SearchPage>, ApiError> {
    auth.require(Permission::ReadReports, "search")?;
    let Query(p) = query
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", e.body_text()))?;
    let query = search_query(&p)?;
    crate::search::catch_up(&state, crate::search::CATCH_UP_PER_SEARCH).await?;
    let hits = state.cases.search(&query).await?;
    let words: Vec<String> = query.phrases.concat();
    Ok(Json(SearchPage {
        hits: hits
            .into_iter()
            .map(|h| {
                let parts = crate::search::passage(&h.text, &words);
                SearchHitBody {
                    kind: h.kind.as_str().to_owned(),
                    id: h.id,
                    category: h.category,
                    at: rfc3339(h.at),
                    snippet: parts.iter().map(|(t, _)| t.as_str()).collect(),
                    matched: parts
                        .into_iter()
                        .filter(|(_, m)| *m)
                        .map(|(t, _)| t)
                        .collect(),
                    case_id: h.case_id,
                }
            })
            .collect(),
    }))
}

/// A stored feed item.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseItemBody {
    pub id: i64,
    pub provider: String,
    pub external_id: String,
    pub kind: String,
    /// Seconds since the epoch, as the provider gave it.
    pub ts: Option<i64>,
    pub text: String,
    pub account: Option<String>,
    pub room: Option<String>,
    /// Shown, never fetched.
    pub url: Option<String>,
    pub received_at: String,
}

impl From<harrier_core::cases::CaseItem> for CaseItemBody {
    fn from(i: harrier_core::cases::CaseItem) -> Self {
        Self {
            id: i.id,
            provider: i.provider,
            external_id: i.external_id,
            kind: i.kind,
            ts: i.ts,
            text: i.text,
            account: i.account,
            room: i.room,
            url: i.url,
            received_at: rfc3339(i.received_at),
        }
    }
}
