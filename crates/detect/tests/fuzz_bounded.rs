//! The fuzz targets (see `src/fuzzing.rs` and `fuzz/`) run on generated
//! inputs for a bounded number of cases in every test run: random bytes,
//! and the shipped ruleset's own files with random edits, which reach far
//! deeper into the compiler than random bytes do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use harrier_detect::fuzzing::{compile_bytes, normalize_bytes};
use proptest::prelude::*;

fn shipped(sub: &str, file: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../rules")
        .join(sub)
        .join(file);
    #[allow(clippy::disallowed_methods)] // the test reads the repository's own small files
    std::fs::read_to_string(path).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]

    #[test]
    fn normalizer_on_random_bytes(data in prop::collection::vec(any::<u8>(), 0..200)) {
        normalize_bytes(&data);
    }

    #[test]
    fn normalizer_on_random_text(flags in any::<u8>(), text in any::<String>()) {
        let mut data = vec![flags];
        data.extend_from_slice(text.as_bytes());
        normalize_bytes(&data);
    }

    #[test]
    fn compiler_on_random_bytes(data in prop::collection::vec(any::<u8>(), 0..300)) {
        compile_bytes(&data);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn compiler_on_edited_shipped_files(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..8),
        text in "[冰毒出货加微信同城 a-z0-9.*@]{0,40}",
    ) {
        let mut files = [
            shipped("lexicons", "drugs.toml").into_bytes(),
            shipped("patterns", "common.toml").into_bytes(),
            shipped("rules", "drugs.toml").into_bytes(),
        ];
        for (at, byte, op) in edits {
            let file = &mut files[usize::from(byte) % 3];
            if file.is_empty() {
                continue;
            }
            let at = at.index(file.len());
            match op {
                0 => file[at] = byte,
                1 => { file.remove(at); }
                _ => file.insert(at, byte),
            }
        }
        let mut data = Vec::new();
        for file in files {
            data.extend_from_slice(&file);
            data.push(0);
        }
        data.extend_from_slice(text.as_bytes());
        compile_bytes(&data);
    }
}
