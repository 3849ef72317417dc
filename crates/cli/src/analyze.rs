//! `harrier analyze coordination --input FILE`: ring detection on a file of
//! posts, for analysts, without configuration or database.
//!
//! Input: CSV with a header, or JSON lines, one post each, with `account`,
//! `time` (Unix seconds, or RFC 3339, or `YYYY-MM-DD HH:MM:SS` in UTC),
//! `text`, and optionally `id` (else the row number), `urls` (CSV: separated
//! by spaces; JSON: a list), `reply_to`, `mentions` (likewise). Rows that
//! cannot be read are reported by number and skipped.
//!
//! Output (`--out`): a folder gets `groups.json` (every group with its
//! scores and evidence), `groups.csv` (one row per member) and `edges.csv`
//! (kind, source, target, weight); a `.json` file gets everything in one
//! document; a `.csv` file gets the groups' rows only. `--timings` prints
//! one JSON line with the seconds per phase, peak RSS and counts (the
//! ring benchmarks read it).
//!
//! What not: the database-backed mode (`--window` over stored items, the
//! periodic job in `serve`) is not here yet.

use crate::lines::{Line, next_line};
use anyhow::{Context, bail};
use harrier_detect::extract::Extractors;
use harrier_detect::normalize::Steps;
use harrier_detect::ring::neardup::NearDupConfig;
use harrier_detect::ring::{Analysis, CoAction, Config, Post};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// The largest input file read.
const MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024 * 1024;
/// The longest row (CSV record or JSON line).
const MAX_ROW_BYTES: usize = 1024 * 1024;

#[derive(clap::Args, Debug)]
pub struct CoordinationArgs {
    /// A .csv or .jsonl file of posts. Without it, the stored feed items
    /// are analysed and the groups stored (the platform's job).
    #[arg(long)]
    pub input: Option<PathBuf>,
    /// With --input: Δt, actions this close in time are co-actions (90s,
    /// 30m, 1h, 1d; 1h by default). Without: how far back to read stored
    /// items (24h by default; Δt is `[ring] coaction_seconds`).
    #[arg(long)]
    pub window: Option<String>,
    /// Δt for co-contact, or `all` for the whole input.
    #[arg(long, default_value = "all")]
    pub contact_window: String,
    /// Edges with fewer co-actions are dropped.
    #[arg(long, default_value_t = 2)]
    pub min_weight: u32,
    /// Comma-separated: post, link, domain, reply, mention, contact,
    /// activity (the toolkit's co_post null model).
    #[arg(long, default_value = "post,link,domain,reply,mention,contact")]
    pub kinds: String,
    /// Jaccard threshold for near-duplicate texts; 0 turns them off
    /// (co-post on exact duplicates only).
    #[arg(long, default_value_t = 0.7)]
    pub similarity: f64,
    /// Skip keys shared by more accounts than this (0: no limit).
    #[arg(long, default_value_t = 1000)]
    pub max_accounts_per_key: usize,
    /// Smallest group reported.
    #[arg(long, default_value_t = 3)]
    pub min_group_size: usize,
    /// Leiden's seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Threads for the per-post work (0: all cores).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// The QUT coordination-network-toolkit's settings: text only
    /// lowercased, URLs only from the urls column, no contacts or mentions
    /// from the text, no key limit (add `--similarity 0` for its exact
    /// co_tweet).
    #[arg(long)]
    pub toolkit: bool,
    /// A folder, or a .json or .csv file (with --input).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print one JSON line of timings and counts.
    #[arg(long)]
    pub timings: bool,
}

pub fn run(args: &CoordinationArgs) -> anyhow::Result<()> {
    let (Some(input), Some(out)) = (args.input.as_ref(), args.out.as_ref()) else {
        bail!("--input FILE needs --out (a folder, or a .json or .csv file)");
    };
    let config = config_of(args)?;
    #[allow(clippy::disallowed_methods)] // timings report wall time
    let started = std::time::Instant::now();
    let posts = read_posts(input)?;
    let read_seconds = started.elapsed().as_secs_f64();
    if posts.is_empty() {
        bail!("{}: no posts", input.display());
    }
    let extractors = Extractors::new();
    let bar = ProgressBar::new(1000).with_style(
        ProgressStyle::with_template("{bar:40} {msg} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    #[allow(clippy::disallowed_methods)] // timings report wall time
    let analysis_started = std::time::Instant::now();
    let mut phases: Vec<(String, f64)> = Vec::new();
    let mut progress = |step: &str, done: f64| {
        bar.set_message(step.to_string());
        bar.set_position((done * 1000.0) as u64);
        if done == 0.0 {
            phases.push((step.to_string(), analysis_started.elapsed().as_secs_f64()));
        }
    };
    let analysis =
        harrier_detect::ring::analyze_with_progress(&posts, &config, &extractors, &mut progress)?;
    let analyze_seconds = analysis_started.elapsed().as_secs_f64();
    bar.finish_and_clear();
    write_output(out, &analysis)?;
    eprintln!(
        "{} posts by {} accounts: {} edges, {} groups; written to {}",
        analysis.stats.posts,
        analysis.stats.accounts,
        analysis.edges.len(),
        analysis.groups.len(),
        out.display()
    );
    if args.timings {
        let mut edges_by_kind = serde_json::Map::new();
        for kind in CoAction::ALL {
            let n = analysis.edges.iter().filter(|e| e.kind == kind).count();
            if n > 0 {
                edges_by_kind.insert(kind.as_str().into(), n.into());
            }
        }
        let phase_starts: serde_json::Map<String, serde_json::Value> = phases
            .into_iter()
            .map(|(name, at)| (name, at.into()))
            .collect();
        let report = serde_json::json!({
            "engine": "harrier",
            "posts": analysis.stats.posts,
            "accounts": analysis.stats.accounts,
            "read_seconds": read_seconds,
            "analyze_seconds": analyze_seconds,
            "phase_starts": phase_starts,
            "peak_rss_mb": crate::bench_detect::peak_rss_mb(),
            "cpu_seconds": crate::bench_detect::cpu_seconds(),
            "edges": edges_by_kind,
            "groups": analysis.groups.len(),
            "stats": analysis.stats,
        });
        println!("{report}");
    }
    Ok(())
}

fn config_of(args: &CoordinationArgs) -> anyhow::Result<Config> {
    let window = seconds(args.window.as_deref().unwrap_or("1h")).context("--window")?;
    let contact_window = match args.contact_window.as_str() {
        "all" => None,
        other => Some(seconds(other).context("--contact-window")?),
    };
    let mut kinds = Vec::new();
    for name in args
        .kinds
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        let Some(kind) = CoAction::parse(name) else {
            bail!(
                "--kinds: unknown kind {name:?} (post, link, domain, reply, mention, contact, activity)"
            );
        };
        kinds.push(kind);
    }
    if !(0.0..=1.0).contains(&args.similarity) {
        bail!("--similarity is a Jaccard similarity between 0 and 1");
    }
    let threads = if args.threads == 0 {
        std::thread::available_parallelism().map_or(1, usize::from)
    } else {
        args.threads
    };
    let mut config = Config {
        window,
        contact_window,
        min_weight: args.min_weight.max(1),
        kinds,
        near_dup: (args.similarity > 0.0).then(|| NearDupConfig {
            threshold: args.similarity,
            ..NearDupConfig::default()
        }),
        max_accounts_per_key: (args.max_accounts_per_key > 0).then_some(args.max_accounts_per_key),
        min_group_size: args.min_group_size,
        seed: args.seed,
        threads,
        ..Config::default()
    };
    if args.toolkit {
        config.steps = Steps {
            case_fold: true,
            ..Steps::none()
        };
        config.urls_from_text = false;
        config.mentions_from_text = false;
        config.contacts = false;
        config.max_accounts_per_key = None;
    }
    Ok(config)
}

pub fn seconds(text: &str) -> anyhow::Result<i64> {
    if let Ok(plain) = text.trim().parse::<i64>() {
        return Ok(plain);
    }
    let duration = crate::backtest::parse_since(text)?;
    i64::try_from(duration.as_secs()).context("too long")
}

/// One row as read, before its time is parsed.
#[derive(serde::Deserialize)]
struct Row {
    #[serde(default)]
    id: Option<String>,
    account: String,
    time: serde_json::Value,
    #[serde(default)]
    text: String,
    #[serde(default)]
    urls: Option<serde_json::Value>,
    #[serde(default)]
    reply_to: Option<String>,
    #[serde(default)]
    mentions: Option<serde_json::Value>,
}

fn read_posts(path: &Path) -> anyhow::Result<Vec<Post>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("could not open {}", path.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = ProgressBar::new(size).with_style(
        ProgressStyle::with_template("reading {bar:40} {bytes}/{total_bytes} {per_sec} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let reader = BufReader::with_capacity(1 << 20, bar.wrap_read(file).take(MAX_INPUT_BYTES));
    let is_csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let mut skipped = 0u64;
    let mut report = |number: u64, message: &str| {
        skipped += 1;
        if skipped <= 20 {
            bar.suspend(|| eprintln!("row {number}: {message}, skipped"));
        }
    };
    let posts = if is_csv {
        read_csv(reader, &mut report)?
    } else {
        read_jsonl(reader, &mut report)?
    };
    bar.finish_and_clear();
    if skipped > 20 {
        eprintln!("{skipped} rows skipped in all");
    }
    Ok(posts)
}

fn read_csv(reader: impl Read, report: &mut dyn FnMut(u64, &str)) -> anyhow::Result<Vec<Post>> {
    let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let headers = csv.headers().context("the CSV has no header row")?.clone();
    let column = |name: &str| headers.iter().position(|h| h.trim() == name);
    let (Some(account), Some(time), Some(text)) =
        (column("account"), column("time"), column("text"))
    else {
        bail!(
            "the CSV needs the columns account, time and text (and may have id, urls, reply_to, mentions)"
        );
    };
    let (id, urls, reply_to, mentions) = (
        column("id"),
        column("urls"),
        column("reply_to"),
        column("mentions"),
    );
    let mut posts = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut number = 1u64;
    loop {
        number += 1;
        match csv.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(error) => {
                report(number, &error.to_string());
                continue;
            }
        }
        if record.as_slice().len() > MAX_ROW_BYTES {
            report(number, &format!("longer than {MAX_ROW_BYTES} bytes"));
            continue;
        }
        let get = |at: Option<usize>| at.and_then(|i| record.get(i)).unwrap_or("");
        let Some(seconds) = parse_time(get(Some(time))) else {
            report(number, &format!("time {:?} is not a time", get(Some(time))));
            continue;
        };
        let words = |at: Option<usize>| -> Vec<String> {
            get(at).split_whitespace().map(str::to_string).collect()
        };
        posts.push(Post {
            id: id
                .map(|_| get(id).to_string())
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| number.to_string()),
            account: get(Some(account)).to_string(),
            time: seconds,
            text: get(Some(text)).to_string(),
            urls: words(urls),
            reply_to: Some(get(reply_to).to_string()).filter(|s| !s.is_empty()),
            mentions: words(mentions),
        });
    }
    Ok(posts)
}

fn read_jsonl(reader: impl Read, report: &mut dyn FnMut(u64, &str)) -> anyhow::Result<Vec<Post>> {
    let mut reader = BufReader::new(reader);
    let mut buffer = Vec::new();
    let mut posts = Vec::new();
    let mut number = 0u64;
    while let Some(line) = next_line(&mut reader, MAX_ROW_BYTES, &mut buffer)? {
        number += 1;
        let text = match line {
            Line::Text(text) if text.trim().is_empty() => continue,
            Line::Text(text) => text,
            Line::TooLong => {
                report(number, &format!("longer than {MAX_ROW_BYTES} bytes"));
                continue;
            }
            Line::NotUtf8 => {
                report(number, "not UTF-8");
                continue;
            }
        };
        let row: Row = match serde_json::from_str(&text) {
            Ok(row) => row,
            Err(error) => {
                report(number, &error.to_string());
                continue;
            }
        };
        let time = match &row.time {
            serde_json::Value::Number(n) => n.as_f64().map(|f| f as i64),
            serde_json::Value::String(s) => parse_time(s),
            _ => None,
        };
        let Some(time) = time else {
            report(number, "time is not a time");
            continue;
        };
        posts.push(Post {
            id: row.id.unwrap_or_else(|| number.to_string()),
            account: row.account,
            time,
            text: row.text,
            urls: list(row.urls),
            reply_to: row.reply_to.filter(|s| !s.is_empty()),
            mentions: list(row.mentions),
        });
    }
    Ok(posts)
}

/// A JSON list of strings, or one string of space-separated words.
fn list(value: Option<serde_json::Value>) -> Vec<String> {
    match value {
        Some(serde_json::Value::Array(items)) => items
            .into_iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .filter(|s| !s.is_empty())
            .collect(),
        Some(serde_json::Value::String(s)) => s.split_whitespace().map(str::to_string).collect(),
        _ => Vec::new(),
    }
}

/// Unix seconds (integer or decimal), RFC 3339, or `YYYY-MM-DD HH:MM[:SS]`
/// in UTC.
pub fn parse_time(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<i64>() {
        return Some(seconds);
    }
    if let Ok(seconds) = text.parse::<f64>() {
        return seconds.is_finite().then_some(seconds as i64);
    }
    if let Ok(at) =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
    {
        return Some(at.unix_timestamp());
    }
    let formats = [
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]"),
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]"),
    ];
    formats.iter().find_map(|format| {
        time::PrimitiveDateTime::parse(text, format)
            .ok()
            .map(|at| at.assume_utc().unix_timestamp())
    })
}

fn write_output(out: &Path, analysis: &Analysis) -> anyhow::Result<()> {
    let extension = out
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "json" => write_json(
            out,
            &serde_json::json!({
                "stats": analysis.stats,
                "accounts": analysis.accounts,
                "groups": analysis.groups,
                "edges": analysis.edges,
            }),
        ),
        "csv" => write_groups_csv(out, analysis),
        _ => {
            std::fs::create_dir_all(out)
                .with_context(|| format!("could not create {}", out.display()))?;
            write_json(
                &out.join("groups.json"),
                &serde_json::json!({
                    "stats": analysis.stats,
                    "groups": analysis.groups,
                }),
            )?;
            write_groups_csv(&out.join("groups.csv"), analysis)?;
            write_edges_csv(&out.join("edges.csv"), analysis)
        }
    }
}

fn create(path: &Path) -> anyhow::Result<BufWriter<std::fs::File>> {
    let file = std::fs::File::create(path)
        .with_context(|| format!("could not create {}", path.display()))?;
    Ok(BufWriter::with_capacity(1 << 20, file))
}

fn write_json(path: &Path, value: &serde_json::Value) -> anyhow::Result<()> {
    let mut writer = create(path)?;
    serde_json::to_writer_pretty(&mut writer, value)?;
    writer.write_all(b"\n")?;
    writer.flush()?;
    Ok(())
}

fn write_groups_csv(path: &Path, analysis: &Analysis) -> anyhow::Result<()> {
    let mut writer = csv::Writer::from_writer(create(path)?);
    writer.write_record([
        "group",
        "account",
        "size",
        "score",
        "density",
        "synchrony",
        "similarity",
        "commercial_share",
        "targets",
        "paid_deletion_links",
    ])?;
    for group in &analysis.groups {
        let targets: Vec<&str> = group.targets.iter().map(|(t, _)| t.as_str()).collect();
        for member in &group.members {
            writer.write_record([
                group.id.to_string(),
                member.clone(),
                group.scores.size.to_string(),
                format!("{:.3}", group.scores.score),
                format!("{:.3}", group.scores.density),
                format!("{:.3}", group.scores.synchrony),
                format!("{:.3}", group.scores.similarity),
                format!("{:.3}", group.scores.commercial_share),
                targets.join("; "),
                group.paid_deletion.len().to_string(),
            ])?;
        }
    }
    writer.flush()?;
    Ok(())
}

fn write_edges_csv(path: &Path, analysis: &Analysis) -> anyhow::Result<()> {
    let mut writer = csv::Writer::from_writer(create(path)?);
    writer.write_record(["kind", "source", "target", "weight"])?;
    for edge in &analysis.edges {
        writer.write_record([
            edge.kind.as_str(),
            &analysis.accounts[edge.source as usize],
            &analysis.accounts[edge.target as usize],
            &edge.weight.to_string(),
        ])?;
    }
    writer.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_in_the_forms_analysts_have() {
        assert_eq!(parse_time("1700000000"), Some(1_700_000_000));
        assert_eq!(parse_time("1700000000.7"), Some(1_700_000_000));
        assert_eq!(parse_time("2016-09-12 20:25:00"), Some(1_473_711_900));
        assert_eq!(parse_time("2016-09-12 20:25"), Some(1_473_711_900));
        assert_eq!(parse_time("2016-09-12T20:25:00Z"), Some(1_473_711_900));
        assert_eq!(parse_time("yesterday"), None);
    }
}
