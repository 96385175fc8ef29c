//! The topic classifier's per-item work: streams/classify.py compiles the taxonomy into the tables
//! a `Classifier` holds; `Classifier.classify` scores one item and builds its result objects.
//!
//! Offsets are Python str offsets (code points): the search runs on a canonical form of the text
//! with one byte per character (letters and digits lower-cased, every other character a space),
//! built straight from the strings' PEP 393 storage. A closed word edge is a space in the key, so
//! a hit already stands at word edges. Where the canonical form cannot tell characters apart (a
//! space stands for every non-alphanumeric character, `ª` for every letter or digit outside
//! Latin-1), the hit is compared with the case-folded characters of the text. Floating point
//! follows the Python original operation by operation (f64, same order, libm's `pow` and `exp`),
//! so scores and weights are bit-identical to it.
use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::ffi;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyFloat, PySequence, PyString, PyStringData, PyTuple, PyType};

const SPACE: u8 = b' ';
const WIDE_ALNUM: u8 = 0xAA; // ª: stands for a letter or digit outside Latin-1 in the canonical form
const LINE_BREAK: u32 = b'\n' as u32;
const CODE_POINTS: usize = 0x11_0000;

// ------------------------------------------------------------------------------------------------
// characters as Python sees them

/// Python's `str.isalnum()` and `str.lower()` per code point, handed over by Python once (Rust's
/// own Unicode tables follow another Unicode version and define "alphanumeric" differently).
struct Chars {
    alnum: Vec<u64>,        // one bit per code point
    lower: Vec<(u32, u32)>, // sorted: code point -> its lower case, where that is one other character
    fold1: [u8; 256],       // the lower case of a Latin-1 character (always Latin-1)
    canon1: [u8; 256],      // the canonical byte of a Latin-1 character
}

impl Chars {
    fn new(alnum_ranges: Vec<(u32, u32)>, mut lower: Vec<(u32, u32)>) -> PyResult<Self> {
        let mut alnum = vec![0u64; CODE_POINTS / 64];
        for (start, end) in alnum_ranges {
            if start > end || end as usize > CODE_POINTS {
                return Err(PyValueError::new_err("alphanumeric range out of bounds"));
            }
            for c in start as usize..end as usize {
                alnum[c >> 6] |= 1 << (c & 63);
            }
        }
        lower.sort_unstable();
        let mut chars = Chars {
            alnum,
            lower,
            fold1: [0; 256],
            canon1: [0; 256],
        };
        for c in 0..256u32 {
            let folded = chars.fold_slow(c);
            if folded >= 256 {
                return Err(PyValueError::new_err(
                    "a Latin-1 character lower-cases outside Latin-1",
                ));
            }
            chars.fold1[c as usize] = folded as u8;
            chars.canon1[c as usize] = if chars.is_alnum(c) {
                folded as u8
            } else {
                SPACE
            };
        }
        Ok(chars)
    }

    #[inline]
    fn is_alnum(&self, c: u32) -> bool {
        let c = c as usize;
        c < CODE_POINTS && (self.alnum[c >> 6] >> (c & 63)) & 1 == 1
    }

    fn fold_slow(&self, c: u32) -> u32 {
        match self.lower.binary_search_by_key(&c, |&(from, _)| from) {
            Ok(i) => self.lower[i].1,
            Err(_) => c,
        }
    }

    /// `matching.fold_case` of one character: its lower case where that is one character.
    #[inline]
    fn fold(&self, c: u32) -> u32 {
        if c < 256 {
            self.fold1[c as usize] as u32
        } else {
            self.fold_slow(c)
        }
    }

    /// The canonical byte: the lower case of a letter or digit where it is Latin-1, `ª` for one
    /// outside Latin-1, a space for anything else (so a space means exactly "not `isalnum()`").
    #[inline]
    fn canon(&self, c: u32) -> u8 {
        if c < 256 {
            self.canon1[c as usize]
        } else if !self.is_alnum(c) {
            SPACE
        } else {
            let folded = self.fold_slow(c);
            if folded < 256 {
                folded as u8
            } else {
                WIDE_ALNUM
            }
        }
    }

    fn push_canonical(&self, out: &mut Vec<u8>, text: Units<'_>) {
        match text {
            Units::One(units) => out.extend(units.iter().map(|&c| self.canon1[c as usize])),
            Units::Two(units) => out.extend(units.iter().map(|&c| self.canon(c as u32))),
            Units::Four(units) => out.extend(units.iter().map(|&c| self.canon(c))),
        }
    }
}

/// Python's character tables for the classifier (`str.isalnum`, `str.lower`), built once per process.
#[pyclass(frozen, module = "streams._native")]
pub struct CharTable {
    chars: Arc<Chars>,
}

#[pymethods]
impl CharTable {
    /// `alnum`: the [start, end) ranges of code points where `str.isalnum()` holds; `lower`: (code
    /// point, its lower case) where `str.lower()` gives one other character.
    #[new]
    fn new(alnum: Vec<(u32, u32)>, lower: Vec<(u32, u32)>) -> PyResult<Self> {
        Ok(CharTable {
            chars: Arc::new(Chars::new(alnum, lower)?),
        })
    }

    /// The canonical form of `text` (one byte per character), the form the search runs on.
    fn canonical<'py>(
        &self,
        py: Python<'py>,
        text: &Bound<'py, PyString>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let mut out = Vec::new();
        self.chars.push_canonical(&mut out, units(text)?);
        Ok(PyBytes::new(py, &out))
    }
}

// ------------------------------------------------------------------------------------------------
// texts

/// A Python str's characters as stored (PEP 393): one, two or four bytes per code point.
#[derive(Clone, Copy)]
enum Units<'a> {
    One(&'a [u8]),
    Two(&'a [u16]),
    Four(&'a [u32]),
}

impl Units<'_> {
    fn len(&self) -> usize {
        match self {
            Units::One(u) => u.len(),
            Units::Two(u) => u.len(),
            Units::Four(u) => u.len(),
        }
    }

    #[inline]
    fn at(&self, i: usize) -> u32 {
        match self {
            Units::One(u) => u[i] as u32,
            Units::Two(u) => u[i] as u32,
            Units::Four(u) => u[i],
        }
    }

    /// str equality: equal strings share their storage width (PEP 393 picks the narrowest).
    fn same(&self, other: &Units<'_>) -> bool {
        match (self, other) {
            (Units::One(a), Units::One(b)) => a == b,
            (Units::Two(a), Units::Two(b)) => a == b,
            (Units::Four(a), Units::Four(b)) => a == b,
            _ => false,
        }
    }
}

fn units<'a>(text: &'a Bound<'_, PyString>) -> PyResult<Units<'a>> {
    // SAFETY: the slices borrow `text`, which the caller holds (and str is immutable)
    Ok(match unsafe { text.data()? } {
        PyStringData::Ucs1(u) => Units::One(u),
        PyStringData::Ucs2(u) => Units::Two(u),
        PyStringData::Ucs4(u) => Units::Four(u),
    })
}

/// The text searched: line break, headline, line break, the paragraphs joined by a blank line,
/// line break (the layout the Python classifier used; offsets are into this text).
struct Layout<'a> {
    headline: Units<'a>,
    paragraphs: Vec<Units<'a>>,
    starts: Vec<usize>, // where each paragraph starts, then one past the end of the text + 1
    base: usize,        // where the body starts
    len: usize,
    body_len: usize,
}

impl<'a> Layout<'a> {
    fn new(headline: Units<'a>, paragraphs: Vec<Units<'a>>) -> Self {
        let base = headline.len() + 2;
        let mut starts = Vec::with_capacity(paragraphs.len() + 1);
        let mut at = base;
        starts.push(at);
        for p in &paragraphs {
            at += p.len() + 2;
            starts.push(at);
        }
        let body_len = if paragraphs.is_empty() {
            0
        } else {
            at - base - 2
        };
        Layout {
            headline,
            paragraphs,
            starts,
            base,
            len: base + body_len + 1,
            body_len,
        }
    }

    fn canonical(&self, chars: &Chars) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len);
        out.push(SPACE);
        chars.push_canonical(&mut out, self.headline);
        out.push(SPACE);
        for (i, p) in self.paragraphs.iter().enumerate() {
            if i > 0 {
                out.extend_from_slice(b"  ");
            }
            chars.push_canonical(&mut out, *p);
        }
        out.push(SPACE);
        out
    }

    /// The paragraph that holds body offset `at` (or the blank line after it).
    #[inline]
    fn paragraph(&self, at: usize) -> usize {
        self.starts.partition_point(|&s| s <= at) - 1
    }

    fn char_at(&self, at: usize) -> u32 {
        if at == 0 || at + 1 >= self.len || at + 1 == self.base {
            LINE_BREAK
        } else if at < self.base {
            self.headline.at(at - 1)
        } else {
            let i = self.paragraph(at);
            let offset = at - self.starts[i];
            if offset < self.paragraphs[i].len() {
                self.paragraphs[i].at(offset)
            } else {
                LINE_BREAK
            }
        }
    }

    /// A match counts only inside one field, as if headline and body were searched apart.
    #[inline]
    fn in_one_field(&self, first: usize, last: usize) -> bool {
        (first >= 1 && last < self.base) || (first >= self.base && last < self.len)
    }

    fn folded_equals(&self, chars: &Chars, first: usize, spelling: &[u32]) -> bool {
        spelling
            .iter()
            .enumerate()
            .all(|(j, &c)| chars.fold(self.char_at(first + j)) == c)
    }
}

fn strings<'py>(value: &Bound<'py, PyAny>) -> PyResult<Vec<Bound<'py, PyString>>> {
    if let Ok(tuple) = value.cast::<PyTuple>() {
        return tuple
            .iter()
            .map(|v| Ok(v.cast_into::<PyString>()?))
            .collect();
    }
    let sequence = value.cast::<PySequence>()?;
    (0..sequence.len()?)
        .map(|i| Ok(sequence.get_item(i)?.cast_into::<PyString>()?))
        .collect()
}

// ------------------------------------------------------------------------------------------------
// the compiled taxonomy

/// One pattern behind an automaton key. Its lists are ranges of the language's flat arrays, and
/// the entries of all keys lie in one array: a hit touches few cache lines, which counts in the
/// worker, where the other stages have evicted the tables by the next item.
struct Entry {
    left: u8,  // 1 where the key starts with the space of a closed left edge
    right: u8, // 1 where it ends with one
    blocker: bool,
    number: u32, // the pattern's number in its language (orders matches at one span)
    // the folded spelling in `spellings`, where a hit must be compared with the text (else empty)
    exact: (u32, u32),
    tags: (u32, u32), // the context patterns it stands for, in `tags`
    cues: (u32, u32), // its cue roles (indices into `Classifier::cues`), in `roles`
}

struct Language {
    automaton: AhoCorasick,
    key_first: Vec<u32>, // per key, where its entries start in `entries` (and one past the last)
    entries: Vec<Entry>,
    spellings: Vec<u32>,
    tags: Vec<u32>,
    roles: Vec<u32>,
}

impl Language {
    #[inline]
    fn entries(&self, key: usize) -> &[Entry] {
        &self.entries[self.key_first[key] as usize..self.key_first[key + 1] as usize]
    }

    #[inline]
    fn cues(&self, entry: &Entry) -> &[u32] {
        let (first, len) = entry.cues;
        &self.roles[first as usize..(first + len) as usize]
    }
}

fn push_range(flat: &mut Vec<u32>, items: &[u32]) -> (u32, u32) {
    let first = flat.len() as u32;
    flat.extend_from_slice(items);
    (first, items.len() as u32)
}

struct Cue {
    topic: usize,
    key: usize, // tells repeats of one cue apart, unique across topics
    weight: f64,
    sense: usize, // sense index + 1; 0: no sense
    open_left: bool,
    open_right: bool,
    pattern: Py<PyString>, // as written in the taxonomy
}

struct Context {
    cancel: bool,
    senses: Vec<usize>,
    weight: f64,
    min_strength: f64,
}

struct Topic {
    senses: usize,
    star: Option<usize>, // the sense "*" that governs every cue of the topic
    contexts: Vec<Context>,
    first_slot: usize,
    threshold: f64,
    id: Py<PyString>,
    iptc: Py<PyString>,
    cameo: Py<PyString>,
    unscored: Py<PyAny>, // its TopicScore when nothing counted
}

struct Scoring {
    saturation: f64,
    headline_weight: f64,
    lead_weight: f64,
    body_weight: f64,
    body_decay: f64,
    body_floor: f64,
    repeat_decay: f64,
    length_ref: f64,
    length_exponent: f64,
    unconfirmed: f64,
    primary_headline: f64,
    secondary_discount: f64,
    evidence_cap: usize,
    evidence_cap_unlabelled: usize,
}

impl Scoring {
    /// From streams.classify.Scoring, field by field (by name: no order to keep in step).
    fn from_object(scoring: &Bound<'_, PyAny>) -> PyResult<Self> {
        let f = |name: &str| -> PyResult<f64> { scoring.getattr(name)?.extract() };
        let n = |name: &str| -> PyResult<usize> { scoring.getattr(name)?.extract() };
        Ok(Scoring {
            saturation: f("saturation")?,
            headline_weight: f("headline_weight")?,
            lead_weight: f("lead_weight")?,
            body_weight: f("body_weight")?,
            body_decay: f("body_decay")?,
            body_floor: f("body_floor")?,
            repeat_decay: f("repeat_decay")?,
            length_ref: f("length_ref")?,
            length_exponent: f("length_exponent")?,
            unconfirmed: f("unconfirmed")?,
            primary_headline: f("primary_headline")?,
            secondary_discount: f("secondary_discount")?,
            evidence_cap: n("evidence_cap")?,
            evidence_cap_unlabelled: n("evidence_cap_unlabelled")?,
        })
    }
}

/// A frozen slots dataclass and its member descriptors in field order: instances are made with
/// `object.__new__` and filled through the descriptors, as the Python classifier did (the frozen
/// `__init__` goes through `object.__setattr__` per field, several times slower).
struct Record {
    class: Py<PyType>,
    slots: Vec<Py<PyAny>>,
}

impl Record {
    fn new(
        class: Bound<'_, PyType>,
        slots: Vec<Bound<'_, PyAny>>,
        fields: usize,
    ) -> PyResult<Self> {
        if slots.len() != fields {
            return Err(PyValueError::new_err("wrong number of slot descriptors"));
        }
        for slot in &slots {
            // SAFETY: reading the type slot of a live object
            let settable = unsafe { (*ffi::Py_TYPE(slot.as_ptr())).tp_descr_set.is_some() };
            if !settable {
                return Err(PyTypeError::new_err("a slot descriptor cannot be set"));
            }
        }
        Ok(Record {
            class: class.unbind(),
            slots: slots.into_iter().map(Bound::unbind).collect(),
        })
    }

    fn make<'py>(
        &self,
        py: Python<'py>,
        values: &[&Bound<'py, PyAny>],
    ) -> PyResult<Bound<'py, PyAny>> {
        debug_assert_eq!(values.len(), self.slots.len());
        // SAFETY: the class is a type object (checked on extraction); PyType_GenericNew returns a new
        // reference or NULL with an exception set; each slot's tp_descr_set was checked to exist
        unsafe {
            let empty = PyTuple::empty(py);
            let raw = ffi::PyType_GenericNew(
                self.class.as_ptr().cast(),
                empty.as_ptr(),
                std::ptr::null_mut(),
            );
            let object = Bound::from_owned_ptr_or_err(py, raw)?;
            for (slot, value) in self.slots.iter().zip(values) {
                let set = (*ffi::Py_TYPE(slot.as_ptr()))
                    .tp_descr_set
                    .expect("checked in Record::new");
                if set(slot.as_ptr(), object.as_ptr(), value.as_ptr()) != 0 {
                    return Err(PyErr::fetch(py));
                }
            }
            Ok(object)
        }
    }
}

type PatternSpec = (String, bool, bool, Vec<u32>, Vec<u32>, bool);
type CueSpec = (usize, usize, f64, usize, Py<PyString>, bool, bool);
type ContextSpec = (bool, Vec<usize>, f64, f64);
type TopicSpec = (
    usize,
    Option<usize>,
    Vec<ContextSpec>,
    usize,
    f64,
    Py<PyString>,
    Py<PyString>,
    Py<PyString>,
    Py<PyAny>,
);

/// A cue or blocker found: (start, end, pattern number, the entry).
type Ranked<'t> = (usize, usize, u32, &'t Entry);

/// What one pass over an item found.
struct Found<'t> {
    slots: Vec<usize>, // per distinct context pattern found, the context it counts for
    ranked: Vec<Ranked<'t>>,
    canonical: Vec<u8>,
    language: &'t Language,
}

/// The search alone: context slots found, and (start, end, pattern number) per cue or blocker.
type Searched = (Vec<usize>, Vec<(usize, usize, u32)>);

/// Per topic, what explain() reports: evidence total, primary, context strengths, sense factors.
type Explained = (f64, bool, Vec<(usize, f64)>, Vec<f64>);

/// The taxonomy compiled for scoring items (built once by streams.classify).
#[pyclass(frozen, module = "streams._native")]
pub struct Classifier {
    chars: Arc<Chars>,
    languages: Vec<Language>,
    context_slots: Vec<usize>, // per context pattern: the context it counts for
    contexts: usize,           // contexts of all topics
    cues: Vec<Cue>,
    keys: usize, // distinct cue keys
    topics: Vec<Topic>,
    scoring: Scoring,
    score_record: Record,
    evidence_record: Record,
}

fn build_language(chars: &Chars, patterns: Vec<PatternSpec>) -> PyResult<Language> {
    let mut index: HashMap<Vec<u8>, usize> = HashMap::new();
    let mut keys: Vec<Vec<u8>> = Vec::new();
    let mut by_key: Vec<Vec<Entry>> = Vec::new();
    let (mut spellings, mut all_tags, mut roles) = (Vec::new(), Vec::new(), Vec::new());
    for (number, (spelling, open_left, open_right, tags, cues, blocker)) in
        patterns.into_iter().enumerate()
    {
        let spelling: Vec<u32> = spelling.chars().map(u32::from).collect();
        if spelling.is_empty() {
            return Err(PyValueError::new_err("empty pattern"));
        }
        let (left, right) = (usize::from(!open_left), usize::from(!open_right));
        let mut key = Vec::with_capacity(spelling.len() + 2);
        key.extend(std::iter::repeat_n(SPACE, left));
        key.extend(spelling.iter().map(|&c| chars.canon(c)));
        key.extend(std::iter::repeat_n(SPACE, right));
        // a canonical byte that is the folded character itself proves the match; a space or ª
        // stands for many characters, so such a spelling is compared with the text
        let plain = spelling.iter().all(|&c| {
            c < 256
                && c != SPACE as u32
                && c != WIDE_ALNUM as u32
                && chars.canon1[c as usize] as u32 == c
        });
        let entry = Entry {
            left: left as u8,
            right: right as u8,
            blocker,
            number: number as u32,
            exact: if plain {
                (0, 0)
            } else {
                push_range(&mut spellings, &spelling)
            },
            tags: push_range(&mut all_tags, &tags),
            cues: push_range(&mut roles, &cues),
        };
        let k = *index.entry(key.clone()).or_insert_with(|| {
            keys.push(key);
            by_key.push(Vec::new());
            keys.len() - 1
        });
        by_key[k].push(entry);
    }
    let mut key_first = vec![0u32];
    let mut entries = Vec::new();
    for group in by_key {
        entries.extend(group);
        key_first.push(entries.len() as u32);
    }
    let automaton = AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        .kind(Some(AhoCorasickKind::ContiguousNFA))
        .build(&keys)
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(Language {
        automaton,
        key_first,
        entries,
        spellings,
        tags: all_tags,
        roles,
    })
}

impl Classifier {
    fn layout<'a>(
        &self,
        headline: &'a Bound<'_, PyString>,
        paragraphs: &'a [Bound<'_, PyString>],
    ) -> PyResult<Layout<'a>> {
        let units_of = paragraphs
            .iter()
            .map(|p| units(p))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(Layout::new(units(headline)?, units_of))
    }

    /// One pass over the text: the contexts found and the cues and blockers in text order (by start,
    /// the longer first, then by pattern number).
    fn search<'t>(&'t self, language: usize, layout: &Layout<'_>) -> PyResult<Found<'t>> {
        let language = self
            .languages
            .get(language)
            .ok_or_else(|| PyValueError::new_err("unknown language index"))?;
        let canonical = layout.canonical(&self.chars);
        let mut seen = vec![0u64; self.context_slots.len().div_ceil(64)];
        let mut slots = Vec::new();
        let mut ranked: Vec<Ranked<'t>> = Vec::new();
        for hit in language.automaton.find_overlapping_iter(&canonical) {
            for entry in language.entries(hit.pattern().as_usize()) {
                let first = hit.start() + entry.left as usize;
                let last = hit.end() - entry.right as usize;
                if !layout.in_one_field(first, last) {
                    continue;
                }
                let (at, len) = entry.exact;
                let spelling = &language.spellings[at as usize..(at + len) as usize];
                if !spelling.is_empty() && !layout.folded_equals(&self.chars, first, spelling) {
                    continue;
                }
                let (at, len) = entry.tags;
                for &tag in &language.tags[at as usize..(at + len) as usize] {
                    let (word, bit) = (tag as usize >> 6, 1u64 << (tag & 63));
                    if seen[word] & bit == 0 {
                        seen[word] |= bit;
                        slots.push(self.context_slots[tag as usize]);
                    }
                }
                if entry.cues.1 > 0 || entry.blocker {
                    ranked.push((first, last, entry.number, entry));
                }
            }
        }
        ranked.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
        Ok(Found {
            slots,
            ranked,
            canonical,
            language,
        })
    }

    /// Per sense: 1.0 when only confirmed, 0.0 when only cancelled, the confirming share when both,
    /// else `unconfirmed`; the sense "*" defaults to 1.0. Also the strength of each context found.
    fn sense_factors(&self, topic: &Topic, counts: &[u32]) -> (Vec<f64>, Vec<(usize, f64)>) {
        let mut confirm = vec![0.0f64; topic.senses];
        let mut cancel = vec![0.0f64; topic.senses];
        let mut strengths = Vec::new();
        for (i, context) in topic.contexts.iter().enumerate() {
            let count = counts[topic.first_slot + i];
            if count == 0 {
                continue;
            }
            let strength = context.weight * count as f64;
            strengths.push((i, strength));
            if strength < context.min_strength {
                continue;
            }
            let target = if context.cancel {
                &mut cancel
            } else {
                &mut confirm
            };
            for &sense in &context.senses {
                if strength > target[sense] {
                    target[sense] = strength;
                }
            }
        }
        let factors = (0..topic.senses)
            .map(|sense| {
                let (confirmed, cancelled) = (confirm[sense], cancel[sense]);
                if cancelled != 0.0 && confirmed != 0.0 {
                    confirmed / (confirmed + cancelled)
                } else if cancelled != 0.0 {
                    0.0
                } else if confirmed != 0.0 || topic.star == Some(sense) {
                    1.0
                } else {
                    self.scoring.unconfirmed
                }
            })
            .collect();
        (factors, strengths)
    }

    /// What a cue of the topic counts for, by sense + 1: the star sense's factor (1.0 without one)
    /// for cues without a sense, times the sense's own factor for the others.
    fn factor_table(&self, topic: &Topic, counts: &[u32]) -> Vec<f64> {
        let factors = self.sense_factors(topic, counts).0;
        let every = topic.star.map_or(1.0, |star| factors[star]);
        std::iter::once(every)
            .chain(factors.iter().map(|f| every * f))
            .collect()
    }

    /// Per paragraph, its positional weight and whether it is a subhead: the lead and subheads weigh
    /// like a lead, a subhead opens a new section, so the decay restarts there.
    fn paragraph_weights(&self, is_subhead: &[bool]) -> (Vec<f64>, Vec<bool>) {
        let s = &self.scoring;
        let lead_index = is_subhead.iter().position(|&h| !h).unwrap_or(0);
        let mut anchor = lead_index;
        let mut weights = Vec::with_capacity(is_subhead.len());
        let mut headings = Vec::with_capacity(is_subhead.len());
        for (i, &subhead) in is_subhead.iter().enumerate() {
            let heading = i > lead_index && subhead;
            headings.push(heading);
            if heading {
                anchor = i;
            }
            if i <= lead_index || heading {
                weights.push(s.lead_weight);
            } else {
                let decayed = s.body_weight / (1.0 + s.body_decay * (i - anchor - 1) as f64);
                weights.push(if decayed > s.body_floor {
                    decayed
                } else {
                    s.body_floor
                });
            }
        }
        (weights, headings)
    }

    fn score<'py>(
        &self,
        py: Python<'py>,
        language: usize,
        headline: &Bound<'py, PyString>,
        paragraphs: &Bound<'py, PyAny>,
        subheads: &Bound<'py, PyAny>,
        explained: bool,
    ) -> PyResult<(Bound<'py, PyTuple>, Vec<Explained>)> {
        let s = &self.scoring;
        let paragraphs = strings(paragraphs)?;
        let layout = self.layout(headline, &paragraphs)?;
        let found = self.search(language, &layout)?;
        let base = layout.base;
        let n = self.topics.len();

        let subheads = strings(subheads)?;
        let (para_weight, is_subhead) = if subheads.is_empty() {
            self.paragraph_weights(&vec![false; layout.paragraphs.len()])
        } else {
            let heads = subheads
                .iter()
                .map(|h| units(h))
                .collect::<PyResult<Vec<_>>>()?;
            let layout_flags: Vec<bool> = layout
                .paragraphs
                .iter()
                .map(|p| heads.iter().any(|h| h.same(p)))
                .collect();
            self.paragraph_weights(&layout_flags)
        };
        let body_len = layout.body_len as f64;
        let length_factor = if body_len > s.length_ref {
            (s.length_ref / body_len).powf(s.length_exponent)
        } else {
            1.0
        };

        // per context (numbered across topics): the distinct patterns of it found
        let mut counts = vec![0u32; self.contexts];
        for &slot in &found.slots {
            counts[slot] += 1;
        }

        // cues in text order: per topic the first of overlapping cues (the longest at one start),
        // none that starts inside a blocker found before it
        let mut blocked_until = 0usize;
        let any_blocker = found.ranked.iter().any(|r| r.3.blocker);
        let mut factor_tables: Vec<Option<Vec<f64>>> = vec![None; n];
        let mut totals = vec![0.0f64; n];
        let mut headline_totals = vec![0.0f64; n];
        let mut raw_evidence: Vec<Vec<(f64, usize, usize, usize)>> = vec![Vec::new(); n];
        let mut seen_count = vec![0u32; self.keys];
        let mut last_end = vec![0usize; n];
        let mut paragraph_end = base;
        let mut position_weight = 0.0f64;
        let mut heading = false;
        for &(start, end, _, entry) in &found.ranked {
            if any_blocker {
                if entry.blocker && end > blocked_until {
                    blocked_until = end;
                }
                if entry.cues.1 == 0 || start < blocked_until {
                    continue;
                }
            }
            for &role in found.language.cues(entry) {
                let cue = &self.cues[role as usize];
                let owner = cue.topic;
                if start < last_end[owner] {
                    continue;
                }
                last_end[owner] = end;
                let table = factor_tables[owner]
                    .get_or_insert_with(|| self.factor_table(&self.topics[owner], &counts));
                let factor = table[cue.sense];
                let repeats = seen_count[cue.key];
                seen_count[cue.key] = repeats + 1;
                if factor <= 0.0 {
                    continue;
                }
                let mut contribution;
                if start < base {
                    contribution = cue.weight * s.headline_weight * factor;
                    if repeats > 0 {
                        contribution *= s.repeat_decay.powf(repeats as f64);
                    }
                    headline_totals[owner] += contribution;
                } else {
                    if start >= paragraph_end {
                        let index = layout.paragraph(start);
                        paragraph_end = layout.starts[index + 1];
                        position_weight = para_weight[index];
                        heading = is_subhead[index];
                    }
                    contribution = cue.weight * position_weight * length_factor * factor;
                    if repeats > 0 {
                        contribution *= s.repeat_decay.powf(repeats as f64);
                    }
                    if heading {
                        headline_totals[owner] += contribution;
                    }
                }
                totals[owner] += contribution;
                raw_evidence[owner].push((contribution, start, end, role as usize));
            }
        }

        // a topic the headline is clearly about makes the others secondary: their evidence is
        // discounted, less so the more of it stands in the headline or a subhead
        let primary: Vec<bool> = headline_totals
            .iter()
            .map(|&h| h >= s.primary_headline)
            .collect();
        let any_primary = primary.iter().any(|&p| p);
        let headline_field = intern!(py, "headline");
        let body_field = intern!(py, "body");
        let canonical = &found.canonical;
        let mut scores: Vec<Bound<'py, PyAny>> = Vec::with_capacity(n);
        let mut explanations = Vec::new();
        for (ti, (topic, mut found_here)) in self.topics.iter().zip(raw_evidence).enumerate() {
            let mut total = totals[ti];
            if found_here.is_empty() {
                scores.push(topic.unscored.bind(py).clone());
            } else {
                if any_primary && !primary[ti] {
                    let share = headline_totals[ti] / s.primary_headline;
                    total *= s.secondary_discount + (1.0 - s.secondary_discount) * share;
                }
                let score = 1.0 - (-s.saturation * total).exp();
                let labelled = score >= topic.threshold;
                // strongest first, then by start (unique within a topic)
                found_here.sort_unstable_by(|a, b| {
                    b.0.partial_cmp(&a.0)
                        .unwrap_or(Ordering::Equal)
                        .then(a.1.cmp(&b.1))
                });
                let cap = if labelled {
                    s.evidence_cap
                } else {
                    s.evidence_cap_unlabelled
                };
                let mut evidence = Vec::with_capacity(cap.min(found_here.len()));
                for &(contribution, start, end, role) in found_here.iter().take(cap) {
                    let cue = &self.cues[role];
                    let (field, shift) = if start < base {
                        (headline_field, 1)
                    } else {
                        (body_field, base)
                    };
                    // open-edged cues report the whole word: it ends at a space of the canonical text
                    let first = if cue.open_left {
                        canonical[..start]
                            .iter()
                            .rposition(|&b| b == SPACE)
                            .map_or(0, |i| i + 1)
                    } else {
                        start
                    };
                    let last = if cue.open_right {
                        canonical[end..]
                            .iter()
                            .position(|&b| b == SPACE)
                            .map_or(canonical.len(), |i| end + i)
                    } else {
                        end
                    };
                    let weight = (contribution * 1000.0 + 0.5).trunc() / 1000.0; // to 3 decimals
                    evidence.push(self.evidence_record.make(
                        py,
                        &[
                            cue.pattern.bind(py).as_any(),
                            field.as_any(),
                            &(first - shift).into_pyobject(py)?.into_any(),
                            &(last - shift).into_pyobject(py)?.into_any(),
                            PyFloat::new(py, weight).as_any(),
                        ],
                    )?);
                }
                scores.push(self.score_record.make(
                    py,
                    &[
                        topic.id.bind(py).as_any(),
                        PyFloat::new(py, score).as_any(),
                        &PyBool::new(py, labelled).to_owned().into_any(),
                        PyTuple::new(py, evidence)?.as_any(),
                        topic.iptc.bind(py).as_any(),
                        topic.cameo.bind(py).as_any(),
                    ],
                )?);
            }
            if explained {
                let (factors, strengths) = self.sense_factors(topic, &counts);
                explanations.push((total, primary[ti], strengths, factors));
            }
        }
        Ok((PyTuple::new(py, scores)?, explanations))
    }
}

#[pymethods]
impl Classifier {
    /// Built by streams.classify._compile from the validated taxonomy: per language ("de", "en",
    /// "any") its patterns (folded spelling, open left, open right, context patterns, cue roles,
    /// blocker), the cue roles, per context pattern its context, the topics and the scoring.
    #[new]
    #[allow(clippy::too_many_arguments)]
    fn new(
        chars: &CharTable,
        languages: Vec<Vec<PatternSpec>>,
        cues: Vec<CueSpec>,
        context_slots: Vec<usize>,
        topics: Vec<TopicSpec>,
        scoring: &Bound<'_, PyAny>,
        score_type: (Bound<'_, PyType>, Vec<Bound<'_, PyAny>>),
        evidence_type: (Bound<'_, PyType>, Vec<Bound<'_, PyAny>>),
    ) -> PyResult<Self> {
        let chars = Arc::clone(&chars.chars);
        let tags = context_slots.len();
        let roles = cues.len();
        let languages = languages
            .into_iter()
            .map(|patterns| {
                for (_, _, _, t, c, _) in &patterns {
                    if t.iter().any(|&t| t as usize >= tags)
                        || c.iter().any(|&c| c as usize >= roles)
                    {
                        return Err(PyValueError::new_err(
                            "pattern refers to an unknown context or cue",
                        ));
                    }
                }
                build_language(&chars, patterns)
            })
            .collect::<PyResult<Vec<_>>>()?;
        let topics: Vec<Topic> = topics
            .into_iter()
            .map(
                |(senses, star, contexts, first_slot, threshold, id, iptc, cameo, unscored)| {
                    Topic {
                        senses,
                        star,
                        contexts: contexts
                            .into_iter()
                            .map(|(cancel, senses, weight, min_strength)| Context {
                                cancel,
                                senses,
                                weight,
                                min_strength,
                            })
                            .collect(),
                        first_slot,
                        threshold,
                        id,
                        iptc,
                        cameo,
                        unscored,
                    }
                },
            )
            .collect();
        let contexts = topics
            .iter()
            .map(|t| t.first_slot + t.contexts.len())
            .max()
            .unwrap_or(0);
        for topic in &topics {
            let bad_sense = topic
                .contexts
                .iter()
                .any(|c| c.senses.iter().any(|&s| s >= topic.senses));
            if bad_sense || topic.star.is_some_and(|s| s >= topic.senses) {
                return Err(PyValueError::new_err("context refers to an unknown sense"));
            }
        }
        if context_slots.iter().any(|&slot| slot >= contexts) {
            return Err(PyValueError::new_err(
                "context pattern refers to an unknown context",
            ));
        }
        let cues: Vec<Cue> = cues
            .into_iter()
            .map(
                |(topic, key, weight, sense, pattern, open_left, open_right)| Cue {
                    topic,
                    key,
                    weight,
                    sense,
                    open_left,
                    open_right,
                    pattern,
                },
            )
            .collect();
        for cue in &cues {
            if cue.topic >= topics.len() || cue.sense > topics[cue.topic].senses {
                return Err(PyValueError::new_err(
                    "cue refers to an unknown topic or sense",
                ));
            }
        }
        let keys = cues.iter().map(|c| c.key + 1).max().unwrap_or(0);
        Ok(Classifier {
            chars,
            languages,
            context_slots,
            contexts,
            cues,
            keys,
            topics,
            scoring: Scoring::from_object(scoring)?,
            score_record: Record::new(score_type.0, score_type.1, 6)?,
            evidence_record: Record::new(evidence_type.0, evidence_type.1, 5)?,
        })
    }

    /// One TopicScore per topic, in taxonomy order.
    fn classify<'py>(
        &self,
        py: Python<'py>,
        language: usize,
        headline: &Bound<'py, PyString>,
        paragraphs: &Bound<'py, PyAny>,
        subheads: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        Ok(self
            .score(py, language, headline, paragraphs, subheads, false)?
            .0)
    }

    /// Per topic: its evidence total after the secondary discount, whether it is primary, the
    /// strength of each context found (by context index) and the factor of each sense.
    fn explain<'py>(
        &self,
        py: Python<'py>,
        language: usize,
        headline: &Bound<'py, PyString>,
        paragraphs: &Bound<'py, PyAny>,
        subheads: &Bound<'py, PyAny>,
    ) -> PyResult<Vec<Explained>> {
        Ok(self
            .score(py, language, headline, paragraphs, subheads, true)?
            .1)
    }

    /// The search alone (for tests): the contexts found, one per distinct context pattern
    /// (unordered), and every cue or blocker as (start, end, pattern number) in text order.
    fn find(
        &self,
        language: usize,
        headline: &Bound<'_, PyString>,
        paragraphs: &Bound<'_, PyAny>,
    ) -> PyResult<Searched> {
        let paragraphs = strings(paragraphs)?;
        let layout = self.layout(headline, &paragraphs)?;
        let found = self.search(language, &layout)?;
        Ok((
            found.slots,
            found
                .ranked
                .iter()
                .map(|&(s, e, number, _)| (s, e, number))
                .collect(),
        ))
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<CharTable>()?;
    m.add_class::<Classifier>()?;
    Ok(())
}
