"""The one place that turns what a parser found into a WireItem, with shared wire conventions.

Every format fills a Draft (raw-ish fields, body blocks). ``finish`` then applies what holds for
all of them: dateline cut from the lead, closing slug, caps, derived headline, urgency marker,
language guess, story identity and the no-text rule. Parsers stay small and agree on semantics.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from streams.formats import conventions, identity, language
from streams.formats.clean import collapse, inline, normalize
from streams.formats.limits import (
    MAX_HEADLINE_CHARS,
    MAX_ID_CHARS,
    MAX_PARAGRAPH_CHARS,
    MAX_PARAGRAPHS,
    MAX_VERSION,
)
from streams.models import DecodeError, Subject, WireItem

Block = tuple[str, bool]  # (text, is_subhead)


@dataclass(slots=True)
class Draft:
    format: str
    headline: str = ""
    blocks: list[Block] = field(default_factory=list)
    story_id: str | None = None
    version: int | None = None
    language: str | None = None
    agency: str | None = None
    default_agency: str | None = None  # used when neither a field nor the dateline names one
    dateline: str | None = None
    dateline_place: str | None = None
    byline: str | None = None
    closing_slug: str | None = None
    urgency: int | None = None
    firstcreated: str | None = None
    versioncreated: str | None = None
    embargoed: str | None = None
    pubstatus: str | None = None
    signals: tuple[str, ...] = ()
    uri: str | None = None
    kicker: str | None = None
    teaser: str | None = None
    subjects: list[Subject] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    media: bool = False  # the item carries image/audio/video (associations, remote content)
    extra: dict[str, Any] = field(default_factory=dict)


def clean_blocks(blocks: list[Block]) -> list[Block]:
    """Normalise and collapse each block; drop empty ones."""
    out: list[Block] = []
    for text, sub in blocks:
        text = collapse(normalize(text))
        if text:
            out.append((text, sub))
    return out


def pubstatus(value: str | None) -> str:
    """"stat:canceled", "Cancelled", "usable" -> "canceled"/"usable"/"withheld"."""
    if not value:
        return "usable"
    word = value.rsplit(":", 1)[-1].strip().lower()
    if word == "cancelled":
        return "canceled"
    return word or "usable"


def urgency(value: int | None) -> int | None:
    return value if value is not None and 1 <= value <= 9 else None


def _apply_dateline(d: Draft, blocks: list[Block]) -> None:
    """Cut a dateline off the first paragraph; keep a structured dateline's place/agency."""
    if d.dateline:
        given = conventions.find_dateline(d.dateline)
        if given is not None:
            d.dateline_place = d.dateline_place or given.place
            d.agency = d.agency or given.agency
    for i, (text, sub) in enumerate(blocks):
        if sub:
            continue
        found = conventions.find_dateline(text)
        if found is not None:
            d.dateline = d.dateline or found.text
            d.dateline_place = d.dateline_place or found.place
            d.agency = d.agency or found.agency
            rest = text[found.end :].strip()
            if rest:
                blocks[i] = (rest, False)
            else:
                del blocks[i]
        break


def _apply_slug(d: Draft, blocks: list[Block]) -> None:
    if not blocks:
        return
    text, sub = blocks[-1]
    if conventions.is_slug_line(text):
        d.closing_slug = d.closing_slug or text
        blocks.pop()
        return
    rest, slug = conventions.split_glued_slug(text)
    if slug is not None:
        d.closing_slug = d.closing_slug or slug
        if rest:
            blocks[-1] = (rest, sub)
        else:
            blocks.pop()


def _cap(d: Draft, blocks: list[Block]) -> list[Block]:
    if len(blocks) > MAX_PARAGRAPHS:
        d.extra["truncated_paragraphs"] = len(blocks) - MAX_PARAGRAPHS
        blocks = blocks[:MAX_PARAGRAPHS]
    if blocks and max(len(t) for t, _ in blocks) > MAX_PARAGRAPH_CHARS:
        d.extra["truncated_paragraph_chars"] = True
        blocks = [(t[:MAX_PARAGRAPH_CHARS].rstrip(), s) for t, s in blocks]
    return blocks


def finish(d: Draft) -> WireItem:
    """Apply the shared rules and build the WireItem; raises DecodeError("no-text")."""
    blocks = d.blocks
    _apply_dateline(d, blocks)
    _apply_slug(d, blocks)
    blocks = _cap(d, blocks)
    status = pubstatus(d.pubstatus)
    headline = inline(d.headline)[:MAX_HEADLINE_CHARS]
    paragraphs = tuple([t for t, _ in blocks])
    subheads = tuple([t for t, s in blocks if s]) if any(s for _, s in blocks) else ()
    lead = next((t for t, s in blocks if not s), "")

    if not headline and lead:
        headline = conventions.first_sentence(lead)
        d.extra["headline_derived"] = True
    if not headline and not paragraphs:
        if d.media:
            pass
        elif status == "canceled":
            d.extra["kill_notice"] = True  # a kill must reach routing even without text
        else:
            raise DecodeError("no-text", "item has neither headline nor body text")

    level = urgency(d.urgency)
    if level is None and headline and conventions.urgent_marker(headline):
        level = 1
        d.extra["urgency_from_marker"] = True

    lang = language.normalize_code(d.language)
    if lang is None:
        second = paragraphs[1][:500] if len(paragraphs) > 1 else ""
        lang = language.guess(f"{headline}\n{lead[:500]}\n{second}")

    if d.version is not None and d.version > MAX_VERSION:
        raise DecodeError("wrong-type", f"version {str(d.version)[:20]}... is not a plausible version number")
    version = d.version if d.version and d.version > 0 else 1
    updated = version > 1 or any(s.endswith("update") for s in d.signals)
    if not updated and headline and conventions.update_marker(headline):
        updated = True
        d.extra["update_from_marker"] = True
    story_id = d.story_id
    if story_id is None:
        story_id = identity.content_hash(d.agency, headline, lead)
    elif len(story_id) > MAX_ID_CHARS:
        raise DecodeError("wrong-type", f"item id of {len(story_id)} characters (at most {MAX_ID_CHARS})")

    return WireItem(
        headline=headline,
        paragraphs=paragraphs,
        format=d.format,
        story_id=story_id,
        version=version,
        subheads=subheads,
        language=lang,
        agency=d.agency or d.default_agency or None,
        dateline=(conventions.tidy_dateline(normalize(d.dateline)) or None) if d.dateline else None,
        dateline_place=d.dateline_place or None,
        byline=inline(d.byline) or None,
        closing_slug=inline(d.closing_slug) or None,
        urgency=level,
        firstcreated=d.firstcreated or None,
        versioncreated=d.versioncreated or None,
        embargoed=d.embargoed or None,
        pubstatus=status,
        is_update=updated,
        uri=d.uri or None,
        kicker=inline(d.kicker) or None,
        teaser=inline(d.teaser) or None,
        subjects=tuple(d.subjects),
        keywords=tuple(dict.fromkeys(k for k in map(inline, d.keywords) if k)) if d.keywords else (),
        media_only=d.media and not paragraphs,
        extra=d.extra,
    )
