//! The audit log: an append-only chain of entries, each carrying the hash of
//! the one before.
//!
//! Every staff action and every automated state change appends one entry in
//! the same transaction as the change itself, so the log and the state never
//! disagree. An entry's hash covers its sequence number, time, actor,
//! action, object, detail and the previous entry's hash, each field
//! length-prefixed (no two different entries hash the same input). So:
//!
//! - an edited entry no longer matches its own hash;
//! - a deleted or inserted entry breaks the sequence and the next entry's
//!   link;
//! - reordered entries break both;
//! - cutting entries off the end is invisible from inside the log, which is
//!   why the newest head (`seq:hash`) is exported for someone outside to
//!   keep, and [`verify`] checks it when given.
//!
//! [`verify`] names the first entry that does not hold.

use serde::Serialize;
use sha2::{Digest, Sha256};
use std::fmt;
use thiserror::Error;

/// The previous hash of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who did it: a staff member, or a part of Harrier acting on its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(into = "String")]
pub enum Actor {
    Staff {
        id: i64,
        name: String,
    },
    System(&'static str),
    /// A provider, through its API key (order answers).
    Provider(String),
    /// A member of the public: an affected person appealing with a code.
    Public,
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Staff { name, .. } => write!(f, "staff:{name}"),
            Self::System(part) => write!(f, "system:{part}"),
            Self::Provider(name) => write!(f, "provider:{name}"),
            Self::Public => f.write_str("public"),
        }
    }
}

impl From<Actor> for String {
    fn from(actor: Actor) -> Self {
        actor.to_string()
    }
}

/// An entry to append: the store gives it its sequence number, time and
/// hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    pub actor: Actor,
    /// What happened, dotted: `case.transition`, `evidence.added`, ...
    pub action: &'static str,
    /// What it happened to: `case:12`, `report:40`, `staff:3`, ...
    pub object: String,
    /// The particulars as a JSON object (reasons, from/to states, hashes).
    pub detail: serde_json::Value,
}

impl NewEntry {
    pub fn new(
        actor: Actor,
        action: &'static str,
        object: impl Into<String>,
        detail: serde_json::Value,
    ) -> Self {
        Self {
            actor,
            action,
            object: object.into(),
            detail,
        }
    }
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub seq: i64,
    /// UTC, RFC 3339 with the store's fixed precision.
    pub at: String,
    pub actor: String,
    pub action: String,
    pub object: String,
    /// JSON text, exactly as hashed.
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of an entry from its fields and the previous hash.
pub fn entry_hash(
    seq: i64,
    at: &str,
    actor: &str,
    action: &str,
    object: &str,
    detail: &str,
    prev_hash: &str,
) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"harrier-audit-v1");
    let seq = seq.to_string();
    for field in [seq.as_str(), at, actor, action, object, detail, prev_hash] {
        hasher.update((field.len() as u64).to_be_bytes());
        hasher.update(field.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// Seals a new entry: its fields as stored, with its hash.
pub fn seal(entry: &NewEntry, seq: i64, at: &str, prev_hash: &str) -> Entry {
    let actor = entry.actor.to_string();
    let detail = entry.detail.to_string();
    let hash = entry_hash(
        seq,
        at,
        &actor,
        entry.action,
        &entry.object,
        &detail,
        prev_hash,
    );
    Entry {
        seq,
        at: at.to_owned(),
        actor,
        action: entry.action.to_owned(),
        object: entry.object.clone(),
        detail,
        prev_hash: prev_hash.to_owned(),
        hash,
    }
}

/// The newest entry, as exported for safekeeping: `seq:hash`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Head {
    pub seq: i64,
    pub hash: String,
}

impl fmt::Display for Head {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.seq, self.hash)
    }
}

impl Head {
    /// Parses `seq:hash`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (seq, hash) = text
            .trim()
            .split_once(':')
            .ok_or_else(|| format!("{text:?} is not a head: expected SEQ:HASH"))?;
        let seq = seq
            .parse::<i64>()
            .map_err(|_| format!("{seq:?} is not a sequence number"))?;
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("{hash:?} is not a SHA-256 in hex"));
        }
        Ok(Self {
            seq,
            hash: hash.to_ascii_lowercase(),
        })
    }
}

/// Why the log does not hold, at the first entry that is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Broken {
    #[error("entry {seq}: its content does not match its hash (edited)")]
    Edited { seq: i64 },
    #[error(
        "entry {seq}: expected sequence number {expected} (an entry was deleted, inserted or moved before it)"
    )]
    Sequence { seq: i64, expected: i64 },
    #[error(
        "entry {seq}: it does not link to the entry before it (an entry was deleted, inserted or moved before it)"
    )]
    Link { seq: i64 },
    #[error(
        "the kept head {kept} is not in the log (entries at or before it were cut off or changed)"
    )]
    HeadMissing { kept: String },
}

impl Broken {
    /// The first bad entry's sequence number, when one is named.
    pub fn seq(&self) -> Option<i64> {
        match self {
            Self::Edited { seq } | Self::Sequence { seq, .. } | Self::Link { seq } => Some(*seq),
            Self::HeadMissing { .. } => None,
        }
    }
}

/// What a verification found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verified {
    pub entries: i64,
    pub head: Option<Head>,
}

/// Checks entries one at a time, in stored order, so a long log can be
/// read page by page.
#[derive(Debug, Clone)]
pub struct Verifier {
    prev: String,
    expected: i64,
    head: Option<Head>,
    kept: Option<Head>,
    kept_seen: bool,
}

impl Verifier {
    /// With `kept`, [`Verifier::finish`] also checks that the log still
    /// contains that head.
    pub fn new(kept: Option<Head>) -> Self {
        Self {
            prev: GENESIS.to_owned(),
            expected: 1,
            head: None,
            kept,
            kept_seen: false,
        }
    }

    pub fn push(&mut self, entry: &Entry) -> Result<(), Broken> {
        if entry.seq != self.expected {
            return Err(Broken::Sequence {
                seq: entry.seq,
                expected: self.expected,
            });
        }
        if entry.prev_hash != self.prev {
            return Err(Broken::Link { seq: entry.seq });
        }
        let hash = entry_hash(
            entry.seq,
            &entry.at,
            &entry.actor,
            &entry.action,
            &entry.object,
            &entry.detail,
            &entry.prev_hash,
        );
        if hash != entry.hash {
            return Err(Broken::Edited { seq: entry.seq });
        }
        if self
            .kept
            .as_ref()
            .is_some_and(|k| k.seq == entry.seq && k.hash == entry.hash)
        {
            self.kept_seen = true;
        }
        self.prev.clone_from(&entry.hash);
        self.expected += 1;
        self.head = Some(Head {
            seq: entry.seq,
            hash: entry.hash.clone(),
        });
        Ok(())
    }

    pub fn finish(self) -> Result<Verified, Broken> {
        if let Some(kept) = self.kept.filter(|_| !self.kept_seen) {
            return Err(Broken::HeadMissing {
                kept: kept.to_string(),
            });
        }
        Ok(Verified {
            entries: self.expected - 1,
            head: self.head,
        })
    }
}

/// Checks a whole log held in memory (see [`Verifier`]).
pub fn verify<I>(entries: I, kept: Option<&Head>) -> Result<Verified, Broken>
where
    I: IntoIterator<Item = Entry>,
{
    let mut verifier = Verifier::new(kept.cloned());
    for entry in entries {
        verifier.push(&entry)?;
    }
    verifier.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn chain(n: i64) -> Vec<Entry> {
        let mut prev = GENESIS.to_owned();
        (1..=n)
            .map(|seq| {
                let e = seal(
                    &NewEntry::new(
                        Actor::Staff {
                            id: 1,
                            name: "ana".into(),
                        },
                        "case.transition",
                        format!("case:{seq}"),
                        json!({"to": "triage", "reason": format!("r{seq}")}),
                    ),
                    seq,
                    "2026-11-24T10:00:00.000000Z",
                    &prev,
                );
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies_with_its_head() {
        let log = chain(5);
        let head = Head {
            seq: 5,
            hash: log[4].hash.clone(),
        };
        let v = verify(log.clone(), Some(&head)).unwrap();
        assert_eq!(v.entries, 5);
        assert_eq!(v.head, Some(head.clone()));
        assert_eq!(Head::parse(&head.to_string()).unwrap(), head);
        // An older kept head is still in a longer log.
        let older = Head {
            seq: 2,
            hash: log[1].hash.clone(),
        };
        assert!(verify(log, Some(&older)).is_ok());
        assert_eq!(verify(Vec::new(), None).unwrap().entries, 0);
    }

    #[test]
    fn each_kind_of_tampering_names_the_first_bad_entry() {
        let mut edited = chain(5);
        edited[2].detail = r#"{"to":"closed"}"#.into();
        assert_eq!(verify(edited, None), Err(Broken::Edited { seq: 3 }));

        let mut deleted = chain(5);
        deleted.remove(1);
        assert_eq!(
            verify(deleted, None),
            Err(Broken::Sequence {
                seq: 3,
                expected: 2
            })
        );

        // Deleted and renumbered: the link breaks.
        let mut renumbered = chain(5);
        renumbered.remove(1);
        for (i, e) in renumbered.iter_mut().enumerate() {
            e.seq = i as i64 + 1;
        }
        assert_eq!(verify(renumbered, None), Err(Broken::Link { seq: 2 }));

        let mut reordered = chain(5);
        reordered.swap(1, 3);
        assert_eq!(
            verify(reordered, None),
            Err(Broken::Sequence {
                seq: 4,
                expected: 2
            })
        );
        // Moved with their numbers rewritten (as a database ordered by
        // sequence number would show it): the first moved entry is named.
        let mut renumbered = chain(5);
        renumbered.swap(1, 3);
        renumbered[1].seq = 2;
        renumbered[3].seq = 4;
        assert_eq!(verify(renumbered, None).unwrap_err().seq(), Some(2));

        // Inserted with a forged hash of its own: the next entry's link fails.
        let mut inserted = chain(3);
        let forged = seal(
            &NewEntry::new(Actor::System("patrol"), "case.opened", "case:9", json!({})),
            3,
            "2026-11-24T10:00:00.000000Z",
            &inserted[1].hash,
        );
        inserted.insert(2, forged);
        for (i, e) in inserted.iter_mut().enumerate() {
            e.seq = i as i64 + 1;
        }
        assert_eq!(verify(inserted, None), Err(Broken::Link { seq: 4 }));

        // Cut off the end: only the kept head shows it.
        let log = chain(5);
        let head = Head {
            seq: 5,
            hash: log[4].hash.clone(),
        };
        let cut: Vec<_> = log.into_iter().take(4).collect();
        assert!(verify(cut.clone(), None).is_ok());
        assert!(matches!(
            verify(cut, Some(&head)),
            Err(Broken::HeadMissing { .. })
        ));
    }

    #[test]
    fn fields_cannot_shift_into_each_other() {
        let a = entry_hash(1, "t", "ab", "c", "o", "{}", GENESIS);
        let b = entry_hash(1, "t", "a", "bc", "o", "{}", GENESIS);
        assert_ne!(a, b);
        assert!(Head::parse("3:xyz").is_err());
        assert!(Head::parse("nope").is_err());
    }
}
