//! Full-text search over reports, items and cases, and saved views.
//!
//! The words come from `harrier_detect::search` (jieba-cut, folded); this
//! module holds the types the store port speaks and builds the FTS5 query.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// What a search hit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SearchKind {
    Report,
    Item,
    Case,
}

impl SearchKind {
    pub const ALL: [SearchKind; 3] = [Self::Report, Self::Item, Self::Case];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Report => "report",
            Self::Item => "item",
            Self::Case => "case",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A stored record not yet in the index: its text as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchSource {
    pub kind: SearchKind,
    pub id: i64,
    pub text: String,
    pub category: Option<String>,
    pub at: OffsetDateTime,
}

/// A record ready for the index: its words, and its text to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchDoc {
    pub kind: SearchKind,
    pub id: i64,
    pub words: String,
    /// The record's own text, cut at [`SHOWN_CHARS`].
    pub text: String,
    pub category: Option<String>,
    pub at: OffsetDateTime,
}

/// A search: every phrase must occur (each phrase is the words of one term
/// the user typed, in order).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    pub phrases: Vec<Vec<String>>,
    pub kind: Option<SearchKind>,
    pub category: Option<String>,
    pub limit: u32,
}

impl SearchQuery {
    /// The FTS5 MATCH expression: each phrase quoted (quotes doubled), all
    /// of them required. None when there is nothing to look for.
    pub fn match_expression(&self) -> Option<String> {
        let phrases: Vec<String> = self
            .phrases
            .iter()
            .filter(|p| !p.is_empty())
            .map(|p| format!("\"{}\"", p.join(" ").replace('"', "\"\"")))
            .collect();
        (!phrases.is_empty()).then(|| phrases.join(" "))
    }
}

/// How much of a record's text the index keeps for showing.
pub const SHOWN_CHARS: usize = 4_000;

/// One hit, best first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    pub kind: SearchKind,
    pub id: i64,
    pub category: Option<String>,
    pub at: OffsetDateTime,
    /// The record's text (its first [`SHOWN_CHARS`] characters).
    pub text: String,
    /// The case it is in (itself for a case), when there is one.
    pub case_id: Option<i64>,
}

/// A saved console address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SavedView {
    pub id: i64,
    pub name: String,
    pub path: String,
}

/// Whether a path may be saved as a view: a console queue or search.
pub fn viewable(path: &str) -> bool {
    (path == "/staff/cases"
        || path.starts_with("/staff/cases?")
        || path == "/staff/search"
        || path.starts_with("/staff/search?"))
        && path.len() <= 1_000
        && !path.contains(['\r', '\n', '\\'])
        && !path.contains("//")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_are_quoted_and_all_required() {
        let q = SearchQuery {
            phrases: vec![
                vec!["bing".into(), "88".into()],
                vec!["冰毒".into()],
                vec![],
            ],
            ..Default::default()
        };
        assert_eq!(q.match_expression().unwrap(), "\"bing 88\" \"冰毒\"");
        let hostile = SearchQuery {
            phrases: vec![vec!["a\"b OR".into(), "NEAR(".into()]],
            ..Default::default()
        };
        assert_eq!(hostile.match_expression().unwrap(), "\"a\"\"b OR NEAR(\"");
        assert_eq!(SearchQuery::default().match_expression(), None);
    }

    #[test]
    fn only_console_queues_and_searches_are_saved() {
        assert!(viewable("/staff/cases?sort=deadline&category=drugs"));
        assert!(viewable("/staff/search?q=%E5%86%B0"));
        assert!(!viewable("https://evil.example/staff/cases"));
        assert!(!viewable("//evil.example/staff/cases"));
        assert!(!viewable("/staff/cases?x=1\r\nSet-Cookie: a"));
        assert!(!viewable("/staff/logout"));
    }
}
