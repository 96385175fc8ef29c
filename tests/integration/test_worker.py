"""The whole loop on the real broker: raw items in, routed records out, dead letters, metrics."""

from __future__ import annotations

import asyncio
from pathlib import Path

import orjson
import pytest

from streams.settings import Settings
from tests.integration.kafka_tools import create_topics, http_get, produce, read_all, running_worker

pytestmark = pytest.mark.integration
SAMPLES = Path(__file__).resolve().parents[2] / "streams" / "data" / "samples"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def test_items_are_routed_to_desks_and_bad_input_is_dead_lettered(isolated: Settings, tmp_path: Path) -> None:
    s = isolated
    create_topics(s)
    good = [
        (b"talks", sample("01-dpa-talks.txt")),
        (b"aid", sample("02-reuters-aid.txt")),
        (b"strike", sample("03-afp-strike.json")),
        (b"labour", sample("04-dpa-warnstreik.txt")),
    ]
    bad = [(b"broken", b'{"title": "cut off'), (b"empty", b"   ")]
    with running_worker(s, log_path=tmp_path / "worker.log"):
        asyncio.run(produce(s, good + bad))
        enriched = asyncio.run(read_all(s, [s.ns("news.enriched")], expect=len(good)))
        desks = asyncio.run(read_all(s, [s.ns(t) for t in ("news.diplomacy", "news.military-aid", "news.strikes")],
                                     idle=3.0))
        dlq = asyncio.run(read_all(s, [s.ns(s.dlq_topic)], expect=len(bad)))
        status, metrics = http_get(s.web_port, "/metrics")

    assert len(enriched) == len(good)
    for record in enriched:
        doc = record.json()
        assert record.key == doc["story_id"].encode(), "outputs are keyed by story id"
        assert record.headers["newswire.record.id"] == doc["id"].encode()
    desks_by_headline: dict[str, set[str]] = {}
    for r in desks:
        headline = r.json()["headlines"][0]["value"]
        desks_by_headline.setdefault(headline, set()).add(r.topic.removeprefix(s.topic_namespace))

    def desks_of(prefix: str) -> set[str]:
        return next((v for k, v in desks_by_headline.items() if k.startswith(prefix)), set())

    assert "news.diplomacy" in desks_of("Außenminister beraten"), desks_by_headline
    assert "news.military-aid" in desks_of("Germany pledges"), desks_by_headline
    assert "news.strikes" in desks_of("Russian drone"), desks_by_headline
    assert desks_of("Verdi ruft") == set(), "a labour strike must reach no desk"

    reasons = {r.key: r.headers["newswire.error.reason"] for r in dlq}
    assert reasons[b"broken"] == b"invalid-json"
    assert reasons[b"empty"] in (b"empty", b"no-text")
    original: dict[bytes | None, bytes] = dict(bad)
    for r in dlq:
        assert r.value == original[r.key], "dead letters keep the original bytes"
        assert r.headers["newswire.source.topic"] == s.ns(s.input_topic).encode()
        assert {"newswire.error.message", "newswire.source.partition", "newswire.source.offset",
                "newswire.failed.at"} <= set(r.headers)

    assert status == 200
    text = metrics.decode()
    assert f'newswire_items_consumed_total{{topic="{s.ns(s.input_topic)}"}} 6.0' in text
    assert 'newswire_dead_letters_total{reason="invalid-json"} 1.0' in text
    assert f'newswire_items_published_total{{topic="{s.ns("news.enriched")}"}} 4.0' in text
    assert "newswire_stage_seconds_bucket" in text


def test_alerts_once_per_story_and_again_on_escalation(isolated: Settings, tmp_path: Path) -> None:
    s = isolated
    create_topics(s)
    first = sample("06-dpa-eil.json")
    update = sample("07-dpa-eil-update.json")
    with running_worker(s, log_path=tmp_path / "worker.log"):
        # the same version twice, then an update with more casualties, then that update again
        asyncio.run(produce(s, [(b"kh", first), (b"kh", first), (b"kh", update), (b"kh", update)]))
        enriched = asyncio.run(read_all(s, [s.ns("news.enriched")], idle=4.0))
        alerts = asyncio.run(read_all(s, [s.ns("news.alerts")], idle=2.0))
    assert [r.json()["version"] for r in enriched] == ["1", "2"], "duplicates of a version are published once"
    assert len(alerts) == 2
    one, two = (orjson.loads(r.value) for r in alerts)
    assert one["escalation"] is None and one["record_id"].endswith(":1")
    assert two["escalation"] and "casualties" in two["escalation"]
    assert two["story_id"] == one["story_id"]
