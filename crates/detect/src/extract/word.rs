//! Words: the runs of ASCII letters, digits, `_` and `-` every entity is
//! built from.
//!
//! What: a byte table and a scanner that yields word ranges. Every
//! extractor starts from a word (a host label, a run of digits, a handle,
//! an address), so this scan is the prefilter: a text without ASCII letters
//! or digits costs one pass over its bytes and nothing more.
//!
//! What not: Unicode words. IDN host names, Chinese numerals and non-ASCII
//! handles are not extracted.

use std::ops::Range;

/// `WORD[b]`: whether byte `b` can be part of a word.
static WORD: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || c == b'_' || c == b'-';
        b += 1;
    }
    table
};

pub(crate) fn is_word_byte(b: u8) -> bool {
    WORD[usize::from(b)]
}

/// The end of the word that starts at `start`.
pub(crate) fn word_end(bytes: &[u8], start: usize) -> usize {
    let mut end = start;
    while end < bytes.len() && is_word_byte(bytes[end]) {
        end += 1;
    }
    end
}

/// The first word byte at or after `at` (or the end). ASCII gaps between
/// words are short and stepped over byte by byte; Chinese text is mostly
/// bytes of 0x80 and up, which are never word bytes, so those are skipped
/// eight at a time.
fn skip_non_word(bytes: &[u8], mut at: usize) -> usize {
    const HIGH_BITS: u64 = 0x8080_8080_8080_8080;
    while let Some(&b) = bytes.get(at) {
        if is_word_byte(b) {
            return at;
        }
        if b >= 0x80
            && let Some(chunk) = bytes.get(at..at + 8)
        {
            let mut eight = [0u8; 8];
            eight.copy_from_slice(chunk);
            if u64::from_le_bytes(eight) & HIGH_BITS == HIGH_BITS {
                at += 8;
                continue;
            }
        }
        at += 1;
    }
    at
}

/// The next word at or after `from`, without leading `-` or `_`.
pub(crate) fn next_word(bytes: &[u8], from: usize) -> Option<Range<usize>> {
    let mut at = from;
    loop {
        at = skip_non_word(bytes, at);
        if at >= bytes.len() {
            return None;
        }
        let end = word_end(bytes, at);
        let start = at
            + bytes[at..end]
                .iter()
                .take_while(|&&b| b == b'-' || b == b'_')
                .count();
        if start < end {
            return Some(start..end);
        }
        at = end;
    }
}

/// Whether `bytes[at]` exists and is an ASCII letter or digit.
pub(crate) fn alnum_at(bytes: &[u8], at: usize) -> bool {
    bytes.get(at).is_some_and(u8::is_ascii_alphanumeric)
}

/// Whether `haystack` ends with `needle`, ASCII case ignored.
pub(crate) fn ends_with_ignore_case(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.len() >= needle.len()
        && haystack[haystack.len() - needle.len()..].eq_ignore_ascii_case(needle)
}

/// Whether `haystack[at..]` starts with `needle`, ASCII case ignored.
pub(crate) fn starts_with_ignore_case(haystack: &[u8], at: usize, needle: &[u8]) -> bool {
    haystack
        .get(at..at + needle.len())
        .is_some_and(|found| found.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut at = 0;
        while let Some(word) = next_word(text.as_bytes(), at) {
            at = word.end;
            out.push(&text[word]);
        }
        out
    }

    #[test]
    fn words_are_ascii_runs() {
        assert_eq!(
            words("加微信abc_123，电话138-0013-8000 --x -- _y"),
            ["abc_123", "138-0013-8000", "x", "y"]
        );
        assert!(words("纯中文，没有字母。").is_empty());
    }
}
