//! Extractors: the URLs, domains and contacts a text names, as spans.
//!
//! What: [`Extractors::extract`] returns every [`Entity`] in a text: URLs
//! and domains (subject kinds `url` and `domain`), and phone numbers, e-mail
//! addresses, messenger handles (WeChat, QQ, Telegram) and wallet addresses
//! (BTC, ETH, TRON), which are all subject kind `contact`. Each comes with
//! a canonical value (lowercase host, E.164 phone, `wechat:abc123`,
//! `btc:1…`), its byte span in the original text (as typed, on char
//! boundaries), a detail (messenger, chain, phone type, `shortener`),
//! whether it was obfuscated, and for hosts on a known-bad
//! [`DomainList`], which list names it.
//!
//! Obfuscation undone: full-width letters and digits, invisible characters
//! and compatibility forms ([`view`]); disguised dots and `@`
//! (`example[.]com`, `example。com`, `example点com`, `a [at] b [dot] com`)
//! and defanged schemes (`hxxp://`) in [`url`] and [`email`]; spaces and
//! dashes inside phone numbers ([`phone`]); cue words such as 加微信, v信,
//! 扣扣, 纸飞机 before handles ([`handle`]).
//!
//! Precision: hosts need a public suffix and a registrable domain; phone
//! numbers must be valid for `phonenumber`; QQ numbers and WeChat ids count
//! only after a cue; wallets must pass their checksums.
//!
//! Speed: a `memchr` pass decides whether the text needs folding
//! ([`view`]), another finds the `@` of e-mail addresses; everything else
//! is built from ASCII words ([`word`]), which a scan reading non-ASCII
//! bytes eight at a time finds, and only candidates reach the parsers
//! (`psl`, `phonenumber`, checksums).
//!
//! What not: no I/O (lists are parsed from text the caller read), no
//! fetching or expanding of links, no decision: an entity is evidence for a
//! rule, not a finding.

mod domain_list;
mod email;
mod handle;
mod phone;
mod shortener;
mod url;
mod view;
mod wallet;
mod word;

use std::ops::Range;

use phonenumber::country::Id;
use thiserror::Error;

pub use domain_list::{DomainList, ListError, ListHit, ListVerdict};
pub use phone::PARSE_BUDGET;

/// What an entity is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntityKind {
    Url,
    Domain,
    Phone,
    Email,
    Handle,
    Wallet,
}

impl EntityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Url => "url",
            Self::Domain => "domain",
            Self::Phone => "phone",
            Self::Email => "email",
            Self::Handle => "handle",
            Self::Wallet => "wallet",
        }
    }

    /// The subject kind (DESIGN.md) a report or signal on it is about.
    pub fn subject_kind(self) -> &'static str {
        match self {
            Self::Url => "url",
            Self::Domain => "domain",
            Self::Phone | Self::Email | Self::Handle | Self::Wallet => "contact",
        }
    }
}

/// One URL, domain or contact found in a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entity {
    pub kind: EntityKind,
    /// Canonical form: `https://example.com/a` (a URL as the `url` crate
    /// writes it, `https` when none was typed), `example.com` (lowercase),
    /// `+8613800138000` (E.164), `user@example.com`, `wechat:abc123`,
    /// `qq:12345678`, `telegram:name`, `btc:…`, `eth:0x…` (lowercase),
    /// `tron:T…`.
    pub value: String,
    /// Byte range in the original text, on char boundaries.
    pub span: Range<usize>,
    /// `wechat`, `qq`, `telegram`; `btc`, `eth`, `tron`; a phone number's
    /// type (`mobile`, `fixed_line`, `toll_free`, `premium_rate`…);
    /// `shortener` for URLs and domains of a link shortener.
    pub detail: Option<&'static str>,
    /// For a URL, domain or e-mail address whose host is on a known-bad
    /// list: the list and the entry.
    pub listed: Option<ListHit>,
    /// Whether it was written to get past filters (full-width or invisible
    /// characters, a disguised dot or `@`, a defanged scheme).
    pub obfuscated: bool,
}

impl Entity {
    /// The entity as typed in `original` (the text it was extracted from).
    pub fn text<'t>(&self, original: &'t str) -> &'t str {
        original.get(self.span.clone()).unwrap_or("")
    }

    /// The host of a URL, domain or e-mail address.
    pub fn host(&self) -> Option<&str> {
        match self.kind {
            EntityKind::Domain => Some(&self.value),
            EntityKind::Email => self.value.rsplit_once('@').map(|(_, host)| host),
            EntityKind::Url => {
                let rest = self.value.split_once("://")?.1;
                rest.split(['/', '?', '#', ':']).next()
            }
            EntityKind::Phone | EntityKind::Handle | EntityKind::Wallet => None,
        }
    }
}

/// The extractors could not be set up.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ExtractError {
    #[error("unknown phone region {0:?} (expected an ISO 3166 code such as CN)")]
    UnknownRegion(String),
    #[error("no phone region given")]
    NoRegion,
}

/// An entity as a scanner finds it: the span is in the scanned text
/// ([`view::View::text`]), not yet the original.
pub(crate) struct Found {
    pub(crate) kind: EntityKind,
    pub(crate) value: String,
    pub(crate) span: Range<usize>,
    pub(crate) detail: Option<&'static str>,
    /// The host to look up in the domain lists.
    pub(crate) host: Option<String>,
    pub(crate) obfuscated: bool,
}

/// The extractors and what they need, built once and shared: `Send` and
/// `Sync`, no interior state.
#[derive(Clone, Debug)]
pub struct Extractors {
    lists: Vec<DomainList>,
    regions: Vec<Id>,
}

impl Default for Extractors {
    fn default() -> Self {
        Self::new()
    }
}

impl Extractors {
    /// No domain lists; phone numbers without `+` are read as Chinese.
    pub fn new() -> Self {
        // phonenumber loads its metadata on first use; pay for it here
        // rather than on the first text.
        let _ = phonenumber::parse(Some(Id::CN), "13800138000");
        Self {
            lists: Vec::new(),
            regions: vec![Id::CN],
        }
    }

    /// Adds a known-bad domain list. A host allowed by any list is never
    /// listed; otherwise the first list that blocks it names it.
    pub fn with_domain_list(mut self, list: DomainList) -> Self {
        self.lists.push(list);
        self
    }

    /// The regions (ISO 3166 codes, "CN", "GB") numbers without `+` are
    /// tried in, in order. Only with exactly `["CN"]` (the default) are
    /// numbers first checked for a Chinese shape.
    pub fn with_phone_regions(mut self, regions: &[&str]) -> Result<Self, ExtractError> {
        if regions.is_empty() {
            return Err(ExtractError::NoRegion);
        }
        self.regions = regions
            .iter()
            .map(|code| {
                code.parse::<Id>()
                    .map_err(|_| ExtractError::UnknownRegion((*code).to_string()))
            })
            .collect::<Result<_, _>>()?;
        Ok(self)
    }

    pub fn lists(&self) -> &[DomainList] {
        &self.lists
    }

    /// Which list names `host`, if any (see [`DomainList::verdict`]).
    pub fn listed(&self, host: &str) -> Option<ListHit> {
        let mut hit = None;
        for list in &self.lists {
            match list.verdict(host) {
                ListVerdict::Allowed => return None,
                ListVerdict::Blocked(entry) if hit.is_none() => {
                    hit = Some(ListHit {
                        list: list.shared_name(),
                        entry,
                    });
                }
                ListVerdict::Blocked(_) | ListVerdict::Unknown => {}
            }
        }
        hit
    }

    /// Every entity in `text`, ordered by where it starts.
    pub fn extract(&self, text: &str) -> Vec<Entity> {
        let mut out = Vec::new();
        self.extract_into(text, &mut out);
        out
    }

    /// Appends every entity in `text` to `out`, ordered by where it starts.
    pub fn extract_into(&self, text: &str, out: &mut Vec<Entity>) {
        let view = view::View::new(text);
        let mut found = Vec::new();
        self.scan(view.text(), &mut found);
        let first = out.len();
        for entity in found {
            let span = view.original_span(entity.span.clone());
            debug_assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
            let listed = match &entity.host {
                Some(host) if !self.lists.is_empty() => self.listed(host),
                _ => None,
            };
            out.push(Entity {
                kind: entity.kind,
                value: entity.value,
                obfuscated: entity.obfuscated || view.folded_in(entity.span),
                span,
                detail: entity.detail,
                listed,
            });
        }
        out[first..].sort_by_key(|entity| (entity.span.start, entity.span.end));
    }

    /// Runs the scanners over the scanned text: e-mail addresses first,
    /// then word by word hosts, wallets, QQ numbers, phone numbers and
    /// handles, skipping what an earlier scanner took.
    fn scan(&self, text: &str, found: &mut Vec<Found>) {
        let bytes = text.as_bytes();
        email::scan(text, found);
        let taken: Vec<Range<usize>> = found
            .iter()
            .filter(|entity| entity.kind == EntityKind::Email)
            .map(|entity| entity.span.clone())
            .collect();
        let mut next_taken = 0;
        let mut budget = PARSE_BUDGET;
        // Labels before this are known not to start a host.
        let mut no_host_before = 0;
        let mut at = 0;
        while let Some(word) = word::next_word(bytes, at) {
            while taken
                .get(next_taken)
                .is_some_and(|span| span.end <= word.start)
            {
                next_taken += 1;
            }
            if let Some(span) = taken
                .get(next_taken)
                .filter(|span| span.start <= word.start)
            {
                at = span.end;
                continue;
            }
            at = word.end;
            if word.start >= no_host_before && url::dot_follows(bytes, word.end) {
                let listed = |host: &str| self.listed(host).is_some();
                match url::scan(text, word.start, &listed, found) {
                    Ok(end) => {
                        at = end;
                        continue;
                    }
                    Err(chain_end) => no_host_before = chain_end,
                }
            }
            let wallet = match word.len() {
                wallet::MIN_LEN..=wallet::MAX_LEN => wallet::check(&text[word.clone()]),
                _ => None,
            };
            if let Some((detail, value)) = wallet {
                found.push(Found {
                    kind: EntityKind::Wallet,
                    value,
                    span: word,
                    detail: Some(detail),
                    host: None,
                    obfuscated: false,
                });
                continue;
            }
            let starts_with_digit = bytes[word.start].is_ascii_digit();
            if let Some(entity) = handle::scan(text, word.clone()) {
                found.push(entity);
            } else if starts_with_digit {
                let end = phone::scan(text, word.start, &self.regions, &mut budget, found);
                at = end.max(word.start + 1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entities(text: &str) -> Vec<(EntityKind, String, String)> {
        Extractors::new()
            .extract(text)
            .into_iter()
            .map(|entity| {
                (
                    entity.kind,
                    entity.value.clone(),
                    entity.text(text).to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn nothing_in_plain_text() {
        assert!(entities("今天天气很好，我们去公园吧。").is_empty());
        assert!(entities("I am at home, call me at 8pm. See you.").is_empty());
        assert!(entities("").is_empty());
    }

    #[test]
    fn full_width_phone_maps_back() {
        let text = "电话：１３８ ００１３ ８０００，";
        let found = Extractors::new().extract(text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].value, "+8613800138000");
        assert_eq!(found[0].text(text), "１３８ ００１３ ８０００");
        assert!(found[0].obfuscated);
    }

    #[test]
    fn a_mix() {
        let got = entities("加V：abc_123 或 QQ 12345678，网址 hxxps://evil[.]cn/x，邮箱 a@b.com");
        let kinds: Vec<EntityKind> = got.iter().map(|e| e.0).collect();
        assert_eq!(
            kinds,
            [
                EntityKind::Handle,
                EntityKind::Handle,
                EntityKind::Url,
                EntityKind::Email
            ]
        );
        assert_eq!(got[2].1, "https://evil.cn/x");
        assert_eq!(got[2].2, "hxxps://evil[.]cn/x");
    }

    #[test]
    fn lists_and_allow_lists() {
        let extractors = Extractors::new()
            .with_domain_list(DomainList::from_lines("bad", "evil.cn\nopensea.io\n"))
            .with_domain_list(
                DomainList::from_eth_phishing_json(
                    r#"{"blacklist":[],"whitelist":["opensea.io"]}"#,
                )
                .unwrap(),
            );
        let found = extractors.extract("去 www.evil.cn 或 opensea.io 或 x@evil.cn");
        assert_eq!(found.len(), 3);
        assert_eq!(found[0].listed.as_ref().map(|hit| &*hit.list), Some("bad"));
        assert_eq!(found[1].listed, None);
        assert_eq!(found[2].kind, EntityKind::Email);
        assert!(found[2].listed.is_some());
    }

    #[test]
    fn host_of_each_kind() {
        let found = Extractors::new().extract("https://a.example.com:81/x bc.cn c@d.org");
        let hosts: Vec<Option<&str>> = found.iter().map(Entity::host).collect();
        assert_eq!(hosts, [Some("a.example.com"), Some("bc.cn"), Some("d.org")]);
    }

    #[test]
    fn regions() {
        assert!(Extractors::new().with_phone_regions(&["CN", "GB"]).is_ok());
        assert_eq!(
            Extractors::new().with_phone_regions(&["XX"]).err(),
            Some(ExtractError::UnknownRegion("XX".into()))
        );
        assert_eq!(
            Extractors::new().with_phone_regions(&[]).err(),
            Some(ExtractError::NoRegion)
        );
    }

    #[test]
    fn extractors_are_send_and_sync() {
        fn shared<T: Send + Sync>() {}
        shared::<Extractors>();
    }
}
