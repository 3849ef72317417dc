//! The help directory: search by words, kind and city, or nearest first.

use super::{Page, render};
use crate::AppState;
use crate::i18n::Chosen;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use harrier_core::directory::{Point, Query as DirectoryQuery, ServiceKind, search_with_gazetteer};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub struct HelpForm {
    #[serde(default)]
    q: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    city: String,
    #[serde(default)]
    near: String,
    #[serde(default)]
    lat: String,
    #[serde(default)]
    lon: String,
}

pub struct HitView {
    name: String,
    kind: String,
    address: String,
    city: String,
    phone: String,
    hours: String,
    languages: String,
    url: Option<String>,
    distance: Option<String>,
}

#[derive(Template)]
#[template(path = "help.html")]
struct HelpPage {
    page: Page,
    form: HelpForm,
    kinds: Vec<(&'static str, String)>,
    hits: Vec<HitView>,
    count_text: String,
    problem: Option<String>,
    sample: bool,
}

fn clip(s: &str, max: usize) -> String {
    s.trim().chars().take(max).collect()
}

/// Reads `lat`/`lon`; both empty is no point, anything else must be valid.
fn coordinates(lat: &str, lon: &str) -> Result<Option<Point>, ()> {
    if lat.trim().is_empty() && lon.trim().is_empty() {
        return Ok(None);
    }
    let latitude: f64 = lat.trim().parse().map_err(|_| ())?;
    let longitude: f64 = lon.trim().parse().map_err(|_| ())?;
    let valid = (-90.0..=90.0).contains(&latitude) && (-180.0..=180.0).contains(&longitude);
    if valid {
        Ok(Some(Point {
            latitude,
            longitude,
        }))
    } else {
        Err(())
    }
}

pub async fn search(
    State(state): State<AppState>,
    chosen: Chosen,
    query: Result<Query<HelpForm>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let mut form = query.map(|Query(f)| f).unwrap_or_default();
    form.q = clip(&form.q, 200);
    form.city = clip(&form.city, 100);
    form.near = clip(&form.near, 100);
    let page = Page::new(chosen);
    let t = page.t;
    let mut problem = None;
    let near = match coordinates(&form.lat, &form.lon) {
        Ok(Some(point)) => Some(point),
        Ok(None) if !form.near.is_empty() => {
            let found = state.content.gazetteer.locate(&form.near);
            if found.is_none() {
                problem = Some(t.s("help.unknown_city").to_owned());
            }
            found
        }
        Ok(None) => None,
        Err(()) => {
            problem = Some(t.s("help.bad_coordinates").to_owned());
            None
        }
    };
    let services = match state.store.directory().await {
        Ok(services) => services,
        Err(e) => return crate::errors::ApiError::from(e).into_response(),
    };
    let query = DirectoryQuery {
        words: Some(form.q.clone()).filter(|q| !q.is_empty()),
        kind: ServiceKind::parse(&form.kind),
        city: Some(form.city.clone()).filter(|c| !c.is_empty()),
        near,
        limit: 50,
    };
    let hits = search_with_gazetteer(&services, &query, &state.content.gazetteer);
    let sample = services
        .iter()
        .any(|s| s.name.starts_with("[SAMPLE]") || s.name.starts_with("[示例]"));
    let kind_label = |k: ServiceKind| t.s(&format!("help.kind.{}", k.as_str())).to_owned();
    let hits: Vec<HitView> = hits
        .into_iter()
        .map(|h| HitView {
            name: h.service.name.clone(),
            kind: kind_label(h.service.kind),
            address: h.service.address.clone(),
            city: h.service.city.clone(),
            phone: h.service.phone.clone(),
            hours: h.service.hours.clone(),
            languages: h.service.languages.join(", "),
            url: h.service.url.clone(),
            distance: h.distance_km.map(|d| format!("{d:.1} {}", t.s("help.km"))),
        })
        .collect();
    let kinds = ServiceKind::ALL
        .iter()
        .map(|k| (k.as_str(), kind_label(*k)))
        .collect();
    let count_text = format!("{} {}", hits.len(), t.s("help.count"));
    let status = if problem.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    render(
        status,
        &HelpPage {
            page,
            form,
            kinds,
            hits,
            count_text,
            problem,
            sample,
        },
    )
}
