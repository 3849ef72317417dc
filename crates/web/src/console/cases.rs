//! The console's case pages: the queue, one case (move, claim, add
//! evidence, export), the tip-offs waiting for triage, and the audit log.
//!
//! Reported text, handles and file names are only ever interpolated by
//! askama, which escapes them; nothing here marks text as safe. Evidence
//! images are shown only when asked for (`?show=images`), blurred and in
//! greyscale until a moderator unblurs one, and come from a route with a
//! sandboxing CSP; other files are downloads.

use super::{ConsoleStaff, csrf_for, csrf_ok, with_cookie};
use crate::AppState;
use crate::api::cases::{CaseBody, CaseDetailBody, CaseListQuery, case_query};
use crate::auth::Permission;
use crate::cases::{MAX_EVIDENCE_BYTES, add_upload, evidence_response, export, zip_response};
use crate::errors::ApiError;
use crate::i18n::Chosen;
use crate::portal::report::{multipart_error, read_capped};
use crate::portal::{Page, render};
use askama::Template;
use axum::Form;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use harrier_core::cases::{CaseState, EvidenceSource};
use harrier_core::ports::ReportFilter;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "staff_message.html")]
struct MessagePage {
    page: Page,
    title: String,
    message: String,
    back: String,
}

/// An error as a console page with a way back; every wrong field of a
/// form on its own line.
fn message(chosen: Chosen, status: StatusCode, error: &ApiError, back: &str) -> Response {
    let message = if error.details.is_empty() {
        error.message.clone()
    } else {
        error
            .details
            .iter()
            .map(|d| format!("{}: {}", d.field, d.message))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let template = MessagePage {
        title: chosen.lang.messages().s("staff.error").to_owned(),
        page: Page::new(chosen),
        message,
        back: back.to_owned(),
    };
    render(status, &template)
}

pub(super) fn fail(chosen: Chosen, error: ApiError, back: &str) -> Response {
    message(chosen, error.status, &error, back)
}

/// A form that could not be read.
pub(super) fn bad_form(chosen: Chosen, back: &str) -> Response {
    let error = ApiError::new(
        StatusCode::BAD_REQUEST,
        "bad_form",
        chosen.lang.messages().s("staff.login.bad_form"),
    );
    fail(chosen, error, back)
}

pub(super) fn csrf_refused(chosen: Chosen, back: &str) -> Response {
    let error = ApiError::new(
        StatusCode::FORBIDDEN,
        "csrf_failed",
        chosen.lang.messages().s("staff.login.csrf"),
    );
    fail(chosen, error, back)
}

#[derive(Template)]
#[template(path = "staff_cases.html")]
struct CasesPage {
    page: Page,
    nav: super::Nav,
    cases: Vec<CaseBody>,
    filter: Filter,
    categories: Vec<(String, String)>,
    states: Vec<&'static str>,
    csrf: String,
    can_bulk: bool,
    views: Vec<harrier_core::cases::SavedView>,
    /// This queue's address, for saving it as a view.
    here: String,
}

#[derive(Default)]
struct Filter {
    state: String,
    category: String,
    assignee: String,
    sort: String,
}

pub async fn list(
    State(state): State<AppState>,
    chosen: Chosen,
    headers: HeaderMap,
    signed_in: ConsoleStaff,
    query: Result<Query<CaseListQuery>, QueryRejection>,
) -> Response {
    if let Some(denied) = signed_in.deny(Permission::ReadCases, &chosen) {
        return denied;
    }
    let q = match query {
        Ok(Query(q)) => q,
        Err(e) => {
            let error = ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", e.body_text());
            return fail(chosen, error, "/staff/cases");
        }
    };
    let cases = match case_query(&state, &signed_in.staff, &q).await {
        Ok(query) => state.cases.list_cases(&query).await.map_err(ApiError::from),
        Err(e) => Err(e),
    };
    let cases = match cases {
        Ok(cases) => cases,
        Err(e) => return fail(chosen, e, "/staff/cases"),
    };
    let now = state.clock.now();
    let (csrf, cookie) = csrf_for(&state, &headers);
    let lang = chosen.lang.tag();
    let views = super::search::views_of(&state, &signed_in.staff).await;
    let enc = super::search::encode;
    let here = format!(
        "/staff/cases?state={}&category={}&assignee={}&sort={}",
        enc(q.state.as_deref().unwrap_or("")),
        enc(q.category.as_deref().unwrap_or("")),
        enc(q.assignee.as_deref().unwrap_or("")),
        enc(q.sort.as_deref().unwrap_or(""))
    );
    let template = CasesPage {
        nav: super::Nav::new(&signed_in.staff, csrf.clone(), "cases"),
        csrf,
        can_bulk: signed_in.may(Permission::AssignCases),
        views,
        here,
        cases: cases.into_iter().map(|c| CaseBody::new(c, now)).collect(),
        filter: Filter {
            state: q.state.unwrap_or_default(),
            category: q.category.unwrap_or_default(),
            assignee: q.assignee.unwrap_or_default(),
            sort: q.sort.unwrap_or_default(),
        },
        categories: state
            .taxonomy
            .categories()
            .iter()
            .map(|c| (c.id.clone(), c.name(lang).to_owned()))
            .collect(),
        states: CaseState::ALL.iter().map(|s| s.as_str()).collect(),
        page: Page::new(chosen),
    };
    with_cookie(render(StatusCode::OK, &template), cookie)
}

#[derive(Template)]
#[template(path = "staff_case.html")]
struct CasePage {
    page: Page,
    nav: super::Nav,
    csrf: String,
    case: CaseDetailBody,
    show_images: bool,
    can_move: bool,
    can_add_evidence: bool,
    can_export: bool,
    sees_contacts: bool,
    decisions: Vec<harrier_core::decisions::DecisionDetail>,
    can_decide: bool,
    // What `staff_case_orders.html` needs (see console::orders::CaseOrders).
    case_orders: Vec<crate::api::orders::OrderBody>,
    order_case_id: i64,
    can_send_orders: bool,
    order_actions: Vec<&'static str>,
}

#[derive(Deserialize)]
pub struct CaseView {
    show: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    chosen: Chosen,
    headers: HeaderMap,
    signed_in: ConsoleStaff,
    Path(id): Path<i64>,
    view: Result<Query<CaseView>, QueryRejection>,
) -> Response {
    if let Some(denied) = signed_in.deny(Permission::ReadCases, &chosen) {
        return denied;
    }
    let detail = match state.cases.get_case(id).await {
        Ok(Some(detail)) => detail,
        Ok(None) => {
            return fail(
                chosen,
                ApiError::not_found(&format!("case {id}")),
                "/staff/cases",
            );
        }
        Err(e) => return fail(chosen, e.into(), "/staff/cases"),
    };
    let decisions = match state.decisions.case_decisions(id).await {
        Ok(d) => d,
        Err(e) => return fail(chosen, e.into(), "/staff/cases"),
    };
    let decidable = matches!(
        detail.case.state,
        CaseState::New | CaseState::Triage | CaseState::Investigating | CaseState::Decided
    );
    let staff = &signed_in.staff;
    let (csrf, cookie) = csrf_for(&state, &headers);
    let template = CasePage {
        case_orders: super::orders::case_orders(&state, id).await,
        order_case_id: id,
        can_send_orders: signed_in.may(Permission::SendOrders),
        order_actions: super::orders::order_actions(),
        decisions,
        can_decide: decidable && signed_in.may(Permission::TakeDecisions),
        nav: super::Nav::new(staff, csrf.clone(), "cases"),
        csrf,
        case: CaseDetailBody::new(detail, staff, state.clock.now()),
        show_images: view
            .ok()
            .is_some_and(|Query(v)| v.show.as_deref() == Some("images")),
        can_move: signed_in.may(Permission::MoveCases),
        can_add_evidence: signed_in.may(Permission::AddEvidence),
        can_export: signed_in.may(Permission::ExportEvidence),
        sees_contacts: staff.role.sees_reporter_identity(),
        page: Page::new(chosen),
    };
    with_cookie(render(StatusCode::OK, &template), cookie)
}

#[derive(Deserialize)]
pub struct TransitionForm {
    to: String,
    #[serde(default)]
    reason: String,
    csrf: String,
}

pub async fn transition(
    State(state): State<AppState>,
    chosen: Chosen,
    headers: HeaderMap,
    signed_in: ConsoleStaff,
    Path(id): Path<i64>,
    form: Result<Form<TransitionForm>, FormRejection>,
) -> Response {
    let back = format!("/staff/cases/{id}");
    if let Some(denied) = signed_in.deny(Permission::MoveCases, &chosen) {
        return denied;
    }
    let Ok(Form(form)) = form else {
        return bad_form(chosen, &back);
    };
    if !csrf_ok(&state, &headers, &form.csrf) {
        return csrf_refused(chosen, &back);
    }
    let Some(to) = CaseState::parse(&form.to) else {
        let error = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_state",
            format!("{:?} is not a case state", form.to),
        );
        return fail(chosen, error, &back);
    };
    match state
        .cases
        .transition_case(id, to, &signed_in.staff, &form.reason, state.clock.now())
        .await
    {
        Ok(_) => Redirect::to(&back).into_response(),
        Err(e) => fail(chosen, e.into(), &back),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn claim(
    State(state): State<AppState>,
    chosen: Chosen,
    headers: HeaderMap,
    signed_in: ConsoleStaff,
    Path(id): Path<i64>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    let back = format!("/staff/cases/{id}");
    if let Some(denied) = signed_in.deny(Permission::MoveCases, &chosen) {
        return denied;
    }
    if !form.is_ok_and(|Form(f)| csrf_ok(&state, &headers, &f.csrf)) {
        return csrf_refused(chosen, &back);
    }
    let staff = &signed_in.staff;
    match state
        .cases
        .assign_case(id, Some(staff.id), staff, state.clock.now())
        .await
    {
        Ok(_) => Redirect::to(&back).into_response(),
        Err(e) => fail(chosen, e.into(), &back),
    }
}

/// The evidence form: `file`, `note` and `csrf`, read under caps before
/// anything is stored.
pub async fn add_evidence(
    State(state): State<AppState>,
    chosen: Chosen,
    headers: HeaderMap,
    signed_in: ConsoleStaff,
    Path(id): Path<i64>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let back = format!("/staff/cases/{id}");
    if let Some(denied) = signed_in.deny(Permission::AddEvidence, &chosen) {
        return denied;
    }
    let Ok(mut multipart) = multipart else {
        return bad_form(chosen, &back);
    };
    let (mut csrf, mut note, mut file) = (String::new(), String::new(), None);
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return fail(chosen, multipart_error(e), &back),
        };
        let name = field.name().unwrap_or_default().to_owned();
        let cap = if name == "file" {
            MAX_EVIDENCE_BYTES
        } else {
            4 * 1024
        };
        let file_name = field.file_name().map(str::to_owned).unwrap_or_default();
        let bytes = match read_capped(&mut field, cap, || ApiError::body_too_large(cap)).await {
            Ok(bytes) => bytes,
            Err(e) => return fail(chosen, e, &back),
        };
        match name.as_str() {
            "csrf" => csrf = String::from_utf8_lossy(&bytes).into_owned(),
            "note" => note = String::from_utf8_lossy(&bytes).into_owned(),
            "file" => file = Some((file_name, bytes)),
            _ => {}
        }
    }
    if !csrf_ok(&state, &headers, &csrf) {
        return csrf_refused(chosen, &back);
    }
    let Some((file_name, bytes)) = file else {
        let error = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "missing_file",
            chosen.lang.messages().s("staff.case.no_file"),
        );
        return fail(chosen, error, &back);
    };
    match add_upload(
        &state,
        id,
        &file_name,
        bytes,
        Some(&note),
        EvidenceSource::Upload,
        &signed_in.staff,
    )
    .await
    {
        Ok(_) => Redirect::to(&back).into_response(),
        Err(e) => fail(chosen, e, &back),
    }
}

#[derive(Deserialize)]
pub struct EvidenceView {
    inline: Option<u8>,
}

pub async fn evidence_file(
    State(state): State<AppState>,
    chosen: Chosen,
    signed_in: ConsoleStaff,
    Path((id, sha256)): Path<(i64, String)>,
    view: Result<Query<EvidenceView>, QueryRejection>,
) -> Response {
    if let Some(denied) = signed_in.deny(Permission::ReadCases, &chosen) {
        return denied;
    }
    let inline = view.ok().is_some_and(|Query(v)| v.inline == Some(1));
    evidence_response(&state, id, &sha256, inline)
        .await
        .unwrap_or_else(|e| fail(chosen, e, &format!("/staff/cases/{id}")))
}

pub async fn export_zip(
    State(state): State<AppState>,
    chosen: Chosen,
    signed_in: ConsoleStaff,
    Path(id): Path<i64>,
) -> Response {
    if let Some(denied) = signed_in.deny(Permission::ExportEvidence, &chosen) {
        return denied;
    }
    match export(&state, id, &signed_in.staff).await {
        Ok(export) => zip_response(id, export),
        Err(e) => fail(chosen, e, &format!("/staff/cases/{id}")),
    }
}

#[derive(Template)]
#[template(path = "staff_reports.html")]
struct ReportsPage {
    page: Page,
    nav: super::Nav,
    csrf: String,
    reports: Vec<crate::api::dto::ReportBody>,
    can_triage: bool,
}

pub async fn reports(
    State(state): State<AppState>,
    chosen: Chosen,
    headers: HeaderMap,
    signed_in: ConsoleStaff,
) -> Response {
    if let Some(denied) = signed_in.deny(Permission::ReadReports, &chosen) {
        return denied;
    }
    let filter = ReportFilter {
        limit: 100,
        ..ReportFilter::default()
    };
    let found = match state.store.list_reports(&filter).await {
        Ok(found) => found,
        Err(e) => return fail(chosen, e.into(), "/staff"),
    };
    let show_contact = signed_in.staff.role.sees_reporter_identity();
    let (csrf, cookie) = csrf_for(&state, &headers);
    let template = ReportsPage {
        nav: super::Nav::new(&signed_in.staff, csrf.clone(), "reports"),
        csrf,
        reports: found
            .into_iter()
            .map(|r| crate::api::dto::ReportBody::new(r, show_contact))
            .collect(),
        can_triage: signed_in.may(Permission::TriageReports),
        page: Page::new(chosen),
    };
    with_cookie(render(StatusCode::OK, &template), cookie)
}

#[derive(Deserialize)]
pub struct TriageForm {
    #[serde(default)]
    reason: String,
    csrf: String,
}

pub async fn triage(
    State(state): State<AppState>,
    chosen: Chosen,
    headers: HeaderMap,
    signed_in: ConsoleStaff,
    Path(id): Path<i64>,
    form: Result<Form<TriageForm>, FormRejection>,
) -> Response {
    let back = "/staff/reports";
    if let Some(denied) = signed_in.deny(Permission::TriageReports, &chosen) {
        return denied;
    }
    let Ok(Form(form)) = form else {
        return csrf_refused(chosen, back);
    };
    if !csrf_ok(&state, &headers, &form.csrf) {
        return csrf_refused(chosen, back);
    }
    match state
        .cases
        .triage_report(id, &signed_in.staff, &form.reason, state.clock.now())
        .await
    {
        Ok(triaged) => Redirect::to(&format!("/staff/cases/{}", triaged.case_id)).into_response(),
        Err(e) => fail(chosen, e.into(), back),
    }
}

#[derive(Template)]
#[template(path = "staff_audit.html")]
struct AuditPage {
    page: Page,
    nav: super::Nav,
    entries: Vec<crate::api::cases::AuditEntryBody>,
    head: String,
    next_after: Option<i64>,
}

#[derive(Deserialize)]
pub struct AuditView {
    after: Option<i64>,
}

pub async fn audit(
    State(state): State<AppState>,
    chosen: Chosen,
    headers: HeaderMap,
    signed_in: ConsoleStaff,
    view: Result<Query<AuditView>, QueryRejection>,
) -> Response {
    if let Some(denied) = signed_in.deny(Permission::ReadAudit, &chosen) {
        return denied;
    }
    const PAGE: u32 = 200;
    let after = view.ok().and_then(|Query(v)| v.after).unwrap_or(0).max(0);
    let (entries, head) = match tokio::try_join!(
        state.cases.audit_entries(after, PAGE, None),
        state.cases.audit_head()
    ) {
        Ok(found) => found,
        Err(e) => return fail(chosen, e.into(), "/staff"),
    };
    let next_after = (entries.len() == PAGE as usize)
        .then(|| entries.last().map(|e| e.seq))
        .flatten();
    let (csrf, cookie) = csrf_for(&state, &headers);
    let template = AuditPage {
        nav: super::Nav::new(&signed_in.staff, csrf, "audit"),
        entries: entries.into_iter().map(Into::into).collect(),
        head: head.map(|h| h.to_string()).unwrap_or_default(),
        next_after,
        page: Page::new(chosen),
    };
    with_cookie(render(StatusCode::OK, &template), cookie)
}

/// The bulk form: the ticked case ids, one action, a reason for moves.
/// Each case is answered on its own; the page says how many were done and
/// why the others were not.
pub async fn bulk(
    State(state): State<AppState>,
    chosen: Chosen,
    headers: HeaderMap,
    signed_in: ConsoleStaff,
    body: axum::body::Bytes,
) -> Response {
    let back_default = "/staff/cases";
    if let Some(denied) = signed_in.deny(Permission::AssignCases, &chosen) {
        return denied;
    }
    // Repeated `ids` fields: serde_urlencoded does not collect repeated
    // keys into a list, so the pairs are read with the url crate.
    let mut ids = Vec::new();
    let (mut csrf, mut action, mut reason, mut back) =
        (String::new(), String::new(), String::new(), String::new());
    for (key, value) in url::form_urlencoded::parse(&body) {
        let value = value.into_owned();
        match key.as_ref() {
            "ids" => match value.parse::<i64>() {
                Ok(id) if ids.len() < crate::api::cases::MAX_BULK => ids.push(id),
                _ => {}
            },
            "csrf" => csrf = value,
            "action" => action = value,
            "reason" => reason = value,
            "back" => back = value,
            _ => {}
        }
    }
    let back = if harrier_core::cases::viewable(&back) {
        back
    } else {
        back_default.to_owned()
    };
    if !csrf_ok(&state, &headers, &csrf) {
        return csrf_refused(chosen, &back);
    }
    let staff = &signed_in.staff;
    let action = match action.as_str() {
        "claim" => harrier_core::cases::BulkAction::Assign {
            staff: Some(staff.id),
        },
        "unassign" => harrier_core::cases::BulkAction::Assign { staff: None },
        other => match other.strip_prefix("to:").and_then(CaseState::parse) {
            Some(to) => harrier_core::cases::BulkAction::Transition { to, reason },
            None => {
                let error = ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_action",
                    format!("{other:?} is not an action"),
                );
                return fail(chosen, error, &back);
            }
        },
    };
    if ids.is_empty() {
        let error = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_ids",
            chosen.lang.messages().s("staff.bulk.none_selected"),
        );
        return fail(chosen, error, &back);
    }
    match state
        .cases
        .bulk_cases(ids, action, staff, state.clock.now())
        .await
    {
        Ok(results) => {
            let refused: Vec<String> = results
                .iter()
                .filter_map(|(id, r)| r.as_ref().err().map(|e| format!("#{id}: {e}")))
                .collect();
            if refused.is_empty() {
                return Redirect::to(&back).into_response();
            }
            let t = chosen.lang.messages();
            let message = format!(
                "{} {}/{}. {}",
                t.s("staff.bulk.done"),
                results.len() - refused.len(),
                results.len(),
                refused.join("; ")
            );
            let error = ApiError::new(StatusCode::CONFLICT, "partly_done", message);
            fail(chosen, error, &back)
        }
        Err(e) => fail(chosen, e.into(), &back),
    }
}
