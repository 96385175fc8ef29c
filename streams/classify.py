"""Topic classification: the taxonomy as validated data, and the scoring of one WireItem.

The taxonomy (``streams/data/taxonomy.toml``) holds every cue so editors can tune desks without
code changes. Scoring runs one Aho-Corasick pass per field over the cues of all topics, weighs
each match by where it stands (headline and lead count more than the tail of a long body),
dampens repeats and long bodies so length alone never wins, lets context cues confirm or cancel
ambiguous senses ("Angriff" next to "Tor" and "Liga" is football), and saturates the evidence
into a calibrated 0..1 score that is compared with a per-topic threshold from the data file.
"""

from __future__ import annotations

import math
import re
import tomllib
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from streams.matching import PatternMatcher, fold_case, parse_pattern, word_end, word_start
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
    evidence_cap: int = 10


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


@dataclass(frozen=True, slots=True)
class _Entry:
    kind: int
    topic: int
    slot: int  # context index within the topic (contexts only)
    key: int  # distinct id of the pattern within its role, for repeats and context strength
    weight: float
    sense: str | None
    pattern: str


@dataclass(frozen=True)
class _Compiled:
    entries: tuple[_Entry, ...]
    matchers: dict[str, PatternMatcher[int]]  # "de", "en", "any"


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
        "evidence_cap": (1, 1000, True),
    }
    values: dict[str, Any] = {}
    for name in names:
        if name not in raw:
            values[name] = getattr(defaults, name)
            continue
        value = raw[name]
        low, high, low_inclusive = bounds[name]
        if name == "evidence_cap":
            ok = isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
        else:
            ok = _number(value) and (value >= low if low_inclusive else value > low) and value <= high
        if not ok:
            problems.append(f"scoring.{name}: {value!r} out of range ({'[' if low_inclusive else '('}{low}, {high}])")
            values[name] = getattr(defaults, name)
        else:
            values[name] = int(value) if name == "evidence_cap" else float(value)
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
            if sense not in senses:
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
    """Every cue, context pattern and blocker of every topic in one matcher per language."""
    entries: list[_Entry] = []
    langs: list[str] = []
    for ti, topic in enumerate(taxonomy.topics):
        cue_keys: dict[str, int] = {}
        for cue in topic.cues:
            key = cue_keys.setdefault(_norm(cue.pattern), len(cue_keys))
            entries.append(_Entry(_CUE, ti, -1, key, cue.weight, cue.sense, cue.pattern))
            langs.append(cue.language)
        for ci, context in enumerate(topic.contexts):
            ctx_keys: dict[str, int] = {}
            for lang, pattern in context.patterns:
                key = ctx_keys.setdefault(_norm(pattern), len(ctx_keys))
                entries.append(_Entry(_CONTEXT, ti, ci, key, context.weight, None, pattern))
                langs.append(lang)
    for lang, pattern in taxonomy.blockers:
        entries.append(_Entry(_BLOCKER, -1, -1, -1, 0.0, None, pattern))
        langs.append(lang)

    def build(accept: Iterable[str]) -> PatternMatcher[int]:
        wanted = set(accept)
        return PatternMatcher(parse_pattern(e.pattern, i) for i, e in enumerate(entries) if langs[i] in wanted)

    matchers = {"de": build(("de", "any")), "en": build(("en", "any")), "any": build(LIST_KEYS)}
    return _Compiled(tuple(entries), matchers)


# ----------------------------------------------------------------------------------------------
# scoring


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a topic scored as it did: context strengths and the factor each sense got."""

    topic: str
    evidence: float
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
    return _score(item, taxonomy)[1]


def _score(item: WireItem, taxonomy: Taxonomy) -> tuple[tuple[TopicScore, ...], list[Explanation]]:
    compiled = taxonomy._compiled
    entries = compiled.entries
    matcher = compiled.matchers[_language_key(item.language)]
    scoring = taxonomy.scoring
    topics = taxonomy.topics
    n = len(topics)

    headline = item.headline or ""
    paragraphs = item.paragraphs
    body = "\n\n".join(paragraphs)

    # paragraph start offsets and the positional weight of each paragraph
    starts: list[int] = []
    offset = 0
    for para in paragraphs:
        starts.append(offset)
        offset += len(para) + 2
    subheads = set(item.subheads)
    lead_index = next((i for i, p in enumerate(paragraphs) if p not in subheads), 0)
    para_weight: list[float] = []
    for i, para in enumerate(paragraphs):
        if i <= lead_index or para in subheads:
            para_weight.append(scoring.lead_weight)
        else:
            decayed = scoring.body_weight / (1.0 + scoring.body_decay * (i - lead_index - 1))
            para_weight.append(max(scoring.body_floor, decayed))
    length_factor = 1.0
    if len(body) > scoring.length_ref:
        length_factor = (scoring.length_ref / len(body)) ** scoring.length_exponent

    # cue hits per topic: (field, start, end, entry); context patterns seen per topic
    hits: list[list[tuple[int, int, int, _Entry]]] = [[] for _ in range(n)]
    context_seen: list[set[tuple[int, int]]] = [set() for _ in range(n)]
    for field_index, text in ((0, headline), (1, body)):
        if not text:
            continue
        found = matcher.find(text)
        if not found:
            continue
        blocked = [(m.start, m.end) for m in found if entries[m.payload].kind == _BLOCKER]
        last_end = [-1] * n  # per topic: keep the longest cue where cues overlap (found is start-sorted)
        for match in found:
            entry = entries[match.payload]
            if entry.kind == _CUE:
                if blocked and any(s < match.end and match.start < e for s, e in blocked):
                    continue
                if match.start < last_end[entry.topic]:
                    continue
                last_end[entry.topic] = match.end
                hits[entry.topic].append((field_index, match.start, match.end, entry))
            elif entry.kind == _CONTEXT:
                context_seen[entry.topic].add((entry.slot, entry.key))

    scores: list[TopicScore] = []
    explanations: list[Explanation] = []
    for ti, topic in enumerate(topics):
        factors, strengths = _sense_factors(topic, context_seen[ti], scoring.unconfirmed)
        seen_count: dict[int, int] = {}
        total = 0.0
        evidence: list[Evidence] = []
        for field_index, start, end, entry in hits[ti]:
            sense_factor = factors.get(entry.sense, scoring.unconfirmed) if entry.sense else 1.0
            repeats = seen_count.get(entry.key, 0)
            seen_count[entry.key] = repeats + 1
            if sense_factor <= 0.0:
                continue
            if field_index == 0:
                position = scoring.headline_weight
                text = headline
            else:
                position = para_weight[bisect_right(starts, start) - 1] * length_factor
                text = body
            contribution = entry.weight * position * sense_factor * scoring.repeat_decay**repeats
            if contribution <= 0.0:
                continue
            total += contribution
            evidence.append(
                Evidence(
                    cue=entry.pattern,
                    field="headline" if field_index == 0 else "body",
                    start=word_start(text, start),
                    end=word_end(text, end),
                    weight=round(contribution, 3),
                )
            )
        score = 1.0 - math.exp(-scoring.saturation * total)
        evidence.sort(key=lambda e: (-e.weight, e.field != "headline", e.start))
        scores.append(
            TopicScore(
                id=topic.id,
                score=score,
                labelled=score >= topic.threshold,
                evidence=tuple(evidence[: scoring.evidence_cap]),
                iptc=topic.iptc,
                cameo=topic.cameo,
            )
        )
        explanations.append(Explanation(topic.id, total, strengths, factors))
    return tuple(scores), explanations


def _sense_factors(
    topic: TopicDef, seen: set[tuple[int, int]], unconfirmed: float
) -> tuple[dict[str, float], dict[str, float]]:
    """Per sense: 1.0 when confirmed, 0.0 when a canceller outweighs every confirmer, else ``unconfirmed``."""
    strengths: dict[str, float] = {}
    confirm: dict[str, float] = {}
    cancel: dict[str, float] = {}
    if seen:
        counts: dict[int, int] = {}
        for slot, _ in seen:
            counts[slot] = counts.get(slot, 0) + 1
        for slot, count in counts.items():
            context = topic.contexts[slot]
            strength = context.weight * count
            strengths[f"{context.id}/{context.effect}"] = strength
            if strength < context.min_strength:
                continue
            target = confirm if context.effect == "confirm" else cancel
            for sense in context.senses:
                target[sense] = max(target.get(sense, 0.0), strength)
    factors: dict[str, float] = {}
    for sense in {c.sense for c in topic.cues if c.sense}:
        confirmed, cancelled = confirm.get(sense, 0.0), cancel.get(sense, 0.0)
        if cancelled > 0.0 and cancelled >= confirmed:
            factors[sense] = 0.0
        elif confirmed > 0.0:
            factors[sense] = 1.0
        else:
            factors[sense] = unconfirmed
    return factors, strengths
