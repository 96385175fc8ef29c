"""The worker's publish path on the real broker: every topic it writes is known to its producer."""

from __future__ import annotations

import asyncio
import time

import pytest

from streams.app import Worker
from streams.models import OutputRecord
from streams.settings import Settings
from streams.topics import ensure_topics
from tests.integration.kafka_tools import read_all

pytestmark = pytest.mark.integration


async def test_a_topic_first_seen_in_a_full_metadata_fetch_is_published_without_delay(isolated: Settings) -> None:
    """aiokafka's metadata cache starts as a fetch of every topic; a topic found there was never
    registered for refreshes, so the first refresh for a newly created topic dropped it and its
    batch waited 30 s for a leader, then failed (the slow first publish on a fresh broker, and
    the stalled rebalance of issue 7). The worker registers each topic it sends to."""
    s = isolated
    old, new = s.ns("news.old"), s.ns("news.new")
    await ensure_topics(s, [old])  # returns once every partition has a leader
    worker = Worker(s)
    producer = await worker.start_producer()
    try:
        await producer.client.force_metadata_update()  # no topic registered yet: a fetch of all
        assert old in producer.client.cluster.topics()
        await ensure_topics(s, [new])  # created after that fetch: sending to it registers it

        started = time.monotonic()
        await asyncio.wait_for(worker.publish([OutputRecord(old, b"k", b"old"), OutputRecord(new, b"k", b"new")]),
                               timeout=60)
        took = time.monotonic() - started
    finally:
        await worker.stop_producer()

    assert took < 10, f"publishing took {took:.1f} s: a topic's batch waited for metadata"
    assert worker.metrics.errors.labels("publish")._value.get() == 0
    records = await read_all(s, [old, new], expect=2, timeout=20)
    assert sorted(r.value for r in records) == [b"new", b"old"]
