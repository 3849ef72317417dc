//! Bounded reads: the only way Harrier reads a whole file or stream.
//!
//! Every input is hostile until proven otherwise, so nothing reads "to the
//! end" without a cap; `clippy.toml` bans the unbounded forms elsewhere.

use std::io::Read;
use std::path::Path;

/// Reads at most `cap` bytes; more than that is an error naming the cap.
pub fn read_to_end(reader: impl Read, cap: u64) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    #[allow(clippy::disallowed_methods)] // bounded by take(cap + 1)
    reader.take(cap + 1).read_to_end(&mut out)?;
    if out.len() as u64 > cap {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("larger than the limit of {cap} bytes"),
        ));
    }
    Ok(out)
}

/// Reads a file of at most `cap` bytes.
pub fn read_file(path: &Path, cap: u64) -> std::io::Result<Vec<u8>> {
    read_to_end(std::fs::File::open(path)?, cap)
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_up_to_the_cap_and_refuses_more() {
        assert_eq!(super::read_to_end(&b"abc"[..], 3).unwrap(), b"abc");
        assert!(super::read_to_end(&b"abcd"[..], 3).is_err());
    }
}
