"""Scenario 4, rebalance: two workers in one consumer group (same NEWSWIRE_APP_ID, own web
ports) on a 6-partition input. The second joins mid-stream and later leaves (SIGTERM) mid-stream,
twice: nothing is lost, and while both run both do work (consumed > 0 in each one's /metrics).

Each worker gets its own APP_DATADIR, as two pods would have; the worker's default puts both
under the same temp dir name on one host.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import orjson
import pytest

from tests.integration.kafka_tools import create_topics, http_get
from tests.reliability.harness import (
    BackgroundProducer,
    TopicReader,
    WorkerProc,
    check_delivery,
    free_port,
    locate,
    make_settings,
    metric_sum,
    uncommitted,
)
from tests.reliability.wire import good_items

if TYPE_CHECKING:
    from tests.reliability.conftest import Summary

pytestmark = pytest.mark.reliability

CYCLES = 2  # the second worker joins and leaves this many times during one stream
STREAM_SECONDS = 12.0 * CYCLES + 16.0  # long enough that a slow second start still leaves mid-stream


def _assigned(worker: WorkerProc) -> int:
    try:
        return int(orjson.loads(http_get(worker.settings.web_port, "/readyz", timeout=2.0)[1])["partitions_assigned"])
    except Exception:
        return -1


def test_second_worker_joins_and_leaves_mid_stream(broker: str, tmp_path: Path, n_items: int,
                                                   summary: Summary) -> None:
    started = time.monotonic()
    s = make_settings(broker, partitions=6)
    create_topics(s)
    items = good_items(n_items, f"r{int(time.time())}")
    ids = {rid for w in items for rid in w.record_ids}
    first = WorkerProc(s, tmp_path, name="first", extra_env={"APP_DATADIR": str(tmp_path / "first-data")})
    second = WorkerProc(replace(s, web_port=free_port()), tmp_path, name="second",
                        extra_env={"APP_DATADIR": str(tmp_path / "second-data")})
    shares, consumed, marks, exits = [], [], [], []
    with TopicReader(s, ["news.enriched", s.dlq_topic]) as reader:
        first.start()
        with BackgroundProducer(s, [(w.key, w.value) for w in items], rate=n_items / STREAM_SECONDS) as producer:
            for _ in range(CYCLES):
                time.sleep(3.0)
                marks.append(len(reader.snapshot("news.enriched")))
                second.start()
                time.sleep(4.0)  # both run
                shares.append((_assigned(first), _assigned(second)))
                consumed.append((metric_sum(first.metrics(), "newswire_items_consumed_total"),
                                 metric_sum(second.metrics(), "newswire_items_consumed_total")))
                marks.append(len(reader.snapshot("news.enriched")))
                exits.append(second.terminate())
        complete = reader.wait("news.enriched", ids, timeout=240, stall=45, settle=2.0)
        first_alive = first.alive()
        first_ready = http_get(s.web_port, "/readyz")[0]
        first.terminate()
    stuck = uncommitted(s)  # records the group has not committed (a commit held at a never-processed offset)
    delivery = check_delivery(ids, reader.snapshot("news.enriched"))
    summary.add("rebalance", inputs=len(ids), published=delivery.published, lost=len(delivery.lost),
                duplicates=delivery.duplicates, dead_letters=len(reader.snapshot(s.dlq_topic)),
                worker_restarts=0, seconds=time.monotonic() - started, cycles=CYCLES,
                partitions_while_both=" ".join(f"{a}+{b}" for a, b in shares),
                consumed_while_both=" ".join(f"{a:.0f}+{b:.0f}" for a, b in consumed),
                enriched_at_join_leave="/".join(map(str, marks)),
                second_exits="/".join(f"{c}@{t:.1f}s" for c, t in exits),
                first_ready_at_end=first_ready, uncommitted_at_end=sum(stuck.values()))
    assert producer.sent == len(items)
    assert marks[0] > 0 and marks[-1] < len(ids), "the second worker must join and leave mid-stream"
    for (a, b), (ca, cb) in zip(shares, consumed, strict=True):
        assert ca > 0 and cb > 0, f"both workers must consume while both run: {consumed}"
        assert a > 0 and b > 0 and a + b == 6, f"partitions while both run: {shares}"
    assert all(code == 0 for code, _ in exits) and first_alive
    assert complete and not delivery.lost, (
        f"{len(delivery.lost)} record ids never published: {locate(s, delivery.lost)}; first worker /readyz: "
        f"{first_ready}; uncommitted per partition at the end: {stuck}")
