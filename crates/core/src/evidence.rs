//! Evidence files from reporters: their type is decided from their bytes.
//!
//! The name and the declared type of an upload are the sender's word; the
//! bytes are not. Only types a moderator can open safely are kept: PNG, JPEG,
//! GIF, WebP, PDF and plain UTF-8 text. Anything else is refused with a
//! message that names what was found. Uploaded files are never served back to
//! the public.

use sha2::{Digest, Sha256};
use thiserror::Error;

/// The media types Harrier keeps.
pub const ALLOWED: [&str; 6] = [
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/pdf",
    "text/plain",
];

#[derive(Debug, Error, PartialEq, Eq)]
pub enum EvidenceError {
    #[error("file {name:?} is empty")]
    Empty { name: String },
    #[error("file {name:?} is larger than {max} bytes")]
    TooLarge { name: String, max: usize },
    #[error(
        "file {name:?} looks like {found}, which is not accepted; send PNG, JPEG, GIF, WebP, PDF or plain text"
    )]
    TypeNotAllowed { name: String, found: String },
}

impl EvidenceError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty { .. } => "empty_file",
            Self::TooLarge { .. } => "file_too_large",
            Self::TypeNotAllowed { .. } => "file_type_not_allowed",
        }
    }
}

/// Decides a file's media type from its bytes, or refuses it.
pub fn sniff(name: &str, bytes: &[u8], max: usize) -> Result<&'static str, EvidenceError> {
    let name = name.chars().take(100).collect::<String>();
    if bytes.is_empty() {
        return Err(EvidenceError::Empty { name });
    }
    if bytes.len() > max {
        return Err(EvidenceError::TooLarge { name, max });
    }
    if let Some(kind) = infer::get(bytes) {
        let found = kind.mime_type();
        return ALLOWED
            .iter()
            .copied()
            .find(|allowed| *allowed == found)
            .ok_or(EvidenceError::TypeNotAllowed {
                name,
                found: found.to_owned(),
            });
    }
    let is_text = std::str::from_utf8(bytes)
        .map(|text| {
            !text
                .chars()
                .any(|c| c.is_control() && !"\n\r\t\u{c}".contains(c))
        })
        .unwrap_or(false);
    if is_text {
        Ok("text/plain")
    } else {
        Err(EvidenceError::TypeNotAllowed {
            name,
            found: "unrecognised binary data".to_owned(),
        })
    }
}

/// The content address of a blob.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A file name as shown to staff: path parts dropped, control characters
/// removed, at most 100 characters.
pub fn clean_file_name(name: &str) -> Option<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(100).collect();
    let cleaned = cleaned.trim().to_owned();
    (!cleaned.is_empty()).then_some(cleaned)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG_1X1: &[u8] = &[
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52,
    ];

    #[test]
    fn types_come_from_bytes_not_names() {
        assert_eq!(sniff("photo.txt", PNG_1X1, 100), Ok("image/png"));
        assert_eq!(sniff("a.pdf", b"%PDF-1.7\n...", 100), Ok("application/pdf"));
        assert_eq!(
            sniff("notes.png", "微信号 abc".as_bytes(), 100),
            Ok("text/plain")
        );
        let exe = sniff("evil.png", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", 100).unwrap_err();
        assert_eq!(exe.code(), "file_type_not_allowed");
        let zip = sniff("a.zip", b"PK\x03\x04\x14\x00\x00\x00", 100).unwrap_err();
        assert_eq!(zip.code(), "file_type_not_allowed");
        assert_eq!(
            sniff("bin", &[0, 1, 2, 3], 100).unwrap_err().code(),
            "file_type_not_allowed"
        );
        assert_eq!(sniff("e", b"", 100).unwrap_err().code(), "empty_file");
        assert_eq!(
            sniff("big.txt", b"abcdef", 5).unwrap_err().code(),
            "file_too_large"
        );
    }

    #[test]
    fn file_names_lose_their_paths() {
        assert_eq!(
            clean_file_name("../../etc/passwd").as_deref(),
            Some("passwd")
        );
        assert_eq!(
            clean_file_name("C:\\x\\a\u{0}b.png").as_deref(),
            Some("ab.png")
        );
        assert_eq!(clean_file_name("  "), None);
    }
}
