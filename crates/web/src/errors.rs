//! Every error the HTTP layer answers with, in one place.
//!
//! Domain errors map to a status and a stable snake_case code here and
//! nowhere else; handlers just use `?`. JSON clients get
//! `{"error": {"code", "message", "field"}}`; pages render their own forms
//! again with the same code and message (see `portal::report`).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use harrier_core::decisions::{DecisionError, FieldError};
use harrier_core::evidence::EvidenceError;
use harrier_core::intake::IntakeError;
use harrier_core::ports::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// An error as a client sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<&'static str>,
    /// Every wrong field, when a request had several.
    pub details: Vec<FieldError>,
}

/// The JSON body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
    /// Every wrong field, when there were several (the first is `error`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ErrorDetail>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable snake_case code to match on, e.g. `missing_field`.
    pub code: String,
    /// A sentence for a person.
    pub message: String,
    /// The request field the error concerns, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            field: None,
            details: Vec::new(),
        }
    }

    /// 422 with every wrong field; the first is the main error.
    pub fn fields(code: &'static str, details: Vec<FieldError>) -> Self {
        let message = details
            .iter()
            .map(|d| d.message.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code,
            message,
            field: None,
            details,
        }
    }

    pub fn with_field(mut self, field: &'static str) -> Self {
        self.field = Some(field);
        self
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid staff token is required: send it as 'Authorization: Bearer <token>'",
        )
    }

    pub fn forbidden(what: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("your role may not {what}"),
        )
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} was not found"),
        )
    }

    pub fn body_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!("the request is larger than the limit of {limit} bytes"),
        )
    }

    pub fn rate_limited(retry_after_secs: u64) -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("too many requests; try again in {retry_after_secs} seconds"),
        )
    }

    pub fn body(&self) -> ErrorBody {
        let errors: Vec<ErrorDetail> = self
            .details
            .iter()
            .map(|d| ErrorDetail {
                code: d.code.to_owned(),
                message: d.message.clone(),
                field: Some(d.field.clone()),
            })
            .collect();
        ErrorBody {
            error: ErrorDetail {
                code: self.code.to_owned(),
                message: self.message.clone(),
                field: self
                    .field
                    .map(str::to_owned)
                    .or_else(|| self.details.first().map(|d| d.field.clone())),
            },
            errors,
        }
    }
}

impl From<IntakeError> for ApiError {
    fn from(e: IntakeError) -> Self {
        let field = e.field();
        let mut err = Self::new(StatusCode::UNPROCESSABLE_ENTITY, e.code(), e.to_string());
        err.field = field;
        err
    }
}

impl From<DecisionError> for ApiError {
    fn from(e: DecisionError) -> Self {
        let status = match &e {
            DecisionError::Invalid(details) => {
                return Self::fields(e.code(), details.clone());
            }
            DecisionError::CaseNotFound(_)
            | DecisionError::DecisionNotFound(_)
            | DecisionError::AppealNotFound(_)
            | DecisionError::UnknownCode => StatusCode::NOT_FOUND,
            DecisionError::Forbidden { .. } | DecisionError::ReviewerTookDecision(_) => {
                StatusCode::FORBIDDEN
            }
            DecisionError::SubjectNotInCase { .. } | DecisionError::ProviderNotFound(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            DecisionError::CaseNotDecidable { .. }
            | DecisionError::AppealWindowClosed(_)
            | DecisionError::DecisionNotInForce(_)
            | DecisionError::AppealAlreadyOpen
            | DecisionError::AppealDecided(_) => StatusCode::CONFLICT,
            DecisionError::Unavailable(detail) => {
                tracing::error!(error = %detail, "storage failed");
                return Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "storage_unavailable",
                    "the change could not be stored and was not made; please try again in a minute",
                );
            }
        };
        Self::new(status, e.code(), e.to_string())
    }
}

impl From<EvidenceError> for ApiError {
    fn from(e: EvidenceError) -> Self {
        let status = match e {
            EvidenceError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            EvidenceError::TypeNotAllowed { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            EvidenceError::Empty { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        };
        Self::new(status, e.code(), e.to_string()).with_field("evidence")
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(detail) => {
                tracing::error!(error = %detail, "storage failed");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "storage_unavailable",
                    "the report could not be stored and was not accepted; please try again in a minute",
                )
            }
            StoreError::IdempotencyConflict => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "this Idempotency-Key was already used with a different request; use a new key for a new report",
            ),
            StoreError::AlreadyExists(what) => Self::new(
                StatusCode::CONFLICT,
                "already_exists",
                format!("{what} already exists"),
            ),
            StoreError::NotFound(what) => Self::not_found(&what),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let retry = matches!(
            self.status,
            StatusCode::SERVICE_UNAVAILABLE | StatusCode::TOO_MANY_REQUESTS
        );
        let mut response = (self.status, axum::Json(self.body())).into_response();
        if retry {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
        }
        response
    }
}
