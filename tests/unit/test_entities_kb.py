"""Loading and validating the knowledge base: every problem is reported, not just the first."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from streams.entities import KnowledgeBaseError, load_kb
from streams.entities.kb import DATA_DIR

PERSON_HEADER = "id\tname\taliases\tsurnames\talone\trole\tcountry\twikidata\n"


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    """A copy of the shipped KB without the large lexicons, to break on purpose."""
    target = tmp_path / "kb"
    shutil.copytree(DATA_DIR, target, ignore=shutil.ignore_patterns("lexicon"))
    return target


def append(path: Path, *rows: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write("".join(row + "\n" for row in rows))


def problems(kb_dir: Path) -> list[str]:
    with pytest.raises(KnowledgeBaseError) as caught:
        load_kb(kb_dir)
    return caught.value.problems


def test_shipped_kb_loads_with_a_version() -> None:
    kb = load_kb()
    assert kb.version.startswith(DATA_DIR.joinpath("VERSION").read_text().strip() + "+")
    assert kb.get("country/ua") is not None
    assert kb.get("person/wolodymyr-selenskyj") is not None
    types = {e.type for e in kb.entities}
    assert types == {"person", "organisation", "place", "weapon"}


def test_every_iso_country_is_in_the_kb() -> None:
    import pycountry

    kb = load_kb()
    for country in pycountry.countries:
        entity = kb.get(f"country/{country.alpha_2.lower()}")
        assert entity is not None and entity.country == country.alpha_2


def test_lookup_by_name_and_spelling() -> None:
    kb = load_kb()
    for spelling in ("Kiew", "Kyiv", "Kyjiw"):
        found = kb.lookup(spelling)
        assert found is not None and found.wikidata == "Q1899"
    assert kb.lookup("Frankreich") == kb.get("country/fr")


def test_copy_without_lexicons_loads(kb_dir: Path) -> None:
    kb = load_kb(kb_dir)
    assert kb.lexicon.first_names == frozenset()
    assert kb.version != load_kb().version  # content hash differs: the lexicons are missing


def test_duplicate_id(kb_dir: Path) -> None:
    append(kb_dir / "persons.tsv", "person/wladimir-putin\tW. Putin\tW. Putin\t\tno\t\tRU\t")
    assert any("duplicate id 'person/wladimir-putin'" in p for p in problems(kb_dir))


def test_all_problems_are_listed_at_once(kb_dir: Path) -> None:
    append(
        kb_dir / "persons.tsv",
        "person/erika-beispiel\tErika Beispiel\tErika Beispiel\t\tmaybe\t\tZZ\tQ0",
        "Person/Bad Id\tX\tX Y\t\tno\t\t\t",
        "person/jonas-muster\tJonas Muster\tWladimir Putin\t\tno\t\t\t",
        "person/no-alias\tNo Alias\t\t\tno\t\t\t",
    )
    append(kb_dir / "places.tsv", "place/nowhere\tNowhere\tNowhere\t\tDE\tvillage\t\tQ12x")
    found = problems(kb_dir)
    text = "\n".join(found)
    assert "alone must be yes or no" in text
    assert "unknown country code 'ZZ'" in text
    assert "bad Wikidata QID 'Q0'" in text
    assert "bad id 'Person/Bad Id'" in text
    assert "alias 'Wladimir Putin' names several entities" in text
    assert "no aliases" in text
    assert "unknown place kind 'village'" in text
    assert "bad Wikidata QID 'Q12x'" in text
    assert len(found) >= 8


def test_shared_alias_must_be_marked_by_all(kb_dir: Path) -> None:
    append(kb_dir / "places.tsv", "place/sofia-usa\tSofia (USA)\tSofia\t\tUS\tcity\t\t")
    assert any("alias 'Sofia' names several entities" in p for p in problems(kb_dir))


def test_marked_shared_alias_is_accepted(kb_dir: Path) -> None:
    append(kb_dir / "places.tsv", "place/sofia-usa\tSofia (USA)\t~Sofia\t\tUS\tcity\tNew Mexico\t")
    kb = load_kb(kb_dir)
    assert kb.get("place/sofia-usa") is not None


def test_unknown_cue_kind_and_bad_header(kb_dir: Path) -> None:
    append(kb_dir / "cues.tsv", "Häuptling\tchieftain")
    (kb_dir / "weapons.tsv").write_text("id\tname\n", encoding="utf-8")
    text = "\n".join(problems(kb_dir))
    assert "unknown cue kind 'chieftain'" in text
    assert "weapons.tsv:1: header lacks column(s) aliases" in text


def test_missing_directory_and_file(tmp_path: Path, kb_dir: Path) -> None:
    with pytest.raises(KnowledgeBaseError):
        load_kb(tmp_path / "nothing-here")
    (kb_dir / "weapons.tsv").unlink()
    assert "weapons.tsv: missing" in problems(kb_dir)


def test_error_message_names_the_count(kb_dir: Path) -> None:
    append(kb_dir / "persons.tsv", "person/a\tA\tAa Bb\t\tno\t\tZZ\t", "person/b\tB\tCc Dd\t\tno\t\tZY\t")
    with pytest.raises(KnowledgeBaseError, match="2 knowledge-base problem"):
        load_kb(kb_dir)


def test_organisation_with_a_leading_adjective_is_found_declined() -> None:
    kb = load_kb()
    entity = kb.lookup("Deutschen Presse-Agentur")
    assert entity is not None and entity.id == "org/dpa"
    assert kb.lookup("Dien Linke") is None  # "Die" is an article, not an adjective
