//! Home and the awareness articles.

use super::{Page, render};
use crate::AppState;
use crate::content::Article;
use crate::i18n::Chosen;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

#[derive(Template)]
#[template(path = "home.html")]
struct Home<'a> {
    page: Page,
    articles: Vec<&'a Article>,
}

pub async fn home(State(state): State<AppState>, chosen: Chosen) -> Response {
    let articles = state.content.articles(chosen.lang);
    render(
        StatusCode::OK,
        &Home {
            page: Page::new(chosen),
            articles,
        },
    )
}

#[derive(Template)]
#[template(path = "learn_index.html")]
struct LearnIndex<'a> {
    page: Page,
    articles: Vec<&'a Article>,
}

pub async fn learn_index(State(state): State<AppState>, chosen: Chosen) -> Response {
    let articles = state.content.articles(chosen.lang);
    render(
        StatusCode::OK,
        &LearnIndex {
            page: Page::new(chosen),
            articles,
        },
    )
}

#[derive(Template)]
#[template(path = "article.html")]
struct ArticlePage<'a> {
    page: Page,
    article: &'a Article,
}

pub async fn article(
    State(state): State<AppState>,
    chosen: Chosen,
    Path(slug): Path<String>,
) -> Response {
    match state.content.article(chosen.lang, &slug) {
        Some(article) => render(
            StatusCode::OK,
            &ArticlePage {
                page: Page::new(chosen),
                article,
            },
        ),
        None => super::not_found(chosen).await,
    }
}
