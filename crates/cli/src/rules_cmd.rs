//! `harrier rules check|test|coverage`: validate a ruleset folder, run its
//! examples, and measure its lexicons against a reference word list.

use anyhow::{Context, bail};
use harrier_core::bounded::read_file;
use std::path::Path;

/// `rules check`: compile and describe; every compile error names its
/// file, line and id.
pub fn check(dir: &Path) -> anyhow::Result<()> {
    let ruleset = crate::ruleset::load(dir)?;
    let stats = ruleset.stats();
    println!("ruleset {} in {}: compiles", ruleset.version, dir.display());
    println!(
        "  {} rules ({} live, {} shadow); {} lexicons with {} terms ({} automaton patterns with pinyin spellings); {} patterns; {} classifiers; {} listed domains; {} listed image hashes",
        stats.rules,
        stats.live,
        stats.shadow,
        stats.lexicons,
        stats.terms,
        stats.lexicon_patterns,
        stats.patterns,
        stats.classifiers,
        stats.domain_list_entries,
        stats.hash_list_entries
    );
    if !stats.ungated_patterns.is_empty() {
        println!(
            "  note: {} patterns have no required literal and run on every item: {}",
            stats.ungated_patterns.len(),
            stats.ungated_patterns.join(", ")
        );
    }
    Ok(())
}

/// `rules test`: every rule's `must_match` and `must_not_match` examples.
pub fn test(dir: &Path) -> anyhow::Result<()> {
    let ruleset = crate::ruleset::load(dir)?;
    let failures = ruleset.test_examples();
    let examples: usize = ruleset.example_count();
    for failure in &failures {
        println!("FAIL {failure}");
    }
    if failures.is_empty() {
        println!(
            "ruleset {}: all {examples} examples behave as written",
            ruleset.version
        );
        Ok(())
    } else {
        bail!("{} of {examples} examples failed", failures.len())
    }
}

/// Which of our lexicons each reference list is measured against.
const REFERENCE: &[(&str, &str)] = &[
    ("drugs.txt", "drugs"),
    ("firearms-explosives.txt", "firearms_explosives"),
    ("gambling.txt", "illegal_gambling"),
    ("pornography.txt", "illegal_pornography"),
    ("advertising.txt", "*"),
];

/// `rules coverage --against DIR`: for each reference list (one term or
/// phrase per line), the share of its lines in which our lexicon for that
/// category finds a term, after the same normalisation the scan uses.
pub fn coverage(dir: &Path, against: &Path, show_missed: usize) -> anyhow::Result<()> {
    let ruleset = crate::ruleset::load(dir)?;
    if !against.is_dir() {
        bail!(
            "no reference folder at {} (e.g. ../shared/data/lexicon-zh)",
            against.display()
        );
    }
    println!("| reference list | our lexicon | lines | covered | share |");
    println!("|---|---|---:|---:|---:|");
    let mut missed_all = Vec::new();
    for (file, lexicon) in REFERENCE {
        let path = against.join(file);
        if !path.exists() {
            continue;
        }
        let bytes = read_file(&path, 64 * 1024 * 1024)
            .with_context(|| format!("could not read {}", path.display()))?;
        let text = String::from_utf8_lossy(&bytes);
        let (mut lines, mut covered) = (0usize, 0usize);
        for line in text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
        {
            lines += 1;
            let hits = ruleset.lexicon_terms_in(line);
            if hits.iter().any(|(id, _)| *lexicon == "*" || id == lexicon) {
                covered += 1;
            } else if missed_all.len() < show_missed * REFERENCE.len() {
                missed_all.push(format!("{file}: {line}"));
            }
        }
        let share = if lines == 0 {
            0.0
        } else {
            covered as f64 / lines as f64
        };
        println!(
            "| {file} | {lexicon} | {lines} | {covered} | {:.1}% |",
            share * 100.0
        );
    }
    if show_missed > 0 {
        println!();
        for missed in missed_all {
            println!("missed: {missed}");
        }
    }
    Ok(())
}
