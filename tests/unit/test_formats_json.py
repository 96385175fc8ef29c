"""Simple JSON and JSON Lines items, and JSON-level refusals."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from streams.formats import decode, detect
from streams.models import DecodeError

FIXTURES = Path(__file__).parent.parent / "fixtures" / "formats"


def reason(raw: bytes, max_bytes: int = 1_048_576) -> str:
    with pytest.raises(DecodeError) as err:
        decode(raw, max_bytes=max_bytes)
    return err.value.reason


def test_single_document() -> None:
    raw = (FIXTURES / "simple.json").read_bytes()
    assert detect(raw) == "json"
    [item] = decode(raw)
    assert item.format == "json"
    assert item.story_id == "sample-de-0001"
    assert item.headline == "Bundesregierung sagt weitere Hilfe für Erdbebenregion zu"
    assert item.dateline == "BERLIN (dpa) - " and item.agency == "dpa"
    assert item.lead.startswith("Die Bundesregierung stellt")
    assert item.subheads == ("Helfer vor Ort",)
    assert item.language == "de"


def test_json_lines_give_several_items() -> None:
    raw = (FIXTURES / "simple.jsonl").read_bytes()
    assert detect(raw) == "jsonl"
    items = decode(raw)
    assert [i.story_id for i in items] == ["sample-en-0001", "sample-en-0002", "3"]
    assert items[0].agency == "AFP" and items[0].dateline_place == "Rome"
    assert items[1].agency == "Reuters" and items[1].language == "en"
    assert items[2].paragraphs == () and items[2].urgency == 1


def test_html_entities_in_title_and_body_are_decoded() -> None:
    raw = orjson.dumps({"title": "Merz &amp; Macron &quot;einig&quot;", "body": "Text&nbsp;mit &lt;Zeichen&gt;."})
    [item] = decode(raw)
    assert item.headline == 'Merz & Macron "einig"'
    assert item.lead == "Text mit <Zeichen>."


def test_html_body_in_simple_json() -> None:
    body = "<p>BERLIN (dpa) - Erster Absatz.</p><h2>Zwischentitel</h2><p>Zweiter &amp; letzter.</p>"
    [item] = decode(orjson.dumps({"id": "x", "title": "T", "body": body}))
    assert item.paragraphs == ("Erster Absatz.", "Zwischentitel", "Zweiter & letzter.")
    assert item.subheads == ("Zwischentitel",)
    assert item.dateline_place == "Berlin"


def test_language_is_normalised_or_guessed() -> None:
    [a] = decode(orjson.dumps({"title": "Hallo", "body": "x", "language": "de-DE"}))
    assert a.language == "de"
    [b] = decode(orjson.dumps({"title": "Talks resume", "body": "The talks will resume on Monday, officials said."}))
    assert b.language == "en"


def test_text_alias_and_missing_headline() -> None:
    [item] = decode(orjson.dumps({"text": "Der Bundestag hat das Gesetz beschlossen. Mehr folgt."}))
    assert item.headline == "Der Bundestag hat das Gesetz beschlossen."
    assert item.extra["headline_derived"] is True


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"{", "invalid-json"),
        (b'{"title": "x",}', "invalid-json"),
        (b"[1, 2]", "wrong-type"),
        (b'{"title": 5}', "wrong-type"),
        (b'{"title": "x", "body": ["a"]}', "wrong-type"),
        (b'{"title": "x", "urgency": "high"}', "wrong-type"),
        (b'{"title": "", "body": "   "}', "no-text"),
        (b"{}", "no-text"),
        (b"[" * 5000, "too-deep"),
        (b'{"a":' * 3000 + b"1" + b"}" * 3000, "too-deep"),
        (b'{"title": "a"}\n{"title": 1}', "wrong-type"),
        (b'{"title": "a"}\nnot json', "invalid-json"),
        (b"\xef\xbb\xbf", "empty"),
        (b"{\"title\": \"\xff\"}", "not-utf8"),
    ],
)
def test_refusals(raw: bytes, expected: str) -> None:
    assert reason(raw) == expected


def test_too_large_is_checked_before_parsing() -> None:
    assert reason(b"{" * 2000, max_bytes=1000) == "too-large"
    assert reason(b"x" * 1001, max_bytes=1000) == "too-large"


def test_jsonl_record_error_names_the_record() -> None:
    with pytest.raises(DecodeError) as err:
        decode(b'{"title": "ok"}\n{"title": "", "body": ""}')
    assert err.value.reason == "no-text" and "record 1" in err.value.message
