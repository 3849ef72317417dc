//! Full-text search: the indexer that keeps the index behind the writes,
//! and the query a person types turned into phrases.
//!
//! Records are indexed after they are stored (the writes stay as fast as
//! they were): `harrier serve` runs [`catch_up`] every few seconds, and
//! every search runs it first, so a search sees everything stored before
//! it (up to [`CATCH_UP_PER_SEARCH`] records behind, after a bulk import).

use crate::AppState;
use harrier_core::cases::{SearchDoc, SearchKind, SearchQuery, SearchSource};
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

/// A snippet cut into plain and highlighted parts (the markers FTS5 put
/// around matches), with the spaces the word cutting put between Chinese
/// characters taken out again.
pub fn snippet_parts(snippet: &str) -> Vec<(String, bool)> {
    let mut parts = Vec::new();
    let mut highlighted = false;
    let mut current = String::new();
    for c in snippet.chars() {
        match c {
            '\u{2}' | '\u{3}' => {
                if !current.is_empty() {
                    parts.push((join_cjk(&current), highlighted));
                    current.clear();
                }
                highlighted = c == '\u{2}';
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        parts.push((join_cjk(&current), highlighted));
    }
    parts
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

fn join_cjk(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' && i > 0 && i + 1 < chars.len() && is_cjk(chars[i - 1]) && is_cjk(chars[i + 1])
        {
            continue;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_split_into_highlights_without_cjk_gaps() {
        let parts = snippet_parts("出售 \u{2}冰毒\u{3} 加 微 信 bing 88");
        assert_eq!(
            parts,
            vec![
                ("出售 ".to_owned(), false),
                ("冰毒".to_owned(), true),
                (" 加微信 bing 88".to_owned(), false),
            ]
        );
        let q = query("冰毒  bing_88", None, None, 10);
        assert_eq!(
            q.phrases,
            vec![vec!["冰毒".to_owned()], vec!["bing".into(), "88".into()]]
        );
    }
}
