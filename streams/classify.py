"""Topic classification: the taxonomy as validated data, and the scoring of one WireItem.

The taxonomy (``streams/data/taxonomy.toml``) holds every cue so editors can tune desks without
code changes. Scoring runs one Aho-Corasick pass over headline and body for the cues of all
topics (word edges inside the automaton), weighs each match by where it stands (headline and lead
count more than the tail of a long body), dampens repeats and long bodies so length alone never
wins, lets context cues confirm or cancel ambiguous senses ("Angriff" next to "Tor" and "Liga" is
football), and saturates the evidence into a calibrated 0..1 score that is compared with a
per-topic threshold from the data file.

Python loads, validates and compiles the taxonomy into tables; the per-item work runs in the
compiled core (``streams._native.Classifier``, streams/native/src/classify.rs), which builds the
result objects itself.
"""

from __future__ import annotations

import array
import dataclasses
import functools
import math
import re
import sys
import tomllib
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from streams import _native
from streams.matching import Pattern, fold_case, parse_pattern
from streams.models import Evidence, TopicScore, WireItem

DEFAULT_PATH = Path(__file__).parent / "data" / "taxonomy.toml"
LANGUAGES = ("de", "en")
LIST_KEYS = ("de", "en", "any")  # per-language pattern lists; "any" applies to every item
EFFECTS = ("confirm", "cancel")
WEIGHT_RANGE = (0.0, 5.0)  # cue and context weights: > 0 and <= 5
_TOPIC_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_IPTC = re.compile(r"^medtop:\d{8}$")
_CAMEO = re.compile(r"^\d{2,4}$")

# kinds of matcher payload
_CUE, _CONTEXT, _BLOCKER = 0, 1, 2


class TaxonomyError(ValueError):
    """A taxonomy file that cannot be used; ``problems`` lists every problem found, not just the first."""

    def __init__(self, problems: list[str], source: str = "taxonomy") -> None:
        self.problems = list(problems)
        self.source = source
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{source}: {len(self.problems)} problem(s):\n{lines}")


@dataclass(frozen=True, slots=True)
class Cue:
    """One weighted pattern of a topic; ``sense`` marks an ambiguous cue that contexts govern."""

    pattern: str  # as written in the file, e.g. "Drohnenangriff*"
    weight: float
    language: str  # "de", "en" or "any"
    sense: str | None = None


@dataclass(frozen=True, slots=True)
class Context:
    """Words around an ambiguous cue that confirm or cancel one of its senses."""

    id: str
    effect: str  # "confirm" or "cancel"
    senses: tuple[str, ...]
    patterns: tuple[tuple[str, str], ...]  # (language, pattern)
    weight: float = 1.0  # strength per distinct pattern found
    min_strength: float = 1.0  # strength needed before the context acts


@dataclass(frozen=True, slots=True)
class Scoring:
    """How matches turn into a score; kept in the data file so calibration is reviewable."""

    saturation: float = 0.2
    headline_weight: float = 2.0
    lead_weight: float = 1.5
    body_weight: float = 1.0
    body_decay: float = 0.15
    body_floor: float = 0.4
    repeat_decay: float = 0.5
    length_ref: float = 1500.0
    length_exponent: float = 0.5
    unconfirmed: float = 0.4
    primary_headline: float = 2.0
    secondary_discount: float = 0.6
    evidence_cap: int = 10
    evidence_cap_unlabelled: int = 3


@dataclass(frozen=True)
class TopicDef:
    """One desk topic: its fixed id, labels, standard codes, threshold and cues."""

    id: str
    labels: dict[str, str] = field(hash=False)
    iptc: str
    cameo: str
    threshold: float
    cues: tuple[Cue, ...] = ()
    contexts: tuple[Context, ...] = ()
    description: str = ""


# One role a pattern plays: (kind, topic, context slot, key, weight, sense index, pattern, open left, open right).
# ``key`` tells repeats of the same cue apart (and distinct context patterns); sense index -1 = no sense.
_Role = tuple[int, int, int, int, float, int, str, bool, bool]


# A cue as the native classifier reads it: (topic, key, weight, sense + 1 (0: none), pattern, open left,
# open right). ``key`` tells repeats of the same cue apart and is unique across topics.
_CueRole = tuple[int, int, float, int, str, bool, bool]

# What one matched spelling means: the context patterns it stands for (numbered across all topics'
# contexts, one number per distinct pattern of a context), and None or its cues and whether it is
# a blocker (the part whose order matters).
_Item = tuple[tuple[_CueRole, ...], bool]
_Group = tuple[tuple[int, ...], _Item | None]


@dataclass(frozen=True)
class _Compiled:
    native: _native.Classifier  # the tables below, compiled; does the per-item work
    # per language key ("de", "en", "any"): the patterns in the order the native search numbers them,
    # their payloads saying what a spelling means (tests compare the search with tests/reference_matching.py)
    patterns: dict[str, tuple[Pattern[_Group], ...]]
    context_slots: tuple[int, ...]  # per context pattern number: the number of its context
    senses: tuple[tuple[str, ...], ...]  # per topic: its sense names, as explain() reports the factors
    context_labels: tuple[tuple[str, ...], ...]  # per topic: "id/effect" of each of its contexts


@dataclass(frozen=True)
class Taxonomy:
    """The validated taxonomy plus its compiled matchers (built once, shared by every call)."""

    version: str
    topics: tuple[TopicDef, ...]
    scoring: Scoring = field(default_factory=Scoring)
    blockers: tuple[tuple[str, str], ...] = ()  # (language, pattern)
    _compiled: _Compiled = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_compiled", _compile(self))

    def topic(self, topic_id: str) -> TopicDef:
        for topic in self.topics:
            if topic.id == topic_id:
                return topic
        raise KeyError(topic_id)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.topics)


# ----------------------------------------------------------------------------------------------
# loading and validation


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Read and validate a taxonomy file; None means the one shipped with the package."""
    source = Path(path) if path is not None else DEFAULT_PATH
    try:
        raw = source.read_bytes()
    except OSError as exc:
        raise TaxonomyError([f"cannot read file: {exc.strerror or exc}"], str(source)) from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise TaxonomyError([f"not valid TOML: {exc}"], str(source)) from exc
    return parse_taxonomy(data, str(source))


def parse_taxonomy(data: Mapping[str, Any], source: str = "taxonomy") -> Taxonomy:
    """Build a Taxonomy from already-parsed TOML data, collecting every problem before failing."""
    problems: list[str] = []
    _check_keys(data, {"version", "scoring", "blockers", "topics"}, {"version", "topics"}, "top level", problems)

    version = data.get("version")
    if "version" in data and (not isinstance(version, str) or not version.strip()):
        problems.append("version: must be a non-empty string")

    scoring = _parse_scoring(data.get("scoring", {}), problems)
    blockers = _parse_lists(data.get("blockers", {}), "blockers", problems)

    topics: list[TopicDef] = []
    raw_topics = data.get("topics", [])
    if "topics" in data and (not isinstance(raw_topics, list) or not raw_topics):
        problems.append("topics: must be a non-empty array of tables ([[topics]])")
        raw_topics = []
    seen_ids: set[str] = set()
    for index, raw_topic in enumerate(raw_topics):
        topic = _parse_topic(raw_topic, index, problems)
        if topic is None:
            continue
        if topic.id in seen_ids:
            problems.append(f"topics[{index}]: duplicate topic id {topic.id!r}")
        seen_ids.add(topic.id)
        topics.append(topic)

    blocked = {_norm(pattern) for _, pattern in blockers}
    for topic in topics:
        for cue in topic.cues:
            if _norm(cue.pattern) in blocked:
                problems.append(f"topic {topic.id!r}: cue {cue.pattern!r} is also a blocker and could never count")

    if problems:
        raise TaxonomyError(problems, source)
    assert isinstance(version, str)
    return Taxonomy(version=version, topics=tuple(topics), scoring=scoring, blockers=blockers)


def _check_keys(
    table: Mapping[str, Any], allowed: set[str], required: set[str], where: str, problems: list[str]
) -> None:
    for key in table:
        if key not in allowed:
            problems.append(f"{where}: unknown key {key!r} (allowed: {', '.join(sorted(allowed))})")
    for key in sorted(required - set(table)):
        problems.append(f"{where}: missing required key {key!r}")


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _parse_scoring(raw: Any, problems: list[str]) -> Scoring:
    if not isinstance(raw, dict):
        problems.append("scoring: must be a table")
        return Scoring()
    defaults = Scoring()
    names = set(Scoring.__dataclass_fields__)
    _check_keys(raw, names, set(), "scoring", problems)
    # (low, high, low inclusive) per parameter
    bounds: dict[str, tuple[float, float, bool]] = {
        "saturation": (0.0, 10.0, False),
        "headline_weight": (0.0, 10.0, True),
        "lead_weight": (0.0, 10.0, True),
        "body_weight": (0.0, 10.0, True),
        "body_decay": (0.0, 10.0, True),
        "body_floor": (0.0, 10.0, True),
        "repeat_decay": (0.0, 1.0, True),
        "length_ref": (1.0, 1e7, True),
        "length_exponent": (0.0, 2.0, True),
        "unconfirmed": (0.0, 1.0, True),
        "primary_headline": (0.0, 100.0, False),
        "secondary_discount": (0.0, 1.0, True),
        "evidence_cap": (1, 1000, True),
        "evidence_cap_unlabelled": (0, 1000, True),
    }
    values: dict[str, Any] = {}
    for name in names:
        if name not in raw:
            values[name] = getattr(defaults, name)
            continue
        value = raw[name]
        low, high, low_inclusive = bounds[name]
        if name.startswith("evidence_cap"):
            ok = isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
        else:
            ok = _number(value) and (value >= low if low_inclusive else value > low) and value <= high
        if not ok:
            problems.append(f"scoring.{name}: {value!r} out of range ({'[' if low_inclusive else '('}{low}, {high}])")
            values[name] = getattr(defaults, name)
        else:
            values[name] = int(value) if name.startswith("evidence_cap") else float(value)
    return Scoring(**values)


def _parse_lists(raw: Any, where: str, problems: list[str]) -> tuple[tuple[str, str], ...]:
    """A table of per-language pattern lists -> (language, pattern) pairs, patterns checked."""
    if not isinstance(raw, dict):
        problems.append(f"{where}: must be a table of pattern lists ({', '.join(LIST_KEYS)})")
        return ()
    out: list[tuple[str, str]] = []
    for key, patterns in raw.items():
        if key not in LIST_KEYS:
            continue  # reported by the caller's key check
        if not isinstance(patterns, list):
            problems.append(f"{where}.{key}: must be a list of strings")
            continue
        for pattern in patterns:
            if not isinstance(pattern, str):
                problems.append(f"{where}.{key}: {pattern!r} is not a string")
                continue
            try:
                parse_pattern(pattern, None)
            except ValueError:
                problems.append(f"{where}.{key}: empty pattern {pattern!r}")
                continue
            if "*" in pattern.strip("*"):
                problems.append(f"{where}.{key}: {pattern!r} has '*' inside; only edges may be open")
                continue
            out.append((key, pattern))
    if where == "blockers":
        _check_keys(raw, set(LIST_KEYS), set(), where, problems)
    return tuple(out)


def _weight(value: Any, where: str, problems: list[str]) -> float:
    low, high = WEIGHT_RANGE
    if not _number(value) or not low < value <= high:
        problems.append(f"{where}: weight {value!r} out of range ({low}, {high}]")
        return 1.0
    return float(value)


def _parse_topic(raw: Any, index: int, problems: list[str]) -> TopicDef | None:
    where = f"topics[{index}]"
    if not isinstance(raw, dict):
        problems.append(f"{where}: must be a table")
        return None
    topic_id = raw.get("id")
    if isinstance(topic_id, str):
        where = f"topic {topic_id!r}"
    _check_keys(
        raw,
        {"id", "labels", "description", "iptc", "cameo", "threshold", "cues", "contexts"},
        {"id", "labels", "iptc", "cameo", "threshold", "cues"},
        where,
        problems,
    )
    ok = True
    if "id" in raw and (not isinstance(topic_id, str) or not _TOPIC_ID.match(topic_id)):
        problems.append(f"{where}: id {topic_id!r} must be lower-case letters, digits and '_'")
        ok = False
    labels = raw.get("labels", {})
    if not isinstance(labels, dict):
        problems.append(f"{where}: labels must be a table of language -> label")
        labels = {}
    elif "labels" in raw:
        for lang in LANGUAGES:
            if not isinstance(labels.get(lang), str) or not labels[lang].strip():
                problems.append(f"{where}: labels.{lang} missing or empty")
        for lang, label in labels.items():
            if lang not in LANGUAGES:
                problems.append(f"{where}: labels has unknown language {lang!r}")
            elif not isinstance(label, str):
                problems.append(f"{where}: labels.{lang} must be a string")
    iptc, cameo = raw.get("iptc", ""), raw.get("cameo", "")
    if "iptc" in raw and (not isinstance(iptc, str) or not _IPTC.match(iptc)):
        problems.append(f"{where}: iptc {iptc!r} must look like 'medtop:20000639'")
    if "cameo" in raw and (not isinstance(cameo, str) or not _CAMEO.match(cameo)):
        problems.append(f"{where}: cameo {cameo!r} must be a 2-4 digit CAMEO code as a string")
    threshold = raw.get("threshold", 0.5)
    if "threshold" in raw and (not _number(threshold) or not 0.0 <= threshold <= 1.0):
        problems.append(f"{where}: threshold {threshold!r} out of range [0, 1]")
        threshold = 0.5
    description = raw.get("description", "")
    if not isinstance(description, str):
        problems.append(f"{where}: description must be a string")
        description = ""

    cues = _parse_cues(raw.get("cues", []), where, problems)
    contexts = _parse_contexts(raw.get("contexts", []), where, problems)
    _check_conflicts(cues, contexts, where, problems)
    if not ok:
        return None
    return TopicDef(
        id=str(topic_id),
        labels={k: v for k, v in labels.items() if isinstance(v, str)},
        iptc=str(iptc),
        cameo=str(cameo),
        threshold=float(threshold),
        cues=cues,
        contexts=contexts,
        description=description,
    )


def _parse_cues(raw: Any, where: str, problems: list[str]) -> tuple[Cue, ...]:
    if not isinstance(raw, list) or not raw:
        problems.append(f"{where}: cues must be a non-empty array of tables ([[topics.cues]])")
        return ()
    cues: list[Cue] = []
    for index, group in enumerate(raw):
        gwhere = f"{where} cues[{index}]"
        if not isinstance(group, dict):
            problems.append(f"{gwhere}: must be a table")
            continue
        _check_keys(group, {"weight", "sense", *LIST_KEYS}, {"weight"}, gwhere, problems)
        weight = _weight(group.get("weight", 1.0), gwhere, problems)
        sense = group.get("sense")
        if sense is not None and (not isinstance(sense, str) or not sense.strip()):
            problems.append(f"{gwhere}: sense must be a non-empty string")
            sense = None
        pairs = _parse_lists({k: v for k, v in group.items() if k in LIST_KEYS}, gwhere, problems)
        if not pairs and not any(k in group for k in LIST_KEYS):
            problems.append(f"{gwhere}: no patterns (give de, en or any)")
        cues.extend(Cue(pattern, weight, lang, sense) for lang, pattern in pairs)
    return tuple(cues)


def _parse_contexts(raw: Any, where: str, problems: list[str]) -> tuple[Context, ...]:
    if not isinstance(raw, list):
        problems.append(f"{where}: contexts must be an array of tables ([[topics.contexts]])")
        return ()
    contexts: list[Context] = []
    seen: set[str] = set()
    for index, table in enumerate(raw):
        cwhere = f"{where} contexts[{index}]"
        if not isinstance(table, dict):
            problems.append(f"{cwhere}: must be a table")
            continue
        cid = table.get("id")
        if isinstance(cid, str):
            cwhere = f"{where} context {cid!r}"
        _check_keys(
            table, {"id", "effect", "senses", "weight", "min", *LIST_KEYS}, {"id", "effect", "senses"}, cwhere, problems
        )
        if "id" in table and (not isinstance(cid, str) or not cid.strip()):
            problems.append(f"{cwhere}: id must be a non-empty string")
        elif isinstance(cid, str) and f"{cid}/{table.get('effect')}" in seen:
            problems.append(f"{cwhere}: duplicate context id")
        seen.add(f"{cid}/{table.get('effect')}")
        effect = table.get("effect")
        if "effect" in table and effect not in EFFECTS:
            problems.append(f"{cwhere}: effect {effect!r} must be one of {', '.join(EFFECTS)}")
        senses = table.get("senses", [])
        if not isinstance(senses, list) or not senses or not all(isinstance(s, str) and s for s in senses):
            if "senses" in table:
                problems.append(f"{cwhere}: senses must be a non-empty list of sense names")
            senses = []
        weight = _weight(table.get("weight", 1.0), cwhere, problems)
        min_strength = table.get("min", 1.0)
        if not _number(min_strength) or not 0.0 < min_strength <= 100.0:
            problems.append(f"{cwhere}: min {min_strength!r} out of range (0, 100]")
            min_strength = 1.0
        pairs = _parse_lists({k: v for k, v in table.items() if k in LIST_KEYS}, cwhere, problems)
        if not pairs:
            problems.append(f"{cwhere}: no patterns (give de, en or any)")
        contexts.append(
            Context(
                id=str(cid),
                effect=str(effect),
                senses=tuple(senses),
                patterns=pairs,
                weight=weight,
                min_strength=float(min_strength),
            )
        )
    return tuple(contexts)


def _norm(pattern: str) -> str:
    return fold_case(pattern.strip())


def _check_conflicts(cues: tuple[Cue, ...], contexts: tuple[Context, ...], where: str, problems: list[str]) -> None:
    """Duplicate cues, cues that a context of the same topic would cancel, unknown senses."""
    seen: dict[str, Cue] = {}
    by_language: set[tuple[str, str]] = set()
    for cue in cues:
        key = _norm(cue.pattern)
        first = seen.get(key)
        clash = (key, cue.language) in by_language or (first is not None and "any" in (first.language, cue.language))
        if first is not None and (first.weight != cue.weight or first.sense != cue.sense):
            problems.append(
                f"{where}: cue {cue.pattern!r} conflicts with itself "
                f"(weight {first.weight}, sense {first.sense} vs weight {cue.weight}, sense {cue.sense})"
            )
        elif clash:
            problems.append(f"{where}: duplicate cue {cue.pattern!r}")
        seen.setdefault(key, cue)
        by_language.add((key, cue.language))
    senses = {c.sense for c in cues if c.sense}
    for context in contexts:
        names: set[tuple[str, str]] = set()
        for lang, pattern in context.patterns:
            key = _norm(pattern)
            if (key, lang) in names or (key, "any") in names or (lang == "any" and any(k == key for k, _ in names)):
                problems.append(f"{where} context {context.id!r}: duplicate pattern {pattern!r}")
            names.add((key, lang))
            if context.effect == "cancel" and key in seen:
                problems.append(
                    f"{where}: {pattern!r} is both a cue and a canceller (context {context.id!r}) of this topic"
                )
        for sense in context.senses:
            if sense != "*" and sense not in senses:
                problems.append(f"{where} context {context.id!r}: sense {sense!r} is used by no cue of this topic")
    # a pattern that both confirms and cancels the same sense cannot mean anything
    for a in contexts:
        for b in contexts:
            if a.effect != "confirm" or b.effect != "cancel" or not set(a.senses) & set(b.senses):
                continue
            both = {_norm(p) for _, p in a.patterns} & {_norm(p) for _, p in b.patterns}
            for pattern in sorted(both):
                problems.append(f"{where}: {pattern!r} both confirms ({a.id!r}) and cancels ({b.id!r}) a sense")


# ----------------------------------------------------------------------------------------------
# compilation


def _compile(taxonomy: Taxonomy) -> _Compiled:
    """Every cue, context pattern and blocker of every topic in one automaton per language, as tables
    for the native classifier.

    Patterns that are spelled alike (after case folding, same edges) share one entry whose payload
    lists all their roles, so a word that is a cue of one topic and context of another is found once.
    """
    roles: list[tuple[str, str, _Role]] = []  # (language, spec, role)
    cue_keys: dict[tuple[int, str], int] = {}
    context_keys: dict[tuple[int, str], int] = {}  # (context number, pattern) -> context pattern number
    senses_of: list[tuple[str, ...]] = []
    topic_specs: list[_native.TopicSpec] = []
    first_slot = 0
    for ti, topic in enumerate(taxonomy.topics):
        senses = sorted({c.sense for c in topic.cues if c.sense} | {s for c in topic.contexts for s in c.senses})
        index = {name: i for i, name in enumerate(senses)}
        for cue in topic.cues:
            key = cue_keys.setdefault((ti, _norm(cue.pattern)), len(cue_keys))
            sense = index[cue.sense] if cue.sense else -1
            role = _role(_CUE, ti, -1, key, cue.weight, sense, cue.pattern)
            roles.append((cue.language, cue.pattern, role))
        for ci, context in enumerate(topic.contexts):
            for lang, pattern in context.patterns:
                key = context_keys.setdefault((first_slot + ci, _norm(pattern)), len(context_keys))
                roles.append((lang, pattern, _role(_CONTEXT, ti, ci, key, context.weight, -1, pattern)))
        senses_of.append(tuple(senses))
        topic_specs.append(
            (
                len(senses),
                index.get("*"),
                [
                    (c.effect == "cancel", [index[s] for s in c.senses], c.weight, c.min_strength)
                    for c in topic.contexts
                ],
                first_slot,
                topic.threshold,
                topic.id,
                topic.iptc,
                topic.cameo,
                TopicScore(topic.id, 0.0, topic.threshold <= 0.0, (), topic.iptc, topic.cameo),  # nothing counted
            )
        )
        first_slot += len(topic.contexts)
    for lang, pattern in taxonomy.blockers:
        roles.append((lang, pattern, _role(_BLOCKER, -1, -1, -1, 0.0, -1, pattern)))

    cue_roles: dict[_CueRole, int] = {}  # each cue role once, numbered
    by_language: dict[str, tuple[Pattern[_Group], ...]] = {}
    specs: list[list[_native.PatternSpec]] = []
    for name, accept in (("de", {"de", "any"}), ("en", {"en", "any"}), ("any", set(LIST_KEYS))):
        grouped: dict[tuple[str, bool, bool], list[_Role]] = {}
        for lang, pattern, role in roles:
            if lang in accept:
                grouped.setdefault((fold_case(pattern.strip("*")), role[7], role[8]), []).append(role)
        patterns: list[Pattern[_Group]] = []
        spec: list[_native.PatternSpec] = []
        for (text, left, right), spec_roles in grouped.items():
            cues = tuple((r[1], r[3], r[4], r[5] + 1, r[6], r[7], r[8]) for r in spec_roles if r[0] == _CUE)
            blocker = any(r[0] == _BLOCKER for r in spec_roles)
            contexts = tuple(r[3] for r in spec_roles if r[0] == _CONTEXT)
            patterns.append(Pattern(text, (contexts, (cues, blocker) if cues or blocker else None), left, right))
            numbers = [cue_roles.setdefault(cue, len(cue_roles)) for cue in cues]
            spec.append((fold_case(text), left, right, list(contexts), numbers, blocker))
        by_language[name] = tuple(patterns)
        specs.append(spec)
    context_slots = tuple(slot for slot, _ in context_keys)
    native = _native.Classifier(
        _char_table(),
        specs,
        list(cue_roles),
        list(context_slots),
        topic_specs,
        taxonomy.scoring,
        _slots(TopicScore),
        _slots(Evidence),
    )
    return _Compiled(
        native,
        by_language,
        context_slots,
        tuple(senses_of),
        tuple(tuple(f"{c.id}/{c.effect}" for c in topic.contexts) for topic in taxonomy.topics),
    )


def _role(kind: int, topic: int, slot: int, key: int, weight: float, sense: int, pattern: str) -> _Role:
    parsed = parse_pattern(pattern, None)
    return (kind, topic, slot, key, weight, sense, pattern, parsed.open_left, parsed.open_right)


@functools.cache
def _char_table() -> _native.CharTable:
    """Python's ``str.isalnum()`` and ``str.lower()`` for every code point, for the native classifier:
    it decides word edges and case as this interpreter does (Rust's own Unicode tables follow another
    Unicode version and call other characters alphanumeric). Built once per process (~40 ms)."""
    everything = array.array("I", range(sys.maxunicode + 1)).tobytes().decode(_UTF32, "surrogatepass")
    alnum = [match.span() for match in _ALNUM_RUN.finditer(everything)]
    lower: list[tuple[int, int]] = []
    for start in range(0, len(everything), 512):  # few blocks have cased characters: skip the others whole
        block = everything[start : start + 512]
        if block.lower() != block:
            for i, char in enumerate(block):
                low = char.lower()
                if len(low) == 1 and low != char:
                    lower.append((start + i, ord(low)))
    return _native.CharTable(alnum, lower)


_UTF32 = "utf-32-le" if sys.byteorder == "little" else "utf-32-be"
_ALNUM_RUN = re.compile(r"[^\W_]+")  # a run of characters for which str.isalnum() holds (a test checks every one)


def _slots(cls: type[Any]) -> tuple[type[Any], list[Any]]:
    """A result class and the member descriptors of its fields, in field order: the native classifier
    makes instances with ``object.__new__`` and fills them through these (a frozen dataclass's
    ``__init__`` sets each field through ``object.__setattr__``, several times slower). Only right for
    a frozen slots dataclass without ``__post_init__``; anything else is refused here."""
    descriptors = [vars(cls).get(f.name) for f in dataclasses.fields(cls)]
    if hasattr(cls, "__post_init__") or not all(isinstance(d, types.MemberDescriptorType) for d in descriptors):
        raise TypeError(f"{cls.__name__} must be a slots dataclass without __post_init__")
    return cls, descriptors


# ----------------------------------------------------------------------------------------------
# scoring: one pass of the native classifier over headline and body (see streams/native/src/classify.rs)
#
# It searches "\n" + headline + "\n" + body + "\n" (body: the paragraphs joined by a blank line) in a
# canonical form with one byte per character (letters and digits lower-cased, all else a space), with
# word edges inside the automaton, and counts a match only inside one field. Every match weighs by
# where it stands (headline, lead and subheads most; the decay of later paragraphs restarts at a
# subhead), repeats of a cue count less and less, long bodies are scaled down, contexts set the factor
# of each sense, blockers drop the cues that start inside them, a topic the headline is clearly about
# makes the others secondary, and the evidence saturates into the score.


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a topic scored as it did: context strengths and the factor each sense got."""

    topic: str
    evidence: float  # after the secondary discount
    primary: bool  # the headline is clearly about this topic
    contexts: dict[str, float]  # "id/effect" -> strength
    senses: dict[str, float]  # sense -> factor applied


def _language_key(language: str | None) -> str:
    if not language:
        return "any"
    short = language.strip().lower()[:2]
    return short if short in LANGUAGES else "any"


_LANGUAGE_INDEX = {key: i for i, key in enumerate(LIST_KEYS)}  # the native classifier's order
_PLAIN_LANGUAGES: dict[str | None, int] = {"de": 0, "en": 1, None: 2, "": 2}  # the usual values, looked up


def _language_index(language: str | None) -> int:
    index = _PLAIN_LANGUAGES.get(language)
    return _LANGUAGE_INDEX[_language_key(language)] if index is None else index


def classify(item: WireItem, taxonomy: Taxonomy) -> tuple[TopicScore, ...]:
    """One TopicScore per topic, in taxonomy order; ``labelled`` when the score reaches the threshold."""
    return taxonomy._compiled.native.classify(
        _language_index(item.language), item.headline or "", item.paragraphs, item.subheads
    )


def explain(item: WireItem, taxonomy: Taxonomy) -> list[Explanation]:
    """The context and sense decisions behind ``classify``, for the eval report and tuning."""
    compiled = taxonomy._compiled
    found = compiled.native.explain(_language_index(item.language), item.headline or "", item.paragraphs, item.subheads)
    return [
        Explanation(
            topic.id,
            total,
            primary,
            {labels[index]: strength for index, strength in strengths},
            dict(zip(senses, factors, strict=True)),
        )
        for topic, labels, senses, (total, primary, strengths, factors) in zip(
            taxonomy.topics, compiled.context_labels, compiled.senses, found, strict=True
        )
    ]
