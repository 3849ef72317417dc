//! The portal's content: awareness articles and the city gazetteer, compiled
//! into the binary from the repository's `content/` folder.
//!
//! Articles are Markdown with TOML front matter between `+++` lines. They are
//! rendered with pulldown-cmark and raw HTML is turned into text: even our own
//! content cannot inject markup past the Content-Security-Policy.

use crate::i18n::Lang;
use harrier_core::directory::Gazetteer;
use pulldown_cmark::{Event, Options, Parser, html};
use serde::Deserialize;
use std::collections::BTreeMap;
use thiserror::Error;

#[derive(rust_embed::Embed)]
#[folder = "../../content/"]
struct Files;

#[derive(Debug, Error)]
pub enum ContentError {
    #[error("{path}: {problem}")]
    Article { path: String, problem: String },
    #[error("content/directory/cities.csv: {0}")]
    Gazetteer(String),
    #[error("{0} is missing from the content folder")]
    Missing(&'static str),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    title: String,
    category: String,
    date: toml::value::Datetime,
    summary: String,
}

/// One rendered article.
#[derive(Debug, Clone)]
pub struct Article {
    pub slug: String,
    pub title: String,
    pub category: String,
    pub date: String,
    pub summary: String,
    /// Our own Markdown rendered to HTML with raw HTML escaped.
    pub html: String,
}

/// Everything the portal shows that is not in the database.
#[derive(Debug)]
pub struct Content {
    articles: BTreeMap<(&'static str, String), Article>,
    pub gazetteer: Gazetteer,
}

/// The sample help directory shipped for the demo.
pub fn sample_directory() -> Option<Vec<u8>> {
    Files::get("directory/sample.csv").map(|f| f.data.into_owned())
}

/// Renders Markdown with raw HTML shown as text.
pub fn render_markdown(text: &str) -> String {
    let parser = Parser::new_ext(text, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH).map(
        |event| match event {
            Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
            other => other,
        },
    );
    let mut out = String::new();
    html::push_html(&mut out, parser);
    out
}

fn parse_article(path: &str, text: &str) -> Result<Article, ContentError> {
    let fail = |problem: &str| ContentError::Article {
        path: path.to_owned(),
        problem: problem.to_owned(),
    };
    let rest = text
        .strip_prefix("+++\n")
        .or_else(|| text.strip_prefix("+++\r\n"))
        .ok_or_else(|| fail("does not start with +++ front matter"))?;
    let (front, body) = rest
        .split_once("\n+++")
        .ok_or_else(|| fail("front matter is not closed with +++"))?;
    let front: FrontMatter = toml::from_str(front).map_err(|e| fail(&e.to_string()))?;
    let slug = path
        .rsplit('/')
        .next()
        .and_then(|f| f.strip_suffix(".md"))
        .ok_or_else(|| fail("is not a .md file"))?
        .to_owned();
    Ok(Article {
        slug,
        title: front.title,
        category: front.category,
        date: front.date.to_string(),
        summary: front.summary,
        html: render_markdown(body),
    })
}

impl Content {
    /// Loads and renders the embedded content.
    pub fn load() -> Result<Self, ContentError> {
        let mut articles = BTreeMap::new();
        for path in Files::iter() {
            let Some(rest) = path.strip_prefix("articles/") else {
                continue;
            };
            let lang = match rest.split('/').next() {
                Some("zh") => Lang::Zh,
                Some("en") => Lang::En,
                _ => continue,
            };
            if !rest.ends_with(".md") {
                continue;
            }
            let file = Files::get(&path).ok_or(ContentError::Missing("an article"))?;
            let text =
                String::from_utf8(file.data.into_owned()).map_err(|_| ContentError::Article {
                    path: path.to_string(),
                    problem: "is not UTF-8".into(),
                })?;
            let article = parse_article(&path, &text)?;
            articles.insert((lang.code(), article.slug.clone()), article);
        }
        let cities = Files::get("directory/cities.csv")
            .ok_or(ContentError::Missing("directory/cities.csv"))?;
        let gazetteer = Gazetteer::parse_csv(&cities.data)
            .map_err(|e| ContentError::Gazetteer(e.to_string()))?;
        Ok(Self {
            articles,
            gazetteer,
        })
    }

    pub fn article(&self, lang: Lang, slug: &str) -> Option<&Article> {
        self.articles.get(&(lang.code(), slug.to_owned()))
    }

    /// The articles of one language, newest first.
    pub fn articles(&self, lang: Lang) -> Vec<&Article> {
        let mut list: Vec<&Article> = self
            .articles
            .iter()
            .filter(|((l, _), _)| *l == lang.code())
            .map(|(_, a)| a)
            .collect();
        list.sort_by(|a, b| b.date.cmp(&a.date).then(a.title.cmp(&b.title)));
        list
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_in_markdown_is_shown_as_text() {
        let html = render_markdown("Hi <script>alert(1)</script>\n\n<img src=x onerror=y>");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;"));
    }

    #[test]
    fn every_article_exists_in_both_languages() {
        let content = Content::load().unwrap();
        let zh: Vec<_> = content
            .articles(Lang::Zh)
            .iter()
            .map(|a| a.slug.clone())
            .collect();
        let mut en: Vec<_> = content
            .articles(Lang::En)
            .iter()
            .map(|a| a.slug.clone())
            .collect();
        let mut zh_sorted = zh.clone();
        zh_sorted.sort();
        en.sort();
        assert_eq!(zh_sorted, en);
        assert!(zh.len() >= 6);
        for slug in [
            "drugs-and-their-harms",
            "how-to-report",
            "decisions-and-appeals",
        ] {
            assert!(content.article(Lang::En, slug).is_some(), "{slug}");
        }
    }

    #[test]
    fn front_matter_errors_name_the_file() {
        let err = parse_article("articles/en/x.md", "no front matter").unwrap_err();
        assert!(err.to_string().starts_with("articles/en/x.md:"));
    }
}
