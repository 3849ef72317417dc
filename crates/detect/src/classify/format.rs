//! The model file: a small versioned binary format.
//!
//! What: [`Model::to_bytes`] and [`Model::from_bytes`]. Layout, all numbers
//! little-endian:
//!
//! ```text
//! magic      8 bytes  "HARRIERC"
//! version    u16      1
//! params     6 bytes  hash_bits, char_min, char_max, word_min, word_max,
//!                     flags (1 fold_digits, 2 han_words)
//! bias       f32
//! threshold  f32
//! task       3 strings (name, positive, negative): u16 length + UTF-8
//! weights    u32 count, then count × (u32 slot, f32 weight), slots rising,
//!            zero weights left out
//! checksum   SHA-256 of every byte before it
//! ```
//!
//! Why: only the non-zero weights are stored, so a model is a few
//! megabytes; the checksum and the strict checks mean a damaged or foreign
//! file is refused with a reason instead of scoring nonsense. Version 1 also
//! fixes the n-gram hash of [`super::features`].
//!
//! What not: no I/O here; the CLI reads the file (with a size cap) and
//! writes it.

use sha2::{Digest, Sha256};

use super::features::FeatureParams;
use super::model::{Model, Task};

/// The first bytes of every model file.
pub const MAGIC: [u8; 8] = *b"HARRIERC";
/// The format version this build writes and reads.
pub const VERSION: u16 = 1;

const FLAG_FOLD_DIGITS: u8 = 1;
const FLAG_HAN_WORDS: u8 = 2;
const KNOWN_FLAGS: u8 = FLAG_FOLD_DIGITS | FLAG_HAN_WORDS;
const CHECKSUM_LEN: usize = 32;
const MAX_NAME_LEN: usize = 256;

/// Why bytes are not a model this build can use.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FormatError {
    #[error("not a harrier classifier model (the file does not start with \"HARRIERC\")")]
    NotAModel,
    #[error("model file format version {found}; this build reads version {VERSION}")]
    UnsupportedVersion { found: u16 },
    #[error("model file is damaged: its checksum does not match")]
    Checksum,
    #[error("model file is truncated (while reading {0})")]
    Truncated(&'static str),
    #[error("model file is invalid: {0}")]
    Invalid(String),
}

impl Model {
    /// The model as a version-[`VERSION`] model file.
    pub fn to_bytes(&self) -> Vec<u8> {
        let nonzero: Vec<(u32, f32)> = self
            .weights
            .iter()
            .enumerate()
            .filter(|(_, w)| **w != 0.0)
            .map(|(slot, w)| (slot as u32, *w))
            .collect();
        let mut out = Vec::with_capacity(64 + nonzero.len() * 8 + CHECKSUM_LEN);
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        let p = &self.params;
        let flags = (if p.fold_digits { FLAG_FOLD_DIGITS } else { 0 })
            | (if p.han_words { FLAG_HAN_WORDS } else { 0 });
        out.extend_from_slice(&[
            p.hash_bits,
            p.char_min,
            p.char_max,
            p.word_min,
            p.word_max,
            flags,
        ]);
        out.extend_from_slice(&self.bias.to_le_bytes());
        out.extend_from_slice(&self.threshold.to_le_bytes());
        for text in [&self.task.name, &self.task.positive, &self.task.negative] {
            let text = crate::item::bounded(text, MAX_NAME_LEN);
            out.extend_from_slice(&(text.len() as u16).to_le_bytes());
            out.extend_from_slice(text.as_bytes());
        }
        out.extend_from_slice(&(nonzero.len() as u32).to_le_bytes());
        for (slot, weight) in nonzero {
            out.extend_from_slice(&slot.to_le_bytes());
            out.extend_from_slice(&weight.to_le_bytes());
        }
        let checksum = Sha256::digest(&out);
        out.extend_from_slice(&checksum);
        out
    }

    /// Reads a model file, refusing anything that is not exactly a
    /// version-[`VERSION`] model with a matching checksum.
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, FormatError> {
        if bytes.len() < MAGIC.len() || bytes[..MAGIC.len()] != MAGIC {
            return Err(FormatError::NotAModel);
        }
        let mut reader = Reader {
            bytes,
            at: MAGIC.len(),
        };
        let version = reader.u16("version")?;
        if version != VERSION {
            return Err(FormatError::UnsupportedVersion { found: version });
        }
        if bytes.len() < reader.at + CHECKSUM_LEN {
            return Err(FormatError::Truncated("checksum"));
        }
        let (body, checksum) = bytes.split_at(bytes.len() - CHECKSUM_LEN);
        if Sha256::digest(body).as_slice() != checksum {
            return Err(FormatError::Checksum);
        }
        let mut reader = Reader {
            bytes: body,
            at: reader.at,
        };

        let raw = reader.take(6, "params")?;
        let flags = raw[5];
        if flags & !KNOWN_FLAGS != 0 {
            return Err(FormatError::Invalid(format!(
                "unknown feature flags {flags:#04x}"
            )));
        }
        let params = FeatureParams {
            hash_bits: raw[0],
            char_min: raw[1],
            char_max: raw[2],
            word_min: raw[3],
            word_max: raw[4],
            fold_digits: flags & FLAG_FOLD_DIGITS != 0,
            han_words: flags & FLAG_HAN_WORDS != 0,
        };
        params.check().map_err(FormatError::Invalid)?;
        let bias = reader.f32("bias")?;
        let threshold = reader.f32("threshold")?;
        if !bias.is_finite() || !(0.0..=1.0).contains(&threshold) {
            return Err(FormatError::Invalid(
                "bias or threshold out of range".into(),
            ));
        }
        let task = Task {
            name: reader.text("task name")?,
            positive: reader.text("positive label")?,
            negative: reader.text("negative label")?,
        };

        let count = reader.u32("weight count")? as usize;
        let dimension = params.dimension();
        if count > dimension {
            return Err(FormatError::Invalid(format!(
                "{count} weights for {dimension} slots"
            )));
        }
        let mut weights = vec![0.0_f32; dimension];
        let mut previous: Option<u32> = None;
        for _ in 0..count {
            let slot = reader.u32("weights")?;
            let weight = reader.f32("weights")?;
            if previous.is_some_and(|p| slot <= p) || slot as usize >= dimension {
                return Err(FormatError::Invalid(format!(
                    "weight slot {slot} out of order or range"
                )));
            }
            if !weight.is_finite() {
                return Err(FormatError::Invalid(format!(
                    "weight of slot {slot} is not finite"
                )));
            }
            weights[slot as usize] = weight;
            previous = Some(slot);
        }
        if reader.at != body.len() {
            return Err(FormatError::Invalid(format!(
                "{} bytes after the weights",
                body.len() - reader.at
            )));
        }
        Ok(Model {
            task,
            params,
            weights,
            bias,
            threshold,
        })
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, len: usize, what: &'static str) -> Result<&'a [u8], FormatError> {
        let end = self
            .at
            .checked_add(len)
            .ok_or(FormatError::Truncated(what))?;
        let slice = self
            .bytes
            .get(self.at..end)
            .ok_or(FormatError::Truncated(what))?;
        self.at = end;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], FormatError> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N, what)?);
        Ok(out)
    }

    fn u16(&mut self, what: &'static str) -> Result<u16, FormatError> {
        Ok(u16::from_le_bytes(self.array(what)?))
    }

    fn u32(&mut self, what: &'static str) -> Result<u32, FormatError> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    fn f32(&mut self, what: &'static str) -> Result<f32, FormatError> {
        Ok(f32::from_le_bytes(self.array(what)?))
    }

    fn text(&mut self, what: &'static str) -> Result<String, FormatError> {
        let len = usize::from(self.u16(what)?);
        if len > MAX_NAME_LEN {
            return Err(FormatError::Invalid(format!(
                "{what} longer than {MAX_NAME_LEN} bytes"
            )));
        }
        let raw = self.take(len, what)?;
        String::from_utf8(raw.to_vec())
            .map_err(|_| FormatError::Invalid(format!("{what} is not UTF-8")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> Model {
        let params = FeatureParams {
            hash_bits: 16,
            ..FeatureParams::default()
        };
        let mut model = Model::zero(
            Task {
                name: "spam".into(),
                positive: "spam".into(),
                negative: "ham".into(),
            },
            params,
        );
        model.weights[7] = 1.5;
        model.weights[65_535] = -0.25;
        model.bias = -0.75;
        model.threshold = 0.4;
        model
    }

    #[test]
    fn round_trip() {
        let model = model();
        let bytes = model.to_bytes();
        assert_eq!(
            bytes.len(),
            8 + 2 + 6 + 8 + (2 + 4) + (2 + 4) + (2 + 3) + 4 + 2 * 8 + 32
        );
        let back = Model::from_bytes(&bytes).unwrap();
        assert_eq!(back, model);
        assert_eq!(back.score("free entry"), model.score("free entry"));
    }

    #[test]
    fn foreign_file_is_not_a_model() {
        assert_eq!(
            Model::from_bytes(b"PK\x03\x04 zip"),
            Err(FormatError::NotAModel)
        );
        assert_eq!(Model::from_bytes(b""), Err(FormatError::NotAModel));
    }

    #[test]
    fn other_version_is_refused_by_number() {
        let mut bytes = model().to_bytes();
        bytes[8..10].copy_from_slice(&2u16.to_le_bytes());
        let error = Model::from_bytes(&bytes).unwrap_err();
        assert_eq!(error, FormatError::UnsupportedVersion { found: 2 });
        assert_eq!(
            error.to_string(),
            "model file format version 2; this build reads version 1"
        );
    }

    #[test]
    fn flipped_byte_fails_the_checksum() {
        let mut bytes = model().to_bytes();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0x40;
        assert_eq!(Model::from_bytes(&bytes), Err(FormatError::Checksum));
    }

    #[test]
    fn truncated_file_is_refused() {
        let bytes = model().to_bytes();
        for len in [9, 12, bytes.len() - 1] {
            assert!(
                Model::from_bytes(&bytes[..len]).is_err(),
                "accepted {len} bytes"
            );
        }
    }

    #[test]
    fn bad_fields_behind_a_good_checksum_are_refused() {
        let mut body = model().to_bytes();
        body.truncate(body.len() - CHECKSUM_LEN);
        body[10] = 40; // hash_bits
        let checksum = Sha256::digest(&body);
        body.extend_from_slice(&checksum);
        let error = Model::from_bytes(&body).unwrap_err();
        assert!(error.to_string().contains("hash_bits 40"), "{error}");
    }
}
