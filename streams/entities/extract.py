"""Find the people, organisations, places and weapon systems an item names.

One case-sensitive Aho-Corasick pass (``kb.matcher``) finds KB names, their genitive forms, weak
forms (adjectives, demonyms), discovery cues (titles, organisation heads, legal forms, club
prefixes), given names, gazetteer places and where the whole-text regexes may start (``in`` and a
capital, a road number, a dateline in capitals). Conservative rules then turn cues into discovered
names, candidates compete (longest span wins, a KB link wins a tie) and mentions are grouped into
one Entity per KB id or per discovered name. Case matters: German capitalises names (and nouns), so
a lower-case "russische" is never the name "Russe", and "merz" is never Friedrich Merz.
"""

from __future__ import annotations

import dataclasses
import re
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, TypeVar

from streams.entities.automaton import CLOSED_LEFT, CLOSED_RIGHT, SEVERAL
from streams.entities.kb import (
    CUE,
    FIRSTNAME,
    LEXSURNAME,
    NAME,
    SHAPE,
    SURNAME,
    TOPONYM,
    WEAK,
    KbEntity,
    KnowledgeBase,
)
from streams.matching import word_end, word_start
from streams.models import Entity, Mention, WireItem

_V = TypeVar("_V")
_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
_NOUN_ENDINGS = ("ung", "ungen", "heit", "keit", "schaft", "tion", "tionen", "ität", "ismus", "nisse")
_QUALIFIERS_OPEN = frozenset({"für", "of", "for"})  # descriptive: "Institut für Weltwirtschaft"
_ORG_LINKS = frozenset({"und", "des", "der"})  # inside a descriptive name: "für Arbeit und Soziales"
_QUALIFIERS_NAME = frozenset({"der", "des", "zu", "von", "am", "an"})  # "Universität zu Köln"
_SENTENCE_END = frozenset('.!?:;"„“»«')
_SECOND_PARTICLES = frozenset({"der", "den", "de", "la", "van", "von", "zu", "del"})
# \b[A-ZÄÖÜ][A-ZÄÖÜ]{2,5}\b(?![-.]) with the leading \b as a look-behind after the first letter
_ACRONYM = re.compile(r"[A-ZÄÖÜ](?<!\w[A-ZÄÖÜ])[A-ZÄÖÜ]{2,5}\b(?![-.])")
# " in/aus/nach Xyz" after a space, or after a line break at a paragraph's start
_PREP_WORD = re.compile(r" (?:in|In|aus|Aus|nach|Nach) ([A-ZÄÖÜ][^\W\d_]{2,})\b")
_PREP_LINE = re.compile(r"\n(?:In|Aus|Nach) ([A-ZÄÖÜ][^\W\d_]{2,})\b")
_PREP_FIRST = re.compile(_PREP_LINE.pattern[2:])  # the same at the start of the text
_PREP_OPENINGS = ("In ", "Aus ", "Nach ")  # what a _PREP_FIRST match starts with
_JOINERS = frozenset("-'’")
# "die A 7", "zur A1", "der B 27": German motorways and federal roads by number
_ROADS = tuple(re.compile(" (" + road + r" ?[1-9]\d{0,2})(?![\w,-]|\.\d)") for road in "AB")
# "BOCHUM (dpa) -", "RIEDLINGEN - ": a dateline in capitals opening the text or a paragraph
_DATELINE = re.compile(r"([A-ZÄÖÜ]{3,}(?:-[A-ZÄÖÜ]{2,})?) (?:\(|[-–] )")
_DATELINE_LINE = re.compile("\n" + _DATELINE.pattern)

# Where those regexes can match: each match starts with one of a few literals (" in " and a capital for
# _PREP_WORD, and so on), which the KB automaton finds in its one pass (SHAPE hits, see kb._SHAPES). A
# regex search would try every capital or space of a German text; instead the regexes are tried at those
# places only (see _Shapes), finding what their finditer would. Unknown acronyms start a run of three
# capitals: in a text's Latin-1 bytes with every [A-ZÄÖÜ] as "A" (a character outside Latin-1 as "?"),
# one byte regex finds those runs.
_SHAPE = bytes.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÜ".encode("latin-1"), b"A" * 29)
_CAPITAL_RUN = re.compile(b"AAA+")
_ROMAN = re.compile(r"[IVXLCDM]+")
_ACRONYM_CONTEXT = frozenset(
    [
        "der",
        "die",
        "das",
        "des",
        "dem",
        "den",
        "vom",
        "beim",
        "zum",
        "zur",
        "im",
        "am",
        "the",
        "Der",
        "Die",
        "Das",
        "Des",
        "Dem",
        "Den",
        "Vom",
        "Beim",
        "Zum",
        "Zur",
        "Im",
        "Am",
        "The",
    ]
)

_COMPARISONS = frozenset({"als", "wie"})  # "Anders als": the word, not the name
_ADJECTIVE_ENDINGS = ("e", "en", "er", "es")
_DETERMINERS = frozenset(
    {"ein", "eine", "einen", "einem", "einer", "eines", "diese", "dieser", "diesen", "diesem", "dieses"}
    | {"jede", "jeder", "jeden", "jedem", "jedes", "alle", "keine", "keiner", "keinen", "seine", "seiner"}
    | {"seinen", "ihre", "ihrer", "ihren", "unsere", "unserer", "unseren", "welche", "mehrere", "andere"}
    | {"anderen", "beide", "beiden", "viele", "einige", "manche", "jene", "jener"}
)

# words before an unknown acronym that make it an organisation: articles, contractions, prepositions
_ACRONYM_CONTEXT_WIDE = _ACRONYM_CONTEXT | frozenset(["bei", "von", "für", "mit", "gegen", "über", "durch"])
# words after which a capitalised word is a place or a thing rather than a bare person's name
_PLACE_OR_ARTICLE = _ACRONYM_CONTEXT | frozenset(
    ["in", "In", "aus", "Aus", "nach", "Nach", "bei", "Bei", "nahe", "Richtung", "zwischen"]
)

# Candidate ranks: lower wins when two candidates cover the same span
_RANK_KB, _RANK_SURNAME, _RANK_RULE, _RANK_GAZ, _RANK_GIVEN, _RANK_GUESS, _RANK_WEAK = 0, 1, 2, 3, 4, 5, 6

# Salience weights
_W_HEADLINE, _W_LEAD, _W_BODY, _W_WEAK_FACTOR, _W_DATELINE = 3.0, 2.0, 1.0, 0.35, 2.0


@dataclass(slots=True)
class Span:
    """A candidate or chosen mention; ``entity`` is a KB index, None for a discovered name."""

    field: str
    start: int
    end: int
    type: str
    entity: int | None
    name: str
    rank: int
    weak: bool = False
    rule: str = ""
    targets: tuple[int, ...] = ()  # shared alias: candidates still to resolve by context


class _FieldScan:
    """What the scan of one field has found so far."""

    __slots__ = (
        "bare",
        "block_places",
        "blocked",
        "candidates",
        "field",
        "firstnames",
        "people",
        "person_ids",
        "places",
        "reversed",
        "shared",
        "surnames",
        "text",
        "title_ends",
    )

    def __init__(self, field: str, text: str, reversed_text: str | None = None) -> None:
        self.field = field
        self.text = text
        # text[::-1], for looking back with a regex; made when first needed (most fields never do)
        self.reversed = reversed_text
        self.candidates: list[Span] = []
        self.blocked: dict[int, int] = {}  # start -> end of KB names (not people)
        self.places: dict[int, int] = {}  # start -> end of gazetteer places
        self.block_places: dict[int, int] = {}  # start -> end of KB places
        self.people: set[int] = set()  # starts of KB person names (no rule needed)
        self.title_ends: set[int] = set()
        self.firstnames: list[int] = []
        self.bare: list[tuple[int, int]] = []  # lexicon surnames (start, end)
        self.surnames: list[Span] = []  # KB surnames that need a licence
        self.shared: list[Span] = []  # candidates of a shared alias, to resolve by context
        self.person_ids: set[int] = set()  # KB people named in full here


def _next_word(text: str, pos: int, *, comma: bool = False) -> tuple[int, int] | None:
    """The word right after ``pos`` with only spaces between (optionally one comma)."""
    char = text[pos : pos + 1]
    if char == " ":
        # the common case, without the regex: a space, then a plain word up to the next space
        space = text.find(" ", pos + 1)
        end = space if space >= 0 else len(text)
        if text[pos + 1 : end].isalnum():
            return pos + 1, end
    elif not char.isalnum() and not (comma and char == ","):
        return None  # the regex could not match here: spare the call
    m = (_NEXT_WORD_COMMA if comma else _NEXT_WORD).match(text, pos)
    return m.span(1) if m else None


# spaces, (one comma and spaces,) then a _WORD: one regex call instead of a loop per character
_NEXT_WORD = re.compile(r" *(" + _WORD.pattern + ")")
_NEXT_WORD_COMMA = re.compile(r" *(?:, *)?(" + _WORD.pattern + ")")


def _prev_word(scan: _FieldScan, pos: int) -> tuple[int, int] | None:
    """The word right before ``pos`` with only spaces between: the run of letters, digits and
    ``-'’`` there, from its first letter or digit. Read off the reversed text with one regex call."""
    text = scan.text
    # no word when the character before (or before a single space) cannot end one
    if pos <= 0:
        return None
    char = text[pos - 1]
    if char == " " and pos > 1:
        # the common case, without the regex: a space, and a plain word after the space before it
        space = text.rfind(" ", 0, pos - 1)
        if text[space + 1 : pos - 1].isalnum():
            return space + 1, pos - 1
        char = text[pos - 2]
    if char != " " and not char.isalnum() and char not in "-'’":
        return None
    n = len(text)
    reversed_text = scan.reversed
    if reversed_text is None:
        reversed_text = scan.reversed = text[::-1]
    m = _REVERSED_RUN.match(reversed_text, n - pos)
    if m is None:  # pragma: no cover - the pattern matches the empty string
        return None
    first, last = m.span(1)
    if first == last:
        return None
    start, end = n - last, n - first
    while text[start] in "-'’":  # the word starts at its first letter or digit
        start += 1
        if start == end:
            return None
    return start, end


# in the reversed text: spaces, then the run of characters that are alphanumeric or -'’ (taken a run
# of letters and digits at a time, which is faster than one character per repetition)
_REVERSED_RUN = re.compile(r" *((?:[^\W_]+|[-'’])*)")


# name_word answers, remembered per word: never, always, or only right after a given name
_NAME_NEVER, _NAME_ALWAYS, _NAME_AFTER_GIVEN = 0, 1, 2
_CACHE_WORDS = 50_000  # a word cache is emptied when it grows past this many words (a few MB)


def _remember(cache: dict[str, _V], word: str, value: _V) -> None:
    if len(cache) >= _CACHE_WORDS:
        cache.clear()
    cache[word] = value


_HOUSE_NUMBER = re.compile(r" (\d{1,4}[a-z]?)\b(?![.,]\d)")


class _Shapes:
    """Where the whole-text regexes can match in one text (see _SHAPE), as start offsets, ascending."""

    __slots__ = ("acronyms", "datelines", "prep_lines", "prep_words", "roads")

    def __init__(self, text: str, starts: dict[str, list[int]]) -> None:
        """``starts``: the starts of the KB automaton's SHAPE hits in ``text`` by group, ascending."""
        shape = text.encode("latin-1", "replace").translate(_SHAPE)  # one byte per character
        self.acronyms = [run.start() for run in _CAPITAL_RUN.finditer(shape)]
        self.prep_words = starts.get("prep-word", _NONE)
        self.prep_lines = starts.get("prep-line", _NONE)
        self.datelines = starts.get("dateline", _NONE)
        self.roads = (starts.get("road-a", _NONE), starts.get("road-b", _NONE))


_NONE: list[int] = []  # no starts (never appended to)


def _matches_at(pattern: re.Pattern[str], text: str, starts: list[int]) -> list[re.Match[str]]:
    """What ``pattern.finditer(text)`` finds where each match must begin at one of ``starts``
    (ascending): the pattern is tried there, not inside the last match (the pattern never matches
    the empty string)."""
    found: list[re.Match[str]] = []
    if not starts:  # the common case: spare the loop's set-up
        return found
    match = pattern.match
    end = 0
    for start in starts:
        if start >= end:
            m = match(text, start)
            if m is not None:
                found.append(m)
                end = m.end()
    return found


def _house_number(text: str, end: int) -> int:
    """End of a street name with its house number ("Neuendorfer Straße 90c"), if one follows."""
    m = _HOUSE_NUMBER.match(text, end)
    return m.end(1) if m else end


def _next_is_capitalised(text: str, pos: int) -> bool:
    nxt = _next_word(text, pos)
    return nxt is not None and text[nxt[0]].isupper()


def _in_parentheses(text: str, start: int, end: int) -> bool:
    """``(XYZ)`` or ``( XYZ )``: the word alone between parentheses."""
    before = text[max(0, start - 2) : start].rstrip(" ")
    return before[-1:] == "(" and text[end : end + 2].lstrip(" ")[:1] == ")"


def _sentence_initial(text: str, start: int) -> bool:
    pos = start
    while pos > 0 and text[pos - 1] in " \n\t(":
        pos -= 1
    return pos == 0 or text[pos - 1] in _SENTENCE_END


class _Rules:
    """Discovery rules over one field; kept together because they share the lexicon lookups."""

    def __init__(self, kb: KnowledgeBase) -> None:
        lex = kb.lexicon
        self.kb = kb
        self.first = lex.first_names
        self.surnames = lex.surnames
        self.common = lex.common_nouns
        self.stop = lex.token_cues.get("stop", frozenset())
        self.particles = lex.token_cues.get("particle", frozenset())
        self.preps = lex.token_cues.get("place-prep", frozenset())
        self.districts = lex.token_cues.get("district", frozenset())
        self.road_context = lex.token_cues.get("road-context", frozenset())
        self.place_suffixes = lex.place_suffixes
        self.place_prefixes = lex.place_prefixes
        self.org_types = lex.org_types
        self.english = lex.english_words
        self.toponyms = lex.toponyms
        self.strong_places = lex.strong_places
        self.acronym_stop = lex.token_cues.get("acronym-stop", frozenset())
        # the word tests are pure functions of the word: remembered per word (a bounded cache)
        self._name_codes: dict[str, int] = {}
        self._compounds: dict[str, bool] = {}
        self._speakers: dict[str, bool] = {}  # may name who speaks ("sagte Beispiel")
        self._datelines: dict[str, KbEntity | None] = {}
        self._prep_words: dict[str, bool] = {}  # may be a place after in/aus/nach
        self._place_adjectives: dict[str, bool] = {}

    def dateline_entity(self, place: str) -> KbEntity | None:
        """The KB entity a dateline place names, as ``kb.lookup`` finds it (remembered per place)."""
        if place in self._datelines:
            return self._datelines[place]
        ent = self.kb.lookup(place) or self.kb.lookup(place.title())
        if len(self._datelines) >= _CACHE_WORDS:
            self._datelines.clear()
        self._datelines[place] = ent
        return ent

    def is_common(self, word: str) -> bool:
        """A capitalised common noun, not a name ("Regierung", "Gespräche")."""
        if word in self.common:
            return word not in self.first
        return word.endswith(_NOUN_ENDINGS) and "-" not in word

    def is_compound(self, word: str) -> bool:
        """A German compound noun ends in a common noun: "Modelsuche", "Gefangenenaustausch"."""
        known = self._compounds.get(word)
        if known is None:
            common = self.common
            known = any(word[cut].upper() + word[cut + 1 :] in common for cut in range(3, len(word) - 3))
            _remember(self._compounds, word, known)
        return known

    def name_word(self, word: str, *, after_given: bool = False) -> bool:
        """Could this word be part of a person's name? Right after a given name any capitalised
        German word counts, since surnames are often nouns ("Thomas Müller", "Jana Fischer")."""
        code = self._name_codes.get(word)
        if code is None:
            code = self._name_code(word)
            _remember(self._name_codes, word, code)
        return code == _NAME_ALWAYS or (after_given and code == _NAME_AFTER_GIVEN)

    def _name_code(self, word: str) -> int:
        if not word[0].isupper() or word in self.stop:
            return _NAME_NEVER
        if not any(c.islower() for c in word):
            return _NAME_NEVER  # acronyms (USA, CDU) are no personal names
        if self.is_common(word):
            return _NAME_NEVER if word in self.english else _NAME_AFTER_GIVEN
        return _NAME_ALWAYS

    def name_run(
        self,
        scan: _FieldScan,
        pos: int,
        *,
        max_words: int = 4,
        comma: bool = False,
        given: bool = False,
        first: tuple[int, int] | None = None,
    ) -> int:
        """End of the run of name words starting right after ``pos``; -1 when there is none.
        ``first`` is ``_next_word(text, pos, comma=comma)`` where the caller has it already."""
        text, end, words = scan.text, -1, 0
        nxt = first if first is not None else _next_word(text, pos, comma=comma)
        while nxt is not None and words < max_words:
            start, stop = nxt
            word = text[start:stop]
            if start in scan.blocked:
                break
            after_given = given
            if word in self.particles and words:
                after = _next_word(text, stop)
                if after is not None and text[after[0] : after[1]] in _SECOND_PARTICLES:
                    after = _next_word(text, after[1])  # "von der Leyen", "van den Berg"
                if after is None or not self.name_word(text[after[0] : after[1]]) or after[0] in scan.blocked:
                    break
                start, stop = after
                word = text[start:stop]
            elif len(word) == 1 and word.isupper() and stop < len(text) and text[stop] == ".":
                stop += 1  # an initial: "John F. Kennedy"
                nxt2 = _next_word(text, stop)
                if nxt2 is None or not self.name_word(text[nxt2[0] : nxt2[1]]):
                    break
                end, words, nxt = stop, words + 1, nxt2
                continue
            elif not self.name_word(word, after_given=after_given):
                break
            elif (words >= 2 or (words == 1 and not given)) and self.is_compound(word):
                break  # "Heidi Klums Modelsuche": a compound noun ends the name
            given = word in self.first
            end, words = stop, words + 1
            nxt = _next_word(text, stop)
        return end

    # -- persons -------------------------------------------------------------------------------

    def titled(self, scan: _FieldScan, title_end: int) -> None:
        # the common cases first, without a word lookup: after one space a lower-case word ("Präsident
        # der Ukraine") or a KB person's name, which wins anyway ("Präsident Wolodymyr Selenskyj"); there
        # _next_word would find a word starting right there, or none
        text, after = scan.text, title_end + 1
        if text[title_end:after] == " ":
            char = text[after : after + 1]
            if char.islower() or (after in scan.people and char.isalnum()):
                return
        first = _next_word(scan.text, title_end, comma=True)
        if first is None or first[0] in scan.people or not scan.text[first[0]].isupper():
            return  # nothing capitalised follows, or a KB name does (it wins anyway)
        end = self.name_run(scan, title_end, comma=True, first=first)
        if end < 0:
            return
        start = first
        name = scan.text[start[0] : end]
        if name in self.first:
            return  # "Präsident Wladimir) Putin": a lone given name is not yet a person
        if " " not in name and (self.is_compound(name) or name in self.toponyms):
            return
        self._person(scan, start[0], end, "title")

    def first_named(self, scan: _FieldScan, start: int) -> None:
        """``Jana Beispiel``: a given name and the name words after it. A given name that is also a
        KB organisation ("Leonardo") is a person only with a surname after it ("Leonardo DiCaprio")."""
        if start in scan.places or start in scan.people:
            return
        word = _WORD.match(scan.text, start)
        if word is None:
            return
        known = start in scan.blocked
        if known and scan.blocked[start] != word.end():
            return  # a longer KB name starts here
        end = self.name_run(scan, word.end(), max_words=3, given=True)
        if end > 0:
            self._person(scan, start, end, "first-name", _RANK_GIVEN)
        elif not known:
            self.lone_given(scan, start, word.end())

    def lone_given(self, scan: _FieldScan, start: int, end: int) -> None:
        """``sagte Lukas``: a given name on its own is a person (news call people, children and
        artists by first name) unless it is also a word, a place or part of a longer name."""
        text = scan.text
        word = text[start:end]
        if len(word) < 3 or word not in self.first or word in self.common or word in self.toponyms:
            return
        if word in self.stop or text[end : end + 1] in _JOINERS or text[start - 1 : start] in _JOINERS:
            return
        nxt = _next_word(text, end)
        if nxt is not None and (text[nxt[0]].isupper() or text[nxt[0] : nxt[1]] in self.particles):
            return  # "Ole von Beust": part of a longer name
        if _sentence_initial(text, start) and (nxt is None or text[nxt[0] : nxt[1]] in _COMPARISONS):
            return  # "Anders als ...": a given name that may be a word, at a sentence's start
        if self._after_place_prefix(text, start):
            return  # "St. Peter", "San Marco": a place or church
        prev = _prev_word(scan, start)
        if prev is not None:
            before = text[prev[0] : prev[1]]
            if before[0].isupper() and (not self.is_common(before) or before in self.first):
                return
            if before in _PLACE_OR_ARTICLE:
                return
        self._person(scan, start, end, "lone-given", _RANK_GUESS)

    def _after_place_prefix(self, text: str, start: int) -> bool:
        before = text[max(0, start - 8) : start].rstrip(" .")
        cut = max(before.rfind(" "), before.rfind("\n"))
        return before[cut + 1 :] in self.place_prefixes

    def bare_surname(self, scan: _FieldScan, start: int, end: int) -> None:
        """``sagte gestern Kowalski``: a surname from the lexicon (no noun, given name or place)
        standing alone is a person, also at a sentence's start (the list holds no common words).
        Not next to another capitalised word (a longer name the other rules read, or an
        organisation), not after a locative preposition or an article ("in Lincoln", "der
        Kowalski-Plan")."""
        text = scan.text
        if start in scan.blocked or start in scan.places or start in scan.people:
            return
        if text[end : end + 1] in _JOINERS or text[start - 1 : start] in _JOINERS:
            return
        prev = _prev_word(scan, start)
        if prev is not None:
            word = text[prev[0] : prev[1]]
            if (word[0].isupper() and not self.is_common(word)) or word in _PLACE_OR_ARTICLE:
                return
        nxt = _next_word(text, end)
        if nxt is not None and text[nxt[0]].isupper():
            return
        self._person(scan, start, end, "bare-surname", _RANK_GUESS)

    def party_tagged(self, scan: _FieldScan, open_paren: int) -> None:
        """``Name (CDU)``: the capitalised words before a party tag are a person."""
        text, pos, start, words = scan.text, open_paren, -1, 0
        end = open_paren
        while end > 0 and text[end - 1] == " ":
            end -= 1
        while words < 3:
            prev = _prev_word(scan, pos)
            if prev is None or not self.name_word(text[prev[0] : prev[1]]) or prev[0] in scan.blocked:
                break
            if prev[1] in scan.title_ends:
                break  # "Bundeskanzler Friedrich Merz (CDU)": the title is not part of the name
            start, pos, words = prev[0], prev[0], words + 1
        if words:
            self._person(scan, start, end, "party-tag")

    def _person(self, scan: _FieldScan, start: int, end: int, rule: str, rank: int = _RANK_RULE) -> None:
        name = scan.text[start:end]
        scan.candidates.append(Span(scan.field, start, end, "person", None, name, rank, rule=rule))

    # -- organisations -------------------------------------------------------------------------

    def org_suffix(self, scan: _FieldScan, cue_start: int, cue_end: int) -> None:
        text, pos, start, words = scan.text, cue_start, -1, 0
        while words < 4:
            prev = _prev_word(scan, pos)
            if prev is None:
                break
            word = text[prev[0] : prev[1]]
            if (not word[0].isupper() and not word[0].isdigit()) or word in self.stop:
                break
            if words and word.endswith(self.org_types):
                break  # "das Unternehmen CGX Energy": the noun for its kind is not in the name
            start, pos, words = prev[0], prev[0], words + 1
        if words:
            self._org(scan, start, cue_end, "org-suffix")

    def org_head(self, scan: _FieldScan, head_start: int, head_end: int, compound: bool) -> None:
        text = scan.text
        start, end = head_start, head_end
        qualified = compound
        nxt = _next_word(text, head_end)
        if nxt is not None:
            word = text[nxt[0] : nxt[1]]
            if word in _QUALIFIERS_OPEN or word in _QUALIFIERS_NAME:
                run = self._org_run(scan, nxt[1], open_words=word in _QUALIFIERS_OPEN)
                if run > 0:
                    end, qualified = run, True
            elif nxt[0] in scan.places or nxt[0] in scan.block_places:  # "Universität Hamburg"
                end, qualified = scan.block_places.get(nxt[0]) or scan.places[nxt[0]], True
            elif word in self.toponyms and not _next_is_capitalised(text, nxt[1]):
                end, qualified = nxt[1], True  # "Universität Gießen": a place that is also a word
        if qualified:
            prev = _prev_word(scan, start)
            if prev is not None and self._name_adjective(text[prev[0] : prev[1]]):
                start = prev[0]  # "Medizinische Hochschule Hannover", "Freie Universität Berlin"
            self._org(scan, start, end, "org-head")

    def _name_adjective(self, word: str) -> bool:
        """A capitalised inflected adjective that can open a name; no article or determiner."""
        return (
            word[:1].isupper()
            and word.endswith(_ADJECTIVE_ENDINGS)
            and word not in _ACRONYM_CONTEXT
            and word.lower() not in _DETERMINERS
        )

    def _org_run(self, scan: _FieldScan, pos: int, *, open_words: bool) -> int:
        text, end, words = scan.text, -1, 0
        nxt = _next_word(text, pos)
        while nxt is not None and words < 6:
            word = text[nxt[0] : nxt[1]]
            if open_words and words and word in _ORG_LINKS:  # "für Arbeit und Soziales", "für Technik des Saarlandes"
                after = _next_word(text, nxt[1])
                if after is None or not text[after[0]].isupper() or text[after[0] : after[1]] in self.stop:
                    break
                following = text[after[0] : after[1]]
                if word != "und" and self.is_common(following) and not self._genitive_place(following):
                    break  # "des Saarlandes" belongs to the name, "der Stadt" does not
                nxt = after
                continue
            if not word[0].isupper() or word in self.stop:
                break
            if not open_words and self.is_common(word) and nxt[0] not in scan.blocked:
                break
            end, words = nxt[1], words + 1
            nxt = _next_word(text, nxt[1])
        return end

    def _genitive_place(self, word: str) -> bool:
        """``Saarlandes``: a place name, possibly with its genitive -s or -es."""
        return word in self.toponyms or word[:-1] in self.toponyms or word[:-2] in self.toponyms

    def club(self, scan: _FieldScan, cue_start: int, cue_end: int) -> None:
        text, end, words = scan.text, -1, 0
        nxt = _next_word(text, cue_end)
        while nxt is not None and words < 3:
            word = text[nxt[0] : nxt[1]]
            if word.isdigit() and words:
                end = nxt[1]
                break
            if not word[0].isupper() or word in self.stop:
                break
            known = scan.blocked.get(nxt[0]) or scan.places.get(nxt[0])
            if self.is_common(word) and known is None:
                break
            end, words = known or nxt[1], words + 1
            nxt = _next_word(text, end)
        if end > 0:
            self._org(scan, cue_start, end, "club")

    def typed_org(self, scan: _FieldScan, type_end: int) -> None:
        """``der Konzern Xyz AG``, ``die Rockband Xyz``: capitalised non-nouns right after a noun that
        names a kind of organisation are its name. Not when a given name, a place or a KB name
        follows (the other rules read those), nor when the name runs on into a capitalised word."""
        text = scan.text
        if word_end(text, type_end) != type_end:
            return
        nxt = _next_word(text, type_end)
        if nxt is None or not text[nxt[0]].isupper() or nxt[0] in scan.people or nxt[0] in scan.places:
            return
        if nxt[0] in scan.blocked or text[nxt[0] : nxt[1]] in self.first:
            return
        end = self._org_run(scan, type_end, open_words=False)
        if end < 0:
            return
        after = _next_word(text, end)
        if after is not None and text[after[0]].isupper():
            return  # the name goes on with a noun or function word: where it ends is unclear
        self._org(scan, nxt[0], end, "org-type")

    def _org(self, scan: _FieldScan, start: int, end: int, rule: str) -> None:
        name = scan.text[start:end]
        scan.candidates.append(Span(scan.field, start, end, "organisation", None, name, _RANK_RULE, rule=rule))

    # -- places --------------------------------------------------------------------------------

    def after_preposition(self, scan: _FieldScan, start: int) -> bool:
        if start == 0 or scan.text[start - 1] != " ":
            return False  # the preposition must stand apart, with a space between
        prev = _prev_word(scan, start)
        return prev is not None and scan.text[prev[0] : prev[1]] in self.preps and prev[1] < start

    def inside_name(self, scan: _FieldScan, start: int, end: int) -> bool:
        """A gazetteer word next to another capitalised word is part of a longer name
        ("Philadelphia Flyers", "Eurospeedway Lausitz"), unless the neighbour is a name itself."""
        text = scan.text
        # a next word needs a space or letter right after, a previous one a space right before
        follows = text[end : end + 1]
        nxt = _next_word(text, end) if follows == " " or follows.isalnum() else None
        if nxt is not None and text[nxt[0]].isupper() and text[nxt[0] : nxt[1]] not in self.stop:
            return True
        if start == 0 or text[start - 1] != " ":
            return False
        prev = _prev_word(scan, start)
        if prev is not None and prev[1] < start and text[prev[0]].isupper():
            word = text[prev[0] : prev[1]]
            return word not in self.stop and not _sentence_initial(text, prev[0]) and not self.is_common(word)
        return False

    def prep_places(self, scan: _FieldScan, shapes: _Shapes) -> None:
        """``in Xdorf``/``aus Yhausen``: an unknown capitalised word right after in/aus/nach that is no
        noun, given name, English word or compound noun, and does not begin a longer capitalised run
        or a compound ("in Müller-Lüdenscheids Sinne"), names a place."""
        text = scan.text
        matches = _matches_at(_PREP_WORD, text, shapes.prep_words)
        matches += _matches_at(_PREP_LINE, text, shapes.prep_lines)
        first = _PREP_FIRST.match(text) if text.startswith(_PREP_OPENINGS) else None
        if first is not None:
            matches.append(first)
        for m in matches:
            start, end = m.span(1)
            if start in scan.blocked or start in scan.places or start in scan.people:
                continue
            word = m.group(1)
            if not self._prep_place_word(word) or text[end : end + 1] in _JOINERS:
                continue
            nxt = _next_word(text, end)
            if nxt is not None and text[nxt[0]].isupper():
                continue
            scan.candidates.append(Span(scan.field, start, end, "place", None, word, _RANK_GUESS, rule="prep-place"))

    def _prep_place_word(self, word: str) -> bool:
        known = self._prep_words.get(word)
        if known is None:
            known = not (
                word in self.first
                or word in self.stop
                or word in self.english
                or not any(c.islower() for c in word[1:])
                or any(c.isupper() for c in word[1:])
                or self.is_common(word)
                or self.is_compound(word)
            )
            _remember(self._prep_words, word, known)
        return known

    def headed_place(self, scan: _FieldScan, head_start: int, head_end: int, *, with_head: bool) -> None:
        """``Gemeinde Xdorf``, ``Kanton Yberg``: an unknown capitalised non-noun after a settlement
        or region noun is a place; after a prefix that belongs to the name (``Bad``, ``St.``,
        ``San``) the place spans both words. Not when another capitalised word follows."""
        text = scan.text
        nxt = _next_word(text, head_end)
        if nxt is None:
            return
        start, end = nxt
        if start in scan.blocked or start in scan.people or not text[start].isupper():
            return
        word = text[start:end]
        if word in self.stop or word in self.first or self.is_common(word) or word in self.english:
            return
        if not any(c.islower() for c in word):
            return
        after = _next_word(text, end)
        if after is not None and text[after[0]].isupper() and text[after[0] : after[1]] not in self.stop:
            return
        if text[end : end + 1] in _JOINERS and not with_head:
            return
        if with_head:
            start = head_start
        else:
            end = scan.places.get(start, end)
        name = text[start:end]
        scan.candidates.append(Span(scan.field, start, end, "place", None, name, _RANK_RULE, rule="place-head"))

    def district_places(self, scan: _FieldScan) -> None:
        """``Berlin-Mitte``, ``in Köln-Porz``: a place joined by a hyphen to a district word, or after a
        locative preposition to a place name or capitalised non-noun, names a district ("der
        Berlin-Besuch" and "US-Baufinanzierer" are nouns)."""
        text = scan.text
        if "-" not in text:
            return
        joined = [s for s in scan.candidates if s.type == "place" and not s.weak and text[s.end : s.end + 1] == "-"]
        for span in joined:
            end = span.end
            m = _WORD.match(text, end + 1)
            if m is None or not text[end + 1].isupper():
                continue
            last = m.group().rsplit("-", 1)[-1]
            if not last[:1].isupper() or text[m.end() : m.end() + 1] in _JOINERS:
                continue
            if not (last in self.districts or last in self.toponyms or self._prep_place_word(last)):
                continue
            if last not in self.districts and not self.after_preposition(scan, span.start):
                continue  # "in Köln-Wahn"; "der Berlin-Besuch", "US-Baufinanzierer" are nouns
            start, end = span.start, m.end()
            name = text[start:end]
            scan.candidates.append(Span(scan.field, start, end, "place", None, name, _RANK_RULE, rule="district"))

    def roads_and_datelines(self, scan: _FieldScan, shapes: _Shapes) -> None:
        """``auf der A 7``: a road number after an article or road noun; ``BOCHUM (dpa) -``: the
        place of a dateline in capitals (unless the KB knows the word, as the agency "AP")."""
        text = scan.text
        for road, starts in zip(_ROADS, shapes.roads, strict=True):
            for m in _matches_at(road, text, starts):
                start, end = m.span(1)
                prev = _prev_word(scan, start)
                before = text[prev[0] : prev[1]] if prev is not None else ""
                # "die A1" may be a product; "die A 7" and "der A1" are roads
                if before in self.road_context and (text[start + 1] == " " or before != "die"):
                    name = text[start:end]
                    scan.candidates.append(Span(scan.field, start, end, "place", None, name, _RANK_RULE, rule="road"))
        first = _DATELINE.match(text) if text[:3].isupper() else None  # it starts with three capitals
        lines = _matches_at(_DATELINE_LINE, text, shapes.datelines)
        for m in (first, *lines) if first else lines:
            start, end = m.span(1)
            if start not in scan.blocked and start not in scan.people and not _ROMAN.fullmatch(m.group(1)):
                name = m.group(1).title()
                scan.candidates.append(Span(scan.field, start, end, "place", None, name, _RANK_RULE, rule="dateline"))

    def street(self, scan: _FieldScan, end: int) -> None:
        """``Knoopstraße``, ``Friedrich-Engels-Straße``: a capitalised word ending in a street noun
        that is no common noun itself ("Hauptstraße" and "Parkplatz" are) names a street."""
        text = scan.text
        if word_end(text, end) != end:
            return
        start = end
        while start > 0 and (text[start - 1].isalnum() or text[start - 1] in _JOINERS):
            start -= 1  # the whole hyphenated word: "Hanna-Kessler-Straße"
        word = text[start:end]
        if not word[:1].isupper() or start in scan.blocked or word in self.common:
            return
        end = _house_number(text, end)
        scan.candidates.append(Span(scan.field, start, end, "place", None, text[start:end], _RANK_RULE, rule="street"))

    def after_place_adjective(self, scan: _FieldScan, start: int, end: int, etype: str) -> None:
        """``Gubener Straße``, ``Hamburger Mieterverein``: a noun for a street or a local
        organisation right after the adjective of a known place is a name with it."""
        if word_end(scan.text, end) != end:
            return
        prev = _prev_word(scan, start)
        if prev is None or not self.place_adjective(scan.text[prev[0] : prev[1]]):
            return
        if etype == "place":
            end = _house_number(scan.text, end)
        name = scan.text[prev[0] : end]
        scan.candidates.append(Span(scan.field, prev[0], end, etype, None, name, _RANK_RULE, rule="place-adjective"))

    def place_adjective(self, word: str) -> bool:
        """``Gubener`` (Guben), ``Bremer`` (Bremen), ``Münchner`` (München): the -er adjective of a
        known place, read off the place names (remembered per word)."""
        known = self._place_adjectives.get(word)
        if known is None:
            stem = word[:-2]
            known = (
                word.endswith("er")
                and len(stem) >= 3
                and stem[0].isupper()
                and any(self._is_place(s) for s in (stem, stem + "en", stem + "e", stem[:-1] + "en"))
            )
            _remember(self._place_adjectives, word, known)
        return known

    def _is_place(self, name: str) -> bool:
        if name in self.strong_places:
            return True
        ent = self.kb.lookup(name)
        return ent is not None and ent.type == "place"

    def acronyms(self, scan: _FieldScan, shapes: _Shapes) -> None:
        """An unknown all-caps word (DHB, KSC) in running text is nearly always an organisation."""
        text = scan.text
        blocked, places, stop = scan.blocked, scan.places, self.acronym_stop
        for m in _matches_at(_ACRONYM, text, shapes.acronyms):
            start, end = m.span()
            word = m.group()
            if start in blocked or start in places or word in stop:
                continue
            if _ROMAN.fullmatch(word):
                continue
            if start > 0 and text[start - 1] in "-.":
                continue
            if not _in_parentheses(text, start, end):  # "Bundesamt für Gesundheit (BAG)": a short form
                prev = _prev_word(scan, start)
                if prev is None or text[prev[0] : prev[1]] not in _ACRONYM_CONTEXT_WIDE:
                    continue  # "des ADAC", "beim DFB", "mit der DHB": an article, contraction or preposition
            nxt = _next_word(text, end)
            if nxt is not None and text[nxt[0] : nxt[1]].isupper():
                continue  # a line in capitals, not an acronym
            span = Span(scan.field, start, end, "organisation", None, word, _RANK_GUESS, rule="acronym")
            scan.candidates.append(span)

    def speaker(self, scan: _FieldScan, verb_start: int, verb_end: int) -> None:
        """``sagte Beispiel`` / ``Beispiel sagte``: who speaks is a person."""
        text = scan.text
        # only a capitalised neighbour can speak: spare the word lookups for "sagte er", "er sagte"
        after = _next_word(text, verb_end) if text[verb_end + 1 : verb_end + 2].isupper() else None
        for near in (after, _prev_word(scan, verb_start)):
            if near is None or near[1] - near[0] < 3 or not text[near[0]].isupper():
                continue
            start, end = near
            # the cheap tests first: a KB name or place, and the word test, which is remembered
            if start in scan.blocked or start in scan.places or not self._speaks(text[start:end]):
                continue
            if near is not after:
                article = _prev_word(scan, start)
                if article is not None and text[article[0] : article[1]] in _ACRONYM_CONTEXT:
                    continue  # "Die Agentur sprach": an article makes it a noun or an organisation
            self._person(scan, start, end, "speech")

    def _speaks(self, word: str) -> bool:
        """May this capitalised word name who speaks? (remembered per word)"""
        speaks = self._speakers.get(word)
        if speaks is None:
            speaks = not (
                word in self.toponyms
                or "-" in word
                or word in self.english
                or not self.name_word(word)
                or self.is_compound(word)
            )
            _remember(self._speakers, word, speaks)
        return speaks

    def suffix_place(self, scan: _FieldScan, end: int) -> None:
        """``in Xdorf``: an unknown capitalised word with a settlement ending after a preposition."""
        text = scan.text
        start = word_start(text, end)
        word = text[start:end]
        if not word[:1].isupper() or start in scan.blocked or start in scan.places or word in self.first:
            return
        if word in self.stop or self.is_common(word) or text[start - 1 : start] == "-":
            return
        if self.after_preposition(scan, start):
            scan.candidates.append(Span(scan.field, start, end, "place", None, word, _RANK_GAZ, rule="suffix"))


def _scan_field(kb: KnowledgeBase, rules: _Rules, field_name: str, text: str) -> _FieldScan:
    scan = _FieldScan(field_name, text)
    if not text:
        return scan
    entities = kb.entities
    candidates, blocked = scan.candidates, scan.blocked
    cues: list[tuple[str, int, int]] = []
    shape_starts: dict[str, list[int]] = {}
    matcher = kb.matcher
    edges, payloads, several = matcher.edges, matcher.payloads, matcher.several
    n = len(text)
    # the raw hits, with the edge tests of ``matcher.find_spans`` made here: one loop over them; the
    # kinds by how often they come: cues, names, given names, regex starts, gazetteer places, weak
    # forms, surnames
    for key, m_start, m_end in matcher.hits(text):
        edge = edges[key]
        if edge & CLOSED_RIGHT and m_end < n and text[m_end].isalnum():
            continue
        if edge & CLOSED_LEFT and m_start and text[m_start - 1].isalnum():
            continue
        for alias in payloads[key] if edge != SEVERAL else several(key, text, m_start, m_end):
            kind = alias.kind
            if kind == CUE:
                cues.append((alias.cue, m_start, m_end))
                if alias.more_cues:
                    for more in alias.more_cues:
                        cues.append((more, m_start, m_end))
            elif kind == NAME:
                target = alias.targets[0]
                ent = entities[target]
                etype = ent.type
                span = Span(field_name, m_start, m_end, etype, target, ent.name, _RANK_KB, False, "", alias.targets)
                candidates.append(span)
                if alias.shared:
                    scan.shared.append(span)
                if etype == "person":
                    scan.people.add(m_start)
                    scan.person_ids.add(target)
                else:
                    known = blocked.get(m_start, 0)
                    blocked[m_start] = m_end if m_end > known else known
                    if etype == "place":
                        scan.block_places[m_start] = blocked[m_start]
            elif kind == FIRSTNAME:
                scan.firstnames.append(m_start)
            elif kind == SHAPE:
                shape_starts.setdefault(alias.cue, []).append(m_start)
            elif kind == TOPONYM:
                if (alias.cue == "strong" or rules.after_preposition(scan, m_start)) and not rules.inside_name(
                    scan, m_start, m_end
                ):
                    name = text[m_start:m_end]
                    gazetteer = Span(field_name, m_start, m_end, "place", None, name, _RANK_GAZ, rule="gazetteer")
                    candidates.append(gazetteer)
                    scan.places.setdefault(m_start, m_end)
            elif kind == WEAK:
                target = alias.targets[0]
                ent = entities[target]
                end = word_end(text, m_end)
                start = word_start(text, m_start)
                span = Span(field_name, start, end, ent.type, target, ent.name, _RANK_WEAK, True, "", alias.targets)
                candidates.append(span)
                if alias.shared:
                    scan.shared.append(span)
            elif kind == LEXSURNAME:
                scan.bare.append((m_start, m_end))
            elif kind == SURNAME:
                target = alias.targets[0]
                ent = entities[target]
                span = Span(
                    field_name, m_start, m_end, ent.type, target, ent.name, _RANK_SURNAME, False, "", alias.targets
                )
                if alias.alone:
                    candidates.append(span)
                    if alias.shared:
                        scan.shared.append(span)
                else:
                    scan.surnames.append(span)
    for cue, start, end in cues:
        wstart = start if start == 0 or not text[start - 1].isalnum() else word_start(text, start)
        # the kinds by how often they come: speech verbs, titles, then the rest
        if cue == "speech":
            if wstart == start:
                rules.speaker(scan, start, end)
        elif cue == "title":
            if text[wstart].isupper() or text[wstart] in "mMds":  # "Bundeskanzler", "spokesman"
                scan.title_ends.add(end)
                rules.titled(scan, end)
        elif cue == "org-suffix":
            rules.org_suffix(scan, start, end)
        elif cue == "org-head":
            if wstart == start:
                rules.org_head(scan, start, end, compound=False)
        elif cue == "org-compound":
            prefix = text[wstart:start].split("-")[0]
            if prefix[:1].isupper() and end == word_end(text, end) and not rules.is_common(prefix):
                rules.org_head(scan, wstart, end, compound=True)
        elif cue == "club":
            rules.club(scan, start, end)
        elif cue == "place-suffix":
            rules.suffix_place(scan, end)
        elif cue == "org-type":
            rules.typed_org(scan, end)
        elif cue == "street-suffix":
            rules.street(scan, end)
        elif cue in ("street", "local-org") and wstart == start:
            rules.after_place_adjective(scan, start, end, "place" if cue == "street" else "organisation")
        elif cue in ("place-prefix", "place-head") and wstart == start:
            rules.headed_place(scan, start, end, with_head=cue == "place-prefix")
    for start in scan.firstnames:
        rules.first_named(scan, start)
    for start, end in scan.bare:
        rules.bare_surname(scan, start, end)
    tagged = [
        span
        for span in (scan.candidates if "(" in text else ())
        if span.type == "organisation"
        and text[span.start - 1 : span.start] == "("
        and text[span.end : span.end + 1] in (")", ",", "/")
        and text[span.start : span.end] in kb.parties
    ]
    for span in tagged:
        rules.party_tagged(scan, span.start - 1)
    shapes = _Shapes(text, shape_starts)
    rules.acronyms(scan, shapes)
    rules.prep_places(scan, shapes)
    rules.district_places(scan)
    rules.roads_and_datelines(scan, shapes)
    return scan


def _resolve_shared(span: Span, kb: KnowledgeBase, context_text: str) -> int | None:
    """Pick the entity a shared alias means: the one whose context words occur in the item."""
    best, best_hits, default = None, 0, None
    for target in span.targets:
        words = kb.entities[target].context
        if not words:
            if default is None:
                default = target
            continue
        hits = sum(1 for w in words if w in context_text)
        if hits > best_hits:
            best, best_hits = target, hits
    return best if best is not None else default


def _licensed(span: Span, scan: _FieldScan, seen_full: set[int]) -> bool:
    if span.entity in seen_full:
        return True
    pos = span.start
    while pos > 0 and scan.text[pos - 1] == " ":
        pos -= 1
    return pos in scan.title_ends


def _select(candidates: list[Span]) -> list[Span]:
    """Longest span first, KB link before rule before gazetteer before weak form; no overlaps.

    That greedy choice, made separately in each run of overlapping candidates: a span's fate depends
    only on the spans it overlaps, and most candidates overlap none (they are simply kept)."""
    if len(candidates) < 2:
        return list(candidates)
    by_start = sorted(candidates, key=_START)  # stable: equal starts stay in order of finding
    chosen: list[Span] = []
    run = [by_start[0]]
    last_start, run_end = by_start[0].start, by_start[0].end
    for span in by_start[1:]:
        start = span.start
        # in the run if it overlaps it (or starts where the last one did: an empty span would not overlap)
        if start < run_end or start == last_start:
            run.append(span)
            if span.end > run_end:
                run_end = span.end
        else:
            chosen.extend(_choose(run) if len(run) > 1 else run)
            run = [span]
            run_end = span.end
        last_start = start
    chosen.extend(_choose(run) if len(run) > 1 else run)
    return chosen


def _choose(run: list[Span]) -> list[Span]:
    """The greedy choice in a run of overlapping spans (in order of start), in order of start."""
    run.sort(key=_PRIORITY)  # stable: among equals the one found first wins
    kept: list[Span] = []
    for span in run:
        start, end = span.start, span.end
        for other in kept:
            # they share a character: the later start is before the earlier end (never for an empty span)
            if (start if start > other.start else other.start) < (end if end < other.end else other.end):
                break
        else:
            kept.append(span)
    kept.sort(key=_START)
    return kept


def _priority(span: Span) -> tuple[int, int, int]:
    return span.start - span.end, span.rank, span.start


_PRIORITY = _priority
_START = attrgetter("start")


_RULES: weakref.WeakKeyDictionary[KnowledgeBase, _Rules] = weakref.WeakKeyDictionary()


def _rules(kb: KnowledgeBase) -> _Rules:
    rules = _RULES.get(kb)
    if rules is None:
        rules = _RULES[kb] = _Rules(kb)
    return rules


def find_spans(item: WireItem, kb: KnowledgeBase) -> list[Span]:
    """Every chosen mention in headline and body; what both ``extract`` and the NER eval use."""
    return _find_spans(item, kb, item.headline, item.body)


def _find_spans(item: WireItem, kb: KnowledgeBase, headline: str, body: str) -> list[Span]:
    rules = _rules(kb)
    scans = [_scan_field(kb, rules, "headline", headline), _scan_field(kb, rules, "body", body)]
    context_text = ""
    seen_full = scans[0].person_ids | scans[1].person_ids  # KB people named in full (before resolving)
    result: list[Span] = []
    for scan in scans:
        shared = scan.shared
        for span in scan.surnames:
            if _licensed(span, scan, seen_full):
                scan.candidates.append(span)
                if len(span.targets) > 1:
                    shared.append(span)
        unresolved = False
        for span in shared:
            context_text = context_text or f"{headline}\n{body}"
            chosen = _resolve_shared(span, kb, context_text)
            if chosen is None:
                span.rank = 99
                unresolved = True
                continue
            span.entity = chosen
            span.name = kb.entities[chosen].name
            span.type = kb.entities[chosen].type
        candidates = [s for s in scan.candidates if s.rank != 99] if unresolved else scan.candidates
        result.extend(_select(candidates))
    _propagate_surnames(result, scans)
    return result


def _propagate_surnames(spans: list[Span], scans: list[_FieldScan]) -> None:
    """A discovered "Jana Beispiel" makes a later bare "Beispiel" (or "Beispiels") hers too."""
    people: dict[str, str] = {}
    for span in spans:
        if span.type == "person" and span.entity is None and " " in span.name:
            surname = span.name.rsplit(" ", 1)[1]
            if len(surname) > 2 and surname[0].isupper():
                people.setdefault(surname, span.name)
    if not people:
        return
    changed = False
    for scan in scans:
        field = scan.field
        for start, end, surname in _surname_mentions(scan.text, list(people)):
            clash: list[Span] = []
            for s in spans:
                if s.start < end and start < s.end and s.field == field:
                    if s.rank < _RANK_GAZ or s.type == "person":
                        break
                    clash.append(s)
            else:
                for s in clash:  # a gazetteer or guessed reading yields to the person named earlier
                    spans.remove(s)
                spans.append(Span(field, start, end, "person", None, people[surname], _RANK_RULE, rule="surname"))
                changed = True
    if changed:
        spans.sort(key=lambda s: (s.field != "headline", s.start))


def _surname_mentions(text: str, surnames: list[str]) -> list[tuple[int, int, str]]:
    """What ``re.finditer(r"(?<![\\w-])(S1|S2|...)s?(?![\\w-])", text)`` finds, as (start, end,
    surname), without compiling a regex per item: at each position the first surname that matches
    there wins (with a genitive -s where it fits), and matches do not overlap."""
    n = len(text)
    found: dict[int, tuple[int, str]] = {}
    for surname in surnames:
        at = text.find(surname)
        while at >= 0:
            if at not in found and (at == 0 or not _joins(text[at - 1])):
                end = at + len(surname)
                if end < n and text[end] == "s" and (end + 1 == n or not _joins(text[end + 1])):
                    found[at] = (end + 1, surname)
                elif end == n or not _joins(text[end]):
                    found[at] = (end, surname)
            at = text.find(surname, at + 1)
    mentions: list[tuple[int, int, str]] = []
    last = 0
    for at in sorted(found):
        if at >= last:
            end, surname = found[at]
            mentions.append((at, end, surname))
            last = end
    return mentions


def _joins(char: str) -> bool:
    """A character of regex class [\\w-]: it continues a word."""
    return char.isalnum() or char in "_-"


def _weights(item: WireItem, body: str) -> tuple[int, int]:
    """Body offsets of the lead paragraph, which weighs more than the rest of the body."""
    if not item.subheads:  # the lead is the first paragraph, where the body starts
        return (0, len(item.paragraphs[0])) if item.paragraphs and item.paragraphs[0] else (0, 0)
    lead = item.lead
    if not lead:
        return 0, 0
    start = body.find(lead)
    return (start, start + len(lead)) if start >= 0 else (0, 0)


# what groups mentions into one Entity: a KB entity's index, or (type, name) of a discovered one
_GroupKey = int | tuple[str, str]


def extract(item: WireItem, kb: KnowledgeBase) -> tuple[Entity, ...]:
    """The entities of an item, one per KB id or discovered name, most salient first."""
    headline, body = item.headline, item.body
    spans = _find_spans(item, kb, headline, body)
    lead_start, lead_end = _weights(item, body)
    groups: dict[_GroupKey, _Group] = {}
    new = object.__new__
    set_text, set_field, set_start, set_end = _MENTION_SLOTS
    for span in spans:
        entity = span.entity
        key: _GroupKey = (span.type, span.name) if entity is None else entity  # a KB entity has one type
        group = groups.get(key)
        if group is None:
            group = groups[key] = _Group(span)
        field, start, end = span.field, span.start, span.end
        if field == "headline":
            weight, text = _W_HEADLINE, headline
        elif lead_start <= start < lead_end:
            weight, text = _W_LEAD, body
        else:
            weight, text = _W_BODY, body
        group.score += weight * _W_WEAK_FACTOR if span.weak else weight
        mention = new(Mention)  # = Mention(text[start:end], field, start, end), see _MENTION_SLOTS
        set_text(mention, text[start:end])
        set_field(mention, field)
        set_start(mention, start)
        set_end(mention, end)
        group.mentions.append(mention)
    if item.dateline_place:
        _add_dateline(item.dateline_place, kb, groups)
    kb_entities = kb.entities
    entities: list[Entity] = []
    set_name, set_type, set_mentions, set_id, set_wikidata, set_country, set_salience = _ENTITY_SLOTS
    for group in groups.values():
        span = group.first
        made = new(Entity)  # = Entity(name, type, mentions, id, wikidata, country, salience), see _ENTITY_SLOTS
        if span.entity is None:
            set_name(made, span.name)
            set_type(made, span.type)
            set_id(made, None)
            set_wikidata(made, None)
            set_country(made, None)
        else:
            ent = kb_entities[span.entity]
            set_name(made, ent.name)
            set_type(made, ent.type)
            set_id(made, ent.id)
            set_wikidata(made, ent.wikidata)
            set_country(made, ent.country)
        set_mentions(made, tuple(group.mentions))
        set_salience(made, _salience(group.score))
        entities.append(made)
    entities.sort(key=_SALIENCE, reverse=True)  # stable: equally salient ones stay in order of appearance
    return tuple(entities)


# Mention and Entity are frozen slots dataclasses: their __init__ sets each field through
# object.__setattr__, which costs twice what setting the slots directly does, and an item has ~20
# mentions and ~15 entities. The setters of their slots in field order; a test checks that objects
# built this way equal the constructor's and that neither class has a __post_init__ this would skip.
_MENTION_SLOTS: tuple[Callable[[Mention, Any], None], ...] = tuple(
    getattr(Mention, f.name).__set__ for f in dataclasses.fields(Mention)
)
_ENTITY_SLOTS: tuple[Callable[[Entity, Any], None], ...] = tuple(
    getattr(Entity, f.name).__set__ for f in dataclasses.fields(Entity)
)
_SALIENCE = attrgetter("salience")
# salience per score: a score is a sum of a few weights, so the same scores recur (and round() is slow)
_SALIENCES: dict[float, float] = {}


def _salience(score: float) -> float:
    salience = _SALIENCES.get(score)
    if salience is None:
        salience = round(score / (score + 3.0), 3)
        if len(_SALIENCES) >= _CACHE_WORDS:
            _SALIENCES.clear()
        _SALIENCES[score] = salience
    return salience


def _add_dateline(place: str, kb: KnowledgeBase, groups: dict[_GroupKey, _Group]) -> None:
    """The dateline names where the item was filed: that place gains weight (or is added)."""
    ent = _rules(kb).dateline_entity(place)
    key: _GroupKey
    if ent is None:
        name = place.title() if place.isupper() else place
        key = ("place", name)
        if key not in groups:
            groups[key] = _Group(Span("dateline", 0, 0, "place", None, name, _RANK_GAZ))
    else:
        key = kb.index[ent.id]
        if key not in groups:
            groups[key] = _Group(Span("dateline", 0, 0, ent.type, key, ent.name, _RANK_KB))
    groups[key].score += _W_DATELINE


class _Group:
    """The mentions of one entity in an item, the span that opened it and its salience score."""

    __slots__ = ("first", "mentions", "score")

    def __init__(self, first: Span) -> None:
        self.first = first
        self.mentions: list[Mention] = []
        self.score = 0.0


def entity_types(entities: Iterable[Entity]) -> dict[str, str]:
    """name -> type, a small helper for tests and debugging output."""
    return {e.name: e.type for e in entities}
