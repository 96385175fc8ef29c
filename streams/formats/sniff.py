"""Bytes -> (kind, payload): size, encoding, binary and syntax checks before any format logic.

Order matters and is part of the contract: ``too-large`` is decided on the length alone before
anything is parsed; then BOMs, ``empty``, ``binary``, ``not-utf8``; then the first significant
character picks JSON (``{``), XML (``<``) or plain text.

UTF-16: input with a UTF-16 BOM is decoded honestly (some Windows-based feeds send it); UTF-16
without a BOM shows NUL bytes and is refused as ``binary``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from streams.formats.clean import check_binary
from streams.formats.limits import MAX_RECORDS
from streams.models import DecodeError

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_WS = b" \t\r\n"


@dataclass(frozen=True, slots=True)
class Sniffed:
    kind: str  # "text", "json" (payload: list of objects), "xml" (payload: bytes)
    text: str  # decoded text ("" for xml)
    payload: Any = None


def _decode_utf16(raw: bytes) -> str:
    try:
        text = raw.decode("utf-16")
    except UnicodeDecodeError as exc:
        raise DecodeError("not-utf8", f"invalid UTF-16 after BOM at byte {exc.start}") from None
    if "\x00" in text:
        raise DecodeError("binary", "NUL character in UTF-16 input")
    check_binary(text.encode("utf-8", "surrogatepass"))
    return text.lstrip("\ufeff")


def _json_error(exc: orjson.JSONDecodeError) -> DecodeError:
    msg = str(exc)
    if "depth" in msg or "recursion" in msg:
        return DecodeError("too-deep", "JSON nested too deeply")
    return DecodeError("invalid-json", msg[:200])


def _load_json(text: str, data: bytes | str) -> list[Any]:
    """One JSON document, else JSON Lines (one document per non-blank line)."""
    try:
        return [orjson.loads(data)]
    except orjson.JSONDecodeError as exc:
        first_error = exc
    if "\n" not in text.strip():
        raise _json_error(first_error)
    records: list[Any] = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        if len(records) >= MAX_RECORDS:
            raise DecodeError("too-large", f"more than {MAX_RECORDS} JSON Lines records")
        try:
            records.append(orjson.loads(line))
        except orjson.JSONDecodeError as exc:
            raise _json_error(exc if len(records) else first_error) from None
    return records


def _is_xml_declared_encoding(raw: bytes) -> bool:
    head = raw[:120].lower()
    return head.startswith(b"<?xml") and b"encoding=" in head


def sniff(raw: bytes | bytearray | memoryview, max_bytes: int) -> Sniffed:
    if not isinstance(raw, bytes | bytearray | memoryview):
        raise DecodeError("wrong-type", f"expected bytes, got {type(raw).__name__}")
    if len(raw) > max_bytes:
        raise DecodeError("too-large", f"{len(raw)} bytes > limit {max_bytes}")
    raw = bytes(raw)
    if raw.startswith(_UTF16_BOMS):
        text = _decode_utf16(raw)
        data: bytes | str = text
        xml_bytes = raw
    else:
        if raw.startswith(_UTF8_BOM):
            raw = raw[3:]
        if not raw.strip(_WS):
            raise DecodeError("empty", "no content")
        check_binary(raw)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            if raw.lstrip(_WS).startswith(b"<") and _is_xml_declared_encoding(raw.lstrip(_WS)):
                return Sniffed("xml", "", raw.lstrip(_WS))  # XML may declare e.g. ISO-8859-1
            raise DecodeError("not-utf8", f"invalid UTF-8 at byte {exc.start}") from None
        data = raw
        xml_bytes = raw
    stripped = text.lstrip()
    if not stripped:
        raise DecodeError("empty", "no content")
    first = stripped[0]
    if first in "{[":
        return Sniffed("json", text, _load_json(text, data))
    if first == "<":
        head = stripped[:64].lower()
        if head.startswith(("<!doctype html", "<html")):
            raise DecodeError("unknown-format", "an HTML page, not a wire item")
        return Sniffed("xml", text, xml_bytes.lstrip(_WS) if xml_bytes is raw else xml_bytes)
    return Sniffed("text", text)
