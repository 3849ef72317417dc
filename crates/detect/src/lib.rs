//! harrier-detect: the detection engine.
//!
//! A pure library: it does no I/O, runs no async code and never reads the
//! clock, so every result is a function of its inputs and can be tested,
//! benchmarked and fuzzed on its own. Given an [`item::Item`], a compiled
//! ruleset returns [`signal::Signal`]s, each with its explanation.
//!
//! - [`normalize`]: the pass that undoes obfuscation, with an offset map.
//! - [`extract`]: URLs, domains, phone numbers, messenger handles, e-mail
//!   addresses and wallet addresses, as spans.
//! - [`hash`]: SHA-256 and PDQ image hashes matched against hash lists.
//! - [`classify`]: a hashed n-gram linear text classifier.
//! - [`lexicon`] and [`pattern`]: word lists and regexes, compiled to
//!   Aho-Corasick automata and a literal prefilter.
//! - [`ring`]: groups of accounts that act together (near-duplicates,
//!   co-action networks, communities, group scores).
//! - [`rules`]: the compiled ruleset that combines all of the above into
//!   signals, with [`signal::Explanation`]s.

pub mod classify;
pub mod error;
pub mod extract;
#[doc(hidden)]
pub mod fuzzing;
pub mod hash;
pub mod item;
pub mod lexicon;
pub mod normalize;
pub mod pattern;
pub mod ring;
pub mod rules;
pub mod search;
pub mod signal;
