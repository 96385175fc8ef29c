"""Broker-side tools for the benchmark: topics, indexed produce, watching, timestamps, sampling.

Everything here observes from outside the process under test and cheaply: completion is
seen in the output topics' end offsets (no consumer reads 1 GB of outputs while the worker
runs), first and last output times are the broker timestamps of the first and last record
of each partition. Bench topics are created with ``message.timestamp.type=LogAppendTime`` so
input and output times are both broker clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import psutil
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from tests.bench.generator import GenItem

LOG_APPEND = {"message.timestamp.type": "LogAppendTime"}


async def create_topics(broker: str, names: Iterable[str], partitions: int) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=broker, request_timeout_ms=30_000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [n for n in dict.fromkeys(names) if n not in existing]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics([NewTopic(n, num_partitions=partitions, replication_factor=1,
                                                    topic_configs=dict(LOG_APPEND)) for n in missing])
    finally:
        await admin.close()
    await wait_topics(broker, list(names))


async def wait_topics(broker: str, names: list[str], timeout: float = 30.0) -> None:
    """Until every topic has leaders for all its partitions (creation is asynchronous)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=broker)
    await consumer.start()
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            await consumer._client.force_metadata_update()
            cluster = consumer._client.cluster
            if all(
                (parts := cluster.partitions_for_topic(n))
                and all((cluster.leader_for_partition(TopicPartition(n, p)) or -1) >= 0 for p in parts)
                for n in names
            ):
                return
            await asyncio.sleep(0.2)
        raise RuntimeError(f"topics not ready after {timeout} s: {names}")
    finally:
        await consumer.stop()


async def delete_matching(broker: str, needle: str) -> list[str]:
    """Delete every topic whose name contains ``needle`` (the run's unique tag)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=broker, request_timeout_ms=30_000)
    await admin.start()
    try:
        names = [n for n in await admin.list_topics() if needle in n]
        if names:
            await admin.delete_topics(names)
        return names
    finally:
        await admin.close()


async def delete_groups(broker: str, needle: str) -> list[str]:
    """Delete every consumer group whose id contains ``needle``."""
    admin = AIOKafkaAdminClient(bootstrap_servers=broker, request_timeout_ms=30_000)
    await admin.start()
    try:
        groups = [g[0] for g in await admin.list_consumer_groups() if needle in g[0]]
        if groups:
            with contextlib.suppress(Exception):
                await admin.delete_consumer_groups(groups)
        return groups
    finally:
        await admin.close()


@dataclass
class Produced:
    """Where each corpus item landed: (partition, offset, broker append time in ms)."""

    positions: list[tuple[int, int, int]]
    seconds: float

    def index(self) -> dict[tuple[int, int], int]:
        return {(p, o): i for i, (p, o, _) in enumerate(self.positions)}


async def produce_items(broker: str, topic: str, items: Sequence[GenItem], *, rate: float | None = None) -> Produced:
    """Produce items in order; ``rate`` paces them (items/s), else as fast as possible.

    Paced records go out one by one (linger 0) so each is appended when it is due; the append
    time comes back in the produce response (LogAppendTime topics).
    """
    paced = rate is not None
    producer = AIOKafkaProducer(
        bootstrap_servers=broker, acks=1 if paced else "all", linger_ms=0 if paced else 20,
        max_batch_size=16_384 if paced else 1_048_576, max_request_size=16 * 1024 * 1024,
    )
    await producer.start()
    started = time.monotonic()
    try:
        futures = []
        for n, item in enumerate(items):
            if paced:
                due = started + n / rate  # type: ignore[operator]
                delay = due - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            futures.append(await producer.send(topic, value=item.raw, key=item.key))
        metadata = await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return Produced([(m.partition, m.offset, m.timestamp) for m in metadata], time.monotonic() - started)


async def end_offsets(consumer: AIOKafkaConsumer, topics: list[str]) -> dict[TopicPartition, int]:
    partitions = [TopicPartition(t, p) for t in topics for p in sorted(consumer.partitions_for_topic(t) or ())]
    if not partitions:
        return {}
    return cast("dict[TopicPartition, int]", await consumer.end_offsets(partitions))  # aiokafka is untyped


async def wait_for_outputs(broker: str, topics: list[str], expected: int, *, timeout: float,
                           alive: Any = None, poll: float = 0.25, stall: float = 20.0,
                           progress: list[tuple[float, int]] | None = None) -> tuple[int, float]:
    """Poll end offsets until ``expected`` records are in ``topics``; (count, wall time last seen growing).

    ``progress`` (if given) receives (wall time, records so far) at every poll.

    Returns early, short, when nothing was added for ``stall`` seconds after outputs started:
    the caller reports the shortfall instead of waiting for records that will not come.
    """
    consumer = AIOKafkaConsumer(bootstrap_servers=broker)
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()
        deadline = time.monotonic() + timeout
        count, changed = 0, time.monotonic()
        while time.monotonic() < deadline:
            now = sum((await end_offsets(consumer, topics)).values())
            if progress is not None:
                progress.append((time.time(), now))
            if now != count:
                count, changed = now, time.monotonic()
            if count >= expected:
                return count, time.time()
            if count and time.monotonic() - changed > stall:
                return count, time.time() - stall
            if alive is not None and not alive():
                raise RuntimeError(f"process under test exited with {count}/{expected} outputs written")
            await asyncio.sleep(poll)
        raise TimeoutError(f"{count}/{expected} outputs after {timeout:.0f} s")
    finally:
        await consumer.stop()


async def first_last_timestamps(broker: str, topics: list[str]) -> tuple[float, float, dict[str, int]]:
    """Broker time (s) of the first and of the last record over all partitions, and counts per topic."""
    consumer = AIOKafkaConsumer(bootstrap_servers=broker, enable_auto_commit=False, group_id=None,
                                max_partition_fetch_bytes=16 * 1024 * 1024, fetch_max_bytes=64 * 1024 * 1024)
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()
        ends = await end_offsets(consumer, topics)
        starts = await consumer.beginning_offsets(list(ends))
        counts: dict[str, int] = {}
        for tp, end in ends.items():
            counts[tp.topic] = counts.get(tp.topic, 0) + end - starts[tp]
        first, last = float("inf"), 0.0
        for tp, end in ends.items():
            if end <= starts[tp]:
                continue
            consumer.assign([tp])
            for offset in (starts[tp], end - 1):
                consumer.seek(tp, offset)
                record = await asyncio.wait_for(consumer.getone(tp), timeout=30)
                first = min(first, record.timestamp / 1000)
                last = max(last, record.timestamp / 1000)
        return first, last, counts
    finally:
        await consumer.stop()


@dataclass
class Seen:
    topic: str
    partition: int
    offset: int
    timestamp_ms: int
    headers: dict[str, bytes]


async def read_headers(broker: str, topics: list[str], expected: int, timeout: float = 120.0) -> list[Seen]:
    """Every record of ``topics`` from the start, without keeping values (latency join)."""
    consumer = AIOKafkaConsumer(*topics, bootstrap_servers=broker, group_id=None, auto_offset_reset="earliest",
                                enable_auto_commit=False, fetch_max_bytes=64 * 1024 * 1024,
                                max_partition_fetch_bytes=16 * 1024 * 1024)
    await consumer.start()
    out: list[Seen] = []
    try:
        deadline = time.monotonic() + timeout
        while len(out) < expected and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500, max_records=10_000)
            for records in batch.values():
                out.extend(Seen(m.topic, m.partition, m.offset, m.timestamp, dict(m.headers)) for m in records)
    finally:
        await consumer.stop()
    return out


# -- processes --------------------------------------------------------------------------------


@dataclass
class Sample:
    wall: float
    rss: int
    cpu: float  # user+system seconds of the process so far
    broker_cpu: float
    system_busy: float  # busy seconds of all CPUs together (everything on the machine)


@dataclass
class Sampler:
    """RSS and CPU time of the process under test with its children (and the broker's CPU), every ``every`` s."""

    pid: int
    broker_pid: int | None = None
    every: float = 0.1
    samples: list[Sample] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> Sampler:
        self._thread = threading.Thread(target=self._run, daemon=True, name="bench-sampler")
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            proc = psutil.Process(self.pid)
            broker = psutil.Process(self.broker_pid) if self.broker_pid else None
        except psutil.Error:
            return
        while not self._stop.is_set():
            try:
                with proc.oneshot():
                    times = proc.cpu_times()
                    rss = proc.memory_info().rss
                cpu = times.user + times.system
                for child in proc.children(recursive=True):  # the worker's pipeline process counts too
                    try:
                        with child.oneshot():
                            child_times = child.cpu_times()
                            cpu += child_times.user + child_times.system
                            rss += child.memory_info().rss
                    except psutil.Error:
                        continue
                bcpu = 0.0
                if broker is not None:
                    bt = broker.cpu_times()
                    bcpu = bt.user + bt.system
                total = psutil.cpu_times()
                busy = total.user + total.system + total.nice + getattr(total, "irq", 0.0) + \
                    getattr(total, "softirq", 0.0) + getattr(total, "steal", 0.0)
                self.samples.append(Sample(time.time(), rss, cpu, bcpu, busy))
            except psutil.Error:
                return
            self._stop.wait(self.every)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def at(self, wall: float) -> Sample | None:
        """The last sample taken at or before ``wall`` (else the first one)."""
        best = None
        for s in self.samples:
            if s.wall <= wall:
                best = s
            else:
                break
        return best or (self.samples[0] if self.samples else None)

    def peak_rss(self) -> int:
        return max((s.rss for s in self.samples), default=0)


def broker_pid(broker: str) -> int | None:
    """The pid listening on the broker's port, when it runs on this machine."""
    port = int(broker.rsplit(":", 1)[1])
    with contextlib.suppress(psutil.Error, PermissionError):
        for conn in psutil.net_connections(kind="tcp"):
            if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port and conn.pid:
                return cast(int, conn.pid)
    return None


def spawn(cmd: list[str], env: dict[str, str], log: Path, cwd: Path) -> subprocess.Popen[bytes]:
    handle = open(log, "wb")  # noqa: SIM115 - closed by stop()
    process = subprocess.Popen(cmd, env=env, stdout=handle, stderr=subprocess.STDOUT, cwd=cwd,
                               start_new_session=True)
    process._bench_log = handle  # type: ignore[attr-defined]
    return process


def stop(process: subprocess.Popen[bytes], timeout: float = 20.0) -> int | None:
    """SIGTERM, then SIGKILL after ``timeout``; only this process (and its own session)."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    handle = getattr(process, "_bench_log", None)
    if handle is not None:
        handle.close()
    return process.returncode


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""
