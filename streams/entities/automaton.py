"""The KB's automaton: nearly every text searched as Latin-1 bytes, the hits handed out raw.

``PatternMatcher`` searches the one-byte Latin-1 form of a text only when every key is Latin-1;
otherwise it searches the str, which costs the automaton its UTF-8 offset mapping (about half as
slow again here). A few thousand KB names hold a character outside Latin-1 ("Erdoğan", "Chișinău"),
and they can only match a text that holds one too. So those keys get an automaton of their own,
searched only for such texts, and every other text takes the byte search alone.

The extractor walks the raw hits itself (``hits`` plus the edge tests in ``edges``), judging the
edges and reading the payload in the same loop: one pass over the hits instead of two, and no tuple
per match. ``find_spans`` gives what ``PatternMatcher.find_spans`` gives, for everything else.
"""

from __future__ import annotations

from collections.abc import Iterable
from operator import itemgetter
from typing import Generic, TypeVar

import ahocorasick_rs

from streams.matching import Pattern

T = TypeVar("T")

# edge tests per key, as bits: the text must not go on with a letter or digit at that edge
CLOSED_RIGHT, CLOSED_LEFT = 1, 2
SEVERAL = 4  # a key with several patterns (one spelling, other edges or payloads): see ``entries``

# as in streams.matching: a contiguous NFA stays small enough for the caches (a DFA of the KB's
# ~50,000 keys is ~20% faster alone but takes ~75 MB)
_NFA = ahocorasick_rs.Implementation.ContiguousNFA


def _latin1_key(text: str) -> bool:
    """A key the byte search can take: Latin-1 without ``?``, which stands for other characters there."""
    return "?" not in text and all(c <= "\xff" for c in text)


class SplitMatcher(Generic[T]):
    """All boundary-respecting occurrences of many case-sensitive patterns, most of them Latin-1."""

    def __init__(self, patterns: Iterable[Pattern[T]]) -> None:
        grouped: dict[str, list[Pattern[T]]] = {}
        for pattern in patterns:
            grouped.setdefault(pattern.text, []).append(pattern)
        latin = [key for key in grouped if _latin1_key(key)]
        other = [key for key in grouped if not _latin1_key(key)]
        keys = latin + other  # a key's index: its place here
        # per key its patterns as (closed left, closed right, payload)
        self.entries: tuple[tuple[tuple[bool, bool, T], ...], ...] = tuple(
            tuple((not p.open_left, not p.open_right, p.payload) for p in grouped[key]) for key in keys
        )
        # the same, flat, for the hot loop (nearly every key has one pattern): its edge bits or
        # SEVERAL, and its payloads (the one of a single pattern, for SEVERAL those of all)
        self.edges = bytes(_edge_bits(group) for group in self.entries)
        shared: dict[tuple[int, ...], tuple[T, ...]] = {}  # most keys share a payload (a given name ...)
        self.payloads: tuple[tuple[T, ...], ...] = tuple(
            shared.setdefault(tuple(id(e[2]) for e in group), tuple(e[2] for e in group)) for group in self.entries
        )
        self.size = len(keys)
        encoded = [key.encode("latin-1") for key in latin]
        self._latin = ahocorasick_rs.BytesAhoCorasick(encoded, implementation=_NFA) if latin else None
        self._other = ahocorasick_rs.AhoCorasick(other, implementation=_NFA) if other else None
        self._first_other = len(latin)
        # a ``?`` of the text can match only where a key outside the byte search holds one
        self._question = any("?" in key for key in other)

    def hits(self, text: str) -> list[tuple[int, int, int]]:
        """Every occurrence of every key as ``(key index, start, end)``, ordered by start, longer first
        at the same start (a ``(start, end)`` is one key); edges not yet judged."""
        found: list[tuple[int, int, int]] = []
        if self._latin is not None:
            found = self._latin.find_matches_as_indexes(text.encode("latin-1", "replace"), True)
        if self._other is not None and not (_latin1(text) and not (self._question and "?" in text)):
            first = self._first_other
            more = [(first + key, start, end) for key, start, end in self._other.find_matches_as_indexes(text, True)]
            if more:
                found += more
                found.sort(key=_start_then_longer)
                return found
        # the automaton reports in end order, shorter last at the same end: reversed and then sorted
        # stably by start alone, equal starts stay longest first
        found.reverse()
        found.sort(key=_START)
        return found

    def find_spans(self, text: str) -> list[tuple[int, int, T]]:
        """Every match as ``(start, end, payload)``, ordered by start, longer first at the same start
        (payloads of one spelling in pattern order): what ``PatternMatcher.find_spans`` finds."""
        found: list[tuple[int, int, T]] = []
        entries = self.entries
        n = len(text)
        for key, start, end in self.hits(text):
            for closed_left, closed_right, payload in entries[key]:
                if closed_right and end < n and text[end].isalnum():
                    continue
                if closed_left and start and text[start - 1].isalnum():
                    continue
                found.append((start, end, payload))
        return found

    def several(self, key: int, text: str, start: int, end: int) -> list[T]:
        """The payloads of a SEVERAL key whose edges fit this match, in pattern order."""
        n = len(text)
        return [
            payload
            for closed_left, closed_right, payload in self.entries[key]
            if not (closed_right and end < n and text[end].isalnum())
            and not (closed_left and start and text[start - 1].isalnum())
        ]


def _edge_bits(group: tuple[tuple[bool, bool, object], ...]) -> int:
    if len(group) > 1:
        return SEVERAL
    closed_left, closed_right, _ = group[0]
    return closed_left * CLOSED_LEFT | closed_right * CLOSED_RIGHT


def _latin1(text: str) -> bool:
    """No character outside Latin-1: no key of ``_other`` without a ``?`` can match."""
    if text.isascii():
        return True
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


_START = itemgetter(1)


def _start_then_longer(hit: tuple[int, int, int]) -> tuple[int, int]:
    return hit[1], -hit[2]
