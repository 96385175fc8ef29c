"""Wire formats: detect what a raw Kafka value is and decode it into WireItems.

The pipeline calls exactly two functions::

    detect(raw) -> "text" | "json" | "jsonl" | "ninjs" | "digitalwires" | "newsml"
    decode(raw, max_bytes=...) -> list[WireItem]   # one value -> one or more items

Both raise only ``DecodeError``; its ``reason`` becomes the dead-letter header: ``too-large``
(checked on the length before anything else), ``empty``, ``binary``, ``not-utf8``,
``invalid-json``, ``wrong-type``, ``too-deep``, ``invalid-xml``, ``xml-unsafe``,
``unknown-format``, ``no-text``; ``internal`` only if a parser has a bug (never a crash).

Decisions:

- UTF-16 with a BOM is decoded (some Windows feeds send it); without a BOM it shows NUL
  bytes and is ``binary``. A UTF-8 BOM is stripped. XML may declare another encoding.
- A value holding several items (JSON Lines, NewsML-G2 newsMessage) fails as a whole if one
  item fails; the message names the record and the dead letter keeps the bytes for replay.
- Media items (audio/picture/video without text) decode with ``media_only=True``; canceled
  items decode even without text (``extra["kill_notice"]``) so the kill reaches routing.
- No headline: the lead's first sentence, cut to ~120 chars, with ``extra["headline_derived"]``.
- Markers stay in the headline text: "Eilmeldung"/"EIL:"/"BREAKING" set urgency 1 when the
  input states none; "WDH/"/"KORREKTUR:"/"UPDATE 2-" set ``is_update``.

``extra`` keys: ``headline_derived``, ``urgency_from_marker``, ``update_from_marker``,
``kill_notice``, ``truncated_paragraphs`` (count dropped), ``truncated_paragraph_chars``,
``subhead`` (digitalwires secondary headline), ``slugline`` (ninjs/NewsML).
"""

from __future__ import annotations

from typing import Any

from streams.formats import text as plain
from streams.formats.limits import MAX_BYTES
from streams.formats.sniff import Sniffed, sniff
from streams.models import DecodeError, WireItem

__all__ = ["DecodeError", "decode", "detect"]


def _json_kind(obj: Any) -> str:
    """Which JSON dialect one decoded document is."""
    if not isinstance(obj, dict):
        raise DecodeError("wrong-type", f"JSON item must be an object, got {type(obj).__name__}")
    fmt = obj.get("format")
    urn = obj.get("urn")
    if (isinstance(fmt, str) and fmt.startswith("digitalwires")) or (
        isinstance(urn, str) and urn.startswith("urn:newsml:dpa.com")
    ):
        return "digitalwires"
    if "uri" in obj or "headlines" in obj or "bodies" in obj or "body_text" in obj or "body_html" in obj:
        return "ninjs"
    return "json"


def _decode_json(obj: Any) -> WireItem:
    kind = _json_kind(obj)
    if kind == "digitalwires":
        from streams.formats import digitalwires

        return digitalwires.parse(obj)
    if kind == "ninjs":
        from streams.formats import ninjs

        return ninjs.parse(obj)
    from streams.formats import simplejson

    return simplejson.parse(obj)


def _guarded(sniffed: Sniffed) -> list[WireItem]:
    if sniffed.kind == "json":
        records: list[Any] = sniffed.payload
        items: list[WireItem] = []
        if not records:
            raise DecodeError("empty", "no JSON records")
        for index, record in enumerate(records):
            try:
                items.append(_decode_json(record))
            except DecodeError as exc:
                if len(records) == 1:
                    raise
                raise DecodeError(exc.reason, f"record {index}: {exc.message}") from None
        return items
    if sniffed.kind == "xml":
        from streams.formats import newsml

        xml: bytes = sniffed.payload
        return newsml.parse(xml)
    return [plain.parse(sniffed.text)]


def detect(raw: bytes | bytearray | memoryview) -> str:
    """The input's format: "text", "json", "jsonl", "ninjs", "digitalwires" or "newsml"."""
    try:
        sniffed = sniff(raw, MAX_BYTES)
        if sniffed.kind == "json":
            records: list[Any] = sniffed.payload
            if len(records) > 1:
                for record in records:
                    _json_kind(record)
                return "jsonl"
            return _json_kind(records[0])
        if sniffed.kind == "xml":
            from streams.formats import newsml

            xml: bytes = sniffed.payload
            newsml.check(xml)
            return "newsml"
        return "text"
    except DecodeError:
        raise
    except Exception as exc:  # a parser bug must still become a dead letter, never a crash
        raise DecodeError("internal", f"{type(exc).__name__}: {exc}"[:200]) from exc


def decode(raw: bytes | bytearray | memoryview, *, max_bytes: int = MAX_BYTES) -> list[WireItem]:
    """One Kafka value -> one or more WireItems; raises only DecodeError."""
    try:
        return _guarded(sniff(raw, max_bytes))
    except DecodeError:
        raise
    except RecursionError:
        raise DecodeError("too-deep", "input nested too deeply") from None
    except Exception as exc:  # a parser bug must still become a dead letter, never a crash
        raise DecodeError("internal", f"{type(exc).__name__}: {exc}"[:200]) from exc
