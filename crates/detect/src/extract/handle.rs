//! Messenger handles: WeChat ids, QQ numbers and Telegram names (subject
//! kind `contact`).
//!
//! What: a word is a handle only right after a cue that names the
//! messenger, because on its own a WeChat id is any word and a QQ number any
//! number:
//! - WeChat (`wechat:<id>`): 6–20 characters, a letter first, then letters,
//!   digits, `_` or `-`, after 微信, 加v, v信, vx, wx, 薇信, 威信, 卫星, 绿泡泡…
//!   A word starting `wxid_` (WeChat's own internal ids) needs no cue.
//! - QQ (`qq:<number>`): 5–11 digits, not starting with 0, after QQ, 扣扣,
//!   企鹅, `q:`…, or glued to it ("QQ12345678"), or as the local part of a
//!   `@qq.com` address (see [`super::email`]).
//! - Telegram (`telegram:<name>`): 5–32 characters, a letter first, then
//!   letters, digits or `_`, after tg, telegram, 电报, 飞机 (纸飞机, 小飞机),
//!   with or without `@`; `t.me/<name>` links give one too (see
//!   [`super::url`]).
//!
//! Between the cue and the handle there may be a few separators: spaces,
//! colons, `@`, brackets and the words 号, 码, 是, 为, `id` ("微信号是：",
//! "QQ号码 ", "wechat id: "). Values are lowercased, as
//! `harrier_core::intake::target` does with messenger ids.
//!
//! What not: cues after the handle ("abc123（微信）"), cues glued to a WeChat
//! id in ASCII ("vxabc123": where would the id start?), handles of other
//! messengers, handles in non-ASCII letters.

use std::ops::Range;

use super::word::ends_with_ignore_case;
use super::{EntityKind, Found};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Messenger {
    WeChat,
    Qq,
    Telegram,
}

/// A word that names a messenger. ASCII cues match in any case and not at
/// the end of a longer ASCII word. A cue that `needs_marker` ("v", "q")
/// counts only when a colon, `=` or 号 follows it.
struct Cue {
    text: &'static str,
    messenger: Messenger,
    needs_marker: bool,
}

const fn cue(text: &'static str, messenger: Messenger) -> Cue {
    Cue {
        text,
        messenger,
        needs_marker: false,
    }
}

const fn marked(text: &'static str, messenger: Messenger) -> Cue {
    Cue {
        text,
        messenger,
        needs_marker: true,
    }
}

use Messenger::{Qq, Telegram, WeChat};

const CUES: &[Cue] = &[
    cue("微信", WeChat),
    cue("威信", WeChat),
    cue("薇信", WeChat),
    cue("维信", WeChat),
    cue("徽信", WeChat),
    cue("微芯", WeChat),
    cue("卫星", WeChat),
    cue("v信", WeChat),
    cue("加v", WeChat),
    cue("加微", WeChat),
    cue("绿泡泡", WeChat),
    cue("vx", WeChat),
    cue("wx", WeChat),
    cue("wechat", WeChat),
    cue("weixin", WeChat),
    marked("v", WeChat),
    marked("微", WeChat),
    cue("qq", Qq),
    cue("扣扣", Qq),
    cue("抠抠", Qq),
    cue("企鹅", Qq),
    marked("q", Qq),
    marked("扣", Qq),
    cue("tg", Telegram),
    cue("telegram", Telegram),
    cue("电报", Telegram),
    cue("飞机", Telegram),
];

/// `CUE_ENDS[b]`: whether some cue ends with byte `b` (either case). Most
/// words are rejected by this one lookup.
static CUE_ENDS: [bool; 256] = {
    let mut table = [false; 256];
    let mut at = 0;
    while at < CUES.len() {
        let bytes = CUES[at].text.as_bytes();
        let last = bytes[bytes.len() - 1];
        table[last as usize] = true;
        table[last.to_ascii_uppercase() as usize] = true;
        at += 1;
    }
    table
};

/// How many separators may stand between a cue and its handle.
const MAX_SEPARATORS: usize = 6;

fn is_separator(ch: char) -> bool {
    matches!(
        ch,
        ' ' | '\t'
            | '\u{3000}'
            | ':'
            | '：'
            | '='
            | '-'
            | '—'
            | '~'
            | '～'
            | '@'
            | '+'
            | '＋'
            | '号'
            | '码'
            | '是'
            | '为'
            | '('
            | ')'
            | '（'
            | '）'
            | '['
            | ']'
            | '【'
            | '】'
            | '「'
            | '」'
            | '《'
            | '》'
            | '<'
            | '>'
            | '"'
            | '“'
            | '”'
    )
}

fn is_marker(ch: char) -> bool {
    matches!(ch, ':' | '：' | '=' | '号')
}

/// The messenger a cue right before `at` names.
fn cue_before(text: &str, at: usize) -> Option<Messenger> {
    let mut rest = &text[..at];
    let mut marker = false;
    for _ in 0..MAX_SEPARATORS {
        let last = *rest.as_bytes().last()?;
        // An ASCII letter or digit can only be a cue or "id": most words of
        // English prose end here.
        let separator = if last.is_ascii_alphanumeric() {
            None
        } else {
            rest.chars().next_back().filter(|&ch| is_separator(ch))
        };
        if let Some(ch) = separator {
            marker |= is_marker(ch);
            rest = &rest[..rest.len() - ch.len_utf8()];
        } else if ends_with_ignore_case(rest.as_bytes(), b"id")
            && !rest[..rest.len() - 2]
                .bytes()
                .next_back()
                .is_some_and(|b| b.is_ascii_alphabetic())
        {
            rest = &rest[..rest.len() - 2];
        } else {
            break;
        }
    }
    let tail = rest.as_bytes();
    let last = *tail.last()?;
    if !CUE_ENDS[usize::from(last)] {
        return None;
    }
    let last = last.to_ascii_lowercase();
    CUES.iter()
        .find(|cue| {
            let needle = cue.text.as_bytes();
            needle[needle.len() - 1] == last
                && ends_with_ignore_case(tail, needle)
                && (marker || !cue.needs_marker)
                && !(needle[0].is_ascii_alphanumeric()
                    && tail.len() > needle.len()
                    && tail[tail.len() - needle.len() - 1].is_ascii_alphanumeric())
        })
        .map(|cue| cue.messenger)
}

/// `wechat:<id>` when `word` can be a WeChat id.
fn wechat_value(word: &str) -> Option<String> {
    let bytes = word.as_bytes();
    let valid = (6..=20).contains(&bytes.len())
        && bytes[0].is_ascii_alphabetic()
        && bytes
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    valid.then(|| format!("wechat:{}", word.to_ascii_lowercase()))
}

/// `qq:<number>` when `word` can be a QQ number.
pub(crate) fn qq_value(word: &str) -> Option<String> {
    let bytes = word.as_bytes();
    let valid =
        (5..=11).contains(&bytes.len()) && bytes[0] != b'0' && bytes.iter().all(u8::is_ascii_digit);
    valid.then(|| format!("qq:{word}"))
}

/// `telegram:<name>` when `word` can be a Telegram username.
pub(crate) fn telegram_value(word: &str) -> Option<String> {
    let bytes = word.as_bytes();
    let valid = (5..=32).contains(&bytes.len())
        && bytes[0].is_ascii_alphabetic()
        && bytes
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'_');
    valid.then(|| format!("telegram:{}", word.to_ascii_lowercase()))
}

fn found(value: String, span: Range<usize>, detail: &'static str) -> Found {
    Found {
        kind: EntityKind::Handle,
        value,
        span,
        detail: Some(detail),
        host: None,
        obfuscated: false,
    }
}

/// The handle `word` (a range of `text`) is, if any.
pub(crate) fn scan(text: &str, word: Range<usize>) -> Option<Found> {
    let value = &text[word.clone()];
    let bytes = value.as_bytes();
    // Shorter than any handle (and than "qq" and 5 digits): most words.
    if bytes.len() < 5 {
        return None;
    }
    if bytes.len() > 5 && bytes[..5].eq_ignore_ascii_case(b"wxid_") {
        return wechat_value(value).map(|v| found(v, word, "wechat"));
    }
    if bytes.len() > 2 && bytes[..2].eq_ignore_ascii_case(b"qq") {
        let digits = word.start + 2..word.end;
        return qq_value(&text[digits.clone()]).map(|v| found(v, digits, "qq"));
    }
    let messenger = cue_before(text, word.start)?;
    let (value, detail) = match messenger {
        WeChat => (wechat_value(value)?, "wechat"),
        Qq => (qq_value(value)?, "qq"),
        Telegram => (telegram_value(value)?, "telegram"),
    };
    Some(found(value, word, detail))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The handle in the last word of `text`.
    fn last(text: &str) -> Option<String> {
        let start = text
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .map_or(0, |at| {
                at + text[at..].chars().next().map_or(1, char::len_utf8)
            });
        scan(text, start..text.len()).map(|found| found.value)
    }

    #[test]
    fn wechat_after_cues() {
        for text in [
            "加微信abc_123",
            "加V：abc_123",
            "v信 abc_123",
            "vx:abc_123",
            "微信号是：abc_123",
            "wechat id: abc_123",
            "卫星【abc_123】",
            "V: abc_123",
        ] {
            let text = text.trim_end_matches('】');
            assert_eq!(last(text).as_deref(), Some("wechat:abc_123"), "{text}");
        }
        assert_eq!(
            last("wxid_ab12cd34").as_deref(),
            Some("wechat:wxid_ab12cd34")
        );
    }

    #[test]
    fn qq_after_cues() {
        for text in [
            "QQ 12345678",
            "扣扣：12345678",
            "企鹅号12345678",
            "q:12345678",
            "QQ号码 12345678",
        ] {
            assert_eq!(last(text).as_deref(), Some("qq:12345678"), "{text}");
        }
        assert_eq!(last("QQ12345678").as_deref(), Some("qq:12345678"));
    }

    #[test]
    fn telegram_after_cues() {
        for text in [
            "tg @scam_shop",
            "纸飞机：@Scam_Shop",
            "telegram: scam_shop",
            "电报 scam_shop",
        ] {
            assert_eq!(last(text).as_deref(), Some("telegram:scam_shop"), "{text}");
        }
    }

    #[test]
    fn no_cue_no_handle() {
        for text in [
            "hello abc_123",
            "在 12345678",
            "v abc_123",
            "q 12345678",
            "linux abc_123",
            "paid: abc_123",
            "qq 0123456",
            "微信 12345678",
            "@scam_shop",
            "gift scam_shop",
        ] {
            assert_eq!(last(text), None, "{text}");
        }
    }
}
