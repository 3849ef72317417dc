//! Rule files (`rules/rules/*.toml`) as written, before names are resolved.

use serde::Deserialize;
use toml::Spanned;

use super::atom::{self, AtomSpec};
use crate::error::{CompileError, line_of};
use crate::pattern::is_pattern_id;
use crate::signal::{RuleState, Severity};

/// One rule, parsed.
#[derive(Clone, Debug)]
pub struct RuleSpec {
    pub id: String,
    pub category: String,
    pub severity: Severity,
    pub state: RuleState,
    pub description: String,
    pub all: Vec<AtomSpec>,
    pub any: Vec<AtomSpec>,
    pub min_any: usize,
    pub none: Vec<AtomSpec>,
    pub min_score: f32,
    pub must_match: Vec<String>,
    pub must_not_match: Vec<String>,
    pub file: String,
    pub line: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSpec {
    #[serde(default)]
    rule: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Spanned<String>,
    category: String,
    severity: Severity,
    #[serde(default = "live")]
    state: RuleState,
    description: String,
    #[serde(default)]
    all: Vec<Spanned<String>>,
    #[serde(default)]
    any: Vec<Spanned<String>>,
    min_any: Option<usize>,
    #[serde(default)]
    none: Vec<Spanned<String>>,
    #[serde(default)]
    min_score: f32,
    #[serde(default)]
    must_match: Vec<String>,
    #[serde(default)]
    must_not_match: Vec<String>,
}

fn live() -> RuleState {
    RuleState::Live
}

/// Read one rule file.
pub fn parse(file: &str, content: &str) -> Result<Vec<RuleSpec>, Vec<CompileError>> {
    let spec: FileSpec =
        toml::from_str(content).map_err(|error| vec![CompileError::toml(file, content, &error)])?;
    let mut errors = Vec::new();
    let mut rules = Vec::new();
    for raw in spec.rule {
        let line = line_of(content, raw.id.span().start);
        let id = raw.id.get_ref().clone();
        let mut error = |line: usize, message: String| {
            errors.push(CompileError::new(file, line, Some(&id), message));
        };
        if !is_pattern_id(&id) {
            error(
                line,
                "a rule id is lowercase letters, digits, _ and . (e.g. \"drugs.sale\")".into(),
            );
        }
        if raw.description.trim().is_empty() {
            error(
                line,
                "a rule needs a description: it opens every explanation".into(),
            );
        }
        if !(0.0..=1.0).contains(&raw.min_score) {
            error(
                line,
                format!("min_score {} is outside 0..=1", raw.min_score),
            );
        }
        let mut atoms = |list: &[Spanned<String>]| -> Vec<AtomSpec> {
            list.iter()
                .filter_map(|text| match atom::parse(text.get_ref()) {
                    Ok(atom) => Some(atom),
                    Err(message) => {
                        error(line_of(content, text.span().start), message);
                        None
                    }
                })
                .collect()
        };
        let all = atoms(&raw.all);
        let any = atoms(&raw.any);
        let none = atoms(&raw.none);
        if raw.all.is_empty() && raw.any.is_empty() {
            errors.push(CompileError::new(
                file,
                line,
                Some(&id),
                "a rule needs at least one condition in all or any",
            ));
        }
        let min_any = raw.min_any.unwrap_or(usize::from(!raw.any.is_empty()));
        if min_any > raw.any.len() {
            errors.push(CompileError::new(
                file,
                line,
                Some(&id),
                format!(
                    "min_any is {min_any} but any has {} conditions",
                    raw.any.len()
                ),
            ));
        }
        rules.push(RuleSpec {
            id: id.clone(),
            category: raw.category,
            severity: raw.severity,
            state: raw.state,
            description: raw.description,
            all,
            any,
            min_any,
            none,
            min_score: raw.min_score,
            must_match: raw.must_match,
            must_not_match: raw.must_not_match,
            file: file.to_owned(),
            line,
        });
    }
    if errors.is_empty() {
        Ok(rules)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_condition_names_its_line() {
        let content = r#"
[[rule]]
id = "drugs.sale"
category = "drugs"
severity = "high"
description = "x"
all = ["lexicon:drugs",
       "entity:fax"]
"#;
        let errors = parse("r.toml", content).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0]
                .to_string()
                .starts_with("r.toml:8: drugs.sale: \"entity:fax\""),
            "{}",
            errors[0]
        );
    }

    #[test]
    fn unknown_fields_and_severities_are_refused() {
        let content = "[[rule]]\nid = \"a\"\ncategory = \"drugs\"\nseverity = \"huge\"\ndescription = \"x\"\nall = [\"meta:room\"]\n";
        let errors = parse("r.toml", content).unwrap_err();
        assert_eq!(errors[0].line, 4, "{}", errors[0]);
        assert!(errors[0].message.contains("huge"), "{}", errors[0]);
    }
}
