"""bytes -> Outcome: the whole pure core, testable with no broker.

decode -> classify -> enrich -> route -> serialise. Nothing here touches Kafka or Faust; the
worker hands in the raw value, where it came from, the story memory and the clock, and gets
back the records to publish, the memory to store, or a dead letter. Bad input never raises.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import orjson

from streams import __version__
from streams._native import PanicException
from streams.classify import Taxonomy, classify, load_taxonomy
from streams.document import build_document
from streams.entities import KnowledgeBase, extract, load_kb
from streams.formats import decode
from streams.models import DeadLetter, DecodeError, OutputRecord, SourceMeta, WireItem
from streams.routing import Facts, Rule, RuleSet, Target, load_rules
from streams.settings import Settings
from streams.stories import StoryMemory, alert_decision

MemoryLookup = Callable[[str], StoryMemory | None]


@dataclass(slots=True)
class ItemResult:
    """What happened to one decoded item, for the metrics."""

    labels: list[str]
    entity_types: list[tuple[str, bool]]  # (type, linked)
    topics: list[str]  # where it was published
    skipped: str | None = None  # "duplicate", "embargoed", ...

    def __reduce__(self) -> tuple[type[ItemResult], tuple[Any, ...]]:
        # pickled by the pipeline processes (streams/compute.py): as a tuple, at a third of the cost
        return ItemResult, (self.labels, self.entity_types, self.topics, self.skipped)


@dataclass(slots=True)
class Decoded:
    """A record's items as decoded, and what decoding took."""

    items: list[WireItem]
    seconds: float


@dataclass
class Outcome:
    records: list[OutputRecord] = field(default_factory=list)
    dead_letter: DeadLetter | None = None
    memory: dict[str, StoryMemory] = field(default_factory=dict)
    items: list[ItemResult] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # per stage, summed over items


def utc_iso(now: float) -> str:
    return datetime.fromtimestamp(now, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_time(value: str | None) -> float | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


@dataclass
class Resources:
    """The data the core runs on; rules can be swapped while the worker runs (hot reload)."""

    taxonomy: Taxonomy
    kb: KnowledgeBase
    rules: RuleSet

    @classmethod
    def load(cls, settings: Settings) -> Resources:
        return cls(
            load_taxonomy(settings.taxonomy_path or None),
            load_kb(settings.kb_path or None),
            load_rules(settings.rules_path or None),
        )

    @property
    def versions(self) -> dict[str, str]:
        return {"taxonomy": self.taxonomy.version, "kb": self.kb.version, "rules": self.rules.version}


class Pipeline:
    def __init__(self, settings: Settings, resources: Resources) -> None:
        self.settings = settings
        self.resources = resources

    # -- the one entry point ------------------------------------------------------------------

    def process(
        self,
        raw: bytes,
        source: SourceMeta,
        memory: MemoryLookup = lambda _: None,
        now: float | None = None,
    ) -> Outcome:
        now = time.time() if now is None else now
        decoded = self.decode(raw, source, now)
        if isinstance(decoded, Outcome):
            return decoded
        return self.finish(decoded, raw, source, memory, now)

    def decode(self, raw: bytes, source: SourceMeta, now: float) -> Decoded | Outcome:
        """The record's items, or the Outcome that dead-letters it; split from ``finish`` so that
        the story memory can be fetched for the decoded items' story ids in between."""
        started = time.perf_counter()
        try:
            items = decode(raw, max_bytes=self.settings.max_item_bytes)
        except DecodeError as exc:
            return Outcome(dead_letter=DeadLetter(exc.reason, exc.message, raw, source, utc_iso(now)))
        except Exception as exc:  # a parser bug must not take the worker down
            return Outcome(dead_letter=self._internal_error("decode", exc, raw, source, now))
        return Decoded(items, time.perf_counter() - started)

    def finish(self, decoded: Decoded, raw: bytes, source: SourceMeta, memory: MemoryLookup, now: float) -> Outcome:
        """Classify, enrich, route and serialise the decoded items of one record."""
        outcome = Outcome()
        outcome.seconds["decode"] = decoded.seconds
        pending: dict[str, StoryMemory] = {}
        try:
            for item in decoded.items:
                remembered = pending.get(item.story_id) or memory(item.story_id) or StoryMemory()
                updated = self._process_item(item, raw, remembered, now, outcome)
                if updated is not None:
                    pending[item.story_id] = updated
        except (Exception, PanicException) as exc:  # never lose the record: dead-letter it whole
            return Outcome(dead_letter=self._internal_error("route", exc, raw, source, now))
        outcome.memory = pending
        return outcome

    def documents(self, raw: bytes) -> list[dict[str, Any]]:
        """Decode and enrich without routing or memory: what ``newswire classify`` prints.

        Raises DecodeError for input the worker would dead-letter.
        """
        versions = self.resources.versions
        return [
            build_document(f.item, f.topics, f.entities, data_versions=versions, lifecycle=f.lifecycle)
            for f in self.facts(raw)
        ]

    def facts(self, raw: bytes) -> list[Facts]:
        """What the rules see for each item of a record (for ``newswire route --explain``)."""
        out = []
        for item in decode(raw, max_bytes=self.settings.max_item_bytes):
            topics = classify(item, self.resources.taxonomy)
            entities = extract(item, self.resources.kb)
            lifecycle = "cancel" if item.pubstatus == "canceled" else ("update" if item.is_update else "new")
            out.append(Facts(item, topics, entities, lifecycle))
        return out

    # -- one item -----------------------------------------------------------------------------

    def _process_item(
        self, item: WireItem, raw: bytes, memory: StoryMemory, now: float, outcome: Outcome
    ) -> StoryMemory | None:
        key = item.story_id.encode()
        if item.pubstatus == "canceled":
            return self._cancel(item, key, memory, now, outcome)
        if memory.seen(item.version):
            outcome.items.append(ItemResult([], [], [], skipped="duplicate"))
            return None
        embargo = parse_time(item.embargoed)
        if embargo is not None and embargo > now:
            outcome.records.append(OutputRecord(
                self.settings.ns(self.settings.embargoed_topic), key, raw,
                (("newswire.embargo.until", str(embargo).encode()), ("newswire.record.id", item.record_id.encode())),
            ))
            outcome.items.append(ItemResult([], [], [self.settings.embargoed_topic], skipped="embargoed"))
            return None

        clock = time.perf_counter
        t0 = clock()
        topics = classify(item, self.resources.taxonomy)
        t1 = clock()
        entities = extract(item, self.resources.kb)
        t2 = clock()
        lifecycle = "update" if (item.is_update or memory.versions) else "new"
        facts = Facts(item, topics, entities, lifecycle)
        chosen = self.resources.rules.route(facts)
        t3 = clock()
        doc = build_document(item, topics, entities, data_versions=self.resources.versions, lifecycle=lifecycle)
        full = orjson.dumps(doc)
        headers = (("newswire.record.id", item.record_id.encode()),)
        published: list[str] = []
        for rule, target in chosen:
            if target.topic in published:
                continue
            if target.alert:
                send, escalation = alert_decision(memory, item.urgency, facts.casualties)
                if not send:
                    continue
                memory = _remember_alert(memory, item.urgency, facts.casualties)
                value = self._project(target, doc, full, rule, facts, escalation)
            else:
                value = self._project(target, doc, full, rule, facts, None)
            rule_header = ("newswire.rule", rule.name.encode())
            outcome.records.append(OutputRecord(self.settings.ns(target.topic), key, value, (*headers, rule_header)))
            published.append(target.topic)
        t4 = clock()
        for stage, seconds in (("classify", t1 - t0), ("enrich", t2 - t1), ("route", t3 - t2), ("serialise", t4 - t3)):
            outcome.seconds[stage] = outcome.seconds.get(stage, 0.0) + seconds
        outcome.items.append(ItemResult(
            [t.id for t in topics if t.labelled], [(e.type, e.id is not None) for e in entities], published,
        ))
        return memory.published(item.version, published, now)

    def _cancel(
        self, item: WireItem, key: bytes, memory: StoryMemory, now: float, outcome: Outcome
    ) -> StoryMemory:
        """A canceled story: a cancel record to every stream any of its versions went to."""
        streams = list(memory.topics) or [self.settings.enriched_topic]
        if self.settings.enriched_topic not in streams:
            streams.append(self.settings.enriched_topic)
        value = orjson.dumps({
            "id": item.record_id, "story_id": item.story_id, "version": str(item.version),
            "pubstatus": "canceled", "lifecycle": "cancel", "headline": item.headline,
            "versioncreated": item.versioncreated, "pipeline": {"version": __version__},
        })
        headers = (("newswire.record.id", item.record_id.encode()), ("newswire.rule", b"cancel"))
        outcome.records.extend(OutputRecord(self.settings.ns(topic), key, value, headers) for topic in streams)
        outcome.items.append(ItemResult([], [], streams))
        updated = memory.published(item.version, streams, now)
        return replace(updated, canceled=True)

    def _project(
        self, target: Target, doc: dict[str, Any], full: bytes, rule: Rule, facts: Facts, escalation: str | None
    ) -> bytes:
        if target.projection == "full":
            return full
        return orjson.dumps(alert_record(doc, rule, facts, escalation))

    def _internal_error(self, stage: str, exc: BaseException, raw: bytes, source: SourceMeta, now: float) -> DeadLetter:
        return DeadLetter("internal-error", f"{stage}: {type(exc).__name__}: {exc}"[:500], raw, source, utc_iso(now))


def _remember_alert(memory: StoryMemory, urgency: int | None, casualties: int) -> StoryMemory:
    level = min(urgency or 9, memory.alert_urgency or 9)
    # replace(), not a round trip through to_json(): asdict() deep-copies every field (~7 us)
    return replace(memory, alerted=True, alert_urgency=level, alert_casualties=max(casualties, memory.alert_casualties))


def alert_record(doc: dict[str, Any], rule: Rule, facts: Facts, escalation: str | None) -> dict[str, Any]:
    """The compact record alerting consumers read: enough to page someone, a pointer for the rest."""
    return {
        "id": f"alert:{doc['id']}",
        "record_id": doc["id"],
        "story_id": doc["story_id"],
        "headline": doc["headlines"][0]["value"],
        "urgency": doc["urgency"],
        "topics": [{"id": t["id"], "score": t["score"]} for t in doc["topics"]],
        "places": [p["name"] for p in doc["places"][:3]],
        "people": [p["name"] for p in doc["people"][:3]],
        "casualties": facts.casualties,
        "lifecycle": facts.lifecycle,
        "rule": rule.name,
        "reason": rule.description or rule.name,
        "escalation": escalation,
        "versioncreated": doc["versioncreated"],
        "source": doc["source"]["agency"],
    }


DLQ_PREFIX_BYTES = 65_536  # what a dead letter keeps of a value too large to republish whole


def record_size(record: OutputRecord) -> int:
    return len(record.value) + len(record.key) + sum(len(k) + len(v) for k, v in record.headers) + 512


def dead_letter_record(letter: DeadLetter, dlq_topic: str, max_bytes: int | None = None) -> OutputRecord:
    """The DLQ record: original bytes untouched, the why in headers (Kafka Connect style).

    A value too large for any Kafka record (a 50 MiB item, say) cannot travel whole: the dead
    letter then keeps its first 64 KiB, says so in ``newswire.error.truncated``, and names the
    source partition and offset where the whole value still is.
    """
    source = letter.source
    raw = letter.raw
    extra: tuple[tuple[str, bytes], ...] = ()
    if max_bytes is not None and len(raw) + 8192 > max_bytes:
        extra = (("newswire.error.truncated", b"true"), ("newswire.original.bytes", str(len(raw)).encode()))
        raw = raw[:DLQ_PREFIX_BYTES]
    headers = (
        ("newswire.error.reason", letter.reason.encode()),
        ("newswire.error.message", letter.message.encode("utf-8", "replace")[:1000]),
        ("newswire.source.topic", source.topic.encode()),
        ("newswire.source.partition", str(source.partition).encode()),
        ("newswire.source.offset", str(source.offset).encode()),
        ("newswire.failed.at", letter.failed_at.encode()),
        *extra,
    )
    return OutputRecord(dlq_topic, (source.key or b"")[:DLQ_PREFIX_BYTES], raw, headers)
