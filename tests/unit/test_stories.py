"""Story memory: deduplication, cancel targets and alert escalation."""

from streams.casualties import casualty_count
from streams.stories import StoryMemory, alert_decision


def test_memory_round_trips_through_json_and_bounds_versions() -> None:
    m = StoryMemory()
    for v in range(100):
        m = m.published(v, ["news.enriched"], now=1.0)
    assert len(m.versions) == 64 and m.seen(99) and not m.seen(0)
    assert StoryMemory.from_json(m.to_json()) == m
    assert StoryMemory.from_json("garbage") == StoryMemory()


def test_memory_record_leaves_out_defaults_and_reads_the_long_form() -> None:
    m = StoryMemory().published(3, ["news.enriched", "news.strikes"], now=1795665631.333)
    assert m.to_json() == {"versions": (3,), "topics": ("news.enriched", "news.strikes"), "updated_at": 1795665631}
    long_form = {"versions": [3], "topics": ["news.enriched", "news.strikes"], "alerted": False,
                 "alert_urgency": None, "alert_casualties": 0, "canceled": False, "updated_at": 1795665631.0}
    assert StoryMemory.from_json(long_form) == m
    alerted = StoryMemory(alerted=True, alert_urgency=1, alert_casualties=4, canceled=True)
    assert StoryMemory.from_json(alerted.to_json()) == alerted


def test_first_alert_then_only_on_escalation() -> None:
    fresh = StoryMemory()
    assert alert_decision(fresh, 3, 0) == (True, None)
    alerted = StoryMemory(alerted=True, alert_urgency=2, alert_casualties=3)
    assert alert_decision(alerted, 2, 3) == (False, None)
    assert alert_decision(alerted, 1, 3) == (True, "urgency 2 -> 1")
    assert alert_decision(alerted, 2, 11) == (True, "casualties 3 -> 11")
    assert alert_decision(alerted, None, 0) == (False, None)


def test_casualty_figures_in_german_and_english() -> None:
    assert casualty_count("Bei dem Angriff gab es mindestens 12 Tote.") == 12
    assert casualty_count("A missile strike killed at least 7 people.") == 7
    assert casualty_count("Drei Verletzte nach Drohnenangriff") == 3
    assert casualty_count("The ministry said 1,200 wounded soldiers were treated.") == 1200
    assert casualty_count("Keine Opfer gemeldet.") == 0


def test_casualty_regex_does_not_backtrack_on_hostile_text() -> None:
    import time

    text = ("1 " * 50_000) + "x"
    started = time.perf_counter()
    casualty_count(text)
    assert time.perf_counter() - started < 2.0
