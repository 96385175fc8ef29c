"""Agency plain text: headline, byline, dateline, subheads, closing slug, urgency, cleaning."""

from __future__ import annotations

from pathlib import Path

import pytest

from streams.formats import decode, detect
from streams.models import DecodeError, WireItem

FIXTURES = Path(__file__).parent.parent / "fixtures" / "formats"


def one(raw: bytes | str) -> WireItem:
    data = raw.encode() if isinstance(raw, str) else raw
    items = decode(data)
    assert len(items) == 1
    return items[0]


def test_dpa_item_with_headline_byline_subhead_and_glued_slug() -> None:
    raw = (FIXTURES / "dpa_text_de.txt").read_bytes()
    assert detect(raw) == "text"
    item = one(raw)
    assert item.format == "text"
    assert item.headline == "Außenminister beraten in Genf über Waffenruhe für Sudan"
    assert "headline_derived" not in item.extra
    assert item.byline == "Von Petra Beispiel, dpa"
    assert item.dateline == "GENF (dpa) - "
    assert item.dateline_place == "Genf"
    assert item.agency == "dpa"
    assert item.closing_slug == "/pbe/DP/ab"
    assert item.subheads == ("Vermittler hoffen auf Signal aus Kairo",)
    assert item.lead.startswith("Die Außenminister mehrerer Nachbarstaaten")
    assert item.paragraphs[-1].endswith("vorbereitet werden.")
    assert len(item.paragraphs) == 4
    assert item.language == "de"
    assert item.story_id.startswith("h:")
    assert item.version == 1 and not item.is_update


def test_hard_wrapped_lines_are_joined() -> None:
    item = one((FIXTURES / "dpa_text_de.txt").read_bytes())
    assert "\n" not in item.body.replace("\n\n", "")
    assert "in Genf über eine Waffenruhe" in item.lead


def test_no_headline_derives_one_from_first_sentence() -> None:
    item = one((FIXTURES / "afx_text_no_headline.txt").read_bytes())
    assert item.extra["headline_derived"] is True
    assert item.headline.startswith("Die Aktie des Chemiekonzerns Musterchem")
    assert len(item.headline) <= 121
    assert item.dateline == "FRANKFURT (dpa-AFX) - "
    assert item.agency == "dpa-AFX"
    assert item.closing_slug == "dpa-AFX xyz/ab/cd"
    assert item.paragraphs[-1].endswith("Bestätigung der Ziele gerechnet.")


def test_derived_headline_stops_at_sentence_end_not_at_ordinal() -> None:
    item = one("BERLIN (dpa) - Am 3. Oktober feiert Deutschland die Einheit. Weitere Sätze folgen hier.")
    assert item.headline == "Am 3. Oktober feiert Deutschland die Einheit."


def test_long_first_sentence_is_cut_at_word_boundary() -> None:
    lead = "PARIS (AFP) - " + " ".join(["Regierung"] * 40) + "."
    item = one(lead)
    assert item.headline.endswith("…")
    assert len(item.headline) <= 121
    assert item.dateline_place == "Paris" and item.agency == "AFP"


def test_reuters_dateline_with_date_english() -> None:
    item = one((FIXTURES / "reuters_text_en.txt").read_bytes())
    assert item.headline == "Foreign ministers to meet in Vienna on grain corridor"
    assert item.dateline == "BERLIN, June 3 (Reuters) - "
    assert item.dateline_place == "Berlin"
    assert item.agency == "Reuters"
    assert item.language == "en"
    assert item.lead.startswith("Foreign ministers from a dozen countries")
    assert item.subheads == ()


def test_breaking_marker_sets_urgency_and_keeps_text() -> None:
    item = one((FIXTURES / "ap_text_breaking.txt").read_bytes())
    assert item.headline.startswith("BREAKING: Senate passes")
    assert item.urgency == 1
    assert item.dateline == "WASHINGTON (AP) — "
    assert item.agency == "AP"
    assert item.dateline_place == "Washington"


@pytest.mark.parametrize(
    ("headline", "urgent"),
    [
        ("Eilmeldung: Regierung tritt zurück", True),
        ("EIL: Bundestag wählt Kanzler", True),
        ("URGENT - Ceasefire announced", True),
        ("+++ Eilmeldung +++ Beben in Japan", True),
        ("Eilverfahren gegen Bauprojekt gestoppt", False),
        ("Breakingpoint for talks", False),
    ],
)
def test_urgency_markers(headline: str, urgent: bool) -> None:
    item = one(f"{headline}\n\nBERLIN (dpa) - Ein Satz mit Inhalt für die Meldung.")
    assert (item.urgency == 1) is urgent
    assert item.headline == headline


@pytest.mark.parametrize(
    ("dateline", "place", "agency"),
    [
        ("KIEW (dpa-AFX) - ", "Kiew", "dpa-AFX"),
        ("Berlin (dpa) - ", "Berlin", "dpa"),
        ("NEW YORK (dpa) – ", "New York", "dpa"),
        ("FRANKFURT AM MAIN (dpa) - ", "Frankfurt am Main", "dpa"),
        ("Halle (Saale) (dpa) - ", "Halle (Saale)", "dpa"),
        ("BERLIN (Reuters) -", "Berlin", "Reuters"),
        ("PARIS (AFP) - ", "Paris", "AFP"),
        ("WASHINGTON (AP) — ", "Washington", "AP"),
        ("München (dpa/lby) - ", "München", "dpa"),
    ],
)
def test_dateline_variants(dateline: str, place: str, agency: str) -> None:
    item = one(f"Titelzeile der Meldung\n\n{dateline}Der erste Absatz beginnt hier und endet hier.")
    assert item.dateline is not None and item.dateline.strip() == dateline.strip()
    assert item.dateline_place == place
    assert item.agency == agency
    assert item.lead == "Der erste Absatz beginnt hier und endet hier."


def test_party_in_parentheses_is_not_a_dateline() -> None:
    item = one("Merz (CDU) - das ist kein Ortsmarker, sondern ein Satz mit Partei.")
    assert item.dateline is None and item.agency is None
    assert item.lead.startswith("Merz (CDU)")


def test_slug_alone_on_last_line_and_as_own_block() -> None:
    a = one("Titel\n\nBERLIN (dpa) - Text des Absatzes.\n/abc/DP/de")
    assert a.closing_slug == "/abc/DP/de" and a.paragraphs == ("Text des Absatzes.",)
    b = one("Titel\n\nBERLIN (dpa) - Text des Absatzes.\n\ndpa xy yy z2 a3 abc/def\n")
    assert b.closing_slug == "dpa xy yy z2 a3 abc/def" and b.paragraphs == ("Text des Absatzes.",)


def test_url_at_end_is_not_a_slug() -> None:
    item = one("Titel\n\nBERLIN (dpa) - Mehr unter example.org/ab/cd")
    assert item.closing_slug is None


def test_crlf_nbsp_zero_width_and_bidi_are_cleaned() -> None:
    raw = (
        "Gipfel\u00a0in\u200b Brüssel\r\n\r\nBRÜSSEL (dpa) - Die EU\u202e-Staaten\u2066 beraten\u00a0heute."
        "\u200d\r\n\r\nZweiter\tAbsatz\u2069 folgt.\r\n"
    ).encode()
    item = one(raw)
    assert item.headline == "Gipfel in Brüssel"
    assert item.paragraphs == ("Die EU-Staaten beraten heute.", "Zweiter Absatz folgt.")
    assert item.dateline_place == "Brüssel"


def test_decomposed_umlauts_become_nfc() -> None:
    item = one("Gru\u0308ne fordern Ausstieg\n\nBERLIN (dpa) - Die Gru\u0308nen fordern mehr.")
    assert item.headline == "Grüne fordern Ausstieg"


def test_utf8_bom_is_stripped() -> None:
    item = one(b"\xef\xbb\xbf" + b"Titel\n\nBERLIN (dpa) - Inhalt folgt.")
    assert item.headline == "Titel"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom_is_decoded(codec: str) -> None:
    bom = b"\xff\xfe" if codec.endswith("le") else b"\xfe\xff"
    item = one(bom + "Überschrift\n\nBERLIN (dpa) - Der Text läuft.".encode(codec))
    assert item.headline == "Überschrift" and item.lead == "Der Text läuft."


def test_utf16_without_bom_is_binary() -> None:
    with pytest.raises(DecodeError) as err:
        decode("Überschrift und Text".encode("utf-16-le"))
    assert err.value.reason == "binary"


def test_empty_paragraphs_and_whitespace_lines_are_ignored() -> None:
    item = one("Titel\n \n\t\n\nBERLIN (dpa) - Erster.\n\n   \n\n\nZweiter Absatz.")
    assert item.paragraphs == ("Erster.", "Zweiter Absatz.")


def test_subhead_needs_paragraphs_around_it() -> None:
    item = one("Titel\n\nBERLIN (dpa) - Erster Absatz.\n\nKurze Zeile ohne Punkt")
    assert item.subheads == ()


def test_few_stray_controls_are_dropped_but_garbage_is_binary() -> None:
    item = one(b"\x01Titel\n\nBERLIN (dpa) - Text mit \x1b Steuerzeichen.\x03")
    assert item.headline == "Titel" and item.lead == "Text mit Steuerzeichen."
    with pytest.raises(DecodeError) as err:
        decode(bytes(range(1, 9)) * 20)
    assert err.value.reason == "binary"


def test_content_hash_is_stable_and_agency_sensitive() -> None:
    a = one("Titel\n\nBERLIN (dpa) - Text.")
    b = one("Titel\n\nBERLIN (dpa) - Text.\n\nNeuer zweiter Absatz.")
    c = one("Titel\n\nBERLIN (AFP) - Text.")
    assert a.story_id == b.story_id != c.story_id
    assert a.record_id == f"{a.story_id}:1"


def test_seed_like_structure_without_headline_line() -> None:
    raw = (
        "KIEW (dpa-AFX) - Die Regierung will die Gespräche fortsetzen. Ein Termin steht fest.\n\n"
        "Zweiter Absatz mit weiteren Details zum Treffen.\n\n"
        "Präsident: Gespräche nur auf höchster Ebene\n\n"
        "Dritter Absatz mit einem Zitat./abc/DP/zb"
    )
    item = one(raw)
    assert item.headline == "Die Regierung will die Gespräche fortsetzen."
    assert item.extra["headline_derived"] is True
    assert item.subheads == ("Präsident: Gespräche nur auf höchster Ebene",)
    assert item.closing_slug == "/abc/DP/zb"
    assert item.paragraphs[-1] == "Dritter Absatz mit einem Zitat."


@pytest.mark.parametrize(
    ("headline", "update"),
    [
        ("WDH/ROUNDUP: Regierung beschließt Haushalt", True),
        ("KORREKTUR: Zahl der Verletzten gestiegen", True),
        ("UPDATE 2-Central bank holds rates", True),
        ("CORRECTED-Oil prices fall", True),
        ("ROUNDUP: Regierung beschließt Haushalt", False),
        ("Update für die Software verfügbar", False),
    ],
)
def test_update_markers_in_headline(headline: str, update: bool) -> None:
    item = one(f"{headline}\n\nBERLIN (dpa) - Ein Satz mit Inhalt für die Meldung.")
    assert item.is_update is update
    assert item.headline == headline
