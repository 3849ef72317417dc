//! The whole analysis: posts in, co-action edges and scored groups out.
//!
//! Steps, each in its own module: features of every post (normalised text
//! key and shingles, cues, URLs, domains, contacts; on `threads` threads,
//! as the posts are independent), contents (exact duplicates by key) and
//! their near-duplicate clusters in time order, one co-action sweep per
//! kind, the combined undirected graph, components and Leiden communities,
//! and the scores of every community large enough to be a group.

use super::Post;
use super::bands::{BandJoin, Output};
use super::coaction::{CoAction, DirectedEdge, Event, SweepConfig, sweep};
use super::community::Communities;
use super::cues::{self, Cues};
use super::neardup::NearDupConfig;
use super::score::{self, Group, PostView};
use super::shingle::{ShingleScratch, Shingler, TextFeatures, hash_bytes};
use crate::extract::{EntityKind, Extractors};
use crate::normalize::Steps;
use rustc_hash::FxHashMap;
use serde::Serialize;

/// Settings of [`analyze`].
#[derive(Clone, Debug)]
pub struct Config {
    /// Δt in seconds: actions this close in time are co-actions.
    pub window: i64,
    /// Δt for co-contact; `None`: the whole input (a phone number shared by
    /// two accounts is telling whenever it was posted).
    pub contact_window: Option<i64>,
    /// Edges lighter than this (in co-actions) are dropped, per kind.
    pub min_weight: u32,
    pub kinds: Vec<CoAction>,
    /// `None`: co-post on exact duplicates only.
    pub near_dup: Option<NearDupConfig>,
    pub steps: Steps,
    pub urls_from_text: bool,
    pub mentions_from_text: bool,
    /// Look for contacts (phones, handles, e-mail, wallets) in the text.
    pub contacts: bool,
    /// Keys shared by more accounts are skipped (a platform's own domain,
    /// a celebrity everyone mentions); `None` keeps all.
    pub max_accounts_per_key: Option<usize>,
    /// Communities with fewer accounts are not reported as groups.
    pub min_group_size: usize,
    /// Leiden's resolution (1.0: modularity).
    pub resolution: f64,
    pub seed: u64,
    pub threads: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            window: 3600,
            contact_window: None,
            min_weight: 2,
            kinds: vec![
                CoAction::Post,
                CoAction::Link,
                CoAction::Domain,
                CoAction::Reply,
                CoAction::Mention,
                CoAction::Contact,
            ],
            near_dup: Some(NearDupConfig::default()),
            steps: Steps::all(),
            urls_from_text: true,
            mentions_from_text: true,
            contacts: true,
            max_accounts_per_key: Some(1000),
            min_group_size: 3,
            resolution: 1.0,
            seed: 1,
            threads: 1,
        }
    }
}

/// One edge of one co-action network, between account numbers (indexes
/// into [`Analysis::accounts`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Edge {
    pub kind: CoAction,
    pub source: u32,
    pub target: u32,
    pub weight: u32,
}

/// Counts that say what the run did.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Stats {
    pub posts: usize,
    pub accounts: usize,
    /// Distinct normalised texts.
    pub contents: usize,
    /// Near-duplicate joins and exact Jaccard checks.
    pub near_dup_merges: u64,
    pub near_dup_checks: u64,
    /// Keys skipped for `max_accounts_per_key`, all kinds.
    pub skipped_keys: usize,
    pub components: usize,
    pub modularity: f64,
}

/// What [`analyze`] found.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Analysis {
    /// Account names; edges and members refer to them by index.
    pub accounts: Vec<String>,
    pub edges: Vec<Edge>,
    pub groups: Vec<Group>,
    pub stats: Stats,
}

/// Everything the sweeps and scores need of one post.
#[derive(Clone, Debug, Default)]
pub(crate) struct Features {
    pub text: TextFeatures,
    pub flags: u8,
    pub links: Vec<u64>,
    pub domains: Vec<u64>,
    pub mentions: Vec<u64>,
    pub contacts: Vec<u64>,
}

/// Analyse `posts` (in any order).
pub fn analyze(
    posts: &[Post],
    config: &Config,
    extractors: &Extractors,
) -> Result<Analysis, aho_corasick::BuildError> {
    analyze_with_progress(posts, config, extractors, &mut |_, _| {})
}

/// [`analyze`], calling `progress(step, done_fraction)` between steps.
pub fn analyze_with_progress(
    posts: &[Post],
    config: &Config,
    extractors: &Extractors,
    progress: &mut dyn FnMut(&str, f64),
) -> Result<Analysis, aho_corasick::BuildError> {
    let cues = Cues::new(&config.steps)?;
    let mut stats = Stats {
        posts: posts.len(),
        ..Stats::default()
    };

    // Accounts, numbered in order of first appearance.
    let mut account_number: FxHashMap<&str, u32> = FxHashMap::default();
    let mut accounts: Vec<String> = Vec::new();
    let account_of: Vec<u32> = posts
        .iter()
        .map(|post| {
            *account_number
                .entry(post.account.as_str())
                .or_insert_with(|| {
                    accounts.push(post.account.clone());
                    (accounts.len() - 1) as u32
                })
        })
        .collect();
    drop(account_number);
    stats.accounts = accounts.len();

    progress("features", 0.0);
    let mut features = compute_features(posts, config, extractors, &cues);
    progress("features", 1.0);

    // Posts in time order; contents numbered in it.
    let mut order: Vec<u32> = (0..posts.len() as u32).collect();
    order.sort_by_key(|&i| (posts[i as usize].time, i));
    let mut content_of_key: FxHashMap<u64, u32> = FxHashMap::default();
    let mut content_of_post = vec![u32::MAX; posts.len()];
    let mut content_sets: Vec<Vec<u64>> = Vec::new();
    for &i in &order {
        if let Some(key) = features[i as usize].text.key {
            let next = content_sets.len() as u32;
            let content = *content_of_key.entry(key).or_insert(next);
            if content == next {
                content_sets.push(std::mem::take(&mut features[i as usize].text.shingles));
            }
            content_of_post[i as usize] = content;
        }
    }
    drop(content_of_key);
    stats.contents = content_sets.len();

    progress("near-duplicates", 0.0);
    let cluster_of_post: Vec<u32> = match config.near_dup {
        None => content_of_post.clone(),
        Some(near) => {
            let mut span = vec![(i64::MAX, i64::MIN); content_sets.len()];
            for (i, &content) in content_of_post.iter().enumerate() {
                if content != u32::MAX {
                    let (first, last) = &mut span[content as usize];
                    *first = (*first).min(posts[i].time);
                    *last = (*last).max(posts[i].time);
                }
            }
            let join = BandJoin::run(
                &content_sets,
                &span,
                Some(config.window),
                &near,
                Output::Clusters,
            );
            stats.near_dup_merges = join.merges;
            stats.near_dup_checks = join.checks;
            content_of_post
                .iter()
                .map(|&c| {
                    if c == u32::MAX {
                        c
                    } else {
                        join.cluster[c as usize]
                    }
                })
                .collect()
        }
    };
    drop(content_sets);
    progress("near-duplicates", 1.0);

    let mut edges = Vec::new();
    for (step, &kind) in config.kinds.iter().enumerate() {
        progress(kind.as_str(), step as f64 / config.kinds.len() as f64);
        let mut events = events_of(kind, posts, &account_of, &features, &cluster_of_post);
        let sweep_config = SweepConfig {
            window: if kind == CoAction::Contact {
                config.contact_window
            } else {
                Some(config.window)
            },
            min_weight: config.min_weight,
            max_accounts_per_key: if kind == CoAction::Activity {
                None
            } else {
                config.max_accounts_per_key
            },
        };
        let result = sweep(&mut events, accounts.len(), posts.len(), &sweep_config);
        stats.skipped_keys += result.skipped_keys;
        edges.extend(result.edges.into_iter().map(|e: DirectedEdge| Edge {
            kind,
            source: e.source,
            target: e.target,
            weight: e.weight,
        }));
    }

    progress("communities", 0.0);
    let undirected = combine(&edges);
    let communities =
        Communities::detect(accounts.len(), &undirected, config.resolution, config.seed);
    stats.modularity = communities.modularity;
    let mut components: Vec<u32> = communities
        .component
        .iter()
        .copied()
        .filter(|&c| c != u32::MAX)
        .collect();
    components.sort_unstable();
    components.dedup();
    stats.components = components.len();
    progress("communities", 1.0);

    progress("scores", 0.0);
    let view = PostView {
        posts,
        account_of: &account_of,
        cluster_of_post: &cluster_of_post,
        features: &features,
        accounts: &accounts,
        window: config.window,
        extractors,
    };
    let groups = score::groups(&view, &communities, &edges, config.min_group_size);
    progress("scores", 1.0);
    Ok(Analysis {
        accounts,
        edges,
        groups,
        stats,
    })
}

fn compute_features(
    posts: &[Post],
    config: &Config,
    extractors: &Extractors,
    cues: &Cues,
) -> Vec<Features> {
    let threads = config.threads.max(1);
    let chunk = posts.len().div_ceil(threads).max(1);
    let mut out: Vec<Features> = Vec::with_capacity(posts.len());
    std::thread::scope(|scope| {
        let handles: Vec<_> = posts
            .chunks(chunk)
            .map(|part| scope.spawn(move || features_of(part, config, extractors, cues)))
            .collect();
        for handle in handles {
            // A panic in a worker is a bug in this module: pass it on.
            match handle.join() {
                Ok(part) => out.extend(part),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
    });
    out
}

fn features_of(
    posts: &[Post],
    config: &Config,
    extractors: &Extractors,
    cues: &Cues,
) -> Vec<Features> {
    let shingler = if config.near_dup.is_some() {
        Shingler::new(config.steps)
    } else {
        Shingler::new(config.steps).key_only()
    };
    let mut scratch = ShingleScratch::default();
    let mut entities = Vec::new();
    // Only what the chosen kinds need: a co-link run normalises no text.
    let wants = |kind: CoAction| config.kinds.contains(&kind);
    let text = wants(CoAction::Post);
    let listed_urls = wants(CoAction::Link) || wants(CoAction::Domain);
    let text_urls = config.urls_from_text && listed_urls;
    let contacts = config.contacts && wants(CoAction::Contact);
    let mentions = wants(CoAction::Mention);
    posts
        .iter()
        .map(|post| {
            let mut features = Features::default();
            if text {
                shingler.features_into(&post.text, &mut scratch, &mut features.text);
                features.flags = cues.flags(scratch.normalized());
            } else {
                // Cues on the text as written (the automaton ignores ASCII
                // case); obfuscated cues need the co-post run's normalising.
                features.flags = cues.flags(&post.text);
            }
            for url in post.urls.iter().filter(|_| listed_urls) {
                if url.is_empty() {
                    continue;
                }
                features.links.push(hash_bytes(url.as_bytes()));
                if let Some(host) = host_of(url) {
                    features.domains.push(hash_bytes(host.as_bytes()));
                }
            }
            if text_urls || contacts {
                entities.clear();
                extractors.extract_into(&post.text, &mut entities);
                for entity in &entities {
                    match entity.kind {
                        EntityKind::Url | EntityKind::Domain if text_urls => {
                            if entity.kind == EntityKind::Url {
                                features.links.push(hash_bytes(entity.value.as_bytes()));
                            }
                            if let Some(host) = entity.host() {
                                features.domains.push(hash_bytes(host.as_bytes()));
                            }
                        }
                        EntityKind::Phone
                        | EntityKind::Email
                        | EntityKind::Handle
                        | EntityKind::Wallet
                            if contacts =>
                        {
                            features.contacts.push(hash_bytes(entity.value.as_bytes()));
                            features.flags |= cues::CONTACT;
                        }
                        _ => {}
                    }
                }
            }
            for mention in post.mentions.iter().filter(|_| mentions) {
                features.mentions.push(mention_key(mention));
            }
            if mentions && config.mentions_from_text {
                for word in post.text.split_whitespace() {
                    if let Some(name) = word.strip_prefix('@') {
                        let name =
                            name.trim_end_matches(|c: char| !(c.is_alphanumeric() || c == '_'));
                        if !name.is_empty() {
                            features.mentions.push(mention_key(name));
                        }
                    }
                }
            }
            for list in [
                &mut features.links,
                &mut features.domains,
                &mut features.mentions,
                &mut features.contacts,
            ] {
                list.sort_unstable();
                list.dedup();
            }
            features
        })
        .collect()
}

fn mention_key(name: &str) -> u64 {
    hash_bytes(name.trim_start_matches('@').to_lowercase().as_bytes())
}

/// The host of a URL as a feed lists it (with or without a scheme),
/// lowercased, without `www.`.
pub(crate) fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = host.split(':').next()?.to_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).to_string();
    (!host.is_empty()).then_some(host)
}

fn events_of(
    kind: CoAction,
    posts: &[Post],
    account_of: &[u32],
    features: &[Features],
    cluster_of_post: &[u32],
) -> Vec<Event> {
    let mut events = Vec::new();
    let mut push = |i: usize, key: u64| {
        events.push(Event {
            key,
            time: posts[i].time,
            post: i as u32,
            account: account_of[i],
        });
    };
    for (i, post) in posts.iter().enumerate() {
        let f = &features[i];
        match kind {
            CoAction::Post => {
                if cluster_of_post[i] != u32::MAX {
                    push(i, u64::from(cluster_of_post[i]));
                }
            }
            CoAction::Link => f.links.iter().for_each(|&k| push(i, k)),
            CoAction::Domain => f.domains.iter().for_each(|&k| push(i, k)),
            CoAction::Mention => f.mentions.iter().for_each(|&k| push(i, k)),
            CoAction::Contact => f.contacts.iter().for_each(|&k| push(i, k)),
            CoAction::Reply => {
                if let Some(reply) = post.reply_to.as_deref().filter(|r| !r.is_empty()) {
                    push(i, hash_bytes(reply.as_bytes()));
                }
            }
            CoAction::Activity => push(i, 0),
        }
    }
    events
}

/// One undirected edge per pair: the sum over kinds (not `co_activity`) of
/// the heavier direction's weight.
fn combine(edges: &[Edge]) -> Vec<(u32, u32, f64)> {
    let mut per_kind: FxHashMap<(CoAction, u32, u32), u32> = FxHashMap::default();
    for edge in edges.iter().filter(|e| e.kind != CoAction::Activity) {
        let (a, b) = (edge.source.min(edge.target), edge.source.max(edge.target));
        let slot = per_kind.entry((edge.kind, a, b)).or_default();
        *slot = (*slot).max(edge.weight);
    }
    let mut combined: FxHashMap<(u32, u32), f64> = FxHashMap::default();
    for ((_, a, b), weight) in per_kind {
        *combined.entry((a, b)).or_default() += f64::from(weight);
    }
    let mut out: Vec<(u32, u32, f64)> = combined.into_iter().map(|((a, b), w)| (a, b, w)).collect();
    out.sort_by_key(|e| (e.0, e.1));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_of_listed_urls() {
        assert_eq!(
            host_of("https://www.Example.com/a?b"),
            Some("example.com".into())
        );
        assert_eq!(host_of("example.org/x"), Some("example.org".into()));
        assert_eq!(host_of("http://u@h.cn:8080/"), Some("h.cn".into()));
        assert_eq!(host_of(""), None);
    }
}
