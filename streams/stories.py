"""What the worker remembers per story: versions seen, where it went, what it alerted.

Kept as a small JSON-able record so the Faust table (and its changelog topic) can store it;
the pure core only reads one and returns the next one. The worker keeps one per story for two
weeks, so the record leaves out fields at their defaults and keeps time in whole seconds: about
half the bytes in memory and in the changelog (every older record still reads).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

import orjson

MAX_VERSIONS = 64  # a story with more versions forgets the oldest; bounded per key


@dataclass(frozen=True, slots=True)
class StoryMemory:
    versions: tuple[int, ...] = ()  # versions already published, for deduplication
    topics: tuple[str, ...] = ()  # every stream the story was published to, for cancels
    alerted: bool = False
    alert_urgency: int | None = None
    alert_casualties: int = 0
    canceled: bool = False
    updated_at: float = 0.0  # unix seconds; old entries are expired by the worker

    def seen(self, version: int) -> bool:
        return version in self.versions

    def published(self, version: int, topics: list[str], now: float) -> StoryMemory:
        versions = (*self.versions, version)[-MAX_VERSIONS:]
        merged = tuple(dict.fromkeys((*self.topics, *topics)))
        return replace(self, versions=versions, topics=merged, updated_at=float(round(now)))

    def to_json(self) -> dict[str, Any]:
        """The fields that differ from a fresh memory; ``updated_at`` as an integer."""
        record = {f.name: getattr(self, f.name) for f in _FIELDS if getattr(self, f.name) != f.default}
        if "updated_at" in record:
            record["updated_at"] = round(self.updated_at)
        return record

    @classmethod
    def from_json(cls, data: Any) -> StoryMemory:
        if not isinstance(data, dict):
            return cls()
        return cls(
            versions=tuple(int(v) for v in data.get("versions", ())),
            topics=tuple(str(t) for t in data.get("topics", ())),
            alerted=bool(data.get("alerted", False)),
            alert_urgency=data.get("alert_urgency"),
            alert_casualties=int(data.get("alert_casualties", 0)),
            canceled=bool(data.get("canceled", False)),
            updated_at=float(data.get("updated_at", 0.0)),
        )


_FIELDS = fields(StoryMemory)


def encode_memory(memory: StoryMemory) -> bytes:
    """The table's (and changelog's) bytes for a memory."""
    # a copy: orjson's own result keeps its whole (4 KB) allocation alive in the table
    return bytes(memoryview(orjson.dumps(memory.to_json())))


def decode_memory(data: bytes | None) -> StoryMemory | None:
    """A memory from the table's bytes; None for a story the table does not hold."""
    return StoryMemory.from_json(orjson.loads(data)) if data else None


def memory_updates(memories: dict[str, StoryMemory]) -> dict[bytes, bytes]:
    """An Outcome's memories as the table's keys and values."""
    return {story_id.encode(): encode_memory(memory) for story_id, memory in memories.items()}


def alert_decision(memory: StoryMemory, urgency: int | None, casualties: int) -> tuple[bool, str | None]:
    """One alert per story; a later version alerts again only when it escalates.

    Returns (send, escalation) where escalation says what rose, or None for a first alert.
    """
    if not memory.alerted:
        return True, None
    level = urgency if urgency is not None else 9
    before = memory.alert_urgency if memory.alert_urgency is not None else 9
    if level < before:
        return True, f"urgency {before} -> {level}"
    if casualties > memory.alert_casualties:
        return True, f"casualties {memory.alert_casualties} -> {casualties}"
    return False, None
