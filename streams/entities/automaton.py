"""The KB's automaton: its patterns compiled into the tables that the compiled core searches.

Patterns of one spelling share an automaton key; per key the core keeps its patterns' edge tests
(the text must not go on with a letter or digit at a closed edge) and payload indices. The search
itself (Latin-1 bytes for nearly every key, a second automaton for the few keys outside Latin-1
such as "Erdoğan"), the edge tests and everything the extractor does with the hits run in
``streams._native`` (streams/native/src/entities/).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic, TypeVar

from streams._native import KeyMatcher
from streams.matching import Pattern

T = TypeVar("T")


class SplitMatcher(Generic[T]):
    """All boundary-respecting occurrences of many case-sensitive patterns."""

    def __init__(self, patterns: Iterable[Pattern[T]]) -> None:
        grouped: dict[str, list[Pattern[T]]] = {}
        for pattern in patterns:
            grouped.setdefault(pattern.text, []).append(pattern)
        # distinct payloads (most keys share one: a given name, a gazetteer place ...), by identity
        payloads: list[T] = []
        index: dict[int, int] = {}
        table: list[list[tuple[bool, bool, int]]] = []
        for group in grouped.values():
            row: list[tuple[bool, bool, int]] = []
            for pattern in group:
                pos = index.get(id(pattern.payload))
                if pos is None:
                    pos = index[id(pattern.payload)] = len(payloads)
                    payloads.append(pattern.payload)
                row.append((not pattern.open_left, not pattern.open_right, pos))
            table.append(row)
        self.payloads: tuple[T, ...] = tuple(payloads)  # by the payload indices the core hands out
        self.size = len(grouped)
        self.native = KeyMatcher(list(grouped), table)

    def find_spans(self, text: str) -> list[tuple[int, int, T]]:
        """Every match as ``(start, end, payload)``, ordered by start, longer first at the same start
        (payloads of one spelling in pattern order): what the tests' reference ``PatternMatcher.find_spans``
        finds (tests/reference_matching.py)."""
        payloads = self.payloads
        return [(start, end, payloads[i]) for start, end, i in self.native.find_spans(text)]
