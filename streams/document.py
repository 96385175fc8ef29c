"""The EnrichedItem JSON document: ninjs 2.x field names plus plain routing fields.

Built as a plain dict so orjson serialises it in one call; consumers that know ninjs read
``headlines``/``bodies``/``subjects``, the rest read ``topics``/``entities``/``source``.
"""

from __future__ import annotations

from typing import Any

from streams import __version__
from streams.models import Entity, TopicScore, WireItem

NINJS_TYPES = {"person": "people", "organisation": "organisations", "place": "places"}


def topic_dict(score: TopicScore) -> dict[str, Any]:
    return {
        "id": score.id,
        "score": round(score.score, 4),
        "labelled": score.labelled,
        "iptc": score.iptc,
        "cameo": score.cameo,
        "evidence": [
            {"cue": e.cue, "field": e.field, "start": e.start, "end": e.end, "weight": e.weight}
            for e in score.evidence
        ],
    }


def ninjs_entity(entity: Entity) -> dict[str, Any]:
    out: dict[str, Any] = {"name": entity.name, "rel": "mentioned", "relevance": round(entity.salience * 100)}
    if entity.wikidata:
        out["uri"] = f"http://www.wikidata.org/entity/{entity.wikidata}"
    if entity.id:
        out["literal"] = entity.id
    if entity.country:
        out["country"] = entity.country
    return out


def build_document(
    item: WireItem,
    topics: tuple[TopicScore, ...],
    entities: tuple[Entity, ...],
    *,
    data_versions: dict[str, str],
    lifecycle: str,
) -> dict[str, Any]:
    labelled = [t for t in topics if t.labelled]
    doc: dict[str, Any] = {
        "id": item.record_id,
        "story_id": item.story_id,
        "uri": item.uri or item.story_id,
        "version": str(item.version),
        "lifecycle": lifecycle,
        "pubstatus": item.pubstatus,
        "language": item.language,
        "urgency": item.urgency,
        "firstcreated": item.firstcreated,
        "versioncreated": item.versioncreated,
        "embargoed": item.embargoed,
        "headlines": [{"role": "main", "contenttype": "text/plain", "value": item.headline}],
        "bodies": [{"role": "main", "contenttype": "text/plain", "value": item.body}],
        "subheads": list(item.subheads),
        "by": item.byline,
        "located": item.dateline_place,
        "media_only": item.media_only,
        "topics": [topic_dict(t) for t in labelled],
        "scores": {t.id: round(t.score, 4) for t in topics},
        "subjects": [
            {"name": t.id, "uri": f"http://cv.iptc.org/newscodes/mediatopic/{t.iptc.removeprefix('medtop:')}",
             "rel": "about", "creator": "machine", "confidence": round(t.score * 100)}
            for t in labelled if t.iptc
        ] + [{"name": s.name or s.code, "uri": s.code, "rel": s.scheme or "agency", "creator": "agency"}
             for s in item.subjects],
        "keywords": list(item.keywords),
        "entities": [
            {"text": m.text, "type": e.type, "start": m.start, "end": m.end, "field": m.field,
             "name": e.name, "id": e.id, "wikidata": e.wikidata}
            for e in entities for m in e.mentions
        ],
        "source": {
            "agency": item.agency,
            "dateline": item.dateline,
            "dateline_place": item.dateline_place,
            "closing_slug": item.closing_slug,
            "format": item.format,
        },
        "pipeline": {"version": __version__, **data_versions},
    }
    for kind, key in NINJS_TYPES.items():
        doc[key] = [ninjs_entity(e) for e in entities if e.type == kind]
    doc["weapons"] = [ninjs_entity(e) for e in entities if e.type == "weapon"]
    if item.kicker:
        doc["headlines"].append({"role": "kicker", "contenttype": "text/plain", "value": item.kicker})
    if item.teaser:
        doc["descriptions"] = [{"role": "teaser", "contenttype": "text/plain", "value": item.teaser}]
    return doc
