"""Produce sample items and read output topics back as a readable table (make run, tail)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, TextIO

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from streams.cli import iter_inputs
from streams.kafka import client_options
from streams.settings import Settings


def _record_key(name: str, raw: bytes) -> bytes:
    """The agency item id where the record names one, so versions of a story share a partition."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return Path(name.split(":")[0]).stem.encode()
    if isinstance(data, dict):
        for field in ("urn", "uri", "guid", "id"):
            if isinstance(data.get(field), str):
                return str(data[field]).rsplit(":", 1)[0].encode() if field == "urn" else data[field].encode()
    return Path(name.split(":")[0]).stem.encode()


async def produce_files(settings: Settings, paths: list[str], *, topic: str) -> int:
    producer = AIOKafkaProducer(acks="all", enable_idempotence=True, **client_options(settings))
    await producer.start()
    try:
        count = 0
        for name, raw in iter_inputs(paths):
            await producer.send(topic, value=raw, key=_record_key(name, raw))
            count += 1
        await producer.flush()
        return count
    finally:
        await producer.stop()


async def read_topics(
    settings: Settings,
    topics: list[str],
    *,
    idle_seconds: float = 5.0,
    expect: int = 0,
    start: dict[TopicPartition, int] | None = None,
) -> list[dict[str, Any]]:
    """Read the topics with a throwaway consumer (no group, no commits), from the beginning or ``start``."""
    consumer = AIOKafkaConsumer(auto_offset_reset="earliest", enable_auto_commit=False, group_id=None,
                                **client_options(settings))
    await consumer.start()
    rows: list[dict[str, Any]] = []
    try:
        if start is None:
            consumer.subscribe(topics)
        else:
            consumer.assign(list(start))
            for tp, offset in start.items():
                consumer.seek(tp, offset)
        last = time.monotonic()
        while time.monotonic() - last < idle_seconds and not (expect and len(rows) >= expect):
            batch = await consumer.getmany(timeout_ms=500)
            for _tp, messages in batch.items():
                for msg in messages:
                    last = time.monotonic()
                    rows.append(_row(msg.topic, msg.value, dict(msg.headers)))
    finally:
        await consumer.stop()
    return rows


def _row(topic: str, value: bytes | None, headers: dict[str, bytes]) -> dict[str, Any]:
    if "newswire.error.reason" in headers:
        return {"topic": topic, "headline": f"(dead letter: {headers['newswire.error.reason'].decode()})",
                "labels": "", "entities": headers.get("newswire.error.message", b"").decode()[:60]}
    try:
        doc = orjson.loads(value or b"{}")
    except orjson.JSONDecodeError:
        return {"topic": topic, "headline": "(raw bytes)", "labels": "", "entities": ""}
    if "headlines" in doc:
        headline = doc["headlines"][0]["value"]
        labels = " ".join(f"{t['id']}:{t['score']:.2f}" for t in doc.get("topics", []))
        names = list(dict.fromkeys(e["name"] for e in doc.get("entities", [])))[:5]
    else:  # alert or cancel record
        headline = doc.get("headline", "")
        labels = " ".join(f"{t['id']}:{t['score']:.2f}" for t in doc.get("topics", [])) or doc.get("lifecycle", "")
        names = doc.get("people", [])[:2] + doc.get("places", [])[:3]
        if doc.get("escalation"):
            labels += f" ESCALATION({doc['escalation']})"
    return {"topic": topic, "headline": headline, "labels": labels, "entities": ", ".join(names)}


def print_table(rows: list[dict[str, Any]], out: TextIO) -> None:
    widths = {"topic": 18, "headline": 58, "labels": 44, "entities": 50}
    header = "  ".join(k.upper().ljust(w) for k, w in widths.items())
    out.write(header + "\n" + "-" * len(header) + "\n")
    for row in sorted(rows, key=lambda r: (r["topic"], r["headline"])):
        cells = []
        for key, width in widths.items():
            text = str(row[key]).replace("\n", " ")
            cells.append((text[: width - 1] + "…" if len(text) > width else text).ljust(width))
        out.write("  ".join(cells).rstrip() + "\n")
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["topic"]] = counts.get(row["topic"], 0) + 1
    out.write("\n" + ", ".join(f"{t}: {n}" for t, n in sorted(counts.items())) + "\n")
