"""ninjs 1.x/2.x, dpa digitalwires and NewsML-G2: field mapping, identity, media, kills."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from streams.formats import decode, detect
from streams.models import DecodeError, Subject, WireItem

FIXTURES = Path(__file__).parent.parent / "fixtures" / "formats"


def load(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def one(raw: bytes) -> WireItem:
    items = decode(raw)
    assert len(items) == 1
    return items[0]


def reason(raw: bytes) -> str:
    with pytest.raises(DecodeError) as err:
        decode(raw)
    return err.value.reason


# --- ninjs -----------------------------------------------------------------------------------


def test_ninjs2_prefers_main_html_body_and_main_headline() -> None:
    raw = load("ninjs2_en.json")
    assert detect(raw) == "ninjs"
    item = one(raw)
    assert item.format == "ninjs"
    assert item.story_id == item.uri == "urn:example:wire:2025:ninjs-0042"
    assert item.version == 2 and item.is_update
    assert item.headline == "Envoys agree to resume prisoner exchange talks"
    assert item.paragraphs == (
        "Envoys from both sides agreed on Monday to resume talks on a prisoner exchange, mediators said.",
        "Red Cross to host",
        "The talks will be hosted by the Red Cross in Geneva.",
        "No date has been set for a ceasefire.",
    )
    assert item.subheads == ("Red Cross to host",)
    assert item.dateline == "GENEVA (AP) — " and item.agency == "AP"
    assert item.dateline_place == "Geneva"
    assert item.byline == "By Jane Example"
    assert item.language == "en" and item.urgency == 3
    assert item.teaser == "Both sides want to swap more prisoners before winter."
    assert Subject("medtop:20000639", "diplomacy", "medtop") in item.subjects
    assert Subject("medtop:20000080", "prisoners of war", "medtop") in item.subjects
    assert Subject("genre:Current", "current", "genre") in item.subjects
    assert not item.media_only


def test_ninjs1_fields() -> None:
    item = one(load("ninjs1_de.json"))
    assert item.headline == "Verteidigungsminister kündigt weitere Luftabwehr an"
    assert item.byline == "Von Max Mustermann, dpa"
    assert item.embargoed == "2025-06-03T10:00:00+02:00"
    assert item.version == 1 and not item.is_update
    assert item.closing_slug == "/mmu/DP/xy"
    assert item.subheads == ("Kritik aus der Opposition",)
    assert item.subjects[0] == Subject("medtop:20000602", "Militärtechnik", "medtop")
    assert item.subjects[1] == Subject("dpasubject:313", "Verteidigung", "dpasubject")
    assert item.keywords == ("Verteidigung", "Ukraine")


def test_ninjs_picture_without_body_is_media_only() -> None:
    raw = orjson.dumps({"uri": "urn:x:pic:1", "type": "picture", "headlines": [{"value": "Rettungskräfte im Einsatz"}]})
    item = one(raw)
    assert item.media_only and item.paragraphs == ()
    assert item.headline == "Rettungskräfte im Einsatz"


def test_ninjs_nested_sections_in_html_body() -> None:
    body = (
        "<article><section><div><p>BERLIN (dpa) - Erster.</p><div><section><h3>Unterzeile</h3>"
        "<p>Zweiter <b>fett</b> und <a href='#'>Link</a>.</p></section></div></div></section>"
        "<script>alert(1)</script><style>p{}</style><ul><li>Punkt eins</li><li>Punkt zwei</li></ul></article>"
    )
    item = one(orjson.dumps({"uri": "u:1", "headline": "T", "body_html": body}))
    assert item.paragraphs == ("Erster.", "Unterzeile", "Zweiter fett und Link.", "Punkt eins", "Punkt zwei")
    assert item.subheads == ("Unterzeile",)


def test_ninjs_wrong_types() -> None:
    assert reason(orjson.dumps({"uri": "u", "headlines": "not a list"})) == "wrong-type"
    assert reason(orjson.dumps({"uri": "u", "headlines": [1]})) == "wrong-type"
    assert reason(orjson.dumps({"uri": "u", "bodies": [{"value": 5}]})) == "wrong-type"
    assert reason(orjson.dumps({"uri": "u"})) == "no-text"


def test_ninjs_canceled_without_text_passes_as_kill() -> None:
    item = one(orjson.dumps({"uri": "urn:x:1", "version": "3", "pubstatus": "canceled"}))
    assert item.pubstatus == "canceled" and item.extra["kill_notice"] is True
    assert item.story_id == "urn:x:1" and item.version == 3


# --- digitalwires ----------------------------------------------------------------------------


def test_digitalwires_text_item() -> None:
    raw = load("digitalwires_de.json")
    assert detect(raw) == "digitalwires"
    item = one(raw)
    assert item.format == "digitalwires"
    assert item.story_id == "urn:newsml:dpa.com:20090101:250604-99-000123"
    assert item.version == 3 and item.is_update
    assert item.dateline == "Kairo (dpa) - " and item.dateline_place == "Kairo" and item.agency == "dpa"
    assert item.lead.startswith("Die Vermittler sehen")
    assert "Kairo" not in item.lead  # the dateline span is cut out of the text
    assert " Ein Durchbruch" in item.lead  # &#160; became a space
    assert item.subheads == ("Gespräche gehen weiter",)
    assert len(item.paragraphs) == 4  # the empty <p></p> is gone
    assert "«Wir sind vorsichtig optimistisch»" in item.paragraphs[2]
    assert item.closing_slug == "dpa eb yyzz a3 ebe/xyz"
    assert item.kicker == "Nahost" and item.teaser == "Die Gespräche sollen am Wochenende weitergehen."
    assert item.extra["subhead"] == "Nächste Runde in Kairo"
    assert item.urgency == 2 and item.byline == "Von Erika Beispiel, dpa"
    assert Subject("medtop:20000639", "Diplomatie", "dpasubject") in item.subjects
    assert Subject("dpacountry:52", "Ägypten", "geosubject") in item.subjects
    assert Subject("dpacat:pl", "pl", "desk") in item.subjects
    assert Subject("dpatextgenre:26", "Zusammenfassung", "genre") in item.subjects
    assert item.keywords == ("Konflikte",)
    assert all(s.scheme != "wire" for s in item.subjects)


def test_digitalwires_audio_only_is_media_item() -> None:
    item = one(load("digitalwires_audio.json"))
    assert item.media_only is True
    assert item.paragraphs == ()
    assert item.headline.startswith("0777/Hitzewelle")
    assert item.teaser is not None and item.teaser.startswith("HITZEWELLE")
    assert item.story_id == "urn:newsml:dpa.com:20090101:audio:20250604-99-00000777"


def test_digitalwires_canceled_is_a_kill_of_the_same_story() -> None:
    kill = one(load("digitalwires_canceled.json"))
    story = one(load("digitalwires_de.json"))
    assert kill.pubstatus == "canceled" and kill.story_id == story.story_id
    assert kill.version == 4


def test_digitalwires_urn_with_version_suffix() -> None:
    raw = orjson.dumps({"urn": "urn:newsml:dpa.com:20090101:250601-99-000001:5", "headline": "Titel"})
    item = one(raw)
    assert item.story_id == "urn:newsml:dpa.com:20090101:250601-99-000001"
    assert item.version == 5 and item.is_update


def test_digitalwires_without_dateline_is_still_dpa() -> None:
    raw = orjson.dumps({"format": "digitalwires@0.9.1", "urn": "urn:newsml:dpa.com:1:2", "headline": "X",
                        "article_html": "<p>Nur Text.</p>"})
    assert one(raw).agency == "dpa"


# --- NewsML-G2 -------------------------------------------------------------------------------


def test_newsml_item() -> None:
    raw = load("newsml_item.xml")
    assert detect(raw) == "newsml"
    item = one(raw)
    assert item.format == "newsml"
    assert item.story_id == "urn:newsml:dpa.com:20090101:250605-99-000456"
    assert item.version == 2 and item.is_update
    assert item.headline == "EU-Staaten einigen sich auf neues Sanktionspaket"
    assert item.dateline == "Brüssel (dpa) - " and item.dateline_place == "Brüssel" and item.agency == "dpa"
    assert item.lead.startswith("Die EU-Staaten haben sich")
    assert item.paragraphs[2] == (
        "Über Ausnahmen für einzelne Länder war lange gestritten worden. Nun gibt es einen Kompromiss."
    )
    assert item.paragraphs[3] == "Die Kommission begrüßte die Einigung ausdrücklich."
    assert item.subheads == ("Umstrittene Ausnahmen",)
    assert item.closing_slug == "dpa ab cd z2 a3 abc/def"
    assert item.urgency == 2 and item.language == "de"
    assert Subject("medtop:20000639", "Diplomatie", "medtop") in item.subjects
    assert item.keywords == ("Sanktionen",)
    assert item.teaser == "Das Paket soll kommende Woche in Kraft treten."
    assert item.firstcreated == "2025-06-05T13:55:00+02:00"


def test_newsml_message_gives_several_items() -> None:
    items = decode(load("newsml_message.xml"))
    text, picture, kill = items
    assert text.headline == "Parliament approves defence budget" and text.urgency == 1
    assert text.paragraphs == (
        "Parliament approved the defence budget on Friday.",
        "Opposition lawmakers voted against it.",
    )
    assert text.agency == "Reuters" and text.language == "en"
    assert picture.media_only and picture.paragraphs == ()
    assert kill.pubstatus == "canceled" and kill.version == 2


def test_newsml_iso_8859_1_declared_encoding() -> None:
    xml = (
        '<?xml version="1.0" encoding="ISO-8859-1"?>'
        '<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="g1" version="1">'
        "<contentMeta><headline>Grüße aus Köln</headline></contentMeta></newsItem>"
    ).encode("latin-1")
    assert one(xml).headline == "Grüße aus Köln"


def test_newsml_utf16_with_bom() -> None:
    xml = (
        '<?xml version="1.0" encoding="UTF-16"?>'
        '<newsItem guid="g"><contentMeta><headline>Hallo</headline></contentMeta></newsItem>'
    )
    assert one(b"\xff\xfe" + xml.encode("utf-16-le")).headline == "Hallo"


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE newsItem [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<newsItem guid="x"><contentMeta><headline>&xxe;</headline></contentMeta></newsItem>"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<newsItem guid="x"><contentMeta><headline>&lol4;</headline></contentMeta></newsItem>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?><!DOCTYPE newsItem SYSTEM "http://example.invalid/g2.dtd">
<newsItem guid="x"><contentMeta><headline>t</headline></contentMeta></newsItem>"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY % p SYSTEM "http://example.invalid/p">%p;]>
<newsItem guid="x"/>"""


@pytest.mark.parametrize("raw", [XXE, LAUGHS, EXTERNAL_DTD, PARAMETER_ENTITY])
def test_xml_attacks_are_refused(raw: bytes) -> None:
    assert reason(raw) == "xml-unsafe"
    with pytest.raises(DecodeError):
        detect(raw)


def test_xinclude_is_not_followed() -> None:
    raw = (b'<newsItem xmlns:xi="http://www.w3.org/2001/XInclude" guid="x"><contentMeta><headline>T</headline>'
           b'</contentMeta><contentSet><inlineXML><html><body><p>A</p><xi:include href="file:///etc/passwd"/>'
           b"</body></html></inlineXML></contentSet></newsItem>")
    item = one(raw)
    assert item.paragraphs == ("A",)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"<newsItem guid='x'><contentMeta><headline>t</headline></contentMeta>", "invalid-xml"),
        (b"<newsItem guid='x'><contentMeta><headline>&nope;</headline></contentMeta></newsItem>", "invalid-xml"),
        (b"<rss><channel/></rss>", "unknown-format"),
        (b"<!DOCTYPE html><html><body>x</body></html>", "unknown-format"),
        (b"<newsItem guid='x'/>", "no-text"),
        (b"<packageItem guid='p'><groupSet><group><itemRef residref='a'/></group></groupSet></packageItem>", "no-text"),
        (b"<newsItem><contentSet><inlineXML><body>" + b"<div>" * 100 + b"</div>" * 100
         + b"</body></inlineXML></contentSet></newsItem>", "too-deep"),
    ],
)
def test_xml_refusals(raw: bytes, expected: str) -> None:
    assert reason(raw) == expected
