//! Properties of `Extractors::extract` that must hold for any text: it never
//! panics, and every span lies inside the original, on char boundaries, in
//! order of where it starts.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use harrier_detect::extract::{DomainList, Extractors};
use proptest::prelude::*;

/// Pieces the extractors react to, so random texts exercise them often.
const TRICKY: &[&str] = &[
    "1",
    "3",
    "8",
    "0",
    "9",
    "138",
    "0013",
    "8000",
    "+86",
    "+",
    "-",
    ".",
    "[.]",
    "(dot)",
    "。",
    "点",
    "@",
    "[at]",
    "＠",
    "．",
    "ｗ",
    "１",
    "８",
    "ａ",
    "微信",
    "加v",
    "V",
    "：",
    ":",
    "QQ",
    "扣扣",
    "tg",
    "纸飞机",
    " ",
    "(",
    ")",
    "（",
    "http://",
    "hxxp://",
    "https：//",
    "t.me/",
    "com",
    "cn",
    "top",
    "abc",
    "evil",
    "www",
    "_",
    "/",
    "?",
    "#",
    "\u{200B}",
    "\u{AD}",
    "①",
    "𝐚",
    "冰",
    "x",
    "0x",
    "bc1",
    "T",
    "q",
    "é",
    "😀",
    "\u{301}",
    "ﬁ",
    "…",
    "ab12cd",
    "wxid_",
];

fn tricky_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TRICKY), 0..60).prop_map(|parts| parts.concat())
}

fn extractors() -> Extractors {
    Extractors::new().with_domain_list(DomainList::from_lines("bad", "evil.com\nevil.cn\n"))
}

fn check(extractors: &Extractors, text: &str) -> Result<(), TestCaseError> {
    let entities = extractors.extract(text);
    let mut previous = 0;
    for entity in &entities {
        let span = &entity.span;
        prop_assert!(span.start < span.end, "empty span {:?} in {:?}", span, text);
        prop_assert!(
            span.end <= text.len(),
            "{:?} past the end of {:?}",
            span,
            text
        );
        prop_assert!(
            text.is_char_boundary(span.start),
            "{:?} in {:?}",
            span,
            text
        );
        prop_assert!(text.is_char_boundary(span.end), "{:?} in {:?}", span, text);
        prop_assert!(span.start >= previous, "out of order in {:?}", text);
        prop_assert!(!entity.value.is_empty());
        previous = span.start;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn spans_of_tricky_texts(text in tricky_text()) {
        check(&extractors(), &text)?;
    }

    #[test]
    fn spans_of_any_text(text in any::<String>()) {
        check(&extractors(), &text)?;
    }
}
