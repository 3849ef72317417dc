//! Commercial cues, negative posts and the targets they name.
//!
//! What: [`Cues::flags`] marks a normalised text with what the group scores
//! need: an offer to delete posts or reviews or to sell "PR services"
//! (删帖, 删差评, 撤稿, 负面处理, "remove negative reviews"), an offer of paid
//! posting (代发, 刷好评, 水军, "buy reviews"), and negative content (曝光,
//! 骗子, 避雷, "scam", "avoid"). [`targets`] names the businesses and people
//! a text is about: `@accounts`, Chinese names ending in a business word
//! (…餐厅, …酒店, …公司, …医院) and capitalised English names ending in one
//! ("Golden Dragon Restaurant", "Acme Ltd").
//!
//! Why here and not in `rules/`: the rules decide about one item; these
//! cues only describe a group's posts, and a paid-deletion link needs the
//! negative post and the offer together, which no single-item rule sees.
//! The word lists are short on purpose and written in the normaliser's
//! output form (their terms are normalised like the text at build time).
//!
//! What not: no sentiment model; "negative" means a cue word, which an
//! analyst can see in the evidence.

use crate::normalize::{Steps, normalize};
use aho_corasick::{AhoCorasick, MatchKind};

/// An offer to delete posts or reviews, or of "PR" that does it.
pub const DELETION_OFFER: u8 = 1;
/// An offer of paid posting or reviews.
pub const PAID_POSTING: u8 = 2;
/// A negative post (accusation, warning, complaint).
pub const NEGATIVE: u8 = 4;
/// The post gives a contact (phone, messenger handle, e-mail, wallet).
pub const CONTACT: u8 = 8;

const DELETION_TERMS: &[&str] = &[
    "删帖",
    "删贴",
    "删差评",
    "删除差评",
    "删负面",
    "负面删除",
    "负面处理",
    "处理负面",
    "撤稿",
    "撤帖",
    "危机公关",
    "舆情处理",
    "公关服务",
    "remove negative reviews",
    "delete negative reviews",
    "remove bad reviews",
    "delete bad reviews",
    "review removal",
    "remove the post",
    "delete the post",
    "pr service",
    "pr services",
    "reputation management",
];

const PAID_TERMS: &[&str] = &[
    "代发",
    "刷好评",
    "刷单",
    "水军",
    "有偿发帖",
    "发帖兼职",
    "好评返现",
    "软文推广",
    "paid reviews",
    "buy reviews",
    "buy followers",
    "5 star reviews",
    "five star reviews",
    "paid posting",
];

const NEGATIVE_TERMS: &[&str] = &[
    "曝光",
    "骗子",
    "黑心",
    "避雷",
    "差评",
    "投诉",
    "维权",
    "坑人",
    "垃圾",
    "恶心",
    "黑店",
    "食物中毒",
    "scam",
    "scammer",
    "fraud",
    "avoid",
    "worst",
    "rip off",
    "ripoff",
    "terrible",
    "disgusting",
    "boycott",
    "food poisoning",
];

/// The cue automaton, built once.
#[derive(Clone, Debug)]
pub struct Cues {
    automaton: AhoCorasick,
    flag_of: Vec<u8>,
}

impl Cues {
    /// Build with the normalisation steps the texts will have had.
    pub fn new(steps: &Steps) -> Result<Self, aho_corasick::BuildError> {
        let mut terms = Vec::new();
        let mut flag_of = Vec::new();
        for (list, flag) in [
            (DELETION_TERMS, DELETION_OFFER),
            (PAID_TERMS, PAID_POSTING),
            (NEGATIVE_TERMS, NEGATIVE),
        ] {
            for term in list {
                terms.push(normalize(term, steps).text);
                flag_of.push(flag);
            }
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .ascii_case_insensitive(true)
            .build(&terms)?;
        Ok(Self { automaton, flag_of })
    }

    /// The flags of a normalised text (without [`CONTACT`], which the
    /// extractors decide).
    pub fn flags(&self, normalized: &str) -> u8 {
        let mut flags = 0;
        for found in self.automaton.find_overlapping_iter(normalized) {
            let term = found.pattern().as_usize();
            // English words count only as whole words ("avoid" not in
            // "avoidance" is fine, "scam" not in "scampi").
            if is_word_bounded(normalized, found.start(), found.end()) {
                flags |= self.flag_of[term];
            }
        }
        flags
    }
}

fn is_word_bounded(text: &str, start: usize, end: usize) -> bool {
    let bytes = text.as_bytes();
    let ascii_word = |b: u8| b.is_ascii_alphanumeric();
    let first_ascii = bytes.get(start).is_some_and(|b| b.is_ascii_alphabetic());
    if !first_ascii {
        return true;
    }
    let before = start == 0 || !ascii_word(bytes[start - 1]);
    let after = end >= bytes.len() || !ascii_word(bytes[end]);
    before && after
}

const ZH_BUSINESS: &[&str] = &[
    "餐厅",
    "饭店",
    "酒店",
    "宾馆",
    "公司",
    "医院",
    "诊所",
    "火锅",
    "超市",
    "药房",
    "门店",
    "专卖店",
    "旗舰店",
    "集团",
    "银行",
    "学校",
    "中心",
    "店",
];

const EN_BUSINESS: &[&str] = &[
    "Restaurant",
    "Hotel",
    "Cafe",
    "Clinic",
    "Hospital",
    "Shop",
    "Store",
    "Bar",
    "Salon",
    "Bank",
    "School",
    "Inc",
    "Ltd",
    "LLC",
    "Group",
    "Company",
];

/// The businesses and people `text` names, as written (Chinese names up to
/// six characters before the business word; English names of one to four
/// capitalised words before it; `@accounts` lowercased), deduplicated.
pub fn targets(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |name: String| {
        if !out.contains(&name) {
            out.push(name);
        }
    };
    for word in text.split(|c: char| c.is_whitespace()) {
        if let Some(name) = word.strip_prefix('@') {
            let name: String = name
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                push(format!("@{}", name.to_lowercase()));
            }
        }
    }
    // Chinese: a run of Han characters that ends in a business word.
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if !is_han(chars[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && is_han(chars[i]) {
            i += 1;
        }
        let run: String = chars[start..i].iter().collect();
        for suffix in ZH_BUSINESS {
            if let Some(at) = run.find(suffix) {
                let end = at + suffix.len();
                let name_chars: Vec<char> = run[..end].chars().collect();
                let keep = name_chars.len().min(6 + suffix.chars().count());
                let name: String = name_chars[name_chars.len() - keep..].iter().collect();
                if name.chars().count() > suffix.chars().count() {
                    push(name);
                }
                break;
            }
        }
    }
    // English: capitalised words ending in a business word.
    let words: Vec<&str> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '&'))
        .filter(|w| !w.is_empty())
        .collect();
    for (at, word) in words.iter().enumerate() {
        if !EN_BUSINESS.contains(word) || at == 0 {
            continue;
        }
        let mut first = at;
        while first > 0
            && at - first < 4
            && starts_upper(words[first - 1])
            && !NOT_NAMES.contains(&words[first - 1])
        {
            first -= 1;
        }
        if first < at {
            push(words[first..=at].join(" "));
        }
    }
    out
}

/// Capitalised words that start sentences rather than names.
const NOT_NAMES: &[&str] = &[
    "Avoid", "Visit", "Try", "The", "At", "Go", "Never", "Worst", "Best", "Don't", "I", "We", "My",
    "Our", "This", "That", "Love", "Boycott", "Stay", "Skip", "Beware", "Warning", "Scam", "Ate",
    "From", "In", "To", "New",
];

fn starts_upper(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase)
}

fn is_han(ch: char) -> bool {
    matches!(ch, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(text: &str) -> u8 {
        let steps = Steps::all();
        Cues::new(&steps)
            .unwrap()
            .flags(&normalize(text, &steps).text)
    }

    #[test]
    fn offers_and_negative_posts() {
        assert_eq!(flags("专业删差评，24小时处理"), DELETION_OFFER | NEGATIVE);
        assert_eq!(flags("專業刪帖"), DELETION_OFFER); // Traditional folds
        assert_eq!(flags("We offer PR services, DM us"), DELETION_OFFER);
        assert_eq!(flags("this place is a SCAM, avoid"), NEGATIVE);
        assert_eq!(flags("scampi and chips"), 0);
        assert_eq!(flags("刷好评 水军 代发"), PAID_POSTING);
        assert_eq!(flags("lovely dinner tonight"), 0);
    }

    #[test]
    fn targets_named() {
        assert_eq!(
            targets("曝光：金龙餐厅用地沟油，大家避雷"),
            vec!["金龙餐厅".to_string()]
        );
        assert_eq!(
            targets("Avoid Golden Dragon Restaurant, total scam @FoodieTom"),
            vec![
                "@foodietom".to_string(),
                "Golden Dragon Restaurant".to_string()
            ]
        );
        assert!(targets("nothing to see here").is_empty());
    }
}
