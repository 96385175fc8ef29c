"""The fast forms of the extractor's text helpers agree with their plain definitions.

Each helper was rewritten for speed (one regex call instead of a loop per character); the plain
loops they replaced are kept here as the reference and compared on generated text.
"""

from __future__ import annotations

import importlib
import re

from hypothesis import given, settings
from hypothesis import strategies as st

# the module, not the function of the same name that streams.entities exports
ex = importlib.import_module("streams.entities.extract")

# letters, capitals with umlauts, digits, the word joiners and the separators the helpers look at
_ALPHABET = "aäbsAÄBSÜ1_-'’ ,.(\n"
_texts = st.text(alphabet=_ALPHABET, max_size=30)


def next_word_reference(text: str, pos: int, comma: bool) -> tuple[int, int] | None:
    n = len(text)
    while pos < n and text[pos] == " ":
        pos += 1
    if comma and pos < n and text[pos] == ",":
        pos += 1
        while pos < n and text[pos] == " ":
            pos += 1
    m = ex._WORD.match(text, pos)
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
    scan = ex._FieldScan("body", text, text[::-1])
    assert ex._next_word(text, pos) == next_word_reference(text, pos, False)
    assert ex._next_word(text, pos, comma=True) == next_word_reference(text, pos, True)
    assert ex._prev_word(scan, pos) == prev_word_reference(text, pos)


_ACRONYM_PLAIN = re.compile(r"\b[A-ZÄÖÜ][A-ZÄÖÜ]{2,5}\b(?![-.])")


@settings(max_examples=400, deadline=None)
@given(text=st.text(alphabet="ABCÄÜa_1-. ", max_size=30))
def test_acronym_pattern(text: str) -> None:
    assert [m.span() for m in ex._ACRONYM.finditer(text)] == [m.span() for m in _ACRONYM_PLAIN.finditer(text)]


@settings(max_examples=500, deadline=None)
@given(
    text=st.text(alphabet="AaBbs-_. 1", max_size=30),
    surnames=st.lists(st.text(alphabet="AaBbs-.", min_size=1, max_size=4), min_size=1, max_size=4, unique=True),
)
def test_surname_mentions_are_what_the_alternation_regex_finds(text: str, surnames: list[str]) -> None:
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, surnames)) + r")s?(?![\w-])")
    expected = [(m.start(), m.end(), m.group(1)) for m in pattern.finditer(text)]
    assert ex._surname_mentions(text, surnames) == expected


@settings(max_examples=400, deadline=None)
@given(text=st.text(alphabet="ABCÄÖÜÉaä_1-. \u0100\u0391", max_size=30))
def test_acronym_matches_are_what_the_regex_finds(text: str) -> None:
    found = [m.span() for m in ex._acronym_matches(text)]
    assert found == [m.span() for m in ex._ACRONYM.finditer(text)]
