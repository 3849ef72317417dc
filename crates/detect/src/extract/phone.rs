//! Phone numbers (subject kind `contact`), validated by `phonenumber`.
//!
//! What: a candidate is a run of digit groups joined by at most two of
//! space, `-`, `.`, `(` and `)` ("138 0013 8000", "(010) 8888-6666",
//! "+86-138-0013-8000"; full-width digits are folded by the view), 7 to 15
//! digits in all. A cheap shape check comes first: with `+` or `00` it is
//! international; otherwise, for China, a mobile number (11 digits, 1[3-9]),
//! a number with a trunk 0 (10–12 digits), a 400/800 number, or 86 and a
//! mobile; for any other region set with
//! [`super::Extractors::with_phone_regions`], any length. Then
//! `phonenumber` parses it for each region in turn and the first valid
//! reading wins. The value is E.164 ("+8613800138000"), the detail the
//! number's type ("mobile", "fixed_line", "toll_free", "premium_rate"…).
//!
//! When the whole run is not a number, shorter runs of its first groups are
//! tried, so "2023 13800138000" finds the mobile number.
//!
//! Parsing costs microseconds, so each text gets a budget of
//! [`PARSE_BUDGET`] parses; a text of a thousand numbers does not stall the
//! pipeline. Digits inside a URL or an e-mail address never get here.
//!
//! What not: numbers in Chinese numerals (一三八…) or written in words,
//! extensions, short codes (10086, 95588).

use phonenumber::country::Id;
use phonenumber::{PhoneNumber, Type};

use super::word::alnum_at;
use super::{EntityKind, Found};

/// Most `phonenumber` parses one text may cost.
pub const PARSE_BUDGET: usize = 32;

const MAX_DIGITS: usize = 15;

/// Most digits a run holds; past [`MAX_DIGITS`] it is no number anyway.
const RUN_DIGITS: usize = MAX_DIGITS + 3;
/// Most groups a run holds ("+86 (0) 10 6552 9988" has six).
const RUN_GROUPS: usize = 8;

/// One run of digit groups: the digits, and for each group where it ends
/// in the text and how many digits came up to there. Fixed arrays: most
/// runs are a lone "5" or "2023", and allocating for them would cost more
/// than everything else the scan does.
struct Run {
    start: usize,
    plus: bool,
    digits: [u8; RUN_DIGITS],
    groups: [(usize, usize); RUN_GROUPS],
    group_count: usize,
}

impl Run {
    fn digits(&self, count: usize) -> &str {
        std::str::from_utf8(&self.digits[..count]).unwrap_or("")
    }

    fn groups(&self) -> &[(usize, usize)] {
        &self.groups[..self.group_count]
    }
}

fn is_joiner(b: u8) -> bool {
    matches!(b, b' ' | b'-' | b'.' | b'(' | b')')
}

/// The run of digit groups starting at `start` (a digit).
fn run(bytes: &[u8], start: usize) -> Run {
    let mut run = Run {
        start,
        plus: false,
        digits: [0; RUN_DIGITS],
        groups: [(0, 0); RUN_GROUPS],
        group_count: 0,
    };
    if start > 0 && bytes[start - 1] == b'+' {
        run.start -= 1;
        run.plus = true;
    } else if start > 0 && bytes[start - 1] == b'(' {
        run.start -= 1;
    }
    let mut count = 0;
    let mut at = start;
    loop {
        while at < bytes.len() && bytes[at].is_ascii_digit() {
            if count < RUN_DIGITS {
                run.digits[count] = bytes[at];
            }
            count += 1;
            at += 1;
        }
        if count > RUN_DIGITS {
            break;
        }
        run.groups[run.group_count] = (at, count);
        run.group_count += 1;
        if run.group_count == RUN_GROUPS {
            break;
        }
        let joined = bytes[at..]
            .iter()
            .take(2)
            .take_while(|&&b| is_joiner(b))
            .count();
        let next = at + joined;
        if joined == 0 || !bytes.get(next).is_some_and(u8::is_ascii_digit) {
            break;
        }
        at = next;
    }
    run
}

/// Whether `digits` have the shape of a number worth parsing, and how to
/// write them for the parser.
fn shaped(digits: &str, plus: bool, regions: &[Id]) -> Option<(String, bool)> {
    let len = digits.len();
    if plus {
        return (8..=MAX_DIGITS)
            .contains(&len)
            .then(|| (format!("+{digits}"), true));
    }
    if let Some(rest) = digits.strip_prefix("00") {
        return (8..=MAX_DIGITS)
            .contains(&rest.len())
            .then(|| (format!("+{rest}"), true));
    }
    if !(7..=MAX_DIGITS).contains(&len) {
        return None;
    }
    let bytes = digits.as_bytes();
    let cn_mobile = |d: &[u8]| d.len() == 11 && d[0] == b'1' && (b'3'..=b'9').contains(&d[1]);
    if regions == [Id::CN] {
        if cn_mobile(bytes) || (bytes[0] == b'0' && (10..=12).contains(&len)) {
            return Some((digits.to_string(), false));
        }
        if len == 10 && (digits.starts_with("400") || digits.starts_with("800")) {
            return Some((digits.to_string(), false));
        }
        if len == 13 && digits.starts_with("86") && cn_mobile(&bytes[2..]) {
            return Some((format!("+{digits}"), true));
        }
        return None;
    }
    Some((digits.to_string(), false))
}

/// The first valid reading of `written` in the regions.
fn parse(written: &str, international: bool, regions: &[Id]) -> Option<PhoneNumber> {
    if international {
        return phonenumber::parse(None, written)
            .ok()
            .filter(PhoneNumber::is_valid);
    }
    regions.iter().find_map(|&region| {
        phonenumber::parse(Some(region), written)
            .ok()
            .filter(PhoneNumber::is_valid)
    })
}

fn type_name(number: &PhoneNumber) -> &'static str {
    match number.number_type(&phonenumber::metadata::DATABASE) {
        Type::FixedLine => "fixed_line",
        Type::Mobile => "mobile",
        Type::FixedLineOrMobile => "fixed_line_or_mobile",
        Type::TollFree => "toll_free",
        Type::PremiumRate => "premium_rate",
        Type::SharedCost => "shared_cost",
        Type::PersonalNumber => "personal_number",
        Type::Voip => "voip",
        Type::Pager => "pager",
        Type::Uan => "uan",
        Type::Voicemail => "voicemail",
        _ => "other",
    }
}

/// A phone number starting at the digit at `start`, if any. Returns where
/// the scan should go on: after the number, or after the first group.
pub(crate) fn scan(
    text: &str,
    start: usize,
    regions: &[Id],
    budget: &mut usize,
    out: &mut Vec<Found>,
) -> usize {
    let bytes = text.as_bytes();
    let run = run(bytes, start);
    let first_group_end = run.groups().first().map_or(start + 1, |group| group.0);
    if run.start > 0 && alnum_at(bytes, run.start - 1) {
        return first_group_end;
    }
    for &(end, count) in run.groups().iter().rev() {
        if count < 7 {
            break;
        }
        if *budget == 0 {
            break;
        }
        if alnum_at(bytes, end) || bytes.get(end) == Some(&b'_') {
            continue;
        }
        let Some((written, international)) = shaped(run.digits(count), run.plus, regions) else {
            continue;
        };
        *budget -= 1;
        if let Some(number) = parse(&written, international, regions) {
            out.push(Found {
                kind: EntityKind::Phone,
                value: number.format().mode(phonenumber::Mode::E164).to_string(),
                span: run.start..end,
                detail: Some(type_name(&number)),
                host: None,
                obfuscated: false,
            });
            return end;
        }
    }
    first_group_end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phone<'t>(text: &'t str, regions: &[Id]) -> Option<(String, &'static str, &'t str)> {
        let start = text.find(|c: char| c.is_ascii_digit())?;
        let mut out = Vec::new();
        let mut budget = PARSE_BUDGET;
        scan(text, start, regions, &mut budget, &mut out);
        let found = out.pop()?;
        Some((found.value, found.detail?, &text[found.span]))
    }

    #[test]
    fn china() {
        let cn = [Id::CN];
        for text in [
            "13800138000",
            "电话138 0013 8000。",
            "138-0013-8000",
            "+86 138 0013 8000",
            "+86-13800138000",
            "008613800138000",
            "8613800138000",
        ] {
            let (value, detail, _) = phone(text, &cn).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(
                (value.as_str(), detail),
                ("+8613800138000", "mobile"),
                "{text}"
            );
        }
        let (value, _, span) = phone("(010) 6552-9988 转", &cn).unwrap();
        assert_eq!((value.as_str(), span), ("+861065529988", "(010) 6552-9988"));
        let (value, detail, _) = phone("4008-123-123", &cn).unwrap();
        assert_eq!((value.as_str(), detail), ("+864008123123", "shared_cost"));
        let (value, detail, _) = phone("800-810-8888", &cn).unwrap();
        assert_eq!((value.as_str(), detail), ("+868008108888", "toll_free"));
    }

    #[test]
    fn international() {
        let (value, _, span) = phone("call +44 20 7946 0958.", &[Id::CN]).unwrap();
        assert_eq!(
            (value.as_str(), span),
            ("+442079460958", "+44 20 7946 0958")
        );
        assert_eq!(
            phone("09061701461", &[Id::GB]).map(|p| p.1),
            Some("premium_rate")
        );
        // The same digits are a valid number in Altay (area code 0906): the
        // region decides.
        assert_eq!(
            phone("09061701461", &[Id::CN]).map(|p| p.0),
            Some("+869061701461".to_string())
        );
    }

    #[test]
    fn a_number_after_other_digits() {
        let text = "2023 13800138000";
        let mut out = Vec::new();
        let mut budget = PARSE_BUDGET;
        let next = scan(text, 0, &[Id::CN], &mut budget, &mut out);
        assert_eq!(next, 4);
        assert!(out.is_empty());
        scan(text, 5, &[Id::CN], &mut budget, &mut out);
        assert_eq!(out[0].value, "+8613800138000");
    }

    #[test]
    fn not_phones() {
        for text in [
            "2023-01-15",
            "12345678",
            "3.1415926535",
            "13800138000abc",
            "ISBN 9787111234567",
        ] {
            assert_eq!(phone(text, &[Id::CN]), None, "{text}");
        }
    }
}
