"""Types of the compiled core (streams/native, built by maturin)."""

from collections.abc import Sequence
from typing import Any

from streams.models import TopicScore

ABI: int

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
