"""Patterns: the literals that topic cues and knowledge-base names are searched as, with their edges.

Each pattern says how its edges may meet the surrounding text:

- ``word`` edge: the neighbouring character must not be a letter or digit (``str.isalnum()``):
  "Nato", not "Donato";
- ``open`` edge: letters may continue, which is how German compounds and inflection are caught
  ("*angriff" matches "Drohnenangriff", "verhandl*" matches "Verhandlungen").

Patterns are written with ``*`` at an open edge: ``"verhandl*"``, ``"*angriff*"``, ``"Patriot"``.
Topic cues match regardless of case (in their ``fold_case`` form, which keeps offsets valid);
knowledge-base names match case-sensitively.

The matching itself (one Aho-Corasick pass per text) runs in the compiled core: topic scoring in
streams/native/src/classify.rs, the entity scan in streams/native/src/entities/. This module only
defines the patterns handed to it; the tests check the core against a pure-Python reference
matcher (tests/reference_matching.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Pattern(Generic[T]):
    text: str  # the literal to find, without the * markers
    payload: T
    open_left: bool = False
    open_right: bool = False


def parse_pattern(spec: str, payload: T) -> Pattern[T]:
    """Turn ``"*angriff*"`` style specs into a Pattern; a bare ``*`` or empty spec is refused."""
    open_left = spec.startswith("*")
    open_right = spec.endswith("*")
    literal = spec.strip("*")
    if not literal.strip():
        raise ValueError(f"empty pattern {spec!r}")
    return Pattern(literal, payload, open_left, open_right)


def fold_case(text: str) -> str:
    """Lower-case without changing the length, so offsets stay valid for the original text."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c if len(low := c.lower()) != 1 else low for c in text)
