"""Types of the compiled core (streams/native, built by maturin)."""

ABI: int

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
