"""Scenario 2, crash: N items streamed while the worker is killed with SIGKILL at random
moments five times and restarted each time. An independent consumer then finds every input
record id in news.enriched (zero loss) and counts duplicates (same record id published again).
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.integration.kafka_tools import create_topics
from tests.reliability.harness import (
    FAST_EVICTION,
    BackgroundProducer,
    TopicReader,
    WorkerProc,
    check_delivery,
    locate,
    make_settings,
)
from tests.reliability.wire import good_items

if TYPE_CHECKING:
    from tests.reliability.conftest import Summary

pytestmark = pytest.mark.reliability

KILLS = 5
STREAM_SECONDS = 30.0  # the producer spreads the N items over about this long


def test_kill_9_five_times_loses_nothing(broker: str, tmp_path: Path, n_items: int, summary: Summary) -> None:
    started = time.monotonic()
    seed = int(os.environ.get("NEWSWIRE_RELIABILITY_SEED", time.time_ns() % 1_000_000))
    rnd = random.Random(seed)
    s = make_settings(broker, partitions=6)
    create_topics(s)
    items = good_items(n_items, f"c{seed}")
    ids = {rid for w in items for rid in w.record_ids}
    worker = WorkerProc(s, tmp_path, name="crash", extra_env=FAST_EVICTION)
    kill_points: list[int] = []  # enriched records seen at each kill
    with TopicReader(s, ["news.enriched", s.dlq_topic]) as reader:
        worker.start()
        with BackgroundProducer(s, [(w.key, w.value) for w in items], rate=n_items / STREAM_SECONDS) as producer:
            for _ in range(KILLS):
                time.sleep(rnd.uniform(0.5, 4.0))  # a random moment while the worker is busy
                kill_points.append(len(reader.snapshot("news.enriched")))
                worker.kill9()
                worker.start()
        sent = producer.sent
        complete = reader.wait("news.enriched", ids, timeout=300, stall=60, settle=3.0)
        worker.terminate()
    delivery = check_delivery(ids, reader.snapshot("news.enriched"))
    summary.add("crash", inputs=len(ids), published=delivery.published, lost=len(delivery.lost),
                duplicates=delivery.duplicates, dead_letters=len(reader.snapshot(s.dlq_topic)),
                worker_restarts=len(worker.pids) - 1,
                seconds=time.monotonic() - started, kills=worker.kills, seed=seed,
                enriched_at_kills="/".join(map(str, kill_points)))
    assert sent == len(items)
    assert worker.kills == KILLS
    assert kill_points[0] > 0, "the first kill came before the worker published anything"
    assert complete and not delivery.lost, (
        f"{len(delivery.lost)} record ids lost: {locate(s, delivery.lost)}")
    assert delivery.unexpected == 0
