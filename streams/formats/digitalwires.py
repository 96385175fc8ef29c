"""dpa digitalwires JSON (dpa's delivery API, ``"format": "digitalwires@0.9.x"``) -> WireItem.

Story id is the urn (without a ":<version>" suffix, should one appear); ``version`` and
``signal: sig:update`` make an update; ``pubstatus: canceled`` is a kill. ``article_html`` gives
paragraphs and ``<h2>`` subheads, its ``span.dateline`` is cut out and kept as the dateline;
the closing slug is the ednote with role ``dpaednoterole:closingline``; ``categories[]`` give
subjects (scheme = the category type: dpasubject, geosubject, desk, genre; code = its qcode)
and keywords. Audio/image entries without text
come back as ``media_only`` items (published to the firehose only, never to desks).
"""

from __future__ import annotations

from streams.formats import html, identity, subjects
from streams.formats.assemble import Draft, finish
from streams.formats.fields import JsonObj, get_int, get_str, objects, strings
from streams.models import WireItem

_SUBJECT_TYPES = frozenset({"dpasubject", "geosubject", "desk", "genre", "subject", "rubric", "poi", "scope"})
_CLOSING_ROLE = "dpaednoterole:closingline"
_MEDIA_TYPES = frozenset({"image", "picture", "audio", "video", "graphic"})


def _categories(draft: Draft, obj: JsonObj) -> None:
    for cat in objects(obj, "categories"):
        kind = (get_str(cat, "type") or "").rsplit(":", 1)[-1].lower()
        name = get_str(cat, "name")
        code = get_str(cat, "qcode")
        if kind == "keyword":
            if name:
                draft.keywords.append(name)
        elif kind in _SUBJECT_TYPES:
            subjects.add(draft.subjects, code or name, name, kind=kind)
        elif kind == "signal" and code:
            draft.signals = (*draft.signals, code)


def _signals(obj: JsonObj) -> tuple[str, ...]:
    return tuple(s.lower() for s in strings(obj, "signal"))


def _media(obj: JsonObj, urn: str) -> bool:
    kind = (get_str(obj, "type") or "").lower()
    if kind in _MEDIA_TYPES or any(f":{m}:" in urn for m in _MEDIA_TYPES):
        return True
    return bool(objects(obj, "associations"))


def _caption(obj: JsonObj) -> str | None:
    for entry in objects(obj, "descriptions"):
        text = get_str(entry, "description")
        if text:
            return text
    for assoc in objects(obj, "associations"):
        text = get_str(assoc, "caption")
        if text:
            return text
    return None


def parse(obj: JsonObj) -> WireItem:
    draft = Draft(format="digitalwires")
    urn = get_str(obj, "urn") or ""
    story, urn_version = identity.strip_urn_version(urn) if urn else ("", None)
    draft.uri = urn or None
    draft.story_id = story or None
    draft.version = get_int(obj, "version") or urn_version
    draft.pubstatus = get_str(obj, "pubstatus")
    draft.signals = _signals(obj)
    draft.embargoed = get_str(obj, "embargoed")
    draft.urgency = get_int(obj, "urgency")
    draft.language = get_str(obj, "language")
    draft.firstcreated = get_str(obj, "content_created") or get_str(obj, "firstcreated")
    draft.versioncreated = get_str(obj, "version_created")
    draft.headline = get_str(obj, "headline") or ""
    draft.kicker = get_str(obj, "kicker")
    draft.teaser = get_str(obj, "teaser")
    subhead = get_str(obj, "subhead")
    if subhead:
        draft.extra["subhead"] = subhead
    draft.byline = get_str(obj, "byline")
    dateline = get_str(obj, "dateline")
    if dateline and dateline.strip():
        draft.dateline = dateline
    for note in objects(obj, "ednotes"):
        if get_str(note, "role") == _CLOSING_ROLE and get_str(note, "ednote"):
            draft.closing_slug = get_str(note, "ednote")
            break
    _categories(draft, obj)
    article = get_str(obj, "article_html")
    if article and article.strip():
        html.fill(draft, article)
    draft.media = _media(obj, urn)
    if draft.media and not draft.teaser:
        draft.teaser = _caption(obj)
    draft.default_agency = "dpa"  # dpa's own format: without a dateline the agency is still dpa
    return finish(draft)
