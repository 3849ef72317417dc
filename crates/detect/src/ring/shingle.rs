//! Shingles and the exact-duplicate key of a post's text.
//!
//! What: the text is normalised once with the crate's normaliser
//! ([`crate::normalize`], so "ｃｏｃａｉｎｅ", Traditional script and
//! Cyrillic look-alikes fold as they do for the rules), `@mentions` are
//! dropped (as the coordination-network-toolkit does, so replies to
//! different people with the same text count as the same text), and then
//! - [`TextFeatures::key`]: a 64-bit hash of the normalised text with
//!   runs of white space folded to one space: equal keys are exact
//!   duplicates (64 bits: about 3 chances in a million of any collision
//!   among ten million distinct texts);
//! - [`TextFeatures::shingles`]: the sorted, distinct 64-bit hashes of the
//!   text's shingles: each Latin/digit word on its own (English), and
//!   character bigrams inside runs of Han characters (Chinese has no
//!   spaces, and single characters are too common to tell texts apart; a
//!   run of one character is kept as a unigram).
//!
//! Why words one by one and not word bigrams: posts are short (a tweet has
//! ~15 words), and one changed word removes two bigrams but only one word,
//! so near-copies keep a Jaccard similarity well above 0.7 with words and
//! often fall below it with bigrams.
//!
//! What not: no stemming, no stop words, no language detection (the
//! character classes decide).

use crate::normalize::{Normalized, Steps, normalize_into};

/// What the ring analysis keeps of a text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextFeatures {
    /// Hash of the normalised text without mentions, white space folded;
    /// `None` for a text with nothing left (only mentions or spaces).
    pub key: Option<u64>,
    /// Sorted, distinct shingle hashes.
    pub shingles: Vec<u64>,
}

/// Reusable buffers for [`Shingler::features_into`].
#[derive(Default)]
pub struct ShingleScratch {
    stripped: String,
    normalized: Normalized,
    folded: String,
}

impl ShingleScratch {
    /// The last text's normalised form, mentions dropped and white space
    /// folded (what the key hashes).
    pub fn normalized(&self) -> &str {
        &self.folded
    }
}

/// Turns texts into [`TextFeatures`] with a fixed set of normalisation steps.
#[derive(Clone, Copy, Debug)]
pub struct Shingler {
    steps: Steps,
    shingles: bool,
}

impl Default for Shingler {
    fn default() -> Self {
        Self::new(Steps::all())
    }
}

impl Shingler {
    pub fn new(steps: Steps) -> Self {
        Self {
            steps,
            shingles: true,
        }
    }

    /// Only the key: for exact duplicates, when no near-duplicate search
    /// needs the shingles.
    pub fn key_only(self) -> Self {
        Self {
            shingles: false,
            ..self
        }
    }

    pub fn features(&self, text: &str) -> TextFeatures {
        let mut out = TextFeatures::default();
        self.features_into(text, &mut ShingleScratch::default(), &mut out);
        out
    }

    pub fn features_into(&self, text: &str, scratch: &mut ShingleScratch, out: &mut TextFeatures) {
        strip_mentions(text, &mut scratch.stripped);
        normalize_into(&scratch.stripped, &self.steps, &mut scratch.normalized);
        let normalized = scratch.normalized.text.as_str();
        scratch.folded.clear();
        for word in normalized.split_whitespace() {
            if !scratch.folded.is_empty() {
                scratch.folded.push(' ');
            }
            scratch.folded.push_str(word);
        }
        out.key = (!scratch.folded.is_empty()).then(|| hash_bytes(scratch.folded.as_bytes()));
        out.shingles.clear();
        if !self.shingles {
            return;
        }
        shingles_into(&scratch.folded, &mut out.shingles);
        out.shingles.sort_unstable();
        out.shingles.dedup();
    }
}

/// Drops every `@` and what follows it up to the next white space, like
/// the toolkit's `message_preprocessor` (`@.*?(?=\s|$)`).
pub fn strip_mentions(text: &str, out: &mut String) {
    out.clear();
    let mut skipping = false;
    for ch in text.chars() {
        if ch == '@' {
            skipping = true;
            continue;
        }
        if skipping && !ch.is_whitespace() {
            continue;
        }
        skipping = false;
        out.push(ch);
    }
}

fn is_han(ch: char) -> bool {
    matches!(ch,
        '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2FA1F}')
}

fn shingles_into(text: &str, out: &mut Vec<u64>) {
    let mut word_start: Option<usize> = None;
    let mut previous_han: Option<(usize, usize)> = None; // (start, len) of the last Han char
    let mut han_run = 0usize;
    for (at, ch) in text.char_indices() {
        if is_han(ch) {
            if let Some(start) = word_start.take() {
                out.push(hash_bytes(&text.as_bytes()[start..at]));
            }
            if let Some((start, _)) = previous_han {
                out.push(hash_bytes(&text.as_bytes()[start..at + ch.len_utf8()]));
            }
            previous_han = Some((at, ch.len_utf8()));
            han_run += 1;
        } else {
            close_han_run(text, &mut previous_han, &mut han_run, out);
            if ch.is_alphanumeric() {
                word_start.get_or_insert(at);
            } else if let Some(start) = word_start.take() {
                out.push(hash_bytes(&text.as_bytes()[start..at]));
            }
        }
    }
    close_han_run(text, &mut previous_han, &mut han_run, out);
    if let Some(start) = word_start {
        out.push(hash_bytes(&text.as_bytes()[start..]));
    }
}

/// A run of a single Han character has no bigram: keep the character.
fn close_han_run(
    text: &str,
    previous: &mut Option<(usize, usize)>,
    run: &mut usize,
    out: &mut Vec<u64>,
) {
    if *run == 1
        && let Some((start, len)) = *previous
    {
        out.push(hash_bytes(&text.as_bytes()[start..start + len]));
    }
    *previous = None;
    *run = 0;
}

/// A 64-bit hash of bytes: FxHash over the bytes, then the SplitMix64
/// finaliser so every output bit depends on every input bit (MinHash
/// takes the high bits of products of this value).
pub fn hash_bytes(bytes: &[u8]) -> u64 {
    use std::hash::Hasher;
    let mut hasher = rustc_hash::FxHasher::default();
    hasher.write(bytes);
    hasher.write_usize(bytes.len());
    mix64(hasher.finish())
}

/// SplitMix64's finaliser.
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Jaccard similarity of two sorted, distinct shingle sets.
pub fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    common as f64 / (a.len() + b.len() - common) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_case_and_spaces_do_not_change_the_key() {
        let shingler = Shingler::default();
        let a = shingler.features("@alice Great   deal at SHOP  ");
        let b = shingler.features("great deal at shop @bob");
        assert_eq!(a.key, b.key);
        assert!(a.key.is_some());
        assert_ne!(a.key, shingler.features("great deal at shops").key);
        assert_eq!(shingler.features("@only @mentions").key, None);
    }

    #[test]
    fn english_words_and_chinese_bigrams() {
        let shingler = Shingler::default();
        // 4 words
        assert_eq!(shingler.features("buy cheap pills now").shingles.len(), 4);
        // 删帖找我 -> 删帖 帖找 找我 ; "vx" and "abc123" words; 好 alone
        let features = shingler.features("删帖找我 vx abc123，好");
        assert_eq!(features.shingles.len(), 6);
        // obfuscation folds: full-width and Traditional script
        assert_eq!(
            shingler.features("ｂｕｙ 刪帖").shingles,
            shingler.features("buy 删帖").shingles
        );
    }

    #[test]
    fn jaccard_of_sets() {
        assert_eq!(jaccard(&[1, 2, 3], &[2, 3, 4]), 0.5);
        assert_eq!(jaccard(&[1], &[2]), 0.0);
        assert_eq!(jaccard(&[], &[]), 1.0);
    }
}
