"""Passthrough baseline: the worker's Faust/aiokafka stack with no processing at all.

A Faust app configured like ``streams.app.create_app`` (same faust.App settings, raw codecs,
one agent, ``take_events(500, within=0.05)``) and the *worker's own* producer
(``Worker.start_producer``: idempotent, acks=all, zstd, no linger, 256 KiB batches). For each
consumed record it looks up, by (partition, offset), the records the real worker publishes for
it (same topics, keys, value sizes and headers, computed by the pure pass), sends them and
waits for every ack before the batch's offsets are acked. Values are slices of real output
documents, so compression sees the same kind of bytes. No story table, no metrics.

Run by the harness as ``python -m tests.bench.passthrough`` with BENCH_* variables.
"""

from __future__ import annotations

import asyncio
import os
import pickle
import sys
import time
from types import SimpleNamespace
from typing import Any

import faust
from yarl import URL

from streams.app import BATCH_MAX, BATCH_WITHIN, Worker, app_options
from streams.settings import Settings

PlanMap = dict[tuple[int, int], list[tuple[str, bytes, int, tuple[tuple[str, bytes], ...]]]]


COMPARED = ("broker_commit_every", "broker_commit_interval", "producer_acks", "producer_compression_type",
            "consumer_auto_offset_reset", "stream_recovery_delay", "topic_partitions", "key_serializer",
            "value_serializer", "broker_max_poll_records", "stream_buffer_maxsize", "consumer_max_fetch_size",
            "broker_max_poll_interval", "producer_linger", "producer_max_batch_size")


def same_settings_as_worker(settings: Settings) -> list[str]:
    """Differences between this app's faust settings and the worker's (empty: identical)."""
    from streams.app import create_app

    class _NoLoad(Worker):
        def __init__(self, settings: Settings) -> None:  # no KB/taxonomy load for a config check
            self.settings = settings

    worker_app, _ = create_app(settings, _NoLoad(settings))
    ours = faust.App(settings.app_id + "-check", **app_options(settings))
    return [f"{k}: worker={getattr(worker_app.conf, k)!r} passthrough={getattr(ours.conf, k)!r}"
            for k in COMPARED if getattr(worker_app.conf, k) != getattr(ours.conf, k)]


def build(settings: Settings, input_topic: str, out_namespace: str, plan: PlanMap, filler: bytes) -> faust.App:
    app = faust.App(settings.app_id, **app_options(settings))
    app.conf.web_transport = URL(f"tcp://{settings.web_host}:{settings.web_port}")  # what faust makes of a str
    raw_topic = app.topic(input_topic, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw")
    holder: Any = SimpleNamespace(settings=settings, producer=None, broker_ok=False)
    span = max(1, len(filler) - 65_536)
    # the worker's batching unless a what-if experiment overrides it
    batch_max = int(os.environ.get("BENCH_BATCH_MAX", BATCH_MAX))
    batch_within = float(os.environ.get("BENCH_BATCH_WITHIN", BATCH_WITHIN))
    cursor = 0

    @app.agent(raw_topic, concurrency=1)
    async def passthrough(stream: Any) -> None:
        nonlocal cursor
        producer = await Worker.start_producer(holder)  # the worker's exact producer settings
        try:
            diag = os.environ.get("BENCH_DIAG")
            clock = time.perf_counter
            waited_from = clock()
            async for events in stream.take_events(batch_max, within=batch_within):
                got = clock()
                futures = []
                for event in events:
                    msg = event.message
                    for topic, key, size, headers in plan.get((msg.partition, msg.offset), ()):
                        start = cursor % span
                        cursor += size + 97
                        value = filler[start:start + size]
                        futures.append(await producer.send(out_namespace + topic, value=value, key=key,
                                                           headers=list(headers)))
                sent = clock()
                if futures:
                    await asyncio.gather(*futures)
                if diag:  # where a batch's time goes: waiting for events, sending, waiting for acks
                    acked = clock()
                    print(f"diag batch events={len(events)} records={len(futures)}"
                          f" wait_ms={(got - waited_from) * 1e3:.1f} send_ms={(sent - got) * 1e3:.1f}"
                          f" ack_ms={(acked - sent) * 1e3:.1f}", flush=True)
                    waited_from = acked
        finally:
            await Worker.stop_producer(holder)

    @app.page("/readyz")
    async def readyz(web: Any, request: Any) -> Any:  # same readiness rule as the worker
        try:
            assigned = [tp for tp in app.consumer.assignment() if tp.topic == input_topic]
        except Exception:
            assigned = []
        ok = bool(assigned) and holder.broker_ok
        return web.json({"ready": ok}, status=200 if ok else 503)

    return app


def fetch_max_wait(ms: int) -> None:
    """What-if knob: faust's aiokafka driver hard-codes ``fetch_max_wait_ms=1500`` for the consumer."""
    from faust.transport.drivers import aiokafka as faust_aiokafka

    create = faust_aiokafka.AIOKafkaConsumerThread._create_worker_consumer

    def _create_worker_consumer(self: Any, transport: Any) -> Any:
        consumer = create(self, transport)
        consumer._fetch_max_wait_ms = ms  # read by AIOKafkaConsumer.start() when it builds the Fetcher
        return consumer

    faust_aiokafka.AIOKafkaConsumerThread._create_worker_consumer = _create_worker_consumer


def main() -> int:
    env = os.environ
    if env.get("BENCH_FETCH_MAX_WAIT_MS"):
        fetch_max_wait(int(env["BENCH_FETCH_MAX_WAIT_MS"]))
    settings = Settings.from_env()
    with open(env["BENCH_PLAN"], "rb") as handle:
        plan, filler = pickle.load(handle)
    if len(filler) < 200_000:
        filler = filler * (200_000 // max(1, len(filler)) + 1)
    app = build(settings, env["BENCH_INPUT_TOPIC"], env["BENCH_OUT_NAMESPACE"], plan, filler)
    worker = faust.Worker(app, loglevel="WARNING", quiet=True, override_logging=False)
    worker.execute_from_commandline()
    return 0


if __name__ == "__main__":
    sys.exit(main())
