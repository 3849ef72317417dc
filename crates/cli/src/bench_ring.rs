//! `harrier bench neardup`: the W4 benchmark's Harrier side.
//!
//! Reads short texts (one a line), turns each into its shingle set with the
//! ring engine's shingler (timed apart: `shingle_seconds`), optionally
//! writes the sets for the Python peers (`--tokens-out`: each shingle hash
//! as hex, so they MinHash exactly the same sets), finds the true pairs
//! (Jaccard ≥ the threshold, exactly, by prefix filtering; `--truth-out`),
//! and then times on one thread the batch band join that `analyze` uses
//! (every text's MinHash signature, 128 functions; its 21 x 6 LSH bands,
//! each band's keys radix-sorted; every candidate pair checked against the
//! exact Jaccard similarity), and then the streaming index (for each text
//! in order: signature, query of the bands against all earlier texts,
//! checks, insertion). Prints one JSON line: inserts plus queries per
//! second (two per text) and recall of the true pairs for both (precision
//! is 1: every reported pair was checked).
//!
//! Texts with fewer than 4 shingles are not indexed (see
//! `ring::neardup`); the true pairs are counted among the others.

use crate::lines::{Line, next_line};
use anyhow::Context;
use harrier_detect::ring::bands::{BandJoin, Output};
use harrier_detect::ring::minhash::Banding;
use harrier_detect::ring::neardup::{NearDup, NearDupConfig};
use harrier_detect::ring::shingle::{ShingleScratch, Shingler, TextFeatures, jaccard};
use rustc_hash::{FxHashMap, FxHashSet};
use std::io::{BufReader, BufWriter, Write};
use std::path::Path;

#[derive(clap::Args, Debug)]
pub struct NearDupArgs {
    /// One text a line.
    #[arg(long)]
    pub texts: std::path::PathBuf,
    /// Use at most this many texts.
    #[arg(long)]
    pub limit: Option<usize>,
    #[arg(long, default_value_t = 0.7)]
    pub threshold: f64,
    /// Write each text's shingle hashes (hex, space-separated) here.
    #[arg(long)]
    pub tokens_out: Option<std::path::PathBuf>,
    /// Write the true pairs ("i j", i < j, 0-based lines) here.
    #[arg(long)]
    pub truth_out: Option<std::path::PathBuf>,
    /// LSH bands and rows per band (bands x rows <= 128).
    #[arg(long, default_value_t = 21)]
    pub bands: usize,
    #[arg(long, default_value_t = 6)]
    pub rows: usize,
    /// Also time the streaming index.
    #[arg(long)]
    pub streaming: bool,
    /// Read the true pairs from this file (written by --truth-out for the
    /// same texts and limit) instead of finding them again.
    #[arg(long)]
    pub truth: Option<std::path::PathBuf>,
}

pub fn run(args: &NearDupArgs) -> anyhow::Result<()> {
    let texts = read_texts(&args.texts, args.limit)?;
    let banding = Banding::new(args.bands, args.rows)
        .context("--bands x --rows must be at least 1 and at most 128")?;
    let config = NearDupConfig {
        threshold: args.threshold,
        banding,
        ..NearDupConfig::default()
    };

    #[allow(clippy::disallowed_methods)] // a benchmark measures wall time
    let started = std::time::Instant::now();
    let shingler = Shingler::default();
    let mut scratch = ShingleScratch::default();
    let mut features = TextFeatures::default();
    let sets: Vec<Vec<u64>> = texts
        .iter()
        .map(|text| {
            shingler.features_into(text, &mut scratch, &mut features);
            std::mem::take(&mut features.shingles)
        })
        .collect();
    let shingle_seconds = started.elapsed().as_secs_f64();
    drop(texts);

    if let Some(path) = &args.tokens_out {
        let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
        for set in &sets {
            let words: Vec<String> = set.iter().map(|h| format!("{h:x}")).collect();
            writeln!(out, "{}", words.join(" "))?;
        }
        out.flush()?;
    }

    #[allow(clippy::disallowed_methods)] // a benchmark measures wall time
    let truth_started = std::time::Instant::now();
    let truth = match &args.truth {
        Some(path) => read_pairs(path)?,
        None => true_pairs(&sets, args.threshold, config.min_shingles),
    };
    let truth_seconds = truth_started.elapsed().as_secs_f64();
    if let Some(path) = &args.truth_out {
        let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
        let mut sorted: Vec<&(u32, u32)> = truth.iter().collect();
        sorted.sort_unstable();
        for (a, b) in sorted {
            writeln!(out, "{a} {b}")?;
        }
        out.flush()?;
    }

    // The batch join (what `analyze` uses), then the streaming index.
    let span = vec![(0i64, 0i64); sets.len()];
    #[allow(clippy::disallowed_methods)] // a benchmark measures wall time
    let run_started = std::time::Instant::now();
    let join = BandJoin::run(&sets, &span, None, &config, Output::Pairs);
    let seconds = run_started.elapsed().as_secs_f64();
    let reported = join.pairs.len();
    let found = join
        .pairs
        .iter()
        .filter(|(a, b, _)| truth.contains(&(*a, *b)))
        .count();

    let (mut streaming_seconds, mut streaming_found) = (f64::NAN, 0usize);
    if args.streaming {
        let mut index = NearDup::new(config, None, &sets);
        let mut pairs = Vec::new();
        #[allow(clippy::disallowed_methods)] // a benchmark measures wall time
        let streaming_started = std::time::Instant::now();
        for i in 0..sets.len() as u32 {
            pairs.clear();
            index.insert_reporting(i, 0, &mut pairs);
            streaming_found += pairs
                .iter()
                .filter(|(other, _)| truth.contains(&(*other, i)))
                .count();
        }
        streaming_seconds = streaming_started.elapsed().as_secs_f64();
    }
    let n = sets.len();
    let report = serde_json::json!({
        "engine": "harrier",
        "texts": n,
        "indexed": sets.iter().filter(|s| s.len() >= config.min_shingles).count(),
        "bands": config.banding.bands,
        "rows": config.banding.rows,
        "threshold": args.threshold,
        "seconds": seconds,
        "ops_per_sec": 2.0 * n as f64 / seconds,
        "texts_per_sec": n as f64 / seconds,
        "shingle_seconds": shingle_seconds,
        "texts_per_sec_with_shingling": n as f64 / (seconds + shingle_seconds),
        "true_pairs": truth.len(),
        "truth_seconds": truth_seconds,
        "reported_pairs": reported,
        "found_true_pairs": found,
        "recall": if truth.is_empty() { 1.0 } else { found as f64 / truth.len() as f64 },
        "checks": join.checks,
        "candidates": join.candidates,
        "streaming_seconds": streaming_seconds,
        "streaming_ops_per_sec": 2.0 * n as f64 / streaming_seconds,
        "streaming_recall": if truth.is_empty() { 1.0 } else { streaming_found as f64 / truth.len() as f64 },
        "peak_rss_mb": crate::bench_detect::peak_rss_mb(),
    });
    println!("{report}");
    Ok(())
}

fn read_texts(path: &Path, limit: Option<usize>) -> anyhow::Result<Vec<String>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("could not open {}", path.display()))?;
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut buffer = Vec::new();
    let mut texts = Vec::new();
    while let Some(line) = next_line(&mut reader, crate::scan::MAX_LINE_BYTES, &mut buffer)? {
        if limit.is_some_and(|limit| texts.len() >= limit) {
            break;
        }
        texts.push(match line {
            Line::Text(text) => text,
            Line::TooLong | Line::NotUtf8 => String::new(),
        });
    }
    Ok(texts)
}

fn read_pairs(path: &Path) -> anyhow::Result<FxHashSet<(u32, u32)>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("could not open {}", path.display()))?;
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut buffer = Vec::new();
    let mut pairs = FxHashSet::default();
    while let Some(Line::Text(line)) = next_line(&mut reader, 64, &mut buffer)? {
        let mut parts = line.split(' ').map(str::parse::<u32>);
        if let (Some(Ok(a)), Some(Ok(b))) = (parts.next(), parts.next()) {
            pairs.insert((a, b));
        }
    }
    Ok(pairs)
}

/// Every pair `(i, j)`, `i < j`, of sets with at least `min_len` shingles
/// and Jaccard ≥ `threshold`, exactly: the AllPairs prefix filter (Bayardo
/// et al. 2007). Shingles are ranked rarest first; a pair at or above the
/// threshold must share one of the first `n - ceil(t n) + 1` ranks of the
/// larger set, and sets are visited from small to large.
fn true_pairs(sets: &[Vec<u64>], threshold: f64, min_len: usize) -> FxHashSet<(u32, u32)> {
    let mut frequency: FxHashMap<u64, u32> = FxHashMap::default();
    for set in sets.iter().filter(|s| s.len() >= min_len) {
        for &h in set {
            *frequency.entry(h).or_default() += 1;
        }
    }
    let mut by_rarity: Vec<(u32, u64)> = frequency.iter().map(|(&h, &f)| (f, h)).collect();
    by_rarity.sort_unstable();
    let rank: FxHashMap<u64, u32> = by_rarity
        .iter()
        .enumerate()
        .map(|(r, &(_, h))| (h, r as u32))
        .collect();
    drop(frequency);
    let ranked: Vec<Vec<u32>> = sets
        .iter()
        .map(|set| {
            if set.len() < min_len {
                return Vec::new();
            }
            let mut r: Vec<u32> = set.iter().filter_map(|h| rank.get(h).copied()).collect();
            r.sort_unstable();
            r
        })
        .collect();
    let mut order: Vec<u32> = (0..sets.len() as u32)
        .filter(|&i| !ranked[i as usize].is_empty())
        .collect();
    order.sort_by_key(|&i| (ranked[i as usize].len(), i));
    let mut postings: Vec<Vec<u32>> = vec![Vec::new(); by_rarity.len()];
    let mut seen = vec![u32::MAX; sets.len()];
    let mut out = FxHashSet::default();
    let as_u64 = |r: &Vec<u32>| -> Vec<u64> { r.iter().map(|&x| u64::from(x)).collect() };
    for &x in &order {
        let xs = &ranked[x as usize];
        let n = xs.len();
        let prefix = n - (threshold * n as f64).ceil() as usize + 1;
        let min_size = (threshold * n as f64).ceil() as usize;
        let x64 = as_u64(xs);
        for &token in &xs[..prefix.min(n)] {
            for &y in &postings[token as usize] {
                if seen[y as usize] == x || ranked[y as usize].len() < min_size {
                    continue;
                }
                seen[y as usize] = x;
                if jaccard(&x64, &as_u64(&ranked[y as usize])) >= threshold {
                    out.insert((x.min(y), x.max(y)));
                }
            }
        }
        for &token in &xs[..prefix.min(n)] {
            postings[token as usize].push(x);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_filter_equals_brute_force() {
        let mut state = 7u64;
        let mut next = |n: u64| {
            state = harrier_detect::ring::shingle::mix64(state.wrapping_add(1));
            state % n
        };
        let mut sets: Vec<Vec<u64>> = Vec::new();
        for _ in 0..300 {
            let mut s: Vec<u64> = if !sets.is_empty() && next(2) == 0 {
                let mut s = sets[next(sets.len() as u64) as usize].clone();
                s.truncate(s.len().saturating_sub(next(3) as usize));
                s.push(next(60));
                s
            } else {
                (0..4 + next(10)).map(|_| next(60)).collect()
            };
            s.sort_unstable();
            s.dedup();
            sets.push(s);
        }
        let fast = true_pairs(&sets, 0.7, 4);
        let mut slow = FxHashSet::default();
        for i in 0..sets.len() {
            for j in i + 1..sets.len() {
                if sets[i].len() >= 4 && sets[j].len() >= 4 && jaccard(&sets[i], &sets[j]) >= 0.7 {
                    slow.insert((i as u32, j as u32));
                }
            }
        }
        assert!(!slow.is_empty());
        assert_eq!(fast, slow);
    }
}
