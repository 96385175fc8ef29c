"""Measure the topic classifier on a labelled JSON Lines file and print a report.

Records look like ``{"id", "language", "title", "body", "labels"}`` (extra keys ignored); labels
may spell ``military_aid`` or ``military-aid``. Each record is turned into a WireItem by the real
format decoder (``streams.formats.decode``), so the eval sees items exactly as the worker does:
dateline cut off, subheads found, page furniture handled the same way. The report gives per-topic precision, recall,
F1 and support, micro and macro F1, the false-positive rate on items that carry no label, and
every miss with its scores and strongest evidence, so a tuning step can see *why* it missed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from streams.classify import Taxonomy, classify, load_taxonomy
from streams.formats import decode
from streams.models import DecodeError, TopicScore, WireItem


@dataclass(frozen=True, slots=True)
class TopicStats:
    id: str
    tp: int
    fp: int
    fn: int

    @property
    def support(self) -> int:
        return self.tp + self.fn

    @property
    def precision(self) -> float:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float:
        return _f1(self.tp, self.fp, self.fn)


@dataclass(frozen=True, slots=True)
class Miss:
    """One item whose predicted labels differ from the gold labels."""

    id: str
    title: str
    gold: tuple[str, ...]
    predicted: tuple[str, ...]
    scores: dict[str, float]
    evidence: dict[str, tuple[str, ...]]  # topic -> strongest evidence as "cue@field:'text'"

    @property
    def false_negatives(self) -> tuple[str, ...]:
        return tuple(t for t in self.gold if t not in self.predicted)

    @property
    def false_positives(self) -> tuple[str, ...]:
        return tuple(t for t in self.predicted if t not in self.gold)


@dataclass(frozen=True)
class EvalReport:
    """The numbers of one evaluation run."""

    path: str
    items: int
    taxonomy_version: str
    topics: dict[str, TopicStats]
    micro_precision: float
    micro_recall: float
    micro_f1: float
    macro_f1: float  # mean over topics with any gold or predicted label in the file
    unlabelled: int  # items with gold labels []
    unlabelled_fp: int  # ... of which got any label
    misses: tuple[Miss, ...] = field(default=())

    @property
    def fp_rate_unlabelled(self) -> float:
        return _ratio(self.unlabelled_fp, self.unlabelled)


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def _ratio_f(a: float, b: int) -> float:
    return a / b if b else 0.0


def _f1(tp: int, fp: int, fn: int) -> float:
    return _ratio(2 * tp, 2 * tp + fp + fn)


def normalise_label(label: str) -> str:
    """``military-aid`` and ``Military_Aid`` both mean the topic id ``military_aid``."""
    return label.strip().lower().replace("-", "_").replace(" ", "_")


def record_to_item(record: dict[str, Any]) -> WireItem:
    """The worker's own decoder for the record; the minimal adapter only if the decoder refuses it."""
    fields = {k: record[k] for k in ("id", "language", "title", "body") if k in record}
    try:
        items = decode(json.dumps(fields, ensure_ascii=False).encode("utf-8"))
    except DecodeError:
        items = []
    if len(items) == 1:
        return items[0]
    return plain_item(record)


def plain_item(record: dict[str, Any]) -> WireItem:
    """The minimal adapter: title -> headline, body split on blank lines -> paragraphs."""
    body = str(record.get("body") or "")
    paragraphs = tuple(p.strip() for p in body.replace("\r\n", "\n").split("\n\n") if p.strip())
    return WireItem(
        headline=str(record.get("title") or ""),
        paragraphs=paragraphs,
        format="json",
        story_id=str(record.get("id") or ""),
        language=record.get("language"),
    )


def read_records(path: str | Path) -> list[dict[str, Any]]:
    """Every JSON object of a JSON Lines file; blank lines skipped, a bad line names its number."""
    records: list[dict[str, Any]] = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{number}: not JSON: {exc}") from exc
            if not isinstance(record, dict):
                raise ValueError(f"{path}:{number}: not a JSON object")
            records.append(record)
    return records


def _evidence_lines(item: WireItem, score: TopicScore, limit: int = 3) -> tuple[str, ...]:
    body = item.body
    out = []
    for ev in score.evidence[:limit]:
        text = item.headline if ev.field == "headline" else body
        out.append(f"{ev.cue}@{ev.field}:{text[ev.start : ev.end]!r}={ev.weight:g}")
    return tuple(out)


def evaluate(records: Sequence[dict[str, Any]], taxonomy: Taxonomy, path: str = "") -> EvalReport:
    """Score every record and count hits per topic; no printing."""
    ids = taxonomy.ids
    counts = {t: [0, 0, 0] for t in ids}  # tp, fp, fn
    unlabelled = unlabelled_fp = 0
    misses: list[Miss] = []
    for record in records:
        item = record_to_item(record)
        gold = tuple(sorted({normalise_label(str(x)) for x in record.get("labels") or []}))
        unknown = [g for g in gold if g not in ids]
        if unknown:
            raise ValueError(f"{record.get('id')}: unknown label(s) {unknown} (topics: {', '.join(ids)})")
        scores = classify(item, taxonomy)
        predicted = tuple(s.id for s in scores if s.labelled)
        for topic_id in ids:
            g, p = topic_id in gold, topic_id in predicted
            if g and p:
                counts[topic_id][0] += 1
            elif p:
                counts[topic_id][1] += 1
            elif g:
                counts[topic_id][2] += 1
        if not gold:
            unlabelled += 1
            unlabelled_fp += bool(predicted)
        if set(gold) != set(predicted):
            misses.append(
                Miss(
                    id=str(record.get("id", "")),
                    title=item.headline,
                    gold=gold,
                    predicted=predicted,
                    scores={s.id: round(s.score, 3) for s in scores},
                    evidence={s.id: _evidence_lines(item, s) for s in scores},
                )
            )
    topics = {t: TopicStats(t, *c) for t, c in counts.items()}
    seen = [s for s in topics.values() if s.tp + s.fp + s.fn]  # macro F1 over topics that occur at all
    tp = sum(s.tp for s in topics.values())
    fp = sum(s.fp for s in topics.values())
    fn = sum(s.fn for s in topics.values())
    return EvalReport(
        path=path,
        items=len(records),
        taxonomy_version=taxonomy.version,
        topics=topics,
        micro_precision=_ratio(tp, tp + fp),
        micro_recall=_ratio(tp, tp + fn),
        micro_f1=_f1(tp, fp, fn),
        macro_f1=_ratio_f(sum(s.f1 for s in seen), len(seen)),
        unlabelled=unlabelled,
        unlabelled_fp=unlabelled_fp,
        misses=tuple(misses),
    )


def format_report(report: EvalReport) -> str:
    """The human-readable report: table, summary line, then every miss."""
    lines = [
        f"topic eval: {report.path} ({report.items} items, taxonomy {report.taxonomy_version})",
        "",
        f"{'topic':<14}{'P':>7}{'R':>7}{'F1':>7}{'support':>9}{'tp':>5}{'fp':>5}{'fn':>5}",
    ]
    for stats in report.topics.values():
        lines.append(
            f"{stats.id:<14}{stats.precision:>7.3f}{stats.recall:>7.3f}{stats.f1:>7.3f}"
            f"{stats.support:>9}{stats.tp:>5}{stats.fp:>5}{stats.fn:>5}"
        )
    lines += [
        "",
        f"micro P {report.micro_precision:.3f}  R {report.micro_recall:.3f}  F1 {report.micro_f1:.3f}   "
        f"macro F1 {report.macro_f1:.3f}",
        f"false positives on unlabelled items: {report.unlabelled_fp}/{report.unlabelled} "
        f"({report.fp_rate_unlabelled:.1%})",
        "",
        f"misses: {len(report.misses)}",
    ]
    for miss in report.misses:
        lines.append(
            f"- {miss.id}: gold [{', '.join(miss.gold)}] predicted [{', '.join(miss.predicted)}]"
            f"  FN {list(miss.false_negatives)} FP {list(miss.false_positives)}"
        )
        lines.append(f"    {miss.title[:110]}")
        lines.append("    scores " + "  ".join(f"{t}={s:.2f}" for t, s in miss.scores.items()))
        for topic_id in (*miss.false_negatives, *miss.false_positives):
            lines.append(f"    {topic_id}: {'; '.join(miss.evidence.get(topic_id, ())) or '(no evidence)'}")
    return "\n".join(lines) + "\n"


def run(path: str | Path, taxonomy: Taxonomy | None = None, out: TextIO | None = None) -> EvalReport:
    """Evaluate a JSON Lines file, print the report to ``out`` (default: stdout) and return the numbers."""
    report = evaluate(read_records(path), taxonomy or load_taxonomy(), str(path))
    (out if out is not None else sys.stdout).write(format_report(report))
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m streams.eval_topics FILE [--taxonomy PATH]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("file", help="JSON Lines file with id, language, title, body, labels")
    parser.add_argument("--taxonomy", help="taxonomy TOML (default: the shipped one)")
    args = parser.parse_args(argv)
    run(args.file, load_taxonomy(args.taxonomy) if args.taxonomy else None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
