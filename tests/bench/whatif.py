"""What-if worker: ``newswire worker`` with candidate optimisations patched in at start-up.

Evidence for the optimisation suggestions, without touching ``streams/``: the harness runs
the worker as ``python -m tests.bench.whatif`` with ``BENCH_WHATIF`` naming the patches,
e.g. ``python -m tests.bench.run --whatif fetch_wait=50,within=0.01,table_bytes,own_changelog``.
Each patch mirrors a concrete change proposed for ``streams/app.py``; none of them is meant
to ship from here.

- ``fetch_wait=<ms>``: faust's aiokafka driver creates the consumer with a hard-coded
  ``fetch_max_wait_ms=1500`` (faust/transport/drivers/aiokafka.py); set it lower.
- ``within=<s>``: ``take_events`` window (``streams.app.BATCH_WITHIN``, 0.05 s).
- ``table_bytes``: store story memory as exact-size bytes; ``orjson.dumps`` returns a bytes
  object with ~4 KB of allocation behind it, which the in-memory table keeps per story.
- ``own_changelog``: write the story table's changelog records with the worker's own producer,
  in the next ``Worker.publish`` batch, instead of faust's one-record-at-a-time producer
  buffer (whose back-pressure check stalls message delivery to the agent).
"""

from __future__ import annotations

import os
import sys
from typing import Any

KNOWN = ("fetch_wait", "within", "table_bytes", "own_changelog")


def parse(spec: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, _, value = part.partition("=")
        out[name] = value
    unknown = set(out) - set(KNOWN)
    if unknown:
        raise SystemExit(f"unknown what-if patch(es): {sorted(unknown)}; known: {', '.join(KNOWN)}")
    return out


def apply(patches: dict[str, str]) -> None:
    import streams.app as app_module

    if "fetch_wait" in patches:
        from faust.transport.drivers import aiokafka as faust_aiokafka

        create = faust_aiokafka.AIOKafkaConsumerThread._create_worker_consumer
        wait_ms = int(patches["fetch_wait"] or 50)

        def _create_worker_consumer(self: Any, transport: Any) -> Any:
            consumer = create(self, transport)
            consumer._fetch_max_wait_ms = wait_ms  # read by AIOKafkaConsumer.start() for its Fetcher
            return consumer

        faust_aiokafka.AIOKafkaConsumerThread._create_worker_consumer = _create_worker_consumer
    if "within" in patches:
        app_module.BATCH_WITHIN = float(patches["within"] or 0.01)  # read when the agent starts
    if "table_bytes" in patches or "own_changelog" in patches:
        from faust.tables.table import Table

        if "table_bytes" in patches:
            setitem = Table.__setitem__

            def __setitem__(self: Any, key: Any, value: Any) -> None:
                if type(value) is bytes:
                    value = bytes(memoryview(value))  # an exact-size copy; the original is freed
                setitem(self, key, value)

            Table.__setitem__ = __setitem__
        if "own_changelog" in patches:
            from streams.models import OutputRecord

            pending: list[OutputRecord] = []

            def on_key_set(self: Any, key: Any, value: Any) -> None:
                pending.append(OutputRecord(self.changelog_topic.get_topic_name(), key, value, ()))

            Table.on_key_set = on_key_set
            publish = app_module.Worker.publish

            async def publish_with_changelog(self: Any, records: list[OutputRecord]) -> None:
                if pending:
                    records = [*records, *pending]
                    pending.clear()
                await publish(self, records)

            # Known mismatch (found by mypy, left unfixed in a typing-only change): Worker.publish
            # now takes (records, state) and the worker passes the tables' changelog as ``state``;
            # this patch takes only ``records``, so ``own_changelog`` raises TypeError when used.
            app_module.Worker.publish = publish_with_changelog  # type: ignore[assignment]


def main() -> int:
    apply(parse(os.environ.get("BENCH_WHATIF", "")))
    from streams.cli import main as cli_main

    return cli_main(["worker"])


if __name__ == "__main__":
    sys.exit(main())
