"""Create every topic the worker reads or writes, idempotently, before it starts.

faust-streaming #448: a source topic that does not exist when the worker starts may leave the
agent consuming nothing, so ``newswire topics`` runs first (make run, the tests, k8s init).
"""

from __future__ import annotations

import asyncio
import contextlib
import time

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from streams.kafka import client_options
from streams.settings import Settings


def all_topics(settings: Settings, rule_topics: list[str]) -> list[str]:
    fixed = [settings.input_topic, settings.dlq_topic, settings.enriched_topic, settings.alerts_topic,
             settings.embargoed_topic]
    return [settings.ns(t) for t in dict.fromkeys(fixed + rule_topics)]


async def ensure_topics(settings: Settings, names: list[str]) -> list[str]:
    """Create the topics that are missing; returns the names that were created."""
    output_configs = {"max.message.bytes": str(settings.max_record_bytes)}
    admin = AIOKafkaAdminClient(**client_options(settings), request_timeout_ms=15_000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [n for n in dict.fromkeys(names) if n not in existing]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):  # another process won the race
                await admin.create_topics([
                    NewTopic(n, num_partitions=settings.partitions, replication_factor=settings.replication,
                             topic_configs=None if n == settings.ns(settings.input_topic) else output_configs)
                    for n in missing
                ])
            await _wait_for_leaders(admin, missing)
        return missing
    finally:
        await admin.close()


async def _wait_for_leaders(admin: AIOKafkaAdminClient, names: list[str], timeout: float = 15.0) -> None:
    """Return once every partition of the new topics has a leader, so that whoever writes to
    them next (the worker, a test) does not start with NotLeaderForPartition retries."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        described = await admin.describe_topics(names)
        if all(t.get("error_code") == 0 and t.get("partitions")
               and all(p.get("leader", -1) >= 0 for p in t["partitions"]) for t in described):
            return
        await asyncio.sleep(0.2)
