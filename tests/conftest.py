"""Shared fixtures: the real broker (started if none is up) and per-test isolated topics."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from streams.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


# Topics of one test's namespace or consumer group (``isolated`` here, ``make_settings`` in the
# reliability harness): tNNNNNNNNNN.*, relNNNNNNNNNN.*, newswire-test-NNNNNNNNNN-*, newswire-rel-...
TEST_TOPIC = re.compile(r"^(?:(?:t|rel)([0-9a-f]{10})\.|newswire-(?:test|rel)-([0-9a-f]{10})-)")
SESSION_TAGS: set[str] = set()  # the tags this pytest session handed out: its topics, no one else's


def new_tag() -> str:
    """A fresh tag for one test's topics and consumer group, remembered for the clean-up."""
    tag = uuid.uuid4().hex[:10]
    SESSION_TAGS.add(tag)
    return tag


def session_topic(topic: str) -> bool:
    """Whether ``topic`` belongs to a test of this session (other sessions may share the broker)."""
    match = TEST_TOPIC.match(topic)
    return match is not None and (match.group(1) or match.group(2)) in SESSION_TAGS


@pytest.fixture(scope="session")
def broker() -> Iterator[str]:
    """The broker address; starts the project's local Kafka unless NEWSWIRE_BROKER names one.

    A broker that cannot be started fails the run: integration tests never skip. The test
    topics this session created are deleted at its end: left behind, a few thousand of them
    exhausted the dev broker's file descriptors ("Too many open files"). Only this session's:
    deleting every new test topic broke other sessions running on the same broker.
    """
    if os.environ.get("NEWSWIRE_BROKER"):
        address = os.environ["NEWSWIRE_BROKER"]
    else:
        result = subprocess.run(["bash", str(ROOT / "deploy/kafka/kafka.sh"), "up"], capture_output=True, text=True)
        if result.returncode != 0:
            pytest.fail(f"local Kafka did not start:\n{result.stdout}\n{result.stderr}", pytrace=False)
        address = f"127.0.0.1:{os.environ.get('NEWSWIRE_KAFKA_PORT', '19092')}"
    yield address
    with contextlib.suppress(Exception):  # best effort: a broker stopped by a test keeps them
        asyncio.run(_delete_session_topics(address))


async def _delete_session_topics(address: str) -> None:
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=address, request_timeout_ms=30_000)
    await admin.start()
    try:
        mine = sorted(t for t in await admin.list_topics() if session_topic(t))
        for start in range(0, len(mine), 100):
            await admin.delete_topics(mine[start:start + 100])
    finally:
        await admin.close()


@pytest.fixture
def isolated(broker: str, unused_tcp_port: int) -> Settings:
    """Settings whose every topic and consumer group belongs to this test alone."""
    tag = new_tag()
    return Settings(
        broker=broker,
        app_id=f"newswire-test-{tag}",
        topic_namespace=f"t{tag}.",
        partitions=3,
        web_port=unused_tcp_port,
        web_host="127.0.0.1",
    )


def settings_env(settings: Settings) -> dict[str, str]:
    """The environment a worker subprocess needs to run with these settings."""
    return {
        **os.environ,
        "NEWSWIRE_BROKER": settings.broker,
        "NEWSWIRE_APP_ID": settings.app_id,
        "NEWSWIRE_TOPIC_NAMESPACE": settings.topic_namespace,
        "NEWSWIRE_PARTITIONS": str(settings.partitions),
        "NEWSWIRE_WEB_PORT": str(settings.web_port),
        "NEWSWIRE_RULES_PATH": settings.rules_path,
        "NEWSWIRE_LOG_LEVEL": "INFO",
    }
