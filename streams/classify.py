"""Topic classification: the taxonomy as validated data, and the scoring of one WireItem.

The taxonomy (``streams/data/taxonomy.toml``) holds every cue so editors can tune desks without
code changes. Scoring runs one Aho-Corasick pass over headline and body for the cues of all
topics (word edges inside the automaton, see ``_WordSearch``), weighs each match by where it
stands (headline and lead count more than the tail of a long body), dampens repeats and long
bodies so length alone never wins, lets context cues confirm or cancel ambiguous senses
("Angriff" next to "Tor" and "Liga" is football), and saturates the evidence into a calibrated
0..1 score that is compared with a per-topic threshold from the data file.
"""

from __future__ import annotations

import codecs
import dataclasses
import math
import re
import tomllib
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, chain, pairwise, repeat
from operator import add, itemgetter
from pathlib import Path
from typing import Any, TypeVar

from streams.matching import (
    Pattern,
    PatternMatcher,
    _latin1_searcher,
    find_split,
    fold_case,
    parse_pattern,
)
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


@dataclass(frozen=True, slots=True)
class _TopicPlan:
    senses: tuple[str, ...]  # sense names; a cue's sense index points here
    star: int  # index of the sense "*" (governs every cue), -1 if no context uses it
    # per context: (id/effect label, is_cancel, sense indices, weight, min strength)
    contexts: tuple[tuple[str, bool, tuple[int, ...], float, float], ...]
    first_slot: int = 0  # the number of the topic's first context among all topics' contexts


# A cue as the scoring loop reads it: (topic, key, weight, sense + 1 (0: none), pattern, open left,
# open right). ``key`` tells repeats of the same cue apart and is unique across topics.
_CueRole = tuple[int, int, float, int, str, bool, bool]

# What one matched spelling means: the context patterns it stands for (numbered across all topics'
# contexts, one number per distinct pattern of a context), and None or its cues and whether it is
# a blocker (the part whose order matters). Split up front so the hot loop does no dispatch; the
# matcher hands this out as the payload.
_Item = tuple[tuple[_CueRole, ...], bool]
_Group = tuple[tuple[int, ...], _Item | None]

# A cue or blocker found, as the scoring loop reads it: (start, -end, pattern number, cues, blocker).
# Sorted, that is text order with the longer first at one start (and pattern order for one spelling).
_Ranked = tuple[int, int, int, tuple[_CueRole, ...], bool]


@dataclass(frozen=True)
class _Compiled:
    # per language key ("de", "en", "any"): the matcher whose payloads say what a spelling means
    matchers: dict[str, PatternMatcher[_Group]]
    plans: tuple[_TopicPlan, ...]
    context_slots: tuple[int, ...]  # per context pattern number: the number of its context
    plain_weights: tuple[float, ...]  # paragraph weights of a body without subheads
    joinable: bool = True  # no pattern holds a line break, so headline and body can be searched as one text
    # per language key: the same patterns as ``matchers`` with word edges in the automaton (the fast
    # path), or None where a pattern cannot be searched that way (then ``matchers`` does the work)
    words: dict[str, _WordSearch] | None = None
    # memos of pure functions of the item's shape (bounded, see ``_MEMO_LIMIT``): paragraph weights
    # by subhead layout, and per topic its factor table by the counts of its contexts
    layouts: dict[tuple[bool, ...], tuple[Sequence[float], Sequence[bool]]] = field(
        default_factory=dict, compare=False, repr=False
    )
    factor_memos: tuple[dict[tuple[int, ...], list[float]], ...] = field(default=(), compare=False, repr=False)
    topic_codes: tuple[tuple[str, float, str, str], ...] = ()  # per topic: id, threshold, IPTC and CAMEO codes
    unscored: tuple[TopicScore, ...] = ()  # per topic: its score when nothing counted (0.0)


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
    """Every cue, context pattern and blocker of every topic in one matcher per language.

    Patterns that are spelled alike (after case folding, same edges) share one matcher entry whose
    payload lists all their roles, so a word that is a cue of one topic and context of another is
    found once.
    """
    roles: list[tuple[str, str, _Role]] = []  # (language, spec, role)
    plans: list[_TopicPlan] = []
    cue_keys: dict[tuple[int, str], int] = {}
    context_keys: dict[tuple[int, str], int] = {}  # (context number, pattern) -> context pattern number
    for ti, topic in enumerate(taxonomy.topics):
        senses = sorted({c.sense for c in topic.cues if c.sense} | {s for c in topic.contexts for s in c.senses})
        index = {name: i for i, name in enumerate(senses)}
        for cue in topic.cues:
            key = cue_keys.setdefault((ti, _norm(cue.pattern)), len(cue_keys))
            sense = index[cue.sense] if cue.sense else -1
            role = _role(_CUE, ti, -1, key, cue.weight, sense, cue.pattern)
            roles.append((cue.language, cue.pattern, role))
        first_slot = sum(len(plan.contexts) for plan in plans)
        for ci, context in enumerate(topic.contexts):
            for lang, pattern in context.patterns:
                key = context_keys.setdefault((first_slot + ci, _norm(pattern)), len(context_keys))
                roles.append((lang, pattern, _role(_CONTEXT, ti, ci, key, context.weight, -1, pattern)))
        plans.append(
            _TopicPlan(
                senses=tuple(senses),
                star=index.get("*", -1),
                contexts=tuple(
                    (
                        f"{c.id}/{c.effect}",
                        c.effect == "cancel",
                        tuple(index[s] for s in c.senses),
                        c.weight,
                        c.min_strength,
                    )
                    for c in topic.contexts
                ),
                first_slot=first_slot,
            )
        )
    for lang, pattern in taxonomy.blockers:
        roles.append((lang, pattern, _role(_BLOCKER, -1, -1, -1, 0.0, -1, pattern)))

    matchers: dict[str, PatternMatcher[_Group]] = {}
    by_language: dict[str, list[Pattern[_Group]]] = {}
    for name, accept in (("de", {"de", "any"}), ("en", {"en", "any"}), ("any", set(LIST_KEYS))):
        grouped: dict[tuple[str, bool, bool], list[_Role]] = {}
        for lang, pattern, role in roles:
            if lang in accept:
                grouped.setdefault((fold_case(pattern.strip("*")), role[7], role[8]), []).append(role)
        patterns: list[Pattern[_Group]] = []
        for (text, left, right), spec_roles in grouped.items():
            cues = tuple((r[1], r[3], r[4], r[5] + 1, r[6], r[7], r[8]) for r in spec_roles if r[0] == _CUE)
            blocker = any(r[0] == _BLOCKER for r in spec_roles)
            contexts = tuple(r[3] for r in spec_roles if r[0] == _CONTEXT)
            patterns.append(Pattern(text, (contexts, (cues, blocker) if cues or blocker else None), left, right))
        matchers[name] = PatternMatcher(patterns)
        by_language[name] = patterns
    joinable = not any("\n" in pattern for _, pattern, _ in roles)
    context_slots = tuple(slot for slot, _ in context_keys)
    words: dict[str, _WordSearch] | None = None
    if joinable:
        try:
            words = {name: _WordSearch(patterns, context_slots) for name, patterns in by_language.items()}
        except ValueError:
            words = None
    plain = _paragraph_weights(("",) * _PLAIN_PARAGRAPHS, ("-",), taxonomy.scoring, ())[0]
    return _Compiled(
        matchers,
        tuple(plans),
        context_slots,
        tuple(plain),
        joinable,
        words,
        factor_memos=tuple({} for _ in plans),
        topic_codes=tuple((t.id, t.threshold, t.iptc, t.cameo) for t in taxonomy.topics),
        unscored=tuple(TopicScore(t.id, 0.0, t.threshold <= 0.0, (), t.iptc, t.cameo) for t in taxonomy.topics),
    )


def _role(kind: int, topic: int, slot: int, key: int, weight: float, sense: int, pattern: str) -> _Role:
    parsed = parse_pattern(pattern, None)
    return (kind, topic, slot, key, weight, sense, pattern, parsed.open_left, parsed.open_right)


# ----------------------------------------------------------------------------------------------
# the word search: word edges inside the automaton


def _byte_tables() -> tuple[bytes, bytes]:
    """Per Latin-1 byte: its lower case (``fold_case`` on one character), and the canonical form the
    word search runs on (the lower case for a letter or digit, a space for anything else)."""
    fold = bytearray()
    canonical = bytearray()
    for code in range(256):
        char = chr(code)
        lower = char.lower()
        assert len(lower) == 1 and ord(lower) < 256  # true for every Latin-1 character
        fold.append(ord(lower))
        canonical.append(ord(lower) if char.isalnum() else 0x20)
    return bytes(fold), bytes(canonical)


_FOLD, _CANONICAL = _byte_tables()
_WORD_ERRORS = "newswire-word-search"
_OUTSIDE_ALNUM = "\xaa"  # ª: stands for a letter or digit outside Latin-1 (no key may hold it)
_OUTSIDE_OTHER = "?"  # stands for any other character outside Latin-1 (no key may hold it)


def _outside_latin1(error: UnicodeError) -> tuple[str, int]:
    """Encoding error handler: a character outside Latin-1 becomes its lower case where that is one
    Latin-1 character (as ``fold_case`` finds "Ÿ" as "ÿ"), else ª for a letter or digit and ? for the
    rest, so one byte per character still tells edges (letter or not) and matches apart as on the str.
    Called once per run of such characters; runs repeat (typographic quotes and dashes), so the
    replacement of each run is remembered."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    run = error.object[error.start : error.end]
    replacement = _REPLACEMENTS.get(run)
    if replacement is None:
        out = []
        for char in run:
            lower = char.lower()
            if len(lower) == 1 and lower <= "\xff":
                out.append(lower)
            else:
                out.append(_OUTSIDE_ALNUM if char.isalnum() else _OUTSIDE_OTHER)
        replacement = "".join(out)
        if len(run) <= 8:  # short runs recur; long ones (a Cyrillic paragraph) would only fill the memo
            _remember(_REPLACEMENTS, run, replacement)
    return replacement, error.end


_REPLACEMENTS: dict[str, str] = {}
codecs.register_error(_WORD_ERRORS, _outside_latin1)

# One pattern behind a key of the word search: (left edge width, right edge width, the folded spelling
# where the hit must be compared with the text or None, pattern number, context slots, item or None).
_Entry = tuple[int, int, bytes | None, int, tuple[int, ...], _Item | None]
_FIRST = itemgetter(0)


class _WordSearch:
    """The classifier's matcher: ``find_split`` with the word edges inside the automaton.

    ``PatternMatcher`` finds every occurrence of a spelling and then tests its edges in Python: a fifth
    of the hits fail there, and every hit costs a turn of a Python loop. Here the text is searched in a
    canonical form (letters and digits lower-cased, every other character a space) and a closed edge is
    part of the key (" nato " for "Nato"), so a hit already stands at word edges. Contexts are counted
    without a loop: each context pattern has one key, so the distinct keys found name the distinct
    patterns, and each key holds the context slots its pattern counts for. Only cues and blockers are
    turned into tuples. A spelling that holds anything but letters and digits ("attacks on",
    "US-Waffen") is compared with the folded text at its hits, since the canonical form cannot tell a
    space from a hyphen. A test checks that the results equal ``find_split``'s. The automaton is
    ``matching``'s Latin-1 searcher, so the choice of implementation (contiguous NFA) stays in one place.
    """

    def __init__(self, patterns: Sequence[Pattern[_Group]], context_slots: Sequence[int]) -> None:
        """Raises ValueError where a pattern cannot be searched this way (outside Latin-1, or holding
        a character the canonical form or the encoding uses as a marker, or a context pattern that two
        spellings stand for); ``find_split`` then serves."""
        entries: dict[bytes, list[_Entry]] = {}
        owners: dict[int, int] = {}  # context number -> the pattern that stands for it
        shared: dict[tuple[int, ...], tuple[int, ...]] = {}  # one tuple per distinct slot list: less memory
        for number, pattern in enumerate(patterns):
            try:
                spelling = fold_case(pattern.text).encode("latin-1")
            except UnicodeEncodeError as exc:
                raise ValueError(f"pattern {pattern.text!r} is not Latin-1") from exc
            if b"?" in spelling or b"\xaa" in spelling or b"\n" in spelling:
                raise ValueError(f"pattern {pattern.text!r} holds a marker character")
            canonical = spelling.translate(_CANONICAL)
            left, right = int(not pattern.open_left), int(not pattern.open_right)
            key = b" " * left + canonical + b" " * right
            tags, item = pattern.payload
            for tag in tags:
                if owners.setdefault(tag, number) != number:
                    raise ValueError(f"context pattern {pattern.text!r} stands for a number another spelling has")
            slots = tuple(sorted(context_slots[tag] for tag in set(tags)))
            slots = shared.setdefault(slots, slots)
            exact = None if b" " not in canonical else spelling  # only letters and digits: the hit is the match
            entries.setdefault(key, []).append((left, right, exact, number, slots, item))
        keys = list(entries)
        search = _latin1_searcher([key.decode("latin-1") for key in keys])
        if search is None:
            raise ValueError("ahocorasick-rs is not installed")
        self._search = search
        groups = [entries[key] for key in keys]
        self._entries: tuple[tuple[_Entry, ...], ...] = tuple(tuple(group) for group in groups)
        # per key: the context slots of its pattern where it has one pattern and nothing to compare
        # (the others count theirs per entry, see ``find``); and what a hit means: None for a key with
        # contexts only, (left edge, right edge, pattern number, cues, blocker) for one with one pattern,
        # nothing to compare and an item, () for a key whose patterns are tested one by one
        simple = [len(group) == 1 and group[0][2] is None for group in groups]
        self._slots = tuple(group[0][4] if ok else () for group, ok in zip(groups, simple, strict=True))
        self._meaning: tuple[tuple[int, int, int, tuple[_CueRole, ...], bool] | tuple[()] | None, ...] = tuple(
            ((group[0][0], group[0][1], group[0][3], *item) if (item := group[0][5]) is not None else None)
            if ok
            else ()
            for group, ok in zip(groups, simple, strict=True)
        )

    def find(self, text: str) -> tuple[list[int], list[_Ranked], bytes]:
        """The context slots found (one per distinct context pattern found, unordered), every cue or
        blocker found in ``_Ranked`` order, and the canonical text searched (see ``_canonical``). ``text``
        must start and end with a line break (so every match has a character on both sides)."""
        data = text.encode("latin-1", _WORD_ERRORS)
        canonical = data.translate(_CANONICAL)
        hits = self._search(canonical, True)
        ranked: list[_Ranked] = []
        if not hits:
            return [], ranked, canonical
        slots = list(chain.from_iterable(map(self._slots.__getitem__, set(map(_FIRST, hits)))))
        meaning = self._meaning
        append = ranked.append
        folded: bytes | None = None
        tested: dict[int, tuple[int, ...]] | None = None  # pattern number -> slots, of tested patterns found
        for key, start, end in hits:  # a plain loop: cheaper than filtering the hits in C first
            entry = meaning[key]
            if entry:
                left, right, number, cues, blocker = entry
                append((start + left, right - end, number, cues, blocker))
                continue
            if entry is None:
                continue  # context-only, counted above
            for left, right, exact, number, found_slots, found in self._entries[key]:
                first, last = start + left, end - right
                if exact is not None:
                    if folded is None:
                        folded = data.translate(_FOLD)
                    if not folded.startswith(exact, first):  # the hit is as long as ``exact``
                        continue
                if found_slots:
                    if tested is None:
                        tested = {}
                    tested[number] = found_slots
                if found is not None:
                    append((first, -last, number, found[0], found[1]))
        if tested:
            slots.extend(chain.from_iterable(tested.values()))
        ranked.sort()
        return slots, ranked, canonical


def _canonical(text: str) -> bytes:
    """The form the word search runs on: one byte per character, letters and digits lower-cased and
    every other character a space (``_byte_tables``, ``_outside_latin1``). A byte is a space exactly
    where ``str.isalnum()`` is false (a test checks every code point), so words end at spaces."""
    return text.encode("latin-1", _WORD_ERRORS).translate(_CANONICAL)


# ----------------------------------------------------------------------------------------------
# scoring


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


def classify(item: WireItem, taxonomy: Taxonomy) -> tuple[TopicScore, ...]:
    """One TopicScore per topic, in taxonomy order; ``labelled`` when the score reaches the threshold."""
    return _score(item, taxonomy)[0]


def explain(item: WireItem, taxonomy: Taxonomy) -> list[Explanation]:
    """The context and sense decisions behind ``classify``, for the eval report and tuning."""
    return _score(item, taxonomy, explained=True)[1]


def _score(
    item: WireItem, taxonomy: Taxonomy, explained: bool = False
) -> tuple[tuple[TopicScore, ...], list[Explanation]]:
    compiled = taxonomy._compiled
    language = _language_key(item.language)
    matcher = compiled.matchers[language]
    scoring = taxonomy.scoring
    topics = taxonomy.topics
    n = len(topics)

    headline = item.headline or ""
    paragraphs = item.paragraphs
    body = "\n\n".join(paragraphs)

    # paragraph start offsets and the positional weight of each paragraph; the lead and subheads
    # weigh like a lead, and a subhead opens a new section, so the decay restarts there
    base = len(headline) + 2  # where the body starts in the text searched (break, headline, break, body, break)
    starts = list(accumulate(map(add, map(len, paragraphs), repeat(2)), initial=base))  # + 2: the blank line
    subheads = item.subheads
    para_weight: Sequence[float]
    is_subhead: Sequence[bool]
    if not subheads and len(paragraphs) <= _PLAIN_PARAGRAPHS:
        para_weight, is_subhead = compiled.plain_weights, _NO_SUBHEADS
    else:  # the weights depend on nothing but which paragraphs are subheads
        layout = tuple(map(set(subheads).__contains__, paragraphs))
        weighed = compiled.layouts.get(layout)
        if weighed is None:
            weighed = _paragraph_weights(paragraphs, subheads, scoring, compiled.plain_weights)
            _remember(compiled.layouts, layout, weighed)
        para_weight, is_subhead = weighed
    length_factor = 1.0
    if len(body) > scoring.length_ref:
        length_factor = (scoring.length_ref / len(body)) ** scoring.length_exponent

    # One pass over headline and body joined by a line break, with a line break before and after
    # (no pattern contains one, so no match spans both fields, and a break is a word edge like the end
    # of a field): cue hits per topic (longest wins where a topic's cues overlap, blockers drop the
    # cues they cover) and the distinct context patterns seen. Contexts count whatever their order, so
    # only cues and blockers are put in text order. Offsets are into this text until evidence is
    # reported; the headline starts at 1 and the body at ``base``.
    text = f"\n{headline}\n{body}\n"
    ranked: list[_Ranked]
    if compiled.words is not None:
        found_slots, ranked, canonical = compiled.words[language].find(text)
    else:  # the matcher and its edge tests; apart where a pattern holds a line break
        if compiled.joinable:
            context_seen, matches = find_split(matcher, text)
        else:
            context_seen, matches = find_split(matcher, headline)
            body_contexts, body_matches = find_split(matcher, body)
            context_seen |= body_contexts
            matches = [(s + 1, e + 1, r) for s, e, r in matches] + [(s + base, e + base, r) for s, e, r in body_matches]
        ranked = [(s, -e, 0, cues, blocker) for s, e, (cues, blocker) in matches]  # in order already
        canonical = _canonical(text)
        found_slots = list(map(compiled.context_slots.__getitem__, context_seen))

    # per distinct context pattern found, the context (numbered across topics) it counts for; sorted,
    # the contexts of one topic are a slice
    found_slots.sort()

    # cues in text order: chosen (per topic the longest of overlapping cues, none a blocker covers)
    # and weighed in the same pass. Per topic and sense, the factor its contexts give (slot 0: no
    # sense), worked out when the topic first scores. Evidence entries lead with the negated
    # contribution so a plain sort ranks them (strongest, then start, headline before body: unique
    # in a topic).
    repeat_decay = scoring.repeat_decay
    headline_weight = scoring.headline_weight
    unconfirmed = scoring.unconfirmed
    plans = compiled.plans
    factor_tables: list[list[float] | None] = [None] * n
    totals = [0.0] * n
    headline_totals = [0.0] * n
    raw_evidence: list[list[tuple[float, int, int, _CueRole]]] = [[] for _ in range(n)]
    seen_count: dict[int, int] = {}
    last_end = [-1] * n
    paragraph_end = base  # the paragraph of the last body cue: [.., paragraph_end), its weight and kind
    position_weight = 0.0
    heading = False
    if any(map(_BLOCKS, ranked)):  # few items hold a blocker: the loop below need not look for them
        ranked = _unblocked(ranked)
    for start, negated_end, _, cues, _ in ranked:
        end = -negated_end
        for cue in cues:
            owner, key, weight, sense, _, _, _ = cue
            if start < last_end[owner]:
                continue
            last_end[owner] = end
            table = factor_tables[owner]
            if table is None:
                table = factor_tables[owner] = _memo_factor_table(
                    plans[owner], found_slots, unconfirmed, compiled.factor_memos[owner]
                )
            factor = table[sense]
            repeats = seen_count.get(key, 0)
            seen_count[key] = repeats + 1
            if factor <= 0.0:
                continue
            if start < base:  # the headline
                contribution = weight * headline_weight * factor
                if repeats:
                    contribution *= repeat_decay**repeats
                headline_totals[owner] += contribution
            else:
                if start >= paragraph_end:  # cues come in text order: look the paragraph up when it changes
                    index = bisect_right(starts, start) - 1
                    paragraph_end = starts[index + 1]
                    position_weight = para_weight[index]
                    heading = is_subhead[index]
                contribution = weight * position_weight * length_factor * factor
                if repeats:
                    contribution *= repeat_decay**repeats
                if heading:
                    headline_totals[owner] += contribution
            totals[owner] += contribution
            raw_evidence[owner].append((-contribution, start, end, cue))

    # a topic the headline is clearly about makes the others secondary: their evidence is discounted,
    # less so the more of it stands in the headline or a subhead (roundups give each desk a section)
    primary_headline = scoring.primary_headline
    secondary_discount = scoring.secondary_discount
    saturation = scoring.saturation
    primary = [h >= primary_headline for h in headline_totals]
    any_primary = any(primary)
    cap_labelled, cap_unlabelled = scoring.evidence_cap, scoring.evidence_cap_unlabelled
    new_evidence = object.__new__
    set_cue, set_field, set_start, set_end, set_weight = _EVIDENCE_SLOTS
    scores: list[TopicScore] = []
    explanations: list[Explanation] = []
    for ti, found in enumerate(raw_evidence):
        total = totals[ti]
        if not found:  # nothing counted: total 0.0 and score 0.0, the same TopicScore every time
            scores.append(compiled.unscored[ti])
        else:
            if any_primary and not primary[ti]:
                share = headline_totals[ti] / primary_headline
                total *= secondary_discount + (1.0 - secondary_discount) * share
            topic_id, threshold, iptc, cameo = compiled.topic_codes[ti]
            score = 1.0 - math.exp(-saturation * total)
            labelled = score >= threshold
            found.sort()
            evidence = []
            for negated, start, end, cue in found[: cap_labelled if labelled else cap_unlabelled]:
                field_name, shift = ("headline", 1) if start < base else ("body", base)
                # open-edged cues report the whole word ("Drohnenangriffe", not "angriff"): it ends at a
                # space of the canonical text (the text's first and last character are spaces there)
                if cue[5]:
                    start = canonical.rfind(b" ", 0, start) + 1
                if cue[6]:
                    end = canonical.find(b" ", end)
                entry = new_evidence(Evidence)  # = Evidence(cue, field, start, end, weight), see _EVIDENCE_SLOTS
                set_cue(entry, cue[4])
                set_field(entry, field_name)
                set_start(entry, start - shift)
                set_end(entry, end - shift)
                set_weight(entry, int(-negated * 1000.0 + 0.5) / 1000.0)  # to 3 decimals
                evidence.append(entry)
            scores.append(TopicScore(topic_id, score, labelled, tuple(evidence), iptc, cameo))
        if explained:
            factors, strengths = _sense_factors(plans[ti], Counter(found_slots), unconfirmed, True)
            senses = dict(zip(plans[ti].senses, factors, strict=True))
            explanations.append(Explanation(topics[ti].id, total, primary[ti], strengths, senses))
    return tuple(scores), explanations


_BLOCKS = itemgetter(4)  # of a ranked entry: it is a blocker


def _unblocked(ranked: list[_Ranked]) -> list[_Ranked]:
    """The entries of ``ranked`` with cues that start outside every blocker before them: a blocker
    drops the cues that start inside it, for every topic."""
    kept = []
    blocked_until = -1
    for entry in ranked:
        start, negated_end, _, cues, blocker = entry
        if blocker and -negated_end > blocked_until:
            blocked_until = -negated_end
        if cues and start >= blocked_until:
            kept.append(entry)
    return kept


# Evidence is a frozen slots dataclass: its __init__ sets each field through object.__setattr__, which
# costs twice what setting the slots directly does, and the classifier builds ~9 per item. The setters
# of its slots in field order (cue, field, start, end, weight); a test checks that an object built this
# way equals the constructor's and that Evidence has no __post_init__ that this would skip.
_EVIDENCE_SLOTS: tuple[Callable[[Evidence, Any], None], ...] = tuple(
    getattr(Evidence, f.name).__set__ for f in dataclasses.fields(Evidence)
)


def _paragraph_weights(
    paragraphs: tuple[str, ...], subheads: tuple[str, ...], scoring: Scoring, plain: tuple[float, ...]
) -> tuple[Sequence[float], Sequence[bool]]:
    """Per paragraph, its positional weight and whether it is a subhead; ``plain`` has the weights of a
    body without subheads, worked out once (bodies longer than it are worked out here)."""
    if not subheads and len(paragraphs) <= len(plain):
        return plain, _NO_SUBHEADS
    subhead_set = set(subheads)
    lead_index = next((i for i, p in enumerate(paragraphs) if p not in subhead_set), 0)
    # each section (the lead's, then one per subhead) weighs like the plain body from its first
    # paragraph on: the weights are slices of ``plain``, worked out by the loop below only for
    # sections longer than it
    heads = [i for i in range(lead_index + 1, len(paragraphs)) if paragraphs[i] in subhead_set]
    bounds = [lead_index, *heads, len(paragraphs)]
    if all(b - a <= len(plain) for a, b in pairwise(bounds)):
        weights: list[float] = [scoring.lead_weight] * lead_index
        for a, b in pairwise(bounds):
            weights += plain[: b - a]
        flags = [False] * len(paragraphs)
        for i in heads:
            flags[i] = True
        return weights, flags
    para_weight: list[float] = []
    is_subhead: list[bool] = []
    anchor = lead_index
    for i, para in enumerate(paragraphs):
        heading = i > lead_index and para in subhead_set
        is_subhead.append(heading)
        if heading:
            anchor = i
        if i <= lead_index or heading:
            para_weight.append(scoring.lead_weight)
        else:
            decayed = scoring.body_weight / (1.0 + scoring.body_decay * (i - anchor - 1))
            para_weight.append(decayed if decayed > scoring.body_floor else scoring.body_floor)
    return para_weight, is_subhead


_PLAIN_PARAGRAPHS = 256  # bodies with up to this many paragraphs and no subheads use precomputed weights
_NO_SUBHEADS = (False,) * _PLAIN_PARAGRAPHS


_MEMO_LIMIT = 4096  # entries per memo; a full memo starts over (items of one shape come in runs)
_K = TypeVar("_K")
_V = TypeVar("_V")


def _remember(memo: dict[_K, _V], key: _K, value: _V) -> None:
    if len(memo) >= _MEMO_LIMIT:
        memo.clear()
    memo[key] = value


def _memo_factor_table(
    plan: _TopicPlan, found_slots: Sequence[int], unconfirmed: float, memo: dict[tuple[int, ...], list[float]]
) -> list[float]:
    """``_factor_table`` by the topic's contexts found (``found_slots`` sorted, one slot per distinct
    pattern found: the counts, spelled out): few combinations recur, and the lookup costs a third of
    the work."""
    first = bisect_left(found_slots, plan.first_slot)
    key = tuple(found_slots[first : bisect_left(found_slots, plan.first_slot + len(plan.contexts), first)])
    table = memo.get(key)
    if table is None:
        table = _factor_table(plan, Counter(key), unconfirmed)
        _remember(memo, key, table)
    return table


def _factor_table(plan: _TopicPlan, counts: Mapping[int, int], unconfirmed: float) -> list[float]:
    """What a cue of the topic counts for, by sense + 1: the star sense's factor (1.0 without one) for
    cues without a sense, times the sense's own factor for the others."""
    factors = _sense_factors(plan, counts, unconfirmed, False)[0]
    every = factors[plan.star] if plan.star >= 0 else 1.0
    return [every, *(every * factor for factor in factors)]


def _sense_factors(
    plan: _TopicPlan, counts: Mapping[int, int], unconfirmed: float, explained: bool
) -> tuple[list[float], dict[str, float]]:
    """Per sense: 1.0 when only confirmed, 0.0 when only cancelled, the confirming share when both, else
    ``unconfirmed`` (an ambiguous word with no context at all counts a little). The sense ``*`` governs
    every cue of the topic and defaults to 1.0."""
    size = len(plan.senses)
    confirm = [0.0] * size
    cancel = [0.0] * size
    strengths: dict[str, float] = {}
    for slot, (label, is_cancel, senses, weight, min_strength) in enumerate(plan.contexts, plan.first_slot):
        count = counts.get(slot)
        if not count:
            continue
        strength = weight * count
        if explained:
            strengths[label] = strength
        if strength < min_strength:
            continue
        target = cancel if is_cancel else confirm
        for sense in senses:
            if strength > target[sense]:
                target[sense] = strength
    factors = []
    for sense in range(size):
        confirmed, cancelled = confirm[sense], cancel[sense]
        if cancelled and confirmed:
            factors.append(confirmed / (confirmed + cancelled))  # both senses present: the stronger wins more
        elif cancelled:
            factors.append(0.0)
        elif confirmed or sense == plan.star:
            factors.append(1.0)
        else:
            factors.append(unconfirmed)
    return factors, strengths
