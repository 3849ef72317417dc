//! Finding locations in free text: the URLs, handles, phone numbers and
//! messenger ids that a tip-off's body mentions.
//!
//! A person writing "加微信 abc123 买货, 或者打 138 0013 8000" has named two
//! subjects without filling in a form field. This module proposes them as
//! [`Location`]s so staff can confirm them instead of retyping.
//!
//! It runs on hostile input (e-mail bodies, later a fuzz target), so it
//! never panics, looks at no more than [`MAX_SCAN_BYTES`], and every stage
//! is one left-to-right pass. It prefers missing an oddly written number to
//! inventing one from a date, a time or an amount of money: a false subject
//! costs staff more than a missed one the reporter can still type.
//!
//! It does not normalise (that is `target.rs`) and does not judge whether a
//! location is harmful.

use super::location::{Location, LocationKind};
use std::collections::HashSet;

/// At most this many locations come back; the first ones in the text win.
pub const MAX_LOCATIONS: usize = 100;

/// Text beyond this many bytes is not scanned. E-mail bodies are cut to
/// 64 KiB before they get here; this bounds every other caller.
pub const MAX_SCAN_BYTES: usize = 1 << 20;

/// A phone number has at most 15 digits (E.164) and, here, at least 7.
const PHONE_DIGITS: std::ops::RangeInclusive<usize> = 7..=15;
const HANDLE_CHARS: std::ops::RangeInclusive<usize> = 2..=64;

/// Messenger names as people write them, and the prefix each id gets.
/// Chinese spam writes WeChat as "vx", "v信", "威信" or "薇信" to dodge
/// keyword filters; Telegram is "电报" or "纸飞机" ("paper plane", its logo).
const MESSENGERS: [(Messenger, &[&str]); 3] = [
    (
        Messenger::WeChat,
        &[
            "wechat", "weixin", "wx", "vx", "v信", "微信", "威信", "薇信",
        ],
    ),
    (Messenger::Qq, &["qq", "扣扣"]),
    (Messenger::Telegram, &["telegram", "tg", "电报", "纸飞机"]),
];

/// "example.txt" is a file name, not a site, when nothing follows it.
const FILE_EXTENSIONS: [&str; 24] = [
    "txt", "jpg", "jpeg", "png", "gif", "webp", "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx",
    "zip", "rar", "7z", "exe", "apk", "mp3", "mp4", "mov", "avi", "csv", "md",
];

/// Every location in `text`, in the order they first appear, without
/// repeats, at most [`MAX_LOCATIONS`].
pub fn extract_locations(text: &str) -> Vec<Location> {
    let text = &text[..text.floor_char_boundary(MAX_SCAN_BYTES)];
    let mut found: Vec<Found> = Vec::new();
    // Later stages skip what earlier ones took, so the digits of a URL or a
    // QQ number do not come back as a phone number.
    let mut claimed = Claimed::default();
    for stage in [links, messenger_ids, handles, phones] {
        let mut spans = Vec::new();
        for item in stage(text, &claimed) {
            spans.push((item.start, item.end));
            found.push(item);
        }
        claimed.merge(spans);
    }
    found.sort_by_key(|item| item.start);
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for location in found.into_iter().filter_map(|item| item.location) {
        if out.len() == MAX_LOCATIONS {
            break;
        }
        if seen.insert(location.clone()) {
            out.push(location);
        }
    }
    out
}

/// One location and the bytes of the text it came from. Without a
/// location, the span is only claimed: a link we do not report, whose
/// digits must not come back as a phone number either.
struct Found {
    start: usize,
    end: usize,
    location: Option<Location>,
}

/// Collects one stage's finds. A stage scans left to right, so once it has
/// [`MAX_LOCATIONS`] distinct values, anything later in the text could not
/// make the final list either, and the stage stops.
#[derive(Default)]
struct Finds {
    items: Vec<Found>,
    distinct: HashSet<Location>,
}

impl Finds {
    fn push(&mut self, start: usize, end: usize, kind: LocationKind, value: String) {
        let location = Location { kind, value };
        self.distinct.insert(location.clone());
        self.items.push(Found {
            start,
            end,
            location: Some(location),
        });
    }

    fn claim_only(&mut self, start: usize, end: usize) {
        self.items.push(Found {
            start,
            end,
            location: None,
        });
    }

    fn full(&self) -> bool {
        self.distinct.len() >= MAX_LOCATIONS
    }
}

/// Byte ranges already taken, sorted and non-overlapping.
#[derive(Default)]
struct Claimed(Vec<(usize, usize)>);

impl Claimed {
    fn overlaps(&self, start: usize, end: usize) -> bool {
        let before_end = self.0.partition_point(|&(s, _)| s < end);
        before_end > 0 && self.0[before_end - 1].1 > start
    }

    /// Where the next claimed range at or after `at` starts.
    fn next_start(&self, at: usize) -> Option<usize> {
        let i = self.0.partition_point(|&(_, e)| e <= at);
        self.0.get(i).map(|&(s, _)| s.max(at))
    }

    /// Adds one stage's ranges, which are sorted and overlap no claimed one.
    fn merge(&mut self, spans: Vec<(usize, usize)>) {
        self.0.extend(spans);
        self.0.sort_unstable();
    }
}

fn links(text: &str, _claimed: &Claimed) -> Vec<Found> {
    // linkify would run a URL on into Chinese text ("example.com/path了解")
    // and an e-mail domain across a full-width comma. Non-ASCII cannot be
    // part of what we report anyway (IRIs are left out on purpose), so scan
    // a copy where every non-ASCII character is spaces of the same byte
    // length: offsets stay valid in `text`.
    let scan: String = text
        .chars()
        .flat_map(|c| {
            let width = if c.is_ascii() { 0 } else { c.len_utf8() };
            std::iter::repeat_n(' ', width).chain(c.is_ascii().then_some(c))
        })
        .collect();
    debug_assert_eq!(scan.len(), text.len());
    let mut finder = linkify::LinkFinder::new();
    finder.url_must_have_scheme(false).url_can_be_iri(false);

    let mut finds = Finds::default();
    for link in finder.links(&scan) {
        if finds.full() {
            break;
        }
        let value = link.as_str();
        let (start, end) = (link.start(), link.end());
        match link.kind() {
            linkify::LinkKind::Email => {
                finds.push(start, end, LocationKind::Contact, value.to_owned());
            }
            linkify::LinkKind::Url if is_web_link(value) => {
                finds.push(start, end, LocationKind::Url, value.to_owned());
            }
            // "ftp://host/13800138000" gives neither a URL nor a phone.
            _ => finds.claim_only(start, end),
        }
    }
    finds.items
}

fn is_web_link(value: &str) -> bool {
    if let Some((scheme, _)) = value.split_once("://") {
        return scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https");
    }
    let host = value.split(['/', '?', '#', ':']).next().unwrap_or("");
    let tld = host.rsplit('.').next().unwrap_or("");
    let has_path = host.len() < value.len();
    let is_ip = host
        .split('.')
        .all(|label| label.bytes().all(|b| b.is_ascii_digit()));
    if is_ip {
        return true;
    }
    // "end.Next" is a missing space after a full stop, not a domain.
    let one_case =
        tld.bytes().all(|b| b.is_ascii_lowercase()) || tld.bytes().all(|b| b.is_ascii_uppercase());
    let file_name = !has_path && FILE_EXTENSIONS.contains(&tld.to_ascii_lowercase().as_str());
    one_case && !file_name
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Messenger {
    WeChat,
    Qq,
    Telegram,
}

impl Messenger {
    fn prefix(self) -> &'static str {
        match self {
            Self::WeChat => "wechat",
            Self::Qq => "qq",
            Self::Telegram => "telegram",
        }
    }

    /// Whether `id` looks like an id on this messenger.
    fn accepts(self, id: &str) -> bool {
        let len = id.len();
        match self {
            // WeChat ids are 6-20 characters; people also give the phone
            // number they registered with, or a slightly short old id.
            Self::WeChat => (5..=20).contains(&len),
            Self::Qq => (5..=11).contains(&len) && id.bytes().all(|b| b.is_ascii_digit()),
            Self::Telegram => (5..=32).contains(&len) && !id.contains('-'),
        }
    }
}

/// `微信: abc123`, `WeChat ID: abc123`, `QQ号：12345678`, `tg: @name`,
/// `加微信abc123`. ASCII names need a colon, so "wx" inside prose or a
/// word like "QQ group" is not a prefix; Chinese names may run straight
/// into the id, as they usually do.
fn messenger_ids(text: &str, claimed: &Claimed) -> Vec<Found> {
    let mut finds = Finds::default();
    let mut at = 0;
    while at < text.len() && !finds.full() {
        let Some(found) = messenger_id_at(text, at) else {
            at += text[at..].chars().next().map_or(1, char::len_utf8);
            continue;
        };
        let (end, messenger, id) = found;
        if !claimed.overlaps(at, end) {
            let value = format!("{}:{}", messenger.prefix(), id.to_lowercase());
            finds.push(at, end, LocationKind::Contact, value);
        }
        at = end;
    }
    finds.items
}

/// A messenger id starting exactly at byte `at`: its end, messenger and id.
fn messenger_id_at(text: &str, at: usize) -> Option<(usize, Messenger, &str)> {
    let rest = &text[at..];
    let first = rest.as_bytes().first()?.to_ascii_lowercase();
    let (messenger, name) = MESSENGERS
        .iter()
        .flat_map(|(messenger, names)| names.iter().map(move |name| (*messenger, *name)))
        .find(|(_, name)| {
            name.as_bytes().first() == Some(&first) && starts_with_ignore_ascii_case(rest, name)
        })?;
    let ascii_name = name.is_ascii();
    if ascii_name
        && text[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric())
    {
        return None;
    }
    let mut cursor = &rest[name.len()..];
    cursor = cursor.trim_start_matches([' ', '\u{3000}']);
    for suffix in ["号码", "号", "id"] {
        if starts_with_ignore_ascii_case(cursor, suffix) {
            cursor = cursor[suffix.len()..].trim_start_matches([' ', '\u{3000}']);
            break;
        }
    }
    let after_colon = cursor.strip_prefix([':', '：']);
    if ascii_name && after_colon.is_none() {
        return None;
    }
    cursor = after_colon
        .unwrap_or(cursor)
        .trim_start_matches([' ', '\u{3000}']);
    if messenger == Messenger::Telegram {
        cursor = cursor.strip_prefix('@').unwrap_or(cursor);
    }
    let id_len = cursor
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-')
        .count();
    let id = &cursor[..id_len];
    // A longer run is not an id cut short but something else (a hash, a
    // URL path); refuse it whole.
    if !messenger.accepts(id) {
        return None;
    }
    let end = text.len() - cursor.len() + id_len;
    Some((end, messenger, id))
}

fn starts_with_ignore_ascii_case(text: &str, prefix: &str) -> bool {
    text.len() >= prefix.len()
        && text.is_char_boundary(prefix.len())
        && text[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// `@name` and `＠name`: letters (any script), digits, `_` and `.`; not the
/// middle of an e-mail address.
fn handles(text: &str, claimed: &Claimed) -> Vec<Found> {
    let mut finds = Finds::default();
    for (at, sign) in text.char_indices().filter(|&(_, c)| c == '@' || c == '＠') {
        if finds.full() {
            break;
        }
        let before = text[..at].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || "._%+-@/".contains(c)) {
            continue;
        }
        let name_start = at + sign.len_utf8();
        let mut name_end = name_start;
        let mut chars = 0;
        for c in text[name_start..].chars() {
            if !(c.is_alphanumeric() || c == '_' || c == '.') || chars > *HANDLE_CHARS.end() {
                break;
            }
            name_end += c.len_utf8();
            chars += 1;
        }
        // A full stop after a handle ends the sentence.
        while text[name_start..name_end].ends_with('.') {
            name_end -= 1;
            chars -= 1;
        }
        if !HANDLE_CHARS.contains(&chars) || claimed.overlaps(at, name_end) {
            continue;
        }
        let value = format!("@{}", &text[name_start..name_end]);
        finds.push(at, name_end, LocationKind::Handle, value);
    }
    finds.items
}

/// Phone numbers: runs of digits with `+`, spaces, dashes and parentheses.
fn phones(text: &str, claimed: &Claimed) -> Vec<Found> {
    let bytes = text.as_bytes();
    let mut finds = Finds::default();
    let mut at = 0;
    while at < bytes.len() && !finds.full() {
        let b = bytes[at];
        if !(b.is_ascii_digit() || b == b'+' || b == b'(') || claimed.overlaps(at, at + 1) {
            at += 1;
            continue;
        }
        let limit = claimed.next_start(at).unwrap_or(bytes.len());
        let run_end = phone_run_end(bytes, at, limit);
        for (start, end) in phones_in_run(text, at, run_end) {
            let digits: String = text[start..end]
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '+')
                .collect();
            finds.push(start, end, LocationKind::Contact, digits);
        }
        at = run_end.max(at + 1);
    }
    finds.items
}

/// The end of the phone-like run starting at `start` (exclusive), stopping
/// at `limit`. At most two separators in a row (") " or " ("); `+` only at
/// the start of a space-separated chunk.
fn phone_run_end(bytes: &[u8], start: usize, limit: usize) -> usize {
    let mut end = start;
    let mut gap = 0;
    while end < limit {
        let b = bytes[end];
        let at_chunk_start = end == start || matches!(bytes[end - 1], b' ' | b'(');
        match b {
            b'0'..=b'9' => gap = 0,
            b' ' | b'-' | b'(' | b')' => gap += 1,
            b'+' if at_chunk_start => gap += 1,
            _ => break,
        }
        if gap > 2 {
            break;
        }
        end += 1;
    }
    end
}

/// The phone numbers inside one run. The run is cut into space-separated
/// chunks and, from each chunk on, the longest valid sequence of chunks is
/// taken: "2026-11-24 13800138000" is a date and then a phone number, and
/// "13800138000 21:00" is a phone number and then a time.
fn phones_in_run(text: &str, start: usize, end: usize) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    // (start, end, digits) of each space-separated chunk.
    let mut chunks: Vec<(usize, usize, usize)> = Vec::new();
    let mut offset = start;
    for piece in bytes[start..end].split(|&b| b == b' ') {
        if !piece.is_empty() {
            let digits = piece.iter().filter(|b| b.is_ascii_digit()).count();
            chunks.push((offset, offset + piece.len(), digits));
        }
        offset += piece.len() + 1;
    }
    let mut out = Vec::new();
    let mut first = 0;
    while first < chunks.len() {
        // Only sequences of at most 15 digits are checked, and a run allows
        // no more than two separators in a row, so every check looks at a
        // few dozen bytes: the whole search stays linear.
        let mut digits = 0;
        let mut fitting = Vec::new();
        for (last, chunk) in chunks.iter().enumerate().skip(first) {
            digits += chunk.2;
            if digits > *PHONE_DIGITS.end() {
                break;
            }
            fitting.push(last);
        }
        let taken = fitting.into_iter().rev().find_map(|last| {
            let s = chunks[first].0;
            let e = trim_trailing_separators(bytes, s, chunks[last].1);
            is_phone(text, s, e).then_some((last, s, e))
        });
        match taken {
            Some((last, s, e)) => {
                out.push((s, e));
                first = last + 1;
            }
            None => first += 1,
        }
    }
    out
}

fn trim_trailing_separators(bytes: &[u8], start: usize, mut end: usize) -> usize {
    while end > start && !bytes[end - 1].is_ascii_digit() {
        end -= 1;
    }
    end
}

/// Whether `text[start..end]` is a phone number in its context. Both ends
/// are at ASCII bytes, so they are character boundaries.
fn is_phone(text: &str, start: usize, end: usize) -> bool {
    let bytes = text.as_bytes();
    if start >= end {
        return false;
    }
    let candidate = &bytes[start..end];
    let digits = candidate.iter().filter(|b| b.is_ascii_digit()).count();
    if !PHONE_DIGITS.contains(&digits) {
        return false;
    }
    // `+` opens the number, possibly inside a parenthesis: "(+86)".
    let plus_misplaced = candidate
        .iter()
        .enumerate()
        .any(|(i, &b)| b == b'+' && !(i == 0 || (i == 1 && candidate[0] == b'(')));
    if plus_misplaced || !parentheses_balance(candidate) {
        return false;
    }
    let before = start.checked_sub(1).map(|i| bytes[i]);
    // A letter, or a character that joins words to numbers ("v1.2345678",
    // "SN-1234567", "$1234567"), makes it part of something else. Only
    // ASCII is checked: Chinese runs straight into numbers ("电话13800138000").
    if before.is_some_and(|b| b.is_ascii_alphanumeric() || b"._-/@#%&=$".contains(&b)) {
        return false;
    }
    let after = bytes.get(end).copied();
    let after_next = bytes.get(end + 1).copied();
    if after.is_some_and(|b| b.is_ascii_alphanumeric() || b"@%/".contains(&b)) {
        return false;
    }
    // "21:00", "3.14159265", "1,234,567.89" continue past the run.
    let continues_number = after.is_some_and(|b| b":.,".contains(&b))
        && after_next.is_some_and(|b| b.is_ascii_digit());
    if continues_number {
        return false;
    }
    let (before_text, after_text) = (
        text.get(..start).unwrap_or(""),
        text.get(end..).unwrap_or(""),
    );
    let money_after = after_text
        .trim_start_matches(' ')
        .starts_with(['元', '¥', '円', '€', '$']);
    if money_sign_before(before_text) || money_after {
        return false;
    }
    !looks_like_date(candidate)
        && !looks_like_thousands(candidate)
        && !looks_like_round_amount(candidate)
}

fn money_sign_before(before: &str) -> bool {
    before
        .trim_end_matches(' ')
        .ends_with(['¥', '￥', '€', '£', '$'])
}

fn parentheses_balance(candidate: &[u8]) -> bool {
    let mut depth = 0i32;
    for &b in candidate {
        match b {
            b'(' => depth += 1,
            b')' => depth -= 1,
            _ => {}
        }
        if !(0..=1).contains(&depth) {
            return false;
        }
    }
    depth == 0
}

/// The digit groups of a candidate and the byte that follows each.
fn groups(candidate: &[u8]) -> Vec<(&[u8], Option<u8>)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < candidate.len() {
        if !candidate[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < candidate.len() && candidate[i].is_ascii_digit() {
            i += 1;
        }
        out.push((&candidate[start..i], candidate.get(i).copied()));
    }
    out
}

fn number(digits: &[u8]) -> u32 {
    digits
        .iter()
        .take(9)
        .fold(0, |n, d| n * 10 + u32::from(d.saturating_sub(b'0')))
}

/// `2026-11-24`, `24-11-2026`, `2026 11 24`, or a bare `20261124`.
fn looks_like_date(candidate: &[u8]) -> bool {
    let is_year = |g: &[u8]| g.len() == 4 && (1900..=2099).contains(&number(g));
    let is_month = |g: &[u8]| (1..=2).contains(&g.len()) && (1..=12).contains(&number(g));
    let is_day = |g: &[u8]| (1..=2).contains(&g.len()) && (1..=31).contains(&number(g));
    let groups = groups(candidate);
    let dashed = groups.windows(3).any(|w| {
        let joined = w[0].1 == w[1].1 && matches!(w[0].1, Some(b'-' | b' '));
        let (a, b, c) = (w[0].0, w[1].0, w[2].0);
        joined
            && ((is_year(a) && is_month(b) && is_day(c))
                || (is_day(a) && is_month(b) && is_year(c)))
    });
    let compact = groups.len() == 1 && {
        let g = groups[0].0;
        g.len() == 8 && is_year(&g[..4]) && is_month(&g[4..6]) && is_day(&g[6..])
    };
    dashed || compact
}

/// `1 000 000 000`: a number written with spaces between thousands.
fn looks_like_thousands(candidate: &[u8]) -> bool {
    let groups = groups(candidate);
    !candidate.contains(&b'+')
        && groups.len() >= 3
        && groups
            .iter()
            .all(|(_, sep)| matches!(sep, None | Some(b' ')))
        && (1..=3).contains(&groups[0].0.len())
        && groups[1..].iter().all(|(g, _)| g.len() == 3)
}

/// `5000000`: an amount. Real numbers rarely end in five zeros.
fn looks_like_round_amount(candidate: &[u8]) -> bool {
    let digits: Vec<u8> = candidate
        .iter()
        .copied()
        .filter(u8::is_ascii_digit)
        .collect();
    !candidate.contains(&b'+') && digits.ends_with(b"00000")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // a failed test should stop loudly
mod tests {
    use super::*;

    /// Each found location as "kind value", the form the cases below use.
    fn found(text: &str) -> Vec<String> {
        extract_locations(text)
            .into_iter()
            .map(|l| format!("{} {}", l.kind.as_str(), l.value))
            .collect()
    }

    /// Text, and everything that must be found in it, in order.
    const CASES: &[(&str, &[&str])] = &[
        // Every kind, in the order of the text.
        (
            "See https://example.com/p/1, mail seller@shop.example, ask @ice_king or call \
             +86 138 0013 8000. 微信：abc123",
            &[
                "url https://example.com/p/1",
                "contact seller@shop.example",
                "handle @ice_king",
                "contact +8613800138000",
                "contact wechat:abc123",
            ],
        ),
        // URLs and e-mail addresses stop where Chinese text begins.
        (
            "访问example.com/path了解详情，或者 https://t.me/abc123。谢谢",
            &["url example.com/path", "url https://t.me/abc123"],
        ),
        (
            "邮箱 foo@bar.com，网址www.x.cn",
            &["contact foo@bar.com", "url www.x.cn"],
        ),
        // Other schemes, file names and a missing space are not web links,
        // and the digits inside a refused link are no phone number.
        (
            "ftp://x.org/13800138000 readme.md photo.JPG end.Next Mr.Smith",
            &[],
        ),
        (
            "bit.ly/abc and EXAMPLE.COM and 1.2.3.4",
            &["url bit.ly/abc", "url EXAMPLE.COM", "url 1.2.3.4"],
        ),
        // Handles: any script, not inside an e-mail address, 2 to 64 chars.
        (
            "write to someone@example.com",
            &["contact someone@example.com"],
        ),
        ("关注@药贩子小王，他卖货", &["handle @药贩子小王"]),
        (
            "ping @a.b.c. and ＠Full_Width",
            &["handle @a.b.c", "handle @Full_Width"],
        ),
        ("@x is too short, @ alone too", &[]),
        // Phone numbers in the shapes people write them.
        ("电话13800138000联系", &["contact 13800138000"]),
        ("Call (212) 555-0123 today", &["contact 2125550123"]),
        ("tel:+1-212-555-0123.", &["contact +12125550123"]),
        ("(+86)13800138000", &["contact +8613800138000"]),
        (
            "13800138000 13900139000, 010-6512-3456",
            &[
                "contact 13800138000",
                "contact 13900139000",
                "contact 01065123456",
            ],
        ),
        // Dates, times, versions, order numbers and money are not phones.
        ("on 2026-11-24 at 21:00, or 24-11-2026 21:00:00", &[]),
        ("20261124 and 2026 11 24 and 2026-11-24T21:00:00Z", &[]),
        ("版本 v1.2345678 订单号 SN12345678 12:30:45", &[]),
        ("价格 ¥1380013 元, 转账 5000000 元", &[]),
        ("population 1 000 000 000, pi is 3.14159265358", &[]),
        // ...but a number next to one still is.
        ("2026-11-24 13800138000", &["contact 13800138000"]),
        ("13800138000 21:00 见", &["contact 13800138000"]),
        ("11月24日21:00打13800138000", &["contact 13800138000"]),
        // Messenger ids keep a lowercase prefix.
        (
            "微信: abc123 WeChat: Ice_99 wx：seller88 QQ: 12345678 Telegram: @DarkShop tg: name_5",
            &[
                "contact wechat:abc123",
                "contact wechat:ice_99",
                "contact wechat:seller88",
                "contact qq:12345678",
                "contact telegram:darkshop",
                "contact telegram:name_5",
            ],
        ),
        (
            "加微信abc123买货，QQ号：87654321",
            &["contact wechat:abc123", "contact qq:87654321"],
        ),
        (
            "vx：shop2026 或 薇信 shop2027",
            &["contact wechat:shop2026", "contact wechat:shop2027"],
        ),
        ("WeChat ID: ice_seller", &["contact wechat:ice_seller"]),
        // The id is not also a phone number or a handle.
        (
            "QQ 号：12345678 tg: @shop_bot",
            &["contact qq:12345678", "contact telegram:shop_bot"],
        ),
        // A messenger's name without an id is prose.
        (
            "wx group today; I use WeChat: it is fine; 微信支付; QQ: abc; twx: abcdef",
            &[],
        ),
        // Repeats come back once.
        (
            "@abc @abc 13800138000 13800138000",
            &["handle @abc", "contact 13800138000"],
        ),
    ];

    #[test]
    fn every_case_finds_exactly_its_locations() {
        for (text, expected) in CASES {
            assert_eq!(found(text), *expected, "in {text:?}");
        }
    }

    #[test]
    fn handles_longer_than_64_characters_are_refused() {
        let too_long = format!("@{}", "a".repeat(65));
        assert!(found(&too_long).is_empty());
        let just_right = format!("@{}", "a".repeat(64));
        assert_eq!(found(&just_right), vec![format!("handle {just_right}")]);
    }

    #[test]
    fn the_first_hundred_locations_are_kept() {
        let many: String = (0..300).map(|i| format!("@user{i} ")).collect();
        let found = extract_locations(&many);
        assert_eq!(found.len(), MAX_LOCATIONS);
        assert_eq!(found[0].value, "@user0");
        assert_eq!(found[99].value, "@user99");
    }

    #[test]
    fn hostile_input_does_not_panic_and_stays_linear() {
        let shapes = [
            "@",
            "＠",
            "+(",
            "1 ",
            "1-",
            "微信:",
            "wx:",
            "a.",
            "http://",
            "：",
            "(1",
            "1)",
            "é@",
            "9",
            "1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 -",
        ];
        for shape in shapes {
            let text = shape.repeat(100_000 / shape.len());
            let _ = extract_locations(&text);
        }
        let _ = extract_locations("");
        let _ = extract_locations("\u{0}\u{feff}@\u{0}+");
        let big = "x".repeat(MAX_SCAN_BYTES + 10) + " 13800138000";
        assert!(extract_locations(&big).is_empty());
    }
}
