"""Measure the entity stage as a named-entity recogniser on CoNLL-style German NER data.

Built for GermEval 2014 (``index<TAB>token<TAB>outer<TAB>nested``, blank line between sentences).
Each sentence's tokens are joined with single spaces, run through the very same ``find_spans``
that ``extract`` uses, and mentions are mapped back to token spans (exact character match with
token boundaries). Counted: the OUTER column, exact spans, types PER/ORG/LOC.

Choices, on purpose:
- person->PER, organisation->ORG, place->LOC; weapons and gold OTH are not scored.
- Gold ``*deriv``/``*part`` spans (``B-LOCderiv`` for "deutsche", ``B-ORGpart`` for "Nato-Beitritt")
  are not PER/ORG/LOC and are treated as O; our weak mentions (adjectives, demonyms) are never
  emitted as spans, so they cannot be scored as LOC either.
- A predicted span that covers OTH or O tokens counts as a false positive like any other.

Usage: ``python -m streams.eval_ner PATH``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from streams.entities import KnowledgeBase, find_spans, load_kb
from streams.models import WireItem

TYPES = ("PER", "ORG", "LOC")
_TYPE_MAP = {"person": "PER", "organisation": "ORG", "place": "LOC"}


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class NerReport:
    """Scores per type and overall (micro-average over PER, ORG, LOC), plus speed."""

    per_type: dict[str, Counts] = field(default_factory=lambda: {t: Counts() for t in TYPES})
    sentences: int = 0
    tokens: int = 0
    seconds: float = 0.0
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, type, text) samples

    @property
    def overall(self) -> Counts:
        total = Counts()
        for counts in self.per_type.values():
            total.tp += counts.tp
            total.fp += counts.fp
            total.fn += counts.fn
        return total

    @property
    def tokens_per_second(self) -> float:
        return self.tokens / self.seconds if self.seconds else 0.0


@dataclass(frozen=True, slots=True)
class Sentence:
    tokens: tuple[str, ...]
    gold: frozenset[tuple[int, int, str]]  # (first token, last token + 1, type)


def read_conll(path: str | Path) -> Iterator[Sentence]:
    """Sentences of a GermEval-style file; gold spans from the outer column, PER/ORG/LOC only."""
    tokens: list[str] = []
    tags: list[str] = []
    with Path(path).open(encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if not line.strip():
                if tokens:
                    yield Sentence(tuple(tokens), frozenset(gold_spans(tags)))
                tokens, tags = [], []
                continue
            if line.startswith("#"):
                continue
            cells = line.split("\t")
            tokens.append(cells[1])
            tags.append(cells[2] if len(cells) > 2 else "O")
    if tokens:
        yield Sentence(tuple(tokens), frozenset(gold_spans(tags)))


def gold_spans(tags: list[str]) -> list[tuple[int, int, str]]:
    """BIO tags to spans; deriv/part subtypes and OTH become O."""
    spans: list[tuple[int, int, str]] = []
    start, current = -1, ""
    for i, tag in enumerate([*tags, "O"]):
        kind = tag[2:] if tag[:2] in ("B-", "I-") else ""
        if kind not in TYPES:
            kind = ""
        if current and (not tag.startswith("I-") or kind != current):
            spans.append((start, i, current))
            current = ""
        if kind and (tag.startswith("B-") or not current):
            start, current = i, kind
    return spans


def predict(tokens: tuple[str, ...], kb: KnowledgeBase) -> set[tuple[int, int, str]]:
    """Our spans for one sentence, as token spans; mentions not on token boundaries are dropped."""
    text = " ".join(tokens)
    starts: dict[int, int] = {}
    ends: dict[int, int] = {}
    pos = 0
    for i, token in enumerate(tokens):
        starts[pos] = i
        ends[pos + len(token)] = i + 1
        pos += len(token) + 1
    item = WireItem(headline="", paragraphs=(text,), format="text", story_id="eval")
    found: set[tuple[int, int, str]] = set()
    for span in find_spans(item, kb):
        kind = _TYPE_MAP.get(span.type)
        if kind is None or span.weak or span.field != "body":
            continue
        first, last = starts.get(span.start), ends.get(span.end)
        if first is not None and last is not None:
            found.add((first, last, kind))
    return found


def run(path: str | Path, kb: KnowledgeBase | None = None, out: TextIO = sys.stdout) -> NerReport:
    """Score the entity stage on ``path`` and print P/R/F1 per type, overall, and tokens/s."""
    kb = kb if kb is not None else load_kb()
    report = NerReport()
    sentences = list(read_conll(path))
    started = time.perf_counter()
    predictions = [predict(s.tokens, kb) for s in sentences]
    report.seconds = time.perf_counter() - started
    for sentence, predicted in zip(sentences, predictions, strict=True):
        report.sentences += 1
        report.tokens += len(sentence.tokens)
        for first, last, kind in predicted | sentence.gold:
            counts = report.per_type[kind]
            text = " ".join(sentence.tokens[first:last])
            if (first, last, kind) in predicted and (first, last, kind) in sentence.gold:
                counts.tp += 1
            elif (first, last, kind) in predicted:
                counts.fp += 1
                report.errors.append(("fp", kind, text))
            else:
                counts.fn += 1
                report.errors.append(("fn", kind, text))
    print_report(report, out, kb.version)
    return report


def print_report(report: NerReport, out: TextIO, version: str = "") -> None:
    out.write(f"NER eval: {report.sentences} sentences, {report.tokens} tokens, KB {version}\n")
    out.write(f"{'type':<8}{'P':>8}{'R':>8}{'F1':>8}{'TP':>7}{'FP':>7}{'FN':>7}\n")
    rows = [*report.per_type.items(), ("overall", report.overall)]
    for name, c in rows:
        out.write(f"{name:<8}{c.precision:>8.3f}{c.recall:>8.3f}{c.f1:>8.3f}{c.tp:>7}{c.fp:>7}{c.fn:>7}\n")
    out.write(f"speed: {report.tokens_per_second:,.0f} tokens/s ({report.seconds:.2f} s)\n")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.stderr.write("usage: python -m streams.eval_ner PATH\n")
        return 2
    run(args[0])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
