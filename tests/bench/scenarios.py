"""Scenarios 2-4 and the profile: real processes against a real broker.

Every run gets its own topic namespace ``bench<tag>.<role>.`` and consumer group
``bench-<tag>-<role>``; all topics carrying the tag are deleted at the end. The input is
pre-filled before the process under test starts; throughput is the number of input records
over the broker-time window from the first to the last output record (LogAppendTime on
every bench topic), read by an independent client after the run.
"""

from __future__ import annotations

import asyncio
import os
import pickle
import socket
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from streams.routing import load_rules
from streams.settings import Settings
from streams.topics import all_topics
from tests.bench import kafka, profiling
from tests.bench.generator import GenItem
from tests.bench.pure import Plan
from tests.conftest import settings_env
from tests.integration.kafka_tools import wait_ready

MB = 1024 * 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclass
class Bench:
    broker: str
    tag: str
    partitions: int
    results: Path
    stamp: str
    items: list[GenItem]
    plan: Plan
    root: Path
    logs: Path = field(init=False)
    produced: dict[str, kafka.Produced] = field(default_factory=dict)  # input topic -> positions

    def __post_init__(self) -> None:
        self.logs = self.results / f"{self.stamp}-logs"
        self.logs.mkdir(parents=True, exist_ok=True)

    def settings(self, role: str) -> Settings:
        return Settings(broker=self.broker, app_id=f"bench-{self.tag}-{role}",
                        topic_namespace=f"bench{self.tag}.{role}.", partitions=self.partitions,
                        web_port=free_port(), web_host="127.0.0.1")

    def topics(self, settings: Settings) -> tuple[str, list[str]]:
        """(input topic, output topics) of a role."""
        names = all_topics(settings, list(load_rules(settings.rules_path or None).topics))
        source = settings.ns(settings.input_topic)
        return source, [n for n in names if n != source]

    def prefill(self, settings: Settings, count: int) -> tuple[str, list[str]]:
        source, outputs = self.topics(settings)
        asyncio.run(kafka.create_topics(self.broker, [source, *outputs], self.partitions))
        produced = asyncio.run(kafka.produce_items(self.broker, source, self.items[:count]))
        self.produced[source] = produced
        return source, outputs

    def cleanup(self) -> list[str]:
        deleted = asyncio.run(kafka.delete_matching(self.broker, self.tag))
        groups = [f"bench-{self.tag}-{role}" for role in ("w", "pt", "q", "lat", "prof")]
        asyncio.run(kafka.delete_groups(self.broker, groups))
        return deleted


# -- one process under a pre-filled load ----------------------------------------------------------


def measure(bench: Bench, name: str, cmd: list[str], env: dict[str, str], outputs: list[str], items: int,
            expected: int, *, ready_port: int | None = None, profile_to: Path | None = None) -> dict[str, Any]:
    """Start ``cmd``, wait until ``expected`` records are in ``outputs``, stop it; the figures."""
    log = bench.logs / f"{name}.log"
    spawned = time.time()
    process = kafka.spawn(cmd, env, log, bench.root)
    sampler = kafka.Sampler(process.pid, kafka.broker_pid(bench.broker)).start()
    spy = None
    try:
        if ready_port is not None and profile_to is not None:
            wait_ready(ready_port, timeout=120)
        if profile_to is not None:
            spy = profiling.record(process.pid, profile_to)
        timeout = 180 + items / 100
        count, _ = asyncio.run(kafka.wait_for_outputs(bench.broker, outputs, expected, timeout=timeout,
                                                         alive=lambda: process.poll() is None))
        time.sleep(1.5)  # let RSS settle after the last batch
        sampler.stop()
    except BaseException:
        sampler.stop()
        kafka.stop(process)
        print(f"--- {name} log tail ---\n{kafka.tail(log)}", file=sys.stderr)
        raise
    returncode = kafka.stop(process)
    if spy is not None:
        try:
            spy.wait(timeout=60)
        except Exception:
            spy.kill()
    first, last, counts = asyncio.run(kafka.first_last_timestamps(bench.broker, outputs))
    window = max(last - first, 1e-3)
    start = sampler.at(first) or sampler.samples[0]
    end = sampler.at(last) or sampler.samples[-1]
    final = sampler.samples[-1]
    cpu = end.cpu - start.cpu
    broker_cpu = end.broker_cpu - start.broker_cpu
    figures: dict[str, Any] = {
        "items": items,
        "outputs": count,
        "expected_outputs": expected,
        "outputs_ok": count == expected,
        "items_per_s": round(items / window, 1),
        "window_s": round(window, 2),
        "startup_s": round(first - spawned, 2),
        "items_per_s_incl_startup": round(items / max(last - spawned, 1e-3), 1),
        "cpu_util": round(cpu / window, 2),  # cores used by the process while it worked
        "cpu_us_per_item": round(cpu / items * 1e6, 1),
        "broker_cpu_util": round(broker_cpu / window, 2) if start.broker_cpu else None,
        "rss_start_mb": round(start.rss / MB, 1),
        "rss_end_mb": round(final.rss / MB, 1),
        "rss_peak_mb": round(sampler.peak_rss() / MB, 1),
        "rss_growth_mb": round((final.rss - start.rss) / MB, 1),
        "per_topic": {k.split(".", 2)[-1]: v for k, v in sorted(counts.items())},
        "per_topic_expected": dict(sorted(bench.plan.per_topic_upto(items).items())),
        "exit_code": returncode,
        "log": str(log),
    }
    if profile_to is not None:
        figures["profile"] = profiling.summarise(profile_to) if profile_to.exists() else {"error": "no py-spy output"}
    return figures


def worker_cmd() -> list[str]:
    return [sys.executable, "-m", "streams.cli", "worker"]


def run_worker(bench: Bench, settings: Settings, n: int) -> dict[str, Any]:
    """The worker on the input ``bench.prefill(settings, n)`` wrote."""
    figures = measure(bench, "worker", worker_cmd(), settings_env(settings), bench.topics(settings)[1], n,
                      bench.plan.expected(n))
    figures["input_topic"] = settings.ns(settings.input_topic)
    return figures


def run_passthrough(bench: Bench, n: int, source: str) -> dict[str, Any]:
    settings = bench.settings("pt")
    _, outputs = bench.topics(settings)
    asyncio.run(kafka.create_topics(bench.broker, outputs, bench.partitions))
    positions = bench.produced[source].positions
    plan_map = {(p, o): [(out.topic, out.key, out.size, out.headers) for out in bench.plan.outputs[i]]
                for i, (p, o, _) in enumerate(positions[:n])}
    plan_path = bench.logs / "passthrough-plan.pkl"
    with open(plan_path, "wb") as handle:
        pickle.dump((plan_map, bench.plan.filler), handle, protocol=pickle.HIGHEST_PROTOCOL)
    env = {**settings_env(settings), "BENCH_PLAN": str(plan_path), "BENCH_INPUT_TOPIC": source,
           "BENCH_OUT_NAMESPACE": settings.topic_namespace}
    try:
        return measure(bench, "passthrough", [sys.executable, "-m", "tests.bench.passthrough"], env, outputs, n,
                       bench.plan.expected(n))
    finally:
        plan_path.unlink(missing_ok=True)


def run_peer(bench: Bench, n: int, source: str) -> dict[str, Any]:
    settings = bench.settings("q")
    _, outputs = bench.topics(settings)
    asyncio.run(kafka.create_topics(bench.broker, outputs, bench.partitions))
    with tempfile.TemporaryDirectory(prefix="bench-quix-") as state_dir:
        env = {**settings_env(settings), "BENCH_INPUT_TOPIC": source, "BENCH_GROUP": settings.app_id,
               "BENCH_STATE_DIR": state_dir}
        return measure(bench, "peer-quixstreams", [sys.executable, "-m", "tests.bench.peer"], env, outputs, n,
                       bench.plan.expected(n))


def run_profile(bench: Bench, n: int) -> dict[str, Any]:
    settings = bench.settings("prof")
    _, outputs = bench.prefill(settings, n)
    raw = bench.results / f"{bench.stamp}-worker.pyspy.txt"
    if profiling.py_spy() is None:
        return {"error": "py-spy not installed (pip install py-spy)"}
    figures = measure(bench, "worker-profiled", worker_cmd(), settings_env(settings), outputs, n,
                      bench.plan.expected(n), ready_port=settings.web_port, profile_to=raw)
    return figures


# -- latency at a fixed offered load ---------------------------------------------------------------


def run_latency(bench: Bench, rate: float, seconds: float, warmup: float = 5.0) -> dict[str, Any]:
    settings = bench.settings("lat")
    source, outputs = bench.topics(settings)
    count = min(len(bench.items), int(rate * seconds))
    asyncio.run(kafka.create_topics(bench.broker, [source, *outputs], bench.partitions))
    log = bench.logs / "worker-latency.log"
    process = kafka.spawn(worker_cmd(), settings_env(settings), log, bench.root)
    sampler = kafka.Sampler(process.pid, kafka.broker_pid(bench.broker)).start()
    try:
        wait_ready(settings.web_port, timeout=120)
        time.sleep(1.0)
        produced = asyncio.run(kafka.produce_items(bench.broker, source, bench.items[:count], rate=rate))
        expected = bench.plan.expected(count)
        asyncio.run(kafka.wait_for_outputs(bench.broker, outputs, expected, timeout=120 + count / 50,
                                           alive=lambda: process.poll() is None))
    except BaseException:
        sampler.stop()
        kafka.stop(process)
        print(f"--- latency worker log tail ---\n{kafka.tail(log)}", file=sys.stderr)
        raise
    sampler.stop()
    kafka.stop(process)
    seen = asyncio.run(kafka.read_headers(bench.broker, outputs, expected))

    by_record_id = {rid: i for i, rids in enumerate(bench.plan.record_ids[:count]) for rid in rids}
    by_position = {(p, o): i for i, (p, o, _) in enumerate(produced.positions)}
    done: dict[int, int] = {}
    unmatched = 0
    for record in seen:
        rid = record.headers.get("newswire.record.id")
        index = by_record_id.get(rid.decode()) if rid else None
        if index is None and "newswire.source.offset" in record.headers:
            index = by_position.get((int(record.headers["newswire.source.partition"]),
                                     int(record.headers["newswire.source.offset"])))
        if index is None:
            unmatched += 1
            continue
        done[index] = max(done.get(index, 0), record.timestamp_ms)
    first_in = min(ts for _, _, ts in produced.positions)
    last_in = max(ts for _, _, ts in produced.positions)
    all_ms = [done[i] - produced.positions[i][2] for i in sorted(done)]
    steady_ms = [done[i] - produced.positions[i][2] for i in sorted(done)
                 if produced.positions[i][2] - first_in >= warmup * 1000]
    samples = sampler.samples

    def stats(values: list[float]) -> dict[str, float]:
        return {"p50_ms": _pct(values, 0.50), "p95_ms": _pct(values, 0.95), "p99_ms": _pct(values, 0.99),
                "max_ms": max(values, default=0.0), "items": len(values)}

    return {
        "offered_rate": rate,
        "achieved_rate": round(count / max((last_in - first_in) / 1000, 1e-3), 1),
        "seconds": seconds,
        "items": count,
        "items_with_outputs": len(done),
        "unmatched_outputs": unmatched,
        "warmup_s": warmup,
        "steady": stats(steady_ms),
        "all": stats(all_ms),
        "rss_mb": round(samples[-1].rss / MB, 1) if samples else None,
        "log": str(log),
    }


def environment(broker: str) -> dict[str, Any]:
    import platform

    import aiokafka
    import faust

    info: dict[str, Any] = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "affinity": sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "faust": faust.__version__,
        "aiokafka": aiokafka.__version__,
        "broker": broker,
        "load_avg": [round(x, 2) for x in os.getloadavg()],
    }
    try:
        import quixstreams

        info["quixstreams"] = quixstreams.__version__
    except ImportError:
        info["quixstreams"] = None
    return info
