"""Property tests: no byte string and no mutated valid item makes detect/decode raise anything
but DecodeError, and nothing is slow."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streams.formats import decode, detect
from streams.models import DecodeError, WireItem

FIXTURES = Path(__file__).parent.parent / "fixtures" / "formats"
SAMPLES = sorted(p.read_bytes() for p in FIXTURES.iterdir() if p.is_file())
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(raw: bytes) -> None:
    try:
        kind = detect(raw)
        assert kind in {"text", "json", "jsonl", "ninjs", "digitalwires", "newsml"}
    except DecodeError as exc:
        assert exc.reason and exc.reason != "internal", exc
    try:
        items = decode(raw)
    except DecodeError as exc:
        assert exc.reason and exc.reason != "internal", exc
        return
    assert items
    for item in items:
        assert isinstance(item, WireItem)
        assert item.headline or item.paragraphs or item.media_only or item.pubstatus == "canceled"
        assert all(p and "\n" not in p and p == p.strip() for p in item.paragraphs)
        assert set(item.subheads) <= set(item.paragraphs)
        assert "\n" not in item.headline
        assert item.story_id


@FAST
@given(st.binary(max_size=2000))
def test_any_bytes(raw: bytes) -> None:
    check(raw)


@FAST
@given(st.text(max_size=1500))
def test_any_text(text: str) -> None:
    check(text.encode("utf-8", "surrogatepass"))


@FAST
@given(st.sampled_from(SAMPLES), st.data())
def test_mutated_samples(sample: bytes, data: st.DataObject) -> None:
    raw = bytearray(sample)
    for _ in range(data.draw(st.integers(1, 8))):
        op = data.draw(st.sampled_from(["flip", "cut", "insert", "dup"]))
        if not raw:
            break
        pos = data.draw(st.integers(0, len(raw) - 1))
        if op == "flip":
            raw[pos] = data.draw(st.integers(0, 255))
        elif op == "cut":
            del raw[pos : pos + data.draw(st.integers(1, 64))]
        elif op == "insert":
            raw[pos:pos] = data.draw(
                st.sampled_from([b"<", b">", b"{", b"}", b'"', b"\\", b"&amp;", b"\n\n", b"\x00", b"\xe2\x80",
                                 b"<!DOCTYPE x [<!ENTITY a 'b'>]>", b"]]>", b"(dpa) - ", b"/ab/CD/ef"])
            )
        else:
            raw[pos:pos] = raw[pos : pos + data.draw(st.integers(1, 200))]
    check(bytes(raw))


@pytest.mark.parametrize(
    "raw",
    [
        b"(" * 100_000,
        b"A (dpa) - " * 50_000,
        b"/a" * 200_000,
        (b"Zeile ohne Punkt\n\n" * 30_000),
        b"x" * 1_000_000,
        b"<p>" * 60_000,
        b'{"body": "' + b"<div>" * 40_000 + b'"}',
        b"\xc2\xa0" * 400_000,
        ("\u200b" * 300_000).encode(),
    ],
)
def test_pathological_inputs_stay_fast(raw: bytes) -> None:
    start = time.perf_counter()
    check(raw)
    assert time.perf_counter() - start < 1.0


_KEYS = [
    "id", "title", "headline", "body", "text", "language", "urgency", "version", "keywords", "uri", "type",
    "headlines", "bodies", "body_text", "body_html", "subject", "subjects", "genres", "descriptions", "by",
    "byline", "located", "pubstatus", "embargoed", "associations", "format", "urn", "signal", "article_html",
    "ednotes", "categories", "dateline", "kicker", "teaser", "role", "contenttype", "value", "code", "scheme",
    "name", "qcode", "ednote", "description", "caption", "literal",
]
_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 12), st.floats(allow_nan=True),
    st.sampled_from(["", "digitalwires@0.9.1", "urn:newsml:dpa.com:20090101:1-2-3:2", "text/html", "main",
                     "dpaednoterole:closingline", "dnltype:keyword", "sig:update", "canceled", "picture",
                     "<p>BERLIN (dpa) - Text.</p><h2>Zwischen</h2><p>Mehr.</p>", "BERLIN (dpa) - Ein Satz."]),
    st.text(max_size=40),
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(_KEYS), inner, max_size=6)),
    max_leaves=25,
)


@FAST
@given(st.dictionaries(st.sampled_from(_KEYS), _JSON, max_size=10))
def test_structured_json_of_any_shape(obj: dict[str, object]) -> None:
    import orjson

    try:
        raw = orjson.dumps(obj)
    except (TypeError, orjson.JSONEncodeError):
        return
    check(raw)
