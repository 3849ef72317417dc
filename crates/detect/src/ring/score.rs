//! Group scores and the evidence behind them.
//!
//! What: for every community of at least `min_group_size` accounts,
//! [`groups`] reports
//! - `size` and `density` (the share of member pairs joined by an edge of
//!   any kind);
//! - `synchrony`: for each text cluster that two or more members posted,
//!   the spread in time between the members' first posts of it; synchrony
//!   is `1 - median spread / Δt`, clipped to [0, 1] (a crew posting within
//!   minutes of each other scores near 1);
//! - `similarity`: the share of the members' posts whose text (exactly or
//!   nearly) another member also posted;
//! - `commercial_share`: the share of the members' posts with an offer of
//!   paid posting or deletion, or a contact ([`super::cues`]);
//! - `targets`: the businesses and people the members' posts name, most
//!   named first;
//! - `paid_deletion`: each negative post by a member about a target, linked
//!   to a later post (by anyone in the input, "there or elsewhere") that
//!   offers deletion or PR with a contact and names the same target, or by
//!   a member naming none;
//! - the co-actions inside the group by kind, and the texts most shared;
//! - `score`: `0.3 synchrony + 0.3 similarity + 0.2 density + 0.2
//!   commercial_share`, only to sort groups for review;
//! - `explanation`: the above as sentences for the case file.
//!
//! What not: no threshold that makes a group "guilty"; opening cases is
//! the platform's decision with its own thresholds.

use super::Post;
use super::coaction::CoAction;
use super::community::Communities;
use super::cues::{self, targets};
use super::pipeline::{Edge, Features};
use crate::extract::{EntityKind, Extractors};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

/// What the scores read: the posts and what the pipeline computed of them.
pub(crate) struct PostView<'a> {
    pub posts: &'a [Post],
    pub account_of: &'a [u32],
    pub cluster_of_post: &'a [u32],
    pub features: &'a [Features],
    pub accounts: &'a [String],
    pub window: i64,
    pub extractors: &'a Extractors,
}

/// The numbers of a group.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct GroupScores {
    pub size: usize,
    pub posts: usize,
    pub density: f64,
    pub synchrony: f64,
    /// Median spread in seconds behind `synchrony` (`None`: no shared text).
    pub median_spread_seconds: Option<i64>,
    pub similarity: f64,
    pub commercial_share: f64,
    pub negative_share: f64,
    pub score: f64,
}

/// A text posted by several members.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SharedText {
    /// One of the posts, as written.
    pub sample: String,
    pub posts: usize,
    pub accounts: usize,
}

/// A negative post about a target and a later offer to delete it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PaidDeletionLink {
    pub target: Option<String>,
    pub negative_post: String,
    pub negative_account: String,
    pub offer_post: String,
    pub offer_account: String,
    /// Whether the offering account is a member of the group.
    pub offer_in_group: bool,
    /// The contacts the offer gives (canonical values).
    pub contacts: Vec<String>,
}

/// A group of accounts that act together, with its evidence.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Group {
    pub id: usize,
    pub members: Vec<String>,
    pub component: u32,
    pub community: u32,
    pub scores: GroupScores,
    /// (kind, edges inside the group, total weight).
    pub co_actions: Vec<(CoAction, usize, u64)>,
    /// (name, posts naming it), most named first, at most ten.
    pub targets: Vec<(String, usize)>,
    pub shared_texts: Vec<SharedText>,
    pub paid_deletion: Vec<PaidDeletionLink>,
    pub explanation: Vec<String>,
}

/// Most posts of one group read for targets and offers (the rest still
/// count in the scores).
const EVIDENCE_POSTS: usize = 20_000;

pub(crate) fn groups(
    view: &PostView<'_>,
    communities: &Communities,
    edges: &[Edge],
    min_group_size: usize,
) -> Vec<Group> {
    let mut members_of: FxHashMap<u32, Vec<u32>> = FxHashMap::default();
    for (account, &community) in communities.community.iter().enumerate() {
        if community != u32::MAX {
            members_of
                .entry(community)
                .or_default()
                .push(account as u32);
        }
    }
    let mut communities_kept: Vec<(u32, Vec<u32>)> = members_of
        .into_iter()
        .filter(|(_, members)| members.len() >= min_group_size.max(2))
        .collect();
    if communities_kept.is_empty() {
        return Vec::new();
    }
    communities_kept.sort_by_key(|(c, m)| (std::cmp::Reverse(m.len()), *c));
    let mut group_of_account = vec![u32::MAX; view.accounts.len()];
    for (index, (_, members)) in communities_kept.iter().enumerate() {
        for &m in members {
            group_of_account[m as usize] = index as u32;
        }
    }
    let mut posts_of: Vec<Vec<u32>> = vec![Vec::new(); communities_kept.len()];
    for (post, &account) in view.account_of.iter().enumerate() {
        let group = group_of_account[account as usize];
        if group != u32::MAX {
            posts_of[group as usize].push(post as u32);
        }
    }
    let mut edges_of: Vec<Vec<&Edge>> = vec![Vec::new(); communities_kept.len()];
    for edge in edges {
        let g = group_of_account[edge.source as usize];
        if g != u32::MAX && g == group_of_account[edge.target as usize] {
            edges_of[g as usize].push(edge);
        }
    }
    let offers = Offers::new(view);
    let mut out: Vec<Group> = communities_kept
        .iter()
        .enumerate()
        .map(|(index, (community, members))| {
            let component = communities.component[members[0] as usize];
            score_group(
                view,
                &offers,
                index,
                *community,
                component,
                members,
                &posts_of[index],
                &edges_of[index],
            )
        })
        .collect();
    out.sort_by(|a, b| {
        b.scores
            .score
            .total_cmp(&a.scores.score)
            .then(a.id.cmp(&b.id))
    });
    for (rank, group) in out.iter_mut().enumerate() {
        group.id = rank + 1;
    }
    out
}

/// Every post in the input that offers deletion with a contact, with the
/// targets it names.
struct Offers {
    posts: Vec<(u32, Vec<String>)>,
}

impl Offers {
    fn new(view: &PostView<'_>) -> Self {
        let wanted = cues::DELETION_OFFER | cues::CONTACT;
        let posts = view
            .features
            .iter()
            .enumerate()
            .filter(|(_, f)| f.flags & wanted == wanted)
            .map(|(i, _)| (i as u32, targets(&view.posts[i].text)))
            .collect();
        Self { posts }
    }
}

#[allow(clippy::too_many_arguments)]
fn score_group(
    view: &PostView<'_>,
    offers: &Offers,
    index: usize,
    community: u32,
    component: u32,
    members: &[u32],
    posts: &[u32],
    edges: &[&Edge],
) -> Group {
    let size = members.len();
    let member_set: FxHashSet<u32> = members.iter().copied().collect();

    // Density: member pairs joined by any edge.
    let mut pairs: FxHashSet<(u32, u32)> = FxHashSet::default();
    let mut by_kind: FxHashMap<CoAction, (usize, u64)> = FxHashMap::default();
    for edge in edges {
        pairs.insert((edge.source.min(edge.target), edge.source.max(edge.target)));
        let slot = by_kind.entry(edge.kind).or_default();
        slot.0 += 1;
        slot.1 += u64::from(edge.weight);
    }
    let possible = (size * (size - 1) / 2).max(1);
    let density = pairs.len() as f64 / possible as f64;
    let mut co_actions: Vec<(CoAction, usize, u64)> =
        by_kind.into_iter().map(|(k, (n, w))| (k, n, w)).collect();
    co_actions.sort_by_key(|&(kind, _, _)| kind);

    // Shared texts: clusters posted by two or more members.
    let mut clusters: FxHashMap<u32, (FxHashMap<u32, i64>, usize, u32)> = FxHashMap::default();
    for &p in posts {
        let cluster = view.cluster_of_post[p as usize];
        if cluster == u32::MAX {
            continue;
        }
        let entry = clusters
            .entry(cluster)
            .or_insert_with(|| (FxHashMap::default(), 0, p));
        let first = entry
            .0
            .entry(view.account_of[p as usize])
            .or_insert(i64::MAX);
        *first = (*first).min(view.posts[p as usize].time);
        entry.1 += 1;
    }
    let mut spreads = Vec::new();
    let mut shared_posts = 0usize;
    let mut shared_texts = Vec::new();
    for (firsts, count, sample) in clusters.values() {
        if firsts.len() < 2 {
            continue;
        }
        shared_posts += count;
        let (lo, hi) = firsts
            .values()
            .fold((i64::MAX, i64::MIN), |(lo, hi), &t| (lo.min(t), hi.max(t)));
        spreads.push(hi - lo);
        shared_texts.push(SharedText {
            sample: view.posts[*sample as usize].text.clone(),
            posts: *count,
            accounts: firsts.len(),
        });
    }
    shared_texts.sort_by(|a, b| b.accounts.cmp(&a.accounts).then(b.posts.cmp(&a.posts)));
    shared_texts.truncate(5);
    spreads.sort_unstable();
    let median_spread = spreads.get(spreads.len() / 2).copied();
    let synchrony = median_spread.map_or(0.0, |spread| {
        (1.0 - spread as f64 / view.window.max(1) as f64).clamp(0.0, 1.0)
    });
    let similarity = shared_posts as f64 / posts.len().max(1) as f64;

    let commercial = cues::DELETION_OFFER | cues::PAID_POSTING | cues::CONTACT;
    let commercial_posts = posts
        .iter()
        .filter(|&&p| view.features[p as usize].flags & commercial != 0)
        .count();
    let negative_posts = posts
        .iter()
        .filter(|&&p| view.features[p as usize].flags & cues::NEGATIVE != 0)
        .count();
    let commercial_share = commercial_posts as f64 / posts.len().max(1) as f64;
    let negative_share = negative_posts as f64 / posts.len().max(1) as f64;

    // Targets and paid-deletion links, from a bounded number of posts.
    let mut named: FxHashMap<String, usize> = FxHashMap::default();
    let mut negatives: Vec<(u32, Vec<String>)> = Vec::new();
    for &p in posts.iter().take(EVIDENCE_POSTS) {
        let names = targets(&view.posts[p as usize].text);
        for name in &names {
            *named.entry(name.clone()).or_default() += 1;
        }
        if view.features[p as usize].flags & cues::NEGATIVE != 0 && !names.is_empty() {
            negatives.push((p, names));
        }
    }
    let mut target_list: Vec<(String, usize)> = named.into_iter().collect();
    target_list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    target_list.truncate(10);
    let paid_deletion = link_offers(view, offers, &member_set, &negatives);

    let scores = GroupScores {
        size,
        posts: posts.len(),
        density,
        synchrony,
        median_spread_seconds: median_spread,
        similarity,
        commercial_share,
        negative_share,
        score: 0.3 * synchrony + 0.3 * similarity + 0.2 * density + 0.2 * commercial_share,
    };
    let explanation = explain(&scores, &co_actions, &target_list, &paid_deletion);
    let mut member_names: Vec<String> = members
        .iter()
        .map(|&m| view.accounts[m as usize].clone())
        .collect();
    member_names.sort();
    Group {
        id: index + 1,
        members: member_names,
        component,
        community,
        scores,
        co_actions,
        targets: target_list,
        shared_texts,
        paid_deletion,
        explanation,
    }
}

/// Most links reported per group.
const MAX_LINKS: usize = 50;

fn link_offers(
    view: &PostView<'_>,
    offers: &Offers,
    members: &FxHashSet<u32>,
    negatives: &[(u32, Vec<String>)],
) -> Vec<PaidDeletionLink> {
    let mut links = Vec::new();
    let mut seen: FxHashSet<(u32, u32)> = FxHashSet::default();
    for (negative, names) in negatives {
        let negative_time = view.posts[*negative as usize].time;
        for (offer, offer_names) in &offers.posts {
            let offer_post = &view.posts[*offer as usize];
            if offer_post.time < negative_time || offer == negative {
                continue;
            }
            let offer_account = view.account_of[*offer as usize];
            let in_group = members.contains(&offer_account);
            let shared = names.iter().find(|n| offer_names.contains(n)).cloned();
            let linked = shared.is_some() || (in_group && offer_names.is_empty());
            if !linked || !seen.insert((*negative, *offer)) {
                continue;
            }
            let contacts = view
                .extractors
                .extract(&offer_post.text)
                .into_iter()
                .filter(|e| {
                    matches!(
                        e.kind,
                        EntityKind::Phone
                            | EntityKind::Email
                            | EntityKind::Handle
                            | EntityKind::Wallet
                    )
                })
                .map(|e| e.value)
                .collect();
            links.push(PaidDeletionLink {
                target: shared,
                negative_post: view.posts[*negative as usize].id.clone(),
                negative_account: view.accounts[view.account_of[*negative as usize] as usize]
                    .clone(),
                offer_post: offer_post.id.clone(),
                offer_account: view.accounts[offer_account as usize].clone(),
                offer_in_group: in_group,
                contacts,
            });
            if links.len() >= MAX_LINKS {
                return links;
            }
        }
    }
    links
}

fn explain(
    scores: &GroupScores,
    co_actions: &[(CoAction, usize, u64)],
    targets: &[(String, usize)],
    links: &[PaidDeletionLink],
) -> Vec<String> {
    let mut lines = vec![format!(
        "{} accounts, {} posts; {:.0} % of member pairs are linked",
        scores.size,
        scores.posts,
        scores.density * 100.0
    )];
    let kinds: Vec<String> = co_actions
        .iter()
        .map(|(kind, edges, weight)| {
            format!("{} ({edges} edges, {weight} co-actions)", kind.as_str())
        })
        .collect();
    if !kinds.is_empty() {
        lines.push(format!("acted together by {}", kinds.join(", ")));
    }
    if let Some(spread) = scores.median_spread_seconds {
        lines.push(format!(
            "{:.0} % of their posts repeat another member's text; members first posted a shared text a median of {spread} s apart",
            scores.similarity * 100.0
        ));
    }
    if scores.commercial_share > 0.0 {
        lines.push(format!(
            "{:.0} % of their posts offer paid posting or deletion, or give a contact",
            scores.commercial_share * 100.0
        ));
    }
    if !targets.is_empty() {
        let names: Vec<String> = targets
            .iter()
            .take(3)
            .map(|(name, n)| format!("{name} ({n})"))
            .collect();
        lines.push(format!("names most often: {}", names.join(", ")));
    }
    if !links.is_empty() {
        lines.push(format!(
            "{} negative posts about a target are followed by an offer to delete them with a contact",
            links
                .iter()
                .map(|l| &l.negative_post)
                .collect::<FxHashSet<_>>()
                .len()
        ));
    }
    lines
}
