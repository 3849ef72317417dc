//! Co-action networks: accounts that do the same thing within Δt.
//!
//! What: [`sweep`] takes *events* (a post by an account at a time, with a
//! key: the text's cluster, a URL, a domain, the post replied to, a
//! mentioned account, a contact) and returns the directed, weighted edges
//! of the co-action network, with the semantics of the QUT Digital Media
//! Research Centre's coordination-network-toolkit (`compute_networks.py`,
//! every network type is the same SQL join on a different key):
//!
//! ```sql
//! select e_1.user_id, e_2.user_id, count(distinct e_1.message_id) as weight
//! from edge e_1 join edge e_2
//!   on e_1.key = e_2.key
//!  and e_2.timestamp between e_1.timestamp - Δt and e_1.timestamp + Δt
//! group by e_1.user_id, e_2.user_id having weight >= min_edge_weight
//! ```
//!
//! that is: the weight of `a → b` is the number of distinct posts of `a`
//! that have at least one post of `b` with the same key no more than Δt
//! before or after them (both ends included). `a → b` and `b → a` can
//! differ. Self-loops (`a → a`) are left out, as the toolkit's export does
//! by default.
//!
//! How, without its quadratic join: events are sorted by (key, time) and
//! each key's run is swept with a window `[t - Δt, t + Δt]` that two
//! pointers move forward; the window keeps the *distinct accounts* in it
//! (a count per account, and a list with swap-removal), so each post costs
//! the number of other accounts in its window, which is the number of
//! edges it adds to: the output's size, not the square of the input's.
//! A post with several keys of one kind (two URLs) adds at most one to each
//! edge, as `count(distinct message_id)` does: its `(post, account)` pairs
//! are collected and deduplicated.
//!
//! What not: no reposts (the caller leaves them out, as the toolkit does
//! for co-tweet and co-link); no decision about which keys mean anything:
//! `max_accounts_per_key` is the caller's switch for keys that everyone
//! shares (a platform's own domain).

use super::radix::sort_by_bits;
use serde::Serialize;

/// The kinds of co-action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CoAction {
    /// The same or nearly the same text (the toolkit's `co_tweet`, and its
    /// `co_similar_tweet` when near-duplicates are on).
    Post,
    /// The same URL (`co_link`).
    Link,
    /// The same domain.
    Domain,
    /// A reply to the same post (`co_reply`).
    Reply,
    /// A mention of the same account.
    Mention,
    /// The same phone number, messenger handle, e-mail or wallet.
    Contact,
    /// Any post at all (the toolkit's `co_post`: a null model of how much
    /// two accounts could coincide; not used for groups).
    Activity,
}

impl CoAction {
    pub const ALL: [Self; 7] = [
        Self::Post,
        Self::Link,
        Self::Domain,
        Self::Reply,
        Self::Mention,
        Self::Contact,
        Self::Activity,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Post => "co_post",
            Self::Link => "co_link",
            Self::Domain => "co_domain",
            Self::Reply => "co_reply",
            Self::Mention => "co_mention",
            Self::Contact => "co_contact",
            Self::Activity => "co_activity",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str() == name || kind.as_str().trim_start_matches("co_") == name)
    }
}

/// One post's action with a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Event {
    pub key: u64,
    pub time: i64,
    pub post: u32,
    pub account: u32,
}

/// `source → target` with its weight (co-actions).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct DirectedEdge {
    pub source: u32,
    pub target: u32,
    pub weight: u32,
}

/// Settings of one sweep.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SweepConfig {
    /// Δt in seconds; `None` is unbounded (the whole input).
    pub window: Option<i64>,
    pub min_weight: u32,
    /// Keys shared by more distinct accounts are skipped (and counted).
    pub max_accounts_per_key: Option<usize>,
}

/// What a sweep found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SweepResult {
    /// Sorted by (source, target); weight ≥ `min_weight`; no self-loops.
    pub edges: Vec<DirectedEdge>,
    /// Keys skipped for `max_accounts_per_key`.
    pub skipped_keys: usize,
}

/// The co-action network of `events` over `accounts` accounts (account
/// numbers below it) and `posts` posts. Sorts `events` in place.
pub fn sweep(
    events: &mut [Event],
    accounts: usize,
    posts: usize,
    config: &SweepConfig,
) -> SweepResult {
    events.sort_unstable();
    // (key, post) pairs given twice (a URL listed twice) count once.
    let mut write = 0;
    for read in 0..events.len() {
        if write > 0
            && events[write - 1].key == events[read].key
            && events[write - 1].post == events[read].post
        {
            continue;
        }
        events[write] = events[read];
        write += 1;
    }
    let events = &events[..write];

    let mut keys_per_post = vec![0u8; posts];
    for event in events {
        let slot = &mut keys_per_post[event.post as usize];
        *slot = slot.saturating_add(1);
    }
    let window = config.window.unwrap_or(i64::MAX / 4);
    // (source, target) codes, one per co-action; sorted and counted below.
    let mut codes: Vec<u64> = Vec::new();
    let mut shared: Vec<(u32, u32)> = Vec::new(); // (post, other account)
    let mut in_window = Window::new(accounts);
    let mut result = SweepResult::default();

    let mut start = 0;
    while start < events.len() {
        let key = events[start].key;
        let mut end = start + 1;
        while end < events.len() && events[end].key == key {
            end += 1;
        }
        let run = &events[start..end];
        start = end;
        if run.len() < 2 || run.iter().all(|e| e.account == run[0].account) {
            continue;
        }
        if let Some(cap) = config.max_accounts_per_key
            && in_window.distinct(run) > cap
        {
            result.skipped_keys += 1;
            continue;
        }
        let (mut lo, mut hi) = (0, 0);
        for event in run {
            while hi < run.len() && run[hi].time <= event.time.saturating_add(window) {
                in_window.add(run[hi].account);
                hi += 1;
            }
            while run[lo].time < event.time.saturating_sub(window) {
                in_window.remove(run[lo].account);
                lo += 1;
            }
            let single = keys_per_post[event.post as usize] == 1;
            for &other in &in_window.members {
                if other == event.account {
                    continue;
                }
                if single {
                    codes.push(pair(event.account, other));
                } else {
                    shared.push((event.post, other));
                }
            }
        }
        for event in &run[lo..hi] {
            in_window.remove(event.account);
        }
    }
    if !shared.is_empty() {
        let mut account_of = vec![u32::MAX; posts];
        for event in events {
            account_of[event.post as usize] = event.account;
        }
        shared.sort_unstable();
        shared.dedup();
        for (post, other) in shared {
            codes.push(pair(account_of[post as usize], other));
        }
    }
    // A radix sort of the codes, then runs: sequential memory traffic
    // where a hash table of tens of millions of edges would miss the cache
    // on every co-action.
    let mut scratch = vec![0u64; codes.len()];
    sort_by_bits(&mut codes, &mut scratch, 0, 64);
    drop(scratch);
    let mut at = 0;
    while at < codes.len() {
        let code = codes[at];
        let mut end = at + 1;
        while end < codes.len() && codes[end] == code {
            end += 1;
        }
        let weight = u32::try_from(end - at).unwrap_or(u32::MAX);
        if weight >= config.min_weight {
            result.edges.push(DirectedEdge {
                source: (code >> 32) as u32,
                target: code as u32,
                weight,
            });
        }
        at = end;
    }
    result
}

fn pair(source: u32, target: u32) -> u64 {
    (u64::from(source) << 32) | u64::from(target)
}

/// The distinct accounts in the window: a count per account and the list
/// of those with a count, with O(1) removal by swapping.
struct Window {
    count: Vec<u32>,
    position: Vec<u32>,
    members: Vec<u32>,
    stamp: Vec<u32>,
    generation: u32,
}

impl Window {
    fn new(accounts: usize) -> Self {
        Self {
            count: vec![0; accounts],
            position: vec![0; accounts],
            members: Vec::new(),
            stamp: vec![0; accounts],
            generation: 0,
        }
    }

    fn add(&mut self, account: u32) {
        let a = account as usize;
        if self.count[a] == 0 {
            self.position[a] = self.members.len() as u32;
            self.members.push(account);
        }
        self.count[a] += 1;
    }

    fn remove(&mut self, account: u32) {
        let a = account as usize;
        debug_assert!(self.count[a] > 0);
        self.count[a] -= 1;
        if self.count[a] == 0 {
            let at = self.position[a] as usize;
            self.members.swap_remove(at);
            if let Some(&moved) = self.members.get(at) {
                self.position[moved as usize] = at as u32;
            }
        }
    }

    fn distinct(&mut self, run: &[Event]) -> usize {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.stamp.fill(0);
            self.generation = 1;
        }
        let mut distinct = 0;
        for event in run {
            let slot = &mut self.stamp[event.account as usize];
            if *slot != self.generation {
                *slot = self.generation;
                distinct += 1;
            }
        }
        distinct
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(key: u64, time: i64, post: u32, account: u32) -> Event {
        Event {
            key,
            time,
            post,
            account,
        }
    }

    fn edges(events: &mut [Event], window: i64, min_weight: u32) -> Vec<(u32, u32, u32)> {
        let config = SweepConfig {
            window: Some(window),
            min_weight,
            max_accounts_per_key: None,
        };
        sweep(events, 10, 100, &config)
            .edges
            .into_iter()
            .map(|e| (e.source, e.target, e.weight))
            .collect()
    }

    /// The naive join of the toolkit's SQL, for comparison.
    fn naive(events: &[Event], window: i64, min_weight: u32) -> Vec<(u32, u32, u32)> {
        let mut pairs = std::collections::BTreeSet::new();
        for a in events {
            for b in events {
                if a.key == b.key && (a.time - b.time).abs() <= window && a.account != b.account {
                    pairs.insert((a.account, b.account, a.post));
                }
            }
        }
        let mut weights = std::collections::BTreeMap::new();
        for (a, b, _) in pairs {
            *weights.entry((a, b)).or_insert(0u32) += 1;
        }
        weights
            .into_iter()
            .filter(|&(_, w)| w >= min_weight)
            .map(|((a, b), w)| (a, b, w))
            .collect()
    }

    #[test]
    fn weights_are_posts_with_a_match_within_the_window() {
        // account 0 posts key 7 at 0 and 100; account 1 at 5; account 2 at 200.
        let mut events = vec![
            event(7, 0, 0, 0),
            event(7, 100, 1, 0),
            event(7, 5, 2, 1),
            event(7, 200, 3, 2),
        ];
        assert_eq!(
            edges(&mut events.clone(), 10, 1),
            vec![(0, 1, 1), (1, 0, 1)]
        );
        // Δt = 100: both posts of 0 are within 100 of 1's; the window's ends count.
        assert_eq!(
            edges(&mut events, 100, 1),
            vec![(0, 1, 2), (0, 2, 1), (1, 0, 1), (2, 0, 1)]
        );
    }

    #[test]
    fn a_post_with_two_shared_keys_counts_once() {
        let mut events = vec![
            event(1, 0, 0, 0),
            event(2, 0, 0, 0),
            event(1, 1, 1, 1),
            event(2, 1, 1, 1),
        ];
        assert_eq!(edges(&mut events, 10, 1), vec![(0, 1, 1), (1, 0, 1)]);
    }

    #[test]
    fn sweep_equals_the_naive_join_on_random_events() {
        let mut state = 42u64;
        let mut next = |n: u64| {
            state = crate::ring::shingle::mix64(state.wrapping_add(1));
            state % n
        };
        for _ in 0..50 {
            let mut events: Vec<Event> = (0..60)
                .map(|post| event(next(5), next(500) as i64, post as u32, next(8) as u32))
                .collect();
            // a few posts with a second key
            for post in 0..10 {
                events.push(event(
                    next(5),
                    events[post].time,
                    post as u32,
                    events[post].account,
                ));
            }
            let window = next(120) as i64;
            let min_weight = 1 + next(3) as u32;
            let expected = naive(&events, window, min_weight);
            assert_eq!(edges(&mut events, window, min_weight), expected);
        }
    }

    #[test]
    fn popular_keys_can_be_skipped() {
        let mut events: Vec<Event> = (0..5).map(|i| event(9, i, i as u32, i as u32)).collect();
        let config = SweepConfig {
            window: None,
            min_weight: 1,
            max_accounts_per_key: Some(4),
        };
        let result = sweep(&mut events, 10, 10, &config);
        assert!(result.edges.is_empty());
        assert_eq!(result.skipped_keys, 1);
    }
}
