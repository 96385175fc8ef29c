"""One Aho-Corasick pass over a text, keeping only matches that respect word boundaries.

Aho-Corasick finds every occurrence of every pattern in time linear in the text, but it knows
nothing about words. Each pattern therefore says how its edges may meet the surrounding text:

- ``word`` edge: the neighbouring character must not be a letter or digit ("Nato", not "Donato");
- ``open`` edge: letters may continue, which is how German compounds and inflection are caught
  ("*angriff" matches "Drohnenangriff", "verhandl*" matches "Verhandlungen").

Patterns are written with ``*`` at an open edge: ``"verhandl*"``, ``"*angriff*"``, ``"Patriot"``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import ahocorasick

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Pattern(Generic[T]):
    text: str  # the literal to find, without the * markers
    payload: T
    open_left: bool = False
    open_right: bool = False


@dataclass(frozen=True, slots=True)
class Match(Generic[T]):
    start: int
    end: int
    payload: T


def parse_pattern(spec: str, payload: T) -> Pattern[T]:
    """Turn ``"*angriff*"`` style specs into a Pattern; a bare ``*`` or empty spec is refused."""
    open_left = spec.startswith("*")
    open_right = spec.endswith("*")
    literal = spec.strip("*")
    if not literal.strip():
        raise ValueError(f"empty pattern {spec!r}")
    return Pattern(literal, payload, open_left, open_right)


def fold_case(text: str) -> str:
    """Lower-case without changing the length, so offsets stay valid for the original text."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c if len(low := c.lower()) != 1 else low for c in text)


class PatternMatcher(Generic[T]):
    """All boundary-respecting occurrences of many patterns in one pass."""

    def __init__(self, patterns: Iterable[Pattern[T]], *, case_sensitive: bool = False) -> None:
        self.case_sensitive = case_sensitive
        grouped: dict[str, list[Pattern[T]]] = {}
        for pattern in patterns:
            key = pattern.text if case_sensitive else fold_case(pattern.text)
            grouped.setdefault(key, []).append(pattern)
        self._automaton = ahocorasick.Automaton()
        for key, group in grouped.items():
            self._automaton.add_word(key, (len(key), tuple(group)))
        self.size = len(grouped)
        if grouped:
            self._automaton.make_automaton()

    def find(self, text: str) -> list[Match[T]]:
        """Every match in text order (overlaps included); callers pick what they need."""
        if not self.size or not text:
            return []
        haystack = text if self.case_sensitive else fold_case(text)
        found: list[Match[T]] = []
        last = len(text) - 1
        for end_index, (length, group) in self._automaton.iter(haystack):
            start = end_index - length + 1
            left_is_word = start > 0 and text[start - 1].isalnum()
            right_is_word = end_index < last and text[end_index + 1].isalnum()
            for pattern in group:
                if (left_is_word and not pattern.open_left) or (right_is_word and not pattern.open_right):
                    continue
                found.append(Match(start, end_index + 1, pattern.payload))
        found.sort(key=lambda m: (m.start, -m.end))
        return found


def longest_non_overlapping(matches: Sequence[Match[T]]) -> list[Match[T]]:
    """Keep the longest match where matches overlap (leftmost first on ties)."""
    ordered = sorted(matches, key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[Match[T]] = []
    for match in ordered:
        if kept and match.start < kept[-1].end:
            if (match.end - match.start) > (kept[-1].end - kept[-1].start) and match.start == kept[-1].start:
                kept[-1] = match
            continue
        kept.append(match)
    return kept


def word_end(text: str, index: int) -> int:
    """Index just past the word that covers ``index`` (for reporting a whole compound)."""
    n = len(text)
    while index < n and text[index].isalnum():
        index += 1
    return index


def word_start(text: str, index: int) -> int:
    """Index of the first letter of the word that covers ``index``."""
    while index > 0 and text[index - 1].isalnum():
        index -= 1
    return index
