//! One field's scan: the automaton's hits judged, then the discovery rules (extract.py's ``_Rules``).
//!
//! Conservative rules turn cues into discovered names; each follows the Python rule it replaced
//! line by line (same order of tests, same order of candidates), since the order of finding breaks
//! ties in the choice among overlapping candidates.
use super::text::{
    boundary, house_number, in_parentheses, is_joiner, next_word, prev_word, sentence_initial,
    word_end, word_match, word_start, Span,
};
use super::uni::{self, is_alnum, is_decimal, is_lower, is_upper, is_word};
use super::*;

/// What the scan of one field has found so far (extract._FieldScan).
#[derive(Default)]
pub struct Scan {
    pub field: u8,
    pub candidates: Vec<Cand>,
    pub blocked: Map<usize, usize>, // start -> end of KB names (not people)
    pub places: Map<usize, usize>,  // start -> end of gazetteer places
    pub block_places: Map<usize, usize>, // start -> end of KB places
    pub people: Set<usize>,         // starts of KB person names
    pub title_ends: Set<usize>,
    pub firstnames: Vec<usize>,
    pub bare: Vec<Span>,               // lexicon surnames
    pub surnames: Vec<Cand>,           // KB surnames that need a licence
    pub shared: Vec<usize>,            // candidates of a shared alias, to resolve by context
    pub person_ids: Set<u32>,          // KB people named in full here
    pub shape_starts: [Vec<usize>; 5], // prep-word, prep-line, dateline, road-a, road-b
}

const SECOND_PARTICLES: [&str; 8] = ["der", "den", "de", "la", "van", "von", "zu", "del"];
const NOUN_ENDINGS: [&str; 10] = [
    "ung", "ungen", "heit", "keit", "schaft", "tion", "tionen", "ität", "ismus", "nisse",
];
const QUALIFIERS_OPEN: [&str; 3] = ["für", "of", "for"];
const ORG_LINKS: [&str; 3] = ["und", "des", "der"];
const QUALIFIERS_NAME: [&str; 6] = ["der", "des", "zu", "von", "am", "an"];
const COMPARISONS: [&str; 2] = ["als", "wie"];
const ADJECTIVE_ENDINGS: [&str; 4] = ["e", "en", "er", "es"];
const ACRONYM_CONTEXT: [&str; 26] = [
    "der", "die", "das", "des", "dem", "den", "vom", "beim", "zum", "zur", "im", "am", "the",
    "Der", "Die", "Das", "Des", "Dem", "Den", "Vom", "Beim", "Zum", "Zur", "Im", "Am", "The",
];
const ACRONYM_CONTEXT_MORE: [&str; 7] = ["bei", "von", "für", "mit", "gegen", "über", "durch"];
const PLACE_OR_ARTICLE_MORE: [&str; 11] = [
    "in", "In", "aus", "Aus", "nach", "Nach", "bei", "Bei", "nahe", "Richtung", "zwischen",
];
const DETERMINERS: [&str; 40] = [
    "ein", "eine", "einen", "einem", "einer", "eines", "diese", "dieser", "diesen", "diesem",
    "dieses", "jede", "jeder", "jeden", "jedem", "jedes", "alle", "keine", "keiner", "keinen",
    "seine", "seiner", "seinen", "ihre", "ihrer", "ihren", "unsere", "unserer", "unseren",
    "welche", "mehrere", "andere", "anderen", "beide", "beiden", "viele", "einige", "manche",
    "jene", "jener",
];

fn acronym_context(word: &str) -> bool {
    ACRONYM_CONTEXT.contains(&word)
}

fn place_or_article(word: &str) -> bool {
    acronym_context(word) || PLACE_OR_ARTICLE_MORE.contains(&word)
}

#[inline]
fn cap(c: char) -> bool {
    matches!(c, 'A'..='Z' | 'Ä' | 'Ö' | 'Ü')
}

/// `[IVXLCDM]+` as a whole word.
fn roman(word: &[char]) -> bool {
    !word.is_empty()
        && word
            .iter()
            .all(|c| matches!(c, 'I' | 'V' | 'X' | 'L' | 'C' | 'D' | 'M'))
}

#[inline]
fn s(t: &[char], a: usize, b: usize) -> String {
    t[a..b].iter().collect()
}

#[inline]
fn char_at(t: &[char], i: usize) -> Option<char> {
    t.get(i).copied()
}

/// `text[i:i+1] in _JOINERS`
#[inline]
fn joiner_at(t: &[char], i: usize) -> bool {
    char_at(t, i).is_some_and(is_joiner)
}

/// `text[i-1:i] in _JOINERS` (nothing before the text's start)
#[inline]
fn joiner_before(t: &[char], i: usize) -> bool {
    i > 0 && is_joiner(t[i - 1])
}

struct Rules<'a> {
    x: &'a Extractor,
    lex: &'a Lexicon,
    t: &'a [char],
    scan: Scan,
}

impl Extractor {
    /// _scan_field: the hits of one field judged, then the rules over it.
    pub fn scan(&self, field: u8, t: &[char]) -> Scan {
        let mut r = Rules {
            x: self,
            lex: &self.lex,
            t,
            scan: Scan {
                field,
                ..Default::default()
            },
        };
        if t.is_empty() {
            return r.scan;
        }
        let cues = r.hits();
        r.cues(&cues);
        r.rest();
        r.scan
    }
}

impl Rules<'_> {
    fn word(&self, span: Span) -> String {
        s(self.t, span.0, span.1)
    }

    fn push(&mut self, start: usize, end: usize, etype: u8, name: String, rank: u8, rule: u8) {
        let field = self.scan.field;
        self.scan.candidates.push(Cand {
            field,
            start,
            end,
            etype,
            entity: None,
            name,
            rank,
            weak: false,
            rule,
            alias: None,
        });
    }

    fn person(&mut self, start: usize, end: usize, rule: u8, rank: u8) {
        let name = s(self.t, start, end);
        self.push(start, end, PERSON, name, rank, rule);
    }

    fn org(&mut self, start: usize, end: usize, rule: u8) {
        let name = s(self.t, start, end);
        self.push(start, end, ORGANISATION, name, RANK_RULE, rule);
    }

    fn kb_span(&self, start: usize, end: usize, alias: u32, rank: u8, weak: bool) -> Cand {
        let target = self.x.aliases[alias as usize].targets[0];
        Cand {
            field: self.scan.field,
            start,
            end,
            etype: self.x.entity_types[target as usize],
            entity: Some(target),
            name: String::new(),
            rank,
            weak,
            rule: R_NONE,
            alias: Some(alias),
        }
    }

    /// The raw hits with their edges judged, read by kind; the cues in order, for the rules after.
    fn hits(&mut self) -> Vec<(u8, usize, usize)> {
        let t = self.t;
        let x = self.x;
        let matcher = x.matcher();
        let mut cues = Vec::new();
        for (m_start, m_end, key) in matcher.hits(t) {
            for payload in matcher.fitting(t, key, m_start, m_end) {
                let alias = &x.aliases[payload as usize];
                match alias.kind {
                    CUE => {
                        cues.push((alias.cue, m_start, m_end));
                        for &more in &alias.more_cues {
                            cues.push((more, m_start, m_end));
                        }
                    }
                    NAME => {
                        let span = self.kb_span(m_start, m_end, payload, RANK_KB, false);
                        let (target, etype) = (span.entity.unwrap(), span.etype);
                        self.scan.candidates.push(span);
                        if alias.shared {
                            self.scan.shared.push(self.scan.candidates.len() - 1);
                        }
                        if etype == PERSON {
                            self.scan.people.insert(m_start);
                            self.scan.person_ids.insert(target);
                        } else {
                            let known = self.scan.blocked.get(&m_start).copied().unwrap_or(0);
                            let end = m_end.max(known);
                            self.scan.blocked.insert(m_start, end);
                            if etype == PLACE {
                                self.scan.block_places.insert(m_start, end);
                            }
                        }
                    }
                    FIRSTNAME => self.scan.firstnames.push(m_start),
                    SHAPE => {
                        self.scan.shape_starts[(alias.cue - C_PREP_WORD) as usize].push(m_start)
                    }
                    TOPONYM
                        if (alias.cue == C_STRONG || self.after_preposition(m_start))
                            && !self.inside_name(m_start, m_end) =>
                    {
                        let name = s(t, m_start, m_end);
                        self.push(m_start, m_end, PLACE, name, RANK_GAZ, R_GAZETTEER);
                        self.scan.places.entry(m_start).or_insert(m_end);
                    }
                    WEAK => {
                        let span = self.kb_span(
                            word_start(t, m_start),
                            word_end(t, m_end),
                            payload,
                            RANK_WEAK,
                            true,
                        );
                        self.scan.candidates.push(span);
                        if alias.shared {
                            self.scan.shared.push(self.scan.candidates.len() - 1);
                        }
                    }
                    LEXSURNAME => self.scan.bare.push((m_start, m_end)),
                    SURNAME => {
                        let span = self.kb_span(m_start, m_end, payload, RANK_SURNAME, false);
                        if alias.alone {
                            self.scan.candidates.push(span);
                            if alias.shared {
                                self.scan.shared.push(self.scan.candidates.len() - 1);
                            }
                        } else {
                            self.scan.surnames.push(span);
                        }
                    }
                    _ => {}
                }
            }
        }
        cues
    }

    fn cues(&mut self, cues: &[(u8, usize, usize)]) {
        let t = self.t;
        for &(cue, start, end) in cues {
            let wstart = if start == 0 || !is_alnum(t[start - 1]) {
                start
            } else {
                word_start(t, start)
            };
            match cue {
                C_SPEECH if wstart == start => {
                    self.speaker(start, end);
                }
                C_TITLE if (is_upper(t[wstart]) || matches!(t[wstart], 'm' | 'M' | 'd' | 's')) => {
                    self.scan.title_ends.insert(end);
                    self.titled(end);
                }
                C_ORG_SUFFIX => self.org_suffix(start, end),
                C_ORG_HEAD if wstart == start => {
                    self.org_head(start, end, false);
                }
                C_ORG_COMPOUND => {
                    // text[wstart:start].split("-")[0]
                    let prefix_end = (wstart..start).find(|&i| t[i] == '-').unwrap_or(start);
                    if prefix_end > wstart
                        && is_upper(t[wstart])
                        && end == word_end(t, end)
                        && !self.is_common(&s(t, wstart, prefix_end))
                    {
                        self.org_head(wstart, end, true);
                    }
                }
                C_CLUB => self.club(start, end),
                C_PLACE_SUFFIX => self.suffix_place(end),
                C_ORG_TYPE => self.typed_org(end),
                C_STREET_SUFFIX => self.street(end),
                C_STREET | C_LOCAL_ORG if wstart == start => {
                    self.after_place_adjective(
                        start,
                        end,
                        if cue == C_STREET { PLACE } else { ORGANISATION },
                    );
                }
                C_PLACE_PREFIX | C_PLACE_HEAD if wstart == start => {
                    self.headed_place(start, end, cue == C_PLACE_PREFIX);
                }
                _ => {}
            }
        }
    }

    fn rest(&mut self) {
        let t = self.t;
        for start in std::mem::take(&mut self.scan.firstnames) {
            self.first_named(start);
        }
        for (start, end) in std::mem::take(&mut self.scan.bare) {
            self.bare_surname(start, end);
        }
        if t.contains(&'(') {
            let tagged: Vec<usize> = self
                .scan
                .candidates
                .iter()
                .filter(|c| {
                    c.etype == ORGANISATION
                        && c.start > 0
                        && t[c.start - 1] == '('
                        && matches!(char_at(t, c.end), Some(')' | ',' | '/'))
                        && self.lex.parties.contains(&s(t, c.start, c.end))
                })
                .map(|c| c.start)
                .collect();
            for start in tagged {
                self.party_tagged(start - 1);
            }
        }
        let found = shape_matches(t, &self.scan.shape_starts);
        self.acronyms(&found[0]);
        self.prep_places(&found[1], &found[2], &found[6]);
        self.district_places();
        self.roads_and_datelines(&found[3], &found[4], &found[7], &found[5]);
    }

    // -- word tests ---------------------------------------------------------------------------

    fn is_common(&self, word: &str) -> bool {
        if self.lex.common.contains(word) {
            return !self.lex.first.contains(word);
        }
        NOUN_ENDINGS.iter().any(|e| word.ends_with(e)) && !word.contains('-')
    }

    /// A German compound noun ends in a common noun: "Modelsuche".
    fn is_compound(&self, word: &str) -> bool {
        let chars: Vec<char> = word.chars().collect();
        let n = chars.len();
        let mut buf = String::new();
        for cut in 3..n.saturating_sub(3) {
            buf.clear();
            uni::push_upper(&mut buf, chars[cut]);
            buf.extend(&chars[cut + 1..]);
            if self.lex.common.contains(&buf) {
                return true;
            }
        }
        false
    }

    /// 0 never, 1 always, 2 only right after a given name.
    fn name_code(&self, word: &str) -> u8 {
        let first = word.chars().next().unwrap();
        if !is_upper(first) || self.lex.stop.contains(word) {
            return 0;
        }
        if !word.chars().any(is_lower) {
            return 0; // acronyms (USA, CDU) are no personal names
        }
        if self.is_common(word) {
            return if self.lex.english.contains(word) {
                0
            } else {
                2
            };
        }
        1
    }

    fn name_word(&self, word: &str, after_given: bool) -> bool {
        let code = self.name_code(word);
        code == 1 || (after_given && code == 2)
    }

    // -- persons ------------------------------------------------------------------------------

    fn name_run(
        &self,
        pos: usize,
        max_words: usize,
        comma: bool,
        given: bool,
        first: Option<Span>,
    ) -> Option<usize> {
        let t = self.t;
        let mut given = given;
        let (mut end, mut words) = (None, 0);
        let mut nxt = if first.is_some() {
            first
        } else {
            next_word(t, pos, comma)
        };
        while let Some((start, mut stop)) = nxt {
            if words >= max_words {
                break;
            }
            let mut word = s(t, start, stop);
            if self.scan.blocked.contains_key(&start) {
                break;
            }
            let after_given = given;
            if words > 0 && self.lex.particles.contains(&word) {
                let mut after = next_word(t, stop, false);
                if let Some(a) = after {
                    if SECOND_PARTICLES.contains(&self.word(a).as_str()) {
                        after = next_word(t, a.1, false); // "von der Leyen"
                    }
                }
                match after {
                    Some(a)
                        if self.name_word(&self.word(a), false)
                            && !self.scan.blocked.contains_key(&a.0) =>
                    {
                        stop = a.1; // the name goes on after the particles
                        word = self.word(a);
                    }
                    _ => break,
                }
            } else if stop - start == 1 && is_upper(t[start]) && char_at(t, stop) == Some('.') {
                stop += 1; // an initial: "John F. Kennedy"
                let nxt2 = next_word(t, stop, false);
                match nxt2 {
                    Some(n2) if self.name_word(&self.word(n2), false) => {
                        end = Some(stop);
                        words += 1;
                        nxt = nxt2;
                        continue;
                    }
                    _ => break,
                }
            } else if !self.name_word(&word, after_given) {
                break;
            } else if (words >= 2 || (words == 1 && !given)) && self.is_compound(&word) {
                break; // "Heidi Klums Modelsuche": a compound noun ends the name
            }
            given = self.lex.first.contains(&word);
            end = Some(stop);
            words += 1;
            nxt = next_word(t, stop, false);
        }
        end
    }

    fn titled(&mut self, title_end: usize) {
        let t = self.t;
        let after = title_end + 1;
        if char_at(t, title_end) == Some(' ') {
            if let Some(c) = char_at(t, after) {
                if is_lower(c) || (self.scan.people.contains(&after) && is_alnum(c)) {
                    return;
                }
            }
        }
        let Some(first) = next_word(t, title_end, true) else {
            return;
        };
        if self.scan.people.contains(&first.0) || !is_upper(t[first.0]) {
            return; // nothing capitalised follows, or a KB name does (it wins anyway)
        }
        let Some(end) = self.name_run(title_end, 4, true, false, Some(first)) else {
            return;
        };
        let name = s(t, first.0, end);
        if self.lex.first.contains(&name) {
            return; // a lone given name is not yet a person
        }
        if !name.contains(' ') && (self.is_compound(&name) || self.lex.toponyms.contains(&name)) {
            return;
        }
        self.person(first.0, end, R_TITLE, RANK_RULE);
    }

    fn first_named(&mut self, start: usize) {
        if self.scan.places.contains_key(&start) || self.scan.people.contains(&start) {
            return;
        }
        let Some(word_end) = word_match(self.t, start) else {
            return;
        };
        let known = self.scan.blocked.get(&start).copied();
        if let Some(end) = known {
            if end != word_end {
                return; // a longer KB name starts here
            }
        }
        match self.name_run(word_end, 3, false, true, None) {
            Some(end) if end > 0 => self.person(start, end, R_FIRST_NAME, RANK_GIVEN),
            _ => {
                if known.is_none() {
                    self.lone_given(start, word_end);
                }
            }
        }
    }

    fn lone_given(&mut self, start: usize, end: usize) {
        let t = self.t;
        let word = s(t, start, end);
        let lex = self.lex;
        if end - start < 3
            || !lex.first.contains(&word)
            || lex.common.contains(&word)
            || lex.toponyms.contains(&word)
        {
            return;
        }
        if lex.stop.contains(&word) || joiner_at(t, end) || joiner_before(t, start) {
            return;
        }
        let nxt = next_word(t, end, false);
        if let Some(n) = nxt {
            if is_upper(t[n.0]) || lex.particles.contains(&self.word(n)) {
                return; // "Ole von Beust": part of a longer name
            }
        }
        if sentence_initial(t, start)
            && nxt.is_none_or(|n| COMPARISONS.contains(&self.word(n).as_str()))
        {
            return; // "Anders als ...": a given name that may be a word, at a sentence's start
        }
        if self.after_place_prefix(start) {
            return; // "St. Peter", "San Marco"
        }
        if let Some(prev) = prev_word(t, start) {
            let before = self.word(prev);
            if is_upper(t[prev.0]) && (!self.is_common(&before) || lex.first.contains(&before)) {
                return;
            }
            if place_or_article(&before) {
                return;
            }
        }
        self.person(start, end, R_LONE_GIVEN, RANK_GUESS);
    }

    fn after_place_prefix(&self, start: usize) -> bool {
        let t = self.t;
        let mut end = start;
        let begin = start.saturating_sub(8);
        while end > begin && matches!(t[end - 1], ' ' | '.') {
            end -= 1;
        }
        let mut cut = end;
        while cut > begin && t[cut - 1] != ' ' && t[cut - 1] != '\n' {
            cut -= 1;
        }
        self.lex.place_prefixes.contains(&s(t, cut, end))
    }

    fn bare_surname(&mut self, start: usize, end: usize) {
        let t = self.t;
        let scan = &self.scan;
        if scan.blocked.contains_key(&start)
            || scan.places.contains_key(&start)
            || scan.people.contains(&start)
        {
            return;
        }
        if joiner_at(t, end) || joiner_before(t, start) {
            return;
        }
        if let Some(prev) = prev_word(t, start) {
            let word = self.word(prev);
            if (is_upper(t[prev.0]) && !self.is_common(&word)) || place_or_article(&word) {
                return;
            }
        }
        if let Some(n) = next_word(t, end, false) {
            if is_upper(t[n.0]) {
                return;
            }
        }
        self.person(start, end, R_BARE_SURNAME, RANK_GUESS);
    }

    fn party_tagged(&mut self, open_paren: usize) {
        let t = self.t;
        let (mut pos, mut start, mut words) = (open_paren, 0, 0);
        let mut end = open_paren;
        while end > 0 && t[end - 1] == ' ' {
            end -= 1;
        }
        while words < 3 {
            let Some(prev) = prev_word(t, pos) else { break };
            if !self.name_word(&self.word(prev), false) || self.scan.blocked.contains_key(&prev.0) {
                break;
            }
            if self.scan.title_ends.contains(&prev.1) {
                break; // the title is not part of the name
            }
            start = prev.0;
            pos = prev.0;
            words += 1;
        }
        if words > 0 {
            self.person(start, end, R_PARTY_TAG, RANK_RULE);
        }
    }

    fn speaker(&mut self, verb_start: usize, verb_end: usize) {
        let t = self.t;
        let after = if char_at(t, verb_end + 1).is_some_and(is_upper) {
            next_word(t, verb_end, false)
        } else {
            None
        };
        let before = prev_word(t, verb_start);
        for (is_after, near) in [(true, after), (false, before)] {
            let Some((start, end)) = near else { continue };
            if end - start < 3 || !is_upper(t[start]) {
                continue;
            }
            if self.scan.blocked.contains_key(&start)
                || self.scan.places.contains_key(&start)
                || !self.speaks(&s(t, start, end))
            {
                continue;
            }
            if !is_after {
                if let Some(article) = prev_word(t, start) {
                    if acronym_context(&self.word(article)) {
                        continue; // "Die Agentur sprach"
                    }
                }
            }
            self.person(start, end, R_SPEECH, RANK_RULE);
        }
    }

    fn speaks(&self, word: &str) -> bool {
        !(self.lex.toponyms.contains(word)
            || word.contains('-')
            || self.lex.english.contains(word)
            || !self.name_word(word, false)
            || self.is_compound(word))
    }

    // -- organisations ------------------------------------------------------------------------

    fn org_suffix(&mut self, cue_start: usize, cue_end: usize) {
        let t = self.t;
        let (mut pos, mut start, mut words) = (cue_start, 0, 0);
        while words < 4 {
            let Some(prev) = prev_word(t, pos) else { break };
            let word = self.word(prev);
            let first = t[prev.0];
            if (!is_upper(first) && !uni::is_digit(first)) || self.lex.stop.contains(&word) {
                break;
            }
            if words > 0
                && self
                    .lex
                    .org_types
                    .iter()
                    .any(|e| word.ends_with(e.as_str()))
            {
                break; // "das Unternehmen CGX Energy"
            }
            start = prev.0;
            pos = prev.0;
            words += 1;
        }
        if words > 0 {
            self.org(start, cue_end, R_ORG_SUFFIX);
        }
    }

    fn org_head(&mut self, head_start: usize, head_end: usize, compound: bool) {
        let t = self.t;
        let (mut start, mut end, mut qualified) = (head_start, head_end, compound);
        if let Some(nxt) = next_word(t, head_end, false) {
            let word = self.word(nxt);
            let open = QUALIFIERS_OPEN.contains(&word.as_str());
            if open || QUALIFIERS_NAME.contains(&word.as_str()) {
                if let Some(run) = self.org_run(nxt.1, open) {
                    if run > 0 {
                        end = run;
                        qualified = true;
                    }
                }
            } else if self.scan.places.contains_key(&nxt.0)
                || self.scan.block_places.contains_key(&nxt.0)
            {
                end = match self.scan.block_places.get(&nxt.0) {
                    Some(&e) if e != 0 => e,
                    _ => self.scan.places[&nxt.0],
                };
                qualified = true;
            } else if self.lex.toponyms.contains(&word)
                && !next_word(t, nxt.1, false).is_some_and(|n| is_upper(t[n.0]))
            {
                end = nxt.1;
                qualified = true;
            }
        }
        if qualified {
            if let Some(prev) = prev_word(t, start) {
                if self.name_adjective(&self.word(prev)) {
                    start = prev.0; // "Freie Universität Berlin"
                }
            }
            self.org(start, end, R_ORG_HEAD);
        }
    }

    fn name_adjective(&self, word: &str) -> bool {
        word.chars().next().is_some_and(is_upper)
            && ADJECTIVE_ENDINGS.iter().any(|e| word.ends_with(e))
            && !acronym_context(word)
            && !DETERMINERS.contains(&uni::lower(word).as_str())
    }

    fn org_run(&self, pos: usize, open_words: bool) -> Option<usize> {
        let t = self.t;
        let (mut end, mut words) = (None, 0);
        let mut nxt = next_word(t, pos, false);
        while let Some(n) = nxt {
            if words >= 6 {
                break;
            }
            let word = self.word(n);
            if open_words && words > 0 && ORG_LINKS.contains(&word.as_str()) {
                let Some(after) = next_word(t, n.1, false) else {
                    break;
                };
                let following = self.word(after);
                if !is_upper(t[after.0]) || self.lex.stop.contains(&following) {
                    break;
                }
                if word != "und" && self.is_common(&following) && !self.genitive_place(&following) {
                    break; // "des Saarlandes" belongs to the name, "der Stadt" does not
                }
                nxt = Some(after);
                continue;
            }
            if !is_upper(t[n.0]) || self.lex.stop.contains(&word) {
                break;
            }
            if !open_words && self.is_common(&word) && !self.scan.blocked.contains_key(&n.0) {
                break;
            }
            end = Some(n.1);
            words += 1;
            nxt = next_word(t, n.1, false);
        }
        end
    }

    fn genitive_place(&self, word: &str) -> bool {
        let chars: Vec<char> = word.chars().collect();
        let n = chars.len();
        let cut = |k: usize| -> String { chars[..n.saturating_sub(k)].iter().collect() };
        self.lex.toponyms.contains(word)
            || self.lex.toponyms.contains(&cut(1))
            || self.lex.toponyms.contains(&cut(2))
    }

    fn club(&mut self, cue_start: usize, cue_end: usize) {
        let t = self.t;
        let (mut end, mut words): (Option<usize>, usize) = (None, 0);
        let mut nxt = next_word(t, cue_end, false);
        while let Some(n) = nxt {
            if words >= 3 {
                break;
            }
            let word = self.word(n);
            if words > 0 && uni::str_isdigit(&t[n.0..n.1]) {
                end = Some(n.1);
                break;
            }
            if !is_upper(t[n.0]) || self.lex.stop.contains(&word) {
                break;
            }
            let known = match self.scan.blocked.get(&n.0) {
                Some(&e) if e != 0 => Some(e),
                _ => self.scan.places.get(&n.0).copied(),
            };
            if self.is_common(&word) && known.is_none() {
                break;
            }
            let stop = match known {
                Some(k) if k != 0 => k,
                _ => n.1,
            };
            end = Some(stop);
            words += 1;
            nxt = next_word(t, stop, false);
        }
        if let Some(end) = end {
            if end > 0 {
                self.org(cue_start, end, R_CLUB);
            }
        }
    }

    fn typed_org(&mut self, type_end: usize) {
        let t = self.t;
        if word_end(t, type_end) != type_end {
            return;
        }
        let Some(nxt) = next_word(t, type_end, false) else {
            return;
        };
        if !is_upper(t[nxt.0])
            || self.scan.people.contains(&nxt.0)
            || self.scan.places.contains_key(&nxt.0)
        {
            return;
        }
        if self.scan.blocked.contains_key(&nxt.0) || self.lex.first.contains(&self.word(nxt)) {
            return;
        }
        let Some(end) = self.org_run(type_end, false) else {
            return;
        };
        if next_word(t, end, false).is_some_and(|a| is_upper(t[a.0])) {
            return; // the name goes on with a noun or function word
        }
        self.org(nxt.0, end, R_ORG_TYPE);
    }

    // -- places -------------------------------------------------------------------------------

    fn after_preposition(&self, start: usize) -> bool {
        let t = self.t;
        if start == 0 || t[start - 1] != ' ' {
            return false;
        }
        prev_word(t, start).is_some_and(|p| self.lex.preps.contains(&self.word(p)) && p.1 < start)
    }

    /// A gazetteer word next to another capitalised word is part of a longer name.
    fn inside_name(&self, start: usize, end: usize) -> bool {
        let t = self.t;
        let follows = char_at(t, end);
        let nxt = if follows.is_some_and(|c| c == ' ' || is_alnum(c)) {
            next_word(t, end, false)
        } else {
            None
        };
        if let Some(n) = nxt {
            if is_upper(t[n.0]) && !self.lex.stop.contains(&self.word(n)) {
                return true;
            }
        }
        if start == 0 || t[start - 1] != ' ' {
            return false;
        }
        if let Some(prev) = prev_word(t, start) {
            if prev.1 < start && is_upper(t[prev.0]) {
                let word = self.word(prev);
                return !self.lex.stop.contains(&word)
                    && !sentence_initial(t, prev.0)
                    && !self.is_common(&word);
            }
        }
        false
    }

    fn prep_places(&mut self, words: &[Match], lines: &[Match], first: &[Match]) {
        let t = self.t;
        for m in words.iter().chain(lines).chain(first) {
            let (start, end) = (m.2, m.3);
            if self.scan.blocked.contains_key(&start)
                || self.scan.places.contains_key(&start)
                || self.scan.people.contains(&start)
            {
                continue;
            }
            let word = s(t, start, end);
            if !self.prep_place_word(&word) || joiner_at(t, end) {
                continue;
            }
            if next_word(t, end, false).is_some_and(|n| is_upper(t[n.0])) {
                continue;
            }
            self.push(start, end, PLACE, word, RANK_GUESS, R_PREP_PLACE);
        }
    }

    fn prep_place_word(&self, word: &str) -> bool {
        let lex = self.lex;
        let rest = word.chars().skip(1);
        !(lex.first.contains(word)
            || lex.stop.contains(word)
            || lex.english.contains(word)
            || !rest.clone().any(is_lower)
            || rest.clone().any(is_upper)
            || self.is_common(word)
            || self.is_compound(word))
    }

    fn headed_place(&mut self, head_start: usize, head_end: usize, with_head: bool) {
        let t = self.t;
        let lex = self.lex;
        let Some((mut start, mut end)) = next_word(t, head_end, false) else {
            return;
        };
        if self.scan.blocked.contains_key(&start)
            || self.scan.people.contains(&start)
            || !is_upper(t[start])
        {
            return;
        }
        let word = s(t, start, end);
        if lex.stop.contains(&word)
            || lex.first.contains(&word)
            || self.is_common(&word)
            || lex.english.contains(&word)
        {
            return;
        }
        if !word.chars().any(is_lower) {
            return;
        }
        if let Some(after) = next_word(t, end, false) {
            if is_upper(t[after.0]) && !lex.stop.contains(&self.word(after)) {
                return;
            }
        }
        if joiner_at(t, end) && !with_head {
            return;
        }
        if with_head {
            start = head_start;
        } else {
            end = self.scan.places.get(&start).copied().unwrap_or(end);
        }
        let name = s(t, start, end);
        self.push(start, end, PLACE, name, RANK_RULE, R_PLACE_HEAD);
    }

    fn district_places(&mut self) {
        let t = self.t;
        if !t.contains(&'-') {
            return;
        }
        let joined: Vec<(usize, usize)> = self
            .scan
            .candidates
            .iter()
            .filter(|c| c.etype == PLACE && !c.weak && char_at(t, c.end) == Some('-'))
            .map(|c| (c.start, c.end))
            .collect();
        for (span_start, end) in joined {
            let Some(m_end) = word_match(t, end + 1) else {
                continue;
            };
            if !is_upper(t[end + 1]) {
                continue;
            }
            let dash = (end + 1..m_end)
                .rev()
                .find(|&i| t[i] == '-')
                .map_or(end + 1, |i| i + 1);
            let last = s(t, dash, m_end);
            if !is_upper(t[dash]) || joiner_at(t, m_end) {
                continue;
            }
            let district = self.lex.districts.contains(&last);
            if !(district || self.lex.toponyms.contains(&last) || self.prep_place_word(&last)) {
                continue;
            }
            if !district && !self.after_preposition(span_start) {
                continue; // "der Berlin-Besuch", "US-Baufinanzierer" are nouns
            }
            let name = s(t, span_start, m_end);
            self.push(span_start, m_end, PLACE, name, RANK_RULE, R_DISTRICT);
        }
    }

    fn roads_and_datelines(
        &mut self,
        road_a: &[Match],
        road_b: &[Match],
        first: &[Match],
        lines: &[Match],
    ) {
        let t = self.t;
        for m in road_a.iter().chain(road_b) {
            let (start, end) = (m.2, m.3);
            let before = prev_word(t, start)
                .map(|p| self.word(p))
                .unwrap_or_default();
            // "die A1" may be a product; "die A 7" and "der A1" are roads
            if self.lex.road_context.contains(&before) && (t[start + 1] == ' ' || before != "die") {
                let name = s(t, start, end);
                self.push(start, end, PLACE, name, RANK_RULE, R_ROAD);
            }
        }
        for m in first.iter().chain(lines) {
            let (start, end) = (m.2, m.3);
            if !self.scan.blocked.contains_key(&start)
                && !self.scan.people.contains(&start)
                && !roman(&t[start..end])
            {
                // str.title() of capitals and hyphens: a capital after a letter goes lower case
                let mut name = String::new();
                for i in start..end {
                    let c = t[i];
                    if i > start && t[i - 1] != '-' {
                        name.extend(c.to_lowercase());
                    } else {
                        name.push(c);
                    }
                }
                self.push(start, end, PLACE, name, RANK_RULE, R_DATELINE);
            }
        }
    }

    fn street(&mut self, end: usize) {
        let t = self.t;
        if word_end(t, end) != end {
            return;
        }
        let mut start = end;
        while start > 0 && (is_alnum(t[start - 1]) || is_joiner(t[start - 1])) {
            start -= 1; // the whole hyphenated word: "Hanna-Kessler-Straße"
        }
        let word = s(t, start, end);
        if start == end
            || !is_upper(t[start])
            || self.scan.blocked.contains_key(&start)
            || self.lex.common.contains(&word)
        {
            return;
        }
        let end = house_number(t, end);
        let name = s(t, start, end);
        self.push(start, end, PLACE, name, RANK_RULE, R_STREET);
    }

    fn after_place_adjective(&mut self, start: usize, end: usize, etype: u8) {
        let t = self.t;
        if word_end(t, end) != end {
            return;
        }
        let Some(prev) = prev_word(t, start) else {
            return;
        };
        if !self.place_adjective(&self.word(prev)) {
            return;
        }
        let end = if etype == PLACE {
            house_number(t, end)
        } else {
            end
        };
        let name = s(t, prev.0, end);
        self.push(prev.0, end, etype, name, RANK_RULE, R_PLACE_ADJECTIVE);
    }

    /// "Gubener" (Guben), "Bremer" (Bremen), "Münchner" (München): the -er adjective of a known place.
    fn place_adjective(&self, word: &str) -> bool {
        let chars: Vec<char> = word.chars().collect();
        let n = chars.len();
        if !word.ends_with("er") || n < 5 || !is_upper(chars[0]) {
            return false;
        }
        let stem: String = chars[..n - 2].iter().collect();
        let shorter: String = chars[..n - 3].iter().collect();
        [
            stem.clone(),
            format!("{stem}en"),
            format!("{stem}e"),
            format!("{shorter}en"),
        ]
        .iter()
        .any(|s| self.is_place(s))
    }

    fn is_place(&self, name: &str) -> bool {
        self.lex.strong_places.contains(name)
            || self
                .x
                .lookup(name)
                .is_some_and(|e| self.x.entity_types[e as usize] == PLACE)
    }

    fn acronyms(&mut self, found: &[Match]) {
        let t = self.t;
        for m in found {
            let (start, end) = (m.0, m.1);
            let word = s(t, start, end);
            if self.scan.blocked.contains_key(&start)
                || self.scan.places.contains_key(&start)
                || self.lex.acronym_stop.contains(&word)
            {
                continue;
            }
            if roman(&t[start..end]) {
                continue;
            }
            if start > 0 && matches!(t[start - 1], '-' | '.') {
                continue;
            }
            if !in_parentheses(t, start, end) {
                // "des ADAC", "beim DFB": an article, contraction or preposition
                let context = prev_word(t, start).map(|p| self.word(p));
                if !context.is_some_and(|w| {
                    acronym_context(&w) || ACRONYM_CONTEXT_MORE.contains(&w.as_str())
                }) {
                    continue;
                }
            }
            if next_word(t, end, false).is_some_and(|n| uni::str_isupper(&t[n.0..n.1])) {
                continue; // a line in capitals, not an acronym
            }
            self.push(start, end, ORGANISATION, word, RANK_GUESS, R_ACRONYM);
        }
    }

    fn suffix_place(&mut self, end: usize) {
        let t = self.t;
        let start = word_start(t, end);
        let word = s(t, start, end);
        if start == end || !is_upper(t[start]) {
            return;
        }
        if self.scan.blocked.contains_key(&start)
            || self.scan.places.contains_key(&start)
            || self.lex.first.contains(&word)
        {
            return;
        }
        if self.lex.stop.contains(&word)
            || self.is_common(&word)
            || (start > 0 && t[start - 1] == '-')
        {
            return;
        }
        if self.after_preposition(start) {
            self.push(start, end, PLACE, word, RANK_GAZ, R_SUFFIX);
        }
    }
}

/// A whole-text pattern's match: (start, end, group start, group end).
pub type Match = (usize, usize, usize, usize);

/// `[^\W\d_]`: a letter (or other alphanumeric that is no decimal digit).
#[inline]
fn letter(c: char) -> bool {
    is_alnum(c) && !is_decimal(c)
}

/// ` (?:in|In|aus|Aus|nach|Nach) ([A-ZÄÖÜ][^\W\d_]{2,})\b` (with `lead` for the leading space, or
/// a line break, or nothing at the text's start) matched at `at`.
fn prep_at(t: &[char], at: usize, lead: Option<char>, lower: bool) -> Option<Match> {
    let mut i = at;
    if let Some(c) = lead {
        if char_at(t, i) != Some(c) {
            return None;
        }
        i += 1;
    }
    // the words are ASCII: one char per byte
    let words: &[&str] = if lower {
        &["in", "In", "aus", "Aus", "nach", "Nach"]
    } else {
        &["In", "Aus", "Nach"]
    };
    let word = words.iter().find(|w| {
        let n = w.len();
        t.len() > i + n
            && t[i..i + n]
                .iter()
                .zip(w.bytes())
                .all(|(&c, b)| c == b as char)
            && t[i + n] == ' '
    })?;
    let g = i + word.len() + 1;
    if !char_at(t, g).is_some_and(cap) {
        return None;
    }
    let mut e = g + 1;
    while e < t.len() && letter(t[e]) {
        e += 1;
    }
    if e - g - 1 < 2 || !boundary(t, e) {
        return None;
    }
    Some((at, e, g, e))
}

/// ` (A ?[1-9]\d{0,2})(?![\w,-]|\.\d)` for road letter `road`, matched at `at`.
fn road_at(t: &[char], at: usize, road: char) -> Option<Match> {
    let n = t.len();
    if char_at(t, at) != Some(' ') || char_at(t, at + 1) != Some(road) {
        return None;
    }
    let mut i = at + 2;
    if char_at(t, i) == Some(' ') && char_at(t, i + 1).is_some_and(|c| matches!(c, '1'..='9')) {
        i += 1;
    }
    if !char_at(t, i).is_some_and(|c| matches!(c, '1'..='9')) {
        return None;
    }
    i += 1;
    let mut extra = 0;
    while extra < 2 && i < n && is_decimal(t[i]) {
        i += 1;
        extra += 1;
    }
    if let Some(c) = char_at(t, i) {
        if is_word(c) || c == ',' || c == '-' {
            return None;
        }
        if c == '.' && char_at(t, i + 1).is_some_and(is_decimal) {
            return None;
        }
    }
    Some((at, i, at + 1, i))
}

/// `([A-ZÄÖÜ]{3,}(?:-[A-ZÄÖÜ]{2,})?) (?:\(|[-–] )` at `at` (after a line break when `line`).
fn dateline_at(t: &[char], at: usize, line: bool) -> Option<Match> {
    let mut g = at;
    if line {
        if char_at(t, g) != Some('\n') {
            return None;
        }
        g += 1;
    }
    let run = |from: usize| -> usize {
        let mut e = from;
        while e < t.len() && cap(t[e]) {
            e += 1;
        }
        e
    };
    let mut e = run(g);
    if e - g < 3 {
        return None;
    }
    if char_at(t, e) == Some('-') {
        let e2 = run(e + 1);
        if e2 - (e + 1) >= 2 {
            e = e2;
        }
    }
    if char_at(t, e) != Some(' ') {
        return None;
    }
    let ok = match char_at(t, e + 1) {
        Some('(') => true,
        Some('-' | '–') => char_at(t, e + 2) == Some(' '),
        _ => false,
    };
    ok.then_some((
        at,
        if char_at(t, e + 1) == Some('(') {
            e + 2
        } else {
            e + 3
        },
        g,
        e,
    ))
}

/// What `finditer` finds, trying the pattern only at `starts` (ascending) and not inside the last match.
fn matches_at(starts: &[usize], mut at: impl FnMut(usize) -> Option<Match>) -> Vec<Match> {
    let mut found = Vec::new();
    let mut end = 0;
    for &start in starts {
        if start >= end {
            if let Some(m) = at(start) {
                end = m.1;
                found.push(m);
            }
        }
    }
    found
}

/// The whole-text patterns' matches: acronyms, prep-word, prep-line, road A, road B, datelines after
/// a line break, then the prep and dateline matches at the text's start.
pub fn shape_matches(t: &[char], starts: &[Vec<usize>; 5]) -> Vec<Vec<Match>> {
    // \b[A-ZÄÖÜ][A-ZÄÖÜ]{2,5}\b(?![-.]): a whole run of 3 to 6 capitals, no - or . after
    let mut acronyms = Vec::new();
    let mut i = 0;
    let n = t.len();
    while i < n {
        if !cap(t[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < n && cap(t[i]) {
            i += 1;
        }
        let len = i - start;
        let before = start > 0 && is_word(t[start - 1]);
        let after = char_at(t, i);
        if (3..=6).contains(&len)
            && !before
            && !after.is_some_and(|c| is_word(c) || c == '-' || c == '.')
        {
            acronyms.push((start, i, start, i));
        }
    }
    let prep_first = prep_at(t, 0, None, false).into_iter().collect();
    let dateline_first = dateline_at(t, 0, false).into_iter().collect();
    vec![
        acronyms,
        matches_at(&starts[0], |at| prep_at(t, at, Some(' '), true)),
        matches_at(&starts[1], |at| prep_at(t, at, Some('\n'), false)),
        matches_at(&starts[3], |at| road_at(t, at, 'A')),
        matches_at(&starts[4], |at| road_at(t, at, 'B')),
        matches_at(&starts[2], |at| dateline_at(t, at, true)),
        prep_first,
        dateline_first,
    ]
}
