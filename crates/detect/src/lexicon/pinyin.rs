//! Pinyin spellings of Chinese terms, for lexicons with `pinyin = true`.
//!
//! What: 冰毒 also matches "bingdu" and "bing du" (full syllables) and "bd"
//! (initials). Characters with several readings (heteronyms) give several
//! spellings, at most [`MAX_SPELLINGS`] per term.
//! Why: sellers write the pinyin or its initials to get past Chinese
//! keyword lists, which then only a pinyin list catches.
//! What not: tones are ignored (nobody types them in chat), and a term with
//! a character that has no reading, or of fewer than two characters, gets
//! no spelling: a single syllable matches far too much. Initials are made
//! only for terms of three or more characters, from first readings: two
//! letters ("qq", "jd", "tm") are everyday tokens in Chinese chat, and
//! measured on harmless text they caused most false alarms.

use pinyin::ToPinyinMulti;

/// Spellings per term and form, at most.
const MAX_SPELLINGS: usize = 4;

/// The pinyin spellings of a term: full syllables run together, syllables
/// with spaces, and initials. Empty when the term is not all Han or is a
/// single character.
pub(crate) struct Spellings {
    pub(crate) full: Vec<String>,
    pub(crate) spaced: Vec<String>,
    pub(crate) initials: Vec<String>,
}

pub(crate) fn spellings(term: &str) -> Spellings {
    let mut readings: Vec<Vec<&'static str>> = Vec::new();
    for multi in term.to_pinyin_multi() {
        let Some(multi) = multi else {
            return Spellings {
                full: Vec::new(),
                spaced: Vec::new(),
                initials: Vec::new(),
            };
        };
        let mut plain: Vec<&'static str> = multi.into_iter().map(|p| p.plain()).collect();
        plain.dedup();
        readings.push(plain);
    }
    if readings.len() < 2 {
        return Spellings {
            full: Vec::new(),
            spaced: Vec::new(),
            initials: Vec::new(),
        };
    }
    // Cartesian product of readings, first readings first, capped.
    let mut combos: Vec<Vec<&'static str>> = vec![Vec::new()];
    for options in &readings {
        let mut next = Vec::new();
        for combo in &combos {
            for option in options {
                if next.len() >= MAX_SPELLINGS {
                    break;
                }
                let mut longer = combo.clone();
                longer.push(*option);
                next.push(longer);
            }
        }
        combos = next;
    }
    let mut full: Vec<String> = combos.iter().map(|c| c.concat()).collect();
    let mut spaced: Vec<String> = combos.iter().map(|c| c.join(" ")).collect();
    // Initials only for terms of three or more characters, and only from
    // each character's first (most common) reading: two letters collide
    // with everyday tokens ("qq" from a rare reading of 猎枪, "jd", "tm").
    let mut initials: Vec<String> = if readings.len() >= 3 {
        vec![
            readings
                .iter()
                .filter_map(|r| r.first()?.chars().next())
                .collect(),
        ]
    } else {
        Vec::new()
    };
    for list in [&mut full, &mut spaced, &mut initials] {
        list.sort();
        list.dedup();
    }
    Spellings {
        full,
        spaced,
        initials,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bingdu() {
        let s = spellings("冰毒");
        assert!(s.full.contains(&"bingdu".to_owned()), "{:?}", s.full);
        assert!(s.spaced.contains(&"bing du".to_owned()));
        assert!(
            s.initials.is_empty(),
            "two letters collide with everyday tokens"
        );
        let s = spellings("摇头丸");
        assert_eq!(s.initials, vec!["ytw".to_owned()]);
    }

    #[test]
    fn single_characters_and_latin_get_none() {
        assert!(spellings("冰").full.is_empty());
        assert!(spellings("ice").full.is_empty());
        assert!(spellings("k粉").full.is_empty());
    }

    #[test]
    fn heteronyms_are_capped() {
        let s = spellings("重重重重重");
        assert!(s.full.len() <= MAX_SPELLINGS);
    }
}
