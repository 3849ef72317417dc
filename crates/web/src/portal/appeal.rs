//! The appeal pages: the statement of reasons behind an appeal code, the
//! appeals against it with their outcomes, and the appeal form (DSA
//! Art. 20).
//!
//! The page shows only what the statement says (never the case, the
//! reporter or who decided). The form is read like the tip-off form: under
//! caps, CSRF and honeypot checked and the text validated before any file
//! is written, and the appeal acknowledged only after it is stored.

use super::report::{
    Upload, guard, multipart_error, nonce_for, read_text, read_upload, store_uploads,
};
use super::{Page, render};
use crate::AppState;
use crate::csrf;
use crate::errors::ApiError;
use crate::i18n::Chosen;
use askama::Template;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use harrier_core::decisions::{
    AppealState, DecisionState, Ground, MAX_APPEAL_CHARS, NewAppeal, PublicDecision,
    restriction_words,
};
use harrier_core::intake::ReceiptCode;
use serde::Deserialize;

/// The text of the appeal form may not exceed this.
const APPEAL_TEXT_LIMIT: usize = 64 * 1024;

/// A decision as the page shows it, every text already in the page's language.
struct DecisionView {
    category: String,
    restrictions: Vec<&'static str>,
    ground_key: &'static str,
    /// (label key, text): the legal ground or clause, the explanation.
    ground_lines: Vec<(&'static str, String)>,
    facts: String,
    from: String,
    until: Option<String>,
    scope: Vec<String>,
    automated_key: String,
    detected: bool,
    source_key: String,
    state_key: &'static str,
    notice: Option<String>,
    appeal_until: String,
}

struct AppealView {
    state_key: &'static str,
    filed_on: String,
    reasons: Option<String>,
}

#[derive(Template)]
#[template(path = "appeal.html")]
struct AppealPage {
    page: Page,
    code: String,
    decision: Option<DecisionView>,
    appeals: Vec<AppealView>,
    can_appeal: bool,
    pending: bool,
    received: bool,
    csrf: String,
    explanation: String,
    contact_email: String,
    error: Option<(&'static str, String)>,
}

#[derive(Deserialize)]
pub struct Lookup {
    code: Option<String>,
}

fn view(found: &PublicDecision, lang: &str) -> (DecisionView, Vec<AppealView>) {
    let d = &found.decision;
    let s = &d.statement;
    let ground_lines = match &s.ground {
        Ground::IllegalContent {
            legal_ground,
            explanation,
        } => vec![
            ("appeal.legal_ground", legal_ground.clone()),
            ("appeal.explanation", explanation.clone()),
        ],
        Ground::IncompatibleContent {
            clause,
            explanation,
            ..
        } => vec![
            ("appeal.clause", clause.clone()),
            ("appeal.explanation", explanation.clone()),
        ],
    };
    let decision = DecisionView {
        category: s.category.clone(),
        restrictions: s
            .restrictions
            .labels()
            .iter()
            .map(|l| restriction_words(l, lang))
            .collect(),
        ground_key: match s.ground {
            Ground::IllegalContent { .. } => "appeal.ground.illegal_content",
            Ground::IncompatibleContent { .. } => "appeal.ground.incompatible_content",
        },
        ground_lines,
        facts: s.facts.clone(),
        from: s.application_date.to_string(),
        until: s.end_date.map(|e| e.to_string()),
        scope: s.territorial_scope.clone(),
        automated_key: format!("appeal.automated.{}", s.automated_decision.as_str()),
        detected: s.automated_detection,
        source_key: format!("appeal.source.{}", s.source.as_str()),
        state_key: match d.state {
            DecisionState::InForce => "appeal.state.in_force",
            DecisionState::Reversed => "appeal.state.reversed",
            DecisionState::Modified => "appeal.state.modified",
        },
        notice: found.notice.as_ref().map(|n| n.body.clone()),
        appeal_until: d.appeal_until.date().to_string(),
    };
    let appeals = found
        .appeals
        .iter()
        .map(|a| AppealView {
            state_key: match a.state {
                AppealState::Open => "appeal.appeal_state.open",
                AppealState::Upheld => "appeal.appeal_state.upheld",
                AppealState::Reversed => "appeal.appeal_state.reversed",
                AppealState::Modified => "appeal.appeal_state.modified",
            },
            filed_on: a.filed_at.date().to_string(),
            reasons: a.outcome_reasons.clone(),
        })
        .collect();
    (decision, appeals)
}

struct Form {
    explanation: String,
    contact_email: String,
    error: Option<(&'static str, String)>,
    received: bool,
}

async fn page(
    state: &AppState,
    chosen: Chosen,
    headers: &HeaderMap,
    code: &str,
    status: StatusCode,
    form: Form,
) -> Response {
    let Some(receipt) = ReceiptCode::parse(code) else {
        return not_found(state, chosen, headers, code);
    };
    let found = match state.decisions.public_decision(receipt.as_str()).await {
        Ok(f) => f,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let Some(found) = found else {
        return not_found(state, chosen, headers, code);
    };
    let lang = chosen.lang.code();
    let (mut decision, appeals) = view(&found, lang);
    if let Some(c) = state.taxonomy.get(&decision.category) {
        decision.category = c.name(lang).to_owned();
    }
    let now = state.clock.now();
    let pending = found.appeals.iter().any(|a| a.state == AppealState::Open);
    let can_appeal = found.decision.state == DecisionState::InForce
        && now <= found.decision.appeal_until
        && !pending;
    let (nonce, set_cookie) = nonce_for(state, headers, "/appeal");
    let template = AppealPage {
        page: Page::new(chosen),
        code: receipt.to_string(),
        decision: Some(decision),
        appeals,
        can_appeal,
        pending,
        received: form.received,
        csrf: csrf::token(&state.secret, &nonce),
        explanation: form.explanation,
        contact_email: form.contact_email,
        error: form.error,
    };
    with_cookie(render(status, &template), set_cookie)
}

fn with_cookie(mut response: Response, cookie: Option<String>) -> Response {
    if let Some(cookie) = cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

fn not_found(state: &AppState, chosen: Chosen, headers: &HeaderMap, code: &str) -> Response {
    let (nonce, set_cookie) = nonce_for(state, headers, "/appeal");
    let template = AppealPage {
        page: Page::new(chosen),
        code: code.chars().take(40).collect(),
        decision: None,
        appeals: Vec::new(),
        can_appeal: false,
        pending: false,
        received: false,
        csrf: csrf::token(&state.secret, &nonce),
        explanation: String::new(),
        contact_email: String::new(),
        error: None,
    };
    with_cookie(render(StatusCode::NOT_FOUND, &template), set_cookie)
}

/// `/appeal` (the code form) and `/appeal?code=…` (to the code's page).
pub async fn lookup(
    State(state): State<AppState>,
    chosen: Chosen,
    headers: HeaderMap,
    Query(q): Query<Lookup>,
) -> Response {
    match q.code.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(code) => match ReceiptCode::parse(code) {
            Some(code) => Redirect::to(&format!("/appeal/{code}")).into_response(),
            None => not_found(&state, chosen, &headers, code),
        },
        None => {
            let mut response = not_found(&state, chosen, &headers, "");
            *response.status_mut() = StatusCode::OK;
            response
        }
    }
}

pub async fn show(
    State(state): State<AppState>,
    chosen: Chosen,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Response {
    let form = Form {
        explanation: String::new(),
        contact_email: String::new(),
        error: None,
        received: false,
    };
    page(&state, chosen, &headers, &code, StatusCode::OK, form).await
}

struct Received {
    csrf: String,
    honeypot: String,
    explanation: String,
    contact_email: String,
    uploads: Vec<Upload>,
}

async fn receive(mut multipart: Multipart, r: &mut Received) -> Result<(), ApiError> {
    let mut budget = APPEAL_TEXT_LIMIT;
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "evidence" {
            read_upload(&mut field, &mut r.uploads).await?;
            continue;
        }
        let text = read_text(&mut field, &name, &mut budget, APPEAL_TEXT_LIMIT).await?;
        match name.as_str() {
            "csrf" => r.csrf = text,
            "website" => r.honeypot = text,
            "explanation" => r.explanation = text,
            "contact_email" => r.contact_email = text,
            _ => {}
        }
    }
    Ok(())
}

/// Everything checked before a file is written.
fn precheck(state: &AppState, headers: &HeaderMap, r: &Received) -> Result<(), ApiError> {
    guard(state, headers, &r.csrf, &r.honeypot)?;
    let chars = r.explanation.trim().chars().count();
    if chars == 0 || chars > MAX_APPEAL_CHARS {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "explanation_required",
            format!("the explanation is required (1 to {MAX_APPEAL_CHARS} characters)"),
        )
        .with_field("explanation"));
    }
    let email = r.contact_email.trim();
    if !email.is_empty() && !crate::decisions::email_ok(email) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_email",
            format!("the e-mail address {email:?} is not valid"),
        )
        .with_field("contact_email"));
    }
    Ok(())
}

pub async fn post(
    State(state): State<AppState>,
    chosen: Chosen,
    headers: HeaderMap,
    Path(code): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let mut r = Received {
        csrf: String::new(),
        honeypot: String::new(),
        explanation: String::new(),
        contact_email: String::new(),
        uploads: Vec::new(),
    };
    let Some(receipt) = ReceiptCode::parse(&code) else {
        return not_found(&state, chosen, &headers, &code);
    };
    let language = chosen.lang.code().to_owned();
    let outcome = async {
        let multipart = multipart
            .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_form", e.body_text()))?;
        receive(multipart, &mut r).await?;
        precheck(&state, &headers, &r)?;
        let files = store_uploads(&state, std::mem::take(&mut r.uploads)).await?;
        let email = r.contact_email.trim();
        state
            .decisions
            .file_appeal(
                NewAppeal {
                    code: receipt.as_str().to_owned(),
                    explanation: r.explanation.trim().to_owned(),
                    contact_email: (!email.is_empty()).then(|| email.to_owned()),
                    language,
                    files,
                },
                state.clock.now(),
            )
            .await
            .map_err(ApiError::from)
    }
    .await;
    let (status, form) = match outcome {
        Ok(_) => (
            StatusCode::CREATED,
            Form {
                explanation: String::new(),
                contact_email: String::new(),
                error: None,
                received: true,
            },
        ),
        Err(e) => {
            let t = chosen.lang.messages();
            let key = format!("error.{}", e.code);
            let message = match t.s(&key) {
                found if found != key => format!("{found} ({})", e.message),
                _ => e.message.clone(),
            };
            (
                e.status,
                Form {
                    explanation: r.explanation,
                    contact_email: r.contact_email,
                    error: Some((e.code, message)),
                    received: false,
                },
            )
        }
    };
    page(&state, chosen, &headers, receipt.as_str(), status, form).await
}
