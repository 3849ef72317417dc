//! harrier-detect: the detection engine.
//!
//! A pure library: it does no I/O, runs no async code and never reads the
//! clock, so every result is a function of its inputs and can be tested,
//! benchmarked and fuzzed on its own. Today it holds [`normalize`], the pass
//! that undoes obfuscation before lexicons and patterns look at a text; the
//! lexicons, patterns, extractors, classifiers and rules of issue 3 build on
//! it.

pub mod normalize;
