//! Patterns: regular expressions behind a literal prefilter.
//!
//! What: a pattern file (`rules/patterns/*.toml`, format in
//! `rules/README.md`) lists regexes with an id and a kind (price, phone
//! shape, order number, ...). [`PatternSet`] compiles them and, for each,
//! the literals one of which every match must contain (from
//! `regex-syntax`'s prefix or suffix extraction, or given by hand). One
//! Aho-Corasick pass over the text finds which literals occur, and only the
//! regexes they belong to run.
//! Why: hundreds of regexes run one after another cost tens of
//! microseconds per item (a `RegexSet` of 500 runs at a few thousand items
//! a second); almost every item holds none of their literals, so almost
//! none need to run.
//! What not: a regex with no required literal runs on every item; `harrier
//! rules check` lists those so their authors can give `literals`.

mod prefilter;

use regex::Regex;
use serde::Deserialize;
use toml::Spanned;

use crate::error::CompileError;
use crate::lexicon::is_id;

pub use prefilter::required_literals;

/// Which text a pattern runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum On {
    /// The text after every normalisation step (the default).
    Normalized,
    /// The text as posted.
    Original,
}

/// One pattern, as read from its file.
#[derive(Clone, Debug)]
pub struct Pattern {
    pub id: String,
    pub kind: String,
    pub description: String,
    pub regex: String,
    pub on: On,
    /// 0..=1, the weight of a match in a rule's score.
    pub weight: f32,
    /// Literals given by hand, if any.
    pub literals: Option<Vec<String>>,
    pub file: String,
    pub line: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSpec {
    #[serde(default)]
    pattern: Vec<PatternSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PatternSpec {
    id: Spanned<String>,
    kind: String,
    #[serde(default)]
    description: String,
    regex: Spanned<String>,
    on: Option<Spanned<String>>,
    weight: Option<f32>,
    literals: Option<Vec<String>>,
}

/// Longest regex source accepted, in bytes.
const MAX_REGEX_BYTES: usize = 4096;

/// Read one pattern file.
pub fn parse(file: &str, content: &str) -> Result<Vec<Pattern>, Vec<CompileError>> {
    let spec: FileSpec =
        toml::from_str(content).map_err(|error| vec![CompileError::toml(file, content, &error)])?;
    let mut errors = Vec::new();
    let mut patterns = Vec::new();
    for pattern in spec.pattern {
        let id = pattern.id.get_ref().clone();
        let line = crate::error::line_of(content, pattern.id.span().start);
        let error = |message: String| CompileError::new(file, line, Some(&id), message);
        if !is_pattern_id(&id) {
            errors.push(error(
                "a pattern id is lowercase letters, digits, _ and . (e.g. \"price.cny\")".into(),
            ));
        }
        if !is_id(&pattern.kind) {
            errors.push(error(format!("bad kind {:?}", pattern.kind)));
        }
        let on = match pattern.on.as_ref().map(|on| on.get_ref().as_str()) {
            None | Some("normalized") => On::Normalized,
            Some("original") => On::Original,
            Some(other) => {
                errors.push(error(format!(
                    "on is \"normalized\" or \"original\", not {other:?}"
                )));
                On::Normalized
            }
        };
        let weight = pattern.weight.unwrap_or(0.5);
        if !(0.0..=1.0).contains(&weight) {
            errors.push(error(format!("weight {weight} is outside 0..=1")));
        }
        if pattern.regex.get_ref().len() > MAX_REGEX_BYTES {
            errors.push(error(format!(
                "the regex is longer than {MAX_REGEX_BYTES} bytes"
            )));
        }
        patterns.push(Pattern {
            id,
            kind: pattern.kind,
            description: pattern.description,
            regex: pattern.regex.get_ref().clone(),
            on,
            weight,
            literals: pattern.literals,
            file: file.to_owned(),
            line: crate::error::line_of(content, pattern.regex.span().start),
        });
    }
    if errors.is_empty() {
        Ok(patterns)
    } else {
        Err(errors)
    }
}

/// `\b` and `\B` as ASCII word boundaries (`(?-u:\b)`).
///
/// Why: a Unicode word boundary treats Chinese characters as word
/// characters, so `\bqq\b` would not match in "加qq12345", which is exactly
/// where it should; and the regex crate's fast engines give up on Unicode
/// boundaries in non-ASCII text, falling back to engines several times
/// slower. Inside a character class `\b` is left alone (it is a backspace
/// there).
pub fn ascii_word_boundaries(regex: &str) -> String {
    let mut out = String::with_capacity(regex.len() + 16);
    let mut chars = regex.chars();
    let mut class_depth = 0usize;
    while let Some(ch) = chars.next() {
        match ch {
            '\\' => match chars.next() {
                Some(b @ ('b' | 'B')) if class_depth == 0 => {
                    out.push_str("(?-u:\\");
                    out.push(b);
                    out.push(')');
                }
                Some(next) => {
                    out.push('\\');
                    out.push(next);
                }
                None => out.push('\\'),
            },
            '[' => {
                class_depth += 1;
                out.push(ch);
            }
            ']' if class_depth > 0 => {
                class_depth -= 1;
                out.push(ch);
            }
            _ => out.push(ch),
        }
    }
    out
}

/// Pattern ids: `[a-z0-9_.]+`.
pub(crate) fn is_pattern_id(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 64
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.')
}

/// A compiled pattern.
#[derive(Debug)]
pub struct Compiled {
    pub id: String,
    pub kind: String,
    pub description: String,
    pub on: On,
    pub weight: f32,
    pub regex: Regex,
    /// The literals that gate it; empty when it runs on every item.
    pub literals: Vec<String>,
}

/// One pattern match: which pattern, and the byte range in the text it ran
/// on (normalised or original, per [`Compiled::on`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PatternHit {
    pub pattern: u32,
    pub start: u32,
    pub end: u32,
}

/// Every pattern of a ruleset, compiled, with their prefilter.
#[derive(Debug)]
pub struct PatternSet {
    pub patterns: Vec<Compiled>,
    normalized: prefilter::Prefilter,
    original: prefilter::Prefilter,
}

/// Compiled size limit per regex (the regex crate's default is 10 MiB).
const REGEX_SIZE_LIMIT: usize = 2 * 1024 * 1024;

impl PatternSet {
    /// Compile patterns. Ids must be unique; a regex that does not compile
    /// is reported with its file, line and id.
    pub fn compile(patterns: &[Pattern]) -> Result<Self, Vec<CompileError>> {
        let mut errors = Vec::new();
        let mut compiled = Vec::new();
        let mut seen = std::collections::HashMap::new();
        for pattern in patterns {
            let error = |message: String| {
                CompileError::new(&pattern.file, pattern.line, Some(&pattern.id), message)
            };
            if let Some(first) = seen.insert(pattern.id.as_str(), (&pattern.file, pattern.line)) {
                errors.push(error(format!(
                    "pattern id used twice (also at {}:{})",
                    first.0, first.1
                )));
                continue;
            }
            let regex = match regex::RegexBuilder::new(&ascii_word_boundaries(&pattern.regex))
                .size_limit(REGEX_SIZE_LIMIT)
                .build()
            {
                Ok(regex) => regex,
                Err(compile) => {
                    errors.push(error(format!("regex does not compile: {compile}")));
                    continue;
                }
            };
            let literals = match &pattern.literals {
                Some(given) => {
                    if given.iter().any(String::is_empty) {
                        errors.push(error("an empty literal gates nothing".into()));
                        continue;
                    }
                    given.clone()
                }
                None => required_literals(&pattern.regex).unwrap_or_default(),
            };
            compiled.push(Compiled {
                id: pattern.id.clone(),
                kind: pattern.kind.clone(),
                description: pattern.description.clone(),
                on: pattern.on,
                weight: pattern.weight,
                regex,
                literals,
            });
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let build = |on: On| {
            prefilter::Prefilter::build(
                compiled
                    .iter()
                    .enumerate()
                    .filter(|(_, pattern)| pattern.on == on)
                    .map(|(index, pattern)| (index, pattern.literals.as_slice())),
            )
        };
        let normalized =
            build(On::Normalized).map_err(|e| vec![CompileError::new("", 0, None, e)])?;
        let original = build(On::Original).map_err(|e| vec![CompileError::new("", 0, None, e)])?;
        Ok(Self {
            patterns: compiled,
            normalized,
            original,
        })
    }

    /// The index of a pattern by id.
    pub fn index(&self, id: &str) -> Option<u32> {
        self.patterns
            .iter()
            .position(|pattern| pattern.id == id)
            .and_then(|index| u32::try_from(index).ok())
    }

    /// Whether any pattern runs on the original text.
    pub fn uses_original(&self) -> bool {
        self.original.has_patterns()
    }

    /// Run the patterns whose literals occur; append their matches to `out`.
    /// `candidates` is scratch space.
    pub fn find(
        &self,
        normalized: &str,
        original: &str,
        candidates: &mut Vec<u32>,
        out: &mut Vec<PatternHit>,
    ) {
        for (prefilter, text) in [(&self.normalized, normalized), (&self.original, original)] {
            candidates.clear();
            prefilter.candidates(text, candidates);
            for &index in candidates.iter() {
                let Some(pattern) = self.patterns.get(index as usize) else {
                    continue;
                };
                // Most gated regexes do not match after all; a forward-only
                // is_match rules those out without finding positions.
                if !pattern.regex.is_match(text) {
                    continue;
                }
                for found in pattern.regex.find_iter(text) {
                    out.push(PatternHit {
                        pattern: index,
                        start: u32::try_from(found.start()).unwrap_or(u32::MAX),
                        end: u32::try_from(found.end()).unwrap_or(u32::MAX),
                    });
                }
            }
        }
    }

    /// Ids of the patterns that run on every item (no required literal).
    pub fn ungated(&self) -> Vec<&str> {
        self.patterns
            .iter()
            .filter(|pattern| pattern.literals.is_empty())
            .map(|pattern| pattern.id.as_str())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"
[[pattern]]
id = "price.cny"
kind = "price"
regex = '\d+\s*(?:元|块|rmb)'

[[pattern]]
id = "order.number"
kind = "order"
regex = '\b\d{12}\b'
"#;

    #[test]
    fn gated_patterns_run_only_when_their_literals_occur() {
        let set = PatternSet::compile(&parse("p.toml", FILE).unwrap()).unwrap();
        assert_eq!(set.ungated(), vec!["order.number"]);
        let mut scratch = Vec::new();
        let mut out = Vec::new();
        set.find("冰毒 300元一克", "", &mut scratch, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].pattern, 0);
        assert_eq!(
            &"冰毒 300元一克"[out[0].start as usize..out[0].end as usize],
            "300元"
        );
        out.clear();
        set.find("no price here", "", &mut scratch, &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn word_boundaries_are_ascii() {
        assert_eq!(ascii_word_boundaries(r"\bqq\b"), r"(?-u:\b)qq(?-u:\b)");
        assert_eq!(ascii_word_boundaries(r"[\b]\B\\b"), r"[\b](?-u:\B)\\b");
        let regex = regex::Regex::new(&ascii_word_boundaries(r"\bqq\s*\d{5,}")).unwrap();
        assert!(regex.is_match("加qq12345"));
        assert!(
            !regex::Regex::new(r"\bqq\s*\d{5,}")
                .unwrap()
                .is_match("加qq12345")
        );
    }

    #[test]
    fn compile_errors_name_file_line_and_id() {
        let bad = FILE.replace(r"\d{12}", r"\d{12");
        let errors = PatternSet::compile(&parse("p.toml", &bad).unwrap()).unwrap_err();
        assert_eq!(errors.len(), 1);
        let text = errors[0].to_string();
        assert!(
            text.starts_with("p.toml:10: order.number: regex does not compile"),
            "{text}"
        );
    }
}
