//! The fast path of [`super::normalize`]: a per-character table.
//!
//! Almost all text the patrol sees is plain Simplified Chinese, ASCII and
//! common punctuation. For those characters every step but the three
//! obfuscation steps (separators, leetspeak, repeats) maps one character to
//! at most one other, without looking at its neighbours, so the result of
//! the first six steps can be looked up in a table built once per set of
//! steps by running the real steps on each character alone. A text holding
//! any other character (combining marks, Cyrillic, Traditional characters
//! whose conversion depends on the phrase, characters NFKC expands, ...)
//! goes the slow way, step by step. The obfuscation steps run only when
//! the text shows one of their triggers.
//!
//! The table is exact by construction for the characters it covers; a
//! property test checks that the fast path and the step-by-step path agree.

use std::sync::OnceLock;

use unicode_normalization::char::canonical_combining_class;

use super::{Normalized, Steps, Unit, chinese, confusable, obfuscation, unicode};

/// Table entries other than a mapped character.
const KEEP: u32 = u32::MAX;
const DROP: u32 = u32::MAX - 1;
const SLOW: u32 = u32::MAX - 2;
/// Entries from here on index `Table::expansions` (a character NFKC turns
/// into several, such as "…" into "...").
const EXPANSION: u32 = 0x20_0000;

struct Table {
    entries: Box<[u32]>,
    expansions: Vec<Vec<char>>,
}

/// The characters the table covers; everything else takes the slow path.
fn covered(code: u32) -> bool {
    matches!(code,
        0x00..=0x7F              // ASCII
        | 0x2000..=0x206F        // general punctuation, zero-width, bidi
        | 0x3000..=0x303F        // CJK symbols and punctuation
        | 0x3400..=0x4DBF        // CJK extension A
        | 0x4E00..=0x9FFF        // CJK unified ideographs
        | 0xFE00..=0xFE0F        // variation selectors
        | 0xFEFF                 // byte order mark
        | 0xFF01..=0xFF5E        // full-width ASCII
    )
}

/// The six character-wise steps, in [`super::normalize`]'s order, on one
/// character alone.
fn char_steps(ch: char, steps: &Steps) -> Vec<Unit> {
    let mut units = vec![Unit {
        ch,
        start: 0,
        end: ch.len_utf8(),
    }];
    if steps.invisible {
        units.retain(|unit| !unicode::is_invisible(unit.ch));
    }
    if steps.width {
        for unit in &mut units {
            unit.ch = unicode::to_half_width(unit.ch);
        }
    }
    if steps.nfkc {
        units = unicode::nfkc(&units);
    }
    if steps.case_fold {
        units = unicode::lowercase(&units);
    }
    if steps.confusables {
        units = confusable::fold(&units, steps.case_fold);
    }
    if steps.traditional_to_simplified {
        units = chinese::to_simplified(&units);
    }
    units
}

fn build(steps: &Steps) -> Table {
    let mut entries = vec![SLOW; 0x1_0000].into_boxed_slice();
    let mut expansions: Vec<Vec<char>> = Vec::new();
    for code in 0u32..0x1_0000 {
        if !covered(code) {
            continue;
        }
        let Some(ch) = char::from_u32(code) else {
            continue;
        };
        if canonical_combining_class(ch) != 0 {
            continue;
        }
        let out = char_steps(ch, steps);
        let entry = match out.as_slice() {
            [] => DROP,
            [one] if one.ch == ch => KEEP,
            // A Han character that t2s changes may be changed differently
            // inside a phrase: leave it to the slow path.
            [_] if steps.traditional_to_simplified && is_han(ch) => SLOW,
            [one] => one.ch as u32,
            // Several ASCII characters ("…" is "..."): one origin for all.
            many if many.len() <= 4 && many.iter().all(|unit| unit.ch.is_ascii()) => {
                expansions.push(many.iter().map(|unit| unit.ch).collect());
                EXPANSION + u32::try_from(expansions.len() - 1).unwrap_or(0)
            }
            _ => SLOW,
        };
        entries[code as usize] = entry;
    }
    Table {
        entries,
        expansions,
    }
}

fn is_han(ch: char) -> bool {
    matches!(ch as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF)
}

/// The table for `steps`, built on first use (tens of milliseconds).
fn table(steps: &Steps) -> &'static Table {
    static TABLES: [OnceLock<Table>; 64] = [const { OnceLock::new() }; 64];
    let key = usize::from(steps.invisible)
        | usize::from(steps.width) << 1
        | usize::from(steps.nfkc) << 2
        | usize::from(steps.case_fold) << 3
        | usize::from(steps.confusables) << 4
        | usize::from(steps.traditional_to_simplified) << 5;
    TABLES[key].get_or_init(|| build(steps))
}

/// Build every table `steps` needs now rather than on the first text.
pub(crate) fn warm(steps: &Steps) {
    table(steps);
}

impl Table {
    /// Call `each` with every character `ch` becomes: none, itself,
    /// another, or several.
    #[inline]
    fn map(&self, ch: char, mut each: impl FnMut(char)) {
        match self.entries.get(ch as usize).copied() {
            Some(KEEP) | None => each(ch),
            Some(DROP) => {}
            Some(code) if code >= EXPANSION => {
                let expansion = self.expansions.get((code - EXPANSION) as usize);
                for &out in expansion.map_or(&[][..], Vec::as_slice) {
                    each(out);
                }
            }
            Some(code) => each(char::from_u32(code).unwrap_or(ch)),
        }
    }
}

/// Normalise through the table into `out`; false when the text needs the
/// slow path (`out` is then unspecified).
pub(crate) fn normalize_into(text: &str, steps: &Steps, out: &mut Normalized) -> bool {
    let table = table(steps);
    let mut changed = false;
    for ch in text.chars() {
        match table.entries.get(ch as usize) {
            None | Some(&SLOW) => return false,
            Some(&entry) => changed |= entry != KEEP,
        }
    }
    let obfuscation = (steps.separators || steps.leet || steps.repeats) && {
        let mut mapped = String::new();
        if changed {
            mapped.reserve(text.len());
            for ch in text.chars() {
                table.map(ch, |out| mapped.push(out));
            }
        }
        triggers(if changed { mapped.as_str() } else { text }, steps)
    };
    if obfuscation {
        let mut units: Vec<Unit> = Vec::with_capacity(text.len());
        for (at, ch) in text.char_indices() {
            table.map(ch, |to| {
                units.push(Unit {
                    ch: to,
                    start: at,
                    end: at + ch.len_utf8(),
                })
            });
        }
        if steps.separators {
            units = obfuscation::collapse_separators(&units);
        }
        if steps.leet {
            obfuscation::unleet(&mut units);
        }
        if steps.repeats {
            units = obfuscation::squeeze_repeats(&units);
        }
        *out = Normalized::from_units(units, text);
        return true;
    }
    if !changed {
        out.reset_identity_from(text);
        return true;
    }
    out.clear(text.len());
    for (at, ch) in text.char_indices() {
        table.map(ch, |to| {
            if to == ch {
                out.push_copy(ch, at);
            } else {
                out.push_changed(to, at, at + ch.len_utf8());
            }
        });
    }
    true
}

/// Whether the obfuscation steps could change the (already mapped) text.
/// A superset: false means they certainly would not.
fn triggers(text: &str, steps: &Steps) -> bool {
    let mut before_previous: Option<char> = None;
    let mut previous: Option<char> = None;
    let mut same_run = 0usize;
    for ch in text.chars() {
        if steps.separators
            && obfuscation::SEPARATORS.contains(&ch)
            && let Some(prev) = previous
        {
            // A single letter before a separator may start a spaced-out
            // word; a Han character before one may be "冰*毒".
            let single =
                prev.is_alphanumeric() && !before_previous.is_some_and(char::is_alphanumeric);
            if single || (ch != ' ' && is_han(prev)) {
                return true;
            }
        }
        if steps.leet && is_leet(ch) && previous.is_some_and(|p| p.is_ascii_alphabetic()) {
            return true;
        }
        if steps.leet && ch.is_ascii_alphabetic() && previous.is_some_and(is_leet) {
            return true;
        }
        if steps.repeats && ch.is_ascii_alphabetic() {
            same_run = if previous.is_some_and(|p| p.eq_ignore_ascii_case(&ch)) {
                same_run + 1
            } else {
                1
            };
            if same_run >= 3 {
                return true;
            }
        } else {
            same_run = 0;
        }
        before_previous = previous;
        previous = Some(ch);
    }
    false
}

fn is_leet(ch: char) -> bool {
    matches!(ch, '0' | '1' | '3' | '4' | '5' | '7' | '@' | '$')
}
