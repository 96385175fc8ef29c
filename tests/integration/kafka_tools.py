"""Independent Kafka clients for tests: produce raw records, read outputs back, run a worker.

Results are read with a plain aiokafka consumer, never through the worker's own code.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from streams.processes import stop
from streams.settings import Settings
from streams.topics import all_topics, ensure_topics
from tests.conftest import settings_env

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Record:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: dict[str, bytes]
    timestamp_ms: int

    def json(self) -> dict[str, Any]:
        return cast("dict[str, Any]", orjson.loads(self.value))


async def produce(settings: Settings, records: Sequence[tuple[bytes | None, bytes]], topic: str | None = None) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=settings.broker, acks="all", max_request_size=64 * 1024 * 1024)
    await producer.start()
    try:
        name = topic or settings.ns(settings.input_topic)
        futures = [await producer.send(name, key=k, value=v) for k, v in records]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


async def read_all(settings: Settings, topics: list[str], *, expect: int = 0, idle: float = 4.0,
                   timeout: float = 60.0) -> list[Record]:
    """Every record of the (real-named) topics; stops when ``expect`` were read or nothing came for ``idle`` s."""
    consumer = AIOKafkaConsumer(*topics, bootstrap_servers=settings.broker, group_id=None,
                                auto_offset_reset="earliest", enable_auto_commit=False,
                                fetch_max_bytes=128 * 1024 * 1024, max_partition_fetch_bytes=64 * 1024 * 1024)
    await consumer.start()
    out: list[Record] = []
    try:
        started = last = time.monotonic()
        while time.monotonic() - started < timeout:
            batch = await consumer.getmany(timeout_ms=300)
            for messages in batch.values():
                for m in messages:
                    out.append(Record(m.topic, m.partition, m.offset, m.key, m.value or b"", dict(m.headers),
                                      m.timestamp))
                    last = time.monotonic()
            if expect and len(out) >= expect:
                break
            if not expect and time.monotonic() - last > idle:
                break
    finally:
        await consumer.stop()
    return out


def create_topics(settings: Settings) -> None:
    from streams.routing import load_rules
    asyncio.run(ensure_topics(settings, all_topics(settings, list(load_rules(settings.rules_path or None).topics))))


def http_get(port: int, path: str, timeout: float = 3.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def wait_ready(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if http_get(port, "/readyz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"worker on port {port} not ready after {timeout} s")


@contextmanager
def running_worker(settings: Settings, *, extra_env: dict[str, str] | None = None,
                   log_path: Path | None = None) -> Iterator[subprocess.Popen[bytes]]:
    """A real ``newswire worker`` process; stopped with SIGTERM (then SIGKILL) afterwards."""
    env = {**settings_env(settings), **(extra_env or {})}
    log = open(log_path, "wb") if log_path else subprocess.DEVNULL  # noqa: SIM115
    process = subprocess.Popen([sys.executable, "-m", "streams.cli", "worker"], env=env, stdout=log,
                               stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        wait_ready(settings.web_port)
        yield process
    finally:
        stop(process, grace_seconds=20)
        if log_path:
            log.close()  # type: ignore[union-attr]


def worker_log_path(tmp_path: Path) -> Path:
    return tmp_path / "worker.log"


os.environ.setdefault("PYTHONUNBUFFERED", "1")
