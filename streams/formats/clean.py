"""Text normalisation shared by all formats: one place that decides what a character means.

Agency feeds carry CRLF, NBSP, soft hyphens, zero-width joiners and bidi overrides that look
invisible but break matching downstream (and bidi overrides can disguise text). We normalise
them once here, cheaply: a single regex scan finds out whether anything needs doing at all.
"""

from __future__ import annotations

import re
import unicodedata

from streams.formats.limits import MAX_CONTROL_BYTES
from streams.models import DecodeError

# Characters that vanish: C0/C1 controls (not TAB/LF), soft hyphen, Mongolian vowel separator,
# zero-width space/joiners, LRM/RLM, bidi embeddings/overrides U+202A-202E, isolates
# U+2066-2069, word joiner and invisible operators, BOM/ZWNBSP, interlinear annotation marks.
_DROP = [(0x00, 0x08), (0x0E, 0x1F), (0x7F, 0x84), (0x86, 0x9F), (0xAD, 0xAD), (0x180E, 0x180E),
         (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x2064), (0x2066, 0x2069), (0xFEFF, 0xFEFF),
         (0xFFF9, 0xFFFB)]
# Characters that become a plain space: NBSP, Ogham space, fixed-width and narrow spaces.
_SPACE = [(0xA0, 0xA0), (0x1680, 0x1680), (0x2000, 0x200A), (0x202F, 0x202F), (0x205F, 0x205F),
          (0x3000, 0x3000)]
# Characters that become a newline: VT, FF, NEL, line/paragraph separators.
_NEWLINE = [(0x0B, 0x0C), (0x85, 0x85), (0x2028, 0x2029)]
# Combining diacritics: their presence means the text may be decomposed (NFD) -> NFC it.
_COMBINING = (0x0300, 0x036F)

_MAP: dict[str, str] = {}
for _ranges, _to in ((_DROP, ""), (_SPACE, " "), (_NEWLINE, "\n")):
    for _lo, _hi in _ranges:
        for _cp in range(_lo, _hi + 1):
            _MAP[chr(_cp)] = _to


def _char_class() -> str:
    """One sorted, merged character class: sre scans it much faster than an unsorted one."""
    ranges = sorted([*_DROP, *_SPACE, *_NEWLINE, _COMBINING])
    merged: list[list[int]] = []
    for lo, hi in ranges:
        if merged and lo <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return "[" + "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in merged) + "]"


# One scan tells whether anything needs doing; most items need nothing.
_SPECIAL = re.compile(_char_class())

# Bytes that never occur in text: C0 controls except TAB, LF, VT, FF, CR; plus DEL.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F])


def check_binary(raw: bytes) -> None:
    """Refuse NUL bytes and control garbage; tolerate a few stray controls (7901 framing)."""
    if b"\x00" in raw:
        raise DecodeError("binary", "NUL byte in input")
    stray = len(raw) - len(raw.translate(None, _CONTROL_BYTES))
    if stray > MAX_CONTROL_BYTES and stray * 100 > len(raw):
        raise DecodeError("binary", f"{stray} control bytes in input")


def normalize(text: str) -> str:
    """CRLF/CR -> LF, NBSP and friends -> space, invisible and bidi control chars removed, NFC."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    found = _SPECIAL.findall(text)
    if not found:
        return text
    decomposed = False
    for ch in set(found):
        replacement = _MAP.get(ch)
        if replacement is None:
            decomposed = True
        else:
            text = text.replace(ch, replacement)
    if decomposed:
        text = unicodedata.normalize("NFC", text)
    return text


def collapse(text: str) -> str:
    """One line, single spaces: for headlines and paragraphs (body joins them with blank lines).

    Expects normalised text (no NBSP, no exotic spaces left), so the fast path can check for
    the few whitespace characters that remain.
    """
    if "  " in text or "\n" in text or "\t" in text or text[:1] == " " or text[-1:] == " ":
        return " ".join(text.split())
    return text


def inline(text: str | None) -> str:
    """Normalise and collapse a short field (headline, kicker, byline ...); None -> ''."""
    if not text:
        return ""
    return collapse(normalize(text))
