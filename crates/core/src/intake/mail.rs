//! E-mailed tip-offs: one raw message (or an mbox of them) into a
//! [`MailReport`] that intake can turn into a report.
//!
//! People forward scam mails, paste screenshots and attach chat exports.
//! This reads what was sent: sender, subject, date, the text body (HTML is
//! converted to text), the attachments, and the locations the text names.
//! Parsing is mail-parser's; this module adds the limits, because a
//! mailbox is an open door: a message is at most [`MAX_MESSAGE_BYTES`],
//! the body [`MAX_BODY_BYTES`], and attachments are capped in number and
//! size, with every skipped one recorded so staff know it existed.
//!
//! It does not fetch mail (IMAP, POP), check DKIM or SPF, or decide whether
//! the sender is who they say: the sender is a claim, shown as such.

use super::extract::extract_locations;
use super::location::Location;
use mail_parser::{MessageParser, MimeHeaders, PartType};
use time::OffsetDateTime;

/// The largest message accepted, headers and encoded attachments included.
pub const MAX_MESSAGE_BYTES: usize = 25 * 1024 * 1024;
/// The body text is cut (at a character boundary) to this many bytes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Attachments kept per message; later ones are skipped and noted.
pub const MAX_ATTACHMENTS: usize = 5;
/// The largest single attachment kept, decoded.
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;
/// The subject is cut to this many characters; RFC 5322 lines are 998.
const MAX_SUBJECT_CHARS: usize = 998;

/// Why a message could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MailError {
    #[error("message is {size} bytes, larger than the limit of {limit} bytes")]
    TooLarge { size: usize, limit: usize },
    #[error("message is not parseable as e-mail")]
    Unparseable,
    #[error("empty message: no sender and no body")]
    Empty,
}

/// One file attached to a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailAttachment {
    /// The file name the sender declared, if any; untrusted, never a path.
    pub name: Option<String>,
    /// `type/subtype` as declared, lowercase; `application/octet-stream`
    /// when the part declares none.
    pub content_type: String,
    /// The decoded contents.
    pub bytes: Vec<u8>,
}

/// What one e-mail says, ready for intake.
#[derive(Debug, Clone, PartialEq)]
pub struct MailReport {
    pub message_id: Option<String>,
    /// The From address as written; anyone can write anything there.
    pub from_address: Option<String>,
    pub from_name: Option<String>,
    /// Decoded subject (RFC 2047 words), empty when there is none.
    pub subject: String,
    /// The Date header with the sender's offset, when it is a real date.
    pub date: Option<OffsetDateTime>,
    /// The text body, HTML converted to text, at most [`MAX_BODY_BYTES`].
    pub body_text: String,
    /// Whether `body_text` was cut to [`MAX_BODY_BYTES`].
    pub body_truncated: bool,
    pub attachments: Vec<MailAttachment>,
    /// Attachments not kept, one line each: name and reason.
    pub skipped_attachments: Vec<String>,
    /// Locations named in the subject and body.
    pub locations: Vec<Location>,
}

/// Parses one raw RFC 5322 message.
pub fn parse_message(raw: &[u8]) -> Result<MailReport, MailError> {
    if raw.len() > MAX_MESSAGE_BYTES {
        return Err(MailError::TooLarge {
            size: raw.len(),
            limit: MAX_MESSAGE_BYTES,
        });
    }
    let message = MessageParser::default()
        .parse(raw)
        .ok_or(MailError::Unparseable)?;

    let sender = message.from().and_then(|from| from.first());
    let from_address = sender
        .and_then(|addr| addr.address())
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_owned);
    let from_name = sender
        .and_then(|addr| addr.name())
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned);

    let (body_text, body_truncated) = body_text(&message);
    if from_address.is_none() && body_text.trim().is_empty() && message.attachment_count() == 0 {
        return Err(MailError::Empty);
    }

    let subject: String = message
        .subject()
        .unwrap_or("")
        .trim()
        .chars()
        .take(MAX_SUBJECT_CHARS)
        .collect();
    let (attachments, skipped_attachments) = attachments(&message);
    let locations = extract_locations(&format!("{subject}\n{body_text}"));

    Ok(MailReport {
        message_id: message.message_id().map(str::to_owned),
        from_address,
        from_name,
        subject,
        date: message.date().and_then(offset_date_time),
        body_text,
        body_truncated,
        attachments,
        skipped_attachments,
        locations,
    })
}

/// Every text body part, joined; HTML-only parts converted to text by
/// mail-parser. Stops reading parts once the cap is reached.
fn body_text(message: &mail_parser::Message<'_>) -> (String, bool) {
    let mut text = String::new();
    for index in 0..message.text_body_count() {
        let Some(part) = message.body_text(index) else {
            continue;
        };
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&part);
        if text.len() > MAX_BODY_BYTES {
            let cut = text.floor_char_boundary(MAX_BODY_BYTES);
            text.truncate(cut);
            return (text, true);
        }
    }
    (text, false)
}

/// The parts that are not the body, within the caps.
///
/// Inline images count: a screenshot pasted into an HTML mail is
/// evidence just like one attached with a paper clip.
fn attachments(message: &mail_parser::Message<'_>) -> (Vec<MailAttachment>, Vec<String>) {
    let mut kept = Vec::new();
    let mut skipped = Vec::new();
    for (index, part) in message.attachments().enumerate() {
        if matches!(part.body, PartType::Multipart(_)) {
            continue;
        }
        let name = part
            .attachment_name()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned);
        let shown = name
            .clone()
            .unwrap_or_else(|| format!("attachment {}", index + 1));
        let bytes = part.contents();
        if kept.len() == MAX_ATTACHMENTS {
            skipped.push(format!("{shown}: more than {MAX_ATTACHMENTS} attachments"));
            continue;
        }
        if bytes.len() > MAX_ATTACHMENT_BYTES {
            skipped.push(format!(
                "{shown}: {} bytes, larger than the limit of {MAX_ATTACHMENT_BYTES} bytes",
                bytes.len()
            ));
            continue;
        }
        kept.push(MailAttachment {
            name,
            content_type: content_type(part),
            bytes: bytes.to_vec(),
        });
    }
    (kept, skipped)
}

fn content_type(part: &mail_parser::MessagePart<'_>) -> String {
    let declared = part.content_type().map(|ct| {
        let subtype = ct.subtype().unwrap_or("");
        format!("{}/{}", ct.ctype(), subtype).to_ascii_lowercase()
    });
    match declared {
        Some(ct) if !ct.ends_with('/') => ct,
        // RFC 2045: an undeclared type is text/plain; a nested message
        // has its own.
        _ if part.is_message() => "message/rfc822".into(),
        _ if part.is_text() => "text/plain".into(),
        _ => "application/octet-stream".into(),
    }
}

/// The Date header as a real instant with the sender's offset; `None` for
/// impossible dates (month 13, offset +99:00) rather than a guess.
fn offset_date_time(date: &mail_parser::DateTime) -> Option<OffsetDateTime> {
    let month = time::Month::try_from(date.month).ok()?;
    let day = time::Date::from_calendar_date(i32::from(date.year), month, date.day).ok()?;
    let clock = time::Time::from_hms(date.hour, date.minute, date.second).ok()?;
    let sign: i8 = if date.tz_before_gmt { -1 } else { 1 };
    let hours = i8::try_from(date.tz_hour).ok()?;
    let minutes = i8::try_from(date.tz_minute).ok()?;
    let offset = time::UtcOffset::from_hms(sign * hours, sign * minutes, 0).ok()?;
    Some(time::PrimitiveDateTime::new(day, clock).assume_offset(offset))
}

/// Splits an mbox file into its messages, without the `From ` separator
/// lines. A separator is any line that starts with `From ` (mboxo and
/// mboxrd write body lines that start so as `>From `). Text before the
/// first separator counts as a message if it is not blank, so a lone .eml
/// passes through. `>From ` lines are left escaped; they are body text.
pub fn split_mbox(raw: &[u8]) -> Vec<&[u8]> {
    let mut messages = Vec::new();
    let mut message_start = 0;
    let mut line_start = 0;
    while line_start < raw.len() {
        let line_end = raw[line_start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(raw.len(), |i| line_start + i + 1);
        if raw[line_start..].starts_with(b"From ") {
            push_message(&mut messages, &raw[message_start..line_start]);
            message_start = line_end;
        }
        line_start = line_end;
    }
    push_message(&mut messages, &raw[message_start..]);
    messages
}

fn push_message<'a>(messages: &mut Vec<&'a [u8]>, message: &'a [u8]) {
    if !message.iter().all(u8::is_ascii_whitespace) {
        messages.push(message);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // a failed test should stop loudly
mod tests {
    use super::*;
    use crate::intake::location::LocationKind;

    const PLAIN: &str = "From: \"Li Wei\" <li.wei@example.com>\r\n\
        To: tips@harrier.example\r\n\
        Subject: Drug seller on a forum\r\n\
        Date: Tue, 24 Nov 2026 21:00:00 +0800\r\n\
        Message-ID: <abc123@example.com>\r\n\
        \r\n\
        He posts at https://forum.example/t/99 and answers on 微信：ice_king88.\r\n\
        Call 138 0013 8000 after 21:00.\r\n";

    #[test]
    fn plain_text_message() {
        let report = parse_message(PLAIN.as_bytes()).unwrap();
        assert_eq!(report.message_id.as_deref(), Some("abc123@example.com"));
        assert_eq!(report.from_address.as_deref(), Some("li.wei@example.com"));
        assert_eq!(report.from_name.as_deref(), Some("Li Wei"));
        assert_eq!(report.subject, "Drug seller on a forum");
        let date = report.date.unwrap();
        assert_eq!(date.unix_timestamp(), 1_795_525_200);
        assert_eq!(date.offset().whole_hours(), 8);
        assert!(report.body_text.contains("forum.example/t/99"));
        assert!(report.attachments.is_empty());
        let locations: Vec<(LocationKind, &str)> = report
            .locations
            .iter()
            .map(|l| (l.kind, l.value.as_str()))
            .collect();
        assert_eq!(
            locations,
            vec![
                (LocationKind::Url, "https://forum.example/t/99"),
                (LocationKind::Contact, "wechat:ice_king88"),
                (LocationKind::Contact, "13800138000"),
            ]
        );
    }

    const MULTIPART: &str = "From: tipster@example.org\r\n\
        Subject: screenshots\r\n\
        MIME-Version: 1.0\r\n\
        Content-Type: multipart/mixed; boundary=\"XYZ\"\r\n\
        \r\n\
        --XYZ\r\n\
        Content-Type: text/plain; charset=utf-8\r\n\
        \r\n\
        See the attached chat.\r\n\
        --XYZ\r\n\
        Content-Type: image/png; name=\"chat.png\"\r\n\
        Content-Disposition: attachment; filename=\"chat.png\"\r\n\
        Content-Transfer-Encoding: base64\r\n\
        \r\n\
        iVBORw0KGgo=\r\n\
        --XYZ\r\n\
        Content-Type: application/octet-stream\r\n\
        Content-Disposition: attachment\r\n\
        Content-Transfer-Encoding: base64\r\n\
        \r\n\
        AAEC\r\n\
        --XYZ--\r\n";

    #[test]
    fn multipart_with_base64_attachments() {
        let report = parse_message(MULTIPART.as_bytes()).unwrap();
        assert_eq!(report.body_text.trim(), "See the attached chat.");
        assert_eq!(report.attachments.len(), 2);
        let png = &report.attachments[0];
        assert_eq!(png.name.as_deref(), Some("chat.png"));
        assert_eq!(png.content_type, "image/png");
        assert_eq!(png.bytes, b"\x89PNG\r\n\x1a\n");
        let blob = &report.attachments[1];
        assert_eq!(blob.name, None);
        assert_eq!(blob.content_type, "application/octet-stream");
        assert_eq!(blob.bytes, [0, 1, 2]);
        assert!(report.skipped_attachments.is_empty());
    }

    #[test]
    fn attachments_beyond_the_count_are_skipped_and_noted() {
        let mut raw = String::from(
            "From: a@example.org\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\n\r\nbody\r\n",
        );
        for i in 1..=7 {
            raw.push_str(&format!(
                "--B\r\nContent-Type: text/csv\r\nContent-Disposition: attachment; filename=\"f{i}.csv\"\r\n\r\na,b\r\n"
            ));
        }
        raw.push_str("--B--\r\n");
        let report = parse_message(raw.as_bytes()).unwrap();
        assert_eq!(report.attachments.len(), MAX_ATTACHMENTS);
        assert_eq!(report.attachments[4].name.as_deref(), Some("f5.csv"));
        assert_eq!(report.attachments[4].content_type, "text/csv");
        assert_eq!(
            report.skipped_attachments,
            vec![
                "f6.csv: more than 5 attachments",
                "f7.csv: more than 5 attachments"
            ]
        );
    }

    #[test]
    fn html_only_message_becomes_text() {
        let raw = "From: x@example.org\r\n\
            Subject: html\r\n\
            Content-Type: text/html; charset=utf-8\r\n\
            \r\n\
            <html><body><p>Buy at <b>shop.example/ice</b></p><script>x</script><p>QQ: 12345678</p></body></html>\r\n";
        let report = parse_message(raw.as_bytes()).unwrap();
        assert!(!report.body_text.contains('<'), "{}", report.body_text);
        assert!(
            report.body_text.contains("Buy at shop.example/ice"),
            "{}",
            report.body_text
        );
        let values: Vec<&str> = report.locations.iter().map(|l| l.value.as_str()).collect();
        assert_eq!(values, vec!["shop.example/ice", "qq:12345678"]);
    }

    #[test]
    fn encoded_chinese_subject_is_decoded() {
        // "举报毒品" in UTF-8, base64.
        let raw = "From: =?UTF-8?B?5Li+5oql5Lq6?= <r@example.cn>\r\n\
            Subject: =?UTF-8?B?5Li+5oql5q+S5ZOB?=\r\n\
            \r\n\
            内容\r\n";
        let report = parse_message(raw.as_bytes()).unwrap();
        assert_eq!(report.subject, "举报毒品");
        assert_eq!(report.from_name.as_deref(), Some("举报人"));
        assert_eq!(report.body_text.trim(), "内容");
    }

    #[test]
    fn long_bodies_are_cut_at_a_character_boundary() {
        let raw = format!("From: a@example.org\r\n\r\n{}", "好".repeat(30_000));
        let report = parse_message(raw.as_bytes()).unwrap();
        assert!(report.body_truncated);
        assert!(report.body_text.len() <= MAX_BODY_BYTES);
        assert!(report.body_text.len() > MAX_BODY_BYTES - 4);
    }

    #[test]
    fn garbage_empty_and_oversize_input_is_refused() {
        assert_eq!(parse_message(b""), Err(MailError::Unparseable));
        assert!(parse_message(b"\x00\xff\xfe garbage \x01\x02").is_err());
        assert!(parse_message(b"just some words\nwith no headers\n").is_err());
        assert_eq!(
            parse_message(b"Subject: nothing else\r\n\r\n"),
            Err(MailError::Empty)
        );
        let huge = vec![b'a'; MAX_MESSAGE_BYTES + 1];
        assert_eq!(
            parse_message(&huge),
            Err(MailError::TooLarge {
                size: MAX_MESSAGE_BYTES + 1,
                limit: MAX_MESSAGE_BYTES
            })
        );
        assert_eq!(
            MailError::Empty.to_string(),
            "empty message: no sender and no body"
        );
    }

    #[test]
    fn a_body_without_a_sender_is_still_a_tip_off() {
        let report = parse_message(b"Subject: anon\r\n\r\nsee @seller_x\r\n").unwrap();
        assert_eq!(report.from_address, None);
        assert_eq!(report.locations[0].value, "@seller_x");
    }

    #[test]
    fn impossible_dates_become_none() {
        let raw = "From: a@example.org\r\nDate: Tue, 31 Feb 2026 25:61:00 +0800\r\n\r\nbody\r\n";
        assert_eq!(parse_message(raw.as_bytes()).unwrap().date, None);
    }

    #[test]
    fn mbox_with_three_messages() {
        let mbox = "From alice@example.org Tue Nov 24 21:00:00 2026\n\
            From: alice@example.org\n\
            Subject: one\n\
            \n\
            first body\n\
            >From here on, escaped\n\
            \n\
            From bob@example.org Tue Nov 24 21:05:00 2026\n\
            From: bob@example.org\n\
            Subject: two\n\
            \n\
            second body\n\
            \n\
            From carol@example.org Tue Nov 24 21:10:00 2026\n\
            From: carol@example.org\n\
            Subject: three\n\
            \n\
            third body\n";
        let messages = split_mbox(mbox.as_bytes());
        assert_eq!(messages.len(), 3);
        let subjects: Vec<String> = messages
            .iter()
            .map(|m| parse_message(m).unwrap().subject)
            .collect();
        assert_eq!(subjects, vec!["one", "two", "three"]);
        let first = parse_message(messages[0]).unwrap();
        assert!(first.body_text.contains(">From here on"));
        assert_eq!(first.from_address.as_deref(), Some("alice@example.org"));
    }

    #[test]
    fn mbox_edge_cases() {
        assert!(split_mbox(b"").is_empty());
        assert!(split_mbox(b"From x\n\n\n").is_empty());
        let lone = b"From: a@example.org\n\nbody\n";
        assert_eq!(split_mbox(lone), vec![&lone[..]]);
        assert_eq!(split_mbox(b"From x\nSubject: a\n\nb").len(), 1);
    }
}
