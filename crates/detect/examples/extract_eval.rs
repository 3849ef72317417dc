//! Measures the extractors on ../shared/data and prints the figures that
//! EVALUATION.md quotes.
//!
//! - Recall of the URL/domain detector on the known-bad lists: each domain
//!   of lexicon-zh/illegal-site-domains.txt and of eth-phishing-detect's
//!   blacklist is put in a sentence, plain and obfuscated, and counts when
//!   an entity with that host comes back listed by that list.
//! - False listing on eth-phishing-detect's whitelist: each legitimate
//!   look-alike in a sentence must come back unlisted.
//! - Throughput of `extract` on real short texts (benign-zh reviews, the
//!   SMS Spam Collection), single thread.
//!
//! Run: `cargo run --release -p harrier-detect --example extract_eval --
//! [--throughput | --show] [DATA_DIR]`: `--throughput` leaves out the list
//! figures, `--show` prints every entity found in the texts instead of
//! counting. Skips, saying so, when the data folder is missing.

// Instant::now: timing `extract` is the point of this example. The library
// itself never reads the clock.
#![allow(clippy::disallowed_methods)]

use std::collections::BTreeMap;
use std::error::Error;
use std::fs::File;
use std::hint::black_box;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use harrier_detect::extract::{DomainList, Entity, Extractors};

/// One way of writing a domain into a sentence.
struct Variant {
    name: &'static str,
    write: fn(&str) -> String,
}

fn full_width(text: &str) -> String {
    text.chars()
        .map(|ch| match ch {
            '!'..='~' => char::from_u32(ch as u32 + 0xFEE0).unwrap_or(ch),
            _ => ch,
        })
        .collect()
}

const VARIANTS: &[Variant] = &[
    Variant {
        name: "plain, Chinese sentence",
        write: |d| format!("恭喜中奖！请登录 {d} 领取，过期作废。"),
    },
    Variant {
        name: "plain, glued to Chinese",
        write: |d| format!("点击{d}领取奖励"),
    },
    Variant {
        name: "plain, English sentence",
        write: |d| format!("Claim your airdrop at {d} before Friday."),
    },
    Variant {
        name: "URL https://…/path",
        write: |d| format!("链接：https://{d}/wallet/connect?id=7 马上"),
    },
    Variant {
        name: "obfuscated [.]",
        write: |d| format!("请登录 {} 领取", d.replace('.', "[.]")),
    },
    Variant {
        name: "obfuscated 。",
        write: |d| format!("请登录{}领取", d.replace('.', "。")),
    },
    Variant {
        name: "obfuscated full-width",
        write: |d| format!("请登录{}领取", full_width(d)),
    },
    Variant {
        name: "obfuscated hxxps:// and [.]",
        write: |d| format!("hxxps://{}/login", d.replace('.', "[.]")),
    },
];

fn read(path: &Path) -> Result<String, Box<dyn Error>> {
    let mut text = String::new();
    for line in BufReader::new(File::open(path)?).lines() {
        text.push_str(&line?);
        text.push('\n');
    }
    Ok(text)
}

/// Share of `domains` that come back, in `variant`, as an entity with that
/// host listed by `list`.
fn recall(extractors: &Extractors, list: &str, domains: &[&str], variant: &Variant) -> f64 {
    let mut hits = 0usize;
    for domain in domains {
        let text = (variant.write)(domain);
        let found = extractors.extract(&text);
        let listed = found.iter().any(|entity| {
            entity.host() == Some(domain)
                && entity.listed.as_ref().is_some_and(|hit| &*hit.list == list)
        });
        hits += usize::from(listed);
    }
    hits as f64 / domains.len() as f64
}

/// CPU time this thread has used, from /proc (Linux reports it in ticks of
/// 1/100 s). The machine may be shared, so wall time would count other
/// processes' turns too.
fn thread_cpu() -> Option<Duration> {
    let mut line = String::new();
    BufReader::new(File::open("/proc/thread-self/stat").ok()?)
        .read_line(&mut line)
        .ok()?;
    let fields: Vec<&str> = line
        .get(line.rfind(')')? + 1..)?
        .split_whitespace()
        .collect();
    // Fields 14 and 15 of stat(5), counted from the state (field 3).
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// Calls `extract` on every text, round after round, for at least
/// `at_least` of CPU time (wall time where /proc is missing). Gives items
/// and megabytes per CPU second.
fn throughput(extractors: &Extractors, texts: &[String], at_least: Duration) -> (f64, f64) {
    let bytes: usize = texts.iter().map(String::len).sum();
    let mut out = Vec::new();
    for text in texts {
        out.clear();
        extractors.extract_into(text, &mut out);
    }
    let used = || thread_cpu().unwrap_or_else(|| START.with(Instant::elapsed));
    let started = used();
    let mut rounds = 0u32;
    while used() - started < at_least {
        for text in texts {
            out.clear();
            extractors.extract_into(black_box(text), &mut out);
            black_box(&out);
        }
        rounds += 1;
    }
    let seconds = (used() - started).as_secs_f64();
    let items = f64::from(rounds) * texts.len() as f64;
    (
        items / seconds,
        f64::from(rounds) * bytes as f64 / seconds / 1e6,
    )
}

thread_local! {
    static START: Instant = Instant::now();
}

fn kinds(entities: &[Entity]) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for entity in entities {
        *counts.entry(entity.kind.as_str()).or_default() += 1;
    }
    counts
        .iter()
        .map(|(kind, n)| format!("{kind} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Prints every entity found in `texts`, to read them.
fn show(name: &str, extractors: &Extractors, texts: &[String]) {
    for text in texts {
        for entity in extractors.extract(text) {
            println!(
                "{name}\t{}\t{}\t{:?}\t{}",
                entity.kind.as_str(),
                entity.value,
                entity.text(text),
                entity.detail.unwrap_or("")
            );
        }
    }
}

fn corpus_report(name: &str, extractors: &Extractors, texts: &[String]) {
    let mut with = 0usize;
    let mut all = Vec::new();
    let mut empty_texts = Vec::new();
    for text in texts {
        let found = extractors.extract(text);
        if found.is_empty() {
            empty_texts.push(text.clone());
        } else {
            with += 1;
        }
        all.extend(found);
    }
    let (items, mb) = throughput(extractors, texts, Duration::from_secs(2));
    let (empty_items, _) = throughput(extractors, &empty_texts, Duration::from_secs(1));
    let mean = texts.iter().map(String::len).sum::<usize>() as f64 / texts.len() as f64;
    println!(
        "| {name} | {} | {mean:.0} | {:.0}k | {mb:.0} | {:.0} ns | {with} ({:.2} %) | {} |",
        texts.len(),
        items / 1e3,
        1e9 / empty_items,
        100.0 * with as f64 / texts.len() as f64,
        kinds(&all)
    );
}

/// Recall on the blacklists and false listing on the whitelist.
fn lists_report(extractors: &Extractors, eth: &DomainList, illegal: &DomainList) {
    // Blacklisted entries that the whitelist also names are never listed,
    // by design; they are left out of the recall.
    let mut eth_bad: Vec<&str> = eth
        .blocked()
        .filter(|domain| {
            !matches!(
                eth.verdict(domain),
                harrier_detect::extract::ListVerdict::Allowed
            )
        })
        .collect();
    eth_bad.sort_unstable();
    let mut illegal_bad: Vec<&str> = illegal.blocked().collect();
    illegal_bad.sort_unstable();

    println!("### Recall on the known-bad lists\n");
    println!(
        "illegal-site-domains: {} domains ({} entries skipped as not host names); \
         eth-phishing-detect blacklist: {} domains ({} skipped, {} also whitelisted, left out).\n",
        illegal_bad.len(),
        illegal.skipped(),
        eth_bad.len(),
        eth.skipped(),
        eth.len() - eth_bad.len()
    );
    println!(
        "| how the domain is written | illegal-site-domains | eth-phishing-detect blacklist |"
    );
    println!("|---|---|---|");
    for variant in VARIANTS {
        let illegal_recall = recall(extractors, illegal.name(), &illegal_bad, variant);
        let eth_recall = recall(extractors, eth.name(), &eth_bad, variant);
        println!(
            "| {} | {:.2} % | {:.2} % |",
            variant.name,
            100.0 * illegal_recall,
            100.0 * eth_recall
        );
    }

    let mut allowed: Vec<&str> = eth.allowed().collect();
    allowed.sort_unstable();
    let share = |n: usize| 100.0 * n as f64 / allowed.len() as f64;
    println!(
        "\nWhitelist (legitimate look-alikes, {} domains), each in a sentence:\n",
        allowed.len()
    );
    println!("| sentence | listed (false listing) | found as a domain |");
    println!("|---|---|---|");
    for (name, variant) in [
        (VARIANTS[0].name, &VARIANTS[0]),
        (VARIANTS[2].name, &VARIANTS[2]),
    ] {
        let mut listed = 0usize;
        let mut found = 0usize;
        for domain in &allowed {
            let text = (variant.write)(domain);
            let entities = extractors.extract(&text);
            listed += usize::from(entities.iter().any(|entity| entity.listed.is_some()));
            found += usize::from(entities.iter().any(|entity| entity.host() == Some(domain)));
        }
        println!(
            "| {name} | {listed} ({:.2} %) | {found} ({:.2} %) |",
            share(listed),
            share(found)
        );
    }
    println!();
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let throughput_only = args.iter().any(|arg| arg == "--throughput");
    let show_only = args.iter().any(|arg| arg == "--show");
    let dir = args.iter().find(|arg| !arg.starts_with("--")).map_or_else(
        || PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data")),
        PathBuf::from,
    );
    if !dir.is_dir() {
        eprintln!("skipped: {} is missing", dir.display());
        return Ok(());
    }
    let eth = DomainList::from_eth_phishing_json(&read(
        &dir.join("phishing-domains/eth-phishing-detect-config.json"),
    )?)?;
    let illegal = DomainList::from_lines(
        "illegal-site-domains",
        &read(&dir.join("lexicon-zh/illegal-site-domains.txt"))?,
    );
    let extractors = Extractors::new()
        .with_domain_list(eth.clone())
        .with_domain_list(illegal.clone());

    if !throughput_only && !show_only {
        lists_report(&extractors, &eth, &illegal);
    }
    println!("### Throughput, one thread\n");
    println!(
        "| texts | n | mean bytes | items/s | MB/s | ns/item, texts with no entity | texts with an entity | entities |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for file in ["benign-zh/pos.txt", "benign-zh/neg.txt"] {
        let texts: Vec<String> = read(&dir.join(file))?
            .lines()
            .filter(|line| !line.trim().is_empty())
            .map(str::to_string)
            .collect();
        if show_only {
            show(file, &extractors, &texts);
        } else {
            corpus_report(file, &extractors, &texts);
        }
    }
    let sms = read(&dir.join("sms-spam/SMSSpamCollection"))?;
    for (label, regions) in [
        ("ham", ["GB"]),
        ("spam", ["GB"]),
        ("ham", ["CN"]),
        ("spam", ["CN"]),
    ] {
        let texts: Vec<String> = sms
            .lines()
            .filter_map(|line| line.split_once('\t').or_else(|| line.split_once("  ")))
            .filter(|(l, _)| *l == label)
            .map(|(_, text)| text.to_string())
            .collect();
        let extractors = extractors.clone().with_phone_regions(&regions)?;
        let name = format!("SMS {label}, phone region {}", regions[0]);
        if show_only {
            show(&name, &extractors, &texts);
        } else {
            corpus_report(&name, &extractors, &texts);
        }
    }
    Ok(())
}
