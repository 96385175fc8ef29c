"""The test session's broker clean-up deletes its own topics and never another session's."""

from tests.conftest import new_tag, session_topic


def test_only_topics_of_tags_this_session_handed_out_are_its_own() -> None:
    tag = new_tag()
    assert session_topic(f"t{tag}.wire.raw")
    assert session_topic(f"rel{tag}.news.enriched")
    assert session_topic(f"newswire-rel-{tag}-stories-changelog")
    assert not session_topic("t0123456789.wire.raw")  # a tag of a concurrent session
    assert not session_topic("wire.raw")  # the dev worker's own topics
