"""The topic eval report: counting, label spelling, output and the item adapter."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from streams.classify import load_taxonomy
from streams.eval_topics import main, normalise_label, plain_item, record_to_item, run

RECORDS: list[dict[str, Any]] = [
    {
        "id": "t-de-1",
        "language": "de",
        "title": "Russischer Luftangriff auf Odessa",
        "body": "ODESSA (dpa) - Bei einem russischen Luftangriff auf Odessa wurden drei Menschen getötet.\n\n"
        "Die Flugabwehr fing nach Armeeangaben mehrere Raketen ab.",
        "labels": ["strikes"],
    },
    {
        "id": "t-en-1",
        "language": "en",
        "title": "Germany to deliver more air defence systems to Ukraine",
        "body": "BERLIN (Reuters) - Germany will deliver two more air defence systems to Ukraine, "
        "the defence ministry said, as part of a new military aid package.",
        "labels": ["military-aid"],  # hyphenated spelling on purpose
    },
    {
        "id": "t-en-2",
        "language": "en",
        "title": "Nurses strike over pay",
        "body": "Thousands of nurses went on strike after union members rejected a pay offer.",
        "labels": [],
    },
    {
        "id": "t-en-3",
        "language": "en",
        "title": "Leaders hold ceasefire talks in Doha",
        "body": "Mediators from Qatar and Egypt hosted a new round of ceasefire talks on Sunday.",
        "labels": [],  # deliberately mislabelled: must show up as a false positive
    },
]


def write_jsonl(tmp_path: Path, records: list[dict[str, Any]]) -> Path:
    path = tmp_path / "eval.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n\n", encoding="utf-8")
    return path


def test_report_counts_and_rates(tmp_path: Path) -> None:
    out = io.StringIO()
    report = run(write_jsonl(tmp_path, RECORDS), load_taxonomy(), out=out)
    assert report.items == 4
    assert report.topics["strikes"].tp == 1
    assert report.topics["military_aid"].tp == 1
    assert report.topics["diplomacy"].fp == 1
    assert report.topics["diplomacy"].support == 0
    assert report.unlabelled == 2
    assert report.unlabelled_fp == 1
    assert report.fp_rate_unlabelled == pytest.approx(0.5)
    assert report.micro_precision == pytest.approx(2 / 3)
    assert report.micro_recall == pytest.approx(1.0)
    assert report.micro_f1 == pytest.approx(0.8)
    assert [m.id for m in report.misses] == ["t-en-3"]
    miss = report.misses[0]
    assert miss.false_positives == ("diplomacy",) and miss.false_negatives == ()
    assert miss.evidence["diplomacy"]

    text = out.getvalue()
    for fragment in ("diplomacy", "military_aid", "strikes", "micro P", "macro F1", "1/2 (50.0%)", "t-en-3"):
        assert fragment in text


def test_unknown_labels_are_refused(tmp_path: Path) -> None:
    bad = [{**RECORDS[0], "labels": ["sports"]}]
    with pytest.raises(ValueError, match="unknown label"):
        run(write_jsonl(tmp_path, bad), load_taxonomy(), out=io.StringIO())


def test_broken_lines_name_their_number(tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_text(json.dumps(RECORDS[0]) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(ValueError, match=":2:"):
        run(path, load_taxonomy(), out=io.StringIO())


def test_label_spellings_normalise() -> None:
    assert normalise_label("military-aid") == normalise_label("Military_Aid") == "military_aid"


def test_records_go_through_the_worker_decoder() -> None:
    wire = record_to_item(RECORDS[0])
    assert wire.story_id == "t-de-1"
    assert wire.language == "de"
    assert wire.headline == RECORDS[0]["title"]
    assert not wire.body.startswith("ODESSA (dpa)")  # the decoder cuts the dateline off
    assert "Luftangriff" in wire.body


def test_plain_adapter_splits_paragraphs_on_blank_lines() -> None:
    wire = plain_item(RECORDS[0])
    assert wire.format == "json"
    assert len(wire.paragraphs) == 2
    assert wire.body == RECORDS[0]["body"]


def test_main_prints_the_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(write_jsonl(tmp_path, RECORDS[:1]))]) == 0
    assert "strikes" in capsys.readouterr().out
