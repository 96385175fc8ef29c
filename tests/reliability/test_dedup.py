"""Scenario 5, deduplication: the same record (story id + version) delivered again is published
once, within a batch, across batches and across a worker restart; a new version of a story is a
new record and is published.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import orjson
import pytest

from tests.integration.kafka_tools import create_topics
from tests.reliability.harness import (
    TopicReader,
    WorkerProc,
    check_delivery,
    make_settings,
    metric_sum,
    produce_sync,
)
from tests.reliability.wire import WireInput, good_items, record_ids

if TYPE_CHECKING:
    from tests.reliability.conftest import Summary

pytestmark = pytest.mark.reliability

OUTPUTS = ["news.enriched", "news.diplomacy", "news.military-aid", "news.strikes", "news.alerts"]


def _version_2(item: WireInput) -> WireInput | None:
    """The same story as a version 2 (JSON items only: plain text has no version field)."""
    if not item.value.startswith(b"{"):
        return None
    doc = orjson.loads(item.value)
    doc["version"] = 2
    value = orjson.dumps(doc)
    return WireInput(item.key, value, record_ids(value))


def _wait_consumed(worker: WorkerProc, count: int, timeout: float = 240.0) -> tuple[float, float]:
    """(consumed, skipped) once at least ``count`` were consumed and the counter stood still for 2 s."""
    deadline = time.monotonic() + timeout
    last, still_since = -1.0, time.monotonic()
    while time.monotonic() < deadline:
        metrics = worker.metrics()
        consumed = metric_sum(metrics, "newswire_items_consumed_total")
        if consumed != last:
            last, still_since = consumed, time.monotonic()
        elif consumed >= count and time.monotonic() - still_since >= 2.0:
            break
        time.sleep(0.5)
    return last, metric_sum(worker.metrics(), "newswire_items_skipped_total")


def test_a_record_delivered_again_is_published_once(broker: str, tmp_path: Path, n_items: int,
                                                    summary: Summary) -> None:
    started = time.monotonic()
    rnd = random.Random(5)
    s = make_settings(broker, partitions=3)
    create_topics(s)
    items = good_items(n_items, f"d{int(time.time())}")
    ids = {rid for w in items for rid in w.record_ids}
    again = list(items)
    rnd.shuffle(again)
    back_to_back = [(w.key, w.value) for w in items[:50] for _ in range(2)]  # twice in one batch
    first_round = [(w.key, w.value) for w in items] + [(w.key, w.value) for w in again] + back_to_back
    updates = [u for u in (_version_2(w) for w in items[::10]) if u is not None]
    new_ids = {rid for u in updates for rid in u.record_ids}
    third_round = [(w.key, w.value) for w in items] + [(u.key, u.value) for u in updates]

    worker = WorkerProc(s, tmp_path, name="dedup")
    with TopicReader(s, [*OUTPUTS, s.dlq_topic]) as reader:
        worker.start()
        produce_sync(s, first_round)
        consumed_1, skipped_1 = _wait_consumed(worker, len(first_round))
        reader.wait("news.enriched", ids, timeout=60, stall=30, settle=2.0)
        code, _ = worker.terminate()  # a graceful restart: the story memory must survive it
        worker.start()
        produce_sync(s, third_round)
        consumed_2, skipped_2 = _wait_consumed(worker, len(third_round))
        reader.wait("news.enriched", ids | new_ids, timeout=60, stall=30, settle=3.0)
        worker.terminate()
    # records consumed before the stop whose offsets the stop did not commit come again
    replayed = consumed_2 - len(third_round)
    delivery = check_delivery(ids | new_ids, reader.snapshot("news.enriched"))
    per_topic = {t: Counter(r.headers["newswire.record.id"] for r in reader.snapshot(t)) for t in OUTPUTS}
    repeated = {t: sum(c - 1 for c in counts.values() if c > 1) for t, counts in per_topic.items()}
    inputs = len(first_round) + len(third_round)
    summary.add("dedup", inputs=inputs, published=delivery.published, lost=len(delivery.lost),
                duplicates=sum(repeated.values()), dead_letters=len(reader.snapshot(s.dlq_topic)),
                worker_restarts=len(worker.pids) - 1,
                seconds=time.monotonic() - started, distinct_records=len(ids | new_ids),
                skipped_before_restart=int(skipped_1), skipped_after_restart=int(skipped_2),
                replayed_after_restart=int(replayed))
    assert code == 0
    assert consumed_1 == len(first_round) and consumed_2 >= len(third_round)
    assert not delivery.lost, f"{len(delivery.lost)} record ids never published, e.g. {delivery.lost[:5]}"
    assert not any(repeated.values()), f"records published more than once per topic: {repeated}"
    assert new_ids and new_ids <= reader.ids("news.enriched"), "a new version is a new record"
    assert skipped_1 == len(first_round) - len(ids), "every repeat before the restart was skipped"
    assert skipped_2 == len(items) + replayed, "every repeat (and every replayed record) after the restart was skipped"
