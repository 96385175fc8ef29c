"""Shared fixtures: the real broker (started if none is up) and per-test isolated topics."""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

import pytest

from streams.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def broker() -> str:
    """The broker address; starts the project's local Kafka unless NEWSWIRE_BROKER names one.

    A broker that cannot be started fails the run: integration tests never skip.
    """
    if os.environ.get("NEWSWIRE_BROKER"):
        return os.environ["NEWSWIRE_BROKER"]
    result = subprocess.run(["bash", str(ROOT / "deploy/kafka/kafka.sh"), "up"], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.fail(f"local Kafka did not start:\n{result.stdout}\n{result.stderr}", pytrace=False)
    port = os.environ.get("NEWSWIRE_KAFKA_PORT", "19092")
    return f"127.0.0.1:{port}"


@pytest.fixture
def isolated(broker: str, unused_tcp_port: int) -> Settings:
    """Settings whose every topic and consumer group belongs to this test alone."""
    tag = uuid.uuid4().hex[:10]
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
