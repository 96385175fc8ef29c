"""Agency plain text (dpa, dpa-AFX, Reuters, AP, AFP): blocks separated by blank lines.

Layout we understand: optional headline line, optional "Von ..." byline, the lead opening with
a dateline, paragraphs and short subhead lines, a closing slug at the very end. Lines inside a
block are hard wraps and are joined with a space.
"""

from __future__ import annotations

import re

from streams.formats import conventions
from streams.formats.assemble import Block, Draft, finish
from streams.formats.clean import collapse, normalize
from streams.models import WireItem

_BLANK_LINES = re.compile(r"\n[ \t]*\n")  # linear: no nested quantifiers
_HEADLINE_MAX = 200
_LOOSE_HEADLINE_MAX = 150


def split_blocks(text: str) -> tuple[list[str], list[bool], str | None]:
    """Normalised text -> (blocks with lines joined, block-is-one-line flags, closing slug line).

    A slug line ("dpa xy yy z2 a3 abc/def") is found here, before lines are joined, because it
    is often the last line of the last block with no blank line before it.
    """
    parts = [p.strip() for p in _BLANK_LINES.split(text)]
    parts = [p for p in parts if p]
    slug: str | None = None
    if parts and "\n" in parts[-1]:
        rest, _, last = parts[-1].rpartition("\n")
        if conventions.is_slug_line(last):
            slug = last.strip()
            parts[-1] = rest.rstrip()
    single = ["\n" not in p for p in parts]
    return [collapse(p) for p in parts], single, slug


def mark_subheads(blocks: list[str], single: list[bool], start: int = 1) -> list[Block]:
    """Short one-line blocks without final punctuation between paragraphs are subheads."""
    last = len(blocks) - 1
    return [
        (text, start <= i < last and single[i] and conventions.is_subhead(text))
        for i, text in enumerate(blocks)
    ]


def _takes_headline(blocks: list[str], single: list[bool]) -> bool:
    """First block is the headline if one line followed by a dateline (or byline + dateline).

    Fallback for items without dateline: a short first line without final punctuation that does
    not itself open with a dateline still reads as a headline.
    """
    if len(blocks) < 2 or not single[0] or len(blocks[0]) > _HEADLINE_MAX:
        return False
    first, second = blocks[0], blocks[1]
    if conventions.find_dateline(first) is not None:
        return False
    if conventions.find_dateline(second) is not None:
        return True
    if len(blocks) > 2 and conventions.is_byline(second) and conventions.find_dateline(blocks[2]):
        return True
    return len(first) <= _LOOSE_HEADLINE_MAX and first[-1] not in ".!?,;…" and not first.startswith(
        ("Von ", "By ")
    )


def body_draft(draft: Draft, text: str) -> None:
    """Fill a draft's blocks (and byline, slug) from a plain-text body."""
    blocks, single, slug = split_blocks(normalize(text))
    if slug is not None:
        draft.closing_slug = draft.closing_slug or slug
    if len(blocks) > 1 and conventions.is_byline(blocks[0]):
        draft.byline = draft.byline or blocks[0]
        del blocks[0], single[0]
    draft.blocks = mark_subheads(blocks, single)


def parse(text: str) -> WireItem:
    """One plain-text item; raises DecodeError("no-text") when nothing readable is left."""
    draft = Draft(format="text")
    blocks, single, slug = split_blocks(normalize(text))
    draft.closing_slug = slug
    if _takes_headline(blocks, single):
        draft.headline = blocks[0]
        del blocks[0], single[0]
    if len(blocks) > 1 and conventions.is_byline(blocks[0]):
        draft.byline = blocks[0]
        del blocks[0], single[0]
    draft.blocks = mark_subheads(blocks, single)
    return finish(draft)
