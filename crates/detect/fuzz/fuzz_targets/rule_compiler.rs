//! The ruleset compiler on any files: errors, never a panic; a ruleset
//! that compiles scans any text.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    harrier_detect::fuzzing::compile_bytes(data);
});
