//! `harrier rules backtest --since 7d PATH`: what a candidate ruleset would
//! have found in the items stored lately, against the ruleset in use.
//!
//! Reads the stored items received since then (in pages, by id), scans
//! each with both rulesets, and prints per-rule signal counts side by side
//! and the items that only one of them flags with a live signal. It writes
//! nothing: no signal, no case, no queue entry.

use crate::config::Config;
use crate::patrol::LiveRules;
use crate::wiring;
use anyhow::{Context, bail};
use harrier_core::clock::{Clock, SystemClock};
use harrier_core::patrol::{LeasedItem, PatrolStore};
use harrier_detect::item::Item;
use harrier_detect::rules::{Ruleset, Scratch};
use harrier_detect::signal::{RuleState, Signal};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// Items read per page.
const PAGE: usize = 2_000;
/// Example item ids printed per difference.
const EXAMPLES: usize = 10;

/// `7d`, `24h`, `30m` or `90s`.
pub fn parse_since(text: &str) -> anyhow::Result<Duration> {
    let text = text.trim();
    let (number, unit) = text.split_at(text.len().saturating_sub(1));
    let number: u64 = number.parse().with_context(|| {
        format!("--since {text:?}: write a number and a unit, e.g. 7d, 24h, 30m")
    })?;
    let seconds = match unit {
        "d" => number * 86_400,
        "h" => number * 3_600,
        "m" => number * 60,
        "s" => number,
        _ => bail!("--since {text:?}: the unit is d, h, m or s"),
    };
    Ok(Duration::from_secs(seconds))
}

#[derive(Default)]
struct Tally {
    /// (rule, category, live) -> signals.
    rules: BTreeMap<(String, String, bool), u64>,
    /// Items with a live signal.
    flagged: BTreeSet<String>,
}

impl Tally {
    fn add(&mut self, item: &str, signals: &[Signal]) {
        for signal in signals {
            let live = signal.state == RuleState::Live;
            *self
                .rules
                .entry((signal.rule.clone(), signal.category.clone(), live))
                .or_default() += 1;
            if live {
                self.flagged.insert(item.to_owned());
            }
        }
    }
}

fn to_item(stored: &LeasedItem) -> Item {
    Item {
        id: format!("{}/{}", stored.provider, stored.external_id),
        text: stored.text.clone(),
        lang: stored.lang.clone(),
        provider: Some(stored.provider.clone()),
        account: stored.account.clone(),
        room: stored.room.clone(),
        ts: stored.ts,
        images: serde_json::from_str(&stored.images_json).unwrap_or_default(),
    }
}

pub async fn run(config: &Config, since: &str, candidate: &Path) -> anyhow::Result<()> {
    let window = parse_since(since)?;
    let candidate_rules = Arc::new(crate::ruleset::load(candidate)?);
    let current_dir = crate::patrol::rules_dir(config)?;
    let current = LiveRules::load(&current_dir)?.current();
    let store = wiring::open_store(config)?;
    let from = SystemClock.now() - window;

    let (mut old, mut new) = (Tally::default(), Tally::default());
    let mut after = 0;
    let mut items = 0u64;
    loop {
        let page = store.items_since(from, after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.item_id;
        items += page.len() as u64;
        let (current, candidate) = (Arc::clone(&current), Arc::clone(&candidate_rules));
        let (page_old, page_new) = tokio::task::spawn_blocking(move || {
            let (mut old, mut new) = (Tally::default(), Tally::default());
            scan_page(&current, &page, &mut old);
            scan_page(&candidate, &page, &mut new);
            (old, new)
        })
        .await?;
        merge(&mut old, page_old);
        merge(&mut new, page_new);
    }
    print(
        items,
        since,
        &current,
        &current_dir,
        &candidate_rules,
        candidate,
        &old,
        &new,
    );
    Ok(())
}

fn scan_page(ruleset: &Ruleset, page: &[LeasedItem], tally: &mut Tally) {
    let mut scratch = Scratch::default();
    let mut signals = Vec::new();
    for stored in page {
        let item = to_item(stored);
        signals.clear();
        ruleset.scan_into(&item, &mut scratch, &mut signals);
        tally.add(&item.id, &signals);
    }
}

fn merge(into: &mut Tally, from: Tally) {
    for (key, n) in from.rules {
        *into.rules.entry(key).or_default() += n;
    }
    into.flagged.extend(from.flagged);
}

#[allow(clippy::too_many_arguments)]
fn print(
    items: u64,
    since: &str,
    current: &Ruleset,
    current_dir: &Path,
    candidate: &Ruleset,
    candidate_dir: &Path,
    old: &Tally,
    new: &Tally,
) {
    println!(
        "backtest over {items} items received in the last {since}: current ruleset {} ({}), candidate {} ({})",
        current.version,
        current_dir.display(),
        candidate.version,
        candidate_dir.display()
    );
    println!();
    println!("| rule | category | state | current | candidate | change |");
    println!("|---|---|---|---:|---:|---:|");
    let keys: BTreeSet<&(String, String, bool)> =
        old.rules.keys().chain(new.rules.keys()).collect();
    for key in keys {
        let (a, b) = (
            old.rules.get(key).copied().unwrap_or(0),
            new.rules.get(key).copied().unwrap_or(0),
        );
        let change = i128::from(b) - i128::from(a);
        println!(
            "| {} | {} | {} | {a} | {b} | {change:+} |",
            key.0,
            key.1,
            if key.2 { "live" } else { "shadow" }
        );
    }
    println!();
    for (label, only) in [
        ("the candidate only", new.flagged.difference(&old.flagged)),
        (
            "the current ruleset only",
            old.flagged.difference(&new.flagged),
        ),
    ] {
        let only: Vec<&String> = only.collect();
        let examples: Vec<&str> = only.iter().take(EXAMPLES).map(|s| s.as_str()).collect();
        println!(
            "items with a live signal from {label}: {}{}",
            only.len(),
            if examples.is_empty() {
                String::new()
            } else {
                format!(" (e.g. {})", examples.join(", "))
            }
        );
    }
    println!("nothing was written.");
}

#[cfg(test)]
mod tests {
    use super::parse_since;
    use std::time::Duration;

    #[test]
    fn since_takes_days_hours_minutes_seconds() {
        assert_eq!(parse_since("7d").unwrap(), Duration::from_secs(604_800));
        assert_eq!(parse_since("24h").unwrap(), Duration::from_secs(86_400));
        assert!(parse_since("7w").is_err());
        assert!(parse_since("d").is_err());
    }
}
