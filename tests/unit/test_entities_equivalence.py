"""The fast forms of the extractor's text helpers agree with their plain definitions.

Each helper was rewritten for speed (compiled, in streams/native/src/entities/, and tried only where
the automaton says a match can start); the plain loops and Python regexes they replaced are kept
here as the reference and compared on generated text.
"""

from __future__ import annotations

import functools
import importlib
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from streams import _native
from streams.entities import KnowledgeBase, Span, load_kb
from streams.entities.automaton import SplitMatcher
from streams.matching import parse_pattern
from tests.reference_matching import PatternMatcher

# the module, not the function of the same name that streams.entities exports
ex = importlib.import_module("streams.entities.extract")

# letters, capitals with umlauts, digits, the word joiners and the separators the helpers look at
_ALPHABET = "aäbsAÄBSÜ1_-'’ ,.(\n"
_texts = st.text(alphabet=_ALPHABET, max_size=30)

# the extractor's patterns as Python regexes (what the compiled scans must find)
_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
_ACRONYM = re.compile(r"[A-ZÄÖÜ](?<!\w[A-ZÄÖÜ])[A-ZÄÖÜ]{2,5}\b(?![-.])")
_PREP_WORD = re.compile(r" (?:in|In|aus|Aus|nach|Nach) ([A-ZÄÖÜ][^\W\d_]{2,})\b")
_PREP_LINE = re.compile(r"\n(?:In|Aus|Nach) ([A-ZÄÖÜ][^\W\d_]{2,})\b")
_PREP_FIRST = re.compile(r"(?:In|Aus|Nach) ([A-ZÄÖÜ][^\W\d_]{2,})\b")
_ROADS = tuple(re.compile(" (" + road + r" ?[1-9]\d{0,2})(?![\w,-]|\.\d)") for road in "AB")
_DATELINE = re.compile(r"([A-ZÄÖÜ]{3,}(?:-[A-ZÄÖÜ]{2,})?) (?:\(|[-–] )")
_DATELINE_LINE = re.compile("\n" + _DATELINE.pattern)


def next_word_reference(text: str, pos: int, comma: bool) -> tuple[int, int] | None:
    n = len(text)
    while pos < n and text[pos] == " ":
        pos += 1
    if comma and pos < n and text[pos] == ",":
        pos += 1
        while pos < n and text[pos] == " ":
            pos += 1
    m = _WORD.match(text, pos)
    return (m.start(), m.end()) if m else None


def prev_word_reference(text: str, pos: int) -> tuple[int, int] | None:
    while pos > 0 and text[pos - 1] == " ":
        pos -= 1
    end = pos
    while pos > 0 and (text[pos - 1].isalnum() or text[pos - 1] in "-'’"):
        pos -= 1
    while pos < end and not text[pos].isalnum():
        pos += 1
    return (pos, end) if pos < end else None


@settings(max_examples=400, deadline=None)
@given(text=_texts, data=st.data())
def test_next_and_previous_word(text: str, data: st.DataObject) -> None:
    pos = data.draw(st.integers(0, len(text)))
    assert _native.next_word(text, pos, False) == next_word_reference(text, pos, False)
    assert _native.next_word(text, pos, True) == next_word_reference(text, pos, True)
    assert _native.prev_word(text, pos) == prev_word_reference(text, pos)


_ACRONYM_PLAIN = re.compile(r"\b[A-ZÄÖÜ][A-ZÄÖÜ]{2,5}\b(?![-.])")


@settings(max_examples=400, deadline=None)
@given(text=st.text(alphabet="ABCÄÜa_1-. ", max_size=30))
def test_acronym_pattern(text: str) -> None:
    assert [m.span() for m in _ACRONYM.finditer(text)] == [m.span() for m in _ACRONYM_PLAIN.finditer(text)]
    found = _kb().extractor.shape_matches(text)[0]
    assert [(start, end) for start, end, _, _ in found] == [m.span() for m in _ACRONYM_PLAIN.finditer(text)]


@settings(max_examples=500, deadline=None)
@given(
    text=st.text(alphabet="AaBbs-_. 1", max_size=30),
    surnames=st.lists(st.text(alphabet="AaBbs-.", min_size=1, max_size=4), min_size=1, max_size=4, unique=True),
)
def test_surname_mentions_are_what_the_alternation_regex_finds(text: str, surnames: list[str]) -> None:
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, surnames)) + r")s?(?![\w-])")
    expected = [(m.start(), m.end(), m.group(1)) for m in pattern.finditer(text)]
    assert _native.surname_mentions(text, surnames) == expected


@functools.cache
def _kb() -> KnowledgeBase:
    return load_kb()


# the pieces those regexes are made of, so that generated texts often match them
_PIECES = [" ", "\n", "in", "In", "aus", "Aus", "nach", "Nach", "A", "B", "C", "AB", "Ä", "Ü", "1", "7", "0"]
_PIECES += ["Berlin", "dorf", "DPA", "KÖLN", "-", "(", "–", ".", ",", "É", "é", "\u0100", "\u0391", "’", "_"]
_PIECES += [" A 7", " A1", " B 27", " B9", " in Berlin", " In Ulm", " nach Xdorf", " Nach Ulm", " aus Bonn", " Aus Ulm"]
_PIECES += ["\nAus Köln", "\nIn Ulm", "\nNach Bonn"]
_PIECES += ["\nBOCHUM (dpa) - ", "\nULM – ", "BOCHUM (dpa) - ", "In Ulm", "Nach Bonn"]


@settings(max_examples=1500, deadline=None)
@given(
    text=st.text(alphabet="ABCINÄÖÜÉaäinuschN_10-.( –\n\u0100\u0391", max_size=40)
    | st.lists(st.sampled_from(_PIECES), max_size=25).map("".join)
)
def test_whole_text_regexes_tried_at_their_shapes_find_what_finditer_finds(text: str) -> None:
    """The compiled scans try each pattern only where the automaton found one of its openings (or at
    the text's start): they find what the Python regexes' finditer (or match) finds, groups too."""
    found = _kb().extractor.shape_matches(text)
    tried = [_ACRONYM, _PREP_WORD, _PREP_LINE, _ROADS[0], _ROADS[1], _DATELINE_LINE]
    for pattern, matches in zip(tried, found, strict=False):
        expected = [(*m.span(), *m.span(m.lastindex or 0)) for m in pattern.finditer(text)]
        assert matches == expected, pattern.pattern
    for pattern, matches in ((_PREP_FIRST, found[6]), (_DATELINE, found[7])):
        m = pattern.match(text)
        assert matches == ([] if m is None else [(*m.span(), *m.span(1))]), pattern.pattern


def select_reference(candidates: list[Span], size: int) -> list[Span]:
    """The plain greedy choice: longest first, then rank, start, order of finding; no shared character."""
    def priority(i: int) -> tuple[int, int, int, int]:
        span = candidates[i]
        return span.start - span.end, span.rank, span.start, i

    covered = bytearray(size + 1)
    chosen: list[Span] = []
    for i in sorted(range(len(candidates)), key=priority):
        span = candidates[i]
        if covered.find(1, span.start, span.end) < 0:
            chosen.append(span)
            covered[span.start : span.end] = b"\x01" * (span.end - span.start)
    return sorted(chosen, key=lambda s: s.start)


_spans = st.lists(
    st.tuples(st.integers(0, 30), st.integers(0, 6), st.integers(0, 3)).map(
        lambda t: Span("body", t[0], t[0] + t[1], "place", None, "x", t[2])
    ),
    max_size=14,
)


@settings(max_examples=1500, deadline=None)
@given(candidates=_spans)
def test_select_is_the_plain_greedy_choice(candidates: list[Span]) -> None:
    expected = select_reference(candidates, 40)
    chosen = _native.select_spans([(s.start, s.end, s.rank) for s in candidates])
    assert [id(candidates[i]) for i in chosen] == [id(s) for s in expected]


_KEYS = ["Erdoğan", "Erdoğans", "Ulm", "Ulms", "Ulm?", "Köln", "?", "ğa", "Neu-Ulm", "ğ"]


@settings(max_examples=800, deadline=None)
@given(
    specs=st.lists(st.sampled_from(_KEYS).flatmap(lambda k: st.sampled_from([k, "*" + k, k + "*"])), max_size=8),
    text=st.lists(st.sampled_from([*_KEYS, " ", "-", "a", "Ö", "ğ", "\u0391", "?"]), max_size=20).map("".join),
)
def test_split_matcher_finds_what_one_pattern_matcher_finds(specs: list[str], text: str) -> None:
    patterns = [parse_pattern(spec, i) for i, spec in enumerate(specs)]
    one = PatternMatcher(patterns, case_sensitive=True)
    assert SplitMatcher(patterns).find_spans(text) == one.find_spans(text)


def test_mentions_and_entities_built_slot_by_slot_equal_the_constructors() -> None:
    """extract sets the slots of Mention and Entity directly (see _MENTION_SLOTS): that is only right
    while both stay plain frozen slots dataclasses with these fields in this order."""
    import dataclasses

    from streams.models import Entity, Mention

    assert [f.name for f in dataclasses.fields(Mention)] == ["text", "field", "start", "end"]
    assert [f.name for f in dataclasses.fields(Entity)] == [
        "name", "type", "mentions", "id", "wikidata", "country", "salience"
    ]
    assert not hasattr(Mention, "__post_init__") and not hasattr(Entity, "__post_init__")
    mention_values = ("Kiew", "body", 3, 7)
    mention = object.__new__(Mention)
    for setter, value in zip(ex._MENTION_SLOTS, mention_values, strict=True):
        setter(mention, value)
    assert mention == Mention(*mention_values) and hash(mention) == hash(Mention(*mention_values))
    assert repr(mention) == repr(Mention(*mention_values))
    entity_values = ("Kiew", "place", (mention,), "place/kiew", "Q1899", "UA", 0.4)
    entity = object.__new__(Entity)
    for setter, value in zip(ex._ENTITY_SLOTS, entity_values, strict=True):
        setter(entity, value)
    assert entity == Entity(*entity_values) and repr(entity) == repr(Entity(*entity_values))


@settings(max_examples=600, deadline=None)
@given(text=st.text(alphabet="aäAÄ1ⓐⅰ_-'’ ,.(", max_size=12), data=st.data())
def test_titled_shortcut_is_what_the_next_word_says(text: str, data: st.DataObject) -> None:
    """titled returns early after one space and a lower-case character (the next word is lower-case,
    or there is none) or an alphanumeric start of a KB person (the next word starts there)."""
    pos = data.draw(st.integers(0, len(text)))
    if text[pos : pos + 1] != " ":
        return
    char = text[pos + 1 : pos + 2]
    found = _native.next_word(text, pos, True)
    if char.islower():
        assert found is None or (found[0] == pos + 1 and not text[found[0]].isupper())
    if char.isalnum():
        assert found is not None and found[0] == pos + 1
