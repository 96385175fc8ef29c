//! Word-level helpers over a text as code points (offsets are Python str offsets).
//!
//! Each mirrors a Python helper or regex of the extractor as it was: `_WORD` is
//! `[^\W_]+(?:[-'’][^\W_]+)*`, where `[^\W_]` is exactly `str.isalnum()`.
use super::uni::{is_alnum, is_decimal, is_word};

pub type Span = (usize, usize);

/// A text as code points (one allocation: a str has no more characters than bytes).
pub fn chars(text: &str) -> Vec<char> {
    let mut found = Vec::with_capacity(text.len());
    found.extend(text.chars());
    found
}

#[inline]
pub fn is_joiner(c: char) -> bool {
    matches!(c, '-' | '\'' | '’')
}

/// `_WORD.match(text, pos)`: its end, or None.
pub fn word_match(t: &[char], pos: usize) -> Option<usize> {
    let n = t.len();
    let mut i = pos;
    while i < n && is_alnum(t[i]) {
        i += 1;
    }
    if i == pos {
        return None;
    }
    // greedy (?:[-'’][^\W_]+)*: a joiner counts only with a letter or digit after it
    while i + 1 < n && is_joiner(t[i]) && is_alnum(t[i + 1]) {
        i += 2;
        while i < n && is_alnum(t[i]) {
            i += 1;
        }
    }
    Some(i)
}

/// `_next_word`: the word right after `pos` with only spaces between (optionally one comma).
pub fn next_word(t: &[char], pos: usize, comma: bool) -> Option<Span> {
    let n = t.len();
    let mut i = pos;
    while i < n && t[i] == ' ' {
        i += 1;
    }
    if comma && i < n && t[i] == ',' {
        i += 1;
        while i < n && t[i] == ' ' {
            i += 1;
        }
    }
    word_match(t, i).map(|end| (i, end))
}

/// `_prev_word`: the word right before `pos` with only spaces between, from its first letter or digit.
pub fn prev_word(t: &[char], pos: usize) -> Option<Span> {
    let mut pos = pos.min(t.len());
    while pos > 0 && t[pos - 1] == ' ' {
        pos -= 1;
    }
    let end = pos;
    while pos > 0 && (is_alnum(t[pos - 1]) || is_joiner(t[pos - 1])) {
        pos -= 1;
    }
    while pos < end && !is_alnum(t[pos]) {
        pos += 1;
    }
    (pos < end).then_some((pos, end))
}

/// `word_end`: just past the run of letters and digits at `index`.
pub fn word_end(t: &[char], index: usize) -> usize {
    let mut i = index;
    while i < t.len() && is_alnum(t[i]) {
        i += 1;
    }
    i
}

/// `word_start`: the first letter or digit of the run that ends at `index`.
pub fn word_start(t: &[char], index: usize) -> usize {
    let mut i = index;
    while i > 0 && is_alnum(t[i - 1]) {
        i -= 1;
    }
    i
}

/// `_sentence_initial`: only spaces, tabs, line breaks or `(` between a sentence end and `start`.
pub fn sentence_initial(t: &[char], start: usize) -> bool {
    let mut pos = start;
    while pos > 0 && matches!(t[pos - 1], ' ' | '\n' | '\t' | '(') {
        pos -= 1;
    }
    pos == 0
        || matches!(
            t[pos - 1],
            '.' | '!' | '?' | ':' | ';' | '"' | '„' | '“' | '»' | '«'
        )
}

/// `_in_parentheses`: `(XYZ)` or `( XYZ )`.
pub fn in_parentheses(t: &[char], start: usize, end: usize) -> bool {
    let before = &t[start.saturating_sub(2)..start];
    let open = before.iter().rev().find(|&&c| c != ' ') == Some(&'(');
    let after = &t[end.min(t.len())..(end + 2).min(t.len())];
    open && after.iter().find(|&&c| c != ' ') == Some(&')')
}

/// re's `\b` at `pos`.
#[inline]
pub fn boundary(t: &[char], pos: usize) -> bool {
    let before = pos > 0 && is_word(t[pos - 1]);
    let after = pos < t.len() && is_word(t[pos]);
    before != after
}

/// `_house_number`: the end of ` (\d{1,4}[a-z]?)\b(?![.,]\d)` matched at `end`, else `end`.
pub fn house_number(t: &[char], end: usize) -> usize {
    let n = t.len();
    if end >= n || t[end] != ' ' {
        return end;
    }
    let first = end + 1;
    let mut run = 0;
    while first + run < n && run < 4 && is_decimal(t[first + run]) {
        run += 1;
    }
    // the regex's order: most digits first, with a letter before without
    for digits in (1..=run).rev() {
        let after_digits = first + digits;
        let letter = after_digits < n && t[after_digits].is_ascii_lowercase();
        for with_letter in [true, false] {
            if with_letter && !letter {
                continue;
            }
            let stop = after_digits + with_letter as usize;
            if !boundary(t, stop) {
                continue;
            }
            if stop + 1 < n && matches!(t[stop], '.' | ',') && is_decimal(t[stop + 1]) {
                continue;
            }
            return stop;
        }
    }
    end
}

/// A character of re's class `[\w-]`: it continues a word.
#[inline]
fn joins(c: char) -> bool {
    c == '-' || is_word(c)
}

fn find(t: &[char], needle: &[char], from: usize) -> Option<usize> {
    if needle.is_empty() {
        return (from <= t.len()).then_some(from);
    }
    let first = needle[0];
    let last_start = t.len().checked_sub(needle.len())?;
    let mut at = from;
    while at <= last_start {
        // the first character a block of 16 at a time (a loop without an early exit vectorises)
        let block = &t[at..(at + 16).min(last_start + 1)];
        if !block.iter().fold(false, |any, &c| any | (c == first)) {
            at += block.len();
            continue;
        }
        for (k, &c) in block.iter().enumerate() {
            if c == first && t[at + k..at + k + needle.len()] == *needle {
                return Some(at + k);
            }
        }
        at += block.len();
    }
    None
}

/// `_surname_mentions`: what `(?<![\w-])(S1|S2|...)s?(?![\w-])` finds, as (start, end, surname index):
/// at each position the first surname that fits wins, and matches do not overlap.
pub fn surname_mentions(t: &[char], surnames: &[Vec<char>]) -> Vec<(usize, usize, usize)> {
    let n = t.len();
    let mut found: std::collections::BTreeMap<usize, (usize, usize)> = Default::default();
    for (index, surname) in surnames.iter().enumerate() {
        let mut at = find(t, surname, 0);
        while let Some(pos) = at {
            if !found.contains_key(&pos) && (pos == 0 || !joins(t[pos - 1])) {
                let end = pos + surname.len();
                if end < n && t[end] == 's' && (end + 1 == n || !joins(t[end + 1])) {
                    found.insert(pos, (end + 1, index));
                } else if end == n || !joins(t[end]) {
                    found.insert(pos, (end, index));
                }
            }
            at = find(t, surname, pos + 1);
        }
    }
    let mut mentions = Vec::new();
    let mut last = 0;
    for (at, (end, index)) in found {
        if at >= last {
            mentions.push((at, end, index));
            last = end;
        }
    }
    mentions
}
