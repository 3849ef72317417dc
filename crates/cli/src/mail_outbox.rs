//! E-mailed notices: written as `.eml` files into the mail outbox for the
//! mail system to send.
//!
//! Harrier speaks no SMTP (no usable embedded SMTP crate builds here, see
//! shared/reference/crates.md); a pickup directory is what every mail
//! system can read. Each notice is written to a temporary file, synced,
//! renamed to `notice-<id>.eml` and the folder synced, and only then marked
//! sent: a crash in between writes the same file again, never a second
//! file.

use harrier_core::decisions::{DecisionStore, PendingEmail};
use std::io::Write;
use std::path::{Path, PathBuf};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc2822;

/// The message for one notice. The address was checked when it was taken
/// (no spaces or control characters); it is checked again here so that no
/// header can be injected.
pub fn message(n: &PendingEmail, from: &str, now: OffsetDateTime) -> Option<String> {
    let bad = |s: &str| s.chars().any(|c| c.is_control());
    if bad(&n.address) || bad(from) || !n.address.contains('@') {
        return None;
    }
    let subject = if n.language == "zh" {
        "=?UTF-8?Q?=E5=86=B3=E5=AE=9A=E9=80=9A=E7=9F=A5?= (Harrier)"
    } else {
        "Notice of a decision (Harrier)"
    };
    let date = now.format(&Rfc2822).unwrap_or_default();
    let body = n.body.replace("\r\n", "\n").replace('\n', "\r\n");
    Some(format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: {date}\r\n\
         Message-ID: <notice-{id}@harrier.invalid>\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n",
        to = n.address,
        id = n.id,
    ))
}

fn write_durably(dir: &Path, name: &str, text: &str) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".{name}.tmp"));
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&tmp, dir.join(name))?;
    std::fs::File::open(dir)?.sync_all()
}

/// Writes every waiting notice; returns how many.
pub async fn flush(
    store: &dyn DecisionStore,
    dir: &Path,
    from: &str,
    now: OffsetDateTime,
) -> anyhow::Result<usize> {
    let mut written = 0;
    for n in store.pending_emails(100).await? {
        let Some(text) = message(&n, from, now) else {
            tracing::warn!(notice = n.id, "notice address refused; left unsent");
            continue;
        };
        let (dir, name) = (dir.to_owned(), format!("notice-{}.eml", n.id));
        tokio::task::spawn_blocking(move || write_durably(&dir, &name, &text)).await??;
        store.mark_email_sent(n.id, now).await?;
        written += 1;
    }
    Ok(written)
}

/// The outbox folder of a configuration.
pub fn folder(config: &crate::config::Config) -> PathBuf {
    if config.decisions.mail_outbox.as_os_str().is_empty() {
        config.storage.data_dir.join("mail-outbox")
    } else {
        config.decisions.mail_outbox.clone()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn notice(address: &str) -> PendingEmail {
        PendingEmail {
            id: 7,
            decision_id: 1,
            address: address.into(),
            language: "en".into(),
            body: "line one\nline two".into(),
        }
    }

    #[test]
    fn a_notice_is_a_plain_utf8_message_with_crlf_lines() {
        let now = time::macros::datetime!(2026-11-25 10:00 UTC);
        let m = message(&notice("me@example.org"), "Harrier <h@x.invalid>", now).unwrap();
        assert!(m.starts_with("From: Harrier <h@x.invalid>\r\nTo: me@example.org\r\n"));
        assert!(m.contains("Content-Type: text/plain; charset=utf-8"));
        assert!(m.ends_with("\r\n\r\nline one\r\nline two\r\n"));
    }

    #[test]
    fn an_address_with_a_line_break_never_becomes_a_header() {
        let now = time::macros::datetime!(2026-11-25 10:00 UTC);
        assert!(message(&notice("me@example.org\r\nBcc: x@y.z"), "h", now).is_none());
    }
}
