"""Scenario 4, rebalance: two workers in one consumer group (same NEWSWIRE_APP_ID, own web
ports) on a 6-partition input. The second joins mid-stream and later leaves (SIGTERM) mid-stream:
nothing is lost, and while both run both do work (consumed > 0 in each one's /metrics).
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest

from tests.integration.kafka_tools import create_topics, http_get
from tests.reliability.harness import (
    BackgroundProducer,
    TopicReader,
    WorkerProc,
    check_delivery,
    free_port,
    make_settings,
    metric_sum,
)
from tests.reliability.wire import good_items

pytestmark = pytest.mark.reliability

STREAM_SECONDS = 24.0


def _assigned(worker: WorkerProc) -> int:
    import orjson
    try:
        return int(orjson.loads(http_get(worker.settings.web_port, "/readyz", timeout=2.0)[1])["partitions_assigned"])
    except Exception:
        return -1


def test_second_worker_joins_and_leaves_mid_stream(broker: str, tmp_path: Path, n_items: int,
                                                   summary) -> None:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    s = make_settings(broker, partitions=6)
    create_topics(s)
    items = good_items(n_items, f"r{int(time.time())}")
    ids = {rid for w in items for rid in w.record_ids}
    first = WorkerProc(s, tmp_path, name="first", extra_env={"APP_DATADIR": str(tmp_path / "first-data")})
    second = WorkerProc(replace(s, web_port=free_port()), tmp_path, name="second",
                        extra_env={"APP_DATADIR": str(tmp_path / "second-data")})
    with TopicReader(s, ["news.enriched", s.dlq_topic]) as reader:
        first.start()
        with BackgroundProducer(s, [(w.key, w.value) for w in items], rate=n_items / STREAM_SECONDS) as producer:
            time.sleep(STREAM_SECONDS / 6)
            at_join = len(reader.snapshot("news.enriched"))
            second.start()
            time.sleep(STREAM_SECONDS / 3)  # both run
            shares = (_assigned(first), _assigned(second))
            consumed = (metric_sum(first.metrics(), "newswire_items_consumed_total"),
                        metric_sum(second.metrics(), "newswire_items_consumed_total"))
            at_leave = len(reader.snapshot("news.enriched"))
            code, stop_seconds = second.terminate()
        complete = reader.wait("news.enriched", ids, timeout=240, stall=60, settle=2.0)
        first_alive = first.alive()
        first.terminate()
    delivery = check_delivery(ids, reader.snapshot("news.enriched"))
    summary.add("rebalance", inputs=len(ids), published=delivery.published, lost=len(delivery.lost),
                duplicates=delivery.duplicates, dead_letters=len(reader.snapshot(s.dlq_topic)),
                worker_restarts=0, seconds=time.monotonic() - started,
                partitions_while_both=f"{shares[0]}+{shares[1]}",
                consumed_while_both=f"{consumed[0]:.0f}+{consumed[1]:.0f}",
                enriched_at_join=at_join, enriched_at_leave=at_leave, second_exit=code,
                second_stop_s=round(stop_seconds, 1))
    assert producer.sent == len(items)
    assert 0 < at_join < at_leave < len(ids), "the second worker must join and leave mid-stream"
    assert consumed[0] > 0 and consumed[1] > 0, f"both workers must consume while both run: {consumed}"
    assert shares[0] > 0 and shares[1] > 0 and shares[0] + shares[1] == 6, shares
    assert code == 0 and first_alive
    assert complete and not delivery.lost, f"{len(delivery.lost)} record ids lost, e.g. {delivery.lost[:5]}"
