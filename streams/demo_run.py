"""``make run``: topics, a worker, our sample items in, the routed results as a table.

Each run uses its own input topic and consumer group, so a second run shows its own items
(not duplicates of the first) and the shared output topics are read from where they ended.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from aiokafka import AIOKafkaConsumer, TopicPartition

from streams.demo import print_table, produce_files, read_topics
from streams.kafka import client_options
from streams.processes import stop
from streams.routing import load_rules
from streams.settings import Settings
from streams.topics import all_topics, ensure_topics

SAMPLES = Path(__file__).parent / "data" / "samples"


async def end_offsets(settings: Settings, topics: list[str]) -> dict[TopicPartition, int]:
    consumer = AIOKafkaConsumer(group_id=None, **client_options(settings))
    await consumer.start()
    try:
        parts = [TopicPartition(t, p) for t in topics for p in (consumer.partitions_for_topic(t) or set())]
        if not parts:
            await consumer._client.force_metadata_update()
            parts = [TopicPartition(t, p) for t in topics for p in (consumer.partitions_for_topic(t) or set())]
        return dict(await consumer.end_offsets(parts))
    finally:
        await consumer.stop()


def wait_ready(port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.5)
    return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--keep", action="store_true", help="leave the worker running after the table")
    parser.add_argument("paths", nargs="*", default=[str(SAMPLES)])
    args = parser.parse_args()
    run_id = time.strftime("%Y%m%d%H%M%S")
    env = {
        **os.environ, "NEWSWIRE_INPUT_TOPIC": f"wire.raw.demo-{run_id}", "NEWSWIRE_APP_ID": f"newswire-demo-{run_id}",
    }
    settings = Settings.from_env(env)
    outputs = all_topics(settings, list(load_rules(settings.rules_path or None).topics))
    print(f"== topics ({settings.broker})")
    asyncio.run(ensure_topics(settings, outputs))
    input_topic = settings.ns(settings.input_topic)
    outputs = [t for t in outputs if t != input_topic]
    start = asyncio.run(end_offsets(settings, outputs))
    print(f"== worker (input {settings.input_topic}, metrics http://127.0.0.1:{settings.web_port}/metrics)")
    worker = subprocess.Popen([sys.executable, "-m", "streams.cli", "worker"], env=env)
    try:
        if not wait_ready(settings.web_port, 60):
            print("worker did not become ready within 60 s", file=sys.stderr)
            return 1
        count = asyncio.run(produce_files(settings, args.paths, topic=input_topic))
        print(f"== produced {count} sample items to {input_topic}")
        rows = asyncio.run(read_topics(settings, outputs, idle_seconds=6.0, start=start))
        print_table(rows, sys.stdout)
        if args.keep:
            print("worker keeps running (Ctrl-C to stop)")
            worker.wait()
    finally:
        stop(worker, grace_seconds=15)
    return 0


if __name__ == "__main__":
    sys.exit(main())
