"""Simple JSON items: ``{id, title|headline, body|text, language}``, one object per item.

The shape used by scrapers, test harnesses and our own evaluation set. The body is plain
text (paragraphs on blank lines) or, if it starts with markup, HTML; wire conventions
(dateline, subheads, slug) apply to it as to agency plain text.
"""

from __future__ import annotations

import html as html_entities

from streams.formats import bodies
from streams.formats.assemble import Draft, finish
from streams.formats.fields import JsonObj, get_id, get_int, get_str, strings
from streams.models import WireItem

KEYS = frozenset({"title", "headline", "body", "text"})


def _unescape(value: str) -> str:
    """Feeds often double-encode: "Merz &amp; Macron". Cheap check before the real work."""
    if "&" in value and ";" in value:
        return html_entities.unescape(value)
    return value


def parse(obj: JsonObj) -> WireItem:
    draft = Draft(format="json")
    headline = get_str(obj, "headline") or get_str(obj, "title") or ""
    body = get_str(obj, "body")
    if body is None:
        body = get_str(obj, "text")
    draft.headline = _unescape(headline)
    draft.story_id = get_id(obj, "id")
    draft.language = get_str(obj, "language") or get_str(obj, "lang")
    draft.agency = get_str(obj, "agency")
    draft.byline = get_str(obj, "byline")
    draft.urgency = get_int(obj, "urgency")
    draft.version = get_int(obj, "version")
    draft.keywords = strings(obj, "keywords")
    if body:
        bodies.fill(draft, body, html=bodies.looks_like_html(body), unescape=_unescape)
    return finish(draft)
