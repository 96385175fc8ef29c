//! Entity extraction's per-item work (streams/entities/extract.py hands every item here).
//!
//! The KB is loaded and validated in Python and handed over once as plain tables (``Extractor``):
//! the automaton with its patterns, per payload what it means (kind, entities, cue kinds), per entity
//! its type, name and context words, and the lexicon's word lists. ``find_spans`` then does a whole
//! item: one automaton pass per field with the edge tests of the raw hits, the discovery rules, the
//! choice among overlapping candidates, shared aliases and surnames. Python builds the result objects
//! from the tuples it returns.
mod matcher;
mod rules;
mod text;
mod uni;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString, PyTuple};
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

pub use matcher::KeyMatcher;

/// FxHash: the word sets hold short keys, and SipHash would cost more than the lookups' other work.
#[derive(Default)]
pub struct Fx(u64);

impl Hasher for Fx {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word))
                .wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.0 = (self.0.rotate_left(5) ^ i as u64).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.0 = (self.0.rotate_left(5) ^ i as u64).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

pub type FxBuild = BuildHasherDefault<Fx>;
pub type Words = HashSet<String, FxBuild>;
pub type Map<K, V> = HashMap<K, V, FxBuild>;
pub type Set<K> = HashSet<K, FxBuild>;

// alias kinds (streams/entities/kb.py)
pub const CUE: u8 = 0;
pub const NAME: u8 = 1;
pub const FIRSTNAME: u8 = 2;
pub const SHAPE: u8 = 3;
pub const TOPONYM: u8 = 4;
pub const WEAK: u8 = 5;
pub const LEXSURNAME: u8 = 6;
pub const SURNAME: u8 = 7;
const KINDS: [&str; 8] = [
    "cue",
    "name",
    "firstname",
    "shape",
    "toponym",
    "weak",
    "lexsurname",
    "surname",
];

// cue kinds in the automaton, shape groups and toponym strengths share the `cue` code space
pub const CUES: [&str; 20] = [
    "speech",
    "title",
    "org-suffix",
    "org-head",
    "org-compound",
    "club",
    "place-suffix",
    "org-type",
    "street-suffix",
    "street",
    "local-org",
    "place-prefix",
    "place-head",
    "prep-word",
    "prep-line",
    "dateline",
    "road-a",
    "road-b",
    "strong",
    "weak",
];
pub const C_SPEECH: u8 = 0;
pub const C_TITLE: u8 = 1;
pub const C_ORG_SUFFIX: u8 = 2;
pub const C_ORG_HEAD: u8 = 3;
pub const C_ORG_COMPOUND: u8 = 4;
pub const C_CLUB: u8 = 5;
pub const C_PLACE_SUFFIX: u8 = 6;
pub const C_ORG_TYPE: u8 = 7;
pub const C_STREET_SUFFIX: u8 = 8;
pub const C_STREET: u8 = 9;
pub const C_LOCAL_ORG: u8 = 10;
pub const C_PLACE_PREFIX: u8 = 11;
pub const C_PLACE_HEAD: u8 = 12;
pub const C_PREP_WORD: u8 = 13; // the shape groups follow in Scan.shape_starts order
pub const C_STRONG: u8 = 18;
const NO_CUE: u8 = u8::MAX;

// entity types
pub const PERSON: u8 = 0;
pub const ORGANISATION: u8 = 1;
pub const PLACE: u8 = 2;
const TYPES: [&str; 4] = ["person", "organisation", "place", "weapon"];

// candidate ranks: lower wins when two candidates cover the same span
pub const RANK_KB: u8 = 0;
pub const RANK_SURNAME: u8 = 1;
pub const RANK_RULE: u8 = 2;
pub const RANK_GAZ: u8 = 3;
pub const RANK_GIVEN: u8 = 4;
pub const RANK_GUESS: u8 = 5;
pub const RANK_WEAK: u8 = 6;
const RANK_DROPPED: u8 = 99;

// rules, as named in Span.rule
const RULES: [&str; 22] = [
    "",
    "gazetteer",
    "title",
    "first-name",
    "lone-given",
    "bare-surname",
    "party-tag",
    "speech",
    "org-suffix",
    "org-head",
    "club",
    "org-type",
    "prep-place",
    "place-head",
    "district",
    "road",
    "dateline",
    "street",
    "place-adjective",
    "acronym",
    "suffix",
    "surname",
];
pub const R_NONE: u8 = 0;
pub const R_GAZETTEER: u8 = 1;
pub const R_TITLE: u8 = 2;
pub const R_FIRST_NAME: u8 = 3;
pub const R_LONE_GIVEN: u8 = 4;
pub const R_BARE_SURNAME: u8 = 5;
pub const R_PARTY_TAG: u8 = 6;
pub const R_SPEECH: u8 = 7;
pub const R_ORG_SUFFIX: u8 = 8;
pub const R_ORG_HEAD: u8 = 9;
pub const R_CLUB: u8 = 10;
pub const R_ORG_TYPE: u8 = 11;
pub const R_PREP_PLACE: u8 = 12;
pub const R_PLACE_HEAD: u8 = 13;
pub const R_DISTRICT: u8 = 14;
pub const R_ROAD: u8 = 15;
pub const R_DATELINE: u8 = 16;
pub const R_STREET: u8 = 17;
pub const R_PLACE_ADJECTIVE: u8 = 18;
pub const R_ACRONYM: u8 = 19;
pub const R_SUFFIX: u8 = 20;
pub const R_SURNAME: u8 = 21;

/// What one payload of the automaton means (kb.Alias).
pub struct Alias {
    pub kind: u8,
    pub targets: Vec<u32>,
    pub cue: u8,
    pub more_cues: Vec<u8>,
    pub alone: bool,
    pub shared: bool,
}

/// A candidate or chosen mention (extract.Span); `entity` None for a discovered name, whose name
/// is `name`; a KB mention's name and type are its entity's.
#[derive(Clone)]
pub struct Cand {
    pub field: u8,
    pub start: usize,
    pub end: usize,
    pub etype: u8,
    pub entity: Option<u32>,
    pub name: String,
    pub rank: u8,
    pub weak: bool,
    pub rule: u8,
    pub alias: Option<u32>, // targets: the alias's entities; none for discovered names
}

/// The lexicon's word lists (kb.Lexicon) and the KB's party names.
pub struct Lexicon {
    pub first: Words,
    pub common: Words,
    pub english: Words,
    pub stop: Words,
    pub particles: Words,
    pub preps: Words,
    pub districts: Words,
    pub road_context: Words,
    pub acronym_stop: Words,
    pub place_prefixes: Words,
    pub toponyms: Words,
    pub strong_places: Words,
    pub parties: Words,
    pub org_types: Vec<String>,
}

/// The compiled KB for ``find_spans``; built once when the KB is loaded (kb.load_kb).
#[pyclass(frozen, module = "streams._native")]
pub struct Extractor {
    matcher: Py<KeyMatcher>,
    pub aliases: Vec<Alias>,
    alias_targets: Vec<Py<PyTuple>>,
    pub entity_types: Vec<u8>,
    entity_names: Vec<Py<PyString>>,
    entity_context: Vec<Vec<String>>,
    pub lex: Lexicon,
    fields: [Py<PyString>; 2],
    types: Vec<Py<PyString>>,
    rules: Vec<Py<PyString>>,
    empty: Py<PyTuple>,
}

fn code(names: &[&str], name: &str, what: &str) -> PyResult<u8> {
    names
        .iter()
        .position(|n| *n == name)
        .map(|p| p as u8)
        .ok_or_else(|| PyValueError::new_err(format!("unknown {what} {name:?}")))
}

fn words(list: Vec<String>) -> Words {
    list.into_iter().collect()
}

impl Extractor {
    pub fn matcher(&self) -> &KeyMatcher {
        self.matcher.get()
    }

    /// kb.lookup: the entity a whole string names (a NAME or SURNAME key that is the whole string).
    pub fn lookup(&self, text: &str) -> Option<u32> {
        let matcher = self.matcher();
        let key = *matcher.keys.get(text)?;
        matcher.patterns[key as usize].iter().find_map(|p| {
            let alias = &self.aliases[p.payload as usize];
            (alias.kind == NAME || alias.kind == SURNAME).then(|| alias.targets[0])
        })
    }
}

/// The chosen mentions of an item; a field is "headline" (0) or "body" (1).
type Item = Vec<Cand>;

#[pymethods]
impl Extractor {
    /// ``aliases``: per payload index of ``matcher`` (kind, entity indices, cue, more cues, alone,
    /// shared); ``entities``: per KB entity (type, name, context words); ``lexicon``: the word lists
    /// by name, ``org_types`` in order.
    #[new]
    #[allow(clippy::type_complexity)]
    fn new(
        py: Python<'_>,
        matcher: Py<KeyMatcher>,
        aliases: Vec<(String, Vec<u32>, String, Vec<String>, bool, bool)>,
        entities: Vec<(String, Py<PyString>, Vec<String>)>,
        lexicon: HashMap<String, Vec<String>>,
        org_types: Vec<String>,
    ) -> PyResult<Self> {
        let mut compiled = Vec::with_capacity(aliases.len());
        let mut alias_targets = Vec::with_capacity(aliases.len());
        for (kind, targets, cue, more, alone, shared) in aliases {
            let kind = code(&KINDS, &kind, "alias kind")?;
            let needs_cue = matches!(kind, CUE | SHAPE | TOPONYM);
            let cue = if needs_cue {
                code(&CUES, &cue, "cue")?
            } else {
                NO_CUE
            };
            let more_cues = more
                .iter()
                .map(|m| code(&CUES, m, "cue"))
                .collect::<PyResult<Vec<u8>>>()?;
            if matches!(kind, NAME | WEAK | SURNAME) && targets.is_empty() {
                return Err(PyValueError::new_err("a name without an entity"));
            }
            if targets.iter().any(|&t| t as usize >= entities.len()) {
                return Err(PyValueError::new_err("an alias of an unknown entity"));
            }
            alias_targets.push(PyTuple::new(py, &targets)?.unbind());
            compiled.push(Alias {
                kind,
                targets,
                cue,
                more_cues,
                alone,
                shared,
            });
        }
        let mut entity_types = Vec::with_capacity(entities.len());
        let mut entity_names = Vec::with_capacity(entities.len());
        let mut entity_context = Vec::with_capacity(entities.len());
        for (etype, name, context) in entities {
            entity_types.push(code(&TYPES, &etype, "entity type")?);
            entity_names.push(name);
            entity_context.push(context);
        }
        let mut lexicon = lexicon;
        let mut take = |name: &str| words(lexicon.remove(name).unwrap_or_default());
        let lex = Lexicon {
            first: take("first"),
            common: take("common"),
            english: take("english"),
            stop: take("stop"),
            particles: take("particle"),
            preps: take("place-prep"),
            districts: take("district"),
            road_context: take("road-context"),
            acronym_stop: take("acronym-stop"),
            place_prefixes: take("place-prefixes"),
            toponyms: take("toponyms"),
            strong_places: take("strong-places"),
            parties: take("parties"),
            org_types,
        };
        if let Some(name) = lexicon.keys().next() {
            return Err(PyValueError::new_err(format!("unknown word list {name:?}")));
        }
        let intern = |s: &str| PyString::intern(py, s).unbind();
        Ok(Extractor {
            matcher,
            aliases: compiled,
            alias_targets,
            entity_types,
            entity_names,
            entity_context,
            lex,
            fields: [intern("headline"), intern("body")],
            types: TYPES.iter().map(|s| intern(s)).collect(),
            rules: RULES.iter().map(|s| intern(s)).collect(),
            empty: PyTuple::empty(py).unbind(),
        })
    }

    /// Every chosen mention in headline and body, as the fields of extract.Span in order: (field,
    /// start, end, type, entity, name, rank, weak, rule, targets); headline first, by start.
    fn find_spans<'py>(
        &self,
        py: Python<'py>,
        headline: &str,
        body: &str,
    ) -> PyResult<Bound<'py, PyList>> {
        let spans = self.item(headline, body);
        let list = PyList::empty(py);
        for c in spans {
            let name = match c.entity {
                Some(e) => self.entity_names[e as usize].clone_ref(py).into_any(),
                None => PyString::new(py, &c.name).into_any().unbind(),
            };
            let targets = match c.alias {
                Some(a) => self.alias_targets[a as usize].clone_ref(py),
                None => self.empty.clone_ref(py),
            };
            let tuple = (
                self.fields[c.field as usize].clone_ref(py),
                c.start,
                c.end,
                self.types[c.etype as usize].clone_ref(py),
                c.entity,
                name,
                c.rank,
                c.weak,
                self.rules[c.rule as usize].clone_ref(py),
                targets,
            );
            list.append(tuple)?;
        }
        Ok(list)
    }

    /// The chosen mentions grouped as extract's Entity records will be, in order of first mention
    /// (the dateline's place last if new): (entity, type, name, score, mentions as (text, field,
    /// start, end)). A mention weighs 3 in the headline, 2 in the lead (body offsets ``lead_start``
    /// to ``lead_end``), 1 elsewhere, a weak one 0.35 of that; the dateline (type, entity, name)
    /// adds 2 to its place.
    #[allow(clippy::type_complexity)]
    fn groups<'py>(
        &self,
        py: Python<'py>,
        headline: &str,
        body: &str,
        lead_start: usize,
        lead_end: usize,
        dateline: Option<(String, Option<u32>, String)>,
    ) -> PyResult<Bound<'py, PyList>> {
        let (spans, texts) = self.item_texts(headline, body);
        let mut index: Map<GroupKey, usize> = Map::default();
        let mut groups: Vec<Group> = Vec::new();
        for c in spans {
            let key = match c.entity {
                Some(e) => GroupKey::Kb(e),
                None => GroupKey::Found(c.etype, c.name.clone()),
            };
            let at = *index.entry(key).or_insert_with(|| {
                groups.push(Group {
                    etype: c.etype,
                    entity: c.entity,
                    name: c.name.clone(),
                    score: 0.0,
                    mentions: vec![],
                });
                groups.len() - 1
            });
            let weight = if c.field == 0 {
                3.0
            } else if lead_start <= c.start && c.start < lead_end {
                2.0
            } else {
                1.0
            };
            let group = &mut groups[at];
            group.score += if c.weak { weight * 0.35 } else { weight };
            group.mentions.push((c.field, c.start, c.end));
        }
        if let Some((etype, entity, name)) = dateline {
            let etype = code(&TYPES, &etype, "entity type")?;
            let key = match entity {
                Some(e) => GroupKey::Kb(e),
                None => GroupKey::Found(etype, name.clone()),
            };
            let at = *index.entry(key).or_insert_with(|| {
                groups.push(Group {
                    etype,
                    entity,
                    name,
                    score: 0.0,
                    mentions: vec![],
                });
                groups.len() - 1
            });
            groups[at].score += 2.0;
        }
        let list = PyList::empty(py);
        let mut buf = String::new();
        for g in groups {
            let mentions = PyList::empty(py);
            for (field, start, end) in g.mentions {
                buf.clear();
                buf.extend(&texts[field as usize][start..end]);
                mentions.append((
                    PyString::new(py, &buf),
                    self.fields[field as usize].clone_ref(py),
                    start,
                    end,
                ))?;
            }
            let name = match g.entity {
                Some(e) => self.entity_names[e as usize].clone_ref(py).into_any(),
                None => PyString::new(py, &g.name).into_any().unbind(),
            };
            let etype = match g.entity {
                Some(e) => self.entity_types[e as usize],
                None => g.etype,
            };
            list.append((
                g.entity,
                self.types[etype as usize].clone_ref(py),
                name,
                g.score,
                mentions,
            ))?;
        }
        Ok(list)
    }

    /// The index of the entity a whole string names (NAME or SURNAME), or None.
    #[pyo3(name = "lookup")]
    fn py_lookup(&self, text: &str) -> Option<u32> {
        self.lookup(text)
    }

    /// Where the extractor's whole-text patterns match in ``text``, as (start, end, group start, group
    /// end) per pattern: acronyms, prep-word, prep-line, roads A, roads B, datelines after a line break
    /// (for the test that compares them with Python's ``re``).
    fn shape_matches(&self, text: &str) -> Vec<Vec<(usize, usize, usize, usize)>> {
        let t: Vec<char> = text.chars().collect();
        let scan = self.scan(0, &t);
        rules::shape_matches(&t, &scan.shape_starts)
    }
}

/// What groups mentions into one Entity: a KB entity, or the type and name of a discovered one.
#[derive(PartialEq, Eq, Hash)]
enum GroupKey {
    Kb(u32),
    Found(u8, String),
}

struct Group {
    etype: u8,
    entity: Option<u32>,
    name: String,
    score: f64,
    mentions: Vec<(u8, usize, usize)>,
}

impl Extractor {
    fn item(&self, headline: &str, body: &str) -> Item {
        let (spans, _) = self.item_texts(headline, body);
        spans
    }

    /// The chosen mentions, and the fields as code points.
    fn item_texts(&self, headline: &str, body: &str) -> (Vec<Cand>, [Vec<char>; 2]) {
        let texts: [Vec<char>; 2] = [text::chars(headline), text::chars(body)];
        let mut scans: Vec<rules::Scan> = Vec::with_capacity(2);
        for (field, t) in texts.iter().enumerate() {
            scans.push(self.scan(field as u8, t));
        }
        let mut seen_full: Set<u32> = scans[0].person_ids.clone();
        seen_full.extend(scans[1].person_ids.iter().copied());
        let mut context_text: Option<String> = None;
        let mut result: Vec<Cand> = Vec::new();
        for (field, scan) in scans.iter_mut().enumerate() {
            let t = &texts[field];
            let surnames = std::mem::take(&mut scan.surnames);
            for span in surnames {
                if licensed(&span, t, &scan.title_ends, &seen_full) {
                    let shared = self.aliases[span.alias.unwrap() as usize].targets.len() > 1;
                    scan.candidates.push(span);
                    if shared {
                        scan.shared.push(scan.candidates.len() - 1);
                    }
                }
            }
            let mut unresolved = false;
            for &index in &scan.shared {
                let context = context_text.get_or_insert_with(|| format!("{headline}\n{body}"));
                let span = &mut scan.candidates[index];
                match self.resolve_shared(span, context) {
                    None => {
                        span.rank = RANK_DROPPED;
                        unresolved = true;
                    }
                    Some(chosen) => {
                        span.entity = Some(chosen);
                        span.etype = self.entity_types[chosen as usize];
                    }
                }
            }
            let candidates: Vec<Cand> = if unresolved {
                scan.candidates
                    .iter()
                    .filter(|c| c.rank != RANK_DROPPED)
                    .cloned()
                    .collect()
            } else {
                std::mem::take(&mut scan.candidates)
            };
            result.extend(select(candidates));
        }
        propagate_surnames(&mut result, &texts);
        (result, texts)
    }

    /// _resolve_shared: the target whose context words occur most in the item, else the first
    /// without context words.
    fn resolve_shared(&self, span: &Cand, context: &str) -> Option<u32> {
        let mut best = None;
        let mut best_hits = 0;
        let mut default = None;
        for &target in &self.aliases[span.alias.unwrap() as usize].targets {
            let words = &self.entity_context[target as usize];
            if words.is_empty() {
                default.get_or_insert(target);
                continue;
            }
            let hits = words
                .iter()
                .filter(|w| context.contains(w.as_str()))
                .count();
            if hits > best_hits {
                best = Some(target);
                best_hits = hits;
            }
        }
        best.or(default)
    }
}

fn licensed(span: &Cand, t: &[char], title_ends: &Set<usize>, seen_full: &Set<u32>) -> bool {
    if seen_full.contains(&span.entity.unwrap()) {
        return true;
    }
    let mut pos = span.start;
    while pos > 0 && t[pos - 1] == ' ' {
        pos -= 1;
    }
    title_ends.contains(&pos)
}

/// _select: longest span first, then rank, then start, then order of finding; no overlaps; by start.
/// The greedy choice is made separately in each run of overlapping candidates.
pub fn select(candidates: Vec<Cand>) -> Vec<Cand> {
    if candidates.len() < 2 {
        return candidates;
    }
    let order = select_order(
        &candidates
            .iter()
            .map(|c| (c.start, c.end, c.rank))
            .collect::<Vec<_>>(),
    );
    let mut slots: Vec<Option<Cand>> = candidates.into_iter().map(Some).collect();
    order
        .into_iter()
        .map(|i| slots[i].take().unwrap())
        .collect()
}

/// The indices ``select`` keeps, in its output order.
pub fn select_order(spans: &[(usize, usize, u8)]) -> Vec<usize> {
    let mut by_start: Vec<usize> = (0..spans.len()).collect();
    by_start.sort_by_key(|&i| spans[i].0); // stable: equal starts stay in order of finding
    let mut chosen = Vec::with_capacity(spans.len());
    if by_start.is_empty() {
        return chosen;
    }
    let mut run = vec![by_start[0]];
    let (mut last_start, mut run_end) = (spans[by_start[0]].0, spans[by_start[0]].1);
    for &i in &by_start[1..] {
        let (start, end, _) = spans[i];
        if start < run_end || start == last_start {
            run.push(i);
            run_end = run_end.max(end);
        } else {
            choose(&mut run, spans, &mut chosen);
            run.clear();
            run.push(i);
            run_end = end;
        }
        last_start = start;
    }
    choose(&mut run, spans, &mut chosen);
    chosen
}

fn choose(run: &mut [usize], spans: &[(usize, usize, u8)], chosen: &mut Vec<usize>) {
    if run.len() == 1 {
        chosen.push(run[0]);
        return;
    }
    // stable: among equals the one found first wins
    run.sort_by_key(|&i| {
        let (start, end, rank) = spans[i];
        (start as i64 - end as i64, rank, start)
    });
    let mut kept: Vec<usize> = Vec::new();
    for &i in run.iter() {
        let (start, end, _) = spans[i];
        let free = kept.iter().all(|&k| {
            let (other_start, other_end, _) = spans[k];
            start.max(other_start) >= end.min(other_end)
        });
        if free {
            kept.push(i);
        }
    }
    kept.sort_by_key(|&i| spans[i].0);
    chosen.extend(kept);
}

/// _propagate_surnames: a discovered "Jana Beispiel" makes a later bare "Beispiel" (or "Beispiels") hers.
fn propagate_surnames(spans: &mut Vec<Cand>, texts: &[Vec<char>; 2]) {
    let mut surnames: Vec<Vec<char>> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for span in spans.iter() {
        if span.etype == PERSON && span.entity.is_none() && span.name.contains(' ') {
            let surname: Vec<char> = span.name.rsplit(' ').next().unwrap().chars().collect();
            if surname.len() > 2 && uni::is_upper(surname[0]) && !surnames.contains(&surname) {
                surnames.push(surname);
                names.push(span.name.clone());
            }
        }
    }
    if surnames.is_empty() {
        return;
    }
    let mut changed = false;
    for (field, t) in texts.iter().enumerate() {
        let field = field as u8;
        for (start, end, index) in text::surname_mentions(t, &surnames) {
            let mut clash: Vec<usize> = Vec::new();
            let mut blocked = false;
            for (i, s) in spans.iter().enumerate() {
                if s.start < end && start < s.end && s.field == field {
                    if s.rank < RANK_GAZ || s.etype == PERSON {
                        blocked = true;
                        break;
                    }
                    clash.push(i);
                }
            }
            if blocked {
                continue;
            }
            // a gazetteer or guessed reading yields to the person named earlier
            for &i in clash.iter().rev() {
                spans.remove(i);
            }
            spans.push(Cand {
                field,
                start,
                end,
                etype: PERSON,
                entity: None,
                name: names[index].clone(),
                rank: RANK_RULE,
                weak: false,
                rule: R_SURNAME,
                alias: None,
            });
            changed = true;
        }
    }
    if changed {
        spans.sort_by_key(|s| (s.field != 0, s.start)); // stable
    }
}

/// Helpers exposed for the equivalence tests (tests/unit/test_entities_equivalence.py).
#[pyfunction]
fn next_word(text: &str, pos: usize, comma: bool) -> Option<(usize, usize)> {
    let t: Vec<char> = text.chars().collect();
    text::next_word(&t, pos, comma)
}

#[pyfunction]
fn prev_word(text: &str, pos: usize) -> Option<(usize, usize)> {
    let t: Vec<char> = text.chars().collect();
    text::prev_word(&t, pos)
}

/// The indices of (start, end, rank) candidates that the choice among overlapping ones keeps.
#[pyfunction]
fn select_spans(spans: Vec<(usize, usize, u8)>) -> Vec<usize> {
    select_order(&spans)
}

#[pyfunction]
fn surname_mentions(text: &str, surnames: Vec<String>) -> Vec<(usize, usize, String)> {
    let t: Vec<char> = text.chars().collect();
    let keys: Vec<Vec<char>> = surnames.iter().map(|s| s.chars().collect()).collect();
    text::surname_mentions(&t, &keys)
        .into_iter()
        .map(|(start, end, i)| (start, end, surnames[i].clone()))
        .collect()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    uni::init(m.py())?;
    m.add_class::<KeyMatcher>()?;
    m.add_class::<Extractor>()?;
    m.add_function(wrap_pyfunction!(next_word, m)?)?;
    m.add_function(wrap_pyfunction!(prev_word, m)?)?;
    m.add_function(wrap_pyfunction!(select_spans, m)?)?;
    m.add_function(wrap_pyfunction!(surname_mentions, m)?)?;
    Ok(())
}
