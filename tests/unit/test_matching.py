"""The boundary rules of the shared multi-pattern matcher."""

from streams.matching import PatternMatcher, fold_case, longest_non_overlapping, parse_pattern


def matcher(*specs: str, case_sensitive: bool = False) -> PatternMatcher[str]:
    return PatternMatcher([parse_pattern(s, s) for s in specs], case_sensitive=case_sensitive)


def found(m: PatternMatcher[str], text: str) -> list[tuple[str, str]]:
    return [(x.payload, text[x.start : x.end]) for x in m.find(text)]


def test_word_pattern_needs_boundaries_on_both_sides() -> None:
    m = matcher("Nato")
    assert found(m, "Die Nato-Staaten und NATO.") == [("Nato", "Nato"), ("Nato", "NATO")]
    assert found(m, "Donato spielte.") == []


def test_open_right_edge_catches_inflection() -> None:
    m = matcher("verhandl*")
    assert found(m, "Die Verhandlungen laufen") == [("verhandl*", "Verhandl")]


def test_open_left_edge_catches_compound_tails() -> None:
    m = matcher("*angriff*")
    assert found(m, "Ein Drohnenangriffe traf") == [("*angriff*", "angriff")]
    assert matcher("angriff").find("Drohnenangriff") == []


def test_case_sensitive_matcher_keeps_case() -> None:
    m = matcher("Merz", case_sensitive=True)
    assert found(m, "Merz und merz") == [("Merz", "Merz")]


def test_offsets_survive_characters_whose_lower_case_is_longer() -> None:
    text = "İstanbul Gespräche in Istanbul"
    assert len(fold_case(text)) == len(text)
    m = matcher("Istanbul")
    assert [text[x.start : x.end] for x in m.find(text)] == ["Istanbul"]


def test_longest_match_wins_over_its_parts() -> None:
    m = matcher("Storm Shadow", "Storm")
    text = "Storm Shadow Raketen"
    kept = longest_non_overlapping(m.find(text))
    assert [x.payload for x in kept] == ["Storm Shadow"]


def test_empty_pattern_is_refused() -> None:
    import pytest

    with pytest.raises(ValueError):
        parse_pattern("**", "x")
