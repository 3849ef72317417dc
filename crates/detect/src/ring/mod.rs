//! Ring detection: groups of accounts that act together.
//!
//! What: given a batch of posts (account, time, text, URLs, optionally the
//! post replied to and the accounts mentioned), [`analyze`] finds
//! - near-duplicate texts: exact duplicates by the hash of the normalised
//!   text, near ones by MinHash with LSH banding ([`minhash`], [`neardup`]),
//!   streaming in time order over a sliding window, or a whole batch at
//!   once by sorting band keys ([`bands`]);
//! - co-action networks in the manner of the QUT coordination-network-toolkit
//!   ([`coaction`]): two accounts are linked when they post the same or
//!   nearly the same text, the same URL or domain, reply to the same post,
//!   mention the same account, or give the same contact within Δt; the
//!   weight is the number of co-actions;
//! - groups: connected components of the combined network, split into
//!   communities by Leiden ([`community`]);
//! - for each group, scores with their explanation ([`score`]): size,
//!   density, synchrony, content similarity, commercial cues, targets, and
//!   the paid-deletion links between negative posts about a target and
//!   offers to delete them ([`cues`]).
//!
//! Why: paid-posting crews and extortion rings show themselves by acting
//! together, not by what one post says.
//!
//! What not: no I/O, no clock (times are the posts' own), no storage of
//! groups as subjects (the platform does that) and no decision: a group is
//! evidence for staff.

pub mod bands;
pub mod coaction;
pub mod community;
pub mod cues;
pub mod minhash;
pub mod neardup;
mod pipeline;
pub mod radix;
pub mod score;
pub mod shingle;

pub use coaction::{CoAction, DirectedEdge};
pub use community::Communities;
pub use pipeline::{Analysis, Config, Edge, Stats, analyze, analyze_with_progress};
pub use score::{Group, GroupScores, PaidDeletionLink};

use serde::{Deserialize, Serialize};

/// One post as the ring analysis sees it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Post {
    /// The post's id on its platform (unique within a batch).
    pub id: String,
    /// The posting account.
    pub account: String,
    /// Seconds since the Unix epoch.
    pub time: i64,
    pub text: String,
    /// URLs given with the post (as a feed lists them); URLs in the text
    /// are added when [`Config::urls_from_text`] is on.
    #[serde(default)]
    pub urls: Vec<String>,
    /// The post this one replies to.
    #[serde(default)]
    pub reply_to: Option<String>,
    /// Accounts the post mentions (as a feed lists them); `@names` in the
    /// text are added when [`Config::mentions_from_text`] is on.
    #[serde(default)]
    pub mentions: Vec<String>,
}
