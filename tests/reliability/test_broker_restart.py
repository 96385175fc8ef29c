"""Scenario 3, broker restart: the (dedicated) broker goes down mid-stream and comes back.
The worker reports not-ready (503) while the broker is away, recovers with no manual step (same
process), and nothing is lost.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.integration.kafka_tools import create_topics, http_get
from tests.reliability.harness import (
    BackgroundProducer,
    DedicatedBroker,
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

STREAM_SECONDS = 20.0
AWAY_SECONDS = 8.0  # how long the broker stays down after it stopped (health checks run every 5 s)


def _readiness_while(worker: WorkerProc, seconds: float) -> list[int]:
    codes = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            codes.append(http_get(worker.settings.web_port, "/readyz", timeout=2.0)[0])
        except OSError:
            codes.append(0)  # no answer at all
        time.sleep(0.5)
    return codes


def test_broker_restart_mid_stream(dedicated_broker: DedicatedBroker, tmp_path: Path, n_items: int,
                                   summary: Summary) -> None:
    started = time.monotonic()
    s = make_settings(dedicated_broker.bootstrap, partitions=3)
    create_topics(s)
    items = good_items(n_items, f"b{int(time.time())}")
    ids = {rid for w in items for rid in w.record_ids}
    worker = WorkerProc(s, tmp_path, name="broker-restart")
    with TopicReader(s, ["news.enriched", s.dlq_topic]) as reader:
        worker.start()
        pid = worker.pid
        # The producer keeps sending through the outage: its records wait in its buffer.
        with BackgroundProducer(s, [(w.key, w.value) for w in items], rate=n_items / STREAM_SECONDS) as producer:
            time.sleep(STREAM_SECONDS / 4)
            deadline = time.monotonic() + 30  # a loaded machine starts the worker slowly: wait for its first output
            while not reader.snapshot("news.enriched") and time.monotonic() < deadline:
                time.sleep(0.2)
            before = len(reader.snapshot("news.enriched"))
            down_seconds = dedicated_broker.down()
            codes = _readiness_while(worker, AWAY_SECONDS)
            up_seconds = dedicated_broker.up()
            recovered_at = time.monotonic()
            ready_again = None
            while time.monotonic() - recovered_at < 60:
                if http_get(s.web_port, "/readyz", timeout=2.0)[0] == 200:
                    ready_again = time.monotonic() - recovered_at
                    break
                time.sleep(0.5)
        complete = reader.wait("news.enriched", ids, timeout=240, stall=60, settle=2.0)
        alive = worker.alive() and worker.pid == pid
        worker.terminate()
    delivery = check_delivery(ids, reader.snapshot("news.enriched"))
    summary.add("broker-restart", inputs=len(ids), published=delivery.published, lost=len(delivery.lost),
                duplicates=delivery.duplicates, dead_letters=len(reader.snapshot(s.dlq_topic)),
                worker_restarts=len(worker.pids) - 1,
                seconds=time.monotonic() - started, enriched_before_down=before,
                broker_down_s=round(down_seconds + AWAY_SECONDS, 1), broker_up_s=round(up_seconds, 1),
                readyz_503_seen=503 in codes,
                ready_again_s=None if ready_again is None else round(ready_again, 1))
    assert producer.sent == len(items)
    assert 0 < before < len(ids), "the broker must go down mid-stream"
    assert 503 in codes, f"/readyz never said 503 while the broker was away: {codes}"
    assert ready_again is not None, "the worker did not become ready again after the broker came back"
    assert alive, "the worker must recover in the same process"
    assert complete and not delivery.lost, (
        f"{len(delivery.lost)} record ids lost: {locate(s, delivery.lost)}")
    assert not [line for line in worker.crash_lines() if "Crashed" in line]
