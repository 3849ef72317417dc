//! Confusable folding: letters that look like Latin letters become them
//! ("саsino" with Cyrillic с and а becomes "casino").
//!
//! Uses decancer's per-character table (`decancer::cure_char`) rather than
//! unicode-security's TR39 skeletons: `cure_char` answers one character at
//! a time, so every output character keeps the origin of its input, while a
//! skeleton is computed over a whole string (it decomposes, maps and
//! recomposes) and gives no offsets back. decancer also covers more
//! obfuscation than TR39 (enclosed, decorated and accented letters).
//!
//! A word (a run of letters and digits) that contains a Latin letter is
//! folded completely: mixing scripts inside a word is the obfuscation. A
//! word without Latin letters, e.g. Russian or Greek prose, is folded only
//! when every non-ASCII letter in it is a close look-alike from [`lookalike`]
//! ("сосаіпе" is "cocaine" written in Cyrillic; "привет" stays). Chinese,
//! Japanese and Korean characters are never touched, nor is anything that
//! decancer would turn into something other than ASCII letters and digits.

use decancer::{Options, Translation};
use unicode_normalization::char::canonical_combining_class;

use super::Unit;

/// Fold look-alikes; `lowercase` says whether the case step ran (decancer
/// lowercases unless told to keep capitals).
pub(crate) fn fold(units: &[Unit], lowercase: bool) -> Vec<Unit> {
    // Not `retain_capitalization`: decancer 4.0 then upper-cases lowercase
    // input too ("а" gives "A"), so capitals are restored below instead.
    let options = Options::default()
        .retain_chinese()
        .retain_japanese()
        .retain_korean()
        .retain_emojis();

    let mut out = Vec::with_capacity(units.len());
    let mut at = 0;
    while at < units.len() {
        let is_word = |unit: &Unit| unit.ch.is_alphanumeric();
        let Some(first) = units.get(at) else { break };
        if !is_word(first) {
            if !absorb_accent(&mut out, first) {
                out.push(first.clone());
            }
            at += 1;
            continue;
        }
        let mut end = at + 1;
        while units.get(end).is_some_and(is_word) {
            end += 1;
        }
        let word = &units[at..end];
        at = end;

        if word.iter().all(|unit| unit.ch.is_ascii()) {
            out.extend_from_slice(word);
            continue;
        }
        let has_latin = word.iter().any(|unit| unit.ch.is_ascii_alphabetic());
        let all_lookalikes = word
            .iter()
            .filter(|unit| !unit.ch.is_ascii() && !is_east_asian(unit.ch))
            .all(|unit| lookalike(unit.ch).is_some());

        for unit in word {
            let ch = unit.ch;
            if ch.is_ascii() || is_east_asian(ch) {
                out.push(unit.clone());
            } else if !has_latin && is_cyrillic_or_greek(ch) {
                match lookalike(ch).filter(|_| all_lookalikes) {
                    Some(latin) if lowercase => out.push(unit.with(latin.to_ascii_lowercase())),
                    Some(latin) => out.push(unit.with(latin)),
                    None => out.push(unit.clone()),
                }
            } else {
                push_cured(&mut out, unit, options, !lowercase && ch.is_uppercase());
            }
        }
    }
    out
}

/// A combining mark right after an ASCII letter (left when NFKC is off, or
/// by lowercasing İ) is an accent that decancer would drop: drop it too, and
/// let the letter's origin cover it so a match never ends inside it.
fn absorb_accent(out: &mut [Unit], mark: &Unit) -> bool {
    if canonical_combining_class(mark.ch) == 0 {
        return false;
    }
    match out.last_mut() {
        Some(letter) if letter.ch.is_ascii_alphabetic() => {
            letter.end = letter.end.max(mark.end);
            true
        }
        _ => false,
    }
}

/// decancer's answer for one letter, kept only when it is ASCII letters or
/// digits; otherwise the letter stays as it is.
fn push_cured(out: &mut Vec<Unit>, unit: &Unit, options: Options, capital: bool) {
    if absorb_accent(out, unit) {
        return;
    }
    if !unit.ch.is_alphabetic() {
        out.push(unit.clone());
        return;
    }
    // decancer draws ß as "b"; German spells it "ss".
    if unit.ch == 'ß' {
        out.extend(['s', 's'].map(|ch| unit.with(ch)));
        return;
    }
    let cased = |ch: char| {
        if capital {
            unit.with(ch.to_ascii_uppercase())
        } else {
            unit.with(ch)
        }
    };
    match decancer::cure_char(unit.ch, options) {
        Translation::Character(ch) if ch.is_ascii_alphanumeric() => out.push(cased(ch)),
        Translation::String(cured)
            if !cured.is_empty() && cured.chars().all(|ch| ch.is_ascii_alphanumeric()) =>
        {
            out.extend(cured.chars().map(cased));
        }
        _ => out.push(unit.clone()),
    }
}

/// Han, kana, Hangul and their punctuation: decancer is told to keep them;
/// this makes sure, and keeps them out of the look-alike test.
pub(crate) fn is_east_asian(ch: char) -> bool {
    matches!(ch,
        '\u{1100}'..='\u{11FF}'
        | '\u{2E80}'..='\u{9FFF}'
        | '\u{A960}'..='\u{A97F}'
        | '\u{AC00}'..='\u{D7FF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FF65}'..='\u{FFDC}'
        | '\u{20000}'..='\u{3FFFF}'
    )
}

fn is_cyrillic_or_greek(ch: char) -> bool {
    matches!(ch,
        '\u{0370}'..='\u{03FF}'
        | '\u{0400}'..='\u{052F}'
        | '\u{1C80}'..='\u{1C8F}'
        | '\u{1F00}'..='\u{1FFF}'
        | '\u{2DE0}'..='\u{2DFF}'
        | '\u{A640}'..='\u{A69F}'
    )
}

/// Cyrillic and Greek letters that are drawn like a Latin letter in common
/// fonts (the TR39 confusables of the two scripts, narrowed to close ones).
#[rustfmt::skip]
fn lookalike(ch: char) -> Option<char> {
    let latin = match ch {
        // Cyrillic, small
        'а' => 'a', 'е' => 'e', 'о' => 'o', 'р' => 'p', 'с' => 'c', 'у' => 'y',
        'х' => 'x', 'і' => 'i', 'ј' => 'j', 'ѕ' => 's', 'һ' => 'h', 'ԁ' => 'd',
        'ԛ' => 'q', 'ԝ' => 'w', 'ӏ' => 'l', 'ѵ' => 'v', 'ү' => 'y', 'п' => 'n',
        'к' => 'k', 'м' => 'm',
        // Cyrillic, capital
        'А' => 'A', 'В' => 'B', 'Е' => 'E', 'К' => 'K', 'М' => 'M', 'Н' => 'H',
        'О' => 'O', 'Р' => 'P', 'С' => 'C', 'Т' => 'T', 'Х' => 'X', 'У' => 'Y',
        'І' => 'I', 'Ј' => 'J', 'Ѕ' => 'S', 'Ү' => 'Y', 'Ԁ' => 'D', 'Ԛ' => 'Q',
        'Ԝ' => 'W', 'Ӏ' => 'I',
        // Greek, small
        'α' => 'a', 'ο' => 'o', 'ρ' => 'p', 'ν' => 'v', 'ι' => 'i', 'κ' => 'k',
        'τ' => 't', 'υ' => 'u', 'χ' => 'x',
        // Greek, capital
        'Α' => 'A', 'Β' => 'B', 'Ε' => 'E', 'Ζ' => 'Z', 'Η' => 'H', 'Ι' => 'I',
        'Κ' => 'K', 'Μ' => 'M', 'Ν' => 'N', 'Ο' => 'O', 'Ρ' => 'P', 'Τ' => 'T',
        'Υ' => 'Y', 'Χ' => 'X',
        _ => return None,
    };
    Some(latin)
}
