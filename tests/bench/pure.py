"""Scenario 1: the pure pipeline (decode -> classify -> enrich -> route -> serialise) on one core.

Runs ``Pipeline.process`` over the whole corpus in input order with an in-process story memory
(the worker's semantics: one memory per story id, read before and written after each record),
timing every call. Per-stage time comes from ``Outcome.seconds``; "other" is what ``process``
spends outside the five timed stages (memory lookup, dead-letter records, bookkeeping).

The same pass yields the *plan*: for every input record, the records the worker must publish
(topic without namespace, key, value size, headers, record id). The end-to-end runs use it as
the expected output count, the passthrough baseline publishes exactly it, and the latency run
joins outputs back to inputs with it.
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import os
import pickle
import statistics
import time
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from streams.models import SourceMeta
from streams.pipeline import Pipeline, Resources, dead_letter_record
from streams.settings import Settings
from streams.stories import StoryMemory
from tests.bench.generator import GenItem

STAGES = ("decode", "classify", "enrich", "route", "serialise")
REF_BYTES = 3072  # "per 3 KB item" targets are normalised to this input size


@dataclass(slots=True)
class Out:
    topic: str  # without namespace
    key: bytes
    size: int
    headers: tuple[tuple[str, bytes], ...]


@dataclass
class Plan:
    """What the worker has to publish for each input record, by corpus index."""

    outputs: list[list[Out]]
    record_ids: list[list[str]]  # record ids of each input's outputs (dead letters: none)
    filler: bytes  # real output documents, concatenated: realistic bytes for the passthrough
    per_topic: dict[str, int] = field(default_factory=dict)

    def expected(self, upto: int | None = None) -> int:
        return sum(len(o) for o in self.outputs[:upto])

    def per_topic_upto(self, upto: int) -> dict[str, int]:
        counts: Counter[str] = Counter(o.topic for outs in self.outputs[:upto] for o in outs)
        return dict(counts)

    def topics(self) -> list[str]:
        return sorted({o.topic for outs in self.outputs for o in outs})


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def idlest_cpu() -> int | None:
    """The CPU other jobs use least right now (the machine may be shared)."""
    try:
        import psutil

        allowed = sorted(os.sched_getaffinity(0))
        busy = psutil.cpu_percent(interval=0.5, percpu=True)
        return min(allowed, key=lambda c: busy[c] if c < len(busy) else 100.0)
    except Exception:
        return None


def run(items: list[GenItem], settings: Settings | None = None, *, cpu: int | None = -1,
        warmup: int = 300) -> tuple[dict[str, Any], Plan]:
    """Time ``Pipeline.process`` over ``items`` pinned to one CPU (-1: the idlest); (figures, plan)."""
    settings = settings or Settings()
    load_started = time.perf_counter()
    resources = Resources.load(settings)
    load_seconds = time.perf_counter() - load_started
    pipeline = Pipeline(settings, resources)
    gc.freeze()  # as the worker does once loaded: the long-lived knowledge base stays out of collections
    pinned = None
    if cpu == -1:
        cpu = idlest_cpu()
    before: set[int] | None
    if cpu is not None and hasattr(os, "sched_setaffinity"):
        before = os.sched_getaffinity(0)
        try:
            os.sched_setaffinity(0, {cpu})
            pinned = cpu
        except OSError:
            before = None
    else:
        before = None
    try:
        # warm-up on a throwaway memory: first calls build caches, import lazily loaded parsers
        for item in items[:warmup]:
            pipeline.process(item.raw, SourceMeta("warmup", 0, item.index))
        figures, plan = _timed_pass(pipeline, settings, items)
    finally:
        if before is not None:
            os.sched_setaffinity(0, before)
    figures["resources_load_s"] = round(load_seconds, 3)
    figures["pinned_cpu"] = pinned
    figures["data_versions"] = resources.versions
    return figures, plan


def _timed_pass(pipeline: Pipeline, settings: Settings, items: list[GenItem]) -> tuple[dict[str, Any], Plan]:
    memory: dict[str, StoryMemory] = {}
    lookup = memory.get
    clock = time.perf_counter
    totals: list[float] = []
    stage_sum: dict[str, float] = defaultdict(float)
    stage_items: dict[str, list[float]] = defaultdict(list)  # per-item stage time, items that ran it
    by_format: dict[str, list[float]] = defaultdict(list)
    decode_by_format: dict[str, list[float]] = defaultdict(list)
    by_lang: dict[str, list[float]] = defaultdict(list)
    outcomes: Counter[str] = Counter()
    outputs: list[list[Out]] = []
    record_ids: list[list[str]] = []
    filler_parts: list[bytes] = []
    filler_size = 0
    in_bytes = 0
    wall_started = clock()
    cpu_started = time.process_time()
    for item in items:
        source = SourceMeta("bench", 0, item.index, None, item.key)
        started = clock()
        outcome = pipeline.process(item.raw, source, lookup)
        elapsed = clock() - started
        memory.update(outcome.memory)
        totals.append(elapsed)
        in_bytes += len(item.raw)
        by_format[item.fmt].append(elapsed)
        by_lang[item.lang].append(elapsed)
        for stage, seconds in outcome.seconds.items():
            stage_sum[stage] += seconds
            stage_items[stage].append(seconds)
        if "decode" in outcome.seconds:
            decode_by_format[item.fmt].append(outcome.seconds["decode"])
        records = list(outcome.records)
        if outcome.dead_letter is not None:
            records.append(dead_letter_record(outcome.dead_letter, settings.ns(settings.dlq_topic)))
            outcomes[f"dead-letter:{outcome.dead_letter.reason}"] += 1
        for result in outcome.items:
            outcomes[result.skipped or "published"] += 1
        outs = [Out(r.topic, r.key, len(r.value), r.headers) for r in records]
        outputs.append(outs)
        record_ids.append(sorted({dict(r.headers).get("newswire.record.id", b"").decode() for r in records} - {""}))
        if filler_size < 2_000_000:
            for r in records:
                if r.topic != settings.ns(settings.dlq_topic):
                    filler_parts.append(r.value)
                    filler_size += len(r.value)
    wall = clock() - wall_started
    cpu_seconds = time.process_time() - cpu_started

    n = len(items)
    busy = sum(totals)
    per_topic: Counter[str] = Counter(o.topic for outs in outputs for o in outs)
    mean_bytes = in_bytes / n if n else 0.0
    stages = {}
    for stage in STAGES:
        values = stage_items.get(stage, [])
        stages[stage] = {
            "us_per_item": round(stage_sum.get(stage, 0.0) / n * 1e6, 1),  # over all items
            "us_per_item_run": round(statistics.fmean(values) * 1e6, 1) if values else 0.0,  # items that ran it
            "p99_us": round(_percentile(values, 0.99) * 1e6, 1),
            "us_per_3kb": round(stage_sum.get(stage, 0.0) / n * 1e6 * REF_BYTES / mean_bytes, 1) if mean_bytes else 0.0,
        }
    other = busy - sum(stage_sum.values())
    stages["other"] = {"us_per_item": round(other / n * 1e6, 1)}
    figures: dict[str, Any] = {
        "items": n,
        "input_mb": round(in_bytes / 1e6, 1),
        "mean_item_bytes": round(mean_bytes),
        "items_per_s": round(n / busy, 1) if busy else 0.0,
        "wall_items_per_s": round(n / wall, 1) if wall else 0.0,
        # CPU time / wall time of the pass: below ~0.95 other jobs took the core from us
        "cpu_share": round(cpu_seconds / wall, 3) if wall else None,
        "us_per_item": round(busy / n * 1e6, 1),
        "p50_us": round(_percentile(totals, 0.5) * 1e6, 1),
        "p99_us": round(_percentile(totals, 0.99) * 1e6, 1),
        "max_us": round(max(totals) * 1e6, 1),
        "stages": stages,
        "us_by_format": {k: round(statistics.fmean(v) * 1e6, 1) for k, v in sorted(by_format.items())},
        "decode_us_by_format": {k: round(statistics.fmean(v) * 1e6, 1) for k, v in sorted(decode_by_format.items())},
        "us_by_language": {k: round(statistics.fmean(v) * 1e6, 1) for k, v in sorted(by_lang.items())},
        "outcomes": dict(outcomes),
        "outputs": dict(sorted(per_topic.items())),
        "outputs_total": sum(per_topic.values()),
        "output_mb": round(sum(o.size for outs in outputs for o in outs) / 1e6, 1),
    }
    plan = Plan(outputs, record_ids, b"\n".join(filler_parts), dict(per_topic))
    return figures, plan


def profile(items: list[GenItem], out: Path, settings: Settings | None = None) -> dict[str, Any]:
    """pyinstrument over the pure pipeline; writes a text report and returns the hottest frames."""
    from pyinstrument import Profiler

    settings = settings or Settings()
    pipeline = Pipeline(settings, Resources.load(settings))
    for item in items[:200]:
        pipeline.process(item.raw, SourceMeta("warmup", 0, item.index))
    memory: dict[str, StoryMemory] = {}
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for item in items:
        outcome = pipeline.process(item.raw, SourceMeta("bench", 0, item.index), memory.get)
        memory.update(outcome.memory)
    profiler.stop()
    out.write_text(profiler.output_text(unicode=True, color=False, show_all=False), encoding="utf-8")
    session = profiler.last_session
    assert session is not None
    return {"report": str(out), "items": len(items), "seconds": round(session.duration, 3),
            "self_time": _self_times(session.root_frame(), session.duration)}


def _self_times(root: Any, duration: float, top: int = 15) -> list[dict[str, Any]]:
    """Hottest functions by self time (and their inclusive time) from a pyinstrument frame tree."""
    own: dict[str, float] = defaultdict(float)
    total: dict[str, float] = defaultdict(float)
    stack: list[tuple[Any, frozenset[str]]] = [(root, frozenset())] if root is not None else []
    while stack:
        frame, above = stack.pop()
        if frame.is_synthetic:
            continue
        cls = f"{frame.class_name}." if frame.class_name else ""
        name = f"{cls}{frame.function} ({_short(frame.file_path or '')}:{frame.line_no})"
        own[name] += frame.total_self_time
        if name not in above:  # recursion: count the outermost call only
            total[name] += frame.time
        stack.extend((child, above | {name}) for child in frame.children)
    ranked = sorted(own.items(), key=lambda kv: kv[1], reverse=True)[:top]
    return [{"function": k, "self": round(v / duration, 3), "total": round(total[k] / duration, 3)}
            for k, v in ranked if duration]


def _short(path: str) -> str:
    for marker in ("/streams/", "/site-packages/", "/lib/python3"):
        if marker in path:
            return path.split(marker, 1)[1] if marker != "/streams/" else "streams/" + path.split(marker, 1)[1]
    return path


# -- the plan for the whole corpus, in parallel and cached --------------------------------------

_SHARD_ITEMS: list[GenItem] = []


def _plan_shard(args: tuple[int, int]) -> dict[int, tuple[list[Out], list[str], bytes]]:
    shard, shards = args
    settings = Settings()
    pipeline = Pipeline(settings, Resources.load(settings))
    memory: dict[str, StoryMemory] = {}
    dlq = settings.ns(settings.dlq_topic)
    out: dict[int, tuple[list[Out], list[str], bytes]] = {}
    filler = 0
    for item in _SHARD_ITEMS:
        if zlib.crc32(item.key) % shards != shard:
            continue
        outcome = pipeline.process(item.raw, SourceMeta("bench", 0, item.index, None, item.key), memory.get)
        memory.update(outcome.memory)
        records = list(outcome.records)
        if outcome.dead_letter is not None:
            records.append(dead_letter_record(outcome.dead_letter, dlq))
        sample = b""
        if shard == 0 and filler < 2_000_000:
            sample = b"\n".join(r.value for r in records if r.topic != dlq)
            filler += len(sample)
        out[item.index] = (
            [Out(r.topic, r.key, len(r.value), r.headers) for r in records],
            sorted({dict(r.headers).get("newswire.record.id", b"").decode() for r in records} - {""}),
            sample,
        )
    return out


def compute_plan(items: list[GenItem], workers: int = 2) -> Plan:
    """The plan for every item: stories are sharded by Kafka key (same key, same shard, in order)."""
    global _SHARD_ITEMS
    _SHARD_ITEMS = items
    try:
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(workers) as pool:
            parts = pool.map(_plan_shard, [(s, workers) for s in range(workers)])
    finally:
        _SHARD_ITEMS = []
    merged: dict[int, tuple[list[Out], list[str], bytes]] = {}
    for part in parts:
        merged.update(part)
    outputs = [merged[i][0] for i in range(len(items))]
    per_topic: Counter[str] = Counter(o.topic for outs in outputs for o in outs)
    return Plan(outputs, [merged[i][1] for i in range(len(items))],
                b"\n".join(merged[i][2] for i in range(len(items)) if merged[i][2]), dict(per_topic))


def source_digest(root: Path) -> str:
    """Hash of everything that decides the pipeline's output: code, data, the generator."""
    digest = hashlib.sha1(usedforsecurity=False)
    files = [p for p in sorted((root / "streams").rglob("*")) if p.is_file() and p.suffix in
             (".py", ".toml", ".tsv", ".txt", ".json", ".csv", "")]
    files.append(root / "tests" / "bench" / "generator.py")
    for path in files:
        if "__pycache__" in path.parts:
            continue
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cached_plan(items: list[GenItem], cache: Path, key: str) -> Plan:
    path = cache / f"plan-{key}-{len(items)}.pkl"
    if path.exists():
        with open(path, "rb") as handle:
            plan: Plan = pickle.load(handle)
        return plan
    plan = compute_plan(items)
    cache.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as handle:
        pickle.dump(plan, handle, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)
    for old in cache.glob("plan-*.pkl"):  # keep the cache small: this plan only
        if old != path:
            old.unlink(missing_ok=True)
    return plan
