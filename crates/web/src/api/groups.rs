//! `/api/v1/groups`: groups of accounts found acting together by the ring
//! analysis, with their members, items (the timeline) and scores.

use super::cases::CaseItemBody;
use super::dto::{SubjectBody, rfc3339};
use crate::AppState;
use crate::auth::{Authenticated, Permission};
use crate::errors::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use harrier_core::cases::GroupSummary;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupBody {
    pub id: i64,
    /// The group as a subject (kind `group`).
    pub subject: SubjectBody,
    /// coordinated_manipulation or extortion_paid_deletion.
    pub category: String,
    pub size: i64,
    /// 0 to 1: synchrony, content similarity, density, commercial cues.
    pub score: f64,
    /// Why, in sentences a moderator can read.
    pub explanation: Vec<String>,
    pub window_start: String,
    pub window_end: String,
    pub first_found_at: String,
    pub last_found_at: String,
    /// How many runs found it.
    pub runs: i64,
    /// The active case on the group.
    pub case_id: Option<i64>,
}

impl From<GroupSummary> for GroupBody {
    fn from(g: GroupSummary) -> Self {
        Self {
            id: g.id,
            subject: g.subject.into(),
            category: g.category,
            size: g.size,
            score: g.score,
            explanation: g.explanation,
            window_start: rfc3339(g.window_start),
            window_end: rfc3339(g.window_end),
            first_found_at: rfc3339(g.first_found_at),
            last_found_at: rfc3339(g.last_found_at),
            runs: g.runs,
            case_id: g.case_id,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupPage {
    pub groups: Vec<GroupBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupDetailBody {
    pub group: GroupBody,
    /// The engine's scores, co-actions, targets, shared texts and
    /// paid-deletion links.
    #[schema(value_type = Object)]
    pub scores: serde_json::Value,
    pub members: Vec<SubjectBody>,
    /// The members' items in the window, oldest first.
    pub items: Vec<CaseItemBody>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct GroupQuery {
    /// 1 to 200; 50 by default.
    pub limit: Option<u32>,
}

/// Groups, highest score first.
#[utoipa::path(
    get, path = "/api/v1/groups", tag = "cases",
    params(GroupQuery), security(("staff_token" = [])),
    responses((status = 200, body = GroupPage), (status = 400, body = ErrorBody))
)]
pub async fn list(
    State(state): State<AppState>,
    auth: Authenticated,
    query: Result<Query<GroupQuery>, QueryRejection>,
) -> Result<Json<GroupPage>, ApiError> {
    auth.require(Permission::ReadCases, "read groups")?;
    let Query(q) = query
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", e.body_text()))?;
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            format!("limit {limit} is not between 1 and 200"),
        )
        .with_field("limit"));
    }
    let groups = state.cases.list_groups(limit).await?;
    Ok(Json(GroupPage {
        groups: groups.into_iter().map(Into::into).collect(),
    }))
}

/// One group: members, the items that show it (its timeline) and scores.
#[utoipa::path(
    get, path = "/api/v1/groups/{id}", tag = "cases",
    params(("id" = i64, Path)), security(("staff_token" = [])),
    responses((status = 200, body = GroupDetailBody), (status = 404, body = ErrorBody))
)]
pub async fn get(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<i64>,
) -> Result<Json<GroupDetailBody>, ApiError> {
    auth.require(Permission::ReadCases, "read groups")?;
    let detail = state
        .cases
        .get_group(id)
        .await?
        .ok_or_else(|| ApiError::not_found(&format!("group {id}")))?;
    Ok(Json(GroupDetailBody {
        group: detail.group.into(),
        scores: detail.scores,
        members: detail.members.into_iter().map(Into::into).collect(),
        items: detail.items.into_iter().map(Into::into).collect(),
    }))
}
