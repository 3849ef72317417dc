//! Features: a text as a sparse vector of hashed n-grams.
//!
//! What: the text is folded (lowercase, full-width ASCII to ASCII, runs of
//! white space to one space, optionally every digit to `0`), then cut into
//! character n-grams (over the whole text, padded with a space at each end)
//! and word n-grams (Latin letters and digits split at everything else;
//! runs of Han characters cut into words by jieba). Each n-gram is hashed
//! into one of `2^hash_bits` slots. A slot's value is its count divided by
//! `sqrt(N)`, N the number of n-grams of the text: the vector has unit
//! length when no two n-grams share a slot, which in short texts is nearly
//! always so.
//!
//! Why: hashing needs no vocabulary, so a model is its weights and these
//! parameters, and scoring allocates nothing once a [`Scratch`] has grown.
//! Dividing by `sqrt(N)` rather than by the exact length means scoring
//! needs no counting: it sums the weights of the slots as they come
//! ([`slots`]), which made it three to four times faster than sorting the
//! slots to count them, at no cost in accuracy on SMS spam and COLD.
//! Character n-grams see through spelling tricks and need no segmenter;
//! word n-grams add the phrases. Single ASCII letters, digits and spaces
//! are left out of the character unigrams: they carry no meaning and would
//! fill explanations with "e" and "t".
//!
//! What not: this is not [`crate::normalize`] (no confusables, leetspeak or
//! Traditional to Simplified folding, which cost more per item than the whole
//! scoring does), and it keeps no vocabulary, so a slot's name is only known
//! for the n-grams of a text at hand ([`visit`] reports them).
//!
//! The hash ([`mix`] of the characters' code points, per n-gram kind and
//! length) is part of the model file format: changing it changes what every
//! stored weight means, so it needs a new format version.

use std::sync::OnceLock;

use jieba_rs::Jieba;

/// Folding and n-gram parameters; stored in the model file, so a model
/// scores with exactly the features it was trained on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FeatureParams {
    /// The feature space has `2^hash_bits` slots (16..=24).
    pub hash_bits: u8,
    /// Character n-gram lengths, inclusive; `char_max == 0` turns them off.
    pub char_min: u8,
    pub char_max: u8,
    /// Word n-gram lengths, inclusive; `word_max == 0` turns them off.
    pub word_min: u8,
    pub word_max: u8,
    /// Every ASCII digit becomes `0` (phone numbers and prices look alike).
    pub fold_digits: bool,
    /// Cut runs of Han characters into words with jieba; off, a run of Han
    /// characters gives no words (its character n-grams remain).
    pub han_words: bool,
}

impl Default for FeatureParams {
    fn default() -> Self {
        Self {
            hash_bits: 20,
            char_min: 1,
            char_max: 4,
            word_min: 1,
            word_max: 2,
            fold_digits: false,
            han_words: true,
        }
    }
}

/// Bounds of [`FeatureParams`] fields, checked when a model is read.
pub const HASH_BITS: std::ops::RangeInclusive<u8> = 16..=24;
/// Longest n-gram of either kind.
pub const MAX_NGRAM: u8 = 8;

impl FeatureParams {
    /// Why these parameters cannot be used, if they cannot.
    pub fn check(&self) -> Result<(), String> {
        if !HASH_BITS.contains(&self.hash_bits) {
            return Err(format!(
                "hash_bits {} outside {}..={}",
                self.hash_bits,
                HASH_BITS.start(),
                HASH_BITS.end()
            ));
        }
        for (kind, min, max) in [
            ("char", self.char_min, self.char_max),
            ("word", self.word_min, self.word_max),
        ] {
            if max > MAX_NGRAM || (max > 0 && (min == 0 || min > max)) {
                return Err(format!("{kind} n-gram range {min}..={max} is not usable"));
            }
        }
        if self.char_max == 0 && self.word_max == 0 {
            return Err("no n-grams switched on".to_owned());
        }
        Ok(())
    }

    /// The number of slots, `2^hash_bits`.
    pub fn dimension(&self) -> usize {
        1 << self.hash_bits
    }
}

/// Reusable buffers for one thread's feature extraction: after the first
/// few texts they have grown and scoring allocates nothing (jieba's own
/// result vector aside).
#[derive(Debug, Default)]
pub struct Scratch {
    chars: Vec<char>,
    /// Word spans as `start..end` indices into `chars`.
    words: Vec<(u32, u32)>,
    word_hashes: Vec<u64>,
    han_run: String,
    /// The slot of every n-gram occurrence, in the order visited.
    pub(crate) slots: Vec<u32>,
    /// The text's vector: (slot, value) sorted by slot.
    pub(crate) vector: Vec<(u32, f32)>,
}

/// The one jieba segmenter, built on first use (it loads its dictionary,
/// which takes a while and some megabytes).
pub(crate) fn jieba() -> &'static Jieba {
    static JIEBA: OnceLock<Jieba> = OnceLock::new();
    JIEBA.get_or_init(Jieba::new)
}

/// What an n-gram is made of: a run of characters or of words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Gram {
    /// `chars[start..end]` of the folded text.
    Chars { start: usize, end: usize },
    /// `words[start..end]`.
    Words { start: usize, end: usize },
}

impl Gram {
    /// The n-gram as a moderator reads it: `"free entry"` for words,
    /// `'ree '` for characters (quoted so edge spaces show).
    pub(crate) fn describe(&self, scratch: &Scratch) -> String {
        match *self {
            Gram::Chars { start, end } => {
                let text: String = scratch.chars[start..end].iter().collect();
                format!("chars '{text}'")
            }
            Gram::Words { start, end } => {
                let words: Vec<String> = scratch.words[start..end]
                    .iter()
                    .map(|&(from, to)| scratch.chars[from as usize..to as usize].iter().collect())
                    .collect();
                format!("words \"{}\"", words.join(" "))
            }
        }
    }
}

/// Fills `scratch.slots` with the slot of every n-gram of `text` and
/// returns the scale of each occurrence, `1 / sqrt(N)` (0 for no n-grams).
pub(crate) fn slots(params: &FeatureParams, text: &str, scratch: &mut Scratch) -> f32 {
    let mut slots = std::mem::take(&mut scratch.slots);
    slots.clear();
    visit(params, text, scratch, |slot, _, _| slots.push(slot));
    let scale = if slots.is_empty() {
        0.0
    } else {
        1.0 / (slots.len() as f32).sqrt()
    };
    scratch.slots = slots;
    scale
}

/// Turns `text` into its hashed vector, left in `scratch.vector` sorted by
/// slot: each slot's count times `1 / sqrt(N)`.
pub(crate) fn vectorize(params: &FeatureParams, text: &str, scratch: &mut Scratch) {
    let scale = slots(params, text, scratch);
    scratch.slots.sort_unstable();
    let (slots, vector) = (&scratch.slots, &mut scratch.vector);
    vector.clear();
    let mut at = 0;
    while at < slots.len() {
        let slot = slots[at];
        let mut count = 1;
        while at + count < slots.len() && slots[at + count] == slot {
            count += 1;
        }
        at += count;
        vector.push((slot, count as f32 * scale));
    }
}

/// Folds and cuts `text`, then calls `each(slot, gram, scratch)` for every
/// n-gram occurrence: character n-grams by start position (shortest
/// first), then word n-grams by length.
pub(crate) fn visit(
    params: &FeatureParams,
    text: &str,
    scratch: &mut Scratch,
    mut each: impl FnMut(u32, Gram, &Scratch),
) {
    fold(text, params.fold_digits, &mut scratch.chars);
    let shift = 64 - u32::from(params.hash_bits);

    if params.char_max > 0 {
        let chars = &scratch.chars;
        let (min, max) = (usize::from(params.char_min), usize::from(params.char_max));
        for start in 0..chars.len() {
            let longest = max.min(chars.len() - start);
            let mut hash = SEED_CHARS;
            // A Latin letter, digit or space alone says nothing a moderator
            // could read and weighs by how long the text is; a Han
            // character or a symbol (¥, £, !) alone does say something.
            let plain = chars[start].is_ascii_alphanumeric() || chars[start] == ' ';
            for n in 1..=longest {
                hash = mix(hash ^ u64::from(u32::from(chars[start + n - 1])));
                if n < min || (n == 1 && plain) {
                    continue;
                }
                let gram = Gram::Chars {
                    start,
                    end: start + n,
                };
                each(slot(hash, n, shift), gram, scratch);
            }
        }
    }

    if params.word_max > 0 {
        cut_words(scratch, params.han_words);
        let count = scratch.words.len();
        let (min, max) = (usize::from(params.word_min), usize::from(params.word_max));
        for n in min..=max {
            if n > count {
                break;
            }
            for start in 0..=count - n {
                let hash = scratch.word_hashes[start..start + n]
                    .iter()
                    .fold(SEED_WORDS, |h, &w| mix(h ^ w));
                let gram = Gram::Words {
                    start,
                    end: start + n,
                };
                each(slot(hash, n, shift), gram, scratch);
            }
        }
    }
}

/// The slot of an n-gram of length `n` whose running hash is `hash`.
#[inline]
fn slot(hash: u64, n: usize, shift: u32) -> u32 {
    // `hash` is already mixed; one more multiply spreads the length into
    // the top bits, which are the slot.
    ((hash ^ (n as u64).wrapping_mul(SEED_LENGTH)).wrapping_mul(0xd6e8_feb8_6659_fd93) >> shift)
        as u32
}

const SEED_CHARS: u64 = 0x6368_6172_5f67_7261; // "char_gra"
const SEED_WORDS: u64 = 0x776f_7264_5f67_7261; // "word_gra"
const SEED_WORD: u64 = 0x776f_7264_0000_0000;
const SEED_LENGTH: u64 = 0x9e37_79b9_7f4a_7c15;

/// One step of the n-gram hash: multiply, rotate, multiply.
#[inline]
fn mix(h: u64) -> u64 {
    (h.wrapping_mul(0x9e37_79b9_7f4a_7c15))
        .rotate_left(31)
        .wrapping_mul(0xbf58_476d_1ce4_e5b9)
}

/// The final avalanche (splitmix64's), so the top bits used as the slot
/// depend on every character.
#[inline]
fn finish(mut h: u64) -> u64 {
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// Lowercase, full-width ASCII to ASCII, white space runs to one space,
/// digits to `0` when asked; a space is added at each end so n-grams see
/// where the text starts and ends.
fn fold(text: &str, fold_digits: bool, out: &mut Vec<char>) {
    out.clear();
    out.push(' ');
    for c in text.chars() {
        let c = match c {
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(u32::from(c) - 0xfee0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        };
        if c.is_whitespace() {
            if out.last() != Some(&' ') {
                out.push(' ');
            }
        } else if c.is_ascii() {
            let c = c.to_ascii_lowercase();
            out.push(if fold_digits && c.is_ascii_digit() {
                '0'
            } else {
                c
            });
        } else if c.is_lowercase() || !c.is_alphabetic() {
            out.push(c);
        } else {
            out.extend(c.to_lowercase());
        }
    }
    if out.last() != Some(&' ') {
        out.push(' ');
    }
}

/// Han characters: the CJK unified ideographs and their extensions.
fn is_han(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4dbf}'
        | '\u{4e00}'..='\u{9fff}'
        | '\u{f900}'..='\u{faff}'
        | '\u{20000}'..='\u{2ffff}')
}

/// Letters and digits other than Han characters.
#[inline]
fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        c.is_alphanumeric() && !is_han(c)
    }
}

/// Fills `scratch.words` and `scratch.word_hashes` from `scratch.chars`:
/// runs of letters and digits (other than Han) are words; runs of Han
/// characters are cut by jieba when `han_words`, else skipped.
fn cut_words(scratch: &mut Scratch, han_words: bool) {
    scratch.words.clear();
    let chars = &scratch.chars;
    let mut at = 0;
    while at < chars.len() {
        let c = chars[at];
        if is_han(c) {
            let start = at;
            while at < chars.len() && is_han(chars[at]) {
                at += 1;
            }
            if han_words {
                scratch.han_run.clear();
                scratch.han_run.extend(&chars[start..at]);
                for token in jieba().cut(&scratch.han_run, true) {
                    let from = (start + token.start) as u32;
                    let to = (start + token.end) as u32;
                    scratch.words.push((from, to));
                }
            }
        } else if is_word_char(c) {
            let start = at;
            while at < chars.len() && is_word_char(chars[at]) {
                at += 1;
            }
            scratch.words.push((start as u32, at as u32));
        } else {
            at += 1;
        }
    }
    scratch.word_hashes.clear();
    for &(from, to) in &scratch.words {
        let hash = chars[from as usize..to as usize]
            .iter()
            .fold(SEED_WORD, |h, &c| mix(h ^ u64::from(u32::from(c))));
        scratch.word_hashes.push(finish(hash));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn described(params: &FeatureParams, text: &str) -> Vec<String> {
        let mut scratch = Scratch::default();
        let mut grams = Vec::new();
        visit(params, text, &mut scratch, |_, gram, scratch| {
            grams.push(gram.describe(scratch));
        });
        grams
    }

    #[test]
    fn folds_case_width_space_and_digits() {
        let mut out = Vec::new();
        fold("Ｆree  CALL\t0845", true, &mut out);
        assert_eq!(out.iter().collect::<String>(), " free call 0000 ");
        fold("", false, &mut out);
        assert_eq!(out.iter().collect::<String>(), " ");
    }

    #[test]
    fn words_of_latin_and_han_text() {
        let params = FeatureParams {
            char_max: 0,
            word_min: 1,
            word_max: 2,
            ..FeatureParams::default()
        };
        let grams = described(&params, "Win cash! 我们中出了一个叛徒");
        assert!(grams.contains(&"words \"win cash\"".to_owned()));
        assert!(grams.contains(&"words \"叛徒\"".to_owned()));
        assert!(grams.contains(&"words \"一个 叛徒\"".to_owned()));
    }

    #[test]
    fn char_ngrams_are_padded_and_counted() {
        let params = FeatureParams {
            char_min: 2,
            char_max: 3,
            word_max: 0,
            ..FeatureParams::default()
        };
        // " ab " has 3 bigrams and 2 trigrams, visited by start position.
        let grams = described(&params, "ab");
        assert_eq!(
            grams,
            [
                "chars ' a'",
                "chars ' ab'",
                "chars 'ab'",
                "chars 'ab '",
                "chars 'b '"
            ]
        );
    }

    #[test]
    fn ascii_letters_alone_are_not_unigrams() {
        let params = FeatureParams {
            char_min: 1,
            char_max: 1,
            word_max: 0,
            ..FeatureParams::default()
        };
        assert_eq!(
            described(&params, "a1 ¥冰!"),
            ["chars '¥'", "chars '冰'", "chars '!'"]
        );
    }

    #[test]
    fn vector_has_counts_over_root_n_and_sorted_slots() {
        let params = FeatureParams::default();
        let mut scratch = Scratch::default();
        vectorize(&params, "free free free entry 冰毒出售", &mut scratch);
        let n = scratch.slots.len() as f32;
        let sum: f32 = scratch.vector.iter().map(|&(_, v)| v).sum();
        assert!((sum - n / n.sqrt()).abs() < 1e-3, "{sum} {n}");
        // "free" occurs three times.
        assert!(
            scratch
                .vector
                .iter()
                .any(|&(_, v)| (v - 3.0 / n.sqrt()).abs() < 1e-6)
        );
        assert!(scratch.vector.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(
            scratch
                .vector
                .iter()
                .all(|&(slot, _)| (slot as usize) < params.dimension())
        );
        vectorize(&params, "", &mut scratch);
        assert!(scratch.vector.iter().all(|&(_, v)| v.is_finite()));
    }

    #[test]
    fn same_text_same_vector() {
        let params = FeatureParams::default();
        let mut a = Scratch::default();
        let mut b = Scratch::default();
        vectorize(&params, "Hello 世界", &mut a);
        vectorize(&params, "something else first", &mut b);
        vectorize(&params, "HELLO 世界", &mut b);
        assert_eq!(a.vector, b.vector);
    }

    #[test]
    fn bad_params_are_named() {
        let mut params = FeatureParams {
            hash_bits: 30,
            ..FeatureParams::default()
        };
        assert!(params.check().unwrap_err().contains("hash_bits"));
        params.hash_bits = 20;
        params.char_min = 5;
        assert!(params.check().unwrap_err().contains("char"));
        params.char_max = 0;
        params.word_max = 0;
        assert!(params.check().is_err());
    }
}
