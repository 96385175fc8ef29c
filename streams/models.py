"""The records that flow through the pure core: decode -> classify -> enrich -> route.

Plain frozen dataclasses so the core has no framework dependency and is cheap to build.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class DecodeError(ValueError):
    """Raised by every parser for input it cannot turn into a WireItem.

    ``reason`` is a short machine word (``invalid-json``, ``not-utf8``, ``too-large``,
    ``no-text``, ``xml-unsafe`` ...) that becomes the dead-letter reason header.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.message = message


@dataclass(frozen=True, slots=True)
class Subject:
    """An agency or standard classification code carried by the input (IPTC, dpa ...)."""

    code: str
    name: str = ""
    scheme: str = ""  # e.g. "medtop", "dpasubject", "geosubject", "keyword", "desk", "genre"


@dataclass(frozen=True, slots=True)
class WireItem:
    """One news item as every parser delivers it, whatever the input format.

    ``body`` is the text that body offsets point into: the paragraphs and subheads in reading
    order, joined by a blank line. The dateline is cut off the first paragraph and kept apart.
    """

    headline: str
    paragraphs: tuple[str, ...]  # body blocks in reading order, subheads included
    format: str  # "text", "json", "ninjs", "digitalwires", "newsml"
    story_id: str
    version: int = 1
    subheads: tuple[str, ...] = ()  # those blocks of ``paragraphs`` that are subheads
    language: str | None = None  # ISO 639-1
    agency: str | None = None  # "dpa", "dpa-AFX", "Reuters", "AP", "AFP" ...
    dateline: str | None = None  # as printed, e.g. "KIEW (dpa-AFX) - "
    dateline_place: str | None = None  # e.g. "Kiew"
    byline: str | None = None
    closing_slug: str | None = None
    urgency: int | None = None  # 1 (highest) .. 9
    firstcreated: str | None = None  # ISO 8601
    versioncreated: str | None = None
    embargoed: str | None = None  # ISO 8601; not before this moment
    pubstatus: str = "usable"  # "usable", "canceled", "withheld"
    is_update: bool = False  # a later version of an earlier story
    uri: str | None = None  # the agency's own identifier, as delivered
    kicker: str | None = None
    teaser: str | None = None
    subjects: tuple[Subject, ...] = ()
    keywords: tuple[str, ...] = ()
    media_only: bool = False  # an audio/image entry without text
    extra: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def lead(self) -> str:
        """The first paragraph that is not a subhead."""
        subheads = set(self.subheads)
        return next((p for p in self.paragraphs if p not in subheads), "")

    @property
    def record_id(self) -> str:
        return f"{self.story_id}:{self.version}"


@dataclass(frozen=True, slots=True)
class Evidence:
    """One matched cue that moved a topic score, with where it was found."""

    cue: str
    field: str  # "headline" or "body"
    start: int
    end: int
    weight: float


@dataclass(frozen=True, slots=True)
class TopicScore:
    id: str  # "diplomacy", "military_aid", "strikes"
    score: float  # calibrated 0..1
    labelled: bool  # score reached the topic's threshold
    evidence: tuple[Evidence, ...] = ()
    iptc: str = ""  # e.g. "medtop:20000639"
    cameo: str = ""  # e.g. "046"


@dataclass(frozen=True, slots=True)
class Mention:
    text: str
    field: str  # "headline" or "body"
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Entity:
    """One entity of an item, with all its mentions; ``id`` is None for discovered names."""

    name: str  # canonical name
    type: str  # "person", "organisation", "place", "weapon"
    mentions: tuple[Mention, ...]
    id: str | None = None  # knowledge-base id
    wikidata: str | None = None  # QID, only where verified
    country: str | None = None  # ISO 3166-1 alpha-2, for places (and people where known)
    salience: float = 0.0  # 0..1, higher when named in headline/lead


@dataclass(frozen=True, slots=True)
class SourceMeta:
    """Where a raw record came from in Kafka; used for dead letters and latency metrics."""

    topic: str = ""
    partition: int = -1
    offset: int = -1
    timestamp_ms: int | None = None
    key: bytes | None = None


@dataclass(frozen=True, slots=True)
class OutputRecord:
    topic: str
    key: bytes
    value: bytes
    headers: tuple[tuple[str, bytes], ...] = ()

    def __reduce__(self) -> tuple[type[OutputRecord], tuple[Any, ...]]:
        # pickled by the pipeline processes (streams/compute.py): as a tuple, at a third of the cost
        return OutputRecord, (self.topic, self.key, self.value, self.headers)


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """The untouched input plus why it was refused, for the DLQ topic."""

    reason: str
    message: str
    raw: bytes
    source: SourceMeta
    failed_at: str  # ISO 8601 UTC
