"""Types of the compiled core (streams/native, built by maturin)."""

from collections.abc import Sequence
from typing import Any

from streams.models import TopicScore

ABI: int

class PanicException(BaseException):
    """A panic inside the compiled core (PyO3's pyo3_runtime.PanicException)."""

# --- topic classification (src/classify.rs) ---------------------------------------------------

# One pattern of a language: (folded spelling, open left, open right, context pattern numbers it stands
# for, cue role numbers, blocker).
PatternSpec = tuple[str, bool, bool, list[int], list[int], bool]
# One cue role: (topic, key, weight, sense index + 1 (0: none), pattern as written, open left, open right).
CueSpec = tuple[int, int, float, int, str, bool, bool]
# One context: (cancels, sense indices, weight, min strength).
ContextSpec = tuple[bool, list[int], float, float]
# One topic: (number of senses, index of the sense "*" or None, contexts, number of its first context
# among all topics' contexts, threshold, id, IPTC code, CAMEO code, its TopicScore when nothing counted).
TopicSpec = tuple[int, int | None, list[ContextSpec], int, float, str, str, str, TopicScore]
# Per topic, for explain(): (evidence after the secondary discount, primary, (context index, strength) per
# context found, factor per sense).
Explained = tuple[float, bool, list[tuple[int, float]], list[float]]

class CharTable:
    """Python's str.isalnum() and str.lower() per code point, handed to the classifier."""

    def __init__(self, alnum: Sequence[tuple[int, int]], lower: Sequence[tuple[int, int]]) -> None: ...
    def canonical(self, text: str) -> bytes: ...

class Classifier:
    """The compiled taxonomy; scores one item per call. Languages are numbered de 0, en 1, any 2."""

    def __init__(
        self,
        chars: CharTable,
        languages: Sequence[Sequence[PatternSpec]],
        cues: Sequence[CueSpec],
        context_slots: Sequence[int],
        topics: Sequence[TopicSpec],
        scoring: Any,
        score_type: tuple[type[Any], Sequence[Any]],
        evidence_type: tuple[type[Any], Sequence[Any]],
    ) -> None: ...
    def classify(
        self, language: int, headline: str, paragraphs: Sequence[str], subheads: Sequence[str]
    ) -> tuple[TopicScore, ...]: ...
    def explain(
        self, language: int, headline: str, paragraphs: Sequence[str], subheads: Sequence[str]
    ) -> list[Explained]: ...
    def find(
        self, language: int, headline: str, paragraphs: Sequence[str]
    ) -> tuple[list[int], list[tuple[int, int, int]]]: ...

# -- entities (streams/native/src/entities/) ------------------------------------------------------

class KeyMatcher:
    """The keys of an entities ``SplitMatcher``: per key its patterns as (closed left, closed right,
    payload index)."""

    def __init__(self, keys: list[str], patterns: list[list[tuple[bool, bool, int]]]) -> None: ...
    def find_spans(self, text: str) -> list[tuple[int, int, int]]:
        """Every match as (start, end, payload index), by start, longer first at the same start."""

# (field, start, end, type, entity, name, rank, weak, rule, targets): the fields of extract.Span
SpanFields = tuple[str, int, int, str, int | None, str, int, bool, str, tuple[int, ...]]

class Extractor:
    """The KB compiled for entity extraction, built once by ``kb.load_kb``."""

    def __init__(
        self,
        matcher: KeyMatcher,
        aliases: list[tuple[str, list[int], str, list[str], bool, bool]],
        entities: list[tuple[str, str, list[str]]],
        lexicon: dict[str, list[str]],
        org_types: list[str],
    ) -> None: ...
    def find_spans(self, headline: str, body: str) -> list[SpanFields]:
        """Every chosen mention in headline and body, headline first, by start."""
    def groups(
        self, headline: str, body: str, lead_start: int, lead_end: int, dateline: tuple[str, int | None, str] | None
    ) -> list[tuple[int | None, str, str, float, list[tuple[str, str, int, int]]]]:
        """The chosen mentions grouped per entity in order of first mention, each group as (entity,
        type, name, score, mentions as (text, field, start, end))."""
    def lookup(self, text: str) -> int | None:
        """The index of the entity a whole string names (a name or surname), or None."""
    def shape_matches(self, text: str) -> list[list[tuple[int, int, int, int]]]:
        """(start, end, group start, group end) per whole-text pattern (for the equivalence tests)."""

def next_word(text: str, pos: int, comma: bool) -> tuple[int, int] | None: ...
def prev_word(text: str, pos: int) -> tuple[int, int] | None: ...
def select_spans(spans: list[tuple[int, int, int]]) -> list[int]:
    """The indices of (start, end, rank) candidates that the choice among overlapping ones keeps."""

def surname_mentions(text: str, surnames: list[str]) -> list[tuple[int, int, str]]: ...
