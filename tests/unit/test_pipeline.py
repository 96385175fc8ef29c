"""The pure core: bytes -> records, dead letters and story memory, with no broker."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from streams.models import SourceMeta
from streams.pipeline import Pipeline, Resources, dead_letter_record
from streams.settings import Settings
from streams.stories import StoryMemory

SETTINGS = Settings()
SOURCE = SourceMeta("wire.raw", 2, 41, 1_700_000_000_000, b"k1")


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline(SETTINGS, Resources.load(SETTINGS))


def dw(version: int = 1, **extra: Any) -> bytes:
    doc = {"format": "digitalwires@0.9.1", "urn": "urn:newsml:dpa.com:20261125:unit-1", "version": version,
           "pubstatus": "usable", "language": "de",
           "headline": "Drohnenangriff auf Odessa: zwei Tote",
           "article_html": "<p>Bei einem russischen Drohnenangriff auf die Hafenstadt Odessa sind zwei Menschen "
                           "getötet worden. Die Flugabwehr schoss mehrere Drohnen ab.</p>", **extra}
    return orjson.dumps(doc)


def test_a_strike_item_goes_to_firehose_desk_and_alerts(pipeline: Pipeline) -> None:
    out = pipeline.process(dw(), SOURCE, now=1_800_000_000.0)
    assert out.dead_letter is None
    assert [r.topic for r in out.records] == ["news.enriched", "news.strikes", "news.alerts"]
    assert all(r.key == b"urn:newsml:dpa.com:20261125:unit-1" for r in out.records)
    alert = orjson.loads(out.records[-1].value)
    assert alert["record_id"] == "urn:newsml:dpa.com:20261125:unit-1:1" and alert["casualties"] == 2
    memory = out.memory["urn:newsml:dpa.com:20261125:unit-1"]
    assert memory.seen(1) and memory.alerted and "news.strikes" in memory.topics


def test_the_same_version_again_is_skipped_as_duplicate(pipeline: Pipeline) -> None:
    first = pipeline.process(dw(), SOURCE)
    remembered = first.memory["urn:newsml:dpa.com:20261125:unit-1"]
    again = pipeline.process(dw(), SOURCE, memory=lambda _: remembered)
    assert again.records == [] and again.items[0].skipped == "duplicate"


def test_an_update_without_escalation_publishes_but_does_not_alert(pipeline: Pipeline) -> None:
    remembered = pipeline.process(dw(), SOURCE).memory["urn:newsml:dpa.com:20261125:unit-1"]
    update = pipeline.process(dw(2, signal="sig:update"), SOURCE, memory=lambda _: remembered)
    topics = [r.topic for r in update.records]
    assert "news.strikes" in topics and "news.alerts" not in topics
    assert orjson.loads(update.records[0].value)["lifecycle"] == "update"


def test_cancel_goes_to_every_stream_the_story_reached(pipeline: Pipeline) -> None:
    remembered = StoryMemory(versions=(1,), topics=("news.enriched", "news.strikes", "news.alerts"))
    out = pipeline.process(dw(2, pubstatus="canceled"), SOURCE, memory=lambda _: remembered)
    assert sorted(r.topic for r in out.records) == ["news.alerts", "news.enriched", "news.strikes"]
    assert all(orjson.loads(r.value)["pubstatus"] == "canceled" for r in out.records)


def test_embargoed_item_is_held(pipeline: Pipeline) -> None:
    out = pipeline.process(dw(embargoed="2030-01-01T06:00:00Z"), SOURCE, now=1_800_000_000.0)
    assert [r.topic for r in out.records] == ["news.embargoed"]
    assert dict(out.records[0].headers)["newswire.embargo.until"] == str(1893477600.0).encode()
    released = pipeline.process(dw(embargoed="2030-01-01T06:00:00Z"), SOURCE, now=1893477601.0)
    assert "news.strikes" in [r.topic for r in released.records]


def test_bad_bytes_become_a_dead_letter_with_the_original_bytes(pipeline: Pipeline) -> None:
    raw = b'{"title": "cut'
    out = pipeline.process(raw, SOURCE)
    assert out.records == [] and out.dead_letter is not None and out.dead_letter.reason == "invalid-json"
    record = dead_letter_record(out.dead_letter, "wire.raw.dlq")
    headers = dict(record.headers)
    assert record.value == raw and record.key == b"k1"
    assert headers["newswire.source.partition"] == b"2" and headers["newswire.source.offset"] == b"41"


def test_a_bug_in_a_stage_is_dead_lettered_not_raised(pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    import streams.pipeline as core

    def broken(*_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(core, "classify", broken)
    out = pipeline.process(dw(), SOURCE)
    assert out.dead_letter is not None and out.dead_letter.reason == "internal-error"
    assert "RuntimeError: boom" in out.dead_letter.message and out.records == []


def test_a_panic_in_the_compiled_core_is_dead_lettered_not_raised(
    pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Rust panic reaches Python as PanicException, a BaseException: `except Exception` alone
    would let it take the worker down."""
    import streams.pipeline as core
    from streams._native import PanicException

    def panicking(*_: object) -> None:
        raise PanicException("index out of bounds: the len is 3 but the index is 7")

    assert not issubclass(PanicException, Exception)
    monkeypatch.setattr(core, "extract", panicking)
    out = pipeline.process(dw(), SOURCE)
    assert out.dead_letter is not None and out.dead_letter.reason == "internal-error"
    assert "PanicException: index out of bounds" in out.dead_letter.message and out.records == []
