//! The Unicode steps: invisible characters, width, NFKC and case.
//!
//! NFKC is applied per segment (a starter and the combining marks after
//! it), so each output character can be traced to the segment it came
//! from. That misses the rare compositions between two starters (Hangul
//! jamo, some Indic vowel signs); they are not an obfuscation we see.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::canonical_combining_class;

use super::Unit;

/// Zero-width characters, bidi controls, the soft hyphen and variation
/// selectors: they change nothing a reader sees, so posters put them inside
/// words to break keyword matching.
pub(crate) fn is_invisible(ch: char) -> bool {
    matches!(ch,
        '\u{00AD}'                // soft hyphen
        | '\u{034F}'              // combining grapheme joiner
        | '\u{061C}'              // Arabic letter mark
        | '\u{180E}'              // Mongolian vowel separator
        | '\u{200B}'..='\u{200F}' // zero-width space, (non-)joiner, LRM, RLM
        | '\u{202A}'..='\u{202E}' // bidi embeddings and overrides
        | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
        | '\u{2066}'..='\u{2069}' // bidi isolates
        | '\u{FE00}'..='\u{FE0F}' // variation selectors
        | '\u{FEFF}'              // zero-width no-break space, BOM
    )
}

/// Full-width ASCII (U+FF01..U+FF5E) to ASCII and the ideographic space to a
/// space. NFKC does the same; this step exists for lexicons that switch NFKC
/// off.
pub(crate) fn to_half_width(ch: char) -> char {
    match ch {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(ch as u32 - 0xFEE0).unwrap_or(ch),
        _ => ch,
    }
}

/// NFKC, segment by segment.
pub(crate) fn nfkc(units: &[Unit]) -> Vec<Unit> {
    let mut out = Vec::with_capacity(units.len());
    let mut at = 0;
    while let Some(first) = units.get(at) {
        let mut end = at + 1;
        while units
            .get(end)
            .is_some_and(|unit| canonical_combining_class(unit.ch) != 0)
        {
            end += 1;
        }
        let segment = &units[at..end];
        if segment.len() == 1 && first.ch.is_ascii() {
            out.push(first.clone());
        } else {
            let start = segment.iter().map(|u| u.start).min().unwrap_or(first.start);
            let stop = segment.iter().map(|u| u.end).max().unwrap_or(first.end);
            let text: String = segment.iter().map(|u| u.ch).collect();
            out.extend(text.nfkc().map(|ch| Unit {
                ch,
                start,
                end: stop,
            }));
        }
        at = end;
    }
    out
}

/// Lowercase each character (İ becomes two characters, both from İ).
pub(crate) fn lowercase(units: &[Unit]) -> Vec<Unit> {
    let mut out = Vec::with_capacity(units.len());
    for unit in units {
        if unit.ch.is_ascii() {
            out.push(unit.with(unit.ch.to_ascii_lowercase()));
        } else {
            out.extend(unit.ch.to_lowercase().map(|ch| unit.with(ch)));
        }
    }
    out
}
