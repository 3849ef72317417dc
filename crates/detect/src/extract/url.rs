//! URLs and domains (subject kinds `url` and `domain`).
//!
//! What: a host is two or more ASCII labels joined by dots whose last
//! labels are a suffix on the public-suffix list and which has a
//! registrable domain (`psl`). Dots may be written the ways people write
//! them to get past filters: `example[.]com`, `example(dot)com`,
//! `example。com`, `example点com`, `example．com` (folded by the view). A
//! host with a scheme (`https://`, also defanged `hxxps://` and `h**p://`),
//! a port or a path is a URL, canonicalised by the `url` crate (a missing
//! scheme is read as `https`, as `harrier_core::intake::target` does); a
//! bare host is a domain. With a scheme, an IPv4 address is a host too.
//! Links to `t.me` also give the Telegram handle they name.
//!
//! Why hand-written rather than `linkify`: linkify takes Chinese characters
//! next to a domain as part of it (IDN), knows no obfuscated dots and does
//! not check the suffix list; a host here is ASCII and ends where the ASCII
//! ends, so "访问www.example.com了解" gives `www.example.com`.
//!
//! What not: no Unicode (IDN) host names unless written as `xn--`; no
//! `example dot com` with bare words (too many false hits in prose); links
//! are never fetched or expanded. A bare host (no scheme, port or path) is
//! doubted where English prose with a missing space looks like one
//! ("her.love", "now.Free", "p.m"), unless it is on a known-bad list: see
//! `plausible_bare_host`.

use psl::Psl;

use super::word::{alnum_at, starts_with_ignore_case, word_end};
use super::{EntityKind, Found, shortener};

/// More labels than any real host has; bounds the work on "a.a.a.a…".
const MAX_LABELS: usize = 32;
const MAX_HOST_LEN: usize = 253;

/// A host found in the text.
pub(crate) struct Host {
    /// Lowercase, labels joined with '.'.
    pub(crate) name: String,
    /// Where the host ends in the scanned text.
    pub(crate) end: usize,
    /// Whether a dot was written another way.
    pub(crate) obfuscated: bool,
    /// Whether the suffix was typed in title case ("Com").
    title_case_suffix: bool,
}

/// The end of a dot, or of one of its disguises, at `at`, and whether it
/// was disguised.
pub(crate) fn dot_at(bytes: &[u8], at: usize) -> Option<(usize, bool)> {
    match bytes.get(at)? {
        b'.' => return Some((at + 1, false)),
        0xE3 | 0xE7
            if bytes[at..].starts_with("。".as_bytes())
                || bytes[at..].starts_with("点".as_bytes()) =>
        {
            return Some((at + 3, true));
        }
        // What else a disguised dot can start with: a space, a bracket, or
        // the lead byte of 【 (E3) or （ (EF).
        b' ' | b'[' | b'(' | b'{' | 0xE3 | 0xEF => {}
        _ => return None,
    }
    // "[.]", "(dot)", " [.] ", "【.】", "（。）"…
    let mut at = at;
    if bytes.get(at) == Some(&b' ') {
        at += 1;
        // Most words are followed by a space and another word.
        if !matches!(bytes.get(at), Some(b'[' | b'(' | b'{' | 0xE3 | 0xEF)) {
            return None;
        }
    }
    let open = ["[", "(", "{", "【", "（"]
        .iter()
        .find(|open| bytes[at..].starts_with(open.as_bytes()))?;
    at += open.len();
    let inner = [".", "。", "点", "dot"]
        .iter()
        .find(|inner| starts_with_ignore_case(bytes, at, inner.as_bytes()))?;
    at += inner.len();
    let close = ["]", ")", "}", "】", "）"]
        .iter()
        .find(|close| bytes[at..].starts_with(close.as_bytes()))?;
    at += close.len();
    if bytes.get(at) == Some(&b' ') {
        at += 1;
    }
    Some((at, true))
}

/// Whether the word ending at `end` is followed by a dot and another label.
pub(crate) fn dot_follows(bytes: &[u8], end: usize) -> bool {
    dot_at(bytes, end).is_some_and(|(next, _)| alnum_at(bytes, next))
}

/// The labels of a host starting at `start`: the ranges of the labels and,
/// for each, whether the dot before it was disguised.
fn labels(bytes: &[u8], start: usize) -> Vec<(usize, usize, bool)> {
    let mut labels = Vec::new();
    let mut at = start;
    let mut disguised = false;
    while alnum_at(bytes, at) && labels.len() < MAX_LABELS {
        let end = word_end(bytes, at);
        labels.push((at, end, disguised));
        match dot_at(bytes, end) {
            Some((next, was_disguised)) if alnum_at(bytes, next) => {
                at = next;
                disguised = was_disguised;
            }
            _ => break,
        }
    }
    labels
}

/// The longest valid host starting at `start`, or the end of the chain of
/// labels there when there is none (the caller skips it).
pub(crate) fn parse_host(bytes: &[u8], start: usize) -> Result<Host, usize> {
    let labels = labels(bytes, start);
    let chain_end = labels.last().map_or(start, |label| label.1);
    for count in (2..=labels.len()).rev() {
        if let Some(host) = valid_host(bytes, &labels[..count]) {
            return Ok(host);
        }
    }
    Err(chain_end)
}

fn valid_host(bytes: &[u8], labels: &[(usize, usize, bool)]) -> Option<Host> {
    let (tld_start, tld_end, _) = *labels.last()?;
    let tld = &bytes[tld_start..tld_end];
    if !tld.iter().any(u8::is_ascii_alphabetic) || tld.contains(&b'_') || tld.first() == Some(&b'-')
    {
        return None;
    }
    let mut name = String::with_capacity(64);
    for &(start, end, _) in labels {
        let label = &bytes[start..end];
        if label.len() > 63 || label.first() == Some(&b'-') || label.last() == Some(&b'-') {
            return None;
        }
        if !name.is_empty() {
            name.push('.');
        }
        name.extend(label.iter().map(|b| char::from(b.to_ascii_lowercase())));
    }
    if name.len() > MAX_HOST_LEN {
        return None;
    }
    let suffix = psl::List.suffix(name.as_bytes())?;
    if !suffix.is_known() {
        return None;
    }
    let registrable = psl::List.domain(name.as_bytes())?;
    if registrable.as_bytes().contains(&b'_') {
        return None;
    }
    let title_case_suffix =
        tld[0].is_ascii_uppercase() && tld[1..].iter().any(u8::is_ascii_lowercase);
    Some(Host {
        name,
        end: tld_end,
        obfuscated: labels.iter().any(|label| label.2),
        title_case_suffix,
    })
}

/// A dotted IPv4 address starting at `start`: its text and end.
fn ipv4(bytes: &[u8], start: usize) -> Option<(String, usize)> {
    let labels = labels(bytes, start);
    let quad = labels.get(..4)?;
    let mut name = String::new();
    for &(start, end, _) in quad {
        let octet = std::str::from_utf8(&bytes[start..end]).ok()?;
        if octet.len() > 3 || !octet.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        octet.parse::<u8>().ok()?;
        if !name.is_empty() {
            name.push('.');
        }
        name.push_str(octet);
    }
    Some((name, quad[3].1))
}

/// The scheme written before `host_start` ("https://"): where it starts,
/// its canonical name and whether it was disguised.
fn scheme_before(bytes: &[u8], host_start: usize) -> Option<(usize, &'static str, bool)> {
    let before = bytes[..host_start].strip_suffix(b"//")?;
    let (before, odd_colon) = if let Some(rest) = before.strip_suffix(b":") {
        (rest, false)
    } else {
        (before.strip_suffix("：".as_bytes())?, true)
    };
    let typed_len = before
        .iter()
        .rev()
        .take(6)
        .take_while(|&&b| b.is_ascii_alphabetic() || b == b'*')
        .count();
    let start = before.len() - typed_len;
    let typed = before[start..].to_ascii_lowercase();
    let (scheme, defanged) = match typed.as_slice() {
        b"http" => ("http", false),
        b"https" => ("https", false),
        b"ftp" => ("ftp", false),
        b"hxxp" | b"h**p" => ("http", true),
        b"hxxps" | b"h**ps" => ("https", true),
        _ => return None,
    };
    Some((start, scheme, defanged || odd_colon))
}

/// Whether `b` may stand in a URL's path, query or fragment as typed.
fn is_path_byte(b: u8) -> bool {
    (0x21..=0x7e).contains(&b)
        && !matches!(
            b,
            b'<' | b'>' | b'"' | b'`' | b'{' | b'}' | b'|' | b'\\' | b'^'
        )
}

/// The end of the path, query and fragment starting at `at` (`at` itself
/// when there is none), without the punctuation that ends the sentence.
fn path_end(bytes: &[u8], at: usize) -> usize {
    if !matches!(bytes.get(at), Some(b'/' | b'?' | b'#')) {
        return at;
    }
    let mut end = at;
    while end < bytes.len() && is_path_byte(bytes[end]) {
        end += 1;
    }
    while end > at + 1 {
        let path = &bytes[at..end];
        let unbalanced = |open: u8, close: u8| {
            path.iter().filter(|&&b| b == close).count()
                > path.iter().filter(|&&b| b == open).count()
        };
        match bytes[end - 1] {
            b'.' | b',' | b';' | b':' | b'!' | b'?' | b'\'' | b'*' => end -= 1,
            b')' if unbalanced(b'(', b')') => end -= 1,
            b']' if unbalanced(b'[', b']') => end -= 1,
            _ => break,
        }
    }
    if end == at + 1 && matches!(bytes[at], b'?' | b'#') {
        return at;
    }
    end
}

/// The end of a `:port` at `at`, if there is one.
fn port_end(bytes: &[u8], at: usize) -> Option<usize> {
    if bytes.get(at) != Some(&b':') {
        return None;
    }
    let digits = bytes[at + 1..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    let end = at + 1 + digits;
    ((1..=5).contains(&digits) && !alnum_at(bytes, end)).then_some(end)
}

/// A URL or a domain whose first label starts at `start`. `Ok` gives where
/// it ends; `Err` where the chain of labels that is not a host ends.
/// `listed` says whether a host is on a known-bad list: such a host is
/// taken even where a bare host would be doubted.
pub(crate) fn scan(
    text: &str,
    start: usize,
    listed: &dyn Fn(&str) -> bool,
    out: &mut Vec<Found>,
) -> Result<usize, usize> {
    let bytes = text.as_bytes();
    let scheme = scheme_before(bytes, start);
    let (name, host_end, dots_disguised, title_case_suffix) = match ipv4(bytes, start) {
        Some((name, end)) if scheme.is_some() => (name, end, false, false),
        _ => {
            let host = parse_host(bytes, start)?;
            (host.name, host.end, host.obfuscated, host.title_case_suffix)
        }
    };
    let port = port_end(bytes, host_end);
    let after_port = port.unwrap_or(host_end);
    let end = path_end(bytes, after_port);
    let has_path = end > after_port;
    let detail = shortener::is_shortener(&name).then_some("shortener");

    if scheme.is_none() && port.is_none() && !has_path {
        if !plausible_bare_host(bytes, start, &name, title_case_suffix, listed) {
            return Err(host_end);
        }
        out.push(Found {
            kind: EntityKind::Domain,
            value: name.clone(),
            span: start..host_end,
            detail,
            host: Some(name),
            obfuscated: dots_disguised,
        });
        return Ok(host_end);
    }

    let (span_start, scheme_name, defanged) = scheme.unwrap_or((start, "https", false));
    let written = format!("{scheme_name}://{name}{}", &text[host_end..end]);
    let value = match url::Url::parse(&written) {
        Ok(url) => url.to_string(),
        Err(_) => written,
    };
    telegram_from_link(text, &name, after_port..end, out);
    out.push(Found {
        kind: EntityKind::Url,
        value,
        span: span_start..end,
        detail,
        host: Some(name),
        obfuscated: dots_disguised || defanged,
    });
    Ok(end)
}

/// Hosts with a one-character registrable label that are often written
/// bare.
const SHORT_HOSTS: [&str; 2] = ["t.me", "x.com"];

/// Suffixes that are also everyday English words ("her.love", "well.you",
/// "pain.it" are sentences with a missing space, not hosts). Sorted.
const WORD_SUFFIXES: &[&str] = &[
    "am", "at", "be", "best", "buy", "call", "care", "cool", "date", "day", "do", "free", "fun",
    "game", "games", "help", "here", "how", "in", "is", "it", "life", "like", "live", "love", "me",
    "men", "mom", "my", "new", "news", "no", "now", "one", "page", "pics", "play", "run", "sale",
    "show", "so", "style", "talk", "team", "tips", "to", "today", "us", "video", "vote", "watch",
    "win", "work", "world", "wow", "xxx", "you", "zone",
];

/// Whether a host written with no scheme, port or path, found at `start`
/// of `text`, is likely meant as one. Always when it starts with `www.`, is
/// a shortener, `t.me` or `x.com`, or is on a known-bad list (`listed`).
/// Otherwise not when its suffix is in title case ("now.Free": a sentence
/// with a missing space), when its registrable label is one character
/// ("p.m", "1.SONY"), nor when it looks like two words of English prose
/// run together: an everyday-word suffix, a registrable label of at most
/// seven letters and no digit or hyphen, and Latin text before it ("love
/// her.love you", "pain.it"; but "2day.love", "mycrypto.live", and
/// "访问crypto.me" in Chinese text).
fn plausible_bare_host(
    text: &[u8],
    start: usize,
    name: &str,
    title_case_suffix: bool,
    listed: &dyn Fn(&str) -> bool,
) -> bool {
    if name.starts_with("www.")
        || shortener::is_shortener(name)
        || SHORT_HOSTS.contains(&name)
        || listed(name)
    {
        return true;
    }
    if title_case_suffix {
        return false;
    }
    let registrable = psl::List
        .domain(name.as_bytes())
        .map_or(name.as_bytes(), |domain| domain.as_bytes());
    let label = registrable
        .split(|&b| b == b'.')
        .next()
        .unwrap_or(registrable);
    if label.len() < 2 {
        return false;
    }
    let suffix = name.rsplit('.').next().unwrap_or(name);
    let word_like = label.len() <= 7 && label.iter().all(u8::is_ascii_alphabetic);
    let after_chinese = text[..start]
        .iter()
        .rev()
        .find(|&&b| b != b' ')
        .is_some_and(|&b| b >= 0x80);
    !(word_like && !after_chinese && WORD_SUFFIXES.binary_search(&suffix).is_ok())
}

/// Telegram's link hosts.
const TELEGRAM_HOSTS: [&str; 3] = ["t.me", "telegram.me", "telegram.dog"];

/// Paths on t.me that are not user or channel names.
const TELEGRAM_RESERVED: [&str; 13] = [
    "addemoji",
    "addlist",
    "addstickers",
    "addtheme",
    "boost",
    "c",
    "iv",
    "joinchat",
    "login",
    "proxy",
    "setlanguage",
    "share",
    "socks",
];

/// The handle a `t.me/name` link names, as its own entity.
fn telegram_from_link(text: &str, host: &str, path: std::ops::Range<usize>, out: &mut Vec<Found>) {
    let host = host.strip_prefix("www.").unwrap_or(host);
    if !TELEGRAM_HOSTS.contains(&host) || !text[path.clone()].starts_with('/') {
        return;
    }
    let mut start = path.start + 1;
    let segment_end = |start: usize| {
        text[start..path.end]
            .find(['/', '?', '#'])
            .map_or(path.end, |at| start + at)
    };
    let mut end = segment_end(start);
    if &text[start..end] == "s" && end < path.end {
        start = end + 1;
        end = segment_end(start);
    }
    let name = &text[start..end];
    if TELEGRAM_RESERVED.contains(&name.to_ascii_lowercase().as_str()) {
        return;
    }
    if let Some(value) = super::handle::telegram_value(name) {
        out.push(Found {
            kind: EntityKind::Handle,
            value,
            span: start..end,
            detail: Some("telegram"),
            host: None,
            obfuscated: false,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first URL or domain, trying each word as the first label.
    fn first(text: &str) -> Option<(EntityKind, String, &str)> {
        let bytes = text.as_bytes();
        let mut at = 0;
        while let Some(word) = super::super::word::next_word(bytes, at) {
            at = word.end;
            let mut out = Vec::new();
            if scan(text, word.start, &|_| false, &mut out).is_ok() {
                let found = out.pop()?;
                return Some((found.kind, found.value, &text[found.span]));
            }
        }
        None
    }

    #[test]
    fn bare_domain_ends_where_ascii_ends() {
        assert_eq!(
            first("访问www.SmallStoneSoft.com交流"),
            Some((
                EntityKind::Domain,
                "www.smallstonesoft.com".into(),
                "www.SmallStoneSoft.com"
            ))
        );
    }

    #[test]
    fn disguised_dots() {
        for text in [
            "example[.]com",
            "example(.)com",
            "example(dot)com",
            "example [.] com",
            "example。com",
            "example点com",
            "example【.】com",
        ] {
            let (kind, value, _) = first(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(
                (kind, value.as_str()),
                (EntityKind::Domain, "example.com"),
                "{text}"
            );
        }
    }

    #[test]
    fn urls_with_scheme_path_or_port() {
        assert_eq!(
            first("see https://Example.com/a/b?x=1. ok"),
            Some((
                EntityKind::Url,
                "https://example.com/a/b?x=1".into(),
                "https://Example.com/a/b?x=1"
            ))
        );
        assert_eq!(
            first("hxxp://evil[.]cn/login)"),
            Some((
                EntityKind::Url,
                "http://evil.cn/login".into(),
                "hxxp://evil[.]cn/login"
            ))
        );
        assert_eq!(
            first("x.com:8080"),
            Some((EntityKind::Url, "https://x.com:8080/".into(), "x.com:8080"))
        );
        assert_eq!(
            first("http://192.168.1.1/admin"),
            Some((
                EntityKind::Url,
                "http://192.168.1.1/admin".into(),
                "http://192.168.1.1/admin"
            ))
        );
    }

    #[test]
    fn not_hosts() {
        for text in [
            "e.g. this",
            "3.14",
            "v1.2.3",
            "file.jpg",
            "192.168.1.1",
            "now.Free entry",
            "com.cn",
        ] {
            assert!(first(text).is_none(), "{text}");
        }
    }

    #[test]
    fn doubted_bare_hosts_that_are_listed_are_taken() {
        let mut out = Vec::new();
        assert!(scan("her.love", 0, &|host| host == "her.love", &mut out).is_ok());
        assert!(scan("www.her.love", 0, &|_| false, &mut out).is_ok());
        assert!(scan("2day.love", 0, &|_| false, &mut out).is_ok());
        assert!(scan("mycrypto.live", 0, &|_| false, &mut out).is_ok());
        assert!(scan("访问crypto.me", 6, &|_| false, &mut out).is_ok());
        assert!(scan("请登录 crypto.me", 10, &|_| false, &mut out).is_ok());
        assert!(scan("her.love/x", 0, &|_| false, &mut out).is_ok());
    }

    #[test]
    fn word_suffixes_are_sorted() {
        assert!(WORD_SUFFIXES.windows(2).all(|pair| pair[0] < pair[1]));
    }

    #[test]
    fn longest_valid_prefix() {
        assert_eq!(
            first("example.com.Then").map(|f| f.1),
            Some("example.com".to_string())
        );
    }

    #[test]
    fn telegram_links() {
        let text = "join t.me/s/Scam_Shop now";
        let mut out = Vec::new();
        assert!(scan(text, 5, &|_| false, &mut out).is_ok());
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].value, "telegram:scam_shop");
        assert_eq!(&text[out[0].span.clone()], "Scam_Shop");
        let mut out = Vec::new();
        assert!(scan("t.me/joinchat/AAAA", 0, &|_| false, &mut out).is_ok());
        assert_eq!(out.len(), 1);
    }
}
