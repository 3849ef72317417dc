//! The ring analysis as a job on stored items: `harrier analyze
//! coordination --window 24h` (once) and the periodic run in `harrier
//! serve` (`[ring]` settings). Reads the feed items of the window, runs
//! `harrier_detect::ring::analyze` on a blocking thread, and stores the
//! groups as subjects with members and items; groups whose score passes
//! `ring.case_score` get a signal and a case (one active case per group).

use crate::config::RingConfig;
use anyhow::Context;
use harrier_core::cases::{CaseStore, GroupsStored, NewGroup, RingPost};
use harrier_detect::ring::{self, Analysis, Post};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use time::OffsetDateTime;

/// What one run found and stored.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RunReport {
    pub posts: usize,
    pub accounts: usize,
    pub groups: usize,
    pub stored: GroupsStored,
}

/// The version stamped on group signals: the engine's settings that
/// matter, so a change of them gives new signals rather than silent ones.
fn version(settings: &RingConfig) -> String {
    format!(
        "ring-{}-dt{}-s{}",
        env!("CARGO_PKG_VERSION"),
        settings.coaction_seconds,
        settings.case_score
    )
}

/// Members are named `provider:account` so that the same name on two
/// platforms is two accounts.
fn member_name(post: &RingPost) -> String {
    format!(
        "{}:{}",
        post.provider,
        post.account.trim_start_matches('@').to_lowercase()
    )
}

pub fn groups_of(posts: &[RingPost], analysis: &Analysis, settings: &RingConfig) -> Vec<NewGroup> {
    let mut items_of: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for post in posts {
        items_of
            .entry(member_name(post))
            .or_default()
            .push(post.item_id);
    }
    analysis
        .groups
        .iter()
        .map(|group| {
            let members: BTreeSet<&String> = group.members.iter().collect();
            let mut hasher = Sha256::new();
            for m in &members {
                hasher.update(m.as_bytes());
                hasher.update(b"\n");
            }
            let mut item_ids: Vec<i64> = members
                .iter()
                .filter_map(|m| items_of.get(*m))
                .flatten()
                .copied()
                .collect();
            item_ids.sort_unstable();
            // The newest items are the evidence kept.
            let keep = item_ids.len().saturating_sub(300);
            item_ids.drain(..keep);
            let category = if group.paid_deletion.is_empty() {
                "coordinated_manipulation"
            } else {
                "extortion_paid_deletion"
            };
            NewGroup {
                fingerprint: hex::encode(hasher.finalize()),
                members: members
                    .iter()
                    .map(|m| match m.split_once(':') {
                        Some((p, a)) => (p.to_owned(), a.to_owned()),
                        None => (String::new(), (*m).clone()),
                    })
                    .collect(),
                item_ids,
                category: category.to_owned(),
                score: group.scores.score,
                scores_json: serde_json::to_string(group).unwrap_or_default(),
                explanation_json: serde_json::to_string(&group.explanation).unwrap_or_default(),
                open_case: group.scores.score >= settings.case_score,
                version: version(settings),
            }
        })
        .collect()
}

/// One run over the items received in the `settings.window_hours` before
/// `now`.
pub async fn run_once(
    store: &(impl CaseStore + ?Sized),
    settings: &RingConfig,
    now: OffsetDateTime,
) -> anyhow::Result<RunReport> {
    let since = now - time::Duration::hours(i64::from(settings.window_hours));
    let posts = store.ring_posts(since, settings.max_posts).await?;
    let input: Vec<Post> = posts
        .iter()
        .map(|p| Post {
            id: p.item_id.to_string(),
            account: member_name(p),
            time: p.ts,
            text: p.text.clone(),
            urls: p.url.iter().cloned().collect(),
            ..Post::default()
        })
        .collect();
    let config = ring::Config {
        window: i64::from(settings.coaction_seconds),
        ..ring::Config::default()
    };
    let analysis = tokio::task::spawn_blocking(move || {
        ring::analyze(&input, &config, &harrier_detect::extract::Extractors::new())
    })
    .await
    .context("the ring analysis stopped")?
    .context("the ring analysis could not build its matchers")?;
    let groups = groups_of(&posts, &analysis, settings);
    let found = groups.len();
    let stored = store.store_groups(groups, (since, now), now).await?;
    Ok(RunReport {
        posts: posts.len(),
        accounts: analysis.accounts.len(),
        groups: found,
        stored,
    })
}
