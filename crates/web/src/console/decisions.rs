//! The console's decision pages: the decision form on a case (preview the
//! notice, then take it), the appeals queue, an appeal with its review
//! form, and the message templates.
//!
//! Forms are read as URL-encoded pairs (checkboxes repeat their key) and
//! go through the same checks as the API (`crate::decisions`); a refused
//! form comes back with what was typed and every wrong field named.

use super::{ConsoleStaff, Nav, csrf_for, csrf_ok, with_cookie};
use crate::AppState;
use crate::auth::Permission;
use crate::decisions::{DecisionRequest, OrderRequest, ReviewRequest};
use crate::errors::ApiError;
use crate::i18n::Chosen;
use crate::portal::{Page, render};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use harrier_core::decisions::{
    Appeal, AppealQuery, DecisionDetail, MessageKind, StatementInput, Visibility,
};
use std::collections::BTreeMap;

/// The form's fields: single values, and the repeated ones joined by `\n`.
#[derive(Default, Clone)]
pub struct Fields(BTreeMap<String, String>);

impl Fields {
    fn parse(body: &[u8]) -> Self {
        let mut map: BTreeMap<String, String> = BTreeMap::new();
        for (k, v) in url::form_urlencoded::parse(body).take(200) {
            let v: String = v.chars().take(12_000).collect();
            map.entry(k.into_owned())
                .and_modify(|e| {
                    e.push('\n');
                    e.push_str(&v);
                })
                .or_insert(v);
        }
        Self(map)
    }
    pub fn get(&self, k: &str) -> &str {
        self.0.get(k).map(String::as_str).unwrap_or("")
    }
    fn opt(&self, k: &str) -> Option<String> {
        Some(self.get(k).trim().to_owned()).filter(|v| !v.is_empty())
    }
    fn list(&self, k: &str) -> Vec<String> {
        self.get(k)
            .split(['\n', ','])
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect()
    }
    pub fn has(&self, k: &str, v: &str) -> bool {
        self.get(k).split('\n').any(|x| x == v)
    }
    fn statement(&self) -> StatementInput {
        StatementInput {
            ground: self.get("ground").to_owned(),
            legal_ground: self.get("legal_ground").to_owned(),
            terms_clause: self.get("terms_clause").to_owned(),
            explanation: self.get("explanation").to_owned(),
            also_illegal: self.get("also_illegal") == "yes",
            ground_reference_url: self.opt("ground_reference_url"),
            category: self.get("category").to_owned(),
            dsa_keywords: self.list("dsa_keywords"),
            dsa_keyword_other: self.opt("dsa_keyword_other"),
            dsa_category_addition: Vec::new(),
            visibility: self.list("visibility"),
            visibility_other: self.opt("visibility_other"),
            account: self.opt("account"),
            account_type: self.opt("account_type"),
            monetary: self.opt("monetary"),
            monetary_other: self.opt("monetary_other"),
            provision: self.opt("provision"),
            territorial_scope: self.list("territorial_scope"),
            content_type: self.list("content_type"),
            content_type_other: self.opt("content_type_other"),
            content_date: self.get("content_date").to_owned(),
            content_language: self.opt("content_language"),
            application_date: self.get("application_date").to_owned(),
            end_date: self.opt("end_date"),
            facts: self.get("facts").to_owned(),
            automated_detection: self.get("automated_detection") == "yes",
            automated_decision: self.get("automated_decision").to_owned(),
            source: self.get("source").to_owned(),
            source_identity: self.opt("source_identity"),
        }
    }
    fn decision(&self) -> DecisionRequest {
        let orders = match self.opt("order_provider") {
            Some(provider) => vec![OrderRequest {
                provider,
                action: self.get("order_action").to_owned(),
                preserve_days: self.get("order_preserve_days").trim().parse().ok(),
                legal_basis: self.get("order_legal_basis").to_owned(),
                deadline_hours: self.get("order_deadline_hours").trim().parse().ok(),
                evidence_excerpt: self.opt("order_excerpt"),
            }],
            None => Vec::new(),
        };
        DecisionRequest {
            subject_id: self.get("subject_id").trim().parse().ok(),
            statement: self.statement(),
            notice_language: self.opt("notice_language"),
            notify_email: self.opt("notify_email"),
            orders,
        }
    }
}

#[derive(Template)]
#[template(path = "staff_decide.html")]
struct DecidePage {
    page: Page,
    nav: Nav,
    csrf: String,
    case_id: i64,
    subjects: Vec<(i64, String)>,
    categories: Vec<(String, String)>,
    providers: Vec<String>,
    form: Fields,
    visibility: Vec<&'static str>,
    errors: Vec<(String, String)>,
    notice: Option<String>,
}

fn errors_of(e: &ApiError) -> Vec<(String, String)> {
    if e.details.is_empty() {
        vec![(e.field.unwrap_or("").to_owned(), e.message.clone())]
    } else {
        e.details
            .iter()
            .map(|d| (d.field.clone(), d.message.clone()))
            .collect()
    }
}

async fn decide_page(
    state: &AppState,
    chosen: Chosen,
    headers: &HeaderMap,
    signed_in: &ConsoleStaff,
    case_id: i64,
    form: Fields,
    outcome: Result<Option<String>, ApiError>,
) -> Response {
    let detail = match crate::decisions::case(state, case_id).await {
        Ok(d) => d,
        Err(e) => return super::cases::fail(chosen, e, "/staff/cases"),
    };
    let providers = match state.patrol.list_providers().await {
        Ok(p) => p.into_iter().map(|(p, _)| p.name).collect(),
        Err(e) => return super::cases::fail(chosen, e.into(), "/staff/cases"),
    };
    let lang = chosen.lang.code();
    let (csrf, cookie) = csrf_for(state, headers);
    let (status, errors, notice) = match outcome {
        Ok(notice) => (StatusCode::OK, Vec::new(), notice),
        Err(e) => (e.status, errors_of(&e), None),
    };
    let template = DecidePage {
        nav: Nav::new(&signed_in.staff, csrf.clone(), "cases"),
        csrf,
        case_id,
        subjects: detail
            .subjects
            .iter()
            .map(|s| {
                (
                    s.id,
                    format!("{} {} {}", s.kind.as_str(), s.platform, s.key),
                )
            })
            .collect(),
        categories: state
            .taxonomy
            .categories()
            .iter()
            .map(|c| (c.id.clone(), c.name(lang).to_owned()))
            .collect(),
        providers,
        form,
        visibility: Visibility::ALL.iter().map(|v| v.as_str()).collect(),
        errors,
        notice,
        page: Page::new(chosen),
    };
    with_cookie(render(status, &template), cookie)
}

pub async fn decide_form(
    State(state): State<AppState>,
    chosen: Chosen,
    headers: HeaderMap,
    signed_in: ConsoleStaff,
    Path(id): Path<i64>,
) -> Response {
    if let Some(denied) = signed_in.deny(Permission::TakeDecisions, &chosen) {
        return denied;
    }
    let mut form = Fields::default();
    if let Ok(detail) = crate::decisions::case(&state, id).await {
        let d = crate::decisions::case_defaults(&detail, state.clock.now());
        form.0.insert("category".into(), d.category);
        form.0.insert("source".into(), d.source.as_str().into());
        form.0
            .insert("content_date".into(), d.content_date.to_string());
        form.0.insert(
            "notice_language".into(),
            state.config.decisions.notice_language.clone(),
        );
        if d.automated_detection {
            form.0.insert("automated_detection".into(), "yes".into());
        }
        form.0.insert("ground".into(), "illegal_content".into());
    }
    decide_page(&state, chosen, &headers, &signed_in, id, form, Ok(None)).await
}

pub async fn decide(
    State(state): State<AppState>,
    chosen: Chosen,
    headers: HeaderMap,
    signed_in: ConsoleStaff,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    if let Some(denied) = signed_in.deny(Permission::TakeDecisions, &chosen) {
        return denied;
    }
    let form = Fields::parse(&body);
    let back = format!("/staff/cases/{id}");
    if !csrf_ok(&state, &headers, form.get("csrf")) {
        return super::cases::csrf_refused(chosen, &back);
    }
    let request = form.decision();
    let now = state.clock.now();
    let prepared = async {
        let detail = crate::decisions::case(&state, id).await?;
        crate::decisions::prepare(&state, &detail, &request, now).await
    }
    .await;
    let prepared = match prepared {
        Ok(p) => p,
        Err(e) => return decide_page(&state, chosen, &headers, &signed_in, id, form, Err(e)).await,
    };
    if form.get("action") != "confirm" {
        let notice = Some(prepared.new.notice.clone());
        return decide_page(&state, chosen, &headers, &signed_in, id, form, Ok(notice)).await;
    }
    match state
        .decisions
        .decide(prepared.new, &signed_in.staff, now)
        .await
    {
        Ok(_) => Redirect::to(&back).into_response(),
        Err(e) => {
            decide_page(
                &state,
                chosen,
                &headers,
                &signed_in,
                id,
                form,
                Err(e.into()),
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "staff_appeals.html")]
struct AppealsPage {
    page: Page,
    nav: Nav,
    appeals: Vec<Appeal>,
    open_only: bool,
}

pub async fn appeals(
    State(state): State<AppState>,
    chosen: Chosen,
    headers: HeaderMap,
    signed_in: ConsoleStaff,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Response {
    if let Some(denied) = signed_in.deny(Permission::ReadCases, &chosen) {
        return denied;
    }
    let open_only = query.as_deref() != Some("state=all");
    let list = match state
        .decisions
        .appeals(&AppealQuery {
            open_only,
            limit: 200,
        })
        .await
    {
        Ok(l) => l,
        Err(e) => return super::cases::fail(chosen, e.into(), "/staff/cases"),
    };
    let (csrf, cookie) = csrf_for(&state, &headers);
    let template = AppealsPage {
        nav: Nav::new(&signed_in.staff, csrf, "appeals"),
        appeals: list,
        open_only,
        page: Page::new(chosen),
    };
    with_cookie(render(StatusCode::OK, &template), cookie)
}

#[derive(Template)]
#[template(path = "staff_appeal.html")]
struct AppealPage {
    page: Page,
    nav: Nav,
    csrf: String,
    appeal: Appeal,
    decision: DecisionDetail,
    restrictions: Vec<String>,
    can_review: bool,
    own_decision: bool,
    form: Fields,
    visibility: Vec<&'static str>,
    errors: Vec<(String, String)>,
}

async fn appeal_page(
    state: &AppState,
    chosen: Chosen,
    headers: &HeaderMap,
    signed_in: &ConsoleStaff,
    id: i64,
    form: Fields,
    error: Option<ApiError>,
) -> Response {
    let back = "/staff/appeals";
    let found = async {
        let appeal = state
            .decisions
            .appeal(id)
            .await?
            .ok_or_else(|| ApiError::not_found(&format!("appeal {id}")))?;
        let decision = state
            .decisions
            .decision(appeal.decision_id)
            .await?
            .ok_or_else(|| ApiError::not_found(&format!("decision {}", appeal.decision_id)))?;
        Ok::<_, ApiError>((appeal, decision))
    }
    .await;
    let (appeal, decision) = match found {
        Ok(f) => f,
        Err(e) => return super::cases::fail(chosen, e, back),
    };
    let (csrf, cookie) = csrf_for(state, headers);
    let status = error.as_ref().map(|e| e.status).unwrap_or(StatusCode::OK);
    let template = AppealPage {
        nav: Nav::new(&signed_in.staff, csrf.clone(), "appeals"),
        csrf,
        restrictions: decision.decision.statement.restrictions.labels(),
        can_review: signed_in.may(Permission::ReviewAppeals),
        own_decision: decision.decision.decided_by_id == signed_in.staff.id,
        appeal,
        decision,
        form,
        visibility: Visibility::ALL.iter().map(|v| v.as_str()).collect(),
        errors: error.as_ref().map(errors_of).unwrap_or_default(),
        page: Page::new(chosen),
    };
    with_cookie(render(status, &template), cookie)
}

pub async fn appeal(
    State(state): State<AppState>,
    chosen: Chosen,
    headers: HeaderMap,
    signed_in: ConsoleStaff,
    Path(id): Path<i64>,
) -> Response {
    if let Some(denied) = signed_in.deny(Permission::ReadCases, &chosen) {
        return denied;
    }
    appeal_page(
        &state,
        chosen,
        &headers,
        &signed_in,
        id,
        Fields::default(),
        None,
    )
    .await
}

/// A modification in the console keeps the statement and changes what the
/// reviewer changed: the restrictions, the end date and the facts.
fn modified_statement(decision: &DecisionDetail, form: &Fields) -> StatementInput {
    let s = &decision.decision.statement;
    let (ground, legal_ground, terms_clause, explanation, also_illegal) = match &s.ground {
        harrier_core::decisions::Ground::IllegalContent {
            legal_ground,
            explanation,
        } => (
            "illegal_content",
            legal_ground.clone(),
            String::new(),
            explanation.clone(),
            false,
        ),
        harrier_core::decisions::Ground::IncompatibleContent {
            clause,
            explanation,
            also_illegal,
        } => (
            "incompatible_content",
            String::new(),
            clause.clone(),
            explanation.clone(),
            *also_illegal,
        ),
    };
    let facts = form.opt("facts").unwrap_or_else(|| s.facts.clone());
    StatementInput {
        ground: ground.into(),
        legal_ground,
        terms_clause,
        explanation,
        also_illegal,
        ground_reference_url: s.ground_reference_url.clone(),
        category: s.category.clone(),
        dsa_keywords: s.dsa_keywords.clone(),
        dsa_keyword_other: s.dsa_keyword_other.clone(),
        dsa_category_addition: s.dsa_category_addition.clone(),
        visibility: form.list("visibility"),
        visibility_other: form.opt("visibility_other"),
        account: form.opt("account"),
        account_type: None,
        monetary: form.opt("monetary"),
        monetary_other: form.opt("monetary_other"),
        provision: form.opt("provision"),
        territorial_scope: s.territorial_scope.clone(),
        content_type: s
            .content_type
            .iter()
            .map(|c| c.as_str().to_owned())
            .collect(),
        content_type_other: s.content_type_other.clone(),
        content_date: s.content_date.to_string(),
        content_language: s.content_language.clone(),
        application_date: String::new(),
        end_date: form.opt("end_date"),
        facts,
        automated_detection: s.automated_detection,
        automated_decision: s.automated_decision.as_str().into(),
        source: s.source.as_str().into(),
        source_identity: s.source_identity.clone(),
    }
}

pub async fn review(
    State(state): State<AppState>,
    chosen: Chosen,
    headers: HeaderMap,
    signed_in: ConsoleStaff,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    if let Some(denied) = signed_in.deny(Permission::ReviewAppeals, &chosen) {
        return denied;
    }
    let form = Fields::parse(&body);
    let back = format!("/staff/appeals/{id}");
    if !csrf_ok(&state, &headers, form.get("csrf")) {
        return super::cases::csrf_refused(chosen, &back);
    }
    let now = state.clock.now();
    let done = async {
        let appeal = state
            .decisions
            .appeal(id)
            .await?
            .ok_or_else(|| ApiError::not_found(&format!("appeal {id}")))?;
        let outcome = form.get("outcome").to_owned();
        let statement = if outcome == "modify" {
            let decision = state
                .decisions
                .decision(appeal.decision_id)
                .await?
                .ok_or_else(|| ApiError::not_found("the decision"))?;
            Some(modified_statement(&decision, &form))
        } else {
            None
        };
        let request = ReviewRequest {
            outcome,
            reasons: form.get("reasons").to_owned(),
            statement,
        };
        let review = crate::decisions::prepare_review(&state, &appeal, &request, now).await?;
        state
            .decisions
            .review_appeal(id, review, &signed_in.staff, now)
            .await?;
        Ok::<_, ApiError>(())
    }
    .await;
    match done {
        Ok(()) => Redirect::to(&back).into_response(),
        Err(e) => appeal_page(&state, chosen, &headers, &signed_in, id, form, Some(e)).await,
    }
}

#[derive(Template)]
#[template(path = "staff_templates.html")]
struct TemplatesPage {
    page: Page,
    nav: Nav,
    csrf: String,
    /// (kind, category, language, body, edited)
    templates: Vec<(String, String, String, String, bool)>,
    can_edit: bool,
    error: Option<String>,
    kinds: Vec<&'static str>,
    categories: Vec<String>,
}

async fn templates_page(
    state: &AppState,
    chosen: Chosen,
    headers: &HeaderMap,
    signed_in: &ConsoleStaff,
    error: Option<ApiError>,
) -> Response {
    let stored = match state.decisions.templates().await {
        Ok(s) => s,
        Err(e) => return super::cases::fail(chosen, e.into(), "/staff/cases"),
    };
    let mut rows: Vec<(String, String, String, String, bool)> = stored
        .iter()
        .map(|t| {
            (
                t.kind.as_str().into(),
                t.category.clone(),
                t.language.clone(),
                t.body.clone(),
                true,
            )
        })
        .collect();
    for t in crate::decisions::SHIPPED.iter() {
        if !stored
            .iter()
            .any(|s| s.kind == t.kind && s.category == t.category && s.language == t.language)
        {
            rows.push((
                t.kind.as_str().into(),
                t.category.clone(),
                t.language.clone(),
                t.body.clone(),
                false,
            ));
        }
    }
    rows.sort();
    let (csrf, cookie) = csrf_for(state, headers);
    let status = error.as_ref().map(|e| e.status).unwrap_or(StatusCode::OK);
    let template = TemplatesPage {
        nav: Nav::new(&signed_in.staff, csrf.clone(), "templates"),
        csrf,
        templates: rows,
        can_edit: signed_in.may(Permission::ManageTemplates),
        error: error.map(|e| e.message),
        kinds: kinds(),
        categories: state
            .taxonomy
            .categories()
            .iter()
            .map(|c| c.id.clone())
            .collect(),
        page: Page::new(chosen),
    };
    with_cookie(render(status, &template), cookie)
}

pub async fn templates(
    State(state): State<AppState>,
    chosen: Chosen,
    headers: HeaderMap,
    signed_in: ConsoleStaff,
) -> Response {
    if let Some(denied) = signed_in.deny(Permission::ReadCases, &chosen) {
        return denied;
    }
    templates_page(&state, chosen, &headers, &signed_in, None).await
}

pub async fn put_template(
    State(state): State<AppState>,
    chosen: Chosen,
    headers: HeaderMap,
    signed_in: ConsoleStaff,
    body: Bytes,
) -> Response {
    if let Some(denied) = signed_in.deny(Permission::ManageTemplates, &chosen) {
        return denied;
    }
    let form = Fields::parse(&body);
    if !csrf_ok(&state, &headers, form.get("csrf")) {
        return super::cases::csrf_refused(chosen, "/staff/templates");
    }
    let request = crate::api::decisions::TemplateRequest {
        kind: form.get("kind").to_owned(),
        category: form.get("category").to_owned(),
        language: form.get("language").to_owned(),
        body: form.get("body").replace("\r\n", "\n"),
    };
    let stored = async {
        let t = crate::api::decisions::template(&state, request)?;
        state
            .decisions
            .put_template(t, &signed_in.staff, state.clock.now())
            .await?;
        Ok::<_, ApiError>(())
    }
    .await;
    match stored {
        Ok(()) => Redirect::to("/staff/templates").into_response(),
        Err(e) => templates_page(&state, chosen, &headers, &signed_in, Some(e)).await,
    }
}

/// The kinds a template may be for (the console's select).
pub fn kinds() -> Vec<&'static str> {
    MessageKind::ALL.iter().map(|k| k.as_str()).collect()
}
