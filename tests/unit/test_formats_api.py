"""The public contract: detect() names, decode() limits and refusals, input types, speed budget."""

from __future__ import annotations

import time
from pathlib import Path

import orjson
import pytest

from streams.formats import decode, detect
from streams.formats.limits import MAX_PARAGRAPH_CHARS, MAX_PARAGRAPHS
from streams.models import DecodeError

FIXTURES = Path(__file__).parent.parent / "fixtures" / "formats"
EXPECTED = {
    "dpa_text_de.txt": "text",
    "afx_text_no_headline.txt": "text",
    "reuters_text_en.txt": "text",
    "ap_text_breaking.txt": "text",
    "simple.json": "json",
    "simple.jsonl": "jsonl",
    "ninjs1_de.json": "ninjs",
    "ninjs2_en.json": "ninjs",
    "digitalwires_de.json": "digitalwires",
    "digitalwires_audio.json": "digitalwires",
    "digitalwires_canceled.json": "digitalwires",
    "newsml_item.xml": "newsml",
    "newsml_message.xml": "newsml",
}


def test_every_fixture_is_covered() -> None:
    assert {p.name for p in FIXTURES.iterdir()} == set(EXPECTED)


@pytest.mark.parametrize(("name", "kind"), sorted(EXPECTED.items()))
def test_detect_and_decode_every_fixture(name: str, kind: str) -> None:
    raw = (FIXTURES / name).read_bytes()
    assert detect(raw) == kind
    items = decode(raw)
    assert items
    for item in items:
        assert item.story_id and item.version >= 1
        assert item.format == ("json" if kind == "jsonl" else kind)


def test_accepts_bytearray_and_memoryview_refuses_str() -> None:
    raw = b"Titel\n\nBERLIN (dpa) - Text."
    assert decode(bytearray(raw))[0].headline == "Titel"
    assert decode(memoryview(raw))[0].headline == "Titel"
    with pytest.raises(DecodeError) as err:
        decode("Titel", max_bytes=100)  # type: ignore[arg-type]
    assert err.value.reason == "wrong-type"


def test_too_large_uses_the_given_limit_before_anything_else() -> None:
    with pytest.raises(DecodeError) as err:
        decode(b"\x00" * 11, max_bytes=10)
    assert err.value.reason == "too-large"
    assert decode(b"Titel\n\nText.", max_bytes=12)[0].headline == "Titel"


def test_paragraph_caps_are_flagged() -> None:
    many = "Titel\n\n" + "\n\n".join(f"Absatz Nummer {i}." for i in range(MAX_PARAGRAPHS + 50))
    item = decode(many.encode())[0]
    assert len(item.paragraphs) == MAX_PARAGRAPHS
    assert item.extra["truncated_paragraphs"] == 50
    long = "Titel\n\n" + "Wort " * (MAX_PARAGRAPH_CHARS // 2)
    item = decode(long.encode())[0]
    assert len(item.paragraphs[0]) <= MAX_PARAGRAPH_CHARS
    assert item.extra["truncated_paragraph_chars"] is True


def test_jsonl_with_crlf_and_blank_lines() -> None:
    raw = b'{"title": "Eins", "body": "Text eins."}\r\n\r\n{"title": "Zwei", "body": "Text zwei."}\r\n'
    assert [i.headline for i in decode(raw)] == ["Eins", "Zwei"]


def test_version_and_signal_make_updates() -> None:
    [a] = decode(orjson.dumps({"uri": "u", "headline": "H", "version": 1}))
    [b] = decode(orjson.dumps({"uri": "u", "headline": "H", "version": "2"}))
    [c] = decode(orjson.dumps({"format": "digitalwires@1", "urn": "urn:x", "headline": "H", "signal": "sig:update"}))
    assert (a.is_update, b.is_update, c.is_update) == (False, True, True)
    assert a.story_id == b.story_id and a.record_id != b.record_id


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"", "empty"),
        (b" \n\t \r\n", "empty"),
        (b"\xef\xbb\xbf   ", "empty"),
        (b"abc\x00def", "binary"),
        (b"\xff\xfe\x00\xd8", "not-utf8"),
        (b"caf\xe9 au lait", "not-utf8"),
        (b"<html><body>hi</body></html>", "unknown-format"),
    ],
)
def test_refusal_reasons(raw: bytes, expected: str) -> None:
    with pytest.raises(DecodeError) as err:
        decode(raw)
    assert err.value.reason == expected


def test_speed_budget_for_a_3kb_item() -> None:
    """Generous bound (the real figure is ~50 us): catches accidental quadratic work, not noise."""
    paragraph = (
        "Die Regierung in Berlin hat am Dienstag weitere Hilfen angekündigt. Ein Sprecher sagte, "
        "die Details würden in den kommenden Tagen mit den Partnern abgestimmt. "
    )
    text = "Regierung kündigt Hilfen an\n\nBERLIN (dpa) - " + "\n\n".join([paragraph] * 18) + "/abc/DP/de"
    raw = text.encode()[:3000]
    as_json = orjson.dumps({"id": "x", "title": "Regierung kündigt Hilfen an", "body": text[:2900]})
    for data in (raw, as_json):
        decode(data)
        start = time.perf_counter()
        for _ in range(200):
            decode(data)
        per_item = (time.perf_counter() - start) / 200
        assert per_item < 500e-6, f"{per_item * 1e6:.0f} us per item"
