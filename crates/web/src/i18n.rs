//! Languages: Simplified Chinese and English.
//!
//! The language of a page comes from, in order: `?lang=` on the request (which
//! also sets a `lang` cookie), the `lang` cookie, the Accept-Language header,
//! and finally Chinese. Interface strings live in `i18n/{zh,en}.toml`; a test
//! checks that both files have the same keys and that every key a template
//! uses exists.

use crate::csrf::cookie;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    /// The short code used in URLs, cookies and content folders.
    pub fn code(self) -> &'static str {
        match self {
            Self::Zh => "zh",
            Self::En => "en",
        }
    }

    /// The BCP 47 tag for `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Self::Zh => "zh-CN",
            Self::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "zh-hans" | "cn" => Some(Self::Zh),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    /// Picks from an Accept-Language header by quality, first match wins.
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut choices: Vec<(f32, usize, Lang)> = header
            .split(',')
            .take(20)
            .enumerate()
            .filter_map(|(i, part)| {
                let mut pieces = part.split(';');
                let tag = pieces.next()?.trim().to_ascii_lowercase();
                let q = pieces
                    .find_map(|p| {
                        p.trim()
                            .strip_prefix("q=")
                            .and_then(|q| q.parse::<f32>().ok())
                    })
                    .unwrap_or(1.0);
                let primary = tag.split('-').next()?;
                let lang = match primary {
                    "zh" => Lang::Zh,
                    "en" => Lang::En,
                    _ => return None,
                };
                (q > 0.0).then_some((q, i, lang))
            })
            .collect();
        choices.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        choices.first().map(|c| c.2)
    }

    pub fn messages(self) -> &'static Messages {
        let all = MESSAGES.get_or_init(Messages::load_all);
        match self {
            Self::Zh => &all.0,
            Self::En => &all.1,
        }
    }
}

/// The language a request asked for, and whether it asked explicitly.
#[derive(Debug, Clone)]
pub struct Chosen {
    pub lang: Lang,
    /// Set when `?lang=` chose it: the answer should set the cookie.
    pub from_query: bool,
    /// The rest of the query, for the language links.
    pub rest_query: String,
}

/// The request's query string without its `lang` parameter (at most 2 KiB),
/// so the language links keep a search as it is.
pub fn query_without_lang(parts: &Parts) -> String {
    let query = parts.uri.query().unwrap_or("");
    if query.len() > 2048 {
        return String::new();
    }
    query
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("lang=") && *p != "lang")
        .collect::<Vec<_>>()
        .join("&")
}

impl<S: Send + Sync> FromRequestParts<S> for Chosen {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(choose(parts))
    }
}

pub fn choose(parts: &Parts) -> Chosen {
    let query_lang = parts.uri.query().and_then(|q| {
        q.split('&')
            .filter_map(|p| p.split_once('='))
            .find(|(k, _)| *k == "lang")
            .and_then(|(_, v)| Lang::parse(v))
    });
    if let Some(lang) = query_lang {
        return Chosen {
            lang,
            from_query: true,
            rest_query: query_without_lang(parts),
        };
    }
    let lang = cookie(&parts.headers, "lang")
        .and_then(Lang::parse)
        .or_else(|| {
            parts
                .headers
                .get(axum::http::header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or(Lang::Zh);
    Chosen {
        lang,
        from_query: false,
        rest_query: query_without_lang(parts),
    }
}

/// Interface strings of one language.
#[derive(Debug)]
pub struct Messages {
    map: HashMap<String, String>,
}

static MESSAGES: OnceLock<(Messages, Messages)> = OnceLock::new();

pub const ZH_TOML: &str = include_str!("../i18n/zh.toml");
pub const EN_TOML: &str = include_str!("../i18n/en.toml");

impl Messages {
    pub fn parse(text: &str) -> Result<Self, toml::de::Error> {
        let map: HashMap<String, String> = toml::from_str(text)?;
        Ok(Self { map })
    }

    fn load_all() -> (Messages, Messages) {
        // The files are compiled in and checked by a test; an error here is a
        // build defect, shown as the keys themselves rather than a crash.
        let load = |text| {
            Self::parse(text).unwrap_or(Messages {
                map: HashMap::new(),
            })
        };
        (load(ZH_TOML), load(EN_TOML))
    }

    /// The string for a key; the key itself when missing, so a gap shows.
    pub fn s<'a>(&'a self, key: &'a str) -> &'a str {
        self.map.get(key).map(String::as_str).unwrap_or(key)
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.map.keys().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_is_read_by_quality() {
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9"), Some(Lang::En));
        assert_eq!(
            Lang::from_accept_language("fr, en;q=0.5, zh;q=0.8"),
            Some(Lang::Zh)
        );
        assert_eq!(
            Lang::from_accept_language("zh-TW;q=0, en;q=0.1"),
            Some(Lang::En)
        );
        assert_eq!(Lang::from_accept_language("de"), None);
    }

    #[test]
    fn both_languages_have_the_same_keys() {
        let zh = Messages::parse(ZH_TOML).unwrap();
        let en = Messages::parse(EN_TOML).unwrap();
        let mut zk: Vec<_> = zh.keys().collect();
        let mut ek: Vec<_> = en.keys().collect();
        zk.sort();
        ek.sort();
        assert_eq!(zk, ek);
    }

    #[test]
    fn every_key_used_by_a_template_exists() {
        let en = Messages::parse(EN_TOML).unwrap();
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        let mut checked = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = String::from_utf8(harrier_core::bounded::read_file(&path, 1 << 20).unwrap())
                .unwrap();
            for piece in text.split("t.s(\"").skip(1) {
                let key = piece.split('"').next().unwrap();
                assert!(
                    en.map.contains_key(key),
                    "{} uses missing key {key}",
                    path.display()
                );
                checked += 1;
            }
        }
        assert!(checked > 20, "templates should use the message table");
    }
}
