//! Lexicons: word lists per category, matched over the normalised text.
//!
//! What: a lexicon file (`rules/lexicons/*.toml`, format in
//! `rules/README.md`) holds groups of terms that share a kind (substance,
//! slang, sale phrase, contact cue, ...), a language and a weight, and the
//! normalisation steps to match them with. [`parse`] reads one file;
//! [`matcher::LexiconSet`] compiles every lexicon of a ruleset into one
//! Aho-Corasick automaton per distinct set of steps and finds every hit,
//! overlapping ones included, in one pass over the text.
//! Why: a list of plain words is what analysts can read, review and extend;
//! the normaliser makes "冰*毒", "氷毒" and "ｂｉｎｇｄｕ" hit the entry 冰毒
//! without variants being written down.
//! What not: a hit decides nothing; rules combine hits into signals.

pub mod matcher;
mod pinyin;

use serde::Deserialize;
use toml::Spanned;

use crate::error::CompileError;
use crate::normalize::Steps;

/// The language a group of terms is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    Zh,
    En,
    Any,
}

/// One lexicon, as read from its file.
#[derive(Clone, Debug, PartialEq)]
pub struct Lexicon {
    pub id: String,
    /// Taxonomy category id, or `common` for cues shared by categories.
    pub category: String,
    pub description: String,
    pub steps: Steps,
    /// Also match Chinese terms spelt in pinyin and in pinyin initials.
    pub pinyin: bool,
    pub terms: Vec<Term>,
    /// The file it came from, for error messages.
    pub file: String,
}

/// One term of a lexicon.
#[derive(Clone, Debug, PartialEq)]
pub struct Term {
    /// As written in the file.
    pub text: String,
    pub kind: String,
    pub lang: Lang,
    /// 0..=1: how much a hit weighs on its own.
    pub weight: f32,
    /// 1-based line in the file.
    pub line: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSpec {
    id: Spanned<String>,
    category: Spanned<String>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    steps: StepsSpec,
    #[serde(default)]
    group: Vec<GroupSpec>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StepsSpec {
    nfkc: Option<bool>,
    case_fold: Option<bool>,
    width: Option<bool>,
    invisible: Option<bool>,
    confusables: Option<bool>,
    separators: Option<bool>,
    repeats: Option<bool>,
    leet: Option<bool>,
    traditional_to_simplified: Option<bool>,
    pinyin: Option<bool>,
}

impl StepsSpec {
    fn steps(&self) -> Steps {
        let all = Steps::all();
        Steps {
            nfkc: self.nfkc.unwrap_or(all.nfkc),
            case_fold: self.case_fold.unwrap_or(all.case_fold),
            width: self.width.unwrap_or(all.width),
            invisible: self.invisible.unwrap_or(all.invisible),
            confusables: self.confusables.unwrap_or(all.confusables),
            separators: self.separators.unwrap_or(all.separators),
            repeats: self.repeats.unwrap_or(all.repeats),
            leet: self.leet.unwrap_or(all.leet),
            traditional_to_simplified: self
                .traditional_to_simplified
                .unwrap_or(all.traditional_to_simplified),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupSpec {
    kind: Spanned<String>,
    lang: Spanned<String>,
    weight: Spanned<f32>,
    terms: Vec<Spanned<String>>,
}

/// Longest term accepted, in bytes.
const MAX_TERM_BYTES: usize = 256;

/// Read one lexicon file. `file` is the path to name in errors.
pub fn parse(file: &str, content: &str) -> Result<Lexicon, Vec<CompileError>> {
    let spec: FileSpec =
        toml::from_str(content).map_err(|error| vec![CompileError::toml(file, content, &error)])?;
    let id = spec.id.get_ref().clone();
    let mut errors = Vec::new();
    let at = |offset: usize, message: String| {
        CompileError::at(file, content, offset, Some(&id), message)
    };
    if !is_id(&id) {
        errors.push(at(
            spec.id.span().start,
            "a lexicon id is lowercase letters, digits and _ (e.g. \"drugs\")".into(),
        ));
    }
    let category = spec.category.get_ref().clone();
    if !is_id(&category) {
        errors.push(at(
            spec.category.span().start,
            format!("bad category {category:?}"),
        ));
    }
    let mut terms = Vec::new();
    for group in &spec.group {
        let kind = group.kind.get_ref();
        if !is_id(kind) {
            errors.push(at(
                group.kind.span().start,
                format!("bad kind {kind:?}: lowercase letters, digits and _"),
            ));
        }
        let lang = match group.lang.get_ref().as_str() {
            "zh" => Lang::Zh,
            "en" => Lang::En,
            "any" => Lang::Any,
            other => {
                errors.push(at(
                    group.lang.span().start,
                    format!("lang is \"zh\", \"en\" or \"any\", not {other:?}"),
                ));
                Lang::Any
            }
        };
        let weight = *group.weight.get_ref();
        if !(0.0..=1.0).contains(&weight) {
            errors.push(at(
                group.weight.span().start,
                format!("weight {weight} is outside 0..=1"),
            ));
        }
        for term in &group.terms {
            let text = term.get_ref().trim();
            let line = crate::error::line_of(content, term.span().start);
            if text.is_empty() || text.len() > MAX_TERM_BYTES {
                errors.push(at(
                    term.span().start,
                    format!("a term is 1 to {MAX_TERM_BYTES} bytes: {text:?}"),
                ));
                continue;
            }
            terms.push(Term {
                text: text.to_owned(),
                kind: kind.clone(),
                lang,
                weight,
                line,
            });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Lexicon {
        id,
        category,
        description: spec.description,
        steps: spec.steps.steps(),
        pinyin: spec.steps.pinyin.unwrap_or(false),
        terms,
        file: file.to_owned(),
    })
}

/// Ids of lexicons, kinds, categories: `[a-z0-9_]+`.
pub(crate) fn is_id(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 64
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"
id = "drugs"
category = "drugs"
description = "test"

[steps]
pinyin = true
leet = false

[[group]]
kind = "substance"
lang = "zh"
weight = 0.9
terms = ["冰毒", "海洛因"]
"#;

    #[test]
    fn parses_groups_and_steps() {
        let lexicon = parse("drugs.toml", FILE).unwrap();
        assert_eq!(lexicon.terms.len(), 2);
        assert_eq!(lexicon.terms[1].text, "海洛因");
        assert_eq!(lexicon.terms[1].line, 14);
        assert!(lexicon.pinyin);
        assert!(!lexicon.steps.leet);
        assert!(lexicon.steps.nfkc);
    }

    #[test]
    fn errors_name_the_line() {
        let bad = FILE.replace("weight = 0.9", "weight = 1.5");
        let errors = parse("drugs.toml", &bad).unwrap_err();
        assert_eq!(errors[0].line, 13);
        assert!(
            errors[0]
                .to_string()
                .contains("drugs.toml:13: drugs: weight 1.5"),
            "{}",
            errors[0]
        );

        let unknown = FILE.replace("leet = false", "leat = false");
        let errors = parse("drugs.toml", &unknown).unwrap_err();
        assert_eq!(errors[0].line, 8, "{}", errors[0]);
        assert!(errors[0].message.contains("leat"), "{}", errors[0]);
    }
}
