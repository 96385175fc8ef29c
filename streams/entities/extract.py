"""Find the people, organisations, places and weapon systems an item names.

One case-sensitive Aho-Corasick pass over each field finds KB names, their genitive forms, weak
forms (adjectives, demonyms), discovery cues (titles, organisation heads, legal forms, club
prefixes), given names, gazetteer places and where the whole-text patterns may start (``in`` and a
capital, a road number, a dateline in capitals). Conservative rules then turn cues into discovered
names, candidates compete (longest span wins, a KB link wins a tie) and mentions are grouped into
one Entity per KB id or per discovered name. Case matters: German capitalises names (and nouns), so
a lower-case "russische" is never the name "Russe", and "merz" is never Friedrich Merz.

All of that up to the chosen mentions, grouped per entity and weighed, runs compiled
(``kb.extractor``, streams/native/src/entities/): it was the stage's hot path. Here the groups
become result objects.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from streams.entities.kb import KnowledgeBase
from streams.models import Entity, Mention, WireItem

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


def extract(item: WireItem, kb: KnowledgeBase) -> tuple[Entity, ...]:
    """The entities of an item, one per KB id or discovered name, most salient first."""
    headline, body = item.headline, item.body
    lead_start, lead_end = _weights(item, body)
    dateline = _dateline(item.dateline_place, kb) if item.dateline_place else None
    kb_entities = kb.entities
    entities: list[Entity] = []
    new = object.__new__
    set_text, set_field, set_start, set_end = _MENTION_SLOTS
    set_name, set_type, set_mentions, set_id, set_wikidata, set_country, set_salience = _ENTITY_SLOTS
    # the mentions grouped per KB entity or discovered name and weighed (see Extractor.groups)
    for entity, etype, name, score, found in kb.extractor.groups(headline, body, lead_start, lead_end, dateline):
        mentions: list[Mention] = []
        for text, field, start, end in found:
            mention = new(Mention)  # = Mention(text, field, start, end), see _MENTION_SLOTS
            set_text(mention, text)
            set_field(mention, field)
            set_start(mention, start)
            set_end(mention, end)
            mentions.append(mention)
        made = new(Entity)  # = Entity(name, type, mentions, id, wikidata, country, salience), see _ENTITY_SLOTS
        set_name(made, name)
        set_type(made, etype)
        if entity is None:
            set_id(made, None)
            set_wikidata(made, None)
            set_country(made, None)
        else:
            ent = kb_entities[entity]
            set_id(made, ent.id)
            set_wikidata(made, ent.wikidata)
            set_country(made, ent.country)
        set_mentions(made, tuple(mentions))
        set_salience(made, _salience(score))
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


def _dateline(place: str, kb: KnowledgeBase) -> tuple[str, int | None, str]:
    """The place the dateline names, as (type, KB index, name): where the item was filed weighs more."""
    ent = kb.lookup(place) or kb.lookup(place.title())
    if ent is None:
        return "place", None, place.title() if place.isupper() else place
    return ent.type, kb.index[ent.id], ent.name


def entity_types(entities: Iterable[Entity]) -> dict[str, str]:
    """name -> type, a small helper for tests and debugging output."""
    return {e.name: e.type for e in entities}
