//! E-mail addresses (subject kind `contact`).
//!
//! What: `local@host`, where the host is valid by the rules of
//! [`super::url`] (public suffix, disguised dots allowed) and the `@` may be
//! written `[at]`, `(at)`, `[@]` or `(@)`, with or without a space either
//! side. The value is lowercased. A QQ Mail address whose local part is a
//! QQ number (`12345678@qq.com`) also gives that QQ number as a handle.
//!
//! Runs before the other extractors, so the digits and labels inside an
//! address are not taken for a phone number or a domain of their own.
//!
//! What not: quoted local parts, IP-literal hosts, `name at host dot com`
//! with bare words.

use memchr::memchr3_iter;

use super::url::parse_host;
use super::word::starts_with_ignore_case;
use super::{EntityKind, Found, handle};

/// Longest local part (RFC 5321).
const MAX_LOCAL: usize = 64;

/// The `@` or its disguise at `at`: its end, and whether it is disguised.
fn at_sign(bytes: &[u8], at: usize) -> Option<(usize, bool)> {
    match bytes.get(at)? {
        b'@' => Some((at + 1, false)),
        b'[' | b'(' => {
            let inner = [&b"at"[..], b"@"]
                .into_iter()
                .find(|inner| starts_with_ignore_case(bytes, at + 1, inner))?;
            let close = at + 1 + inner.len();
            matches!(bytes.get(close), Some(b']' | b')')).then_some((close + 1, true))
        }
        _ => None,
    }
}

fn is_local_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')
}

/// Every e-mail address in `text`, in order.
pub(crate) fn scan(text: &str, out: &mut Vec<Found>) {
    let bytes = text.as_bytes();
    let mut done = 0;
    for at in memchr3_iter(b'@', b'[', b'(', bytes) {
        if at < done {
            continue;
        }
        let Some((sign_end, disguised)) = at_sign(bytes, at) else {
            continue;
        };
        let mut local_end = at;
        let mut host_start = sign_end;
        if disguised {
            if local_end > 0 && bytes[local_end - 1] == b' ' {
                local_end -= 1;
            }
            if bytes.get(host_start) == Some(&b' ') {
                host_start += 1;
            }
        }
        let local_len = bytes[..local_end]
            .iter()
            .rev()
            .take(MAX_LOCAL + 1)
            .take_while(|&&b| is_local_byte(b))
            .count();
        if local_len > MAX_LOCAL {
            continue;
        }
        let mut local_start = local_end - local_len;
        while local_start < local_end && !bytes[local_start].is_ascii_alphanumeric() {
            local_start += 1;
        }
        if local_start == local_end || bytes[local_end - 1] == b'.' {
            continue;
        }
        let Ok(host) = parse_host(bytes, host_start) else {
            continue;
        };
        let local = &text[local_start..local_end];
        if host.name == "qq.com"
            && let Some(value) = handle::qq_value(local)
        {
            out.push(Found {
                kind: EntityKind::Handle,
                value,
                span: local_start..local_end,
                detail: Some("qq"),
                host: None,
                obfuscated: false,
            });
        }
        out.push(Found {
            kind: EntityKind::Email,
            value: format!("{}@{}", local.to_ascii_lowercase(), host.name),
            span: local_start..host.end,
            detail: None,
            obfuscated: disguised || host.obfuscated,
            host: Some(host.name),
        });
        done = host.end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn emails(text: &str) -> Vec<(String, &str)> {
        let mut out = Vec::new();
        scan(text, &mut out);
        out.into_iter()
            .filter(|found| found.kind == EntityKind::Email)
            .map(|found| (found.value, &text[found.span]))
            .collect()
    }

    #[test]
    fn plain_and_disguised() {
        assert_eq!(
            emails("mail John.Doe@Example.com."),
            [("john.doe@example.com".to_string(), "John.Doe@Example.com")]
        );
        assert_eq!(
            emails("联系 scam [at] gmail [dot] com 谢谢"),
            [("scam@gmail.com".to_string(), "scam [at] gmail [dot] com")]
        );
        assert_eq!(
            emails("a(at)b.cn and c(@)d.cn"),
            [
                ("a@b.cn".to_string(), "a(at)b.cn"),
                ("c@d.cn".to_string(), "c(@)d.cn")
            ]
        );
    }

    #[test]
    fn not_emails() {
        assert!(emails("@someone hi").is_empty());
        assert!(emails("a@localhost").is_empty());
        assert!(emails("x@y.notatld").is_empty());
        assert!(emails("(at) home").is_empty());
    }

    #[test]
    fn qq_mail_gives_the_qq_number() {
        let mut out = Vec::new();
        scan("12345678@qq.com", &mut out);
        assert_eq!(out[0].value, "qq:12345678");
        assert_eq!(out[0].span, 0..8);
        assert_eq!(out[1].value, "12345678@qq.com");
    }
}
