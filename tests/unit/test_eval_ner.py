"""The NER eval runner on a tiny GermEval-format file written for this test."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from streams.entities import KnowledgeBase, load_kb
from streams.eval_ner import gold_spans, predict, read_conll, run

SAMPLE = """\
1\tBundeskanzler\tO\tO
2\tFriedrich\tB-PER\tO
3\tMerz\tI-PER\tO
4\treiste\tO\tO
5\tnach\tO\tO
6\tKiew\tB-LOC\tO
7\t.\tO\tO

1\tDie\tO\tO
2\tdeutsche\tB-LOCderiv\tO
3\tRegierung\tO\tO
4\tund\tO\tO
5\tdie\tO\tO
6\tNato\tB-ORG\tO
7\tberieten\tO\tO
8\tüber\tO\tO
9\tden\tO\tO
10\tNato-Beitritt\tB-ORGpart\tO
11\tder\tO\tO
12\tUkraine\tB-LOC\tO
13\tim\tO\tO
14\tFilm\tO\tO
15\tBerlin\tB-OTH\tB-LOC
16\tCalling\tI-OTH\tO
17\t.\tO\tO

1\tErika\tB-PER\tO
2\tMusterfrau\tI-PER\tO
3\tlebt\tO\tO
4\tin\tO\tO
5\tUlm\tB-ORG\tO
6\t.\tO\tO
"""


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_kb()


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    path = tmp_path / "sample.tsv"
    path.write_text(SAMPLE, encoding="utf-8")
    return path


def test_gold_spans_ignore_deriv_part_and_oth() -> None:
    tags = ["O", "B-LOCderiv", "B-ORG", "I-ORG", "B-ORGpart", "B-OTH", "I-OTH", "B-PER", "B-PER", "I-PER"]
    assert gold_spans(tags) == [(2, 4, "ORG"), (7, 8, "PER"), (8, 10, "PER")]


def test_read_conll(sample: Path) -> None:
    sentences = list(read_conll(sample))
    assert len(sentences) == 3
    assert sentences[0].gold == frozenset({(1, 3, "PER"), (5, 6, "LOC")})
    assert sentences[1].gold == frozenset({(5, 6, "ORG"), (11, 12, "LOC")})


def test_predict_maps_mentions_to_token_spans(kb: KnowledgeBase) -> None:
    tokens = ("Bundeskanzler", "Friedrich", "Merz", "(", "CDU", ")", "sprach", "mit", "ukrainischen", "Soldaten", ".")
    assert predict(tokens, kb) == {(1, 3, "PER"), (4, 5, "ORG")}  # the adjective is no LOC span


def test_run_scores_and_prints(sample: Path, kb: KnowledgeBase) -> None:
    out = io.StringIO()
    report = run(sample, kb, out=out)
    assert report.sentences == 3
    assert report.tokens == 30
    per, org, loc = (report.per_type[t] for t in ("PER", "ORG", "LOC"))
    assert (per.tp, per.fn) == (2, 0)  # "Friedrich Merz" by the KB, "Erika Musterfrau" by discovery
    assert (org.tp, org.fn) == (1, 1)  # Nato found; "Ulm" gold ORG is read as a place
    assert loc.tp == 2 and loc.fp >= 1
    overall = report.overall
    assert overall.tp == 5
    assert 0 < overall.precision <= 1 and 0 < overall.recall <= 1
    assert report.tokens_per_second > 0
    text = out.getvalue()
    for label in ("PER", "ORG", "LOC", "overall", "tokens/s"):
        assert label in text
