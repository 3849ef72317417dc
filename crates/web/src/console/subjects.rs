//! `/staff/subjects/{id}`: one subject (an account, a URL, a contact, a
//! room) with its tip-offs, signals and cases on one timeline, and the
//! subjects linked to it (named in the same tip-offs, held in the same
//! cases) as a small graph drawn on the server as SVG.
//!
//! Every label in the graph and the timeline is reported text: askama
//! escapes it inside the SVG's `<text>` and the table cells alike.

use super::{ConsoleStaff, csrf_for, with_cookie};
use crate::AppState;
use crate::api::dto::{SubjectBody, rfc3339};
use crate::auth::Permission;
use crate::i18n::Chosen;
use crate::portal::{Page, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use harrier_core::cases::SubjectDetail;

/// One line of the timeline.
pub struct TimelineRow {
    pub at: String,
    /// report, signal or case.
    pub kind: &'static str,
    pub text: String,
    pub href: Option<String>,
}

/// A node of the graph around the subject.
pub struct Node {
    pub x: f64,
    pub y: f64,
    pub label: String,
    pub href: String,
    pub via: &'static str,
    pub weight: i64,
    /// Stroke width of the edge to the centre.
    pub width: f64,
}

/// The graph's size and centre.
const SIZE: f64 = 360.0;
const RADIUS: f64 = 130.0;
/// The most neighbours drawn; the table lists them all.
const DRAWN: usize = 12;

fn clip(text: &str, chars: usize) -> String {
    let mut out: String = text.chars().take(chars).collect();
    if text.chars().count() > chars {
        out.push('…');
    }
    out
}

pub fn timeline(detail: &SubjectDetail) -> Vec<TimelineRow> {
    let mut rows = Vec::new();
    for r in &detail.reports {
        rows.push(TimelineRow {
            at: rfc3339(r.received_at),
            kind: "report",
            text: format!(
                "#{} {} · {} · {}",
                r.id,
                r.channel.as_str(),
                r.category,
                clip(&r.description, 160)
            ),
            href: None,
        });
    }
    for i in &detail.items {
        rows.push(TimelineRow {
            at: rfc3339(i.received_at),
            kind: "item",
            text: format!("{} · {} · {}", i.provider, i.kind, clip(&i.text, 160)),
            href: None,
        });
    }
    for g in &detail.groups {
        rows.push(TimelineRow {
            at: rfc3339(g.first_found_at),
            kind: "group",
            text: format!(
                "{} · {} · {} · {:.2}",
                g.subject.key, g.category, g.size, g.score
            ),
            href: Some(format!("/staff/subjects/{}", g.subject.id)),
        });
    }
    for s in &detail.signals {
        rows.push(TimelineRow {
            at: rfc3339(s.created_at),
            kind: "signal",
            text: format!(
                "{} · {} · {:.2} · {}: {}",
                s.rule,
                s.category,
                s.score,
                s.item.provider,
                clip(&s.item.text, 160)
            ),
            href: None,
        });
    }
    for c in &detail.cases {
        rows.push(TimelineRow {
            at: rfc3339(c.opened_at),
            kind: "case",
            text: format!("#{} · {} · {}", c.id, c.state.as_str(), c.category),
            href: Some(format!("/staff/cases/{}", c.id)),
        });
    }
    rows.sort_by(|a, b| b.at.cmp(&a.at));
    rows
}

pub fn graph(detail: &SubjectDetail) -> Vec<Node> {
    let drawn: Vec<_> = detail.links.iter().take(DRAWN).collect();
    let max = drawn.iter().map(|l| l.weight).max().unwrap_or(1).max(1) as f64;
    let n = drawn.len().max(1) as f64;
    drawn
        .iter()
        .enumerate()
        .map(|(i, link)| {
            let angle = std::f64::consts::TAU * i as f64 / n - std::f64::consts::FRAC_PI_2;
            Node {
                x: SIZE / 2.0 + RADIUS * angle.cos(),
                y: SIZE / 2.0 + RADIUS * angle.sin(),
                label: clip(&link.subject.key, 22),
                href: format!("/staff/subjects/{}", link.subject.id),
                via: link.via,
                weight: link.weight,
                width: 1.0 + 4.0 * link.weight as f64 / max,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "staff_subject.html")]
struct SubjectPage {
    page: Page,
    nav: super::Nav,
    subject: SubjectBody,
    center_label: String,
    timeline: Vec<TimelineRow>,
    nodes: Vec<Node>,
    links: Vec<(SubjectBody, &'static str, i64)>,
    size: f64,
}

pub async fn show(
    State(state): State<AppState>,
    chosen: Chosen,
    headers: HeaderMap,
    signed_in: ConsoleStaff,
    Path(id): Path<i64>,
) -> Response {
    if let Some(denied) = signed_in.deny(Permission::ReadReports, &chosen) {
        return denied;
    }
    let detail = match state.cases.get_subject(id).await {
        Ok(Some(detail)) => detail,
        Ok(None) => {
            let t = chosen.lang.messages();
            return (StatusCode::NOT_FOUND, t.s("staff.subject.not_found")).into_response();
        }
        Err(error) => {
            tracing::error!(%error, "subject page");
            return (StatusCode::SERVICE_UNAVAILABLE, "storage unavailable").into_response();
        }
    };
    let (csrf, cookie) = csrf_for(&state, &headers);
    let template = SubjectPage {
        nav: super::Nav::new(&signed_in.staff, csrf, "cases"),
        center_label: clip(&detail.subject.key, 22),
        timeline: timeline(&detail),
        nodes: graph(&detail),
        links: detail
            .links
            .iter()
            .map(|l| (l.subject.clone().into(), l.via, l.weight))
            .collect(),
        subject: detail.subject.into(),
        size: SIZE,
        page: Page::new(chosen),
    };
    with_cookie(render(StatusCode::OK, &template), cookie)
}
