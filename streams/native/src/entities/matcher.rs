//! The KB automaton: many case-sensitive keys, each with its patterns' edge tests and payloads.
//!
//! Nearly every key is Latin-1 without `?`: those are searched in the text's Latin-1 bytes (one byte
//! per character, anything else as `?`), so byte offsets are character offsets. The few other keys
//! ("Erdoğan") are searched in the text's UTF-32 form, and only in texts that could hold them.
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use std::collections::HashMap;

use super::uni::is_alnum;

/// One pattern of a key: its edges must not go on with a letter or digit where closed.
#[derive(Clone, Copy)]
pub struct Pattern {
    pub closed_left: bool,
    pub closed_right: bool,
    pub payload: u32,
}

/// The keys of a ``SplitMatcher`` compiled: ``find_spans`` gives (start, end, payload index).
#[pyclass(frozen, module = "streams._native")]
pub struct KeyMatcher {
    latin: Option<AhoCorasick>,
    latin_keys: Vec<u32>, // automaton pattern -> key index
    other: Option<AhoCorasick>,
    other_keys: Vec<u32>,
    question: bool, // a key outside the byte search holds a `?`
    pub patterns: Vec<Vec<Pattern>>,
    pub keys: HashMap<String, u32>, // key -> index, for whole-string lookups
}

fn build(keys: &[Vec<u8>]) -> PyResult<Option<AhoCorasick>> {
    if keys.is_empty() {
        return Ok(None);
    }
    // a contiguous NFA stays small enough for the caches (a DFA of the KB's keys takes ~75 MB)
    AhoCorasick::builder()
        .kind(Some(AhoCorasickKind::ContiguousNFA))
        .match_kind(MatchKind::Standard)
        .build(keys)
        .map(Some)
        .map_err(|e| PyValueError::new_err(e.to_string()))
}

fn utf32(chars: impl Iterator<Item = char>) -> Vec<u8> {
    chars.flat_map(|c| (c as u32).to_le_bytes()).collect()
}

impl KeyMatcher {
    /// Every occurrence of every key as (start, end, key), ordered by start, longer first; edges not judged.
    pub fn hits(&self, t: &[char]) -> Vec<(usize, usize, u32)> {
        let mut found: Vec<(usize, usize, u32)> = Vec::new();
        let mut outside = false;
        let mut question = false;
        if let Some(latin) = &self.latin {
            let bytes: Vec<u8> = t
                .iter()
                .map(|&c| {
                    if (c as u32) < 256 {
                        c as u8
                    } else {
                        outside = true;
                        b'?'
                    }
                })
                .collect();
            question = self.question && bytes.contains(&b'?');
            for m in latin.find_overlapping_iter(&bytes) {
                found.push((m.start(), m.end(), self.latin_keys[m.pattern().as_usize()]));
            }
        } else {
            outside = true;
        }
        if let Some(other) = &self.other {
            if outside || question {
                let data = utf32(t.iter().copied());
                for m in other.find_overlapping_iter(&data) {
                    if m.start() % 4 == 0 {
                        found.push((
                            m.start() / 4,
                            m.end() / 4,
                            self.other_keys[m.pattern().as_usize()],
                        ));
                    }
                }
            }
        }
        // a (start, end) is one key: the order is total
        found.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        found
    }

    /// The payloads of a key's patterns whose edges fit a match at (start, end), in pattern order.
    #[inline]
    pub fn fitting<'a>(
        &'a self,
        t: &'a [char],
        key: u32,
        start: usize,
        end: usize,
    ) -> impl Iterator<Item = u32> + 'a {
        let n = t.len();
        self.patterns[key as usize].iter().filter_map(move |p| {
            if p.closed_right && end < n && is_alnum(t[end]) {
                return None;
            }
            if p.closed_left && start > 0 && is_alnum(t[start - 1]) {
                return None;
            }
            Some(p.payload)
        })
    }
}

#[pymethods]
impl KeyMatcher {
    /// ``keys[i]`` with its patterns ``patterns[i]`` as (closed left, closed right, payload index).
    #[new]
    fn new(keys: Vec<String>, patterns: Vec<Vec<(bool, bool, u32)>>) -> PyResult<Self> {
        if keys.len() != patterns.len() {
            return Err(PyValueError::new_err("one pattern list per key"));
        }
        let mut latin = Vec::new();
        let mut latin_keys = Vec::new();
        let mut other = Vec::new();
        let mut other_keys = Vec::new();
        for (index, key) in keys.iter().enumerate() {
            if !key.contains('?') && key.chars().all(|c| (c as u32) < 256) {
                latin.push(key.chars().map(|c| c as u8).collect::<Vec<u8>>());
                latin_keys.push(index as u32);
            } else {
                other.push(utf32(key.chars()));
                other_keys.push(index as u32);
            }
        }
        let question = keys.iter().any(|k| k.contains('?')); // every such key is outside the byte search
        Ok(KeyMatcher {
            latin: build(&latin)?,
            latin_keys,
            other: build(&other)?,
            other_keys,
            question,
            patterns: patterns
                .into_iter()
                .map(|group| {
                    group
                        .into_iter()
                        .map(|(closed_left, closed_right, payload)| Pattern {
                            closed_left,
                            closed_right,
                            payload,
                        })
                        .collect()
                })
                .collect(),
            keys: keys
                .into_iter()
                .enumerate()
                .map(|(i, k)| (k, i as u32))
                .collect(),
        })
    }

    /// Every match as (start, end, payload index), ordered by start, longer first at the same start,
    /// payloads of one key in pattern order.
    fn find_spans(&self, text: &str) -> Vec<(usize, usize, u32)> {
        let t: Vec<char> = text.chars().collect();
        let mut found = Vec::new();
        for (start, end, key) in self.hits(&t) {
            for payload in self.fitting(&t, key, start, end) {
                found.push((start, end, payload));
            }
        }
        found
    }
}
