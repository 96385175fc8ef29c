"""Topic classifier: taxonomy loading and validation, scoring behaviour, evidence offsets.

Items here are written for these tests in wire style; none is taken from outside material.
"""

from __future__ import annotations

import math
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.classify import (
    DEFAULT_PATH,
    LIST_KEYS,
    Taxonomy,
    TaxonomyError,
    _char_table,
    classify,
    explain,
    load_taxonomy,
    parse_taxonomy,
)
from streams.models import TopicScore, WireItem
from tests.reference_matching import PatternMatcher, find_split


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return load_taxonomy()


def item(headline: str, *paragraphs: str, language: str | None = "de", subheads: tuple[str, ...] = ()) -> WireItem:
    return WireItem(
        headline=headline,
        paragraphs=tuple(paragraphs),
        format="text",
        story_id="t-1",
        language=language,
        subheads=subheads,
    )


def by_id(scores: tuple[TopicScore, ...]) -> dict[str, TopicScore]:
    return {s.id: s for s in scores}


def labels(scores: tuple[TopicScore, ...]) -> set[str]:
    return {s.id for s in scores if s.labelled}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "taxonomy.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


MINIMAL = """
    version = "test-1"

    [[topics]]
    id = "strikes"
    labels = { de = "Angriffe", en = "Strikes" }
    iptc = "medtop:20000056"
    cameo = "195"
    threshold = 0.5

    [[topics.cues]]
    weight = 3.0
    en = ["airstrike*"]

    [[topics.cues]]
    weight = 2.0
    sense = "attack"
    en = ["strike", "strikes"]

    [[topics.contexts]]
    id = "labour"
    effect = "cancel"
    senses = ["attack"]
    min = 1.0
    en = ["union", "wages"]

    [[topics.contexts]]
    id = "military"
    effect = "confirm"
    senses = ["attack"]
    min = 1.0
    en = ["missiles", "troops", "killed"]
"""


# --- the shipped taxonomy -------------------------------------------------------------------


def test_shipped_taxonomy_loads_with_the_fixed_topics_and_codes(taxonomy: Taxonomy) -> None:
    assert taxonomy.version
    assert taxonomy.ids == ("diplomacy", "military_aid", "strikes")
    codes = {t.id: (t.iptc, t.cameo) for t in taxonomy.topics}
    assert codes["diplomacy"] == ("medtop:20000639", "046")
    assert codes["military_aid"][1] == "072"
    assert codes["strikes"][1] == "195"
    for topic in taxonomy.topics:
        assert topic.labels["de"] and topic.labels["en"]
        assert 0.0 < topic.threshold < 1.0
        assert len(topic.cues) > 20


def test_none_and_explicit_path_load_the_same_file() -> None:
    assert load_taxonomy(None) == load_taxonomy(DEFAULT_PATH) == load_taxonomy(str(DEFAULT_PATH))


# --- validation -----------------------------------------------------------------------------


def test_every_problem_is_listed_in_one_error(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        colour = "blue"

        [[topics]]
        id = "strikes"
        labels = { de = "Angriffe" }
        cameo = "195"
        threshold = 1.5
        mood = "grim"

        [[topics.cues]]
        weight = 9.0
        en = ["airstrike*", "shelling", "shelling"]

        [[topics.cues]]
        weight = 1.0
        sense = "attack"
        en = ["strike", "a*b"]

        [[topics.contexts]]
        id = "labour"
        effect = "cancel"
        senses = ["attack", "ghost"]
        en = ["strike", "union"]
        """,
    )
    with pytest.raises(TaxonomyError) as caught:
        load_taxonomy(path)
    problems = caught.value.problems
    text = "\n".join(problems)
    expected = [
        "unknown key 'colour'",
        "missing required key 'version'",
        "unknown key 'mood'",
        "missing required key 'iptc'",
        "labels.en missing",
        "threshold 1.5 out of range",
        "weight 9.0 out of range",
        "duplicate cue 'shelling'",
        "'a*b' has '*' inside",
        "'strike' is both a cue and a canceller",
        "sense 'ghost' is used by no cue",
    ]
    for fragment in expected:
        assert fragment in text, fragment
    assert len(problems) >= len(expected)
    assert str(path) in str(caught.value)


def test_conflicting_weights_for_one_cue_are_refused() -> None:
    data = {
        "version": "x",
        "topics": [
            {
                "id": "diplomacy",
                "labels": {"de": "Diplomatie", "en": "Diplomacy"},
                "iptc": "medtop:20000639",
                "cameo": "046",
                "threshold": 0.5,
                "cues": [{"weight": 3.0, "de": ["Waffenruhe*"]}, {"weight": 1.0, "de": ["waffenruhe*"]}],
            }
        ],
    }
    with pytest.raises(TaxonomyError, match="conflicts with itself"):
        parse_taxonomy(data)


def test_a_cue_spelled_alike_in_two_languages_is_allowed() -> None:
    data = {
        "version": "x",
        "topics": [
            {
                "id": "diplomacy",
                "labels": {"de": "Diplomatie", "en": "Diplomacy"},
                "iptc": "medtop:20000639",
                "cameo": "046",
                "threshold": 0.5,
                "cues": [{"weight": 1.5, "de": ["Delegation*"], "en": ["delegation*"]}],
            }
        ],
    }
    assert parse_taxonomy(data).ids == ("diplomacy",)


def test_scoring_values_out_of_range_are_reported(tmp_path: Path) -> None:
    path = write(
        tmp_path, MINIMAL.replace('version = "test-1"', 'version = "v"\n[scoring]\nsaturation = 0\nrepeat_decay = 2\n')
    )
    with pytest.raises(TaxonomyError) as caught:
        load_taxonomy(path)
    assert any("scoring.saturation" in p for p in caught.value.problems)
    assert any("scoring.repeat_decay" in p for p in caught.value.problems)


def test_unreadable_or_broken_files_raise_taxonomy_error(tmp_path: Path) -> None:
    with pytest.raises(TaxonomyError, match="cannot read"):
        load_taxonomy(tmp_path / "missing.toml")
    with pytest.raises(TaxonomyError, match="not valid TOML"):
        load_taxonomy(write(tmp_path, "version = \n"))


# --- scoring --------------------------------------------------------------------------------


def test_one_score_per_topic_in_taxonomy_order_with_codes(taxonomy: Taxonomy) -> None:
    scores = classify(
        item("Luftangriff auf Hafenstadt", "Bei einem Luftangriff wurden drei Menschen getötet."), taxonomy
    )
    assert tuple(s.id for s in scores) == taxonomy.ids
    for score, topic in zip(scores, taxonomy.topics, strict=True):
        assert 0.0 <= score.score < 1.0
        assert score.labelled == (score.score >= topic.threshold)
        assert (score.iptc, score.cameo) == (topic.iptc, topic.cameo)
    assert labels(scores) == {"strikes"}


def test_an_item_without_text_scores_zero_everywhere(taxonomy: Taxonomy) -> None:
    scores = classify(item(""), taxonomy)
    assert all(s.score == 0.0 and not s.labelled and not s.evidence for s in scores)


def test_labour_context_cancels_the_strike_sense(tmp_path: Path) -> None:
    tax = load_taxonomy(write(tmp_path, MINIMAL))
    labour = by_id(classify(item("Dock workers strike", "The union wants higher wages.", language="en"), tax))
    assert labour["strikes"].score == 0.0
    military = by_id(classify(item("Strikes hit the port", "Missiles killed ten, troops said.", language="en"), tax))
    assert military["strikes"].labelled
    # both contexts present: the strike sense keeps the military share only
    mixed = by_id(classify(item("Strikes hit the port", "Missiles hit; the union wants wages.", language="en"), tax))
    assert 0.0 < mixed["strikes"].score < military["strikes"].score


def test_an_ambiguous_cue_without_context_counts_only_a_little(tmp_path: Path) -> None:
    tax = load_taxonomy(write(tmp_path, MINIMAL))
    alone = by_id(classify(item("A strike", language="en"), tax))["strikes"].score
    confirmed = by_id(classify(item("A strike", "Troops said so.", language="en"), tax))["strikes"].score
    assert 0.0 < alone < confirmed


def test_hard_negatives_of_the_shipped_taxonomy(taxonomy: Taxonomy) -> None:
    negatives = [
        item(
            "Verdi ruft zu Warnstreik an Flughäfen auf",
            "Die Gewerkschaft Verdi fordert in den Tarifverhandlungen höhere Löhne. Die Arbeitgeber sprechen"
            " von einem Angriff auf die Reisefreiheit.",
        ),
        item(
            "Stürmer schießt Leverkusen zum Sieg",
            "Mit zwei Toren entschied der Stürmer das Spiel. Nach der Halbzeit rollte Angriff um Angriff auf"
            " das Tor der Gäste, der Trainer war zufrieden.",
        ),
        item(
            "Rakete bringt Satelliten in den Orbit",
            "Die Rakete hob am Morgen von der Startrampe ab und setzte den Satelliten in der Umlaufbahn aus.",
        ),
        item(
            "Cyberangriff legt Rathaus lahm",
            "Hacker haben die IT-Systeme der Stadt verschlüsselt. Der Angriff traf auch die Bürgerämter.",
        ),
        item(
            "Weltkriegsbombe in Hannover entschärft",
            "Der Kampfmittelräumdienst hat die Fliegerbombe am Vormittag entschärft. Die Bombe lag in einer Baugrube.",
        ),
        item(
            "Verhandlung gegen früheren Bürgermeister vertagt",
            "Das Landgericht hat die Verhandlung vertagt. Der Angeklagte und sein Verteidiger erschienen nicht,"
            " die Staatsanwaltschaft beantragte einen Haftbefehl.",
        ),
        item(
            "Dockworkers go on strike over pay",
            "Thousands of dockworkers went on strike after union members rejected a pay offer.",
            language="en",
        ),
        item(
            "Regulators and carmaker strike a deal",
            "The company struck a deal with regulators over emissions, its shares rose in early trading.",
            language="en",
        ),
        item(
            "Activists begin hunger strike outside ministry",
            "The group began a hunger strike on Monday to protest against new mining permits.",
            language="en",
        ),
    ]
    for negative in negatives:
        assert labels(classify(negative, taxonomy)) == set(), negative.headline


def test_headline_counts_more_than_a_late_paragraph(taxonomy: Taxonomy) -> None:
    filler = "Die Lage in der Region blieb nach Angaben von Beobachtern zunächst unübersichtlich."
    in_headline = item("Waffenruhe vereinbart", filler, filler, filler, filler, filler, filler)
    late = item(
        "Lage unübersichtlich", filler, filler, filler, filler, filler, filler, "Eine Waffenruhe wurde vereinbart."
    )
    early = by_id(classify(in_headline, taxonomy))["diplomacy"].score
    later = by_id(classify(late, taxonomy))["diplomacy"].score
    assert early > later > 0.0


def test_a_subhead_restarts_the_position_decay(taxonomy: Taxonomy) -> None:
    filler = "Die Lage in der Region blieb nach Angaben von Beobachtern zunächst unübersichtlich."
    tail = "Deutschland sagte der Ukraine weitere Waffenlieferungen zu."
    plain = item("Lage unübersichtlich", filler, filler, filler, filler, filler, tail)
    sectioned = item(
        "Lage unübersichtlich",
        filler,
        filler,
        filler,
        filler,
        "Neue Hilfe aus Berlin",
        tail,
        subheads=("Neue Hilfe aus Berlin",),
    )
    assert (
        by_id(classify(sectioned, taxonomy))["military_aid"].score
        > by_id(classify(plain, taxonomy))["military_aid"].score
    )


def test_length_alone_does_not_win(taxonomy: Taxonomy) -> None:
    lead = "Bei einem Drohnenangriff auf die Stadt wurden zwei Menschen getötet, teilte die Armee mit."
    filler = "Die Behörden kündigten für die kommenden Tage weitere Informationen an."
    short = by_id(classify(item("Drohnenangriff auf Stadt", lead), taxonomy))["strikes"].score
    padded = by_id(classify(item("Drohnenangriff auf Stadt", lead, *[filler] * 40), taxonomy))["strikes"].score
    assert padded <= short
    repeated = item("Drohnenangriff auf Stadt", *[lead] * 30)
    many = by_id(classify(repeated, taxonomy))["strikes"].score
    once = by_id(classify(item("Drohnenangriff auf Stadt", lead), taxonomy))["strikes"].score
    assert many < 1.0
    assert many - once < 0.1  # repeats saturate instead of adding up


def test_score_is_the_saturated_evidence(taxonomy: Taxonomy) -> None:
    scores = classify(item("Waffenruhe", language="de"), taxonomy)
    diplomacy = by_id(scores)["diplomacy"]
    evidence = sum(e.weight for e in diplomacy.evidence)
    assert diplomacy.score == pytest.approx(1.0 - math.exp(-taxonomy.scoring.saturation * evidence), abs=1e-3)


def test_evidence_offsets_point_into_headline_and_body(taxonomy: Taxonomy) -> None:
    wire = item(
        "Drohnenangriffe auf Charkiw",
        "KIEW (dpa) - Russland hat Charkiw in der Nacht mit Drohnen angegriffen.",
        "Bei den Luftangriffen wurden nach Behördenangaben drei Menschen getötet.",
    )
    strikes = by_id(classify(wire, taxonomy))["strikes"]
    assert strikes.labelled
    seen = set()
    for ev in strikes.evidence:
        text = wire.headline if ev.field == "headline" else wire.body
        word = text[ev.start : ev.end]
        assert word and word == word.strip()
        seen.add((ev.field, word))
    assert ("headline", "Drohnenangriffe auf") in seen or ("headline", "Drohnenangriffe") in seen
    assert ("body", "Luftangriffen") in seen  # the whole compound, not just the matched stem
    weights = [e.weight for e in strikes.evidence]
    assert weights == sorted(weights, reverse=True)


def test_evidence_is_capped(taxonomy: Taxonomy) -> None:
    sentence = "Luftangriffe, Drohnenangriffe, Raketenangriffe, Bombardements und Artilleriebeschuss trafen die Stadt."
    wire = item("Angriffe", *[sentence] * 20)
    for score in classify(wire, taxonomy):
        cap = taxonomy.scoring.evidence_cap if score.labelled else taxonomy.scoring.evidence_cap_unlabelled
        assert len(score.evidence) <= cap


def test_blockers_drop_the_cues_they_cover(taxonomy: Taxonomy) -> None:
    war = item("Russlands Angriffskrieg geht weiter", "Der Angriffskrieg dauert an.")
    assert by_id(classify(war, taxonomy))["strikes"].score == 0.0


def test_language_selects_the_cue_lists(taxonomy: Taxonomy) -> None:
    text = ("Friedensgespräche in Genf", "Die Delegationen verhandeln über eine Waffenruhe.")
    assert by_id(classify(item(*text, language="de"), taxonomy))["diplomacy"].labelled
    assert by_id(classify(item(*text, language="de-DE"), taxonomy))["diplomacy"].labelled
    assert by_id(classify(item(*text, language=None), taxonomy))["diplomacy"].labelled
    assert not by_id(classify(item(*text, language="en"), taxonomy))["diplomacy"].labelled


def test_a_sectioned_roundup_reaches_all_three_desks(taxonomy: Taxonomy) -> None:
    roundup = item(
        "Kiew meldet schwere Angriffe - Gespräche in Genf geplant",
        "KIEW (dpa-AFX) - Russland hat die Ukraine in der Nacht mit Drohnen und Raketen angegriffen, in Odessa"
        " wurden zwei Menschen getötet. Die Flugabwehr fing nach Armeeangaben mehr als 50 Drohnen ab.",
        "Verhandlungen in Genf",
        "Vertreter beider Seiten sollen in der kommenden Woche in Genf über einen Gefangenenaustausch"
        " verhandeln, teilte das Außenministerium der Schweiz mit. Eine Waffenruhe ist nicht in Sicht.",
        "Neue Flugabwehr aus Berlin",
        "Deutschland will der Ukraine ein weiteres Iris-T-System liefern. Die Finanzierung der Lieferung"
        " übernehmen zum Teil die Niederlande.",
        subheads=("Verhandlungen in Genf", "Neue Flugabwehr aus Berlin"),
    )
    assert labels(classify(roundup, taxonomy)) == {"diplomacy", "military_aid", "strikes"}


def test_weapon_nouns_in_a_delivery_story_are_not_strikes(taxonomy: Taxonomy) -> None:
    delivery = item(
        "Kanada liefert Raketen und Drohnen an die Ukraine",
        "Kanada wird der Ukraine Flugabwehrraketen und Aufklärungsdrohnen liefern, teilte die Regierung mit."
        " Die Lieferung soll im Frühjahr beginnen.",
    )
    assert labels(classify(delivery, taxonomy)) == {"military_aid"}


def test_explain_reports_contexts_and_sense_factors(taxonomy: Taxonomy) -> None:
    wire = item(
        "Warnstreik bei der Bahn",
        "Die Gewerkschaft GDL ruft zum Streik auf, die Arbeitgeber sprechen von einem Angriff auf die Pendler.",
    )
    strikes = next(e for e in explain(wire, taxonomy) if e.topic == "strikes")
    assert strikes.contexts["labour/cancel"] >= 2.0
    assert strikes.senses["attack"] == 0.0


def test_an_exercise_context_cancels_even_strong_cues(taxonomy: Taxonomy) -> None:
    drill = item(
        "Kampfjets üben Luftangriffe über der Ostsee",
        "Bei einem Nato-Manöver haben Kampfjets aus zwölf Staaten Luftangriffe auf Ziele an der Küste simuliert."
        " Die Übung dauert noch bis Freitag.",
    )
    assert by_id(classify(drill, taxonomy))["strikes"].score == 0.0


def test_topics_the_headline_ignores_are_secondary(taxonomy: Taxonomy) -> None:
    body = (
        "Die Bundesregierung will der Ukraine zwei weitere Flugabwehrsysteme liefern, die Finanzierung steht.",
        "Zuletzt hatte Russland die Ukraine mit Drohnen angegriffen, dabei wurden zwei Menschen getötet.",
    )
    about_aid = by_id(classify(item("Berlin liefert weitere Flugabwehrsysteme an Kiew", *body), taxonomy))
    neutral = by_id(classify(item("Neues aus Berlin", *body), taxonomy))
    assert about_aid["military_aid"].labelled
    assert about_aid["strikes"].score < neutral["strikes"].score


def test_a_cue_that_is_also_a_blocker_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL.replace('version = "test-1"', 'version = "v"\n[blockers]\nen = ["airstrike*"]\n'))
    with pytest.raises(TaxonomyError, match="also a blocker"):
        load_taxonomy(path)


# --- the search: the compiled core against the Python reference matcher ----------------------

# spellings that exercise the search: edges open and closed, punctuation inside and at the edges
# (canonical keys that collide), and characters outside Latin-1 (letters, punctuation, and the four
# whose lower case is Latin-1)
_EDGY = parse_taxonomy(
    {
        "version": "edgy",
        "topics": [
            {"id": "t", "labels": {"de": "T", "en": "T"}, "iptc": "medtop:20000001", "cameo": "01",
             "threshold": 0.5,
             "cues": [{"weight": 1.0, "any": ["Waffen", "*-waffen", "US-Waffen", "US Waffen*", "U.S.", "(Nato",
                                              "*angriff*", "Angriff", "an die Ukraine", "Kyiv", "ÿes", "straße*"]}],
             "contexts": [{"id": "c", "effect": "confirm", "senses": ["*"],
                           "any": ["Nato", "nato-*", "Nato*", "Ukraine", "kiew"]}]},
        ],
        "blockers": {"any": ["Waffenruhe", "Nato-Gipfel"]},
    }
)
# spellings the canonical form cannot tell apart from others, so every hit is compared with the text:
# outside Latin-1, its markers (ª, ?), a line break, a context pattern spelled two ways
_WIDE = parse_taxonomy(
    {
        "version": "wide",
        "topics": [
            {"id": "t", "labels": {"de": "T", "en": "T"}, "iptc": "medtop:20000001", "cameo": "01",
             "threshold": 0.5,
             "cues": [{"weight": 2.0, "any": ["Łódź", "Київ*", "*атака", "ſtraße", "İstanbul", "a\u2019b"]},
                      {"weight": 1.5, "sense": "s", "de": ["Luft\nangriff", "ªngriff", "Drohnen?", "Kyiv"]}],
             "contexts": [{"id": "c", "effect": "confirm", "senses": ["s"], "min": 2.0,
                           "de": [" Nato"], "en": ["Nato"], "any": ["Україна"]}]},
        ],
        "blockers": {"any": ["київщина"]},
    }
)
_PIECES = ["Waffen", "waffen", "-", "US", "U.S.", ".", "(", ")", "Nato", "NATO", "Angriff", "an", "die", "Ukraine",
           "Kyiv", "Kiew", "Ÿes", "ÿes", "STRASSE", "Straße", "STRAẞE", "Kelvin \u212a", "„", "“", "–", "ł", "Łódź",
           "?", "ª", "\u00b2", "7", "_", " ", " ", "\n", "\t", "ruhe", "Gipfel", "Drohnen", "ŁÓDŹ", "Київ", "атака",
           "Україна", "київщина", "ſtraße", "İstanbul", "a\u2019b", "Luft", "\U0001f680"]


def _native_search(taxonomy: Taxonomy, language: str, headline: str, paragraphs: tuple[str, ...]) -> Any:
    compiled = taxonomy._compiled
    slots, ranked = compiled.native.find(LIST_KEYS.index(language), headline, paragraphs)
    patterns = compiled.patterns[language]
    return sorted(slots), [(start, end, patterns[number].payload[1]) for start, end, number in ranked]


def _reference_search(taxonomy: Taxonomy, language: str, headline: str, paragraphs: tuple[str, ...]) -> Any:
    """``reference_matching.find_split`` (edges tested per hit on the str) over headline and body apart, with
    offsets into line break + headline + line break + body + line break."""
    compiled = taxonomy._compiled
    matcher = PatternMatcher(compiled.patterns[language])
    body_start = len(headline) + 2
    tags, found = find_split(matcher, headline)
    body_tags, body_found = find_split(matcher, "\n\n".join(paragraphs))
    slots = sorted(compiled.context_slots[tag] for tag in tags | body_tags)
    return slots, [(s + 1, e + 1, item) for s, e, item in found] + [
        (s + body_start, e + body_start, item) for s, e, item in body_found
    ]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_PIECES), max_size=15), min_size=1, max_size=4),
       st.sampled_from(["de", "en", "any"]), st.sampled_from(["edgy", "wide", "shipped"]))
def test_the_search_finds_what_the_reference_matcher_finds(fields: list[list[str]], language: str, which: str) -> None:
    """The compiled search (edges in the automaton, one pass over headline and body) gives exactly what
    ``find_split`` (edges tested per hit) gives on each field: the contexts of the same context patterns,
    the same cues and blockers in the same order, also for spellings outside Latin-1."""
    taxonomy = {"edgy": _EDGY, "wide": _WIDE, "shipped": load_taxonomy()}[which]
    headline, *paragraphs = ("".join(pieces) for pieces in fields)
    assert _native_search(taxonomy, language, headline, tuple(paragraphs)) == _reference_search(
        taxonomy, language, headline, tuple(paragraphs)
    )


def test_headline_and_body_searched_as_one_text_find_what_they_find_apart(taxonomy: Taxonomy) -> None:
    """One search over headline and body finds what two searches find: a cue that ends the headline and
    one that starts the body both count, and a pattern holding a line break never spans two fields."""
    items = [
        ("Drohnenangriff auf Kiew", ("Russland griff Kiew mit Drohnen an.", "Die Flugabwehr schoss 40 ab.")),
        ("Angriff", ("Angriff",)),
        ("Waffenlieferung", ("", "Gespräche über eine Waffenruhe.")),
        ("", ("Verhandlungen in Istanbul über einen Gefangenenaustausch.",)),
        ("Kyiv hit by missile strike", ("Talks on a ceasefire stalled.",)),
    ]
    for headline, paragraphs in items:
        for language in LIST_KEYS:
            found = _native_search(taxonomy, language, headline, paragraphs)
            assert found == _reference_search(taxonomy, language, headline, paragraphs)
    spans = {(start, end) for start, end, _ in _native_search(taxonomy, "de", "Angriff", ("Angriff",))[1]}
    assert {(1, 8), (9, 16)} <= spans  # "\nAngriff\nAngriff\n": the headline's and the body's
    spanning = [("Luft", ("angriff",)), ("Luft\nangriff", ()), ("", ("Luft\nangriff",)), ("Luft\n", ("angriff",))]
    for headline, paragraphs in spanning:
        assert _native_search(_WIDE, "de", headline, paragraphs) == _reference_search(_WIDE, "de", headline, paragraphs)
    assert not classify(item("Luft", "angriff"), _WIDE)[0].evidence
    [evidence] = classify(item("Ein Luft\nangriff"), _WIDE)[0].evidence
    assert (evidence.field, evidence.start, evidence.end) == ("headline", 4, 16)


def test_the_canonical_text_has_a_space_exactly_where_no_letter_or_digit_stands() -> None:
    """Word edges are spaces of the canonical text, and evidence finds the whole word of an open-edged
    cue at them; that is ``str.isalnum()`` (what ``reference_matching.word_start``/``word_end`` test) for every
    code point."""
    text = "".join(map(chr, range(sys.maxunicode + 1)))
    canonical = _char_table().canonical(text)
    assert len(canonical) == len(text)
    assert [byte != 0x20 for byte in canonical] == [char.isalnum() for char in text]


def test_evidence_offsets_are_character_offsets_outside_latin1_too(taxonomy: Taxonomy) -> None:
    """Texts stored with two and four bytes per character (Cyrillic, typographic quotes, emoji) give
    str offsets, and an open-edged cue reports its whole word however its letters are stored."""
    wire = item(
        "\U0001f680 „Drohnenangriffe“ auf Київ",
        "Київ (dpa) – Bei den жLuftangriffen wurden 🚀 drei Menschen getötet.",
        "Die Flugabwehr fing ℵ Drohnen ab.",
    )
    strikes = by_id(classify(wire, taxonomy))["strikes"]
    seen = set()
    for ev in strikes.evidence:
        text = wire.headline if ev.field == "headline" else wire.body
        seen.add((ev.field, text[ev.start : ev.end]))
    assert ("headline", "Drohnenangriffe") in seen
    assert ("body", "жLuftangriffen") in seen  # ж is a letter: the word goes on
    assert ("body", "Drohnen") in seen
    for language in LIST_KEYS:
        found = _native_search(taxonomy, language, wire.headline, wire.paragraphs)
        assert found == _reference_search(taxonomy, language, wire.headline, wire.paragraphs)


def test_a_context_pattern_spelled_two_ways_counts_once() -> None:
    """A context pattern counts once per item however many spellings of it are found (" Nato" in one
    list, "Nato" in another)."""
    data = {
        "version": "t",
        "topics": [
            {"id": "t", "labels": {"de": "T", "en": "T"}, "iptc": "medtop:20000001", "cameo": "01",
             "threshold": 0.5, "cues": [{"weight": 1.0, "sense": "s", "any": ["Angriff"]}],
             "contexts": [{"id": "c", "effect": "confirm", "senses": ["s"], "min": 2.0,
                           "de": [" Nato"], "en": ["Nato"]}]},
        ],
    }
    taxonomy = parse_taxonomy(data)
    wire = item("Angriff", "Die  Nato tagt.", language="fr")  # "any": both spellings in one automaton, both found
    [explanation] = explain(wire, taxonomy)
    assert explanation.contexts == {"c/confirm": 1.0}


def test_a_pattern_outside_latin1_is_found() -> None:
    taxonomy = parse_taxonomy(
        {
            "version": "t",
            "topics": [
                {"id": "t", "labels": {"de": "T", "en": "T"}, "iptc": "medtop:20000001", "cameo": "01",
                 "threshold": 0.5, "cues": [{"weight": 1.0, "de": ["Łódź", "Angriff"]}]}
            ],
        }
    )
    scores = classify(item("Angriff auf Łódź", "In Łódź ein Angriff, kein Łódźer."), taxonomy)
    assert {(e.cue, e.field, e.start) for e in scores[0].evidence} == {
        ("Angriff", "headline", 0), ("Łódź", "headline", 12), ("Łódź", "body", 3), ("Angriff", "body", 12)
    }


# --- positional weights ---------------------------------------------------------------------

_ONE_CUE = parse_taxonomy(
    {
        "version": "t",
        "scoring": {"length_ref": 1e6},
        "topics": [{"id": "t", "labels": {"de": "T", "en": "T"}, "iptc": "medtop:20000001", "cameo": "01",
                    "threshold": 0.5, "cues": [{"weight": 1.0, "de": ["Waffenruhe"]}]}],
    }
)


def _position_weights(paragraphs: tuple[str, ...], subheads: tuple[str, ...]) -> list[float]:
    """The rule, spelled out: the lead (the first paragraph that is not a subhead, and any subheads
    before it) and every later subhead weigh ``lead_weight``; a paragraph after them weighs
    ``body_weight / (1 + body_decay * distance)``, at least ``body_floor``; a subhead restarts the
    distance."""
    scoring = _ONE_CUE.scoring
    lead = next((i for i, p in enumerate(paragraphs) if p not in subheads), 0)
    anchor, weights = lead, []
    for i, paragraph in enumerate(paragraphs):
        heading = i > lead and paragraph in subheads
        anchor = i if heading else anchor
        if i <= lead or heading:
            weights.append(scoring.lead_weight)
        else:
            decayed = scoring.body_weight / (1.0 + scoring.body_decay * (i - anchor - 1))
            weights.append(max(decayed, scoring.body_floor))
    return weights


@settings(max_examples=200, deadline=None)
@given(layout=st.lists(st.sampled_from(["p", "h", "same"]), min_size=1, max_size=40), data=st.data())
def test_a_cue_weighs_by_the_position_of_its_paragraph(layout: list[str], data: st.DataObject) -> None:
    """A body cue counts the weight of its paragraph's position, exactly (explain's evidence total),
    for any layout of paragraphs and subheads (a subhead's text may also stand as a paragraph)."""
    where = data.draw(st.integers(0, len(layout) - 1))
    paragraphs = tuple(
        "Waffenruhe" if i == where else "Absatz" if kind == "same" else f"{kind}{i}" for i, kind in enumerate(layout)
    )
    subheads = tuple(p for p, kind in zip(paragraphs, layout, strict=True) if kind in ("h", "same"))
    wire = item("Lage", *paragraphs, subheads=subheads)
    [explanation] = explain(wire, _ONE_CUE)
    assert explanation.evidence == _position_weights(paragraphs, subheads)[where]


def test_result_objects_built_by_the_core_equal_the_constructors(taxonomy: Taxonomy) -> None:
    """The compiled core makes TopicScore and Evidence with ``object.__new__`` and fills their slots;
    that is only right while both stay plain frozen slots dataclasses, which compiling checks."""
    import dataclasses

    from streams.classify import _slots
    from streams.models import Evidence

    assert [f.name for f in dataclasses.fields(Evidence)] == ["cue", "field", "start", "end", "weight"]
    wire = item("Drohnenangriff auf Kiew", "Russland griff Kiew mit Drohnen an.")
    scores = classify(wire, taxonomy)
    for score in scores:
        for ev in score.evidence:
            built = Evidence(ev.cue, ev.field, ev.start, ev.end, ev.weight)
            assert ev == built and hash(ev) == hash(built) and repr(ev) == repr(built)
        rebuilt = TopicScore(score.id, score.score, score.labelled, score.evidence, score.iptc, score.cameo)
        assert score == rebuilt and hash(score) == hash(rebuilt) and repr(score) == repr(rebuilt)
    assert any(score.evidence for score in scores)

    @dataclasses.dataclass(frozen=True, slots=True)
    class Checked:
        cue: str

        def __post_init__(self) -> None:
            pass

    @dataclasses.dataclass(frozen=True)
    class Unslotted:
        cue: str

    for refused in (Checked, Unslotted):
        with pytest.raises(TypeError, match="slots dataclass"):
            _slots(refused)


def test_a_warm_classifier_scores_as_a_fresh_one() -> None:
    """Nothing of one item carries over to the next: an item scores the same on a taxonomy that
    scored others before as on a fresh one."""
    warm, fresh = load_taxonomy(), load_taxonomy
    wires = [
        item("Drohnenangriff auf Kiew", "Russland griff an.", "Lage", "Die Flugabwehr schoss.", subheads=("Lage",)),
        item("Waffenlieferung", "Lage", "Gespräche über eine Waffenruhe.", subheads=("Lage",)),
        item("Kyiv hit by missile strike", "Talks on a ceasefire stalled.", language="en"),
    ]
    for wire in wires * 3:
        assert classify(wire, warm) == classify(wire, fresh())
        assert explain(wire, warm) == explain(wire, fresh())
