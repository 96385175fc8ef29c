"""The metrics contract: every dead-letter reason in the code is a known label value."""

from __future__ import annotations

import re
from pathlib import Path

from prometheus_client import generate_latest

from streams.metrics import DEAD_LETTER_REASONS, Metrics

STREAMS = Path(__file__).resolve().parents[2] / "streams"


def test_every_decode_error_reason_in_the_code_is_in_the_contract() -> None:
    used = set()
    for source in STREAMS.rglob("*.py"):
        used |= set(re.findall(r'DecodeError\(\s*"([a-z0-9-]+)"', source.read_text(encoding="utf-8")))
    assert used, "the scan found no reasons at all"
    assert used <= set(DEAD_LETTER_REASONS), sorted(used - set(DEAD_LETTER_REASONS))


def test_known_series_start_at_zero_before_any_event() -> None:
    m = Metrics()
    m.start_at_zero("wire.raw", ["news.enriched"], ["strikes"])
    text = generate_latest(m.registry).decode()
    assert 'newswire_dead_letters_total{reason="invalid-json"} 0.0' in text
    assert 'newswire_items_published_total{topic="news.enriched"} 0.0' in text
    assert 'newswire_items_labelled_total{label="none"} 0.0' in text
    assert "_created" not in text


def test_tallied_counts_reach_their_series_only_at_flush() -> None:
    m = Metrics()
    for _ in range(3):
        m.tally(m.entities, "person", "yes")
    m.tally(m.labelled, "strikes")
    assert m.entities.labels("person", "yes")._value.get() == 0
    m.flush()
    assert m.entities.labels("person", "yes")._value.get() == 3
    assert m.labelled.labels("strikes")._value.get() == 1
    m.flush()  # nothing counted twice
    assert m.entities.labels("person", "yes")._value.get() == 3
