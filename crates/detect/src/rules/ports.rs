//! The ruleset's view of the extractors and the image hash lists.
//!
//! Rules see entities and hash matches through these small types, so the
//! rule engine does not depend on how `extract` and `hash` lay theirs out.

use crate::extract::{self, DomainList};
use crate::hash::{HashKind, HashList, HashMatcher};
use crate::item::Item;

pub(crate) use crate::extract::Entity;

/// The extractors with the ruleset's known-bad domain lists.
#[derive(Debug, Default)]
pub(crate) struct Extractors {
    inner: extract::Extractors,
}

impl Extractors {
    pub(crate) fn new() -> Self {
        Self {
            inner: extract::Extractors::new(),
        }
    }

    /// Add a list: eth-phishing-detect's configuration (`.json`) or one
    /// domain per line, named after its file.
    pub(crate) fn add_domain_list(&mut self, path: &str, content: &str) -> Result<(), String> {
        let list = if path.ends_with(".json") {
            DomainList::from_eth_phishing_json(content).map_err(|error| error.to_string())?
        } else {
            DomainList::from_lines(&super::compile::list_name(path), content)
        };
        let inner = std::mem::take(&mut self.inner);
        self.inner = inner.with_domain_list(list);
        Ok(())
    }

    pub(crate) fn listed_domains(&self) -> usize {
        self.inner.lists().iter().map(DomainList::len).sum()
    }

    pub(crate) fn extract_into(&self, text: &str, out: &mut Vec<Entity>) {
        self.inner.extract_into(text, out);
    }
}

/// An attached image found on a hash list.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct HashMatch {
    pub(crate) list: String,
    pub(crate) label: Option<String>,
    /// Hamming distance (0 for SHA-256).
    pub(crate) distance: u32,
    pub(crate) kind: &'static str,
    /// Position of the image in the item.
    pub(crate) image: usize,
}

impl HashMatch {
    pub(crate) fn weight(&self) -> f32 {
        1.0 - (self.distance as f32 / 64.0).min(1.0)
    }

    pub(crate) fn describe(&self) -> String {
        let mut text = format!(
            "image {} on hash list {} ({} distance {})",
            self.image + 1,
            self.list,
            self.kind,
            self.distance
        );
        if let Some(label) = &self.label {
            text.push_str(&format!(": {label}"));
        }
        text
    }
}

/// The ruleset's image hash lists: `lists/hashes/NAME.pdq.txt` and
/// `NAME.sha256.txt`.
#[derive(Default)]
pub(crate) struct Hashes {
    lists: Vec<HashList>,
    matcher: Option<HashMatcher>,
}

impl std::fmt::Debug for Hashes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hashes")
            .field("lists", &self.lists.len())
            .finish()
    }
}

impl Hashes {
    /// Import one list file; bad lines come back with their line numbers.
    pub(crate) fn add_list(&mut self, path: &str, content: &str) -> Vec<(usize, String)> {
        let name = super::compile::list_name(path);
        let file = path.rsplit(['/', '\\']).next().unwrap_or(path);
        let kind = if file.ends_with(".pdq.txt") {
            HashKind::Pdq
        } else if file.ends_with(".sha256.txt") {
            HashKind::Sha256
        } else {
            return vec![(0, "name hash lists NAME.pdq.txt or NAME.sha256.txt".into())];
        };
        match HashList::import(&name, kind, content) {
            Ok(import) => {
                let mut errors: Vec<(usize, String)> = import
                    .errors
                    .iter()
                    .map(|e| (e.line, e.kind.to_string()))
                    .collect();
                if import.unreported_errors > 0 {
                    errors.push((
                        0,
                        format!("and {} more bad lines", import.unreported_errors),
                    ));
                }
                self.lists.push(import.list);
                errors
            }
            Err(error) => vec![(0, error.to_string())],
        }
    }

    /// Build the matcher once every list is in.
    pub(crate) fn finish(&mut self) {
        self.matcher = Some(HashMatcher::new(std::mem::take(&mut self.lists)));
    }

    fn all_lists(&self) -> &[HashList] {
        match &self.matcher {
            Some(matcher) => matcher.lists(),
            None => &self.lists,
        }
    }

    pub(crate) fn has_list(&self, name: &str) -> bool {
        self.all_lists().iter().any(|list| list.id() == name)
    }

    pub(crate) fn len(&self) -> usize {
        self.all_lists().iter().map(HashList::len).sum()
    }

    pub(crate) fn match_images(&self, item: &Item, out: &mut Vec<HashMatch>) {
        let Some(matcher) = &self.matcher else { return };
        if item.images.is_empty() {
            return;
        }
        for found in matcher.match_item(item).matches {
            out.push(HashMatch {
                list: found.list.to_owned(),
                label: found.entry.label.clone(),
                distance: found.distance,
                kind: match found.kind {
                    HashKind::Pdq => "pdq",
                    HashKind::Sha256 => "sha256",
                },
                image: found.image,
            });
        }
    }
}
