//! JSON-lines input read line by line under a length cap.
//!
//! `BufRead::lines` would read a line of any length into memory; a hostile
//! or broken file of one 10 GB line must not take the machine down. A line
//! longer than the cap is reported and skipped up to the next newline.

use std::io::BufRead;

/// One line of input, or why it was skipped.
pub enum Line {
    Text(String),
    TooLong,
    NotUtf8,
}

/// Read the next line (without its `\n` or `\r\n`) into a string of at most
/// `cap` bytes. `None` at the end of the input.
pub fn next_line(
    reader: &mut impl BufRead,
    cap: usize,
    buffer: &mut Vec<u8>,
) -> std::io::Result<Option<Line>> {
    buffer.clear();
    let mut too_long = false;
    let mut read_any = false;
    loop {
        let available = reader.fill_buf()?;
        if available.is_empty() {
            break;
        }
        read_any = true;
        let (chunk, done) = match memchr_newline(available) {
            Some(at) => (&available[..at], Some(at + 1)),
            None => (available, None),
        };
        if !too_long {
            if buffer.len() + chunk.len() > cap {
                too_long = true;
                buffer.clear();
            } else {
                buffer.extend_from_slice(chunk);
            }
        }
        let used = done.unwrap_or(available.len());
        reader.consume(used);
        if done.is_some() {
            break;
        }
    }
    if !read_any {
        return Ok(None);
    }
    if too_long {
        return Ok(Some(Line::TooLong));
    }
    if buffer.last() == Some(&b'\r') {
        buffer.pop();
    }
    Ok(Some(match std::str::from_utf8(buffer) {
        Ok(text) => Line::Text(text.to_owned()),
        Err(_) => Line::NotUtf8,
    }))
}

fn memchr_newline(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(input: &[u8], cap: usize) -> Vec<String> {
        let mut reader = std::io::BufReader::with_capacity(4, input);
        let mut buffer = Vec::new();
        let mut out = Vec::new();
        while let Some(line) = next_line(&mut reader, cap, &mut buffer).unwrap() {
            out.push(match line {
                Line::Text(text) => text,
                Line::TooLong => "<too long>".into(),
                Line::NotUtf8 => "<not utf-8>".into(),
            });
        }
        out
    }

    #[test]
    fn splits_caps_and_reports() {
        assert_eq!(all(b"ab\ncd\r\n\nef", 10), vec!["ab", "cd", "", "ef"]);
        assert_eq!(all(b"abcdefghijkl\nxy\n", 5), vec!["<too long>", "xy"]);
        assert_eq!(all(b"\xff\xfe\nok", 10), vec!["<not utf-8>", "ok"]);
        assert!(all(b"", 10).is_empty());
    }
}
