"""Routing rules as data: ordered rules of conditions and publish actions, with an exit flag.

Modelled on newsroom ingest routing schemes: every rule is evaluated against every item in
file order; all conditions a rule names must hold; a matching rule publishes to its targets
and, with ``exit = true``, stops evaluation. ``explain`` says why each rule did or did not fire.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from streams.casualties import casualty_count
from streams.models import Entity, TopicScore, WireItem

DEFAULT_RULES = Path(__file__).parent / "data" / "routing.toml"
PROJECTIONS = ("full", "alert")
LIFECYCLES = ("new", "update", "cancel")
TOPIC_NAME = re.compile(r"^[A-Za-z0-9._-]{1,249}$")
BREAKING = re.compile(r"^\s{0,3}(?:eilmeldung|eil|breaking|urgent|flash)\b", re.IGNORECASE)


class RulesError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("invalid routing rules:\n  " + "\n  ".join(problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Target:
    topic: str
    projection: str = "full"  # "full" EnrichedItem or compact "alert" record
    alert: bool = False  # once per story; again only when the story escalates


@dataclass(frozen=True)
class Facts:
    """What rules can ask about an item; derived facts are computed once, and only when asked."""

    item: WireItem
    topics: tuple[TopicScore, ...]
    entities: tuple[Entity, ...]
    lifecycle: str
    reported_casualties: int | None = None  # None: read from the text when a rule asks

    @cached_property
    def labelled(self) -> frozenset[str]:
        return frozenset(t.id for t in self.topics if t.labelled)

    @cached_property
    def casualties(self) -> int:
        if self.reported_casualties is not None:
            return self.reported_casualties
        return casualty_count(f"{self.item.headline}\n{self.item.body}")

    @cached_property
    def breaking(self) -> bool:
        return bool(BREAKING.match(self.item.headline)) or (self.item.urgency or 9) <= 1


@dataclass(frozen=True, slots=True)
class Check:
    """One condition: ``test`` decides (routing's hot path), ``why`` says what it saw (explain only,
    so routing builds no reason strings)."""

    test: Callable[[Facts], bool]
    why: Callable[[Facts], str]

    def __call__(self, facts: Facts) -> tuple[bool, str]:
        return self.test(facts), self.why(facts)


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    checks: tuple[tuple[str, Check], ...]
    targets: tuple[Target, ...]
    exit: bool = False

    def matches(self, facts: Facts) -> bool:
        """All conditions hold; stops at the first that does not (routing's hot path)."""
        return all(check.test(facts) for _, check in self.checks)

    def evaluate(self, facts: Facts) -> tuple[bool, list[str]]:
        """Whether all conditions hold, and a line per condition saying why."""
        reasons: list[str] = []
        ok = True
        for name, check in self.checks:
            passed, why = check(facts)
            reasons.append(f"{name}: {'yes' if passed else 'no'} ({why})")
            ok = ok and passed
        return ok, reasons


@dataclass(frozen=True)
class RuleSet:
    version: str
    rules: tuple[Rule, ...]
    topics: tuple[str, ...] = field(default=())  # every topic the rules publish to

    def route(self, facts: Facts) -> list[tuple[Rule, Target]]:
        chosen: list[tuple[Rule, Target]] = []
        for rule in self.rules:
            if rule.matches(facts):
                chosen.extend((rule, t) for t in rule.targets)
                if rule.exit:
                    break
        return chosen

    def explain(self, facts: Facts) -> list[dict[str, Any]]:
        lines: list[dict[str, Any]] = []
        stopped = False
        for rule in self.rules:
            matched, reasons = rule.evaluate(facts)
            lines.append({
                "rule": rule.name,
                "evaluated": not stopped,
                "matched": matched and not stopped,
                "conditions": reasons,
                "publish": [t.topic for t in rule.targets] if matched and not stopped else [],
            })
            if matched and rule.exit and not stopped:
                stopped = True
        return lines


# --- conditions -----------------------------------------------------------------------------

def _as_list(value: Any, what: str, problems: list[str]) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    problems.append(f"{what} must be a string or a list of strings")
    return []


def _int(value: Any, what: str, problems: list[str], low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        problems.append(f"{what} must be a whole number {low}..{high}")
        return low
    return value


def _bool(value: Any, what: str, problems: list[str]) -> bool:
    if not isinstance(value, bool):
        problems.append(f"{what} must be true or false")
        return False
    return value


def _entity_keys(entity: Entity) -> set[str]:
    keys = {entity.name.lower()}
    if entity.id:
        keys.add(entity.id.lower())
    if entity.wikidata:
        keys.add(entity.wikidata.lower())
    return keys


def build_condition(key: str, value: Any, where: str, problems: list[str]) -> Check | None:
    """One condition of the rule language; unknown keys and bad values become problems."""
    what = f"{where}.when.{key}"
    if key == "topics":
        wanted = set(_as_list(value, what, problems))
        return Check(lambda f: bool(wanted & f.labelled), lambda f: f"labelled {sorted(f.labelled) or 'none'}")
    if key == "min_score":
        if not isinstance(value, dict) or not all(
            isinstance(v, int | float) and 0 <= v <= 1 for v in value.values()
        ):
            problems.append(f"{what} must map topic ids to scores 0..1")
            return None
        floors = {str(k): float(v) for k, v in value.items()}

        def min_score(f: Facts) -> bool:
            scores = {t.id: t.score for t in f.topics}
            return all(scores.get(k, 0.0) >= v for k, v in floors.items())

        def min_score_why(f: Facts) -> str:
            scores = {t.id: t.score for t in f.topics}
            return ", ".join(f"{k}={scores.get(k, 0.0):.2f}>={v}" for k, v in floors.items())
        return Check(min_score, min_score_why)
    if key == "unlabelled":
        want = _bool(value, what, problems)
        return Check(lambda f: (not f.labelled) == want, lambda f: f"labelled {sorted(f.labelled) or 'none'}")
    if key in ("entities", "people", "organisations", "places", "weapons"):
        wanted = {v.lower() for v in _as_list(value, what, problems)}
        kind = {"people": "person", "organisations": "organisation", "places": "place", "weapons": "weapon"}.get(key)

        def named(f: Facts) -> list[str]:
            return [e.name for e in f.entities if (kind is None or e.type == kind) and _entity_keys(e) & wanted]

        def entities_why(f: Facts) -> str:
            hit = named(f)
            return f"found {hit}" if hit else "none of them named"
        return Check(lambda f: bool(named(f)), entities_why)
    if key == "entity_types":
        wanted = set(_as_list(value, what, problems))
        bad = wanted - {"person", "organisation", "place", "weapon"}
        if bad:
            problems.append(f"{what}: unknown entity types {sorted(bad)}")
        return Check(
            lambda f: bool(wanted & {e.type for e in f.entities}),
            lambda f: f"types {sorted({e.type for e in f.entities})}",
        )
    if key == "countries":
        wanted = {v.upper() for v in _as_list(value, what, problems)}

        def found(f: Facts) -> set[str]:
            return {e.country for e in f.entities if e.country}
        return Check(lambda f: bool(wanted & found(f)), lambda f: f"countries {sorted(found(f))}")
    if key in ("urgency_max", "urgency_min"):
        limit = _int(value, what, problems, 1, 9)
        def urgency(f: Facts) -> str:
            return f"urgency {f.item.urgency}"
        if key == "urgency_max":
            return Check(lambda f: f.item.urgency is not None and f.item.urgency <= limit, urgency)
        return Check(lambda f: f.item.urgency is not None and f.item.urgency >= limit, urgency)
    if key in ("languages", "agencies", "formats"):
        wanted = {v.lower() for v in _as_list(value, what, problems)}
        attr = {"languages": "language", "agencies": "agency", "formats": "format"}[key]

        return Check(
            lambda f: (getattr(f.item, attr) or "").lower() in wanted, lambda f: f"{attr} {getattr(f.item, attr)}"
        )
    if key == "keywords":
        words = _as_list(value, what, problems)
        if not words:
            return None
        pattern = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)

        def keyword(f: Facts) -> re.Match[str] | None:
            hit = pattern.search(f.item.headline) or pattern.search(f.item.body)
            if not hit:
                hit = next((pattern.search(k) for k in f.item.keywords if pattern.search(k)), None)
            return hit

        def keywords_why(f: Facts) -> str:
            hit = keyword(f)
            return f"found {hit.group(0)!r}" if hit else "no keyword"
        return Check(lambda f: keyword(f) is not None, keywords_why)
    if key == "lifecycle":
        wanted = set(_as_list(value, what, problems))
        if wanted - set(LIFECYCLES):
            problems.append(f"{what}: lifecycle is one of {list(LIFECYCLES)}")
        return Check(lambda f: f.lifecycle in wanted, lambda f: f"lifecycle {f.lifecycle}")
    if key == "breaking":
        want = _bool(value, what, problems)
        return Check(
            lambda f: f.breaking == want, lambda f: "breaking marker or urgency 1" if f.breaking else "not breaking"
        )
    if key == "casualties_min":
        floor = _int(value, what, problems, 1, 1_000_000)
        return Check(lambda f: f.casualties >= floor, lambda f: f"casualties {f.casualties}")
    if key == "media_only":
        want = _bool(value, what, problems)
        return Check(lambda f: f.item.media_only == want, lambda f: f"media_only {f.item.media_only}")
    problems.append(f"{what}: unknown condition")
    return None


# --- loading --------------------------------------------------------------------------------

RULE_KEYS = {"name", "description", "when", "publish", "exit"}


def parse_rules(data: dict[str, Any]) -> RuleSet:
    problems: list[str] = []
    unknown_top = set(data) - {"version", "rules"}
    if unknown_top:
        problems.append(f"unknown top-level keys {sorted(unknown_top)}")
    version = data.get("version")
    if not isinstance(version, str) or not version:
        problems.append("version must be a non-empty string")
        version = ""
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        problems.append("rules must be a non-empty array of [[rules]] tables")
        raw_rules = []
    rules: list[Rule] = []
    names: set[str] = set()
    for index, raw in enumerate(raw_rules):
        where = f"rules[{index}]"
        if not isinstance(raw, dict):
            problems.append(f"{where} must be a table")
            continue
        name = raw.get("name")
        if not isinstance(name, str) or not name:
            problems.append(f"{where}.name is required")
            name = where
        elif name in names:
            problems.append(f"{where}: duplicate rule name {name!r}")
        names.add(name)
        where = f"rule {name!r}"
        for key in sorted(set(raw) - RULE_KEYS):
            problems.append(f"{where}: unknown key {key!r}")
        when = raw.get("when", {})
        checks: list[tuple[str, Check]] = []
        if not isinstance(when, dict):
            problems.append(f"{where}.when must be a table")
        else:
            for key, value in when.items():
                check = build_condition(key, value, where, problems)
                if check is not None:
                    checks.append((key, check))
        targets = _targets(raw.get("publish", []), where, problems)
        exit_flag = raw.get("exit", False)
        if not isinstance(exit_flag, bool):
            problems.append(f"{where}.exit must be true or false")
            exit_flag = False
        if not targets and not exit_flag:
            problems.append(f"{where}: publishes nowhere and does not exit; it would do nothing")
        rules.append(Rule(name, str(raw.get("description", "")), tuple(checks), tuple(targets), exit_flag))
    if problems:
        raise RulesError(problems)
    topics = tuple(dict.fromkeys(t.topic for r in rules for t in r.targets))
    return RuleSet(version, tuple(rules), topics)


def _targets(raw: Any, where: str, problems: list[str]) -> list[Target]:
    if not isinstance(raw, list):
        problems.append(f"{where}.publish must be a list")
        return []
    out: list[Target] = []
    for entry in raw:
        if isinstance(entry, str):
            entry = {"topic": entry}
        if not isinstance(entry, dict):
            problems.append(f"{where}.publish entries are topic names or {{topic, projection, alert}} tables")
            continue
        for key in sorted(set(entry) - {"topic", "projection", "alert"}):
            problems.append(f"{where}.publish: unknown key {key!r}")
        topic = entry.get("topic")
        if not isinstance(topic, str) or not TOPIC_NAME.match(topic):
            problems.append(f"{where}.publish: {topic!r} is not a valid Kafka topic name")
            continue
        projection = entry.get("projection", "full")
        if projection not in PROJECTIONS:
            problems.append(f"{where}.publish: projection must be one of {list(PROJECTIONS)}")
            continue
        alert = entry.get("alert", False)
        if not isinstance(alert, bool):
            problems.append(f"{where}.publish: alert must be true or false")
            continue
        out.append(Target(topic, projection, alert))
    return out


def load_rules(path: str | Path | None = None) -> RuleSet:
    source = Path(path) if path else DEFAULT_RULES
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RulesError([f"{source}: {exc.strerror}"]) from exc
    except tomllib.TOMLDecodeError as exc:
        raise RulesError([f"{source}: {exc}"]) from exc
    return parse_rules(data)


def rule_topics(rulesets: Iterable[RuleSet]) -> list[str]:
    return list(dict.fromkeys(t for rs in rulesets for t in rs.topics))
