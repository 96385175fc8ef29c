"""The compiled core takes any text without panicking: a panic would cost the record a dead
letter (see test_pipeline), so arbitrary headlines and bodies must just score and extract."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.classify import Taxonomy, classify, explain, load_taxonomy
from streams.entities import KnowledgeBase, extract, load_kb
from streams.entities.extract import find_spans
from streams.models import WireItem

# Wire-ish alphabet: letters with and without diacritics, digits, quotes, brackets, dashes,
# line breaks, characters outside Latin-1 and in the astral planes; plus real names and cues.
_CHARS = st.characters(codec="utf-8")  # every code point but lone surrogates
_WORDS = st.sampled_from([
    "Selenskyj", "Putins", "Kiew", "Patriot", "Drohnenangriff", "Waffenlieferungen", "(CDU)", "Außenminister",
    "Erdoğan", "Chișinău", "KYIV, Nov 25 (Reuters) -", "Streik", "Verdi", "Präsident", "U.S.", "F-16", "in Odesa",
])
_TEXT = st.lists(st.one_of(_WORDS, st.text(_CHARS, max_size=12)), max_size=60).map(" ".join)


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return load_taxonomy()


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_kb()


@settings(max_examples=300, deadline=None)
@given(headline=_TEXT, paragraphs=st.lists(_TEXT, max_size=4), language=st.sampled_from(["de", "en", "fr", None]))
def test_any_text_scores_and_extracts(
    taxonomy: Taxonomy, kb: KnowledgeBase, headline: str, paragraphs: list[str], language: str | None
) -> None:
    item = WireItem(headline=headline, paragraphs=tuple(paragraphs), format="text", story_id="s", language=language)
    scores = classify(item, taxonomy)
    assert all(0.0 <= s.score <= 1.0 for s in scores)
    explain(item, taxonomy)
    body = item.body
    for span in find_spans(item, kb):
        text = headline if span.field == "headline" else body
        assert 0 <= span.start < span.end <= len(text)
    for entity in extract(item, kb):
        for mention in entity.mentions:
            text = headline if mention.field == "headline" else body
            assert text[mention.start:mention.end] == mention.text
