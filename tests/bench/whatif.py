"""What-if worker: ``newswire worker`` with candidate optimisations patched in at start-up.

Evidence for the optimisation suggestions, without touching ``streams/``: the harness runs
the worker as ``python -m tests.bench.whatif`` with ``BENCH_WHATIF`` naming the patches,
e.g. ``python -m tests.bench.run --whatif fetch_wait=100,within=0.02``.
Each patch mirrors a concrete change proposed for ``streams/``; none of them is meant to ship
from here. Earlier candidates that proved out and shipped: a 50 ms fetch wait
(``streams/faust_fixes.py``), exact-size story bytes, and the tables' changelog records sent in
the worker's own publish batch (``streams/app.py``).

- ``fetch_wait=<ms>``: the consumer's ``fetch_max_wait_ms`` (faust hard-codes 1500; the
  worker ships 50).
- ``within=<s>``: ``take_events`` window (``streams.app.BATCH_WITHIN``, 0.01 s).
- ``batch=<n>``: records per ``take_events`` batch (``streams.app.BATCH_MAX``, 500).
- ``buffer=<n>``: Faust's ``stream_buffer_maxsize``, the events a stream may hold unprocessed
  before the consumer pauses (Faust's default 4096).
- ``fetch_size=<bytes>``: Faust's ``consumer_max_fetch_size``, bytes per partition per fetch
  (Faust's default 1 MiB).
"""

from __future__ import annotations

import os
import sys
from typing import Any

KNOWN = ("fetch_wait", "within", "buffer", "fetch_size", "batch")


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
    if "batch" in patches:
        app_module.BATCH_MAX = int(patches["batch"] or 500)  # read when the agent takes a batch
    if "within" in patches:
        app_module.BATCH_WITHIN = float(patches["within"] or 0.01)  # read when the agent starts
    options = {name: int(patches[key]) for key, name in (("buffer", "stream_buffer_maxsize"),
                                                         ("fetch_size", "consumer_max_fetch_size")) if key in patches}
    if options:
        app_options = app_module.app_options

        def patched_options(settings: Any) -> dict[str, Any]:
            return {**app_options(settings), **options}

        app_module.app_options = patched_options


def main() -> int:
    apply(parse(os.environ.get("BENCH_WHATIF", "")))
    from streams.cli import main as cli_main

    return cli_main(["worker"])


if __name__ == "__main__":
    sys.exit(main())
