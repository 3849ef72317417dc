//! The normaliser on any bytes: offsets always map inside the original.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    harrier_detect::fuzzing::normalize_bytes(data);
});
