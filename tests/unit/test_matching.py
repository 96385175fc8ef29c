"""The pattern syntax (streams.matching), and the boundary rules of the reference matcher the compiled
core is checked against (tests/reference_matching.py) on both automaton backends."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.matching import fold_case, parse_pattern
from tests import reference_matching
from tests.reference_matching import PatternMatcher, longest_non_overlapping


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
    with pytest.raises(ValueError):
        parse_pattern("**", "x")


# --- find_spans: the tuple form, and both automaton backends agree with a plain reference ---------


def reference(specs: list[str], text: str, case_sensitive: bool) -> list[tuple[int, int, str]]:
    """Every boundary-respecting occurrence by brute force, in find order (start, longer first)."""
    fold = (lambda s: s) if case_sensitive else fold_case
    haystack = fold(text)
    out: list[tuple[int, int, int, str]] = []
    for order, spec in enumerate(specs):
        pattern = parse_pattern(spec, spec)
        key = fold(pattern.text)
        at = haystack.find(key)
        while at >= 0:
            end = at + len(key)
            left_ok = pattern.open_left or at == 0 or not text[at - 1].isalnum()
            right_ok = pattern.open_right or end == len(text) or not text[end].isalnum()
            if left_ok and right_ok:
                out.append((at, end, order, spec))
            at = haystack.find(key, at + 1)
    # patterns of one spelling keep their order; distinct spellings never share (start, end)
    out.sort(key=lambda m: (m[0], -m[1], m[2]))
    return [(s, e, spec) for s, e, _, spec in out]


@pytest.fixture(params=["rs", "pyahocorasick"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "pyahocorasick":
        monkeypatch.setattr(reference_matching, "_rs", None)
    elif vars(reference_matching)["_rs"] is None:
        pytest.fail("ahocorasick-rs is a dev dependency in pyproject.toml but is not installed")
    return str(request.param)


def test_find_spans_is_find_as_tuples(backend: str) -> None:
    m = matcher("Storm Shadow", "Storm", "*angriff*", "Nato", "nato*")
    text = "Storm Shadow nach dem Drohnenangriff, Nato-Treffen und NATO."
    assert m.find_spans(text) == [(x.start, x.end, x.payload) for x in m.find(text)]
    assert [text[s:e] for s, e, _ in m.find_spans(text)] == [
        "Storm Shadow", "Storm", "angriff", "Nato", "Nato", "NATO", "NATO"
    ]


def test_same_spelling_with_other_edges_keeps_pattern_order(backend: str) -> None:
    m = matcher("angriff", "*angriff", "angriff*")
    assert [p for _, _, p in m.find_spans("Angriff")] == ["angriff", "*angriff", "angriff*"]
    assert [p for _, _, p in m.find_spans("Drohnenangriff")] == ["*angriff"]


# Kelvin sign, Ångström sign, Ÿ and capital ß fold into Latin-1; "?" stands for the rest there
_ALPHABET = "aAbBäÄ İß🙂-.kKÅåŸÿẞ?"
_specs = st.lists(
    st.builds(
        lambda left, core, right: left + core + right,
        st.sampled_from(["", "*"]),
        st.text(alphabet="aAbBäÄİß🙂 kåÿ?", min_size=1, max_size=4).filter(lambda s: s.strip()),
        st.sampled_from(["", "*"]),
    ),
    min_size=1,
    max_size=6,
    unique=True,
)


@settings(max_examples=300, deadline=None)
@given(specs=_specs, text=st.text(alphabet=_ALPHABET, max_size=40), case_sensitive=st.booleans())
def test_find_spans_matches_brute_force_on_both_backends(specs: list[str], text: str, case_sensitive: bool) -> None:
    expected = reference(specs, text, case_sensitive)
    for backend_module in (vars(reference_matching)["_rs"], None):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(reference_matching, "_rs", backend_module)
            m = matcher(*specs, case_sensitive=case_sensitive)
        assert m.find_spans(text) == expected


def test_latin1_search_covers_every_character_that_folds_into_latin1() -> None:
    into = {c for c in range(0x100, 0x110000) if len(low := chr(c).lower()) == 1 and ord(low) < 0x100}
    assert into == {ord(c) for c in reference_matching._LOWER_INTO_LATIN1}
    lowered = bytes(range(256)).decode("latin-1").lower().encode("latin-1")
    assert bytes(range(256)).translate(reference_matching._LATIN1_LOWER) == lowered


def test_latin1_search_is_used_only_where_every_key_allows_it() -> None:
    assert matcher("Angriff", "Bürgermeister")._search_latin1 is not None
    assert matcher("Erdoğan")._search_latin1 is None
    assert matcher("wer?")._search_latin1 is None
    m = matcher("kelvin", "straße")
    assert found(m, "\u212aelvin und STRAẞE") == [("kelvin", "\u212aelvin"), ("straße", "STRAẞE")]
    assert found(m, "„Kelvin“ und Straße") == [("kelvin", "Kelvin"), ("straße", "Straße")]


def _alnum_run_end(text: str) -> int:
    run = reference_matching._ALNUM_RUN.match(text)
    assert run is not None  # the pattern also matches the empty run
    return run.end()


def test_word_edges_follow_isalnum_exactly() -> None:
    from tests.reference_matching import word_end, word_start

    text = "Drohnen­angriffe_x 3½ Ⅻ… Kiew-Besuch ２０２５"
    for index in range(len(text) + 2):
        expected = index
        while expected < len(text) and text[expected].isalnum():
            expected += 1
        assert word_end(text, index) == expected
    assert word_start("Ein Drohnenangriff", 10) == 4
    # every code point: the regex run and str.isalnum agree
    assert all((_alnum_run_end(chr(c)) == 1) == chr(c).isalnum() for c in range(0x110000))


@settings(max_examples=300, deadline=None)
@given(specs=_specs, text=st.text(alphabet=_ALPHABET, max_size=40), data=st.data())
def test_find_split_is_find_spans_split_into_tags_and_items(specs: list[str], text: str, data: st.DataObject) -> None:
    # each pattern gets some tags and maybe an item; spellings may share tags
    payloads = {
        spec: (
            tuple(data.draw(st.lists(st.integers(0, 3), max_size=2))),
            data.draw(st.one_of(st.none(), st.just(spec))),
        )
        for spec in specs
    }
    m = PatternMatcher([parse_pattern(s, payloads[s]) for s in specs])
    tags, items = reference_matching.find_split(m, text)
    spans = m.find_spans(text)
    assert tags == {tag for _, _, (found, _) in spans for tag in found}
    assert items == [(s, e, item) for s, e, (_, item) in spans if item is not None]
