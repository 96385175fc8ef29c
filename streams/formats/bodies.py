"""A body is plain text or HTML; this picks the right splitter so every format treats it alike."""

from __future__ import annotations

from collections.abc import Callable

from streams.formats import text as plain
from streams.formats.assemble import Draft


def looks_like_html(body: str) -> bool:
    head = body[:200].lstrip()
    return head.startswith("<") and ("<p" in body[:2000] or "<h" in body[:2000] or "<div" in body[:2000])


def fill(draft: Draft, body: str, *, html: bool, unescape: Callable[[str], str] | None = None) -> None:
    """Put the body's blocks (and a byline / slug found in it) into the draft."""
    if html:
        from streams.formats import html as markup

        markup.fill(draft, body)
        return
    plain.body_draft(draft, unescape(body) if unescape else body)
