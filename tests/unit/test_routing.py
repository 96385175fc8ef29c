"""The routing rule language: every condition, every action, validation, explain."""

from __future__ import annotations

from typing import Any

import pytest

from streams.models import Entity, Mention, TopicScore, WireItem
from streams.routing import Facts, RulesError, load_rules, parse_rules


def item(**kw: Any) -> WireItem:
    base: dict[str, Any] = {"headline": "Gespräche in Genf", "paragraphs": ("Die Delegationen trafen sich.",),
                            "format": "text", "story_id": "s1", "language": "de", "agency": "dpa"}
    base.update(kw)
    return WireItem(**base)


def facts(labels: dict[str, float] | None = None, entities: tuple[Entity, ...] = (), lifecycle: str = "new",
          casualties: int = 0, **kw: Any) -> Facts:
    labels = labels or {}
    topics = tuple(TopicScore(t, s, s >= 0.5) for t, s in labels.items())
    return Facts(item(**kw), topics, entities, lifecycle, casualties)


def rules(*rule_tables: dict[str, Any]) -> Any:
    return parse_rules({"version": "t", "rules": list(rule_tables)})


def fires(when: dict[str, Any], f: Facts) -> bool:
    rs = rules({"name": "r", "when": when, "publish": ["out"]})
    return bool(rs.route(f))


MERZ = Entity("Friedrich Merz", "person", (Mention("Merz", "body", 0, 4),), id="person/friedrich-merz",
              wikidata="Q1124")
ODESA = Entity("Odesa", "place", (Mention("Odesa", "body", 0, 5),), id="place/odesa", country="UA")


@pytest.mark.parametrize(("when", "f", "expected"), [
    ({"topics": ["diplomacy"]}, facts({"diplomacy": 0.9}), True),
    ({"topics": ["diplomacy"]}, facts({"diplomacy": 0.2}), False),
    ({"min_score": {"strikes": 0.7}}, facts({"strikes": 0.8}), True),
    ({"min_score": {"strikes": 0.7}}, facts({"strikes": 0.6}), False),
    ({"unlabelled": True}, facts({"strikes": 0.1}), True),
    ({"entities": ["person/friedrich-merz"]}, facts(entities=(MERZ,)), True),
    ({"entities": ["Q1124"]}, facts(entities=(MERZ,)), True),
    ({"people": ["friedrich merz"]}, facts(entities=(MERZ,)), True),
    ({"places": ["Odesa"]}, facts(entities=(MERZ,)), False),
    ({"entity_types": ["place"]}, facts(entities=(ODESA,)), True),
    ({"countries": ["ua"]}, facts(entities=(ODESA,)), True),
    ({"countries": ["DE"]}, facts(entities=(ODESA,)), False),
    ({"urgency_max": 2}, facts(urgency=1), True),
    ({"urgency_max": 2}, facts(urgency=3), False),
    ({"urgency_max": 2}, facts(), False),
    ({"urgency_min": 5}, facts(urgency=6), True),
    ({"languages": ["en"]}, facts(), False),
    ({"agencies": ["DPA"]}, facts(), True),
    ({"formats": ["ninjs"]}, facts(), False),
    ({"keywords": ["Genf", "Geneva"]}, facts(), True),
    ({"keywords": ["Gen"]}, facts(), False),
    ({"lifecycle": ["update"]}, facts(lifecycle="update"), True),
    ({"lifecycle": ["update"]}, facts(), False),
    ({"breaking": True}, facts(headline="Eilmeldung: Explosion in Kiew"), True),
    ({"breaking": True}, facts(urgency=1), True),
    ({"breaking": True}, facts(), False),
    ({"casualties_min": 1}, facts(casualties=3), True),
    ({"casualties_min": 1}, facts(), False),
    ({"media_only": True}, facts(media_only=True), True),
    ({"topics": ["strikes"], "urgency_max": 2}, facts({"strikes": 0.9}, urgency=5), False),
])
def test_each_condition(when: dict[str, Any], f: Facts, expected: bool) -> None:
    assert fires(when, f) is expected


def test_exit_stops_later_rules_and_explain_says_so() -> None:
    rs = rules(
        {"name": "first", "publish": ["a"], "exit": True},
        {"name": "second", "publish": ["b"]},
    )
    f = facts()
    assert [t.topic for _, t in rs.route(f)] == ["a"]
    lines = rs.explain(f)
    assert lines[0]["matched"] and not lines[1]["evaluated"] and lines[1]["publish"] == []


def test_publish_targets_carry_projection_and_alert() -> None:
    rs = rules({"name": "alert", "publish": [{"topic": "news.alerts", "projection": "alert", "alert": True}]})
    (_, target), = rs.route(facts())
    assert (target.topic, target.projection, target.alert) == ("news.alerts", "alert", True)
    assert rs.topics == ("news.alerts",)


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(RulesError) as err:
        parse_rules({"version": "", "extra": 1, "rules": [
            {"name": "a", "when": {"colour": "red", "urgency_max": 12}, "publish": ["bad topic!"]},
            {"name": "a", "publish": [{"topic": "x", "projection": "tiny"}], "exit": "yes"},
            {"description": "no name and nowhere"},
        ]})
    text = "\n".join(err.value.problems)
    for expected in ("version", "unknown top-level", "unknown condition", "urgency_max", "valid Kafka topic",
                     "duplicate rule name", "projection", "exit must be", "name is required", "publishes nowhere"):
        assert expected in text, expected


def test_shipped_rules_reproduce_the_desks_firehose_and_alerts() -> None:
    rs = load_rules()
    assert set(rs.topics) == {"news.enriched", "news.diplomacy", "news.military-aid", "news.strikes", "news.alerts"}
    routed = [t.topic for _, t in rs.route(facts({"diplomacy": 0.9, "strikes": 0.8}, casualties=2))]
    assert routed == ["news.enriched", "news.diplomacy", "news.strikes", "news.alerts"]
    assert [t.topic for _, t in rs.route(facts(media_only=True))] == ["news.enriched"]
