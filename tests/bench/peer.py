"""Peer: the same pure pipeline (``Pipeline.process``) under Quix Streams (confluent-kafka).

One Application in its own consumer group reads the same pre-filled input topic, keeps story
memory in Quix state (RocksDB with a changelog topic, the counterpart of the worker's Faust
table), and produces every record the pipeline returns (outputs and dead letters, with their
keys and headers) to the same output topics in its own namespace. Producer settings match
the worker's: idempotent, acks=all, zstd, linger 5 ms, 256 KiB batches; offsets are committed
every second or 1000 records after the producer was flushed (Quix's at-least-once checkpoint,
like Faust's ``broker_commit_every=1000`` / ``broker_commit_interval=1.0``).

Run by the harness as ``python -m tests.bench.peer`` with BENCH_* variables.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

import orjson
from quixstreams import Application, message_context
from quixstreams.models.serializers import SerializationContext, Serializer

from streams.models import SourceMeta
from streams.pipeline import Pipeline, Resources, dead_letter_record
from streams.settings import Settings
from streams.stories import StoryMemory

Out = tuple[str, bytes, bytes, tuple[tuple[str, bytes], ...]]


class RecordValue(Serializer):
    """Output rows are (topic, key, value, headers) tuples; the Kafka value is the third."""

    def __call__(self, value: Out, ctx: SerializationContext) -> bytes:
        return value[2]


def build(settings: Settings, input_topic: str, group: str, state_dir: str) -> Application:
    app = Application(
        broker_address=settings.broker,
        consumer_group=group,
        auto_offset_reset="earliest",
        commit_interval=1.0,
        commit_every=1000,
        state_dir=state_dir,
        loglevel="WARNING",
        producer_extra_config={
            "acks": "all",
            "enable.idempotence": True,
            "compression.type": settings.compression,
            "linger.ms": 5,
            "batch.size": 262_144,
            "message.max.bytes": max(2 * settings.max_item_bytes, 1_048_576) + 65_536,
            "request.timeout.ms": 30_000,
        },
    )
    pipeline = Pipeline(settings, Resources.load(settings))
    dlq = settings.ns(settings.dlq_topic)
    source = app.topic(input_topic, value_deserializer="bytes", key_deserializer="bytes")
    outputs: dict[str, Any] = {}

    def output(name: str) -> Any:
        topic = outputs.get(name)
        if topic is None:
            topic = outputs[name] = app.topic(name, value_serializer=RecordValue(), key_serializer="bytes")
        return topic

    from streams.routing import load_rules
    from streams.topics import all_topics
    for name in all_topics(settings, list(load_rules(settings.rules_path or None).topics)):
        if name != settings.ns(settings.input_topic):
            output(name)

    def process(value: bytes, key: bytes, timestamp: int, headers: Any, state: Any) -> list[Out]:
        ctx = message_context()
        meta = SourceMeta(ctx.topic, ctx.partition, ctx.offset, timestamp, key)

        def remembered(story_id: str) -> StoryMemory | None:
            data = state.get(story_id)
            return StoryMemory.from_json(orjson.loads(data)) if data else None

        outcome = pipeline.process(value or b"", meta, remembered)
        records = list(outcome.records)
        if outcome.dead_letter is not None:
            records.append(dead_letter_record(outcome.dead_letter, dlq))
        for story_id, memory in outcome.memory.items():
            state.set(story_id, orjson.dumps(memory.to_json()).decode())
        return [(r.topic, r.key, r.value, r.headers) for r in records]

    sdf = app.dataframe(source)
    sdf = sdf.apply(process, stateful=True, expand=True, metadata=True)
    sdf = sdf.set_headers(lambda value, key, timestamp, headers: list(value[3]))
    sdf.to_topic(lambda value, key, timestamp, headers: output(value[0]), key=lambda value: value[1])
    return app


def main() -> int:
    logging.basicConfig(level=logging.WARNING)
    env = os.environ
    settings = Settings.from_env()
    app = build(settings, env["BENCH_INPUT_TOPIC"], env["BENCH_GROUP"], env["BENCH_STATE_DIR"])
    app.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
