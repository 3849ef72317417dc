//! The category taxonomy (`taxonomy.toml`): what Harrier acts on, and how each
//! category maps to the EU DSA Transparency Database.
//!
//! The file is data, not code, so that adding a category is a reviewed
//! configuration change. Categories for political opinion, religion or
//! "rumours" are refused at load time.

use serde::Deserialize;
use thiserror::Error;

/// The taxonomy shipped with Harrier.
pub const DEFAULT_TAXONOMY: &str = include_str!("../../../taxonomy.toml");

/// Ids that must never become categories: Harrier does not police opinion.
const FORBIDDEN: [&str; 6] = [
    "political",
    "politics",
    "religion",
    "religious",
    "rumour",
    "rumor",
];

#[derive(Debug, Error)]
pub enum TaxonomyError {
    #[error("taxonomy is not valid TOML: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("taxonomy version {0} is not supported (expected 1)")]
    Version(u32),
    #[error("taxonomy category {0:?} is listed twice")]
    Duplicate(String),
    #[error(
        "taxonomy category {0:?} is not allowed: Harrier has no categories for opinion, religion or rumours"
    )]
    Forbidden(String),
    #[error("taxonomy category {id:?}: {problem}")]
    Invalid { id: String, problem: String },
    #[error("taxonomy has no categories")]
    Empty,
}

/// One entry of the taxonomy.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub id: String,
    pub name_en: String,
    pub name_zh: String,
    pub description_en: String,
    pub description_zh: String,
    pub severity: u8,
    pub sla_hours: u32,
    pub dsa_category: String,
    pub dsa_keyword: String,
}

impl Category {
    /// The name in the given language (`zh` or anything else for English).
    pub fn name(&self, lang: &str) -> &str {
        if lang == "zh" {
            &self.name_zh
        } else {
            &self.name_en
        }
    }

    pub fn description(&self, lang: &str) -> &str {
        if lang == "zh" {
            &self.description_zh
        } else {
            &self.description_en
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TaxonomyFile {
    version: u32,
    category: Vec<Category>,
}

/// The loaded, checked taxonomy, in file order.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    categories: Vec<Category>,
}

impl Taxonomy {
    pub fn parse(text: &str) -> Result<Self, TaxonomyError> {
        let file: TaxonomyFile = toml::from_str(text)?;
        if file.version != 1 {
            return Err(TaxonomyError::Version(file.version));
        }
        if file.category.is_empty() {
            return Err(TaxonomyError::Empty);
        }
        let mut seen = std::collections::HashSet::new();
        for c in &file.category {
            if !seen.insert(c.id.as_str()) {
                return Err(TaxonomyError::Duplicate(c.id.clone()));
            }
            let lowered = c.id.to_lowercase();
            if FORBIDDEN.iter().any(|f| lowered.contains(f)) {
                return Err(TaxonomyError::Forbidden(c.id.clone()));
            }
            let invalid = |problem: &str| TaxonomyError::Invalid {
                id: c.id.clone(),
                problem: problem.to_owned(),
            };
            if c.id.is_empty() || !c.id.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
                return Err(invalid("id must be snake_case ascii"));
            }
            if !(1..=5).contains(&c.severity) {
                return Err(invalid("severity must be 1 to 5"));
            }
            if c.sla_hours == 0 {
                return Err(invalid("sla_hours must be positive"));
            }
            if !c.dsa_category.starts_with("STATEMENT_CATEGORY_") {
                return Err(invalid("dsa_category must be a STATEMENT_CATEGORY_* value"));
            }
            if !c.dsa_keyword.starts_with("KEYWORD_") {
                return Err(invalid("dsa_keyword must be a KEYWORD_* value"));
            }
        }
        Ok(Self {
            categories: file.category,
        })
    }

    /// The taxonomy shipped in the repository.
    pub fn shipped() -> Result<Self, TaxonomyError> {
        Self::parse(DEFAULT_TAXONOMY)
    }

    pub fn get(&self, id: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.id == id)
    }

    pub fn categories(&self) -> &[Category] {
        &self.categories
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_taxonomy_loads_and_maps_every_category() {
        let t = Taxonomy::shipped().unwrap();
        assert_eq!(t.categories().len(), 12);
        assert!(t.get("drugs").is_some());
        assert_eq!(t.get("child_sexual_exploitation").unwrap().sla_hours, 24);
    }

    #[test]
    fn a_category_for_opinion_is_refused() {
        let text = DEFAULT_TAXONOMY.replacen("id = \"drugs\"", "id = \"political_speech\"", 1);
        assert!(matches!(
            Taxonomy::parse(&text),
            Err(TaxonomyError::Forbidden(_))
        ));
    }

    #[test]
    fn duplicate_ids_are_refused() {
        let text = DEFAULT_TAXONOMY.replacen("id = \"firearms_explosives\"", "id = \"drugs\"", 1);
        assert!(matches!(
            Taxonomy::parse(&text),
            Err(TaxonomyError::Duplicate(_))
        ));
    }
}
