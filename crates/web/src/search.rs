//! Full-text search: the indexer that keeps the index behind the writes,
//! and the query a person types turned into phrases.
//!
//! Records are indexed after they are stored (the writes stay as fast as
//! they were): `harrier serve` runs [`catch_up`] every few seconds, and
//! every search runs it first, so a search sees everything stored before
//! it (up to [`CATCH_UP_PER_SEARCH`] records behind, after a bulk import).
//! A hit is shown as the passage of its own text around the words found.

use crate::AppState;
use harrier_core::cases::{SHOWN_CHARS, SearchDoc, SearchKind, SearchQuery, SearchSource};
use harrier_core::ports::StoreError;

/// Records read per round.
const BATCH: u32 = 2_000;
/// The most records a search indexes before it answers.
pub const CATCH_UP_PER_SEARCH: usize = 20_000;

fn cut(sources: Vec<SearchSource>) -> Vec<SearchDoc> {
    sources
        .into_iter()
        .map(|s| SearchDoc {
            kind: s.kind,
            id: s.id,
            words: harrier_detect::search::index_words(&s.text),
            text: s.text.chars().take(SHOWN_CHARS).collect(),
            category: s.category,
            at: s.at,
        })
        .collect()
}

/// Indexes stored records not yet in the index, up to `max`; returns how
/// many.
pub async fn catch_up(state: &AppState, max: usize) -> Result<usize, StoreError> {
    let mut done = 0;
    while done < max {
        let pending = state.cases.search_pending(BATCH).await?;
        if pending.is_empty() {
            break;
        }
        let count = pending.len();
        let docs = tokio::task::spawn_blocking(move || cut(pending))
            .await
            .map_err(|e| StoreError::Unavailable(format!("indexer: {e}")))?;
        state.cases.index_search(docs).await?;
        done += count;
    }
    Ok(done)
}

/// A typed query: each whitespace-separated term becomes a phrase of its
/// words. At most 20 terms of 100 characters are read.
pub fn query(
    text: &str,
    kind: Option<SearchKind>,
    category: Option<String>,
    limit: u32,
) -> SearchQuery {
    let phrases = text
        .split_whitespace()
        .take(20)
        .map(|term| {
            let term: String = term.chars().take(100).collect();
            harrier_detect::search::query_words(&term)
        })
        .filter(|words| !words.is_empty())
        .collect();
    SearchQuery {
        phrases,
        kind,
        category,
        limit,
    }
}

/// The passage of `text` around the first query word found, cut into
/// plain and highlighted parts (every occurrence of a query word in the
/// passage is highlighted; the page escapes each part). Matching ignores
/// case; a hit found only through folding (full-width letters) shows the
/// start of the text unhighlighted.
pub fn passage(text: &str, words: &[String]) -> Vec<(String, bool)> {
    const AROUND: usize = 60;
    let lower: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
    let original: Vec<char> = text.chars().collect();
    // Lower-casing can change the length of a few letters; then fall back
    // to showing the start, unhighlighted.
    if lower.len() != original.len() {
        return vec![(original.iter().take(2 * AROUND).collect(), false)];
    }
    let words: Vec<Vec<char>> = words
        .iter()
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().collect())
        .collect();
    let find = |from: usize| -> Option<(usize, usize)> {
        (from..lower.len()).find_map(|i| {
            words
                .iter()
                .find(|w| lower[i..].starts_with(w))
                .map(|w| (i, i + w.len()))
        })
    };
    let first = find(0).map_or(0, |(i, _)| i);
    let start = first.saturating_sub(AROUND);
    let end = (first + 2 * AROUND).min(original.len());
    let mut parts = Vec::new();
    if start > 0 {
        parts.push(("…".to_owned(), false));
    }
    let mut at = start;
    while at < end {
        match find(at).filter(|(i, _)| *i < end) {
            Some((i, j)) => {
                if i > at {
                    parts.push((original[at..i].iter().collect(), false));
                }
                let j = j.min(end);
                parts.push((original[i..j].iter().collect(), true));
                at = j;
            }
            None => {
                parts.push((original[at..end].iter().collect(), false));
                at = end;
            }
        }
    }
    if end < original.len() {
        parts.push(("…".to_owned(), false));
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passages_highlight_the_query_words_in_the_original_text() {
        let words = vec!["冰毒".to_owned(), "bing".to_owned()];
        let parts = passage("出售冰毒，加微信 Bing_88", &words);
        assert_eq!(
            parts,
            vec![
                ("出售".to_owned(), false),
                ("冰毒".to_owned(), true),
                ("，加微信 ".to_owned(), false),
                ("Bing".to_owned(), true),
                ("_88".to_owned(), false),
            ]
        );
        let long = format!("{}冰毒{}", "a".repeat(200), "b".repeat(200));
        let parts = passage(&long, &words);
        assert_eq!(parts.first().unwrap().0, "…");
        assert!(parts.iter().any(|(t, hit)| *hit && t == "冰毒"));
        let q = query("冰毒  bing_88", None, None, 10);
        assert_eq!(
            q.phrases,
            vec![vec!["冰毒".to_owned()], vec!["bing".into(), "88".into()]]
        );
    }
}
