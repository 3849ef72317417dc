//! Normalisation that survives obfuscation.
//!
//! What: one pass that turns a text into the form lexicons and patterns
//! match against ("ｃ０ｃ４ｉｎｅ", "c.o.c.a.i.n.e", "саsino" with Cyrillic
//! letters, "冰 毒", "冰毒" in Traditional script all become plain
//! lowercase Latin or Simplified Chinese), together with an offset map from
//! every byte of the result back to the byte range of the original text it
//! came from. A match found in [`Normalized::text`] is shown to a moderator
//! as [`Normalized::original_span`], i.e. in the words the poster typed.
//!
//! Why: people who sell drugs or run scams write around keyword filters.
//! Folding the usual tricks once, here, lets every lexicon stay a list of
//! plain words.
//!
//! What not: it does not segment words, detect languages or transliterate
//! to pinyin (a later step), and it does not decide anything. The result is
//! for matching only and is never shown: leetspeak and separator folding
//! deliberately produce text that is wrong as prose ("a@b" becomes "aab").
//!
//! Every step can be switched off ([`Steps`]), so a lexicon whose terms
//! contain digits or dots can match without the folding that would break
//! them. Steps run in a fixed order: invisible characters, width, NFKC,
//! case, confusables, Traditional to Simplified, separators, leetspeak,
//! repeated letters.

mod chinese;
mod confusable;
mod fast;
mod obfuscation;
mod unicode;

use std::ops::Range;

/// Which steps [`normalize`] runs. `Default` (and [`Steps::all`]) runs all of
/// them; [`Steps::none`] runs none and returns the text unchanged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Steps {
    /// Unicode NFKC: compatibility forms (ﬁ, ①, 𝔠, ㎏) to their plain form.
    pub nfkc: bool,
    /// Lowercase (Unicode simple lowercase mapping, per character).
    pub case_fold: bool,
    /// Full-width ASCII (ｃａｓｉｎｏ) and the ideographic space to ASCII.
    pub width: bool,
    /// Drop zero-width characters, bidi controls, soft hyphens and variation
    /// selectors.
    pub invisible: bool,
    /// Fold look-alike letters (Cyrillic, Greek, letter-like symbols) to Latin.
    pub confusables: bool,
    /// Collapse separators between single letters ("c.o.c.a.i.n.e", "冰*毒").
    pub separators: bool,
    /// Runs of three or more of the same Latin letter become one.
    pub repeats: bool,
    /// Leetspeak digits and `@`/`$` inside words ("c0c4ine").
    pub leet: bool,
    /// Traditional to Simplified Chinese (OpenCC t2s).
    pub traditional_to_simplified: bool,
}

impl Steps {
    /// Every step on.
    pub const fn all() -> Self {
        Self {
            nfkc: true,
            case_fold: true,
            width: true,
            invisible: true,
            confusables: true,
            separators: true,
            repeats: true,
            leet: true,
            traditional_to_simplified: true,
        }
    }

    /// Every step off: [`normalize`] returns the text as it is.
    pub const fn none() -> Self {
        Self {
            nfkc: false,
            case_fold: false,
            width: false,
            invisible: false,
            confusables: false,
            separators: false,
            repeats: false,
            leet: false,
            traditional_to_simplified: false,
        }
    }
}

impl Default for Steps {
    fn default() -> Self {
        Self::all()
    }
}

/// A normalised text and where each of its bytes came from.
///
/// The map back to the original is kept as segments: a stretch of
/// characters copied unchanged from a stretch of the original is one
/// segment, and each changed character is one. Plain text is a single
/// segment, so mapping costs nothing for the text that needs no folding.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Normalized {
    /// The normalised text, for matching.
    pub text: String,
    segments: Vec<Segment>,
    original_len: usize,
}

/// Output bytes `out..out + len` came from original bytes `orig..orig_end`:
/// byte for byte when `copy`, else as one character.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Segment {
    out: usize,
    len: usize,
    orig: usize,
    orig_end: usize,
    copy: bool,
}

impl Normalized {
    /// Make this the text unchanged.
    pub(crate) fn reset_identity_from(&mut self, text: &str) {
        self.clear(text.len());
        self.text.push_str(text);
        if !text.is_empty() {
            self.segments.push(Segment {
                out: 0,
                len: text.len(),
                orig: 0,
                orig_end: text.len(),
                copy: true,
            });
        }
    }

    pub(crate) fn clear(&mut self, original_len: usize) {
        self.text.clear();
        self.segments.clear();
        self.original_len = original_len;
    }

    /// Append a character copied unchanged from `start` of the original.
    pub(crate) fn push_copy(&mut self, ch: char, start: usize) {
        let out = self.text.len();
        let len = ch.len_utf8();
        self.text.push(ch);
        if let Some(last) = self.segments.last_mut()
            && last.copy
            && last.orig_end == start
            && last.out + last.len == out
        {
            last.len += len;
            last.orig_end += len;
            return;
        }
        self.segments.push(Segment {
            out,
            len,
            orig: start,
            orig_end: start + len,
            copy: true,
        });
    }

    /// Append a character that stands for `start..end` of the original.
    pub(crate) fn push_changed(&mut self, ch: char, start: usize, end: usize) {
        let out = self.text.len();
        self.text.push(ch);
        self.segments.push(Segment {
            out,
            len: ch.len_utf8(),
            orig: start,
            orig_end: end,
            copy: false,
        });
    }

    pub(crate) fn from_units(units: Vec<Unit>, original: &str) -> Self {
        let mut out = Self::default();
        out.clear(original.len());
        for unit in units {
            let same = original
                .get(unit.start..unit.end)
                .is_some_and(|was| was.len() == unit.ch.len_utf8() && was.starts_with(unit.ch));
            if same {
                out.push_copy(unit.ch, unit.start);
            } else {
                out.push_changed(unit.ch, unit.start, unit.end);
            }
        }
        out
    }

    /// Whether the text came through unchanged.
    pub fn is_identity(&self) -> bool {
        self.text.len() == self.original_len
            && self.segments.len() <= 1
            && self.segments.iter().all(|s| s.copy && s.orig == 0)
    }

    fn segment(&self, at: usize) -> Option<&Segment> {
        let index = self.segments.partition_point(|s| s.out + s.len <= at);
        self.segments.get(index)
    }

    fn char_start(&self, mut at: usize) -> usize {
        while at > 0 && !self.text.is_char_boundary(at) {
            at -= 1;
        }
        at
    }

    /// The byte range of the original that byte `at` of the text came from
    /// (`None` past the end).
    pub fn origin(&self, at: usize) -> Option<Range<usize>> {
        if at >= self.text.len() {
            return None;
        }
        let segment = self.segment(at)?;
        if !segment.copy {
            return Some(segment.orig..segment.orig_end);
        }
        let start = self.char_start(at);
        let len = self.text[start..].chars().next().map_or(1, char::len_utf8);
        let orig = segment.orig + (start - segment.out);
        Some(orig..orig + len)
    }

    /// The byte range of the original text that a byte range of
    /// [`Normalized::text`] came from. The answer always lies inside the
    /// original and on its char boundaries, whatever `norm` is (it is
    /// clamped to the normalised text). An empty `norm` gives an empty range
    /// at the matching place of the original.
    pub fn original_span(&self, norm: Range<usize>) -> Range<usize> {
        let len = self.text.len();
        let start = norm.start.min(len);
        let end = norm.end.clamp(start, len);
        if start == end {
            let at = match self.origin(start) {
                Some(origin) => origin.start,
                None => self.segments.last().map_or(0, |s| s.orig_end),
            };
            return at..at;
        }
        let from = self.origin(start).map_or(0, |origin| origin.start);
        let first = self.segments.partition_point(|s| s.out + s.len <= start);
        let mut to = from;
        for segment in self.segments[first..].iter().take_while(|s| s.out < end) {
            let segment_end = if segment.copy && end < segment.out + segment.len {
                self.origin(end - 1)
                    .map_or(segment.orig_end, |origin| origin.end)
            } else {
                segment.orig_end
            };
            to = to.max(segment_end);
        }
        from..to.min(self.original_len).max(from)
    }
}

/// One character of the text being normalised and the original byte range
/// it stands for. Steps turn a `Vec<Unit>` into another; merging characters
/// joins their ranges and splitting one copies its range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Unit {
    pub(crate) ch: char,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

impl Unit {
    /// The same origin, another character.
    pub(crate) fn with(&self, ch: char) -> Unit {
        Unit {
            ch,
            start: self.start,
            end: self.end,
        }
    }
}

/// Normalise `text` with the switched-on `steps`.
pub fn normalize(text: &str, steps: &Steps) -> Normalized {
    let mut out = Normalized::default();
    normalize_into(text, steps, &mut out);
    out
}

/// [`normalize`] into `out`, reusing its buffers: a scan normalises every
/// item into the same few values and allocates almost nothing.
pub fn normalize_into(text: &str, steps: &Steps, out: &mut Normalized) {
    if !fast::normalize_into(text, steps, out) {
        *out = slow(text, steps);
    }
}

/// Build the lookup tables of the fast path for `steps` now, so the first
/// text normalised does not pay for them.
pub fn warm(steps: &Steps) {
    fast::warm(steps);
}

/// Every step, one after another, on any text.
pub fn slow(text: &str, steps: &Steps) -> Normalized {
    let mut units: Vec<Unit> = text
        .char_indices()
        .map(|(at, ch)| Unit {
            ch,
            start: at,
            end: at + ch.len_utf8(),
        })
        .collect();

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
    if steps.separators {
        units = obfuscation::collapse_separators(&units);
    }
    if steps.leet {
        obfuscation::unleet(&mut units);
    }
    if steps.repeats {
        units = obfuscation::squeeze_repeats(&units);
    }
    Normalized::from_units(units, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_steps_is_identity() {
        let text = "Ｃ.o.c.a ＩＮＥ 冰 毒 \u{200b}";
        let out = normalize(text, &Steps::none());
        assert_eq!(out.text, text);
        assert_eq!(out.original_span(0..out.text.len()), 0..text.len());
    }

    #[test]
    fn span_maps_back_to_obfuscated_original() {
        let text = "buy c.0.c.a.i.n.e now";
        let out = normalize(text, &Steps::all());
        assert_eq!(out.text, "buy cocaine now");
        let at = out.text.find("cocaine").unwrap();
        let span = out.original_span(at..at + "cocaine".len());
        assert_eq!(&text[span], "c.0.c.a.i.n.e");
    }

    #[test]
    fn span_of_full_width_text() {
        let text = "去ｃａｓｉｎｏ玩";
        let out = normalize(text, &Steps::all());
        assert_eq!(out.text, "去casino玩");
        let span = out.original_span(3..9);
        assert_eq!(&text[span], "ｃａｓｉｎｏ");
    }

    #[test]
    fn empty_and_out_of_range_spans_are_clamped() {
        let text = "ab";
        let out = normalize(text, &Steps::all());
        assert_eq!(out.original_span(5..9), 2..2);
        assert_eq!(out.original_span(1..1), 1..1);
        let empty = normalize("", &Steps::all());
        assert_eq!(empty.original_span(0..3), 0..0);
    }
}
