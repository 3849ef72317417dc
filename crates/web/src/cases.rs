//! What the API and the console share about cases: evidence in and out,
//! the export, and the mapping of case errors to HTTP.

use crate::AppState;
use crate::errors::ApiError;
use crate::export::{Export, build};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use harrier_core::accounts::Staff;
use harrier_core::audit::{Actor, NewEntry};
use harrier_core::cases::{CaseError, EvidenceRecord, EvidenceSource, NewEvidence};
use harrier_core::evidence::sniff;
use serde_json::json;

/// The largest evidence file staff can upload.
pub const MAX_EVIDENCE_BYTES: usize = 20 * 1024 * 1024;
/// The longest note kept with a piece of evidence.
const MAX_NOTE_CHARS: usize = 2_000;

impl From<CaseError> for ApiError {
    fn from(e: CaseError) -> Self {
        let status = match &e {
            CaseError::NotFound(_) | CaseError::ReportNotFound(_) => StatusCode::NOT_FOUND,
            CaseError::InvalidTransition { .. } | CaseError::DuplicateEvidence { .. } => {
                StatusCode::CONFLICT
            }
            CaseError::RoleNotAllowed { .. } => StatusCode::FORBIDDEN,
            CaseError::ReasonRequired | CaseError::NoSuchStaff(_) | CaseError::NoSubject(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            CaseError::Unavailable(detail) => {
                tracing::error!(error = %detail, "storage failed");
                return ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "storage_unavailable",
                    "the change could not be stored and was not made; please try again",
                );
            }
        };
        let field = match &e {
            CaseError::ReasonRequired => Some("reason"),
            CaseError::NoSuchStaff(_) => Some("staff"),
            _ => None,
        };
        let error = ApiError::new(status, e.code(), e.to_string());
        match field {
            Some(f) => error.with_field(f),
            None => error,
        }
    }
}

/// Checks and stores an uploaded file, then records it in the case.
pub async fn add_upload(
    state: &AppState,
    case_id: i64,
    name: &str,
    bytes: Vec<u8>,
    note: Option<&str>,
    source: EvidenceSource,
    by: &Staff,
) -> Result<EvidenceRecord, ApiError> {
    let name: String = name.chars().filter(|c| !c.is_control()).take(200).collect();
    let name = if name.trim().is_empty() {
        "upload".to_owned()
    } else {
        name
    };
    let note = note
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|n| n.chars().take(MAX_NOTE_CHARS).collect::<String>());
    let media_type = sniff(&name, &bytes, MAX_EVIDENCE_BYTES)?;
    // The case must exist before anything is written.
    if state.cases.get_case(case_id).await?.is_none() {
        return Err(CaseError::NotFound(case_id).into());
    }
    let size = bytes.len() as i64;
    let sha256 = state.blobs.put(bytes).await?;
    let record = state
        .cases
        .add_evidence(
            case_id,
            NewEvidence {
                sha256,
                media_type: media_type.to_owned(),
                size,
                name,
                source,
                source_ref: None,
                note,
            },
            by,
            state.clock.now(),
        )
        .await?;
    Ok(record)
}

/// One evidence file of a case, served so that it cannot run in any page:
/// its sniffed type, `nosniff`, a sandboxing CSP, and as an attachment
/// unless `inline` and an image.
pub async fn evidence_response(
    state: &AppState,
    case_id: i64,
    sha256: &str,
    inline: bool,
) -> Result<Response, ApiError> {
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ApiError::not_found("evidence"));
    }
    let detail = state
        .cases
        .get_case(case_id)
        .await?
        .ok_or(CaseError::NotFound(case_id))?;
    let record = detail
        .evidence
        .into_iter()
        .find(|e| e.sha256 == sha256)
        .ok_or_else(|| ApiError::not_found("evidence"))?;
    let bytes = state
        .blobs
        .get(&record.sha256)
        .await?
        .ok_or_else(|| ApiError::not_found("evidence file"))?;
    let image = record.media_type.starts_with("image/");
    let disposition = if inline && image {
        "inline"
    } else {
        "attachment"
    };
    let filename = format!(
        "evidence-{}-{}.{}",
        record.id,
        &record.sha256[..12],
        record.media_type.rsplit('/').next().unwrap_or("bin")
    );
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    let mut set = |name: header::HeaderName, value: String| {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(name, v);
        }
    };
    set(header::CONTENT_TYPE, record.media_type.clone());
    set(
        header::CONTENT_DISPOSITION,
        format!("{disposition}; filename=\"{filename}\""),
    );
    set(
        header::CONTENT_SECURITY_POLICY,
        "sandbox; default-src 'none'".to_owned(),
    );
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned());
    set(header::CACHE_CONTROL, "private, no-store".to_owned());
    set(
        header::HeaderName::from_static("cross-origin-resource-policy"),
        "same-origin".to_owned(),
    );
    Ok(response)
}

/// Builds a case's export and records it in the audit log.
pub async fn export(state: &AppState, case_id: i64, by: &Staff) -> Result<Export, ApiError> {
    let detail = state
        .cases
        .get_case(case_id)
        .await?
        .ok_or(CaseError::NotFound(case_id))?;
    let mut files = Vec::with_capacity(detail.evidence.len());
    for record in &detail.evidence {
        let bytes = state.blobs.get(&record.sha256).await?.ok_or_else(|| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "evidence_missing",
                format!(
                    "evidence {} ({}) is recorded but its file is missing from the blob store",
                    record.id, record.sha256
                ),
            )
        })?;
        files.push((record.clone(), bytes));
    }
    let head = state.cases.audit_head().await?;
    let now = state.clock.now();
    let export = build(&detail, &files, &detail.audit, head.as_ref(), &by.name, now)
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "export_failed", e))?;
    state
        .cases
        .append_audit(
            NewEntry::new(
                Actor::Staff {
                    id: by.id,
                    name: by.name.clone(),
                },
                "evidence.exported",
                format!("case:{case_id}"),
                json!({"manifest_sha256": export.manifest_sha256, "files": export.files}),
            ),
            now,
        )
        .await?;
    Ok(export)
}

/// The ZIP as a download.
pub fn zip_response(case_id: i64, export: Export) -> Response {
    let mut response = (StatusCode::OK, export.zip).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"case-{case_id}-evidence.zip\""
    )) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&export.manifest_sha256) {
        headers.insert("x-manifest-sha256", v);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    response
}
