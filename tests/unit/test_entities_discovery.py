"""Discovery rules for unknown names, on sentences written for these tests."""

from __future__ import annotations

import pytest

from streams.entities import KnowledgeBase, load_kb
from streams.entities.extract import find_spans
from streams.models import WireItem


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_kb()


def found(kb: KnowledgeBase, text: str) -> dict[str, str]:
    """text -> type of every non-weak span in a one-paragraph item."""
    item = WireItem(headline="", paragraphs=(text,), format="text", story_id="t")
    return {text[s.start : s.end]: s.type for s in find_spans(item, kb) if not s.weak}


def test_lexicon_surname_alone_in_mid_sentence_is_a_person(kb: KnowledgeBase) -> None:
    assert "Esposito" in kb.lexicon.surnames
    assert found(kb, "Der Vorschlag stammt von Esposito, der ihn im Ausschuss vorstellte.") == {"Esposito": "person"}
    assert found(kb, "Nach dem Spiel lobte Trainer Brambilla die Abwehr.") == {"Brambilla": "person"}


def test_lexicon_surname_is_no_person_after_a_preposition_article_or_capitalised_word(kb: KnowledgeBase) -> None:
    assert found(kb, "Die Firma wurde in Esposito gegründet.").get("Esposito") != "person"
    assert "Esposito" not in found(kb, "Der Esposito-Plan scheiterte im Rat.")
    assert found(kb, "Esposito hat das bestätigt.") == {"Esposito": "person"}  # before a lower-case word
    assert found(kb, "Die Zeitung Corriere Esposito erscheint täglich.").get("Esposito") != "person"


def test_unknown_word_after_locative_preposition_is_a_place(kb: KnowledgeBase) -> None:
    text = "Die Delegation reiste weiter nach Wurzelbrunn und kehrte am Abend zurück."
    assert found(kb, text) == {"Wurzelbrunn": "place"}
    assert found(kb, "Sie stammt aus Dravonik.") == {"Dravonik": "place"}
    assert found(kb, "In Dravonik blieb es ruhig.") == {"Dravonik": "place"}


def test_no_place_after_preposition_for_nouns_names_or_longer_runs(kb: KnowledgeBase) -> None:
    assert found(kb, "Die Gespräche werden in Zukunft in Ruhe weitergeführt.") == {}
    assert found(kb, "Das Gesetz trat nach StGB-Reform in Kraft.") == {}
    assert found(kb, "Er sucht Rat in Glaubensfragen.") == {}  # a compound noun, no place
    assert "Wurzelbrunn" not in found(kb, "Er arbeitet in Wurzelbrunn Consulting.")
    assert "Wurzelbrunn" not in found(kb, "Sie lebt in Wurzelbrunn-Süd.")


def test_place_after_settlement_noun_or_place_prefix(kb: KnowledgeBase) -> None:
    assert found(kb, "Die Gemeinde Dravonik hat neue Pläne.") == {"Dravonik": "place"}
    assert found(kb, "Er kurte in Bad Dravonik.") == {"Bad Dravonik": "place"}
    assert found(kb, "Sie zogen nach St. Dravonik weiter.") == {"St. Dravonik": "place"}


def test_no_place_after_settlement_noun_for_nouns_or_longer_runs(kb: KnowledgeBase) -> None:
    assert found(kb, "Die Stadt Verwaltung arbeitet.") == {}
    assert "Dravonik" not in found(kb, "Die Stadt Dravonik Werke GmbH wächst.")


def test_organisation_named_after_its_kind(kb: KnowledgeBase) -> None:
    assert found(kb, "Der Konzern Veltrago meldete Gewinne.") == {"Veltrago": "organisation"}
    assert found(kb, "Die Rockband Quarzlicht spielt heute.") == {"Quarzlicht": "organisation"}


def test_organisation_kind_needs_a_clear_name(kb: KnowledgeBase) -> None:
    assert found(kb, "Das Unternehmen Gewinne machte.") == {}  # a noun, no name
    assert "Veltrago" not in found(kb, "Der Konzern Veltrago Holding Gruppe wächst.")  # unclear end
    assert found(kb, "Der Verband meldete Zahlen.") == {}  # "*band" ends a word, but no name follows


def test_more_titles_and_reporting_verbs(kb: KnowledgeBase) -> None:
    assert found(kb, "Das Album stammt von Rapper Kwabenya.") == {"Kwabenya": "person"}
    assert found(kb, "Das sei falsch, erwiderte Tekestebu am Abend.") == {"Tekestebu": "person"}


def test_unknown_acronym_after_a_preposition_is_an_organisation(kb: KnowledgeBase) -> None:
    assert found(kb, "Das Team spielt heute QXV vor.") == {}  # no article or preposition before it
    assert found(kb, "Der Vertrag mit QXV wurde verlängert.") == {"QXV": "organisation"}
    assert found(kb, "Er sprach mit QXV KLM über alles.") == {}  # a line in capitals


def test_lone_given_name_in_mid_sentence_is_a_person(kb: KnowledgeBase) -> None:
    assert found(kb, "Am Abend traf sich die Familie, auch Lukas war gekommen.") == {"Lukas": "person"}
    assert found(kb, "Lukas war gekommen.") == {"Lukas": "person"}
    assert "Anders" not in found(kb, "Anders als erwartet blieb es ruhig.")  # the word "anders"
    assert "Lukas" not in found(kb, "Das Buch stammt von Lukas van Dorsten.")  # a longer name
    assert "Lukas" not in found(kb, "Sie besuchten die Kirche St. Lukas am Markt.")


def test_unknown_acronym_in_parentheses_is_an_organisation(kb: KnowledgeBase) -> None:
    assert found(kb, "Das Landesamt für Wasserbau (LAWB) warnte vor Hochwasser.").get("LAWB") == "organisation"


def test_street_names(kb: KnowledgeBase) -> None:
    assert found(kb, "Der Unfall geschah in der Wurzelbrunnstraße am Abend.") == {"Wurzelbrunnstraße": "place"}
    assert found(kb, "Sie wohnt in der Hanna-Kessler-Straße 12b seit Jahren.") == {"Hanna-Kessler-Straße 12b": "place"}
    assert "Hauptstraße" not in found(kb, "Der Unfall geschah auf der Hauptstraße.")  # a common noun


def test_street_or_organisation_after_a_place_adjective(kb: KnowledgeBase) -> None:
    assert found(kb, "Der Unfall geschah an der Bremer Straße gestern.").get("Bremer Straße") == "place"
    assert found(kb, "Das sagte er der Hamburger Morgenpost am Montag.").get("Hamburger Morgenpost") == "organisation"
    assert "Anderer Weg" not in found(kb, "Es gibt keinen Anderer Weg.")


def test_district_joined_to_a_place(kb: KnowledgeBase) -> None:
    assert found(kb, "Die Polizei in Berlin-Mitte nahm zwei Männer fest.").get("Berlin-Mitte") == "place"
    assert found(kb, "Er wohnt in Hamburg-Dravonik seit Jahren.").get("Hamburg-Dravonik") == "place"
    assert "Berlin-Besuch" not in found(kb, "Der Berlin-Besuch des Präsidenten wurde verschoben.")


def test_organisation_head_with_adjective_and_linked_qualifiers(kb: KnowledgeBase) -> None:
    text = "Er lehrt an der Medizinischen Hochschule Hannover."
    assert found(kb, text).get("Medizinischen Hochschule Hannover") == "organisation"
    text = "Das Institut für Arbeit und Soziales der Stadt legte Zahlen vor."
    assert found(kb, text).get("Institut für Arbeit und Soziales") == "organisation"


def test_one_cue_word_may_have_several_kinds(kb: KnowledgeBase) -> None:
    assert found(kb, "Das meldete die Zeitung Morgenblatt am Montag.").get("Morgenblatt") == "organisation"
    assert found(kb, "Das meldete die Bremer Zeitung am Montag.").get("Bremer Zeitung") == "organisation"


def test_road_numbers_and_capital_datelines(kb: KnowledgeBase) -> None:
    assert found(kb, "Auf der A 7 staute sich der Verkehr.").get("A 7") == "place"
    assert "A1" not in found(kb, "Das kleinste Modell, die A1, kostet wenig.")
    assert found(kb, "WURZELBRUNN (dpa) - Der Rat tagte.").get("WURZELBRUNN") == "place"


def test_publisher_named_before_verlag(kb: KnowledgeBase) -> None:
    assert found(kb, "Das Buch erschien im Morgenrot Verlag in Wien.").get("Morgenrot Verlag") == "organisation"


def test_english_company_words_close_a_name(kb: KnowledgeBase) -> None:
    assert found(kb, "Die Aktie von Morvane Holdings stieg.").get("Morvane Holdings") == "organisation"
    text = "Das Unternehmen Morvane Energy zog sich zurück."
    assert found(kb, text).get("Morvane Energy") == "organisation"


def test_organisation_head_before_a_place_that_is_also_a_word(kb: KnowledgeBase) -> None:
    assert found(kb, "Er lehrt an der Universität Gießen seit Jahren.").get("Universität Gießen") == "organisation"
    assert found(kb, "Die Klassen der Realschule Tuttlingen sammelten Geld.").get("Realschule Tuttlingen") == (
        "organisation"
    )


def test_given_name_that_is_a_kb_organisation(kb: KnowledgeBase) -> None:
    assert found(kb, "Auch Zulieferer wie Leonardo legten zu.") == {"Leonardo": "organisation"}
    assert found(kb, "Im Film spielt Leonardo Brambilla die Hauptrolle.") == {"Leonardo Brambilla": "person"}


def test_no_speaker_after_an_article(kb: KnowledgeBase) -> None:
    assert "Morvane" not in found(kb, "Die Morvane sprach von einem Erfolg.")
