//! `harrier bench detect`: the W1 benchmark's Harrier side.
//!
//! Loads every item into memory first (parsing is not what is measured),
//! compiles the ruleset (timed: `compile_ms`), then scans the items one by
//! one on the calling thread, timing each scan, and prints one JSON line:
//! items/s, MB/s of text, p50 and p99 per item, peak RSS, the signals. Run
//! it pinned to one core (`taskset -c 1`, as `scripts/bench-detect.sh`
//! does) so items/s is per core. With `--planted FILE` (JSON lines with an
//! `id`), it also prints how many planted items got a signal and how many
//! items with a signal were not planted.

use crate::lines::{Line, next_line};
use anyhow::Context;
use harrier_detect::item::Item;
use harrier_detect::rules::Scratch;
use std::collections::HashSet;
use std::io::BufReader;
use std::path::Path;

pub fn run(
    items_path: &Path,
    rules: &Path,
    planted: Option<&Path>,
    limit: Option<usize>,
) -> anyhow::Result<()> {
    let items = read_items(items_path, limit)?;
    let bytes: usize = items.iter().map(|item| item.bounded_text().len()).sum();

    #[allow(clippy::disallowed_methods)] // a benchmark measures wall time
    let compile_started = std::time::Instant::now();
    let ruleset = crate::ruleset::load(rules)?;
    let compile_ms = compile_started.elapsed().as_secs_f64() * 1e3;

    let mut scratch = Scratch::default();
    let mut signals = Vec::new();
    let mut latencies: Vec<u32> = Vec::with_capacity(items.len());
    let mut flagged: HashSet<usize> = HashSet::new();
    let mut signal_count = 0usize;
    // One untimed pass over a few items warms caches and lazy tables.
    for item in items.iter().take(1000) {
        signals.clear();
        ruleset.scan_into(item, &mut scratch, &mut signals);
    }
    let cpu_before = cpu_seconds();
    #[allow(clippy::disallowed_methods)] // a benchmark measures wall time
    let started = std::time::Instant::now();
    for (index, item) in items.iter().enumerate() {
        #[allow(clippy::disallowed_methods)] // a benchmark measures wall time
        let one = std::time::Instant::now();
        signals.clear();
        ruleset.scan_into(item, &mut scratch, &mut signals);
        let nanos = one.elapsed().as_nanos();
        latencies.push(u32::try_from(nanos).unwrap_or(u32::MAX));
        if !signals.is_empty() {
            signal_count += signals.len();
            flagged.insert(index);
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu_before;
    latencies.sort_unstable();
    let percentile = |p: f64| -> f64 {
        if latencies.is_empty() {
            return 0.0;
        }
        let at = ((latencies.len() as f64 - 1.0) * p).round() as usize;
        f64::from(latencies[at.min(latencies.len() - 1)]) / 1e3
    };
    let mut report = serde_json::json!({
        "engine": "harrier",
        "ruleset": ruleset.version,
        "terms": ruleset.stats().terms,
        "regexes": ruleset.stats().patterns,
        "items": items.len(),
        "bytes": bytes,
        "seconds": seconds,
        "items_per_sec": items.len() as f64 / seconds,
        "cpu_seconds": cpu,
        "items_per_cpu_sec": if cpu > 0.0 { items.len() as f64 / cpu } else { 0.0 },
        "mb_per_sec": bytes as f64 / seconds / 1e6,
        "p50_us": percentile(0.50),
        "p99_us": percentile(0.99),
        "p999_us": percentile(0.999),
        "peak_rss_mb": peak_rss_mb(),
        "compile_ms": compile_ms,
        "signals": signal_count,
        "items_with_signals": flagged.len(),
    });
    if let Some(planted) = planted {
        let planted_ids = read_ids(planted)?;
        let found = items
            .iter()
            .enumerate()
            .filter(|(index, item)| flagged.contains(index) && planted_ids.contains(&item.id))
            .count();
        let extra = flagged.len() - found;
        // Planted items among those loaded (with --limit, not all are).
        let loaded = items
            .iter()
            .filter(|item| planted_ids.contains(&item.id))
            .count();
        report["planted"] = loaded.into();
        report["planted_found"] = found.into();
        report["flagged_not_planted"] = extra.into();
    }
    println!("{report}");
    Ok(())
}

fn read_items(path: &Path, limit: Option<usize>) -> anyhow::Result<Vec<Item>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("could not open {}", path.display()))?;
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut buffer = Vec::new();
    let mut items = Vec::new();
    let mut number = 0;
    while let Some(line) = next_line(&mut reader, crate::scan::MAX_LINE_BYTES, &mut buffer)? {
        number += 1;
        if limit.is_some_and(|limit| items.len() >= limit) {
            break;
        }
        let Line::Text(text) = line else {
            anyhow::bail!("{}: line {number} is too long or not UTF-8", path.display());
        };
        if text.trim().is_empty() {
            continue;
        }
        let item: Item = serde_json::from_str(&text)
            .with_context(|| format!("{}: line {number} is not an item", path.display()))?;
        items.push(item);
    }
    Ok(items)
}

fn read_ids(path: &Path) -> anyhow::Result<HashSet<String>> {
    #[derive(serde::Deserialize)]
    struct Planted {
        id: String,
    }
    let file =
        std::fs::File::open(path).with_context(|| format!("could not open {}", path.display()))?;
    let mut reader = BufReader::new(file);
    let mut buffer = Vec::new();
    let mut ids = HashSet::new();
    while let Some(line) = next_line(&mut reader, crate::scan::MAX_LINE_BYTES, &mut buffer)? {
        if let Line::Text(text) = line
            && let Ok(planted) = serde_json::from_str::<Planted>(&text)
        {
            ids.insert(planted.id);
        }
    }
    Ok(ids)
}

/// CPU time (user + system) this process has used, from /proc/self/stat
/// in clock ticks (100 per second on Linux); 0 when unknown.
pub(crate) fn cpu_seconds() -> f64 {
    let Ok(bytes) = harrier_core::bounded::read_file(Path::new("/proc/self/stat"), 1 << 16) else {
        return 0.0;
    };
    let text = String::from_utf8_lossy(&bytes);
    // Fields after the command name (which is in parentheses): utime is
    // the 14th field of the line, stime the 15th.
    let Some(after) = text.rfind(')').map(|at| &text[at + 1..]) else {
        return 0.0;
    };
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

/// Peak resident set size in MB (VmHWM of /proc/self/status), 0 when
/// unknown.
pub(crate) fn peak_rss_mb() -> f64 {
    let Ok(bytes) = harrier_core::bounded::read_file(Path::new("/proc/self/status"), 1 << 20)
    else {
        return 0.0;
    };
    String::from_utf8_lossy(&bytes)
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<f64>()
                .ok()
        })
        .map_or(0.0, |kb| kb / 1024.0)
}
