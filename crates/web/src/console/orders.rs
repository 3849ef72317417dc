//! The console's order pages: the list (state, provider, action,
//! deadline, overdue, delivery) with the form that sends an order from a
//! case, one order (its payload, answers and delivery), and each
//! provider's compliance with the escalation list.
//!
//! Provider answers and the evidence excerpt are hostile text: askama
//! escapes them, nothing here marks text as safe. The case page includes
//! `staff_case_orders.html` (see [`CaseOrders`] for what it needs).

use super::cases::{bad_form, fail};
use super::{ConsoleStaff, csrf_for, csrf_ok, with_cookie};
use crate::AppState;
use crate::api::orders::{
    ComplianceBody, OrderBody, OrderListQuery, compliance_report, create_from_draft, staff_query,
};
use crate::auth::Permission;
use crate::errors::ApiError;
use crate::i18n::Chosen;
use crate::portal::{Page, render};
use askama::Template;
use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use harrier_core::orders::request::{OrderDraft, STAFF_ACTIONS};
use harrier_core::orders::{OrderState, payload};
use serde::Deserialize;

/// The orders of one case, for the case page's `staff_case_orders.html`.
///
/// The including template must have in scope: `page` (the [`Page`]),
/// `csrf` (this browser's form token), `case_orders:
/// Vec<OrderBody>` (from [`case_orders`]), `order_case_id: i64` and
/// `can_send_orders: bool` (`ConsoleStaff::may(Permission::SendOrders)`),
/// plus `order_actions: Vec<&'static str>` ([`order_actions`]).
#[derive(Template)]
#[template(path = "staff_case_orders.html")]
pub struct CaseOrders {
    pub page: Page,
    pub csrf: String,
    pub case_orders: Vec<OrderBody>,
    pub order_case_id: i64,
    pub can_send_orders: bool,
    pub order_actions: Vec<&'static str>,
}

/// A case's orders, newest first (empty when the store fails: the case
/// page still shows).
pub async fn case_orders(state: &AppState, case_id: i64) -> Vec<OrderBody> {
    let now = state.clock.now();
    match state.orders.case_orders(case_id).await {
        Ok(orders) => orders.iter().map(|d| OrderBody::new(d, now)).collect(),
        Err(error) => {
            tracing::error!(%error, case_id, "orders of a case could not be read");
            Vec::new()
        }
    }
}

/// The actions staff may choose in the send form.
pub fn order_actions() -> Vec<&'static str> {
    STAFF_ACTIONS.iter().map(|a| a.as_str()).collect()
}

#[derive(Template)]
#[template(path = "staff_orders.html")]
struct OrdersPage {
    page: Page,
    nav: super::Nav,
    csrf: String,
    orders: Vec<OrderBody>,
    filter: Filter,
    states: Vec<&'static str>,
    providers: Vec<String>,
    can_send_orders: bool,
    order_actions: Vec<&'static str>,
    /// Deliveries that gave up (the dead-letter list).
    dead: Vec<harrier_core::orders::delivery::DeliveryStatus>,
}

#[derive(Default)]
struct Filter {
    state: String,
    provider: String,
    case: String,
    overdue: bool,
}

/// The list's query, as the form sends it (empty fields are no filter).
#[derive(Debug, Default, Deserialize)]
pub struct ListForm {
    state: Option<String>,
    provider: Option<String>,
    case: Option<String>,
    overdue: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    chosen: Chosen,
    headers: HeaderMap,
    signed_in: ConsoleStaff,
    query: Result<Query<ListForm>, QueryRejection>,
) -> Response {
    let back = "/staff/orders";
    if let Some(denied) = signed_in.deny(Permission::ReadOrders, &chosen) {
        return denied;
    }
    let Ok(Query(form)) = query else {
        return bad_form(chosen, back);
    };
    let case = match form
        .case
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        None => None,
        Some(c) => match c.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => return bad_form(chosen, back),
        },
    };
    let q = OrderListQuery {
        state: form.state.clone().filter(|s| !s.is_empty()),
        provider: form.provider.clone().filter(|s| !s.is_empty()),
        case,
        overdue: form.overdue.as_deref().map(|o| o == "1" || o == "on"),
        limit: Some(200),
        ..OrderListQuery::default()
    };
    let orders = match staff_query(&state, &q).await {
        Ok(query) => state
            .orders
            .list_orders(&query)
            .await
            .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    let orders = match orders {
        Ok(orders) => orders,
        Err(e) => return fail(chosen, e, back),
    };
    let providers = match state.patrol.list_providers().await {
        Ok(list) => list.into_iter().map(|(p, _)| p.name).collect(),
        Err(e) => return fail(chosen, e.into(), back),
    };
    let dead = match state.deliveries.dead_letters(100).await {
        Ok(dead) => dead,
        Err(e) => return fail(chosen, e.into(), back),
    };
    let now = state.clock.now();
    let (csrf, cookie) = csrf_for(&state, &headers);
    let template = OrdersPage {
        dead,
        nav: super::Nav::new(&signed_in.staff, csrf.clone(), "orders"),
        csrf,
        orders: orders.iter().map(|d| OrderBody::new(d, now)).collect(),
        filter: Filter {
            state: form.state.unwrap_or_default(),
            provider: form.provider.unwrap_or_default(),
            case: case.map(|c| c.to_string()).unwrap_or_default(),
            overdue: q.overdue.unwrap_or(false),
        },
        states: OrderState::ALL.iter().map(|s| s.as_str()).collect(),
        providers,
        can_send_orders: signed_in.may(Permission::SendOrders),
        order_actions: order_actions(),
        page: Page::new(chosen),
    };
    with_cookie(render(StatusCode::OK, &template), cookie)
}

/// The send form: the order's fields, the case and the CSRF token.
#[derive(Debug, Deserialize)]
pub struct SendForm {
    csrf: String,
    case: i64,
    provider: String,
    action: String,
    #[serde(default)]
    preserve_days: String,
    legal_basis: String,
    /// RFC 3339, or a browser's `datetime-local` value read as UTC.
    deadline: String,
    evidence_excerpt: String,
}

/// A `datetime-local` value (`2026-12-01T12:00`) as RFC 3339 in UTC;
/// anything else is passed on to be checked.
fn deadline_text(value: &str) -> String {
    let v = value.trim();
    let local = v.len() == 16 && v.as_bytes().get(10) == Some(&b'T') && !v.ends_with('Z');
    if local {
        format!("{v}:00Z")
    } else {
        v.to_owned()
    }
}

pub async fn send(
    State(state): State<AppState>,
    chosen: Chosen,
    headers: HeaderMap,
    signed_in: ConsoleStaff,
    form: Result<Form<SendForm>, FormRejection>,
) -> Response {
    let back = "/staff/orders";
    if let Some(denied) = signed_in.deny(Permission::SendOrders, &chosen) {
        return denied;
    }
    let Ok(Form(form)) = form else {
        return bad_form(chosen, back);
    };
    if !csrf_ok(&state, &headers, &form.csrf) {
        let error = ApiError::new(
            StatusCode::FORBIDDEN,
            "csrf_failed",
            chosen.lang.messages().s("staff.login.csrf"),
        );
        return fail(chosen, error, back);
    }
    let preserve_days = match form.preserve_days.trim() {
        "" => None,
        days => match days.parse::<u32>() {
            Ok(d) => Some(d),
            Err(_) => Some(0),
        },
    };
    let draft = OrderDraft {
        provider: form.provider,
        action: form.action,
        preserve_days,
        legal_basis: form.legal_basis,
        deadline: deadline_text(&form.deadline),
        evidence_excerpt: form.evidence_excerpt,
    };
    let case_page = format!("/staff/cases/{}", form.case);
    match create_from_draft(&state, form.case, &draft, &signed_in.staff).await {
        Ok(detail) => Redirect::to(&format!("/staff/orders/{}", detail.order.id)).into_response(),
        Err(e) => fail(chosen, e, &case_page),
    }
}

#[derive(Template)]
#[template(path = "staff_order.html")]
struct OrderPage {
    page: Page,
    nav: super::Nav,
    csrf: String,
    can_redeliver: bool,
    order: OrderBody,
    /// The webhook's JSON, pretty-printed (shown as text).
    payload: String,
}

pub async fn show(
    State(state): State<AppState>,
    chosen: Chosen,
    headers: HeaderMap,
    signed_in: ConsoleStaff,
    Path(id): Path<i64>,
) -> Response {
    let back = "/staff/orders";
    if let Some(denied) = signed_in.deny(Permission::ReadOrders, &chosen) {
        return denied;
    }
    let detail = match state.orders.order(id).await {
        Ok(Some(detail)) => detail,
        Ok(None) => return fail(chosen, ApiError::not_found(&format!("order {id}")), back),
        Err(e) => return fail(chosen, e.into(), back),
    };
    let (csrf, cookie) = csrf_for(&state, &headers);
    let template = OrderPage {
        nav: super::Nav::new(&signed_in.staff, csrf.clone(), "orders"),
        csrf,
        can_redeliver: signed_in.may(Permission::SendOrders),
        payload: serde_json::to_string_pretty(&payload(&detail.order)).unwrap_or_default(),
        order: OrderBody::new(&detail, state.clock.now()),
        page: Page::new(chosen),
    };
    with_cookie(render(StatusCode::OK, &template), cookie)
}

#[derive(Template)]
#[template(path = "staff_compliance.html")]
struct CompliancePage {
    page: Page,
    nav: super::Nav,
    report: ComplianceBody,
    days: u32,
}

#[derive(Debug, Default, Deserialize)]
pub struct ComplianceForm {
    days: Option<u32>,
}

/// Hours and minutes of a number of seconds (`26h 05m`).
pub fn duration_text(secs: impl std::borrow::Borrow<i64>) -> String {
    let secs = (*secs.borrow()).max(0);
    format!("{}h {:02}m", secs / 3600, (secs % 3600) / 60)
}

pub async fn compliance(
    State(state): State<AppState>,
    chosen: Chosen,
    headers: HeaderMap,
    signed_in: ConsoleStaff,
    query: Result<Query<ComplianceForm>, QueryRejection>,
) -> Response {
    let back = "/staff/compliance";
    if let Some(denied) = signed_in.deny(Permission::ReadOrders, &chosen) {
        return denied;
    }
    let Ok(Query(form)) = query else {
        return bad_form(chosen, back);
    };
    let days = form.days.unwrap_or(30);
    let report = match compliance_report(&state, Some(days)).await {
        Ok(report) => report,
        Err(e) => return fail(chosen, e, "/staff/orders"),
    };
    let (csrf, cookie) = csrf_for(&state, &headers);
    let template = CompliancePage {
        nav: super::Nav::new(&signed_in.staff, csrf, "compliance"),
        report: report.into(),
        days,
        page: Page::new(chosen),
    };
    with_cookie(render(StatusCode::OK, &template), cookie)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::i18n::Lang;
    use harrier_core::orders::{
        AnswerTimes, Order, OrderAction, OrderAnswer, OrderDetail, OrderTarget, ProviderAnswer,
    };
    use time::macros::datetime;

    #[test]
    fn datetime_local_values_are_read_as_utc() {
        assert_eq!(deadline_text("2026-12-01T12:00"), "2026-12-01T12:00:00Z");
        assert_eq!(
            deadline_text(" 2026-12-01T12:00:00+08:00 "),
            "2026-12-01T12:00:00+08:00"
        );
        assert_eq!(deadline_text("tomorrow"), "tomorrow");
        assert_eq!(duration_text(26 * 3600 + 5 * 60 + 59), "26h 05m");
    }

    /// The case page's partial escapes what providers wrote and shows the
    /// send form only to those who may send.
    #[test]
    fn the_case_partial_escapes_answers() {
        let now = datetime!(2026-11-24 10:00 UTC);
        let detail = OrderDetail {
            order: Order {
                id: 7,
                reference: "HO-2026-000007".into(),
                case_id: 3,
                decision_id: None,
                provider_id: 1,
                provider: "weibo".into(),
                action: OrderAction::Remove,
                preserve_days: None,
                legal_basis: "Art. 9 DSA".into(),
                target: OrderTarget {
                    kind: "account".into(),
                    platform: "weibo".into(),
                    key: "<b>seller</b>".into(),
                    item_ids: vec![],
                },
                evidence_excerpt: "<script>x</script>".into(),
                notice: None,
                deadline: now - time::Duration::hours(1),
                reverses: None,
                state: OrderState::NeedsInformation,
                created_by: "staff:mona".into(),
                created_at: now - time::Duration::hours(5),
            },
            times: AnswerTimes::default(),
            delivery: None,
            answers: vec![OrderAnswer {
                id: 1,
                answer: ProviderAnswer::NeedsInformation {
                    what: "<img src=x onerror=alert(1)>".into(),
                },
                received_at: now,
            }],
        };
        let chosen = Chosen {
            lang: Lang::En,
            from_query: false,
            rest_query: String::new(),
        };
        let mut partial = CaseOrders {
            page: Page::new(chosen.clone()),
            csrf: "tok".into(),
            case_orders: vec![OrderBody::new(&detail, now)],
            order_case_id: 3,
            can_send_orders: false,
            order_actions: order_actions(),
        };
        let html = partial.render().unwrap();
        assert!(html.contains("HO-2026-000007"));
        assert!(
            html.contains("&#60;img src=x onerror=alert(1)&#62;"),
            "{html}"
        );
        assert!(!html.contains("<img src=x"));
        assert!(!html.contains("<script>x"));
        assert!(html.contains("class=\"overdue\""));
        assert!(!html.contains("action=\"/staff/orders\""));
        partial.can_send_orders = true;
        let html = partial.render().unwrap();
        assert!(html.contains("action=\"/staff/orders\""));
        assert!(html.contains("name=\"case\" value=\"3\""));
    }
}

/// Puts a dead delivery back in the queue (same delivery id and body);
/// the sender tries again at once.
pub async fn redeliver(
    State(state): State<AppState>,
    chosen: Chosen,
    headers: HeaderMap,
    signed_in: ConsoleStaff,
    Path(id): Path<i64>,
    form: Result<axum::Form<CsrfOnly>, axum::extract::rejection::FormRejection>,
) -> Response {
    let back = format!("/staff/orders/{id}");
    if let Some(denied) = signed_in.deny(Permission::SendOrders, &chosen) {
        return denied;
    }
    let Ok(axum::Form(form)) = form else {
        return bad_form(chosen, &back);
    };
    if !super::csrf_ok(&state, &headers, &form.csrf) {
        let error = ApiError::new(
            StatusCode::FORBIDDEN,
            "csrf_failed",
            chosen.lang.messages().s("staff.login.csrf"),
        );
        return fail(chosen, error, &back);
    }
    let by = harrier_core::audit::Actor::Staff {
        id: signed_in.staff.id,
        name: signed_in.staff.name.clone(),
    };
    match state.deliveries.redeliver(id, by, state.clock.now()).await {
        Ok(_) => axum::response::Redirect::to(&back).into_response(),
        Err(e) => {
            let error = match e {
                harrier_core::orders::delivery::RedeliverError::Store(s) => ApiError::from(s),
                other => ApiError::new(StatusCode::CONFLICT, "not_dead", other.to_string()),
            };
            fail(chosen, error, &back)
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct CsrfOnly {
    csrf: String,
}
