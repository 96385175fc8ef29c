"""Entity extraction on short wire-style sentences written for these tests."""

from __future__ import annotations

import pytest

from streams.entities import KnowledgeBase, extract, find_spans, load_kb
from streams.models import Entity, WireItem


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_kb()


def item(body: str, headline: str = "", **extra: object) -> WireItem:
    paragraphs = tuple(p for p in body.split("\n\n") if p)
    return WireItem(headline=headline, paragraphs=paragraphs, format="text", story_id="t", **extra)  # type: ignore[arg-type]


def by_id(entities: tuple[Entity, ...]) -> dict[str | None, Entity]:
    return {e.id: e for e in entities}


def named(entities: tuple[Entity, ...], name: str) -> Entity:
    return next(e for e in entities if e.name == name)


def test_known_people_places_and_orgs_are_linked(kb: KnowledgeBase) -> None:
    text = "Bundeskanzler Friedrich Merz (CDU) traf in Berlin Nato-Generalsekretär Mark Rutte."
    ents = by_id(extract(item(text), kb))
    assert ents["person/friedrich-merz"].wikidata is None  # no QID unless verified
    assert ents["org/cdu"].type == "organisation"
    assert ents["place/berlin"].wikidata == "Q64"
    assert ents["place/berlin"].country == "DE"
    assert ents["person/mark-rutte"].type == "person"


def test_offsets_point_at_the_mentioned_text(kb: KnowledgeBase) -> None:
    it = item(
        "Erster Absatz über Kiew.\n\nIm zweiten Absatz spricht Wolodymyr Selenskyj in Kyjiw.",
        headline="Selenskyj reist nach Istanbul",
    )
    for entity in extract(it, kb):
        for m in entity.mentions:
            source = it.headline if m.field == "headline" else it.body
            assert source[m.start : m.end] == m.text
    kiew = by_id(extract(it, kb))["place/kiew"]
    assert [m.text for m in kiew.mentions] == ["Kiew", "Kyjiw"]


def test_german_genitive_and_inflection(kb: KnowledgeBase) -> None:
    ents = by_id(extract(item("Putins Krieg, Selenskyjs Appell, Moskaus Drohung und Russlands Armee."), kb))
    assert [m.text for m in ents["person/wladimir-putin"].mentions] == ["Putins"]
    assert [m.text for m in ents["person/wolodymyr-selenskyj"].mentions] == ["Selenskyjs"]
    assert ents["place/moskau"].mentions[0].text == "Moskaus"
    assert ents["country/ru"].mentions[0].text == "Russlands"


def test_transliterations_map_to_one_entity(kb: KnowledgeBase) -> None:
    text = "Zelensky und Selenskyi, Umerov und Umjerow, Charkiw und Kharkiv, Støre und Stoere."
    ents = by_id(extract(item(text), kb))
    assert len(ents["person/wolodymyr-selenskyj"].mentions) == 2
    assert len(ents["person/rustem-umjerow"].mentions) == 2
    assert len(ents["place/charkiw"].mentions) == 2
    assert len(ents["person/jonas-gahr-stoere"].mentions) == 2


def test_adjectives_link_to_the_country_as_weak_mentions(kb: KnowledgeBase) -> None:
    ents = by_id(extract(item("Die ukrainischen Soldaten wehrten den russischen Angriff ab."), kb))
    assert [m.text for m in ents["country/ua"].mentions] == ["ukrainischen"]
    assert [m.text for m in ents["country/ru"].mentions] == ["russischen"]
    strong = by_id(extract(item("Die Ukraine wehrte den Angriff ab."), kb))
    assert strong["country/ua"].salience > ents["country/ua"].salience


def test_capitalisation_is_required(kb: KnowledgeBase) -> None:
    assert "person/friedrich-merz" not in by_id(extract(item("Im merz ist es kalt."), kb))
    assert "country/tr" not in by_id(extract(item("Er schloss die türkei-tür."), kb))


def test_longest_match_wins(kb: KnowledgeBase) -> None:
    ents = by_id(extract(item("Die Deutsche Bank und der Israel Katz nahe Stehende sprachen."), kb))
    assert "org/deutsche-bank" in ents
    assert "country/de" not in ents  # "Deutsche" is inside the bank's name
    assert "person/israel-katz" in ents
    assert "country/il" not in ents


def test_ambiguous_surname_needs_full_name_or_title(kb: KnowledgeBase) -> None:
    alone = by_id(extract(item("Reiche kaufen Yachten."), kb))
    assert "person/katherina-reiche" not in alone
    full = by_id(extract(item("Katherina Reiche reiste ab. Später sagte Reiche, es gehe voran."), kb))
    assert len(full["person/katherina-reiche"].mentions) == 2
    titled = by_id(extract(item("Wirtschaftsministerin Reiche reiste ab."), kb))
    assert "person/katherina-reiche" in titled


def test_distinctive_surname_stands_alone(kb: KnowledgeBase) -> None:
    ents = by_id(extract(item("Merz sagte, Putin müsse verhandeln."), kb))
    assert {"person/friedrich-merz", "person/wladimir-putin"} <= set(ents)


def test_georgia_depends_on_context(kb: KnowledgeBase) -> None:
    country = by_id(extract(item("Georgia wants to join the EU, officials in Tbilisi said."), kb))
    assert "country/ge" in country
    state = by_id(extract(item("Voters in Georgia lined up in Atlanta on election day."), kb))
    assert "place/georgia-us" in state
    assert "country/ge" not in state


def test_weapon_systems(kb: KnowledgeBase) -> None:
    text = (
        "Die Ukraine erhält zwei Patriot-Systeme, weitere Patriots, IRIS-T und Taurus; "
        "Russland setzt Shahed-Drohnen ein."
    )
    ents = by_id(extract(item(text), kb))
    for wid in ("weapon/patriot", "weapon/iris-t", "weapon/taurus", "weapon/shahed"):
        assert ents[wid].type == "weapon"
    assert len(ents["weapon/patriot"].mentions) == 2


def test_discovered_person_after_title(kb: KnowledgeBase) -> None:
    ents = extract(item("Der Sprecher Jaromir Kowaltschuk widersprach am Dienstag."), kb)
    person = named(ents, "Jaromir Kowaltschuk")
    assert person.type == "person"
    assert person.id is None


def test_discovered_person_with_party_tag(kb: KnowledgeBase) -> None:
    ents = extract(item("Das kritisierte der Abgeordnete Kowalczyk-Brenner (SPD) scharf."), kb)
    assert named(ents, "Kowalczyk-Brenner").type == "person"
    assert by_id(ents)["org/spd"].type == "organisation"


def test_discovered_person_by_given_name_and_later_surname(kb: KnowledgeBase) -> None:
    ents = extract(item("Jana Wolkenstein leitet das Projekt. Wolkenstein sagte, es laufe gut."), kb)
    person = named(ents, "Jana Wolkenstein")
    assert [m.text for m in person.mentions] == ["Jana Wolkenstein", "Wolkenstein"]


def test_discovered_organisations(kb: KnowledgeBase) -> None:
    text = "Die Beispielwerk GmbH und das Institut für Friedensforschung sowie der FC Musterstadt reagierten."
    ents = extract(item(text), kb)
    assert named(ents, "Beispielwerk GmbH").type == "organisation"
    assert named(ents, "Institut für Friedensforschung").type == "organisation"
    assert named(ents, "FC Musterstadt").type == "organisation"


def test_common_nouns_are_not_discovered(kb: KnowledgeBase) -> None:
    ents = extract(item("Die Regierung sagte, die Gespräche über die Waffenruhe gingen weiter."), kb)
    assert ents == ()


def test_dateline_place_is_salient(kb: KnowledgeBase) -> None:
    it = item("Die Gespräche in Berlin und Kiew gehen weiter.", dateline="KIEW (dpa) - ", dateline_place="Kiew")
    ents = extract(it, kb)
    assert ents[0].id == "place/kiew"


def test_headline_mentions_weigh_more(kb: KnowledgeBase) -> None:
    ents = extract(item("Später äußerte sich auch Macron.", headline="Scholz in Warschau"), kb)
    ids = [e.id for e in ents]
    assert ids.index("person/olaf-scholz") < ids.index("person/emmanuel-macron")
    assert 0.0 < ents[-1].salience < ents[0].salience <= 1.0


def test_one_entity_per_id_with_all_mentions(kb: KnowledgeBase) -> None:
    ents = extract(item("Die Nato tagt. Die NATO berät. Nato-Staaten streiten."), kb)
    nato = [e for e in ents if e.id == "org/nato"]
    assert len(nato) == 1
    assert len(nato[0].mentions) == 3


def test_english_text(kb: KnowledgeBase) -> None:
    text = "President Donald Trump met Ukrainian Foreign Minister Andrii Sybiha at the White House."
    ents = by_id(extract(item(text), kb))
    assert {"person/donald-trump", "person/andrij-sybiha", "org/weisses-haus", "country/ua"} <= set(ents)


def test_empty_item(kb: KnowledgeBase) -> None:
    assert extract(item(""), kb) == ()


def test_offsets_count_characters_outside_latin1(kb: KnowledgeBase) -> None:
    """Offsets are str offsets (code points) also where a text holds characters outside Latin-1,
    which the compiled scan searches apart ("Erdoğan", "Chișinău", the quotes „“ and the dash –)."""
    text = (
        "Der türkische Präsident Recep Tayyip Erdoğan traf in Chișinău den Kremlchef Wladimir Putin. "
        "„Wir reden“, sagte Erdoğan – in Köln."
    )
    found = [(s.start, s.end, s.name, s.field) for s in find_spans(item(text), kb) if not s.weak]
    assert found == [
        (24, 44, "Recep Tayyip Erdoğan", "body"),
        (53, 61, "Chisinau", "body"),
        (76, 90, "Wladimir Putin", "body"),
        (111, 118, "Recep Tayyip Erdoğan", "body"),
        (124, 128, "Köln", "body"),
    ]
    assert [text[start:end] for start, end, _, _ in found] == [
        "Recep Tayyip Erdoğan", "Chișinău", "Wladimir Putin", "Erdoğan", "Köln"
    ]
    mentions = named(extract(item(text), kb), "Recep Tayyip Erdoğan").mentions
    assert [(m.text, m.start, m.end) for m in mentions] == [("Recep Tayyip Erdoğan", 24, 44), ("Erdoğan", 111, 118)]
