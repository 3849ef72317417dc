//! Taking decisions and deciding appeals: what the API and the console
//! share.
//!
//! [`prepare`] turns a request into a [`NewDecision`]: the statement is
//! validated against the taxonomy with defaults from the case (category,
//! source, automation, content date), the orders' providers are looked up,
//! an appeal code is drawn and the notice for the affected person is
//! rendered from the templates (staff-edited ones first, then the shipped
//! ones in `content/messages/`). Every wrong field is reported at once.
//! The preview is the same call without the store.

use crate::AppState;
use crate::errors::ApiError;
use axum::http::StatusCode;
use harrier_core::cases::CaseDetail;
use harrier_core::decisions::{
    CaseDefaults, EmailNotice, FieldError, MessageContext, MessageKind, MessageTemplate,
    NewDecision, Source, Statement, StatementInput, appeal_until, parse_shipped, pick, render,
    validate, values,
};
use harrier_core::intake::{Channel, ReceiptCode};
use harrier_core::orders::{
    MAX_EXCERPT_CHARS, MAX_LEGAL_BASIS_CHARS, MAX_PRESERVE_DAYS, NewOrder, Notice, OrderAction,
    OrderTarget,
};
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;
use time::{Duration, OffsetDateTime};
use utoipa::ToSchema;

/// The most orders one decision sends.
pub const MAX_ORDERS: usize = 10;
/// The longest deadline an order may be given, in hours (30 days).
pub const MAX_DEADLINE_HOURS: u32 = 720;

/// The shipped templates (`content/messages/{en,zh}.toml`).
pub static SHIPPED: LazyLock<Vec<MessageTemplate>> = LazyLock::new(|| {
    let mut all = Vec::new();
    for (lang, text) in [
        ("en", include_str!("../../../content/messages/en.toml")),
        ("zh", include_str!("../../../content/messages/zh.toml")),
    ] {
        match parse_shipped(lang, text) {
            Ok(t) => all.extend(t),
            Err(e) => tracing::error!(error = %e, "shipped message templates"),
        }
    }
    all
});

/// An order to send with the decision.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderRequest {
    /// The provider's name.
    pub provider: String,
    /// remove, restrict, suspend_account, preserve, disclose.
    pub action: String,
    #[serde(default)]
    pub preserve_days: Option<u32>,
    pub legal_basis: String,
    /// Hours from now; default `decisions.order_deadline_hours`.
    #[serde(default)]
    pub deadline_hours: Option<u32>,
    /// Default: the start of the first item's text in the case.
    #[serde(default)]
    pub evidence_excerpt: Option<String>,
}

/// A decision as staff send it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    /// The subject decided on; default the case's own.
    #[serde(default)]
    pub subject_id: Option<i64>,
    /// The statement of reasons (see `harrier_core::decisions::StatementInput`).
    #[schema(value_type = Object)]
    pub statement: StatementInput,
    /// zh or en; default `decisions.notice_language`.
    #[serde(default)]
    pub notice_language: Option<String>,
    /// The affected person's e-mail address, when known: the notice goes
    /// there too.
    #[serde(default)]
    pub notify_email: Option<String>,
    #[serde(default)]
    pub orders: Vec<OrderRequest>,
}

/// A decision ready to store, and what it will look like.
pub struct Prepared {
    pub new: NewDecision,
    pub appeal_url: String,
}

/// What the case says when the request leaves something to it.
pub fn case_defaults(detail: &CaseDetail, now: OffsetDateTime) -> CaseDefaults {
    let notified = detail
        .reports
        .iter()
        .any(|r| matches!(r.channel, Channel::Web | Channel::Api));
    let source = if notified {
        Source::Article16
    } else if !detail.reports.is_empty() {
        Source::OtherNotification
    } else {
        Source::OwnInitiative
    };
    let mut first_seen = now.date();
    for r in &detail.reports {
        first_seen = first_seen.min(r.occurred_on.unwrap_or(r.received_at.date()));
    }
    for s in &detail.signals {
        let seen = s
            .item
            .ts
            .and_then(|ts| OffsetDateTime::from_unix_timestamp(ts).ok())
            .unwrap_or(s.item.received_at);
        first_seen = first_seen.min(seen.date());
    }
    CaseDefaults {
        category: detail.case.category.clone(),
        source,
        automated_detection: !detail.signals.is_empty(),
        content_date: first_seen,
        today: now.date(),
    }
}

/// The public address of an appeal code.
pub fn appeal_url(state: &AppState, code: &ReceiptCode) -> String {
    format!(
        "{}/appeal/{code}",
        state.config.decisions.public_url.trim_end_matches('/')
    )
}

/// The templates in use: staff-edited first, then the shipped ones.
pub async fn templates(state: &AppState) -> Result<Vec<MessageTemplate>, ApiError> {
    let mut all = state.decisions.templates().await?;
    all.extend(SHIPPED.iter().cloned());
    Ok(all)
}

/// Renders a notice of `kind` for a statement.
pub fn notice_text(
    templates: &[MessageTemplate],
    kind: MessageKind,
    ctx: &MessageContext<'_>,
) -> String {
    let category = &ctx.statement.category;
    let body = pick(templates, kind, category, ctx.language)
        .map(|t| t.body.as_str())
        .unwrap_or("{category}: {restrictions}. {ground}. {explanation} {appeal_url}");
    render(body, &values(ctx))
}

fn err(field: String, code: &'static str, message: String) -> FieldError {
    FieldError {
        field,
        code,
        message,
    }
}

pub(crate) fn email_ok(address: &str) -> bool {
    let address = address.trim();
    address.len() <= 254
        && !address.chars().any(|c| c.is_whitespace() || c.is_control())
        && address
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
}

fn category_name(state: &AppState, category: &str, lang: &str) -> String {
    state
        .taxonomy
        .get(category)
        .map(|c| c.name(lang).to_owned())
        .unwrap_or_else(|| category.to_owned())
}

/// Checks a request against the case and builds the decision.
pub async fn prepare(
    state: &AppState,
    detail: &CaseDetail,
    req: &DecisionRequest,
    now: OffsetDateTime,
) -> Result<Prepared, ApiError> {
    let defaults = case_defaults(detail, now);
    let mut errors: Vec<FieldError> = Vec::new();
    let statement: Option<Statement> = match validate(&req.statement, &state.taxonomy, &defaults) {
        Ok(s) => Some(s),
        Err(e) => {
            errors.extend(e);
            None
        }
    };
    let subject = match req.subject_id {
        None => Some(detail.case.subject.clone()),
        Some(id) => {
            let found = detail.subjects.iter().find(|s| s.id == id).cloned();
            if found.is_none() {
                errors.push(err(
                    "subject_id".into(),
                    "subject_not_in_case",
                    format!("subject {id} is not in case {}", detail.case.id),
                ));
            }
            found
        }
    };
    let language = req
        .notice_language
        .clone()
        .unwrap_or_else(|| state.config.decisions.notice_language.clone());
    if !matches!(language.as_str(), "zh" | "en") {
        errors.push(err(
            "notice_language".into(),
            "invalid_value",
            format!("notice_language {language:?} is not one of: zh, en"),
        ));
    }
    let email = req
        .notify_email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty());
    if let Some(e) = email
        && !email_ok(e)
    {
        errors.push(err(
            "notify_email".into(),
            "invalid_email",
            format!("notify_email {e:?} is not an e-mail address"),
        ));
    }
    if req.orders.len() > MAX_ORDERS {
        errors.push(err(
            "orders".into(),
            "too_many_orders",
            format!("a decision sends at most {MAX_ORDERS} orders"),
        ));
    }
    let default_excerpt: String = detail
        .signals
        .first()
        .map(|s| s.item.text.chars().take(300).collect())
        .unwrap_or_default();
    let item_ids: Vec<String> = detail
        .signals
        .iter()
        .map(|s| s.item.external_id.clone())
        .take(100)
        .collect();
    let mut orders = Vec::new();
    for (i, o) in req.orders.iter().take(MAX_ORDERS).enumerate() {
        let field = |name: &str| format!("orders[{i}].{name}");
        let provider = state.patrol.provider(o.provider.trim()).await?;
        if provider.is_none() {
            errors.push(err(
                field("provider"),
                "provider_not_found",
                format!("there is no provider named {:?}", o.provider),
            ));
        }
        let action = OrderAction::parse(o.action.trim())
            .filter(|a| !matches!(a, OrderAction::Reinstate | OrderAction::Amend));
        if action.is_none() {
            errors.push(err(
                field("action"),
                "invalid_value",
                format!(
                    "action {:?} is not one of: remove, restrict, suspend_account, preserve, disclose",
                    o.action
                ),
            ));
        }
        let legal_basis = o.legal_basis.trim().to_owned();
        if legal_basis.is_empty() || legal_basis.chars().count() > MAX_LEGAL_BASIS_CHARS {
            errors.push(err(
                field("legal_basis"),
                "required",
                format!("legal_basis is required (1 to {MAX_LEGAL_BASIS_CHARS} characters)"),
            ));
        }
        if action == Some(OrderAction::Preserve)
            && !o
                .preserve_days
                .is_some_and(|d| (1..=MAX_PRESERVE_DAYS).contains(&d))
        {
            errors.push(err(
                field("preserve_days"),
                "required",
                format!("preserve needs preserve_days from 1 to {MAX_PRESERVE_DAYS}"),
            ));
        }
        let hours = o
            .deadline_hours
            .unwrap_or(state.config.decisions.order_deadline_hours);
        if !(1..=MAX_DEADLINE_HOURS).contains(&hours) {
            errors.push(err(
                field("deadline_hours"),
                "invalid_value",
                format!("deadline_hours must be from 1 to {MAX_DEADLINE_HOURS}"),
            ));
        }
        let excerpt = o
            .evidence_excerpt
            .clone()
            .unwrap_or_else(|| default_excerpt.clone());
        if excerpt.chars().count() > MAX_EXCERPT_CHARS {
            errors.push(err(
                field("evidence_excerpt"),
                "too_long",
                format!("evidence_excerpt has more than {MAX_EXCERPT_CHARS} characters"),
            ));
        }
        if let (Some(p), Some(action), Some(subject)) = (provider, action, subject.as_ref()) {
            orders.push(NewOrder {
                case_id: detail.case.id,
                decision_id: None,
                provider_id: p.id,
                action,
                preserve_days: o.preserve_days.filter(|_| action == OrderAction::Preserve),
                legal_basis,
                deadline: now + Duration::hours(i64::from(hours)),
                target: OrderTarget {
                    kind: subject.kind.as_str().to_owned(),
                    platform: subject.platform.clone(),
                    key: subject.key.clone(),
                    item_ids: item_ids.clone(),
                },
                evidence_excerpt: excerpt,
                notice: None,
                reverses: None,
            });
        }
    }
    let (Some(statement), Some(subject), true) = (statement, subject, errors.is_empty()) else {
        return Err(ApiError::fields("invalid_decision", errors));
    };

    let code = ReceiptCode::generate();
    let until = appeal_until(now, state.config.decisions.appeal_window_days);
    let url = appeal_url(state, &code);
    let templates = templates(state).await?;
    let name = category_name(state, &statement.category, &language);
    let shown_code = code.to_string();
    let ctx = MessageContext {
        reference: &shown_code,
        category_name: &name,
        statement: &statement,
        appeal_url: &url,
        appeal_code: &shown_code,
        appeal_until: until.date(),
        language: &language,
        reasons: None,
    };
    let notice = notice_text(&templates, MessageKind::Decision, &ctx);
    for o in &mut orders {
        o.notice = Some(Notice {
            language: language.clone(),
            text: notice.clone(),
            appeal_url: url.clone(),
            appeal_code: shown_code.clone(),
        });
    }
    Ok(Prepared {
        new: NewDecision {
            case_id: detail.case.id,
            subject_id: subject.id,
            statement,
            appeal_code: code.as_str().to_owned(),
            appeal_until: until,
            notice_language: language.clone(),
            email: email.map(|address| EmailNotice {
                address: address.to_owned(),
                language: language.clone(),
                body: notice.clone(),
            }),
            notice,
            orders,
        },
        appeal_url: url,
    })
}

/// Reads a case for a decision, or 404.
pub async fn case(state: &AppState, id: i64) -> Result<CaseDetail, ApiError> {
    state.cases.get_case(id).await?.ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("case {id} was not found"),
        )
    })
}

/// A reviewer's decision on an appeal.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    /// uphold, reverse or modify.
    pub outcome: String,
    /// Why; the person is told.
    pub reasons: String,
    /// For modify: the new statement of reasons.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub statement: Option<StatementInput>,
}

/// Checks a review and builds what the store needs.
pub async fn prepare_review(
    state: &AppState,
    appeal: &harrier_core::decisions::Appeal,
    req: &ReviewRequest,
    now: OffsetDateTime,
) -> Result<harrier_core::decisions::AppealReview, ApiError> {
    use harrier_core::decisions::{AppealOutcome, AppealReview, MAX_OUTCOME_CHARS};
    let decision = state
        .decisions
        .decision(appeal.decision_id)
        .await?
        .ok_or_else(|| ApiError::not_found(&format!("decision {}", appeal.decision_id)))?
        .decision;
    let mut errors = Vec::new();
    let reasons = req.reasons.trim().to_owned();
    if reasons.is_empty() || reasons.chars().count() > MAX_OUTCOME_CHARS {
        errors.push(err(
            "reasons".into(),
            "required",
            format!("reasons are required (1 to {MAX_OUTCOME_CHARS} characters): the person is told them"),
        ));
    }
    let outcome = match req.outcome.trim() {
        "uphold" => Some(AppealOutcome::Uphold),
        "reverse" => Some(AppealOutcome::Reverse),
        "modify" => match &req.statement {
            None => {
                errors.push(err(
                    "statement".into(),
                    "required",
                    "modify needs the new statement of reasons".into(),
                ));
                None
            }
            Some(input) => {
                let detail = case(state, decision.case_id).await?;
                match validate(input, &state.taxonomy, &case_defaults(&detail, now)) {
                    Ok(s) => Some(AppealOutcome::Modify(Box::new(s))),
                    Err(e) => {
                        errors.extend(e.into_iter().map(|mut f| {
                            f.field = format!("statement.{}", f.field);
                            f
                        }));
                        None
                    }
                }
            }
        },
        other => {
            errors.push(err(
                "outcome".into(),
                "invalid_value",
                format!("outcome {other:?} is not one of: uphold, reverse, modify"),
            ));
            None
        }
    };
    let (Some(outcome), true) = (outcome, errors.is_empty()) else {
        return Err(ApiError::fields("invalid_review", errors));
    };
    let new_code = ReceiptCode::generate();
    let new_until = appeal_until(now, state.config.decisions.appeal_window_days);
    let (kind, statement, code_shown, until, url) = match &outcome {
        AppealOutcome::Modify(s) => (
            MessageKind::AppealModified,
            (**s).clone(),
            new_code.to_string(),
            new_until,
            appeal_url(state, &new_code),
        ),
        other => {
            let old = ReceiptCode::parse(&decision.appeal_code)
                .map(|c| c.to_string())
                .unwrap_or_else(|| decision.appeal_code.clone());
            let url = format!(
                "{}/appeal/{old}",
                state.config.decisions.public_url.trim_end_matches('/')
            );
            let kind = if *other == AppealOutcome::Uphold {
                MessageKind::AppealUpheld
            } else {
                MessageKind::AppealReversed
            };
            (
                kind,
                decision.statement.clone(),
                old,
                decision.appeal_until,
                url,
            )
        }
    };
    let templates = templates(state).await?;
    let name = category_name(state, &statement.category, &appeal.language);
    let old_reference = ReceiptCode::parse(&decision.appeal_code)
        .map(|c| c.to_string())
        .unwrap_or_default();
    let ctx = MessageContext {
        reference: &old_reference,
        category_name: &name,
        statement: &statement,
        appeal_url: &url,
        appeal_code: &code_shown,
        appeal_until: until.date(),
        language: &appeal.language,
        reasons: Some(&reasons),
    };
    let notice = notice_text(&templates, kind, &ctx);
    Ok(AppealReview {
        outcome,
        reasons,
        notice,
        appeal_url: url,
        order_deadline: Duration::hours(i64::from(
            state.config.decisions.reversal_deadline_hours.max(1),
        )),
        new_appeal_code: new_code.as_str().to_owned(),
        new_appeal_until: new_until,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_shipped_text_for_every_category_in_both_languages() {
        for lang in ["zh", "en"] {
            for kind in MessageKind::ALL {
                assert!(
                    pick(&SHIPPED, kind, "drugs", lang).is_some_and(|t| t.language == lang),
                    "{} in {lang}",
                    kind.as_str()
                );
            }
        }
    }

    #[test]
    fn addresses_are_checked_loosely_but_not_blindly() {
        assert!(email_ok("a.person@example.org"));
        assert!(!email_ok("no-at-sign"));
        assert!(!email_ok("two words@example.org"));
        assert!(!email_ok("@example.org"));
    }
}
