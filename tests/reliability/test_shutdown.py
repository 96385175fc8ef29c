"""Scenario 6, graceful shutdown: SIGTERM while records are in flight. The worker finishes (or
safely abandons) its batch, commits, and exits 0 within 10 s; a restarted worker then publishes
everything that was left and re-publishes nothing it had published (duplicates are counted).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.integration.kafka_tools import create_topics
from tests.reliability.harness import (
    BackgroundProducer,
    TopicReader,
    WorkerProc,
    check_delivery,
    locate,
    make_settings,
    uncommitted,
)
from tests.reliability.wire import good_items

if TYPE_CHECKING:
    from tests.reliability.conftest import Summary

pytestmark = pytest.mark.reliability

STREAM_SECONDS = 16.0
STOPS = 3
EXIT_WITHIN = 10.0


def test_sigterm_mid_stream_exits_cleanly_and_loses_nothing(broker: str, tmp_path: Path, n_items: int,
                                                            summary: Summary) -> None:
    started = time.monotonic()
    s = make_settings(broker, partitions=3)
    create_topics(s)
    items = good_items(n_items, f"g{int(time.time())}")
    ids = {rid for w in items for rid in w.record_ids}
    worker = WorkerProc(s, tmp_path, name="shutdown")
    exits: list[tuple[int | None, float]] = []
    with TopicReader(s, ["news.enriched", s.dlq_topic]) as reader:
        worker.start()
        with BackgroundProducer(s, [(w.key, w.value) for w in items], rate=n_items / STREAM_SECONDS) as producer:
            for _ in range(STOPS):
                time.sleep(STREAM_SECONDS / (STOPS + 1))
                exits.append(worker.terminate(timeout=30))
                worker.start()
        complete = reader.wait("news.enriched", ids, timeout=240, stall=45, settle=2.0)
        exits.append(worker.terminate(timeout=30))  # idle now: everything it consumed must be committed
    left_uncommitted = uncommitted(s)
    delivery = check_delivery(ids, reader.snapshot("news.enriched"))
    summary.add("shutdown", inputs=len(ids), published=delivery.published, lost=len(delivery.lost),
                duplicates=delivery.duplicates, dead_letters=len(reader.snapshot(s.dlq_topic)),
                worker_restarts=len(worker.pids) - 1,
                seconds=time.monotonic() - started,
                exits="/".join(f"{code}@{secs:.1f}s" for code, secs in exits),
                uncommitted_after_last_stop=sum(left_uncommitted.values()))
    assert producer.sent == len(items)
    for code, seconds in exits:
        assert code == 0 and seconds <= EXIT_WITHIN, f"SIGTERM: exit {code} after {seconds:.1f} s"
    assert complete and not delivery.lost, (
        f"{len(delivery.lost)} record ids lost: {locate(s, delivery.lost)}")
    assert delivery.duplicates == 0, f"{delivery.duplicates} records published twice (same record id)"
    assert not any(left_uncommitted.values()), f"records processed but not committed at exit: {left_uncommitted}"
