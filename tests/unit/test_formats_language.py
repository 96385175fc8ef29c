"""The de/en stop-word guess and language code normalisation."""

from __future__ import annotations

import pytest

from streams.formats.language import guess, normalize_code


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Die Regierung hat am Montag neue Hilfen für die Ukraine angekündigt.", "de"),
        ("Der Kanzler sagte, es gebe noch keine Einigung mit den Ländern.", "de"),
        ("Nach Angaben der Polizei wurden bei dem Unfall zwei Menschen verletzt.", "de"),
        ("The government announced new aid for Ukraine on Monday.", "en"),
        ("Police said two people were injured in the crash, which happened after midnight.", "en"),
        ("Shares of the company fell more than 7 percent after it cut its forecast.", "en"),
    ],
)
def test_sentences(text: str, expected: str) -> None:
    assert guess(text) == expected


@pytest.mark.parametrize("text", ["", "Merz", "NATO-Gipfel: Biden Selenskyj Macron", "12:30 Uhr"])
def test_too_little_evidence_is_none(text: str) -> None:
    assert guess(text) is None


def test_umlauts_count_as_german_evidence() -> None:
    assert guess("Schüsse über Städte, Bürger fürchten Straßenkämpfe: Lösungen für Brücken") == "de"


@pytest.mark.parametrize(
    ("code", "expected"),
    [("de", "de"), ("de-DE", "de"), ("EN_gb", "en"), ("deu", "de"), ("eng", "en"), ("x", None), ("", None),
     (None, None), ("1234", None)],
)
def test_normalize_code(code: str | None, expected: str | None) -> None:
    assert normalize_code(code) == expected
