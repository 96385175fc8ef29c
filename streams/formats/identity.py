"""Story identity: one id for every version of a story, so updates and kills find their story.

Agency ids are used when the format has one (dpa urn without version suffix, ninjs uri, NewsML
guid, JSON id); otherwise a short content hash of agency + headline + first paragraph.
"""

from __future__ import annotations

import hashlib

_URN_VERSIONED_COLONS = 5  # urn:newsml:dpa.com:20090101:<id>:<version>


def strip_urn_version(urn: str) -> tuple[str, int | None]:
    """"urn:newsml:dpa.com:20090101:250601-99-123456:3" -> (urn without ":3", 3)."""
    head, _, tail = urn.rpartition(":")
    if (
        urn.startswith("urn:")
        and tail.isdigit()
        and len(tail) <= 4
        and urn.count(":") >= _URN_VERSIONED_COLONS
    ):
        return head, int(tail)
    return urn, None


def content_hash(agency: str | None, headline: str, first_paragraph: str) -> str:
    """"h:" + 16 hex chars of sha1(agency, headline, first paragraph): stable, short, no PII."""
    digest = hashlib.sha1(usedforsecurity=False)
    digest.update(f"{agency or ''}\x1f{headline}\x1f{first_paragraph}".encode())
    return "h:" + digest.hexdigest()[:16]
