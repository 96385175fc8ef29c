"""The pure-Python matcher the compiled core is checked against (tests only).

Topic scoring (streams/native/src/classify.rs) and the entity scan (streams/native/src/entities/)
search in Rust. This module is the independent reference they are compared with: the same
boundary rules (``word`` and ``open`` edges, see ``streams.matching``) implemented in Python on
ahocorasick-rs, or pyahocorasick where that is missing (a fixture runs the tests on both). Both
libraries are dev dependencies; nothing under streams/ imports this module.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Generic, TypeVar

from streams.matching import Pattern, fold_case

try:
    import ahocorasick_rs as _rs
except ImportError:  # pragma: no cover - pyahocorasick does the same, slower
    _rs = None  # type: ignore[assignment]

T = TypeVar("T")
H = TypeVar("H")
U = TypeVar("U")


@dataclass(frozen=True, slots=True)
class Match(Generic[T]):
    start: int
    end: int
    payload: T


class PatternMatcher(Generic[T]):
    """All boundary-respecting occurrences of many patterns in one pass."""

    def __init__(self, patterns: Iterable[Pattern[T]], *, case_sensitive: bool = False) -> None:
        self.case_sensitive = case_sensitive
        grouped: dict[str, list[Pattern[T]]] = {}
        for pattern in patterns:
            key = pattern.text if case_sensitive else fold_case(pattern.text)
            grouped.setdefault(key, []).append(pattern)
        # per automaton key, its patterns as (closed left, closed right, payload): the edge tests the
        # hot loop makes, decided once here
        self._entries: tuple[tuple[tuple[bool, bool, T], ...], ...] = tuple(
            tuple((not p.open_left, not p.open_right, p.payload) for p in group) for group in grouped.values()
        )
        # the same, flat, for the hot loops (nearly every key has one pattern): per key its edge tests
        # as bits (2: closed left, 1: closed right) or _SEVERAL, and its first pattern's payload
        self._edges = bytes(_edge_bits(group) for group in self._entries)
        self._payloads = tuple(group[0][2] for group in self._entries)
        self.size = len(grouped)
        keys = list(grouped)
        self._search = _searcher(keys)
        self._search_latin1 = _latin1_searcher(keys)

    def find_spans(self, text: str, *, ordered: bool = True, folded: str | None = None) -> list[tuple[int, int, T]]:
        """Every match as ``(start, end, payload)``, ordered by start, longer first at the same start
        (overlaps included; payloads of one spelling in pattern order). The fast form of ``find``.

        ``ordered=False`` skips the final sort: the list is then in an order that a stable sort by
        start alone turns into the ordered one, so a caller that needs order for only some of the
        matches can sort just those (``sort(key=itemgetter(0))``). ``folded`` is ``fold_case(text)``
        where the caller has it already: a case-insensitive matcher searches that (same length) when it
        searches str (see ``_hits``), while edges are always judged on ``text``."""
        if not self.size or not text:
            return []
        hits = self._hits(text, folded)
        if not hits:
            return []
        entries = self._entries
        edges = self._edges
        payloads = self._payloads
        n = len(text)
        found: list[tuple[int, int, T]] = []
        append = found.append
        # hits come in end order, shorter last at the same end; walked backwards and then sorted
        # stably by start alone, equal starts stay longest first
        for index, start, end in reversed(hits):
            edge = edges[index]
            if edge != _SEVERAL:  # one pattern: no inner loop
                if edge & 1 and end < n and text[end].isalnum():
                    continue
                if edge & 2 and start and text[start - 1].isalnum():
                    continue
                append((start, end, payloads[index]))
                continue
            for closed_left, closed_right, payload in entries[index]:
                # the right edge first: a match cut out of a longer word fails there more often
                if closed_right and end < n and text[end].isalnum():
                    continue
                if closed_left and start and text[start - 1].isalnum():
                    continue
                append((start, end, payload))
        if ordered:
            found.sort(key=_START)
        return found

    def _hits(self, text: str, folded: str | None) -> list[tuple[int, int, int]]:
        """Every occurrence of every key as ``(key index, start, end)`` in end order, edges unchecked.

        Where the keys allow it, the search runs on the Latin-1 bytes of the text (see ``_latin1``):
        that replaces the Unicode ``lower()`` of ``fold_case`` by a byte table, and the search skips
        the UTF-8 offset mapping; the hits are the same."""
        if self._search_latin1 is not None:
            data = _latin1(text, not self.case_sensitive)
            if data is not None:
                return self._search_latin1(data, True)
        if self.case_sensitive:
            folded = text
        elif folded is None:
            folded = fold_case(text)
        return self._search(folded, True)

    def find(self, text: str) -> list[Match[T]]:
        """Every match in text order (overlaps included); callers pick what they need."""
        return [Match(start, end, payload) for start, end, payload in self.find_spans(text)]


_START = itemgetter(0)
_SEVERAL = 4  # a key with several patterns (one spelling, other edges or payloads)


def _edge_bits(group: tuple[tuple[bool, bool, object], ...]) -> int:
    if len(group) > 1:
        return _SEVERAL
    closed_left, closed_right, _ = group[0]
    return closed_left << 1 | closed_right


def find_split(
    matcher: PatternMatcher[tuple[tuple[H, ...], U | None]], text: str, *, folded: str | None = None
) -> tuple[set[H], list[tuple[int, int, U]]]:
    """``find_spans`` for payloads ``(tags, item)`` whose tags need neither order nor repeats: all tags
    of all matches as one set, and ``(start, end, item)`` for the matches with an item, in the order
    of ``find_spans``. One loop and no tuple per tag-only match (the classifier's hot path)."""
    tags: set[H] = set()
    items: list[tuple[int, int, U]] = []
    if not matcher.size or not text:
        return tags, items
    entries = matcher._entries
    edges = matcher._edges
    payloads = matcher._payloads
    n = len(text)
    update = tags.update
    append = items.append
    for index, start, end in reversed(matcher._hits(text, folded)):  # see find_spans
        edge = edges[index]
        if edge != _SEVERAL:  # one pattern: no inner loop
            if edge & 1 and end < n and text[end].isalnum():
                continue
            if edge & 2 and start and text[start - 1].isalnum():
                continue
            tag, item = payloads[index]
            if tag:
                update(tag)
            if item is not None:
                append((start, end, item))
            continue
        for closed_left, closed_right, (tag, item) in entries[index]:
            if closed_right and end < n and text[end].isalnum():
                continue
            if closed_left and start and text[start - 1].isalnum():
                continue
            if tag:
                update(tag)
            if item is not None:
                append((start, end, item))
    items.sort(key=_START)
    return tags, items


def _searcher(keys: list[str]) -> Callable[[str, bool], list[tuple[int, int, int]]]:
    """``search(text, True)`` -> every occurrence of every key as ``(key index, start, end)``, in end
    order (longest first at the same end).

    ahocorasick-rs where installed (one call, the hits as tuples, about twice as fast here), else
    pyahocorasick."""
    if not keys:
        return lambda _text, _overlapping: []
    if _rs is not None:
        return _rs.AhoCorasick(keys, implementation=_IMPLEMENTATION).find_matches_as_indexes
    import ahocorasick

    fallback = ahocorasick.Automaton()
    for index, key in enumerate(keys):
        fallback.add_word(key, (index, len(key) - 1))
    fallback.make_automaton()
    iterate = fallback.iter
    return lambda text, _overlapping: [(index, last - back, last + 1) for last, (index, back) in iterate(text)]


# A contiguous NFA, even for the taxonomy's few hundred keys: a DFA searches a warm cache a little
# faster in isolation, but its table (about 1.5 MB for the taxonomy) no longer fits the caches once
# the rest of the pipeline ran between two items, and in the worker the NFA is ~20% faster.
_IMPLEMENTATION = None if _rs is None else _rs.Implementation.ContiguousNFA


# ``str.lower()`` on Latin-1 is a byte table: A-Z and À-Þ (not ×) move up by 0x20, all else stays
_LATIN1_UPPER = bytes([*range(0x41, 0x5B), *range(0xC0, 0xD7), *range(0xD8, 0xDF)])
_LATIN1_LOWER = bytes.maketrans(_LATIN1_UPPER, bytes(c + 0x20 for c in _LATIN1_UPPER))
# the only characters outside Latin-1 whose lower case is inside it (Ÿ, capital ß, Kelvin, Ångström
# signs; a test checks every code point): a text holding one is searched as str
_LOWER_INTO_LATIN1 = ("\u0178", "\u1e9e", "\u212a", "\u212b")


def _latin1(text: str, fold: bool) -> bytes | None:
    """``text`` (lower-cased like ``fold_case`` when ``fold``) as one byte per character, every
    character outside Latin-1 as ``?``, so offsets are character offsets. Keys searched in it are
    Latin-1 without ``?``: they match exactly where they match the str. None where folding would
    bring a character into Latin-1 (the str search then decides)."""
    data = text.encode("latin-1", "replace")
    if not fold:
        return data
    if not text.isascii():
        for char in _LOWER_INTO_LATIN1:
            if char in text:
                return None
    return data.translate(_LATIN1_LOWER)


def _latin1_searcher(keys: list[str]) -> Callable[[bytes, bool], list[tuple[int, int, int]]] | None:
    """The ``_searcher`` of the keys' Latin-1 bytes, or None where a key is not Latin-1 or holds ``?``
    (or ahocorasick-rs is missing)."""
    if _rs is None or not keys or any("?" in key for key in keys):
        return None
    try:
        encoded = [key.encode("latin-1") for key in keys]
    except UnicodeEncodeError:
        return None
    return _rs.BytesAhoCorasick(encoded, implementation=_IMPLEMENTATION).find_matches_as_indexes


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
    match = _ALNUM_RUN.match(text, index) if index < len(text) else None
    return match.end() if match else index


_ALNUM_RUN = re.compile(r"[^\W_]*")  # a run of characters for which str.isalnum() holds


def word_start(text: str, index: int) -> int:
    """Index of the first letter of the word that covers ``index``."""
    while index > 0 and text[index - 1].isalnum():
        index -= 1
    return index
