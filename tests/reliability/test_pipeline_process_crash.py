"""Scenario: the worker's pipeline processes (streams/compute.py) are killed with SIGKILL at
random moments while N items stream in. The worker must finish every batch itself, start new
processes, and publish every input record id exactly once; errors{stage="compute"} counts it.
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path
from typing import TYPE_CHECKING

import psutil
import pytest

from tests.integration.kafka_tools import create_topics
from tests.reliability.harness import (
    BackgroundProducer,
    TopicReader,
    WorkerProc,
    check_delivery,
    locate,
    make_settings,
    metric_sum,
)
from tests.reliability.wire import good_items

if TYPE_CHECKING:
    from tests.reliability.conftest import Summary

pytestmark = pytest.mark.reliability

KILLS = 3
STREAM_SECONDS = 20.0


def pipeline_processes(worker_pid: int, without: set[int], count: int = 2,
                       timeout: float = 60.0) -> list[psutil.Process]:
    """The worker's ``count`` running pipeline processes, none of them in ``without``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = []
        for child in psutil.Process(worker_pid).children():
            try:
                if "streams.compute" in " ".join(child.cmdline()) and child.status() != psutil.STATUS_ZOMBIE:
                    found.append(child)
            except psutil.Error:  # it exited meanwhile
                continue
        if len(found) == count and not {p.pid for p in found} & without:
            return found
        time.sleep(0.1)
    raise AssertionError(f"the worker does not run {count} new pipeline processes")


def test_killed_pipeline_processes_lose_and_repeat_nothing(broker: str, tmp_path: Path, n_items: int,
                                                            summary: Summary) -> None:
    started = time.monotonic()
    seed = int(os.environ.get("NEWSWIRE_RELIABILITY_SEED", time.time_ns() % 1_000_000))
    rnd = random.Random(seed)
    s = make_settings(broker, partitions=6)
    create_topics(s)
    items = good_items(n_items, f"p{seed}")
    ids = {rid for w in items for rid in w.record_ids}
    worker = WorkerProc(s, tmp_path, name="pipeline-crash")
    killed: list[int] = []
    with TopicReader(s, ["news.enriched", s.dlq_topic]) as reader:
        worker.start()
        try:
            with BackgroundProducer(s, [(w.key, w.value) for w in items], rate=n_items / STREAM_SECONDS) as producer:
                for _ in range(KILLS):
                    time.sleep(rnd.uniform(1.0, 4.0))
                    victim = rnd.choice(pipeline_processes(worker.pid, set(killed)))
                    victim.kill()
                    killed.append(victim.pid)
                    pipeline_processes(worker.pid, set(killed))  # the replacements, before the next kill
            sent = producer.sent
            complete = reader.wait("news.enriched", ids, timeout=300, stall=60, settle=3.0)
            metrics = worker.metrics()
            survivors = pipeline_processes(worker.pid, set(killed))
        finally:
            worker.terminate()
    delivery = check_delivery(ids, reader.snapshot("news.enriched"))
    summary.add("pipeline crash", inputs=len(ids), published=delivery.published, lost=len(delivery.lost),
                duplicates=delivery.duplicates, dead_letters=len(reader.snapshot(s.dlq_topic)),
                worker_restarts=len(worker.pids) - 1, seconds=time.monotonic() - started, seed=seed,
                pipeline_kills=len(killed))
    assert sent == len(items)
    assert complete and not delivery.lost, f"{len(delivery.lost)} record ids lost: {locate(s, delivery.lost)}"
    assert delivery.duplicates == 0, "a batch the worker finished itself was published twice"
    assert delivery.unexpected == 0
    assert not reader.snapshot(s.dlq_topic), "good items were dead-lettered"
    assert len(worker.pids) == 1, "the worker itself must not restart"
    assert metric_sum(metrics, 'newswire_processing_errors_total{stage="compute"}') >= 1
    assert len(survivors) == 2, "killed processes were replaced"
