//! Reading a ruleset folder (`rules/` by default; layout in
//! `rules/README.md`) into a compiled [`Ruleset`].
//!
//! The detection engine does no I/O, so this is where the files are found
//! and read, each under a size cap, in a stable order (sorted by path) so
//! the version hash does not depend on the file system's listing order.

use anyhow::{Context, bail};
use harrier_core::bounded::read_file;
use harrier_core::taxonomy::Taxonomy;
use harrier_detect::rules::{Ruleset, RulesetInput, SourceFile};
use std::path::{Path, PathBuf};

/// Largest ruleset text file (lexicon, pattern, rule, list) read.
const TEXT_CAP: u64 = 64 * 1024 * 1024;
/// Largest classifier model read.
const MODEL_CAP: u64 = 256 * 1024 * 1024;

/// Read every file of the ruleset folder at `dir`.
pub fn read(dir: &Path) -> anyhow::Result<RulesetInput> {
    if !dir.is_dir() {
        bail!(
            "no ruleset folder at {} (give one with --rules DIR; the shipped one is rules/ in the source tree)",
            dir.display()
        );
    }
    let taxonomy = Taxonomy::shipped().context("the shipped taxonomy does not load")?;
    Ok(RulesetInput {
        lexicons: texts(dir, "lexicons", &["toml"])?,
        patterns: texts(dir, "patterns", &["toml"])?,
        rules: texts(dir, "rules", &["toml"])?,
        models: files(&dir.join("models"), &["model"])?
            .into_iter()
            .map(|path| {
                let bytes = read_file(&path, MODEL_CAP)
                    .with_context(|| format!("could not read {}", path.display()))?;
                Ok((stem(&path), bytes))
            })
            .collect::<anyhow::Result<_>>()?,
        domain_lists: texts(dir, "lists/domains", &["txt", "json"])?,
        hash_lists: texts(dir, "lists/hashes", &["txt"])?,
        categories: Some(taxonomy.categories().iter().map(|c| c.id.clone()).collect()),
    })
}

/// Read and compile; compile errors are listed one per line.
pub fn load(dir: &Path) -> anyhow::Result<Ruleset> {
    let input = read(dir)?;
    Ruleset::compile(&input).map_err(|errors| {
        anyhow::anyhow!(
            "the ruleset in {} does not compile:\n{errors}",
            dir.display()
        )
    })
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The files with one of `extensions` directly in `dir`, sorted; none when
/// the folder does not exist.
fn files(dir: &Path, extensions: &[&str]) -> anyhow::Result<Vec<PathBuf>> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for entry in
        std::fs::read_dir(dir).with_context(|| format!("could not list {}", dir.display()))?
    {
        let path = entry?.path();
        let wanted = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| extensions.contains(&e));
        if wanted && path.is_file() {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

fn texts(dir: &Path, sub: &str, extensions: &[&str]) -> anyhow::Result<Vec<SourceFile>> {
    files(&dir.join(sub), extensions)?
        .into_iter()
        .map(|path| {
            let bytes = read_file(&path, TEXT_CAP)
                .with_context(|| format!("could not read {}", path.display()))?;
            let content = String::from_utf8(bytes)
                .with_context(|| format!("{} is not UTF-8", path.display()))?;
            Ok(SourceFile {
                path: path.display().to_string(),
                content,
            })
        })
        .collect()
}
