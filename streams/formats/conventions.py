"""Agency wire-copy conventions: datelines, closing slugs, subheads, urgency markers.

These rules hold for plain text and for the text inside JSON/HTML bodies alike, so every
parser calls them. All regexes are anchored and run on short, bounded slices (a dateline is
within the first 160 chars, a slug within the last 80), so no input can make them slow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from streams.formats.limits import MAX_DERIVED_HEADLINE

# Canonical spellings of agencies seen in datelines "(dpa)", "(Reuters)", "(dpa-AFX)".
AGENCIES: dict[str, str] = {
    "dpa": "dpa", "dpa-afx": "dpa-AFX", "afx": "dpa-AFX", "afp": "AFP", "reuters": "Reuters",
    "rtr": "Reuters", "ap": "AP", "kna": "KNA", "epd": "epd", "apa": "APA", "sda": "SDA",
    "keystone-sda": "Keystone-SDA", "ansa": "ANSA", "efe": "EFE", "dts": "dts",
    "bloomberg": "Bloomberg", "dow jones": "Dow Jones", "dj": "Dow Jones", "upi": "UPI",
    "xinhua": "Xinhua", "belga": "Belga", "anp": "ANP", "awp": "AWP", "ots": "ots",
    "dpa-infocom": "dpa", "sid": "SID", "tass": "TASS",
}

# "KIEW (dpa-AFX) - ", "Halle (Saale) (dpa) - ", "BERLIN, Jan 5 (Reuters) -", "WASHINGTON (AP) —".
# The place cannot contain "(" "," or a newline, so the lazy quantifier stops at the first
# candidate; every other part is bounded and separated by a literal: linear in the slice.
_DATELINE = re.compile(
    r"(?P<place>[^\W\d_][^\n(),:;]{0,48}?)"
    r"(?:\s?\((?P<region>[^()\n]{1,20})\))?"
    r"(?:,\s?(?P<date>[^()\n]{1,30}?))?"
    r"\s?\((?P<agency>[^()\n]{1,30})\)"
    r"[ \t]?[-–—]{1,2}[ \t]?"
)
_DATELINE_SLICE = 160
_PLACE_PARTICLES = frozenset({"am", "an", "der", "de", "del", "da", "do", "dos", "la", "le", "im", "in",
                              "upon", "on", "of", "the", "bei", "ob", "sur", "en", "y", "van", "von"})

# "/hme/DP/zb" glued to the last sentence or alone; "dpa xy yy z2 a3 abc/def" on its own line.
_SLUG_ALONE = re.compile(r"/?[A-Za-z]{1,6}(?:/[A-Za-z0-9]{1,6}){1,6}")
_SLUG_GLUED = re.compile(r"(?<=[.!?\"'»«“”’)\s])(/[A-Za-z]{1,6}(?:/[A-Za-z0-9]{1,6}){1,6})[ \t]*$")
_SLUG_LINE = re.compile(
    r"(?:dpa|dpa-AFX|AFP|afp|rtr|Reuters|AP|ap|kna|epd|sid)"
    r"(?: [A-Za-z0-9]{1,6}){0,8} [A-Za-z]{1,6}(?:/[A-Za-z0-9]{1,6}){1,4}"
)
_SLUG_TAIL = 80

_FINAL_PUNCT = frozenset('.!?:;,…"\'“”„»«’‘')
SUBHEAD_MAX = 90

_URGENT_WORDS = frozenset({"eilmeldung", "eil", "eilt", "breaking", "urgent", "flash", "alert"})

# Headline prefixes that mark a corrected or repeated version: dpa-AFX "WDH/", "KORREKTUR:",
# Reuters "UPDATE 2-", "CORRECTED-", "REFILE-".
_UPDATE_PREFIX = re.compile(r"(?:WDH|KORREKTUR|BERICHTIGUNG|UPDATE(?: \d{1,2})?|CORRECTED|REFILE)\s?[-/:]")

_BYLINE = re.compile(r"(?:Von|By|Text:|Text von)\s[^\n]{2,80}")

_SENTENCE_END = re.compile(r"[.!?](?=[\s\"“”»]|$)")

# Tokens before a "." that do not end a sentence.
_ABBREVIATIONS = frozenset({
    "dr", "prof", "nr", "st", "bzw", "ca", "vgl", "usw", "etc", "inkl", "ggf", "mio", "mrd",
    "jan", "feb", "mr", "mrs", "ms", "sen", "rep", "gov", "gen", "lt", "col", "no", "vs", "u.s",
    "z.b", "d.h", "u.a", "o.ä", "s", "sog", "abs", "art", "str", "jr", "sr", "co", "inc", "corp",
})


@dataclass(frozen=True, slots=True)
class Dateline:
    """A dateline found at the start of a paragraph; tidy text and place are built on demand."""

    raw: str  # as matched, e.g. "KIEW (dpa-AFX) - "
    raw_place: str  # "KIEW", "Halle (Saale)"
    agency: str  # canonical, "dpa-AFX"
    end: int  # where the dateline ends in the paragraph

    @property
    def text(self) -> str:
        return tidy_dateline(self.raw)

    @property
    def place(self) -> str:
        return place_name(self.raw_place)


def agency_name(raw: str) -> str | None:
    """Canonical agency for "(dpa)", "(dpa/lby)", "(AFP/dpa)"; None when it is not an agency."""
    key = raw.strip().lower()
    if key in AGENCIES:
        return AGENCIES[key]
    first = key.split("/", 1)[0].strip()
    return AGENCIES.get(first)


def place_name(raw: str) -> str:
    """"KIEW" -> "Kiew", "NEW YORK" -> "New York", "FRANKFURT AM MAIN" -> "Frankfurt am Main"."""
    place = " ".join(raw.split()).strip(" .-")
    if not place.isupper():
        return place
    words = place.title().split(" ")
    return " ".join(w.lower() if i and w.lower() in _PLACE_PARTICLES else w for i, w in enumerate(words))


def find_dateline(paragraph: str) -> Dateline | None:
    """The dateline opening a paragraph, if there is one with a known agency."""
    m = _DATELINE.match(paragraph[:_DATELINE_SLICE])
    if m is None:
        return None
    agency = agency_name(m.group("agency"))
    place = m.group("place")
    if agency is None or not place[0].isupper() or len(place.split()) > 6:
        return None
    if m.group("region"):
        place = f"{place.rstrip()} ({m.group('region')})"
    return Dateline(raw=m.group(0), raw_place=place, agency=agency, end=m.end())


def tidy_dateline(raw: str) -> str:
    """Collapse spaces; a dateline ending in a dash keeps one trailing space, as printed."""
    text = " ".join(raw.split())
    return text + " " if text[-1:] in ("-", "–", "—") else text


def is_slug_line(line: str) -> bool:
    """A whole line that is a closing slug ("/hme/DP/zb", "dpa xy yy z2 a3 abc/def")."""
    line = line.strip()
    if not line or len(line) > 70:
        return False
    return _SLUG_ALONE.fullmatch(line) is not None or _SLUG_LINE.fullmatch(line) is not None


def split_glued_slug(line: str) -> tuple[str, str | None]:
    """"...einzustehen./hme/DP/zb" -> ("...einzustehen.", "/hme/DP/zb")."""
    cut = max(0, len(line) - _SLUG_TAIL)
    m = _SLUG_GLUED.search(line, cut)
    if m is None:
        return line, None
    return line[: m.start()].rstrip(), m.group(1)


def is_subhead(block: str) -> bool:
    """Short one-line block without final punctuation (checked only between paragraphs)."""
    return (
        0 < len(block) < SUBHEAD_MAX
        and "\n" not in block
        and block[-1] not in _FINAL_PUNCT
        and any(ch.isalpha() for ch in block[:40])
    )


def is_byline(block: str) -> bool:
    return len(block) <= 90 and block[-1] != "." and _BYLINE.fullmatch(block) is not None


def urgent_marker(headline: str) -> bool:
    """Headline opens with "Eilmeldung", "EIL:", "BREAKING", "URGENT" ... (marker kept in text)."""
    head = headline[:40].lstrip("+*#>!- ").split(maxsplit=1)
    if not head:
        return False
    return head[0].rstrip(":-–—!+*").casefold() in _URGENT_WORDS


def update_marker(headline: str) -> bool:
    """Headline opens with "WDH/", "KORREKTUR:", "UPDATE 2-", "CORRECTED-" ... (marker kept)."""
    return _UPDATE_PREFIX.match(headline[:20]) is not None


def first_sentence(text: str, limit: int = MAX_DERIVED_HEADLINE) -> str:
    """The lead's first sentence, cut at a word boundary to ``limit`` chars (derived headline)."""
    window = text[: limit * 3]
    end = len(window)
    for m in _SENTENCE_END.finditer(window):
        i = m.start()
        if i < 15:
            continue
        if window[i] == ".":
            token = window[:i].rsplit(None, 1)[-1].lower().lstrip("(\"„»«“")
            if token.isdigit() or token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
                continue
        end = i + 1
        break
    sentence = window[:end].strip()
    if len(sentence) <= limit:
        return sentence
    cut = sentence.rfind(" ", 0, limit - 1)
    if cut < limit // 2:
        cut = limit - 1
    return sentence[:cut].rstrip(" ,;:-–—") + "…"
