//! Words for full-text search over Chinese and English.
//!
//! SQLite's FTS5 `unicode61` tokenizer splits on spaces and punctuation,
//! which leaves a run of Chinese characters as one token. So the text is
//! cut into words with jieba first and stored with spaces between them:
//! the index gets jieba's search mode (a long word and the words inside it:
//! 冰毒贩子 → 冰毒, 贩子, 冰毒贩子), the query its precise mode, so a query
//! word meets the document whether it was written alone or inside a
//! compound. Both sides are NFKC-folded (full-width letters, compatibility
//! forms) and lower-cased.

use crate::classify::features::jieba;
use unicode_normalization::UnicodeNormalization;

fn fold(text: &str) -> String {
    text.nfkc().flat_map(char::to_lowercase).collect()
}

fn is_word(token: &str) -> bool {
    token.chars().any(char::is_alphanumeric)
}

/// The words of a document, space-separated, for the index.
pub fn index_words(text: &str) -> String {
    let folded = fold(text);
    let mut out = String::with_capacity(folded.len() + folded.len() / 2);
    for token in jieba().cut_for_search(&folded, false) {
        let word = token.word.trim();
        if is_word(word) {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
        }
    }
    out
}

/// The words of a query, each to be matched.
pub fn query_words(text: &str) -> Vec<String> {
    let folded = fold(text);
    jieba()
        .cut(&folded, false)
        .into_iter()
        .map(|t| t.word.trim())
        .filter(|w| is_word(w))
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_compounds_are_found_by_their_parts() {
        let indexed = index_words("出售冰毒，加微信 Bing_88");
        let words: Vec<&str> = indexed.split(' ').collect();
        for q in query_words("冰毒") {
            assert!(words.contains(&q.as_str()), "{q} in {indexed}");
        }
        // Handles split at their punctuation; the query splits the same way
        // and matches them as a phrase.
        assert!(indexed.contains("bing 88"), "{indexed}");
        assert_eq!(query_words("bing_88"), ["bing", "88"]);
        assert_eq!(query_words("ＷＥＣＨＡＴ  id!"), ["wechat", "id"]);
        assert!(query_words("，。！").is_empty());
    }
}
