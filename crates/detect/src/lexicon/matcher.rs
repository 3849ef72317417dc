//! The compiled lexicons of a ruleset: one Aho-Corasick automaton per
//! distinct set of normalisation steps, every hit found in one pass.
//!
//! Terms are normalised with their lexicon's steps when the ruleset
//! compiles, so the text and the terms meet in the same form. A term that
//! several lexicons share is one pattern of the automaton with several
//! entries. Latin terms match only on word boundaries (ASCII letters and
//! digits are word characters); Chinese terms match anywhere.

use std::collections::HashMap;
use std::ops::Range;

use daachorse::CharwiseDoubleArrayAhoCorasick;

use super::{Lexicon, pinyin};
use crate::error::CompileError;
use crate::normalize::{Normalized, Steps, normalize};

/// How a hit was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Via {
    /// The term itself (after normalisation).
    Term,
    /// Its pinyin, with or without spaces between syllables.
    Pinyin,
    /// Its pinyin initials.
    Initials,
}

impl Via {
    fn factor(self) -> f32 {
        match self {
            Via::Term => 1.0,
            Via::Pinyin => 0.9,
            Via::Initials => 0.5,
        }
    }
}

/// What a lexicon is, once compiled.
#[derive(Clone, Debug, PartialEq)]
pub struct LexiconInfo {
    pub id: String,
    pub category: String,
    pub description: String,
    pub terms: usize,
}

/// One term as written, for explanations.
#[derive(Clone, Debug, PartialEq)]
pub struct TermInfo {
    pub text: String,
    pub lexicon: u16,
    pub line: usize,
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    lexicon: u16,
    kind: u16,
    weight: f32,
    via: Via,
    term: u32,
}

/// While compiling: one set of steps, its patterns in first-seen order and
/// each pattern's entries.
type StepTable = (Steps, Vec<String>, HashMap<String, Vec<Entry>>);

struct StepGroup {
    steps: Steps,
    /// A character-wise double-array Aho-Corasick automaton (daachorse):
    /// compact, so a lexicon of tens of thousands of terms stays in cache,
    /// where a byte-wise DFA of the same terms takes tens of megabytes.
    /// `None` when the group has no terms.
    automaton: Option<CharwiseDoubleArrayAhoCorasick<u32>>,
    /// Per automaton pattern: its entries, and whether it needs a word
    /// boundary before and after.
    patterns: Vec<PatternEntries>,
    entries: Vec<Entry>,
}

struct PatternEntries {
    entries: Range<u32>,
    boundary_start: bool,
    boundary_end: bool,
}

/// One lexicon hit in one normalised text.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hit {
    pub lexicon: u16,
    pub kind: u16,
    pub weight: f32,
    pub via: Via,
    pub term: u32,
    /// Which normalised text (see [`LexiconSet::steps`]) the span is in.
    pub group: u8,
    /// Byte range in that normalised text.
    pub start: u32,
    pub end: u32,
}

/// Every lexicon of a ruleset, compiled.
pub struct LexiconSet {
    pub lexicons: Vec<LexiconInfo>,
    pub terms: Vec<TermInfo>,
    kinds: Vec<String>,
    groups: Vec<StepGroup>,
}

impl std::fmt::Debug for LexiconSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LexiconSet")
            .field("lexicons", &self.lexicons.len())
            .field("terms", &self.terms.len())
            .field("groups", &self.groups.len())
            .finish()
    }
}

impl LexiconSet {
    /// Compile lexicons. Ids must be unique.
    pub fn compile(lexicons: &[Lexicon]) -> Result<Self, Vec<CompileError>> {
        let mut errors = Vec::new();
        let mut seen: HashMap<&str, &str> = HashMap::new();
        for lexicon in lexicons {
            if let Some(first) = seen.insert(&lexicon.id, &lexicon.file) {
                errors.push(CompileError::new(
                    &lexicon.file,
                    0,
                    Some(&lexicon.id),
                    format!("lexicon id used twice (also in {first})"),
                ));
            }
        }
        if lexicons.len() > usize::from(u16::MAX) {
            errors.push(CompileError::new("", 0, None, "too many lexicons"));
        }

        let mut kinds: Vec<String> = Vec::new();
        let mut terms = Vec::new();
        let mut infos = Vec::new();
        let mut by_steps: Vec<StepTable> = Vec::new();
        for (index, lexicon) in lexicons.iter().enumerate() {
            let lexicon_index = u16::try_from(index).unwrap_or(u16::MAX);
            infos.push(LexiconInfo {
                id: lexicon.id.clone(),
                category: lexicon.category.clone(),
                description: lexicon.description.clone(),
                terms: lexicon.terms.len(),
            });
            let slot = match by_steps
                .iter()
                .position(|(steps, _, _)| *steps == lexicon.steps)
            {
                Some(slot) => slot,
                None => {
                    by_steps.push((lexicon.steps, Vec::new(), HashMap::new()));
                    by_steps.len() - 1
                }
            };
            let (steps, order, table) = &mut by_steps[slot];
            for term in &lexicon.terms {
                let kind = match kinds.iter().position(|k| *k == term.kind) {
                    Some(kind) => kind,
                    None => {
                        kinds.push(term.kind.clone());
                        kinds.len() - 1
                    }
                };
                let term_index = u32::try_from(terms.len()).unwrap_or(u32::MAX);
                terms.push(TermInfo {
                    text: term.text.clone(),
                    lexicon: lexicon_index,
                    line: term.line,
                });
                let normalized = normalize(&term.text, steps).text;
                if normalized.trim().is_empty() {
                    errors.push(CompileError::new(
                        &lexicon.file,
                        term.line,
                        Some(&lexicon.id),
                        format!("term {:?} normalises to nothing", term.text),
                    ));
                    continue;
                }
                let entry = Entry {
                    lexicon: lexicon_index,
                    kind: u16::try_from(kind).unwrap_or(u16::MAX),
                    weight: term.weight,
                    via: Via::Term,
                    term: term_index,
                };
                let mut add = |pattern: String, via: Via| {
                    let entries = table.entry(pattern.clone()).or_insert_with(|| {
                        order.push(pattern);
                        Vec::new()
                    });
                    let entry = Entry {
                        via,
                        weight: entry.weight * via.factor(),
                        ..entry
                    };
                    // One entry per lexicon and pattern: the heaviest.
                    match entries.iter_mut().find(|e| e.lexicon == entry.lexicon) {
                        Some(existing) if existing.weight >= entry.weight => {}
                        Some(existing) => *existing = entry,
                        None => entries.push(entry),
                    }
                };
                if lexicon.pinyin {
                    let spellings = pinyin::spellings(&normalized);
                    for spelling in spellings.full.into_iter().chain(spellings.spaced) {
                        add(normalize(&spelling, steps).text, Via::Pinyin);
                    }
                    for initials in spellings.initials {
                        add(normalize(&initials, steps).text, Via::Initials);
                    }
                }
                add(normalized, Via::Term);
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }

        let mut groups = Vec::new();
        for (steps, order, mut table) in by_steps {
            let mut patterns = Vec::with_capacity(order.len());
            let mut entries = Vec::new();
            for pattern in &order {
                let list = table.remove(pattern).unwrap_or_default();
                let start = u32::try_from(entries.len()).unwrap_or(u32::MAX);
                entries.extend(list);
                let end = u32::try_from(entries.len()).unwrap_or(u32::MAX);
                patterns.push(PatternEntries {
                    entries: start..end,
                    boundary_start: pattern
                        .bytes()
                        .next()
                        .is_some_and(|b| b.is_ascii_alphanumeric()),
                    boundary_end: pattern
                        .bytes()
                        .last()
                        .is_some_and(|b| b.is_ascii_alphanumeric()),
                });
            }
            let automaton = if order.is_empty() {
                None
            } else {
                Some(
                    CharwiseDoubleArrayAhoCorasick::<u32>::new(&order).map_err(|error| {
                        vec![CompileError::new(
                            "",
                            0,
                            None,
                            format!("lexicon automaton: {error}"),
                        )]
                    })?,
                )
            };
            groups.push(StepGroup {
                steps,
                automaton,
                patterns,
                entries,
            });
        }
        Ok(Self {
            lexicons: infos,
            terms,
            kinds,
            groups,
        })
    }

    /// The normalisation steps of each automaton, in order: the caller
    /// normalises the text once per entry and passes the results to
    /// [`LexiconSet::find`].
    pub fn steps(&self) -> impl Iterator<Item = &Steps> {
        self.groups.iter().map(|group| &group.steps)
    }

    /// The index of a lexicon by id.
    pub fn lexicon(&self, id: &str) -> Option<u16> {
        self.lexicons
            .iter()
            .position(|lexicon| lexicon.id == id)
            .and_then(|index| u16::try_from(index).ok())
    }

    /// The index of a kind by name.
    pub fn kind(&self, name: &str) -> Option<u16> {
        self.kinds
            .iter()
            .position(|kind| kind == name)
            .and_then(|index| u16::try_from(index).ok())
    }

    pub fn kind_name(&self, kind: u16) -> &str {
        self.kinds.get(usize::from(kind)).map_or("", String::as_str)
    }

    /// Every hit in `texts` (one normalised text per step group, in the
    /// order of [`LexiconSet::steps`]), appended to `out`.
    pub fn find(&self, texts: &[Normalized], out: &mut Vec<Hit>) {
        for (index, (group, text)) in self.groups.iter().zip(texts).enumerate() {
            let bytes = text.text.as_bytes();
            // Pinyin initials ("bd") are a trick of people writing Chinese;
            // in a text without Chinese characters "dm me" is English.
            let mut chinese: Option<bool> = None;
            let Some(automaton) = &group.automaton else {
                continue;
            };
            for found in automaton.find_overlapping_iter(&text.text) {
                let Some(pattern) = group.patterns.get(found.value() as usize) else {
                    continue;
                };
                let (start, end) = (found.start(), found.end());
                if pattern.boundary_start && start > 0 && bytes[start - 1].is_ascii_alphanumeric() {
                    continue;
                }
                if pattern.boundary_end && bytes.get(end).is_some_and(u8::is_ascii_alphanumeric) {
                    continue;
                }
                let range = pattern.entries.start as usize..pattern.entries.end as usize;
                for entry in &group.entries[range] {
                    if entry.via == Via::Initials
                        && !*chinese.get_or_insert_with(|| text.text.chars().any(is_han))
                    {
                        continue;
                    }
                    out.push(Hit {
                        lexicon: entry.lexicon,
                        kind: entry.kind,
                        weight: entry.weight,
                        via: entry.via,
                        term: entry.term,
                        group: u8::try_from(index).unwrap_or(u8::MAX),
                        start: u32::try_from(start).unwrap_or(u32::MAX),
                        end: u32::try_from(end).unwrap_or(u32::MAX),
                    });
                }
            }
        }
    }

    /// Number of distinct automaton patterns (terms and spellings).
    pub fn pattern_count(&self) -> usize {
        self.groups.iter().map(|group| group.patterns.len()).sum()
    }
}

fn is_han(ch: char) -> bool {
    matches!(ch as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0x20000..=0x2FFFF)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::parse;

    fn set(files: &[&str]) -> LexiconSet {
        let lexicons: Vec<Lexicon> = files
            .iter()
            .enumerate()
            .map(|(i, content)| parse(&format!("{i}.toml"), content).unwrap())
            .collect();
        LexiconSet::compile(&lexicons).unwrap()
    }

    fn hits(set: &LexiconSet, text: &str) -> Vec<(String, Via)> {
        let texts: Vec<Normalized> = set.steps().map(|steps| normalize(text, steps)).collect();
        let mut out = Vec::new();
        set.find(&texts, &mut out);
        out.iter()
            .map(|hit| (set.terms[hit.term as usize].text.clone(), hit.via))
            .collect()
    }

    const DRUGS: &str = r#"
id = "drugs"
category = "drugs"
[steps]
pinyin = true
[[group]]
kind = "substance"
lang = "zh"
weight = 1.0
terms = ["冰毒", "K粉", "摇头丸"]
[[group]]
kind = "substance"
lang = "en"
weight = 0.8
terms = ["coke", "meth"]
"#;

    #[test]
    fn obfuscated_and_pinyin_forms_hit() {
        let set = set(&[DRUGS]);
        assert_eq!(
            hits(&set, "有冰*毒吗"),
            vec![("冰毒".to_owned(), Via::Term)]
        );
        assert_eq!(
            hits(&set, "賣搖頭丸"),
            vec![("摇头丸".to_owned(), Via::Term)]
        );
        assert_eq!(
            hits(&set, "要 bingdu 吗"),
            vec![("冰毒".to_owned(), Via::Pinyin)]
        );
        assert_eq!(
            hits(&set, "ytw来了"),
            vec![("摇头丸".to_owned(), Via::Initials)]
        );
        assert!(
            hits(&set, "ytw is here").is_empty(),
            "initials only count in Chinese text"
        );
        assert!(
            hits(&set, "bd来了").is_empty(),
            "no initials for two-character terms"
        );
        assert_eq!(
            hits(&set, "ｃ０ｋｅ here"),
            vec![("coke".to_owned(), Via::Term)]
        );
        assert_eq!(hits(&set, "k粉"), vec![("K粉".to_owned(), Via::Term)]);
    }

    #[test]
    fn latin_terms_need_word_boundaries() {
        let set = set(&[DRUGS]);
        assert!(hits(&set, "cokes and methane").is_empty());
        assert_eq!(hits(&set, "meth!").len(), 1);
        assert_eq!(hits(&set, "买meth").len(), 1);
    }

    #[test]
    fn shared_terms_hit_every_lexicon() {
        let common = r#"
id = "common"
category = "common"
[[group]]
kind = "sale"
lang = "zh"
weight = 0.3
terms = ["冰毒"]
"#;
        let set = set(&[DRUGS, common]);
        let lexicons: Vec<u16> = {
            let texts = [normalize("冰毒", &Steps::all())];
            let mut out = Vec::new();
            set.find(&texts, &mut out);
            out.iter().map(|hit| hit.lexicon).collect()
        };
        assert_eq!(set.steps().count(), 1);
        assert_eq!(lexicons, vec![0, 1]);
    }

    #[test]
    fn duplicate_ids_are_refused() {
        let a = parse("a.toml", DRUGS).unwrap();
        let b = parse("b.toml", DRUGS).unwrap();
        let errors = LexiconSet::compile(&[a, b]).unwrap_err();
        assert!(
            errors[0].to_string().contains("also in a.toml"),
            "{}",
            errors[0]
        );
    }
}
