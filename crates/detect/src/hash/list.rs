//! Hash lists imported from text, and the matcher that checks an item's
//! image hashes against them.
//!
//! What: a [`HashList`] holds the SHA-256 or PDQ hashes of one list (a
//! hash set for SHA-256, a [`HashIndex`] for PDQ), each entry with an
//! optional label and the line it came from. [`HashList::import`] reads the
//! text form: one hex hash a line, optionally `,label`; blank lines and
//! lines starting with `#` are skipped; a bad line is reported with its
//! number and skipped while the rest loads. A [`HashMatcher`] checks the
//! `images` of an [`Item`] against every list and says which list, which
//! entry and at what distance.
//!
//! Why: lists arrive from other organisations as text exports and are
//! never perfect; one bad line must not cost the other million.
//!
//! What not: no fetching, no file reading (the caller passes the text), no
//! list versioning or deltas: a changed list is imported again.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{HashError, HashIndex, PDQ_MATCH_DISTANCE, PdqHash, Sha256Digest};
use crate::item::Item;

/// Longest label kept, in bytes.
pub const MAX_LABEL_BYTES: usize = 256;
/// Bad lines reported one by one; beyond this they are only counted.
pub const MAX_REPORTED_ERRORS: usize = 1000;

/// Which hash a list holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HashKind {
    Sha256,
    Pdq,
}

/// A hash of either kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ListHash {
    Sha256(Sha256Digest),
    Pdq(PdqHash),
}

impl std::fmt::Display for ListHash {
    /// Lowercase hex.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ListHash::Sha256(digest) => digest.fmt(f),
            ListHash::Pdq(hash) => hash.fmt(f),
        }
    }
}

/// One hash of a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListEntry {
    pub hash: ListHash,
    pub label: Option<String>,
    /// Line number in the imported text (from 1).
    pub line: usize,
}

/// The hashes of one list, ready to match.
pub struct HashList {
    id: String,
    entries: Vec<ListEntry>,
    lookup: Lookup,
}

enum Lookup {
    /// Digest to entry number.
    Sha256(HashMap<Sha256Digest, usize>),
    /// Entry numbers are positions in `entries`.
    Pdq(HashIndex),
}

/// What an import gives: the list and the lines it skipped.
pub struct Import {
    pub list: HashList,
    /// The first [`MAX_REPORTED_ERRORS`] bad lines, in order.
    pub errors: Vec<LineError>,
    /// Bad lines beyond those.
    pub unreported_errors: usize,
}

/// A line that was skipped, and why.
#[derive(Debug, thiserror::Error)]
#[error("line {line}: {kind}")]
pub struct LineError {
    pub line: usize,
    pub kind: LineErrorKind,
}

#[derive(Debug, thiserror::Error)]
pub enum LineErrorKind {
    #[error("{0}")]
    Hash(HashError),
    #[error("the same hash as line {first_line}")]
    Duplicate { first_line: usize },
    #[error("label longer than {MAX_LABEL_BYTES} bytes")]
    LabelTooLong,
}

impl HashList {
    /// Reads `text` (one hash a line, optional `,label`, `#` comments) as
    /// list `id` of `kind`. Fails only if the list is too large to index
    /// (over 4 billion entries).
    pub fn import(id: &str, kind: HashKind, text: &str) -> Result<Import, HashError> {
        let mut builder = Builder::default();
        let mut errors = Vec::new();
        let mut unreported_errors = 0;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        for (line, raw) in (1..).zip(text.lines()) {
            let added = match parse_line(raw) {
                Ok(None) => Ok(()),
                Ok(Some((hash, label))) => builder.add(kind, hash, label, line),
                Err(error) => Err(error),
            };
            if let Err(kind) = added {
                if errors.len() < MAX_REPORTED_ERRORS {
                    errors.push(LineError { line, kind });
                } else {
                    unreported_errors += 1;
                }
            }
        }
        let lookup = match kind {
            HashKind::Sha256 => Lookup::Sha256(builder.sha256),
            HashKind::Pdq => Lookup::Pdq(HashIndex::build(&builder.pdq)?),
        };
        let list = HashList {
            id: id.to_owned(),
            entries: builder.entries,
            lookup,
        };
        Ok(Import {
            list,
            errors,
            unreported_errors,
        })
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn kind(&self) -> HashKind {
        match self.lookup {
            Lookup::Sha256(_) => HashKind::Sha256,
            Lookup::Pdq(_) => HashKind::Pdq,
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn entries(&self) -> &[ListEntry] {
        &self.entries
    }

    /// The entry with this digest (none in a PDQ list).
    pub fn find_sha256(&self, digest: &Sha256Digest) -> Option<&ListEntry> {
        match &self.lookup {
            Lookup::Sha256(map) => map.get(digest).map(|&i| &self.entries[i]),
            Lookup::Pdq(_) => None,
        }
    }

    /// Entries within `max_distance` of `hash`, nearest first, with their
    /// distance (none in a SHA-256 list).
    pub fn find_pdq(&self, hash: &PdqHash, max_distance: u32) -> Vec<(&ListEntry, u32)> {
        match &self.lookup {
            Lookup::Pdq(index) => index
                .within(hash, max_distance)
                .into_iter()
                .map(|m| (&self.entries[m.entry], m.distance))
                .collect(),
            Lookup::Sha256(_) => Vec::new(),
        }
    }
}

/// `Ok(None)` for blank and comment lines, else the hash text and label.
fn parse_line(raw: &str) -> Result<Option<(&str, Option<&str>)>, LineErrorKind> {
    let line = raw.trim();
    if line.is_empty() || line.starts_with('#') {
        return Ok(None);
    }
    let (hash, label) = match line.split_once(',') {
        Some((hash, label)) => (hash.trim(), Some(label.trim()).filter(|l| !l.is_empty())),
        None => (line, None),
    };
    if label.is_some_and(|l| l.len() > MAX_LABEL_BYTES) {
        return Err(LineErrorKind::LabelTooLong);
    }
    Ok(Some((hash, label)))
}

/// The list as it is read: entries, and the lookups that catch duplicates.
#[derive(Default)]
struct Builder {
    entries: Vec<ListEntry>,
    /// Digest to entry number.
    sha256: HashMap<Sha256Digest, usize>,
    /// PDQ hashes in entry order, for the index.
    pdq: Vec<PdqHash>,
    /// PDQ hash to entry number.
    pdq_seen: HashMap<PdqHash, usize>,
}

impl Builder {
    fn add(
        &mut self,
        kind: HashKind,
        text: &str,
        label: Option<&str>,
        line: usize,
    ) -> Result<(), LineErrorKind> {
        let number = self.entries.len();
        let (hash, first) = match kind {
            HashKind::Sha256 => {
                let digest: Sha256Digest = text.parse().map_err(LineErrorKind::Hash)?;
                (
                    ListHash::Sha256(digest),
                    *self.sha256.entry(digest).or_insert(number),
                )
            }
            HashKind::Pdq => {
                let hash: PdqHash = text.parse().map_err(LineErrorKind::Hash)?;
                (
                    ListHash::Pdq(hash),
                    *self.pdq_seen.entry(hash).or_insert(number),
                )
            }
        };
        if first != number {
            return Err(LineErrorKind::Duplicate {
                first_line: self.entries[first].line,
            });
        }
        if let ListHash::Pdq(hash) = hash {
            self.pdq.push(hash);
        }
        self.entries.push(ListEntry {
            hash,
            label: label.map(str::to_owned),
            line,
        });
        Ok(())
    }
}

/// One hash of an item's image found in a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HashMatch<'a> {
    /// Position of the image in `item.images`.
    pub image: usize,
    pub list: &'a str,
    pub kind: HashKind,
    pub entry: &'a ListEntry,
    /// Bits apart; 0 for SHA-256.
    pub distance: u32,
}

/// A hash in an item that is not valid hex; it was not matched.
#[derive(Debug)]
pub struct MalformedHash {
    pub image: usize,
    pub kind: HashKind,
    pub error: HashError,
}

/// What [`HashMatcher::match_item`] found.
#[derive(Debug, Default)]
pub struct ItemMatches<'a> {
    /// By image, then list order, then distance.
    pub matches: Vec<HashMatch<'a>>,
    pub malformed: Vec<MalformedHash>,
}

/// Checks image hashes against a set of lists.
pub struct HashMatcher {
    lists: Vec<HashList>,
    pdq_max_distance: u32,
}

impl HashMatcher {
    /// Matches PDQ hashes within [`PDQ_MATCH_DISTANCE`] (31).
    pub fn new(lists: Vec<HashList>) -> HashMatcher {
        HashMatcher {
            lists,
            pdq_max_distance: PDQ_MATCH_DISTANCE,
        }
    }

    /// Another PDQ distance; up to 47 the index answers, above it scans.
    pub fn with_pdq_max_distance(mut self, distance: u32) -> HashMatcher {
        self.pdq_max_distance = distance;
        self
    }

    pub fn lists(&self) -> &[HashList] {
        &self.lists
    }

    /// Matches of one image's hashes, reported as image `image`.
    pub fn match_hashes(
        &self,
        image: usize,
        sha256: Option<&Sha256Digest>,
        pdq: Option<&PdqHash>,
    ) -> Vec<HashMatch<'_>> {
        let mut matches = Vec::new();
        for list in &self.lists {
            let kind = list.kind();
            if let (HashKind::Sha256, Some(digest)) = (kind, sha256)
                && let Some(entry) = list.find_sha256(digest)
            {
                matches.push(HashMatch {
                    image,
                    list: list.id(),
                    kind,
                    entry,
                    distance: 0,
                });
            }
            if let (HashKind::Pdq, Some(hash)) = (kind, pdq) {
                for (entry, distance) in list.find_pdq(hash, self.pdq_max_distance) {
                    matches.push(HashMatch {
                        image,
                        list: list.id(),
                        kind,
                        entry,
                        distance,
                    });
                }
            }
        }
        matches
    }

    /// Matches of every image of `item`; hashes that are not 64 hex digits
    /// are listed as malformed and skipped.
    pub fn match_item(&self, item: &Item) -> ItemMatches<'_> {
        let mut out = ItemMatches::default();
        for (image, hashes) in item.images.iter().enumerate() {
            let sha256 = parse_field(image, HashKind::Sha256, hashes.sha256.as_deref(), &mut out);
            let pdq = parse_field(image, HashKind::Pdq, hashes.pdq.as_deref(), &mut out);
            let found = self.match_hashes(image, sha256.as_ref(), pdq.as_ref());
            out.matches.extend(found);
        }
        out
    }
}

fn parse_field<T: std::str::FromStr<Err = HashError>>(
    image: usize,
    kind: HashKind,
    text: Option<&str>,
    out: &mut ItemMatches<'_>,
) -> Option<T> {
    match text?.parse() {
        Ok(hash) => Some(hash),
        Err(error) => {
            out.malformed.push(MalformedHash { image, kind, error });
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::sha256;
    use crate::item::ImageHashes;

    const PDQ_A: &str = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";

    /// PDQ_A with the last `n` (up to 64) bits flipped.
    fn flipped(n: u32) -> PdqHash {
        let mut hash: PdqHash = PDQ_A.parse().unwrap();
        let mut left = n;
        for byte in hash.0.iter_mut().rev() {
            let take = left.min(8);
            if take == 0 {
                break;
            }
            *byte ^= (0xffu16 >> (8 - take)) as u8;
            left -= take;
        }
        hash
    }

    #[test]
    fn import_skips_bad_lines_and_reports_them() {
        let long_label_line = format!("{},{}", flipped(3), "x".repeat(300));
        let text = format!(
            "\u{feff}# exported 2026-11-24\n\
             {PDQ_A},known bad\n\
             \n\
             not-a-hash\n\
             {short}\n\
             {near}, near copy \n\
             {PDQ_A},again\n\
             {far}\n\
             {long_label_line}\n",
            short = &PDQ_A[..60],
            near = flipped(10),
            far = flipped(64),
        );
        let import = HashList::import("ncmec", HashKind::Pdq, &text).unwrap();
        let lines: Vec<usize> = import.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![4, 5, 7, 9]);
        assert!(matches!(
            import.errors[0].kind,
            LineErrorKind::Hash(HashError::HexLength { found: 10, .. })
        ));
        assert!(matches!(
            import.errors[2].kind,
            LineErrorKind::Duplicate { first_line: 2 }
        ));
        assert!(matches!(import.errors[3].kind, LineErrorKind::LabelTooLong));
        assert_eq!(
            import.errors[3].to_string(),
            "line 9: label longer than 256 bytes"
        );
        assert_eq!(
            import.errors[2].to_string(),
            "line 7: the same hash as line 2"
        );
        let list = import.list;
        assert_eq!(
            (list.id(), list.kind(), list.len()),
            ("ncmec", HashKind::Pdq, 3)
        );
        assert_eq!(list.entries()[0].label.as_deref(), Some("known bad"));
        assert_eq!(list.entries()[1].label.as_deref(), Some("near copy"));
        assert_eq!(list.entries()[2].label, None);
        assert_eq!(list.entries()[1].line, 6);

        let query: PdqHash = PDQ_A.parse().unwrap();
        let found: Vec<(usize, u32)> = list
            .find_pdq(&query, 31)
            .iter()
            .map(|(e, d)| (e.line, *d))
            .collect();
        assert_eq!(found, vec![(2, 0), (6, 10)]);
    }

    #[test]
    fn sha256_lists_match_exactly() {
        let digest = sha256(b"evidence");
        let text = format!(
            "{},first\n{}\n{}\n",
            digest.to_string().to_uppercase(),
            sha256(b"other"),
            digest
        );
        let import = HashList::import("local", HashKind::Sha256, &text).unwrap();
        assert_eq!(import.errors.len(), 1);
        assert!(matches!(
            import.errors[0].kind,
            LineErrorKind::Duplicate { first_line: 1 }
        ));
        let list = import.list;
        let entry = list.find_sha256(&digest).unwrap();
        assert_eq!((entry.line, entry.label.as_deref()), (1, Some("first")));
        assert_eq!(entry.hash, ListHash::Sha256(digest));
        assert_eq!(entry.hash.to_string(), digest.to_string());
        assert!(list.find_sha256(&sha256(b"nothing")).is_none());
        assert!(list.find_pdq(&PdqHash::ZERO, 256).is_empty());
    }

    #[test]
    fn errors_beyond_the_cap_are_counted() {
        let text = "bad\n".repeat(MAX_REPORTED_ERRORS + 5);
        let import = HashList::import("junk", HashKind::Sha256, &text).unwrap();
        assert_eq!(import.errors.len(), MAX_REPORTED_ERRORS);
        assert_eq!(import.unreported_errors, 5);
        assert!(import.list.is_empty());
    }

    #[test]
    fn matcher_reports_list_entry_and_distance() {
        let digest = sha256(b"evidence");
        let sha_list = HashList::import("sha", HashKind::Sha256, &format!("{digest},exact"))
            .unwrap()
            .list;
        let pdq_text = format!("{},a\n{},b\n{},c\n", flipped(0), flipped(20), flipped(40));
        let pdq_list = HashList::import("pdq", HashKind::Pdq, &pdq_text)
            .unwrap()
            .list;
        let matcher = HashMatcher::new(vec![sha_list, pdq_list]);
        let item = Item {
            id: "item-1".into(),
            images: vec![
                ImageHashes {
                    sha256: Some("12".into()),
                    pdq: Some(flipped(5).to_string()),
                },
                ImageHashes {
                    sha256: Some(digest.to_string()),
                    pdq: None,
                },
            ],
            ..Item::default()
        };
        let found = matcher.match_item(&item);
        let summary: Vec<(usize, &str, Option<&str>, u32)> = found
            .matches
            .iter()
            .map(|m| (m.image, m.list, m.entry.label.as_deref(), m.distance))
            .collect();
        assert_eq!(
            summary,
            vec![
                (0, "pdq", Some("a"), 5),
                (0, "pdq", Some("b"), 15),
                (1, "sha", Some("exact"), 0),
            ]
        );
        assert_eq!(found.malformed.len(), 1);
        assert_eq!(
            (found.malformed[0].image, found.malformed[0].kind),
            (0, HashKind::Sha256)
        );

        let strict = HashMatcher::new(matcher.lists).with_pdq_max_distance(10);
        let found = strict.match_item(&item);
        assert_eq!(found.matches.len(), 2);
    }
}
