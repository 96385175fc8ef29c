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
        asyncio.run(kafka.delete_groups(self.broker, self.tag))
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
        progress: list[tuple[float, int]] = []
        count, _ = asyncio.run(kafka.wait_for_outputs(bench.broker, outputs, expected, timeout=timeout,
                                                      alive=lambda: process.poll() is None, progress=progress))
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
        # cores busy with anything else on the machine (other jobs, the harness): a noisy run shows here
        "other_cpu_util": round(max(0.0, (end.system_busy - start.system_busy) - cpu - broker_cpu) / window, 2),
        "rss_start_mb": round(start.rss / MB, 1),
        "rss_end_mb": round(final.rss / MB, 1),
        "rss_peak_mb": round(sampler.peak_rss() / MB, 1),
        "rss_growth_mb": round((final.rss - start.rss) / MB, 1),
        "rss_by_progress_mb": _rss_by_progress(sampler, progress, expected),
        "per_topic": {k.split(".", 2)[-1]: v for k, v in sorted(counts.items())},
        "per_topic_expected": dict(sorted(bench.plan.per_topic_upto(items).items())),
        "exit_code": returncode,
        "log": str(log),
    }
    if profile_to is not None:
        figures["profile"] = profiling.summarise(profile_to) if profile_to.exists() else {"error": "no py-spy output"}
    return figures


def _rss_by_progress(sampler: kafka.Sampler, progress: list[tuple[float, int]], expected: int) -> dict[str, float]:
    """RSS when 0 %, 25 %, ... of the outputs had been written: growth that tracks progress is state."""
    out: dict[str, float] = {}
    for share in (0.0, 0.25, 0.5, 0.75, 1.0):
        moment = next((wall for wall, count in progress if count >= max(1, share * expected)), None)
        sample = sampler.at(moment) if moment is not None else None
        if sample is not None:
            out[f"{share:.0%}"] = round(sample.rss / MB, 1)
    return out


WHATIF = ""  # set by run.py --whatif: the worker runs with tests.bench.whatif patches


def worker_cmd() -> list[str]:
    if WHATIF:
        return [sys.executable, "-m", "tests.bench.whatif"]
    return [sys.executable, "-m", "streams.cli", "worker"]


def worker_env(settings: Settings) -> dict[str, str]:
    env = settings_env(settings)
    if WHATIF:
        env["BENCH_WHATIF"] = WHATIF
    return env


def passthrough_env(settings: Settings) -> dict[str, str]:
    """The baseline gets the what-if consumer fix too (it is the same stack), nothing else."""
    from tests.bench.whatif import parse

    env = settings_env(settings)
    if WHATIF and "fetch_wait" in parse(WHATIF):
        env["BENCH_FETCH_MAX_WAIT_MS"] = parse(WHATIF)["fetch_wait"] or "50"
    return env


def run_worker(bench: Bench, settings: Settings, n: int) -> dict[str, Any]:
    """The worker on the input ``bench.prefill(settings, n)`` wrote."""
    figures = measure(bench, f"worker-{settings.topic_namespace.split('.')[1]}", worker_cmd(),
                      worker_env(settings), bench.topics(settings)[1], n, bench.plan.expected(n))
    figures["input_topic"] = settings.ns(settings.input_topic)
    return figures


def run_passthrough(bench: Bench, n: int, source: str, role: str = "pt") -> dict[str, Any]:
    settings = bench.settings(role)
    _, outputs = bench.topics(settings)
    asyncio.run(kafka.create_topics(bench.broker, outputs, bench.partitions))
    positions = [(p, o) for p, o, _ in bench.produced[source].positions[:n]]
    plan_path = bench.logs / "passthrough-plan.pkl"
    write_plan_map(bench, positions, plan_path)
    env = {**passthrough_env(settings), "BENCH_PLAN": str(plan_path), "BENCH_INPUT_TOPIC": source,
           "BENCH_OUT_NAMESPACE": settings.topic_namespace}
    try:
        return measure(bench, f"passthrough-{role}", [sys.executable, "-m", "tests.bench.passthrough"], env, outputs, n,
                       bench.plan.expected(n))
    finally:
        plan_path.unlink(missing_ok=True)


def run_peer(bench: Bench, n: int, source: str, role: str = "q") -> dict[str, Any]:
    settings = bench.settings(role)
    _, outputs = bench.topics(settings)
    asyncio.run(kafka.create_topics(bench.broker, outputs, bench.partitions))
    with tempfile.TemporaryDirectory(prefix="bench-quix-") as state_dir:
        env = {**settings_env(settings), "BENCH_INPUT_TOPIC": source, "BENCH_GROUP": settings.app_id,
               "BENCH_STATE_DIR": state_dir}
        return measure(bench, f"peer-quixstreams-{role}", [sys.executable, "-m", "tests.bench.peer"], env, outputs, n,
                       bench.plan.expected(n))


def run_profile(bench: Bench, n: int) -> dict[str, Any]:
    settings = bench.settings("prof")
    _, outputs = bench.prefill(settings, n)
    raw = bench.results / f"{bench.stamp}-worker.pyspy.txt"
    if profiling.py_spy() is None:
        return {"error": "py-spy not installed (pip install py-spy)"}
    figures = measure(bench, "worker-profiled", worker_cmd(), worker_env(settings), outputs, n,
                      bench.plan.expected(n), ready_port=settings.web_port, profile_to=raw)
    profile = figures.get("profile") or {}
    for entry in profile.get("categories", []):  # shares of CPU samples -> µs of worker CPU per item
        entry["us_per_item"] = round(entry["share"] * figures["cpu_us_per_item"], 1)
    return figures


# -- latency at a fixed offered load ---------------------------------------------------------------


def expected_positions(items: list[GenItem], partitions: int) -> list[tuple[int, int]]:
    """(partition, offset) each item gets when produced in order to a fresh topic (murmur2 keys)."""
    from aiokafka.partitioner import murmur2

    next_offset = [0] * partitions
    out = []
    for item in items:
        partition = (murmur2(item.key) & 0x7FFFFFFF) % partitions
        out.append((partition, next_offset[partition]))
        next_offset[partition] += 1
    return out


def write_plan_map(bench: Bench, positions: list[tuple[int, int]], path: Path) -> None:
    """The passthrough's lookup: input (partition, offset) -> the records the worker publishes for it."""
    plan_map = {pos: [(out.topic, out.key, out.size, out.headers) for out in bench.plan.outputs[i]]
                for i, pos in enumerate(positions)}
    with open(path, "wb") as handle:
        pickle.dump((plan_map, bench.plan.filler), handle, protocol=pickle.HIGHEST_PROTOCOL)


def run_latency(bench: Bench, rate: float, seconds: float, *, kind: str = "worker", warmup: float = 5.0,
                cmd: list[str] | None = None) -> dict[str, Any]:
    """Offer ``rate`` items/s for ``seconds`` to an idle, ready process; latency input -> last output.

    ``kind`` is "worker" (``cmd`` may replace the worker command, e.g. a diagnostic wrapper) or
    "passthrough" (the baseline, to show the floor of the stack at the same load).
    """
    role = "lat" if kind == "worker" else "latpt"
    settings = bench.settings(role)
    source, outputs = bench.topics(settings)
    count = min(len(bench.items), int(rate * seconds))
    asyncio.run(kafka.create_topics(bench.broker, [source, *outputs], bench.partitions))
    env = worker_env(settings) if kind == "worker" else passthrough_env(settings)
    plan_path = bench.logs / f"{role}-plan.pkl"
    if kind == "passthrough":
        write_plan_map(bench, expected_positions(bench.items[:count], bench.partitions), plan_path)
        env.update(BENCH_PLAN=str(plan_path), BENCH_INPUT_TOPIC=source, BENCH_OUT_NAMESPACE=settings.topic_namespace)
        cmd = [sys.executable, "-m", "tests.bench.passthrough"]
    log = bench.logs / f"{kind}-latency.log"
    process = kafka.spawn(cmd or worker_cmd(), env, log, bench.root)
    sampler = kafka.Sampler(process.pid, kafka.broker_pid(bench.broker)).start()
    try:
        wait_ready(settings.web_port, timeout=120)
        time.sleep(1.0)
        ready_rss = sampler.samples[-1].rss if sampler.samples else 0
        produced = asyncio.run(kafka.produce_items(bench.broker, source, bench.items[:count], rate=rate))
        expected = bench.plan.expected(count)
        asyncio.run(kafka.wait_for_outputs(bench.broker, outputs, expected, timeout=120 + count / 50,
                                           alive=lambda: process.poll() is None))
    except BaseException:
        sampler.stop()
        kafka.stop(process)
        print(f"--- {kind} latency log tail ---\n{kafka.tail(log)}", file=sys.stderr)
        raise
    finally:
        plan_path.unlink(missing_ok=True)
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
    all_ms: list[float] = [done[i] - produced.positions[i][2] for i in sorted(done)]
    steady_ms: list[float] = [done[i] - produced.positions[i][2] for i in sorted(done)
                 if produced.positions[i][2] - first_in >= warmup * 1000]
    samples = sampler.samples
    buckets: dict[int, list[float]] = {}
    for i in sorted(done):
        second = (produced.positions[i][2] - first_in) / 1000
        buckets.setdefault(int(second // 5) * 5, []).append(done[i] - produced.positions[i][2])
    timeline = [[start, _pct(v, 0.5), _pct(v, 0.99), len(v)] for start, v in sorted(buckets.items())]
    busy = [s for s in samples if first_in / 1000 <= s.wall <= last_in / 1000]
    cpu_util = other_util = None
    if len(busy) > 1:
        span = max(busy[-1].wall - busy[0].wall, 1e-3)
        cpu_util = (busy[-1].cpu - busy[0].cpu) / span
        other_util = max(0.0, (busy[-1].system_busy - busy[0].system_busy) - (busy[-1].cpu - busy[0].cpu)
                         - (busy[-1].broker_cpu - busy[0].broker_cpu)) / span

    def stats(values: list[float]) -> dict[str, float]:
        return {"p50_ms": _pct(values, 0.50), "p95_ms": _pct(values, 0.95), "p99_ms": _pct(values, 0.99),
                "max_ms": max(values, default=0.0), "items": len(values)}

    return {
        "kind": kind,
        "offered_rate": rate,
        "achieved_rate": round(count / max((last_in - first_in) / 1000, 1e-3), 1),
        "seconds": seconds,
        "items": count,
        "items_with_outputs": len(done),
        "unmatched_outputs": unmatched,
        "warmup_s": warmup,
        "steady": stats(steady_ms),
        "all": stats(all_ms),
        "cpu_util": round(cpu_util, 2) if cpu_util is not None else None,
        "other_cpu_util": round(other_util, 2) if other_util is not None else None,
        "timeline_5s": timeline,  # [input second, p50 ms, p99 ms, items]
        "rss_start_mb": round(ready_rss / MB, 1),
        "rss_end_mb": round(samples[-1].rss / MB, 1) if samples else None,
        "rss_growth_mb": round((samples[-1].rss - ready_rss) / MB, 1) if samples else None,
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
