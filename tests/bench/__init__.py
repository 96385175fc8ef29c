"""Benchmark harness for newswire (issue 8): ``make bench`` runs ``python -m tests.bench.run``.

Not a test suite: it measures and prints one table, and writes the same figures as JSON to
``bench-results/<timestamp>.json`` and ``bench-results/latest.json`` so runs can be compared
between commits. Modules:

- ``generator``: our own synthetic wire items (German and English, all desks and negatives,
  plain text, simple JSON, ninjs 2.x, dpa digitalwires; updates, cancels, redeliveries,
  embargoes and a few broken records), deterministic per seed.
- ``pure``: the pure pipeline (``Pipeline.process``) on one core, per-stage microseconds.
- ``kafka``: bench topics (LogAppendTime), indexed producer, end-offset watching, broker
  timestamps, RSS/CPU sampling, cleanup.
- ``passthrough``: a Faust app with the worker's settings that publishes the same records
  without processing: the limit of the faust/aiokafka stack.
- ``peer``: the same pipeline under Quix Streams (confluent-kafka) for comparison.
- ``scenarios``: end to end runs, latency at a fixed offered load, memory, profiling.
- ``report``: the table and the JSON.
"""
