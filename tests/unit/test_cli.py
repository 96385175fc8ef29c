"""The offline commands: classify, route --explain, check (no broker)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from streams.cli import main

SAMPLES = Path(__file__).resolve().parents[2] / "streams" / "data" / "samples"


def test_classify_prints_one_enriched_item_per_input_item(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = tmp_path / "items.jsonl"
    lines.write_bytes(
        orjson.dumps({"id": "our-1", "title": "Gespräche in Genf", "body": "Die Delegationen verhandeln.",
                      "language": "de"}) + b"\n" +
        orjson.dumps({"id": "our-2", "title": "Missile strike on Kharkiv", "body": "A missile hit the city.",
                      "language": "en"}) + b"\n" + b'{"id": "broken"\n'
    )
    assert main(["classify", str(lines)]) == 0
    out, err = capsys.readouterr()
    docs = [orjson.loads(line) for line in out.splitlines()]
    assert [d["story_id"] for d in docs] == ["our-1", "our-2"], "a record's id is the story id"
    assert {"headlines", "bodies", "topics", "entities", "source", "pipeline"} <= set(docs[0])
    assert "invalid-json" in err


def test_classify_reads_directories(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classify", str(SAMPLES)]) == 0
    docs = [orjson.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(docs) == len(list(SAMPLES.iterdir()))
    labelled = {d["headlines"][0]["value"][:20]: [t["id"] for t in d["topics"]] for d in docs}
    assert labelled["Verdi ruft zu Warnst"] == []


def test_route_explain_says_why_each_rule_did_or_did_not_fire(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["route", "--explain", str(SAMPLES / "04-dpa-warnstreik.txt")]) == 0
    out = capsys.readouterr().out
    assert "MATCH firehose" in out and "no    strikes-desk" in out
    assert "topics: no (labelled none)" in out
    assert out.rstrip().endswith("-> news.enriched")


def test_check_accepts_the_shipped_data_and_rejects_a_bad_rules_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["check"]) == 0
    bad = tmp_path / "rules.toml"
    bad.write_text("version = 'x'\n[[rules]]\nname = 'a'\nwhen = { colour = 'red' }\npublish = ['news.x']\n")
    monkeypatch.setenv("NEWSWIRE_RULES_PATH", str(bad))
    assert main(["check"]) == 1
    assert "unknown condition" in capsys.readouterr().out


def test_bad_settings_exit_2_with_the_variable_named(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEWSWIRE_PARTITIONS", "lots")
    assert main(["check"]) == 2
    assert "NEWSWIRE_PARTITIONS" in capsys.readouterr().err
