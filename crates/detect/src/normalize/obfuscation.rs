//! The steps that undo deliberate spelling tricks: separators between
//! letters, leetspeak and stretched letters.
//!
//! Each rule is narrow on purpose, because it runs on ordinary text too:
//! "I am at home" keeps its spaces, "2026" and "13800138000" keep their
//! digits, "weed" keeps its double e.

use super::Unit;

/// The characters people put between letters. One run uses one of them.
pub(crate) const SEPARATORS: &[char] =
    &[' ', '.', '*', '-', '_', '|', '/', '·', '•', '~', '+', '#'];

/// At most this many separator characters between two letters ("c . o" has
/// 3 with spaces counted separately; the same character repeated counts).
const MAX_GAP: usize = 3;

fn is_letter(ch: char) -> bool {
    ch.is_alphanumeric()
}

fn is_han(ch: char) -> bool {
    super::confusable::is_east_asian(ch) && ch.is_alphabetic()
}

/// Whether the letter at `at` stands alone: no letter right before or after.
fn is_single(units: &[Unit], at: usize) -> bool {
    let letter_at = |i: usize| units.get(i).is_some_and(|unit| is_letter(unit.ch));
    letter_at(at) && !(at > 0 && letter_at(at - 1)) && !letter_at(at + 1)
}

/// Collapse separators between single letters: a run of at least three
/// single letters or digits (at least one a letter) with the same separator
/// character between them ("c.o.c.a.i.n.e", "c o c a i n e", "溜 冰 吗"),
/// or two single Han characters with one separator between them ("冰 毒").
/// Between any two Han characters one separator other than a space goes
/// ("出冰*毒"): Chinese puts no dots or stars inside words. Spaces between
/// Chinese words of two or more characters are kept ("同城 冰毒").
/// A wider gap inside a run is a word break and becomes one space:
/// "r-e-m-o-v-e- -r-e-v-i-e-w-s" and "s e r i a l   n o" read "remove
/// reviews" and "serial no", so phrases still match.
pub(crate) fn collapse_separators(units: &[Unit]) -> Vec<Unit> {
    let mut out = Vec::with_capacity(units.len());
    let mut at = 0;
    while at < units.len() {
        let Some(run) = separated_run(units, at) else {
            if let Some(unit) = units.get(at)
                && !is_separator_between_han(units, at)
            {
                out.push(unit.clone());
            }
            at += 1;
            continue;
        };
        for &(letter, word_break) in &run.letters {
            if let Some(gap) = word_break {
                out.push(units[gap].with(' '));
            }
            out.push(units[letter].clone());
        }
        at = run.end;
    }
    out
}

/// A separator other than a space with Han characters right before and after.
fn is_separator_between_han(units: &[Unit], at: usize) -> bool {
    let han_at = |i: usize| units.get(i).is_some_and(|unit| is_han(unit.ch));
    units
        .get(at)
        .is_some_and(|unit| unit.ch != ' ' && SEPARATORS.contains(&unit.ch))
        && at > 0
        && han_at(at - 1)
        && han_at(at + 1)
}

struct Run {
    /// Indexes of the letters of the run, each with the index of the gap
    /// before it when that gap is a word break.
    letters: Vec<(usize, Option<usize>)>,
    /// Index just after the last letter.
    end: usize,
}

/// The collapsible run that starts at `at`, if there is one. The first gap
/// (one separator character, repeated at most `MAX_GAP` times) sets the
/// run's gap; a later gap must be the same, or be a word break: that
/// separator with spaces ("- -"), or more spaces than a gap of spaces.
fn separated_run(units: &[Unit], at: usize) -> Option<Run> {
    if !is_single(units, at) {
        return None;
    }
    let mut letters = vec![(at, None)];
    // The run's gap: its separator character and how many of it.
    let mut regular: Option<(char, usize)> = None;
    let mut single_gaps = true;
    let mut last = at;
    loop {
        let gap_start = last + 1;
        let mut gap_end = gap_start;
        while gap_end - gap_start <= MAX_GAP
            && units
                .get(gap_end)
                .is_some_and(|unit| SEPARATORS.contains(&unit.ch))
        {
            gap_end += 1;
        }
        let gap = &units[gap_start..gap_end];
        if gap.is_empty() || gap.len() > MAX_GAP || !is_single(units, gap_end) {
            break;
        }
        let word_break = match regular {
            None => {
                let first = gap[0].ch;
                if gap.iter().any(|unit| unit.ch != first) {
                    break;
                }
                regular = Some((first, gap.len()));
                false
            }
            Some((sep, count)) => {
                let same = gap.iter().filter(|unit| unit.ch == sep).count();
                let spaces = gap.iter().filter(|unit| unit.ch == ' ').count();
                let regular_gap = same == gap.len() && same == count;
                // "- -" after "-", or "   " after " ".
                let word_break = if sep == ' ' {
                    same == gap.len() && same > count
                } else {
                    same > 0 && spaces > 0 && same + spaces == gap.len()
                };
                if !regular_gap && !word_break {
                    break;
                }
                word_break
            }
        };
        single_gaps &= gap.len() == 1;
        letters.push((gap_end, word_break.then_some(gap_start)));
        last = gap_end;
    }

    let chars = || letters.iter().map(|&(i, _)| units[i].ch);
    let collapses = match letters.len() {
        0 | 1 => false,
        2 => single_gaps && chars().all(is_han),
        _ => chars().any(char::is_alphabetic),
    };
    collapses.then_some(Run {
        letters,
        end: last + 1,
    })
}

/// The letter a leetspeak character stands for.
fn unleet_char(ch: char) -> Option<char> {
    Some(match ch {
        '0' => 'o',
        '1' => 'i',
        '3' => 'e',
        '4' => 'a',
        '5' => 's',
        '7' => 't',
        '@' => 'a',
        '$' => 's',
        _ => return None,
    })
}

/// Replace leetspeak characters inside words ("c0c4ine", "ca$h", "c@sino").
///
/// A word here is a run of ASCII letters, digits, `@` and `$`. It is
/// rewritten only when it has at least two letters and every digit in it is
/// a leetspeak digit, so numbers ("2026"), phone numbers, "4g" and
/// "covid19" stay. `@` is replaced only inside a word, never at its start,
/// so "@handle" keeps its at sign, nor in a word followed by ".letter"
/// ("name@example.com").
pub(crate) fn unleet(units: &mut [Unit]) {
    let in_word = |ch: char| ch.is_ascii_alphanumeric() || ch == '@' || ch == '$';
    let mut at = 0;
    while at < units.len() {
        if !units.get(at).is_some_and(|unit| in_word(unit.ch)) {
            at += 1;
            continue;
        }
        let mut end = at + 1;
        while units.get(end).is_some_and(|unit| in_word(unit.ch)) {
            end += 1;
        }
        // "name@example.com": the at sign of an e-mail address stays.
        let email = units.get(end).is_some_and(|unit| unit.ch == '.')
            && units
                .get(end + 1)
                .is_some_and(|unit| unit.ch.is_ascii_alphabetic());
        let word = &mut units[at..end];
        at = end;

        let letters = word.iter().filter(|u| u.ch.is_ascii_alphabetic()).count();
        let digits_are_leet = word
            .iter()
            .filter(|u| u.ch.is_ascii_digit())
            .all(|u| unleet_char(u.ch).is_some());
        if letters < 2 || !digits_are_leet {
            continue;
        }
        let last = word.len() - 1;
        for (i, unit) in word.iter_mut().enumerate() {
            let at_edge = i == 0 || i == last;
            if unit.ch == '@' && (at_edge || email) {
                continue;
            }
            if let Some(letter) = unleet_char(unit.ch) {
                unit.ch = letter;
            }
        }
    }
}

/// Runs of three or more of the same Latin letter become one letter whose
/// origin is the whole run ("cooooocaine" to "cocaine"); doubles stay
/// ("weed", "good").
pub(crate) fn squeeze_repeats(units: &[Unit]) -> Vec<Unit> {
    let mut out: Vec<Unit> = Vec::with_capacity(units.len());
    let mut at = 0;
    while let Some(first) = units.get(at) {
        let mut end = at + 1;
        if first.ch.is_ascii_alphabetic() {
            while units
                .get(end)
                .is_some_and(|unit| unit.ch.eq_ignore_ascii_case(&first.ch))
            {
                end += 1;
            }
        }
        if end - at >= 3 {
            let run = &units[at..end];
            out.push(Unit {
                ch: first.ch,
                start: run.iter().map(|u| u.start).min().unwrap_or(first.start),
                end: run.iter().map(|u| u.end).max().unwrap_or(first.end),
            });
        } else {
            out.extend_from_slice(&units[at..end]);
        }
        at = end;
    }
    out
}
