//! `harrier scan`: run the ruleset over items given as JSON lines.
//!
//! Input: one item per line (`id`, `text`, and optionally `lang`,
//! `account`, `room`, `provider`, `ts`, `images`), from a file or `-` for
//! standard input. Output: one signal per line as JSON on standard output,
//! or with `--explain` a readable block per signal. A malformed line is
//! reported on standard error with its line number and skipped; the run
//! goes on and the summary says how many were skipped.

use crate::lines::{Line, next_line};
use anyhow::Context;
use harrier_detect::item::Item;
use harrier_detect::rules::{Ruleset, Scratch};
use harrier_detect::signal::Signal;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;

/// Longest input line accepted: an item's text is cut at 64 KiB anyway,
/// and JSON escaping can at most sextuple it.
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

/// What a scan did.
#[derive(Debug, Default)]
pub struct Summary {
    pub items: u64,
    pub signals: u64,
    pub malformed: u64,
}

pub fn run(input: &str, rules: &Path, explain: bool) -> anyhow::Result<()> {
    let ruleset = crate::ruleset::load(rules)?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let summary = if input == "-" {
        let stdin = std::io::stdin();
        scan(&ruleset, &mut stdin.lock(), None, &mut out, explain)?
    } else {
        let file = std::fs::File::open(input).with_context(|| format!("could not open {input}"))?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        let bar = ProgressBar::new(size).with_style(
            ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {per_sec} eta {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        let mut reader = BufReader::with_capacity(256 * 1024, bar.wrap_read(file));
        let summary = scan(&ruleset, &mut reader, Some(&bar), &mut out, explain)?;
        bar.finish_and_clear();
        summary
    };
    out.flush()?;
    eprintln!(
        "scanned {} items with ruleset {}: {} signals, {} malformed lines skipped",
        summary.items, ruleset.version, summary.signals, summary.malformed
    );
    Ok(())
}

/// Scan every line of `reader`, writing signals to `out`.
pub fn scan(
    ruleset: &Ruleset,
    reader: &mut impl BufRead,
    bar: Option<&ProgressBar>,
    out: &mut impl Write,
    explain: bool,
) -> anyhow::Result<Summary> {
    let mut summary = Summary::default();
    let mut scratch = Scratch::default();
    let mut buffer = Vec::new();
    let mut signals = Vec::new();
    let mut number = 0u64;
    let report = |number: u64, message: &str| {
        let line = format!("line {number}: {message}, skipped");
        match bar {
            Some(bar) => bar.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    };
    while let Some(line) = next_line(reader, MAX_LINE_BYTES, &mut buffer)? {
        number += 1;
        let text = match line {
            Line::Text(text) => text,
            Line::TooLong => {
                summary.malformed += 1;
                report(number, &format!("longer than {MAX_LINE_BYTES} bytes"));
                continue;
            }
            Line::NotUtf8 => {
                summary.malformed += 1;
                report(number, "not UTF-8");
                continue;
            }
        };
        if text.trim().is_empty() {
            continue;
        }
        let item: Item = match serde_json::from_str(&text) {
            Ok(item) => item,
            Err(error) => {
                summary.malformed += 1;
                report(number, &format!("not an item: {error}"));
                continue;
            }
        };
        if item.id.is_empty() {
            summary.malformed += 1;
            report(number, "the item has an empty id");
            continue;
        }
        summary.items += 1;
        signals.clear();
        ruleset.scan_into(&item, &mut scratch, &mut signals);
        for signal in &signals {
            summary.signals += 1;
            if explain {
                write_explained(out, &item, signal)?;
            } else {
                serde_json::to_writer(&mut *out, signal)?;
                out.write_all(b"\n")?;
            }
        }
    }
    Ok(summary)
}

/// A readable block: the rule, score and summary, each span quoted in
/// context, the features with their weights.
fn write_explained(out: &mut impl Write, item: &Item, signal: &Signal) -> std::io::Result<()> {
    writeln!(
        out,
        "item {}: {} ({}, {:?}, {:?}) score {:.2}",
        item.id, signal.rule, signal.category, signal.severity, signal.state, signal.score
    )?;
    writeln!(out, "  {}", clean(signal.explanation.summary.chars()))?;
    let text = item.bounded_text();
    for span in &signal.explanation.spans {
        let before = tail(text.get(..span.start).unwrap_or(""), 12);
        let after = head(text.get(span.end..).unwrap_or(""), 12);
        writeln!(
            out,
            "  span {}..{} {}[{}]{}  <- {}",
            span.start,
            span.end,
            before,
            clean(span.text.chars()),
            after,
            clean(span.by.chars())
        )?;
    }
    for feature in &signal.explanation.features {
        writeln!(
            out,
            "  {:+.2}  {}",
            feature.weight,
            clean(feature.name.chars())
        )?;
    }
    writeln!(out, "  ruleset {}", signal.ruleset_version)?;
    writeln!(out)
}

/// The last `n` characters of `text`. Reported text is hostile: control
/// characters (terminal escapes among them) are shown as spaces.
fn tail(text: &str, n: usize) -> String {
    let count = text.chars().count();
    clean(text.chars().skip(count.saturating_sub(n)))
}

fn head(text: &str, n: usize) -> String {
    clean(text.chars().take(n))
}

fn clean(chars: impl Iterator<Item = char>) -> String {
    chars
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}
