"""The KB's automaton, split so that nearly every text is searched as Latin-1 bytes.

A ``PatternMatcher`` searches the one-byte Latin-1 form of a text only when every key is Latin-1;
otherwise it searches the str, which costs the automaton its UTF-8 offset mapping (about half as
slow again here). A few thousand KB names hold a character outside Latin-1 ("Erdoğan", "Chișinău"),
and they can only match a text that holds one too. So those keys get an automaton of their own,
searched only for such texts, and every other text takes the byte search alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic, TypeVar

from streams.matching import Pattern, PatternMatcher

T = TypeVar("T")


def _latin1_key(text: str) -> bool:
    """A key the byte search can take: Latin-1 without ``?``, which stands for other characters there."""
    return "?" not in text and all(c <= "\xff" for c in text)


class SplitMatcher(Generic[T]):
    """``PatternMatcher.find_spans`` (case-sensitive) over many patterns, most of them Latin-1."""

    def __init__(self, patterns: Iterable[Pattern[T]]) -> None:
        latin: list[Pattern[T]] = []
        other: list[Pattern[T]] = []
        for pattern in patterns:
            (latin if _latin1_key(pattern.text) else other).append(pattern)
        self._latin = PatternMatcher(latin, case_sensitive=True)
        self._other = PatternMatcher(other, case_sensitive=True)
        self.size = self._latin.size + self._other.size
        # a ``?`` of the text can match only where a key outside the byte search holds one
        self._question = any("?" in pattern.text for pattern in other)

    def find_spans(self, text: str) -> list[tuple[int, int, T]]:
        """Every match as ``(start, end, payload)``, ordered by start, longer first at the same start,
        as one ``PatternMatcher`` of all the patterns finds them."""
        found = self._latin.find_spans(text)
        if not self._other.size or (_latin1(text) and not (self._question and "?" in text)):
            return found
        more = self._other.find_spans(text)
        if not more:
            return found
        # a key is in one automaton only, so a (start, end) is one key: this order is the single one
        found += more
        found.sort(key=_start_then_longer)
        return found


def _latin1(text: str) -> bool:
    """No character outside Latin-1: no key of ``_other`` without a ``?`` can match."""
    if text.isascii():
        return True
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def _start_then_longer(span: tuple[int, int, object]) -> tuple[int, int]:
    return span[0], -span[1]
