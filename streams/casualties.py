"""Casualty figures in a report ("mindestens 12 Tote", "killing 7 people"), for alert escalation.

Numbers are read only next to casualty words, with bounded patterns (no nested quantifiers),
so hostile text cannot make the regex backtrack.
"""

from __future__ import annotations

import re

NUMBER_WORDS = {
    "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9, "zehn": 10,
    "elf": 11, "zwölf": 12, "dutzende": 24, "hunderte": 200,
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "dozens": 24, "hundreds": 200,
}
_NUM = r"(\d{1,3}(?:[.,]\d{3})?|" + "|".join(NUMBER_WORDS) + ")"
_BEFORE = re.compile(
    _NUM + r"\s{1,3}(?:\w{1,20}\s{1,3})?"
    r"(?:Tote|Toten|Todesopfer|Menschen\s{1,3}getötet|Verletzte|Verletzten|Zivilisten\s{1,3}getötet|"
    r"dead|killed|people\s{1,3}killed|civilians\s{1,3}killed|wounded|injured|casualties)\b",
    re.IGNORECASE,
)
_AFTER = re.compile(
    r"(?:killing|killed|tötete|töteten|getötet\s{1,3}wurden)\s{1,3}(?:mindestens\s{1,3}|at\s{1,3}least\s{1,3})?"
    + _NUM + r"\b",
    re.IGNORECASE,
)


def _value(token: str) -> int:
    word = token.lower()
    if word in NUMBER_WORDS:
        return NUMBER_WORDS[word]
    return int(word.replace(".", "").replace(",", ""))


# Literal stems of the casualty words: a C-speed ``find`` locates them, and the regexes only
# look at a small window around each, so a long item costs microseconds, not a full regex scan.
STEMS = ("tote", "todesopfer", "getötet", "tötete", "verletzte", "dead", "killed", "killing", "wounded",
         "injured", "casualties")
WINDOW_BEFORE, WINDOW_AFTER = 48, 64


def casualty_count(text: str) -> int:
    """The largest casualty figure the text reports, 0 when it reports none."""
    lowered = text.lower()
    best = 0
    for stem in STEMS:
        at = lowered.find(stem)
        while at != -1:
            window = text[max(0, at - WINDOW_BEFORE): at + WINDOW_AFTER]
            for pattern in (_BEFORE, _AFTER):
                for match in pattern.finditer(window):
                    best = max(best, _value(match.group(1)))
            at = lowered.find(stem, at + len(stem))
    return best
