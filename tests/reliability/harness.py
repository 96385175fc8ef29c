"""Process-level tools for the fault-injection runs: workers we can kill, paced producers,
an independent reader that checks every record id, and dedicated brokers we may stop.

Everything reads results with plain aiokafka clients (tests/integration/kafka_tools.py), never
through the worker's own code.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.structs import TopicPartition

from streams.kafka import client_options
from streams.settings import Settings
from tests.conftest import new_tag, settings_env
from tests.integration.kafka_tools import Record, http_get, read_all

ROOT = Path(__file__).resolve().parents[2]
KAFKA_SH = ROOT / "deploy" / "kafka" / "kafka.sh"

# A worker log line that means the agent or the app died, or Faust restarted something.
CRASH_PATTERN = re.compile(r"crash|Traceback|restart|Agent .* stopped|Exception in callback", re.IGNORECASE)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def free_port_pair() -> int:
    """A port p with p and p+1 free (a broker's listener and its KRaft controller)."""
    for _ in range(200):
        p = free_port()
        if p < 65000:
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", p + 1))
                except OSError:
                    continue
            return p
    raise RuntimeError("no free port pair")


def make_settings(broker: str, partitions: int = 3, **changes: object) -> Settings:
    """Settings whose every topic and consumer group belong to one test (cf. ``isolated``)."""
    tag = new_tag()
    base = Settings(broker=broker, app_id=f"newswire-rel-{tag}", topic_namespace=f"rel{tag}.",
                    partitions=partitions, web_port=free_port(), web_host="127.0.0.1")
    return replace(base, **changes)  # type: ignore[arg-type]


# Faust reads these from the environment. A worker killed with SIGKILL stays a member of its
# consumer group until its session times out (Faust's default: 60 s), and its replacement is not
# assigned partitions before that. Tests that kill workers shorten the wait so that five kills fit
# the CI budget; it changes how soon a replacement starts, not what it does.
FAST_EVICTION = {"BROKER_SESSION_TIMEOUT": "6", "BROKER_HEARTBEAT_INTERVAL": "1"}


# --- workers ---------------------------------------------------------------------------------


@dataclass
class WorkerProc:
    """One ``newswire worker`` subprocess; starts, restarts and kills are counted."""

    settings: Settings
    log_dir: Path
    name: str = "worker"
    extra_env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    kills: int = 0
    pids: list[int] = field(default_factory=list)
    command: list[str] = field(default_factory=lambda: [sys.executable, "-m", "streams.cli", "worker"])

    @property
    def log_path(self) -> Path:
        return self.log_dir / f"{self.name}.{self.starts}.log"

    def env(self) -> dict[str, str]:
        env = {**settings_env(self.settings), "APP_DATADIR": str(self.log_dir / f"{self.name}-data"),
               **self.extra_env, "PYTHONUNBUFFERED": "1"}
        s = self.settings
        if s.security_protocol != "PLAINTEXT":
            env.update(NEWSWIRE_SECURITY_PROTOCOL=s.security_protocol, NEWSWIRE_SASL_MECHANISM=s.sasl_mechanism,
                       NEWSWIRE_SASL_USERNAME=s.sasl_username, NEWSWIRE_SSL_CAFILE=s.ssl_cafile)
        if s.max_item_bytes != Settings.max_item_bytes:
            env["NEWSWIRE_MAX_ITEM_BYTES"] = str(s.max_item_bytes)
        return env

    def start(self, wait: bool = True, timeout: float = 90.0) -> WorkerProc:
        assert self.process is None or self.process.poll() is not None, "already running"
        self.starts += 1
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "wb")  # noqa: SIM115 - the child owns it
        self.process = subprocess.Popen(self.command, env=self.env(),
                                        stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        log.close()
        self.pids.append(self.process.pid)
        if wait:
            self.wait_ready(timeout)
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def wait_ready(self, timeout: float = 90.0) -> float:
        started = time.monotonic()
        deadline = started + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise AssertionError(f"{self.name} exited with {self.process.returncode if self.process else None}"
                                     f" before it was ready:\n{self.log_tail()}")
            with contextlib.suppress(OSError):
                if http_get(self.settings.web_port, "/readyz", timeout=2.0)[0] == 200:
                    return time.monotonic() - started
            time.sleep(0.2)
        raise AssertionError(f"{self.name} not ready after {timeout} s:\n{self.log_tail()}")

    def kill9(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.kills += 1

    def terminate(self, timeout: float = 30.0) -> tuple[int | None, float]:
        """SIGTERM; returns (exit code, seconds to exit); SIGKILL if it overstays ``timeout``."""
        if not self.alive():
            return (self.process.returncode if self.process else None), 0.0
        assert self.process is not None
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            code: int | None = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            code = None
        return code, time.monotonic() - started

    def log_text(self, every: bool = True) -> str:
        paths = [self.log_dir / f"{self.name}.{i}.log" for i in range(1, self.starts + 1)] if every else [
            self.log_path]
        return "\n".join(p.read_text(errors="replace") for p in paths if p.exists())

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text(every=False).splitlines()[-lines:])

    def crash_lines(self) -> list[str]:
        return [line for line in self.log_text().splitlines() if CRASH_PATTERN.search(line)]

    def metrics(self) -> dict[str, float]:
        status, body = http_get(self.settings.web_port, "/metrics", timeout=5.0)
        assert status == 200
        return parse_metrics(body.decode())


def parse_metrics(text: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        name, _, value = line.rpartition(" ")
        with contextlib.suppress(ValueError):
            out[name] = float(value)
    return out


def metric_sum(metrics: dict[str, float], prefix: str) -> float:
    return sum(v for k, v in metrics.items() if k == prefix or k.startswith(prefix + "{"))


# --- producing -------------------------------------------------------------------------------


async def _produce(settings: Settings, records: Iterable[tuple[bytes | None, bytes | None]], topic: str,
                   rate: float = 0.0, stop: threading.Event | None = None) -> int:
    """Send records, at ``rate`` per second when > 0; returns how many were acknowledged."""
    producer = AIOKafkaProducer(**client_options(settings), acks="all", enable_idempotence=True,
                                max_request_size=64 * 1024 * 1024, linger_ms=5, request_timeout_ms=60_000)
    await producer.start()
    sent = 0
    try:
        started = time.monotonic()
        futures = []
        for key, value in records:
            if stop is not None and stop.is_set():
                break
            futures.append(await producer.send(topic, key=key, value=value))
            sent += 1
            if rate > 0:
                ahead = sent / rate - (time.monotonic() - started)
                if ahead > 0:
                    await asyncio.sleep(ahead)
        await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return sent


def produce_sync(settings: Settings, records: Iterable[tuple[bytes | None, bytes | None]], topic: str | None = None,
                 rate: float = 0.0) -> int:
    return asyncio.run(_produce(settings, records, topic or settings.ns(settings.input_topic), rate))


class BackgroundProducer:
    """Produces in a thread (its own event loop) while the test kills and restarts things."""

    def __init__(self, settings: Settings, records: list[tuple[bytes | None, bytes | None]], rate: float,
                 topic: str | None = None) -> None:
        self.settings = settings
        self.records = records
        self.rate = rate
        self.topic = topic or settings.ns(settings.input_topic)
        self.sent = 0
        self.error: BaseException | None = None
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            self.sent = asyncio.run(_produce(self.settings, self.records, self.topic, self.rate, self.stop))
        except BaseException as exc:  # reported by join()
            self.error = exc

    def __enter__(self) -> BackgroundProducer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.join()

    def done(self) -> bool:
        return not self.thread.is_alive()

    def join(self, timeout: float = 600.0) -> int:
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "producer did not finish"
        if self.error is not None:
            raise self.error
        return self.sent


# --- topics ----------------------------------------------------------------------------------


async def _create_topic(settings: Settings, name: str, partitions: int, config: dict[str, str]) -> None:
    admin = AIOKafkaAdminClient(**client_options(settings), request_timeout_ms=15_000)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, num_partitions=partitions, replication_factor=1,
                                            topic_configs=config)])
    finally:
        await admin.close()


def create_topic(settings: Settings, name: str, partitions: int, config: dict[str, str] | None = None) -> None:
    asyncio.run(_create_topic(settings, name, partitions, config or {}))


async def _uncommitted(settings: Settings) -> dict[int, int]:
    """Per input partition: records between the group's committed offset and the log end."""
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.broker, group_id=settings.app_id,
                                enable_auto_commit=False)
    await consumer.start()
    try:
        topic = settings.ns(settings.input_topic)
        parts = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
        if not parts:
            await consumer._client.force_metadata_update()
            parts = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
        ends = await consumer.end_offsets(parts)
        out = {}
        for tp in parts:
            committed = await consumer.committed(tp)
            out[tp.partition] = ends[tp] - (committed or 0)
        return out
    finally:
        await consumer.stop()


def locate(settings: Settings, record_ids: Iterable[str], limit: int = 10) -> list[str]:
    """Where the inputs of some record ids sit (partition/offset), for failure messages."""
    wanted = {rid.rsplit(":", 1)[0]: rid for rid in list(record_ids)[:limit]}
    found = []
    for r in read_topic(settings, settings.input_topic, idle=2.0, timeout=60):
        key = (r.key or b"").decode(errors="replace")
        if key in wanted:
            found.append(f"{wanted[key]}@p{r.partition}/o{r.offset}")
    return sorted(found)


def uncommitted(settings: Settings) -> dict[int, int]:
    return asyncio.run(_uncommitted(settings))


# --- reading and checking --------------------------------------------------------------------


@dataclass
class Delivery:
    """What an independent consumer found for a set of expected record ids."""

    expected: int
    published: int  # distinct expected record ids found
    records: int  # records read (duplicates included)
    lost: list[str]
    duplicates: int  # records beyond the first per record id
    unexpected: int  # record ids nobody sent

    def row(self) -> dict[str, int]:
        return {"inputs": self.expected, "published": self.published, "lost": len(self.lost),
                "duplicates": self.duplicates}


def check_delivery(expected_ids: Iterable[str], records: list[Record]) -> Delivery:
    expected = set(expected_ids)
    counts = Counter(r.headers.get("newswire.record.id", b"").decode() for r in records)
    found = expected & set(counts)
    return Delivery(
        expected=len(expected), published=len(found), records=len(records),
        lost=sorted(expected - found),
        duplicates=sum(c - 1 for c in counts.values() if c > 1),
        unexpected=len(set(counts) - expected),
    )


def read_topic(settings: Settings, topic: str, expect: int = 0, idle: float = 4.0,
               timeout: float = 180.0) -> list[Record]:
    """Every record of one namespaced topic (``topic`` without the namespace)."""
    return asyncio.run(read_all(settings, [settings.ns(topic)], expect=expect, idle=idle, timeout=timeout))


class TopicReader:
    """An independent consumer (own thread and event loop) that keeps reading topics from the
    start, so a test can wait for record ids while it kills and restarts things."""

    def __init__(self, settings: Settings, topics: list[str]) -> None:
        self.settings = settings
        self.broker = settings.broker
        self.topics = [settings.ns(t) for t in topics]
        self.records: list[Record] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TopicReader:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(30)

    def _run(self) -> None:
        try:
            asyncio.run(self._read())
        except BaseException as exc:
            self._error = exc

    async def _read(self) -> None:
        consumer = AIOKafkaConsumer(*self.topics, bootstrap_servers=self.broker, group_id=None,
                                    auto_offset_reset="earliest", enable_auto_commit=False,
                                    fetch_max_bytes=128 * 1024 * 1024, max_partition_fetch_bytes=64 * 1024 * 1024,
                                    metadata_max_age_ms=5000)
        await consumer.start()
        try:
            while not self._stop.is_set():
                batch = await consumer.getmany(timeout_ms=200)
                got = [Record(m.topic, m.partition, m.offset, m.key, m.value or b"", dict(m.headers), m.timestamp)
                       for messages in batch.values() for m in messages]
                if got:
                    with self._lock:
                        self.records.extend(got)
        finally:
            await consumer.stop()

    def snapshot(self, topic: str | None = None) -> list[Record]:
        with self._lock:
            records = list(self.records)
        if topic is None:
            return records
        name = self.settings.ns(topic)
        return [r for r in records if r.topic == name]

    def ids(self, topic: str) -> set[str]:
        return {r.headers.get("newswire.record.id", b"").decode() for r in self.snapshot(topic)}

    def wait(self, topic: str, ids: set[str], timeout: float = 300.0, stall: float = 30.0,
             settle: float = 0.0) -> bool:
        """Until every id is in ``topic``; gives up after ``timeout`` s, or ``stall`` s without new
        records. ``settle`` s more reading afterwards catch late duplicates."""
        deadline = time.monotonic() + timeout
        last_count, last_change = -1, time.monotonic()
        while True:
            if self._error is not None:
                raise self._error
            have = self.ids(topic)
            if ids <= have:
                time.sleep(settle)
                return True
            count = len(self.records)
            now = time.monotonic()
            if count != last_count:
                last_count, last_change = count, now
            if now > deadline or now - last_change > stall:
                return False
            time.sleep(0.25)

    def wait_count(self, topic: str, count: int, timeout: float = 60.0, stall: float = 15.0) -> bool:
        deadline = time.monotonic() + timeout
        last_count, last_change = -1, time.monotonic()
        while True:
            n = len(self.snapshot(topic))
            if n >= count:
                return True
            now = time.monotonic()
            if n != last_count:
                last_count, last_change = n, now
            if now > deadline or now - last_change > stall:
                return False
            time.sleep(0.25)


# --- dedicated brokers -----------------------------------------------------------------------


class DedicatedBroker:
    """A broker of our own (own port, state dir and lock), that a test may stop and start.

    The shared dev broker (and its lock) is never touched: NEWSWIRE_KAFKA_HOME points at a
    private home whose jar and probe directories are copies of the shared cache.
    """

    def __init__(self, base: Path, sasl: bool = False) -> None:
        self.home = base / "home"
        self.state = base / "state"
        self.port = free_port_pair()
        self.sasl_port = free_port() if sasl else None
        shared = ROOT / ".cache" / "kafka"
        self.home.mkdir(parents=True, exist_ok=True)
        for part in ("libs", "probe"):
            if (shared / part).is_dir() and not (self.home / part).exists():
                shutil.copytree(shared / part, self.home / part, symlinks=True)

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def sasl_bootstrap(self) -> str:
        return f"127.0.0.1:{self.sasl_port}"

    @property
    def ca(self) -> Path:
        return self.state / "tls" / "ca.pem"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "NEWSWIRE_BROKER"}
        env.update(NEWSWIRE_KAFKA_HOME=str(self.home), NEWSWIRE_KAFKA_STATE=str(self.state),
                   NEWSWIRE_KAFKA_PORT=str(self.port), NEWSWIRE_KAFKA_HEAP_OPTS="-Xmx768m -Xms256m",
                   NEWSWIRE_KAFKA_STOP_TIMEOUT="20")
        if self.sasl_port:
            env["NEWSWIRE_KAFKA_SASL_PORT"] = str(self.sasl_port)
        return env

    def run(self, command: str, timeout: float = 240.0) -> str:
        result = subprocess.run(["bash", str(KAFKA_SH), command], env=self.env(), capture_output=True, text=True,
                                timeout=timeout)
        if result.returncode != 0:
            raise AssertionError(f"kafka.sh {command} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def up(self) -> float:
        started = time.monotonic()
        self.run("up")
        return time.monotonic() - started

    def down(self) -> float:
        started = time.monotonic()
        self.run("down")
        return time.monotonic() - started

    def info(self) -> dict[str, str]:
        return dict(line.split("=", 1) for line in self.run("info").splitlines() if "=" in line)

    def wipe(self) -> None:
        with contextlib.suppress(Exception):
            self.run("wipe")
        shutil.rmtree(self.home.parent, ignore_errors=True)
