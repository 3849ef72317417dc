//! Traditional to Simplified Chinese, with OpenCC's t2s tables
//! (ferrous-opencc, Apache-2.0; its dictionaries are compiled into the
//! binary, so this reads no file).
//!
//! Each run of Han characters is converted as a whole, so OpenCC's phrase
//! table picks the right character where one Traditional character has
//! several Simplified ones. t2s keeps the number of characters; when the
//! run comes back with another count, the run is converted character by
//! character instead so every output character keeps its origin.

use std::sync::OnceLock;

use ferrous_opencc::OpenCC;
use ferrous_opencc::config::BuiltinConfig;

use super::Unit;
use super::confusable::is_east_asian;

/// The t2s converter, built once. `None` if the compiled-in configuration
/// fails to load, which a test rules out; the step is then skipped rather
/// than failing every normalisation.
fn converter() -> Option<&'static OpenCC> {
    static T2S: OnceLock<Option<OpenCC>> = OnceLock::new();
    T2S.get_or_init(|| OpenCC::from_config(BuiltinConfig::T2s).ok())
        .as_ref()
}

pub(crate) fn to_simplified(units: &[Unit]) -> Vec<Unit> {
    let Some(t2s) = converter() else {
        return units.to_vec();
    };
    let mut out = Vec::with_capacity(units.len());
    let mut at = 0;
    while let Some(first) = units.get(at) {
        if !is_han(first.ch) {
            out.push(first.clone());
            at += 1;
            continue;
        }
        let mut end = at + 1;
        while units.get(end).is_some_and(|unit| is_han(unit.ch)) {
            end += 1;
        }
        let run = &units[at..end];
        at = end;

        let text: String = run.iter().map(|unit| unit.ch).collect();
        let simplified = t2s.convert(&text);
        if simplified.chars().count() == run.len() {
            out.extend(
                run.iter()
                    .zip(simplified.chars())
                    .map(|(unit, ch)| unit.with(ch)),
            );
        } else {
            for unit in run {
                let one = t2s.convert(unit.ch.encode_utf8(&mut [0; 4]));
                out.extend(one.chars().map(|ch| unit.with(ch)));
            }
        }
    }
    out
}

fn is_han(ch: char) -> bool {
    is_east_asian(ch) && ch.is_alphabetic()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_compiled_in_tables_load() {
        assert!(super::converter().is_some());
    }
}
