"""Find the people, organisations, places and weapon systems an item names.

One case-sensitive Aho-Corasick pass over each field finds KB names, their genitive forms, weak
forms (adjectives, demonyms), discovery cues (titles, organisation heads, legal forms, club
prefixes), given names, gazetteer places and where the whole-text patterns may start (``in`` and a
capital, a road number, a dateline in capitals). Conservative rules then turn cues into discovered
names, candidates compete (longest span wins, a KB link wins a tie) and mentions are grouped into
one Entity per KB id or per discovered name. Case matters: German capitalises names (and nouns), so
a lower-case "russische" is never the name "Russe", and "merz" is never Friedrich Merz.

All of that up to the chosen mentions runs compiled (``kb.extractor``, streams/native/src/entities/):
it was the stage's hot path. Here the mentions become result objects, grouped and weighed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from streams.entities.kb import KnowledgeBase
from streams.models import Entity, Mention, WireItem

# Candidate ranks: lower wins when two candidates cover the same span (as in the compiled rules)
_RANK_KB, _RANK_GAZ = 0, 3

# Salience weights
_W_HEADLINE, _W_LEAD, _W_BODY, _W_WEAK_FACTOR, _W_DATELINE = 3.0, 2.0, 1.0, 0.35, 2.0
_CACHE_SCORES = 50_000  # the salience cache is emptied when it grows past this many scores


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


def find_spans(item: WireItem, kb: KnowledgeBase) -> list[Span]:
    """Every chosen mention in headline and body; what both ``extract`` and the NER eval use."""
    return [Span(*found) for found in kb.extractor.find_spans(item.headline, item.body)]


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
    lead_start, lead_end = _weights(item, body)
    groups: dict[_GroupKey, _Group] = {}
    new = object.__new__
    set_text, set_field, set_start, set_end = _MENTION_SLOTS
    # the chosen mentions as Span's fields, without making Spans
    for field, start, end, etype, entity, name, _rank, weak, _rule, _targets in kb.extractor.find_spans(headline, body):
        key: _GroupKey = (etype, name) if entity is None else entity  # a KB entity has one type
        group = groups.get(key)
        if group is None:
            group = groups[key] = _Group(etype, entity, name)
        if field == "headline":
            weight, text = _W_HEADLINE, headline
        elif lead_start <= start < lead_end:
            weight, text = _W_LEAD, body
        else:
            weight, text = _W_BODY, body
        group.score += weight * _W_WEAK_FACTOR if weak else weight
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
        made = new(Entity)  # = Entity(name, type, mentions, id, wikidata, country, salience), see _ENTITY_SLOTS
        if group.entity is None:
            set_name(made, group.name)
            set_type(made, group.type)
            set_id(made, None)
            set_wikidata(made, None)
            set_country(made, None)
        else:
            ent = kb_entities[group.entity]
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
        if len(_SALIENCES) >= _CACHE_SCORES:
            _SALIENCES.clear()
        _SALIENCES[score] = salience
    return salience


def _add_dateline(place: str, kb: KnowledgeBase, groups: dict[_GroupKey, _Group]) -> None:
    """The dateline names where the item was filed: that place gains weight (or is added)."""
    ent = kb.lookup(place) or kb.lookup(place.title())
    key: _GroupKey
    if ent is None:
        name = place.title() if place.isupper() else place
        key = ("place", name)
        if key not in groups:
            groups[key] = _Group("place", None, name)
    else:
        key = kb.index[ent.id]
        if key not in groups:
            groups[key] = _Group(ent.type, key, ent.name)
    groups[key].score += _W_DATELINE


class _Group:
    """The mentions of one entity in an item, who opened it (type, KB index, name) and its salience score."""

    __slots__ = ("entity", "mentions", "name", "score", "type")

    def __init__(self, etype: str, entity: int | None, name: str) -> None:
        self.type = etype
        self.entity = entity
        self.name = name
        self.mentions: list[Mention] = []
        self.score = 0.0


def entity_types(entities: Iterable[Entity]) -> dict[str, str]:
    """name -> type, a small helper for tests and debugging output."""
    return {e.name: e.type for e in entities}
