//! From the files of a ruleset folder to a [`Ruleset`].

use sha2::{Digest, Sha256};

use super::atom::AtomSpec;
use super::eval::Atom;
use super::ports::Extractors;
use super::ports::Hashes as HashMatcher;
use super::spec::{self, RuleSpec};
use super::{Rule, Ruleset};
use crate::classify::Model;
use crate::error::{CompileError, CompileErrors};
use crate::lexicon::{self, matcher::LexiconSet};
use crate::normalize::Steps;
use crate::pattern::{self, PatternSet};

/// One text file of a ruleset, as the caller read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFile {
    /// The path to name in errors (e.g. `rules/lexicons/drugs.toml`).
    pub path: String,
    pub content: String,
}

/// Everything a ruleset is made of. The caller reads the folder (see
/// `rules/README.md` for its layout); compiling does no I/O.
#[derive(Clone, Debug, Default)]
pub struct RulesetInput {
    pub lexicons: Vec<SourceFile>,
    pub patterns: Vec<SourceFile>,
    pub rules: Vec<SourceFile>,
    /// Classifier models: name (the file stem) and bytes.
    pub models: Vec<(String, Vec<u8>)>,
    /// Known-bad domain lists: one domain per line (`.txt`) or the
    /// eth-phishing-detect configuration (`.json`).
    pub domain_lists: Vec<SourceFile>,
    /// Image hash lists: one hex hash per line, optional `,label`.
    pub hash_lists: Vec<SourceFile>,
    /// The taxonomy's category ids; rules must use one of them. `None`
    /// skips the check.
    pub categories: Option<Vec<String>>,
}

impl RulesetInput {
    /// The content hash of every input: the ruleset's version. Files count
    /// by their name within their kind, not by the folder they were read
    /// from, so a copy of a ruleset has the same version.
    pub fn version(&self) -> String {
        let mut hasher = Sha256::new();
        let mut add = |kind: &str, name: &str, bytes: &[u8]| {
            for part in [kind.as_bytes(), name.as_bytes(), bytes] {
                hasher.update((part.len() as u64).to_le_bytes());
                hasher.update(part);
            }
        };
        let mut files: Vec<(&str, &SourceFile)> = Vec::new();
        for (kind, list) in [
            ("lexicon", &self.lexicons),
            ("pattern", &self.patterns),
            ("rule", &self.rules),
            ("domains", &self.domain_lists),
            ("hashes", &self.hash_lists),
        ] {
            files.extend(list.iter().map(|file| (kind, file)));
        }
        let name = |file: &SourceFile| -> String {
            file.path
                .rsplit(['/', '\\'])
                .next()
                .unwrap_or(&file.path)
                .to_owned()
        };
        let mut files: Vec<(&str, String, &SourceFile)> = files
            .into_iter()
            .map(|(kind, file)| (kind, name(file), file))
            .collect();
        files.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        for (kind, name, file) in files {
            add(kind, &name, file.content.as_bytes());
        }
        let mut models: Vec<&(String, Vec<u8>)> = self.models.iter().collect();
        models.sort_by(|a, b| a.0.cmp(&b.0));
        for (name, bytes) in models {
            add("model", name, bytes);
        }
        let digest = hasher.finalize();
        hex::encode(&digest[..8])
    }
}

impl Ruleset {
    /// Compile a ruleset; on failure, every error found, each naming its
    /// file, line and id.
    pub fn compile(input: &RulesetInput) -> Result<Ruleset, CompileErrors> {
        let mut errors: Vec<CompileError> = Vec::new();

        let mut lexicons = Vec::new();
        for file in &input.lexicons {
            match lexicon::parse(&file.path, &file.content) {
                Ok(lexicon) => lexicons.push(lexicon),
                Err(more) => errors.extend(more),
            }
        }
        let mut patterns = Vec::new();
        for file in &input.patterns {
            match pattern::parse(&file.path, &file.content) {
                Ok(more) => patterns.extend(more),
                Err(more) => errors.extend(more),
            }
        }
        let mut specs = Vec::new();
        for file in &input.rules {
            match spec::parse(&file.path, &file.content) {
                Ok(more) => specs.extend(more),
                Err(more) => errors.extend(more),
            }
        }
        let mut classifiers = Vec::new();
        for (name, bytes) in &input.models {
            match Model::from_bytes(bytes) {
                Ok(model) => classifiers.push((name.clone(), model)),
                Err(error) => errors.push(CompileError::new(
                    name,
                    0,
                    None,
                    format!("classifier model: {error}"),
                )),
            }
        }
        let mut extractors = Extractors::new();
        for file in &input.domain_lists {
            if let Err(error) = extractors.add_domain_list(&file.path, &file.content) {
                errors.push(CompileError::new(&file.path, 0, None, error));
            }
        }
        let mut hashes = HashMatcher::default();
        for file in &input.hash_lists {
            for (line, message) in hashes.add_list(&file.path, &file.content) {
                errors.push(CompileError::new(&file.path, line, None, message));
            }
        }
        hashes.finish();
        if let Some(categories) = &input.categories {
            for lexicon in &lexicons {
                if lexicon.category != "common" && !categories.contains(&lexicon.category) {
                    errors.push(CompileError::new(
                        &lexicon.file,
                        0,
                        Some(&lexicon.id),
                        format!("category {:?} is not in the taxonomy", lexicon.category),
                    ));
                }
            }
        }

        let lexicon_set = LexiconSet::compile(&lexicons);
        let pattern_set = PatternSet::compile(&patterns);
        let (lexicon_set, pattern_set) = match (lexicon_set, pattern_set) {
            (Ok(l), Ok(p)) => (l, p),
            (l, p) => {
                errors.extend(l.err().unwrap_or_default());
                errors.extend(p.err().unwrap_or_default());
                return Err(CompileErrors(errors));
            }
        };

        let mut ruleset = Ruleset {
            version: input.version(),
            steps: Vec::new(),
            pattern_text: 0,
            needs_entities: false,
            lexicons: lexicon_set,
            patterns: pattern_set,
            rules: Vec::new(),
            extractors,
            classifiers,
            hashes,
        };
        ruleset.steps = ruleset.lexicons.steps().copied().collect();
        ruleset.pattern_text = match ruleset.steps.iter().position(|s| *s == Steps::all()) {
            Some(at) => at,
            None => {
                ruleset.steps.push(Steps::all());
                ruleset.steps.len() - 1
            }
        };

        for steps in &ruleset.steps {
            crate::normalize::warm(steps);
        }

        let mut seen = std::collections::HashMap::new();
        for spec in &specs {
            if let Some((file, line)) = seen.insert(spec.id.clone(), (spec.file.clone(), spec.line))
            {
                errors.push(CompileError::new(
                    &spec.file,
                    spec.line,
                    Some(&spec.id),
                    format!("rule id used twice (also at {file}:{line})"),
                ));
                continue;
            }
            if let Some(categories) = &input.categories
                && !categories.contains(&spec.category)
            {
                errors.push(CompileError::new(
                    &spec.file,
                    spec.line,
                    Some(&spec.id),
                    format!("category {:?} is not in the taxonomy", spec.category),
                ));
            }
            match resolve(&ruleset, spec) {
                Ok(rule) => ruleset.rules.push(rule),
                Err(more) => errors.extend(more),
            }
        }
        if !errors.is_empty() {
            return Err(CompileErrors(errors));
        }
        ruleset.needs_entities = ruleset
            .rules
            .iter()
            .flat_map(|rule| rule.all.iter().chain(&rule.any).chain(&rule.none))
            .any(|atom| matches!(atom, Atom::Entity { .. }));
        Ok(ruleset)
    }
}

/// A list's name: its file stem.
pub(crate) fn list_name(path: &str) -> String {
    let file = path.rsplit(['/', '\\']).next().unwrap_or(path);
    file.split('.').next().unwrap_or(file).to_owned()
}

fn resolve(ruleset: &Ruleset, spec: &RuleSpec) -> Result<Rule, Vec<CompileError>> {
    let mut errors = Vec::new();
    let mut atoms = |list: &[AtomSpec]| -> Vec<Atom> {
        list.iter()
            .filter_map(|atom| match resolve_atom(ruleset, atom) {
                Ok(atom) => Some(atom),
                Err(message) => {
                    errors.push(CompileError::new(
                        &spec.file,
                        spec.line,
                        Some(&spec.id),
                        message,
                    ));
                    None
                }
            })
            .collect()
    };
    let all = atoms(&spec.all);
    let any = atoms(&spec.any);
    let none = atoms(&spec.none);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Rule {
        id: spec.id.clone(),
        category: spec.category.clone(),
        severity: spec.severity,
        state: spec.state,
        description: spec.description.clone(),
        all,
        any,
        min_any: spec.min_any,
        none,
        min_score: spec.min_score,
        must_match: spec.must_match.clone(),
        must_not_match: spec.must_not_match.clone(),
        file: spec.file.clone(),
        line: spec.line,
    })
}

fn resolve_atom(ruleset: &Ruleset, atom: &AtomSpec) -> Result<Atom, String> {
    Ok(match atom {
        AtomSpec::Lexicon { lexicon, kinds } => {
            let index = if lexicon == "*" {
                None
            } else {
                Some(
                    ruleset
                        .lexicons
                        .lexicon(lexicon)
                        .ok_or_else(|| format!("unknown lexicon {lexicon:?}"))?,
                )
            };
            let kinds = kinds
                .iter()
                .map(|kind| {
                    ruleset
                        .lexicons
                        .kind(kind)
                        .ok_or_else(|| format!("no lexicon has terms of kind {kind:?}"))
                })
                .collect::<Result<Vec<_>, _>>()?;
            Atom::Lexicon {
                lexicon: index,
                kinds,
            }
        }
        AtomSpec::Pattern { id, prefix } => {
            let matching: Vec<u32> = ruleset
                .patterns
                .patterns
                .iter()
                .enumerate()
                .filter(|(_, p)| {
                    if *prefix {
                        p.id.starts_with(id.as_str())
                    } else {
                        p.id == *id
                    }
                })
                .filter_map(|(i, _)| u32::try_from(i).ok())
                .collect();
            if matching.is_empty() {
                return Err(format!(
                    "no pattern {}{}",
                    id,
                    if *prefix { "*" } else { "" }
                ));
            }
            Atom::Pattern(matching)
        }
        AtomSpec::Entity { kind, detail } => Atom::Entity {
            kind: kind.clone(),
            detail: detail.clone(),
        },
        AtomSpec::Classifier { name, min } => Atom::Classifier {
            index: ruleset.classifier(name).ok_or_else(|| {
                format!("no classifier model {name:?} (put {name}.model in the ruleset's models/)")
            })?,
            min: *min,
        },
        AtomSpec::Hash { list } => {
            if list != "*" && !ruleset.hashes.has_list(list) {
                return Err(format!(
                    "no hash list {list:?} (put {list}.txt in the ruleset's lists/hashes/)"
                ));
            }
            Atom::Hash {
                list: (list != "*").then(|| list.clone()),
            }
        }
        AtomSpec::Meta(meta) => Atom::Meta(meta.clone()),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn list_names_are_file_stems() {
        assert_eq!(
            super::list_name("rules/lists/domains/phishing.json"),
            "phishing"
        );
        assert_eq!(super::list_name("x.txt"), "x");
    }
}
