"""IPTC ninjs (news in JSON), versions 1.x and 2.x, into a WireItem.

1.x names: headline, body_text/body_html, byline, subject[] (code/scheme), description_text.
2.x names: headlines[]/bodies[]/descriptions[] ({role, contenttype, value}), by, subjects[]
(uri/literal/name), genres[]. Both: uri (= story id), version, urgency, language, pubstatus,
embargoed, firstcreated/versioncreated, located, keywords, associations (media).
"""

from __future__ import annotations

from streams.formats import bodies, subjects
from streams.formats.assemble import Draft, finish
from streams.formats.fields import JsonObj, get_id, get_int, get_list, get_str, objects, strings
from streams.models import WireItem

_MEDIA_TYPES = frozenset({"picture", "audio", "video", "graphic"})
_HTML_TYPES = ("text/html", "application/xhtml+xml", "application/xhtml", "text/xhtml")
_MAIN_ROLES = ("", "main", "body", "default", "text")


def _pick(entries: list[JsonObj]) -> JsonObj | None:
    """The main-role entry of headlines[]/bodies[]/descriptions[] (first one otherwise)."""
    best: JsonObj | None = None
    for entry in entries:
        value = get_str(entry, "value")
        if not value:
            continue
        role = (get_str(entry, "role") or "").rsplit(":", 1)[-1].lower()
        if role in _MAIN_ROLES:
            return entry
        if best is None:
            best = entry
    return best


def _is_html(contenttype: str | None, value: str) -> bool:
    if contenttype:
        return contenttype.split(";", 1)[0].strip().lower() in _HTML_TYPES
    return bodies.looks_like_html(value)


def _body(obj: JsonObj) -> tuple[str, bool] | None:
    """(body, is_html) from 2.x bodies[] or 1.x body_html/body_text; html wins (subheads)."""
    entries = objects(obj, "bodies")
    if entries:
        main = [e for e in entries if (get_str(e, "role") or "").rsplit(":", 1)[-1].lower() in _MAIN_ROLES]
        pool = main or entries
        html = next((e for e in pool if _is_html(get_str(e, "contenttype"), get_str(e, "value") or "")
                     and get_str(e, "value")), None)
        chosen = html or _pick(pool)
        if chosen is not None:
            value = get_str(chosen, "value") or ""
            return value, _is_html(get_str(chosen, "contenttype"), value)
    html_body = get_str(obj, "body_html")
    if html_body and html_body.strip():
        return html_body, True
    text_body = get_str(obj, "body_text")
    if text_body and text_body.strip():
        return text_body, False
    return None


def _subjects(draft: Draft, obj: JsonObj) -> None:
    for entry in objects(obj, "subjects"):  # 2.x
        code = get_str(entry, "uri") or get_str(entry, "literal")
        subjects.add(draft.subjects, code, get_str(entry, "name"))
    for entry in objects(obj, "subject"):  # 1.x
        subjects.add(draft.subjects, get_str(entry, "code"), get_str(entry, "name"),
                     get_str(entry, "scheme") or "")
    for entry in objects(obj, "genres"):
        code = get_str(entry, "uri") or get_str(entry, "literal")
        subjects.add(draft.subjects, code, get_str(entry, "name"), kind="genre")
    draft.keywords = strings(obj, "keywords")


def _has_media(obj: JsonObj) -> bool:
    kind = (get_str(obj, "type") or "").lower()
    if kind in _MEDIA_TYPES:
        return True
    assoc = obj.get("associations")
    if isinstance(assoc, dict):
        return bool(assoc)
    if isinstance(assoc, list):
        return bool(assoc)
    return bool(get_list(obj, "renditions"))


def parse(obj: JsonObj) -> WireItem:
    draft = Draft(format="ninjs")
    uri = get_id(obj, "uri")
    draft.uri = uri
    draft.story_id = uri
    draft.version = get_int(obj, "version")
    draft.urgency = get_int(obj, "urgency")
    draft.language = get_str(obj, "language")
    draft.pubstatus = get_str(obj, "pubstatus")
    draft.embargoed = get_str(obj, "embargoed")
    draft.firstcreated = get_str(obj, "firstcreated")
    draft.versioncreated = get_str(obj, "versioncreated")
    draft.byline = get_str(obj, "by") or get_str(obj, "byline")
    located = get_str(obj, "located")
    if located:
        draft.dateline_place = located.strip() or None

    headline = _pick(objects(obj, "headlines"))
    draft.headline = (get_str(headline, "value") if headline else None) or get_str(obj, "headline") or ""
    description = _pick(objects(obj, "descriptions"))
    draft.teaser = (get_str(description, "value") if description else None) or get_str(
        obj, "description_text"
    )
    slugline = get_str(obj, "slugline")
    if slugline:
        draft.extra["slugline"] = slugline
    _subjects(draft, obj)
    draft.media = _has_media(obj)
    body = _body(obj)
    if body is not None:
        bodies.fill(draft, body[0], html=body[1])
    return finish(draft)
