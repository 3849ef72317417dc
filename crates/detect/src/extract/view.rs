//! The text the extractors scan: the original, or a folded copy.
//!
//! What: when a text holds full-width letters, digits or `@ . + - / _`
//! ("１３８", "ｗｗｗ．"), invisible characters (zero-width space, bidi
//! controls, soft hyphen, variation selectors) or enclosed and mathematical
//! alphanumerics ("①", "𝐚"), the extractors scan a copy with those folded to
//! ASCII (and the invisible ones dropped), and map every span back to the
//! original. Otherwise they scan the original as it is.
//!
//! Why not [`crate::normalize::normalize`]: its NFKC step costs some fifty
//! thousand instructions on a 240-byte review; this fold does only what the
//! extractors need, in one pass, and only for the texts that need it (most
//! texts, even Chinese ones, whose full-width punctuation is left alone
//! here, are scanned as they are).
//!
//! What not: no case folding (wallet checksums and base58 are
//! case-sensitive), no confusables or leetspeak (they would turn digits
//! into letters and break phone numbers), no NFKC beyond the characters
//! named above.

use std::ops::Range;

use memchr::memchr3_iter;
use unicode_normalization::char::decompose_compatible;

/// The scanned text and the way back to the original.
pub(crate) struct View<'a> {
    original: &'a str,
    folded: Option<Folded>,
}

/// A folded copy: `text`, and for each of its bytes the start of the
/// original character it came from.
struct Folded {
    text: String,
    origin: Vec<u32>,
}

impl<'a> View<'a> {
    pub(crate) fn new(original: &'a str) -> Self {
        let fits = u32::try_from(original.len()).is_ok();
        let folded = (fits && needs_folding(original.as_bytes())).then(|| fold(original));
        Self { original, folded }
    }

    /// The text to scan.
    pub(crate) fn text(&self) -> &str {
        match &self.folded {
            Some(folded) => &folded.text,
            None => self.original,
        }
    }

    /// The span of the original that `span` of [`View::text`] came from:
    /// from the start of the character its first byte came from to the end
    /// of the character its last byte came from.
    pub(crate) fn original_span(&self, span: Range<usize>) -> Range<usize> {
        let Some(folded) = &self.folded else {
            return span;
        };
        let len = folded.origin.len();
        let (first, last) = (span.start.min(len), span.end.min(len));
        if first >= last {
            let at = folded
                .origin
                .get(first)
                .map_or(self.original.len(), |&o| o as usize);
            return at..at;
        }
        let start = folded.origin[first] as usize;
        let last_start = folded.origin[last - 1] as usize;
        let last_len = self.original[last_start..]
            .chars()
            .next()
            .map_or(0, char::len_utf8);
        start..last_start + last_len
    }

    /// Whether folding changed anything inside `span` of [`View::text`].
    pub(crate) fn folded_in(&self, span: Range<usize>) -> bool {
        if self.folded.is_none() {
            return false;
        }
        let back = self.original_span(span.clone());
        self.text().get(span) != self.original.get(back)
    }
}

/// Invisible characters: they change nothing a reader sees, so posters put
/// them inside words to break matching.
fn is_invisible(ch: char) -> bool {
    matches!(ch,
        '\u{00AD}'                // soft hyphen
        | '\u{034F}'              // combining grapheme joiner
        | '\u{180E}'              // Mongolian vowel separator
        | '\u{200B}'..='\u{200F}' // zero-width space, (non-)joiner, LRM, RLM
        | '\u{202A}'..='\u{202E}' // bidi embeddings and overrides
        | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
        | '\u{2066}'..='\u{2069}' // bidi isolates
        | '\u{FE00}'..='\u{FE0F}' // variation selectors
        | '\u{FEFF}'              // zero-width no-break space
    )
}

/// The folded copy of `text` (whose length fits in a `u32`).
fn fold(text: &str) -> Folded {
    let mut folded = Folded {
        text: String::with_capacity(text.len()),
        origin: Vec::with_capacity(text.len()),
    };
    for (at, ch) in text.char_indices() {
        let at = at as u32;
        let mut push = |ch: char| {
            folded.text.push(ch);
            folded.origin.extend(std::iter::repeat_n(at, ch.len_utf8()));
        };
        match ch {
            _ if is_invisible(ch) => {}
            '\u{FF01}'..='\u{FF5E}' => push(char::from_u32(ch as u32 - 0xFEE0).unwrap_or(ch)),
            '\u{3000}' => push(' '),
            '\u{2460}'..='\u{24FF}' | '\u{1D400}'..='\u{1D7FF}' => decompose_compatible(ch, push),
            _ => push(ch),
        }
    }
    folded
}

/// Whether `text` holds a character to fold. One `memchr` pass stops at
/// the lead bytes EF, E2 and F0 (in Chinese text mostly full-width
/// punctuation, quotes and emoji) and looks at the two bytes after.
/// Measured against one hand-written pass that also finds words and `@`
/// (eight bytes at a time, bit tricks), this was faster on our texts.
fn needs_folding(text: &[u8]) -> bool {
    memchr3_iter(0xEF, 0xE2, 0xF0, text).any(|at| folds_at(text, at))
}

/// Whether the character at `at` (lead byte EF, E2 or F0) is one the view
/// folds: full-width `+ - . /`, digits, `@`, letters and `_`; zero-width
/// and other invisible characters; enclosed alphanumerics (①, ⓐ);
/// mathematical alphanumerics (𝐚). Not the everyday full-width punctuation
/// (，！？：；（）～％), quotes, dashes or emoji.
///
/// The soft hyphen (C2 AD) is no trigger: it is rare in Chinese chat and
/// `·` (C2 B7) is not. It is dropped when the text is folded anyway.
fn folds_at(text: &[u8], at: usize) -> bool {
    let next = text.get(at + 1).copied().unwrap_or(0);
    let third = text.get(at + 2).copied().unwrap_or(0);
    match (text[at], next) {
        // U+FF0B..U+FF3F.
        (0xEF, 0xBC) => matches!(third, 0x8B | 0x8D..=0x99 | 0xA0..=0xBA | 0xBF),
        // U+FF41..U+FF5A: a-z.
        (0xEF, 0xBD) => (0x81..=0x9A).contains(&third),
        (0xEF, 0xBB) => third == 0xBF,                  // U+FEFF
        (0xEF, 0xB8) => (0x80..=0x8F).contains(&third), // variation selectors
        // U+200B..U+200F, U+202A..U+202E, U+2060..U+2064, U+2066..2069.
        (0xE2, 0x80) => matches!(third, 0x8B..=0x8F | 0xAA..=0xAE),
        (0xE2, 0x81) => matches!(third, 0xA0..=0xA4 | 0xA6..=0xA9),
        // U+2460..U+24FF.
        (0xE2, 0x91) => third >= 0xA0,
        (0xE2, 0x92 | 0x93) => true,
        // U+1D400..U+1D7FF.
        (0xF0, 0x9D) => (0x90..=0x9F).contains(&third),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_map_back() {
        let text = "加ｖ：ａｂｃ１２３";
        let view = View::new(text);
        assert_eq!(view.text(), "加v:abc123");
        let at = view.text().find("abc123").unwrap();
        let back = view.original_span(at..at + 6);
        assert_eq!(&text[back], "ａｂｃ１２３");
        assert!(view.folded_in(at..at + 6));
        assert!(!view.folded_in(0..3));
    }

    #[test]
    fn invisible_dropped_enclosed_and_math_decomposed() {
        let text = "ex\u{200B}am\u{AD}ple．com ⑩ 𝐚";
        let view = View::new(text);
        assert_eq!(view.text(), "example.com 10 a");
        assert_eq!(
            &text[view.original_span(0..11)],
            "ex\u{200B}am\u{AD}ple．com"
        );
        assert_eq!(&text[view.original_span(12..13)], "⑩");
        assert_eq!(&text[view.original_span(12..14)], "⑩");
        assert_eq!(view.original_span(20..30), text.len()..text.len());
    }

    #[test]
    fn plain_texts_are_not_folded() {
        let plain = "今天天气很好，我们去公园吧！（真的）“引号” — 破折号… ～ 50％ 😀 abc";
        assert!(!needs_folding(plain.as_bytes()));
        assert!(!needs_folding(b""));
    }

    #[test]
    fn tricks_are_folded() {
        for text in [
            "１３８",
            "ｗｗｗ",
            "ab\u{200B}c",
            "①②",
            "𝐚𝐛𝐜",
            "＠",
            "．",
            "－",
            "\u{FEFF}",
        ] {
            assert!(needs_folding(text.as_bytes()), "{text}");
        }
    }

    #[test]
    fn unfolded_view_is_the_original() {
        let plain = View::new("abc");
        assert_eq!(plain.text(), "abc");
        assert_eq!(plain.original_span(0..3), 0..3);
        assert!(!plain.folded_in(0..3));
    }
}
