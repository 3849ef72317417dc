//! Known-bad domain lists: which hosts a list names, and which it clears.
//!
//! What: a [`DomainList`] is a named set of blocked domains and a set of
//! allowed ones (legitimate look-alikes, such as the `whitelist` of
//! MetaMask's eth-phishing-detect). A host is listed when it, or a parent
//! domain up to its registrable domain (by the public-suffix list), is
//! blocked, and neither it nor such a parent is allowed.
//!
//! Why stop at the registrable domain: a list that names a public suffix
//! (`webflow.io`, `com.cn`) would otherwise flag every site beneath it.
//!
//! What not: no I/O (the caller reads the file and passes the text), no
//! fuzzy or look-alike matching (eth-phishing-detect's `fuzzylist` is not
//! read), no wildcards beyond "a parent matches its subdomains". Entries
//! that are not ASCII host names (no dot, spaces, non-ASCII) are skipped and
//! counted, see [`DomainList::skipped`].

use std::collections::HashSet;
use std::sync::Arc;

use psl::Psl;
use serde::Deserialize;
use thiserror::Error;

/// Which list named a host, and the entry that matched (the host itself or
/// a parent domain of it).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ListHit {
    /// The list's name, as given to [`DomainList::from_lines`].
    pub list: Arc<str>,
    /// The list entry that matched, lowercase.
    pub entry: String,
}

/// A list could not be read.
#[derive(Debug, Error)]
pub enum ListError {
    #[error("the eth-phishing-detect config is not valid JSON of the expected shape: {0}")]
    EthPhishingJson(#[from] serde_json::Error),
}

/// What a list says about one host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListVerdict {
    /// The host or a parent is blocked (the entry that matched).
    Blocked(String),
    /// The host or a parent is allowed: it must never be flagged.
    Allowed,
    /// The list says nothing.
    Unknown,
}

/// A named set of blocked domains, with the domains it clears.
#[derive(Clone, Debug)]
pub struct DomainList {
    name: Arc<str>,
    blocked: HashSet<Box<str>>,
    allowed: HashSet<Box<str>>,
    skipped: usize,
}

/// The parts of eth-phishing-detect's config this crate reads.
#[derive(Deserialize)]
struct EthPhishingConfig {
    #[serde(default)]
    blacklist: Vec<String>,
    #[serde(default)]
    whitelist: Vec<String>,
}

impl DomainList {
    /// The name eth-phishing-detect lists get.
    pub const ETH_PHISHING: &'static str = "eth-phishing-detect";

    /// A list of one blocked domain a line. Blank lines and lines starting
    /// with `#` are ignored; a scheme, a path, a port, a leading `*.` and a
    /// trailing dot are dropped; case does not matter.
    pub fn from_lines(name: &str, text: &str) -> Self {
        let mut list = Self::empty(name);
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            list.add_blocked(line);
        }
        list
    }

    /// MetaMask's eth-phishing-detect `config.json`: its `blacklist` is
    /// blocked, its `whitelist` (legitimate look-alikes) is allowed and wins
    /// over the blacklist.
    pub fn from_eth_phishing_json(text: &str) -> Result<Self, ListError> {
        let config: EthPhishingConfig = serde_json::from_str(text)?;
        let mut list = Self::empty(Self::ETH_PHISHING);
        for entry in &config.blacklist {
            list.add_blocked(entry);
        }
        for entry in &config.whitelist {
            match host_entry(entry) {
                Some(host) => {
                    list.allowed.insert(host.into_boxed_str());
                }
                None => list.skipped += 1,
            }
        }
        Ok(list)
    }

    fn empty(name: &str) -> Self {
        Self {
            name: Arc::from(name),
            blocked: HashSet::new(),
            allowed: HashSet::new(),
            skipped: 0,
        }
    }

    fn add_blocked(&mut self, entry: &str) {
        match host_entry(entry) {
            Some(host) => {
                self.blocked.insert(host.into_boxed_str());
            }
            None => self.skipped += 1,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn shared_name(&self) -> Arc<str> {
        Arc::clone(&self.name)
    }

    /// How many domains the list blocks.
    pub fn len(&self) -> usize {
        self.blocked.len()
    }

    pub fn is_empty(&self) -> bool {
        self.blocked.is_empty()
    }

    /// Entries that were not host names and were left out.
    pub fn skipped(&self) -> usize {
        self.skipped
    }

    /// The blocked domains, in no particular order.
    pub fn blocked(&self) -> impl Iterator<Item = &str> {
        self.blocked.iter().map(|host| &**host)
    }

    /// The allowed domains, in no particular order.
    pub fn allowed(&self) -> impl Iterator<Item = &str> {
        self.allowed.iter().map(|host| &**host)
    }

    /// Whether `host` is listed: blocked, and not allowed.
    pub fn contains(&self, host: &str) -> bool {
        matches!(self.verdict(host), ListVerdict::Blocked(_))
    }

    /// What the list says about `host` (any case, no trailing dot). An
    /// allowed host or parent wins over a blocked one.
    pub fn verdict(&self, host: &str) -> ListVerdict {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let mut blocked = None;
        for name in parents(&host) {
            if self.allowed.contains(name) {
                return ListVerdict::Allowed;
            }
            if blocked.is_none() && self.blocked.contains(name) {
                blocked = Some(name.to_string());
            }
        }
        blocked.map_or(ListVerdict::Unknown, ListVerdict::Blocked)
    }

    /// The hit for `host`, when it is listed.
    pub fn hit(&self, host: &str) -> Option<ListHit> {
        match self.verdict(host) {
            ListVerdict::Blocked(entry) => Some(ListHit {
                list: Arc::clone(&self.name),
                entry,
            }),
            ListVerdict::Allowed | ListVerdict::Unknown => None,
        }
    }
}

/// `host` and its parent domains down to its registrable domain (by the
/// public-suffix list), longest first. A host without a registrable domain
/// (a bare suffix, one label) yields only itself.
pub(crate) fn parents(host: &str) -> impl Iterator<Item = &str> {
    let registrable_len = psl::List
        .domain(host.as_bytes())
        .map_or(host.len(), |domain| domain.as_bytes().len());
    let mut next = Some(host);
    std::iter::from_fn(move || {
        let current = next?;
        next = if current.len() > registrable_len {
            current.split_once('.').map(|(_, parent)| parent)
        } else {
            None
        };
        Some(current)
    })
}

/// One list entry as a lowercase ASCII host name, or `None` when it is not
/// one.
fn host_entry(entry: &str) -> Option<String> {
    let mut host = entry.trim();
    for scheme in ["http://", "https://", "HTTP://", "HTTPS://"] {
        host = host.strip_prefix(scheme).unwrap_or(host);
    }
    let host = host.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.split(':').next().unwrap_or("");
    let host = host.trim_start_matches("*.").trim_matches('.');
    let valid = host.contains('.')
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
    valid.then(|| host.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_cleaned() {
        let list = DomainList::from_lines(
            "test",
            "# comment\n\nEvil.COM\nhttp://www.game163.in\ngoal98.netsh.com/bbs/1\nnihao.soke123.com.\n38zu-cn\nhost.cn:81\n",
        );
        assert_eq!(list.len(), 5);
        assert_eq!(list.skipped(), 1);
        assert!(list.contains("evil.com"));
        assert!(list.contains("www.game163.in"));
        assert!(list.contains("goal98.netsh.com"));
        assert!(list.contains("nihao.soke123.com"));
        assert!(list.contains("host.cn"));
    }

    #[test]
    fn parents_stop_at_the_registrable_domain() {
        let all: Vec<&str> = parents("a.b.example.com.cn").collect();
        assert_eq!(
            all,
            ["a.b.example.com.cn", "b.example.com.cn", "example.com.cn"]
        );
        let suffix: Vec<&str> = parents("com.cn").collect();
        assert_eq!(suffix, ["com.cn"]);
        let private: Vec<&str> = parents("x.scam.webflow.io").collect();
        assert_eq!(private, ["x.scam.webflow.io", "scam.webflow.io"]);
    }

    #[test]
    fn a_listed_parent_covers_subdomains_but_not_above_the_registrable_domain() {
        let list = DomainList::from_lines("test", "nfts-mints.com\nwebflow.io\n");
        assert!(list.contains("etherealart.nfts-mints.com"));
        assert!(list.contains("NFTS-MINTS.COM."));
        assert!(!list.contains("cryptolaunchs.webflow.io"));
        let hit = list.hit("a.nfts-mints.com").unwrap();
        assert_eq!(&*hit.list, "test");
        assert_eq!(hit.entry, "nfts-mints.com");
    }

    #[test]
    fn eth_whitelist_wins() {
        let json = r#"{"version":2,"tolerance":2,"fuzzylist":["metamask.io"],
            "whitelist":["launchpad.ethereum.org","opensea.io"],
            "blacklist":["ethereum.org","opensea.io","azukishop.live"]}"#;
        let list = DomainList::from_eth_phishing_json(json).unwrap();
        assert_eq!(list.name(), DomainList::ETH_PHISHING);
        assert!(list.contains("azukishop.live"));
        assert!(!list.contains("opensea.io"));
        assert_eq!(list.verdict("opensea.io"), ListVerdict::Allowed);
        assert!(list.contains("ethereum.org"));
        assert!(!list.contains("launchpad.ethereum.org"));
        assert_eq!(list.verdict("example.org"), ListVerdict::Unknown);
    }

    #[test]
    fn bad_json_is_an_error() {
        assert!(DomainList::from_eth_phishing_json("{\"blacklist\": 3}").is_err());
    }
}
