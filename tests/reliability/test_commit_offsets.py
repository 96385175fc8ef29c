"""Root cause of the rebalance loss, without a broker: how the worker's Faust consumer turns
acknowledged offsets into the offset it commits.

Found with the rebalance scenario: after the second worker left, the first got a partition back,
committed 182 (0..181 done), never acknowledged offset 182 (an event fetched around the
rebalance and dropped), acknowledged 183..197, and then committed 198: offset 182 was never
processed, never published, and will never be read again. faust-streaming's
``Consumer._new_offset`` only refuses to commit across a gap at the head of the acked offsets when
that gap is wider than one offset (``min(acked) - committed > 1``; cf. faust-streaming #606).

The test goes through ``streams.app`` first, so a fix applied there (a corrected ``_new_offset``)
is what it checks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable
from types import SimpleNamespace

import pytest
from faust.transport.consumer import Consumer
from faust.types import TP
from intervaltree import IntervalTree

import streams.app  # noqa: F401 - whatever the worker patches in Faust applies here too
from streams.faust_fixes import POSITIONS

pytestmark = pytest.mark.reliability

PARTITION = TP("wire.raw", 0)


def _consumer(committed: int, acked: list[int]) -> SimpleNamespace:
    return SimpleNamespace(
        _acked=defaultdict(list, {PARTITION: list(acked)}),
        _acked_index=defaultdict(set, {PARTITION: set(acked)}),
        _gap=defaultdict(IntervalTree),
        _committed_offset=defaultdict(lambda: None, {PARTITION: committed}),
    )


def new_offset(committed: int, acked: list[int]) -> int | None:
    return Consumer._new_offset(_consumer(committed, acked), PARTITION)  # type: ignore[arg-type]


def test_contiguous_acks_are_committed() -> None:
    assert new_offset(178, [178, 179, 180, 181]) == 182


@pytest.mark.parametrize("missing", [1, 2, 5])
def test_an_offset_never_acked_is_never_committed_past(missing: int) -> None:
    """Committed 182 means "182 is next". Acks from 182 + missing on: nothing may be committed."""
    acked = list(range(182 + missing, 198))
    assert new_offset(182, acked) in (None, 182), (
        f"offsets 182..{181 + missing} were never acknowledged, yet {new_offset(182, acked)} would be committed")


def test_a_first_offset_never_acked_is_never_committed_past() -> None:
    """Committed 0 (nothing done yet) is falsy: the head-gap check is skipped altogether."""
    got = new_offset(0, [2, 3, 4])
    assert got in (None, 0), f"offsets 0..1 were never acknowledged, yet {got} would be committed"


def _with_gap(committed: int | None, acked: list[int], hole: tuple[int, int]) -> SimpleNamespace:
    consumer = _consumer(committed if committed is not None else 0, acked)
    consumer._committed_offset = defaultdict(lambda: None, {PARTITION: committed})
    consumer._gap[PARTITION].addi(*hole)
    return consumer


def test_a_hole_in_the_log_at_the_committed_offset_is_passed() -> None:
    """Offset 182 holds a transaction marker (no record): the fetch loop recorded [182, 183)."""
    consumer = _with_gap(182, list(range(183, 190)), (182, 183))
    assert Consumer._new_offset(consumer, PARTITION) == 190  # type: ignore[arg-type]


def test_a_hole_beside_an_unacknowledged_offset_is_not_passed() -> None:
    """182 was delivered but is still being processed; 183..185 are a hole; 186.. are done."""
    consumer = _with_gap(182, list(range(186, 190)), (183, 186))
    assert Consumer._new_offset(consumer, PARTITION) is None  # type: ignore[arg-type]


def test_acknowledgements_survive_a_commit_that_did_not_happen() -> None:
    """Computing the offset twice (the first commit failed) gives the same answer."""
    consumer = _consumer(100, list(range(100, 120)))
    assert Consumer._new_offset(consumer, PARTITION) == 120  # type: ignore[arg-type]
    assert Consumer._new_offset(consumer, PARTITION) == 120  # type: ignore[arg-type]
    consumer._committed_offset[PARTITION] = 120
    consumer._acked[PARTITION].extend([120, 121])
    consumer._acked_index[PARTITION].update([120, 121])
    assert Consumer._new_offset(consumer, PARTITION) == 122  # type: ignore[arg-type]
    assert consumer._acked[PARTITION] == [120, 121], "acknowledgements below the commit are dropped"


def test_nothing_committed_yet_starts_at_the_first_offset_read() -> None:
    """No committed offset: the first record read after the seek was 40; 40 is still in flight."""
    consumer = _with_gap(None, [41, 42], (30, 31))
    POSITIONS.first_read[PARTITION] = 40
    try:
        assert Consumer._new_offset(consumer, PARTITION) is None  # type: ignore[arg-type]
        consumer._acked[PARTITION].append(40)
        consumer._acked_index[PARTITION].add(40)
        assert Consumer._new_offset(consumer, PARTITION) == 43  # type: ignore[arg-type]
    finally:
        POSITIONS.forget([PARTITION])


def test_an_event_the_application_did_not_settle_is_never_acknowledged() -> None:
    """Faust's stream acknowledges events it skips after a rebalance; on our input topic that
    would commit a record nobody processed. Refused, and its partition is re-read."""
    from faust.events import Event

    from streams import faust_fixes

    acks: list[int] = []

    def ack(consumer: object, n: int = 1) -> bool:
        acks.append(n)
        return True

    message = SimpleNamespace(topic="wire.raw", tp=PARTITION, ack=ack)
    event = Event.__new__(Event)
    event.message = message  # type: ignore[assignment]
    event.app = SimpleNamespace(consumer=None)  # type: ignore[assignment]
    faust_fixes.SETTLE_BEFORE_ACK.add("wire.raw")
    try:
        assert event.ack() is False and acks == []
        assert PARTITION in POSITIONS.unfinished
        faust_fixes.settle([event])
        assert event.ack() is True and acks == [1]
    finally:
        faust_fixes.SETTLE_BEFORE_ACK.discard("wire.raw")
        POSITIONS.forget([PARTITION])


def test_without_a_committed_offset_or_a_first_read_nothing_is_committed() -> None:
    """Acks for a partition held before a rebalance can arrive before its seek: offsets below
    them may be unprocessed, so the lowest ack is no starting point."""
    consumer = _with_gap(None, [40, 41, 42], (30, 31))
    assert Consumer._new_offset(consumer, PARTITION) is None  # type: ignore[arg-type]


def test_records_dropped_from_a_stream_queue_are_read_again() -> None:
    """Faust empties its stream queues when the flow resumes, even after records of the new
    generation were handed over: those were never processed nor acknowledged, so their
    partition goes back to the committed offset. Other topics' queues are Faust's business."""
    from mode.utils.queues import FlowControlEvent, ThrowableQueue

    from streams import faust_fixes

    other = TP("news.enriched-changelog", 0)
    queue: ThrowableQueue[object] = ThrowableQueue(flow_control=FlowControlEvent())
    queue.put_nowait(SimpleNamespace(message=SimpleNamespace(topic="wire.raw", tp=PARTITION)))
    queue.put_nowait(SimpleNamespace(message=SimpleNamespace(topic=other.topic, tp=other)))
    faust_fixes.SETTLE_BEFORE_ACK.add("wire.raw")
    try:
        queue.clear()
        assert queue.empty()
        assert PARTITION in POSITIONS.unfinished and other not in POSITIONS.unfinished
    finally:
        faust_fixes.SETTLE_BEFORE_ACK.discard("wire.raw")
        POSITIONS.forget([PARTITION, other])


def test_unfinished_marks_on_partitions_no_longer_owned_are_dropped() -> None:
    """A partition revoked after it was marked is its new owner's to read; keeping the mark
    made the fetch loop seek back to the committed offsets without end."""
    from streams.faust_fixes import owned_unfinished

    kept, lost = TP("wire.raw", 1), TP("wire.raw", 2)
    POSITIONS.unfinished.update({kept, lost})
    try:
        assert owned_unfinished({kept, TP("wire.raw", 3)}) == {kept}
        assert owned_unfinished(set()) == set()
        assert not POSITIONS.unfinished
    finally:
        POSITIONS.forget([kept, lost])


class _ScriptedConsumer:
    """Just enough of a Faust consumer to run the worker's fetch loop over scripted fetches.

    Each fetch is a list of offsets of one changelog partition; ``seek_after`` names the
    (fetch, record) after which a recovery moves the partition, as Faust's recovery does from
    the consumer thread while the loop is still handing over that fetch's records."""

    def __init__(self, fetches: list[list[int]], seek_after: tuple[int, int], seek_to: int) -> None:
        import asyncio

        self.fetches, self.seek_after, self.seek_to = fetches, seek_after, seek_to
        self.handed: list[int] = []  # offsets given to the table, in order
        self.fetched = 0
        self._stopped = asyncio.Event()
        self.suspend_flow = asyncio.Event()
        self.flow_active, self.should_stop, self._commit_every, self._n_acked = True, False, None, 0
        self._read_offset: dict[TP, int | None] = {}
        self.app = SimpleNamespace(topics=SimpleNamespace(acks_enabled_for=lambda topic: False))
        self.diag = SimpleNamespace(set_flag=lambda flag: None, unset_flag=lambda flag: None)
        self.consumer_stopped_errors = ()

    def assignment(self) -> set[TP]:
        return {CHANGELOG}

    async def sleep(self, seconds: float) -> None:
        return None

    async def wait_first(self, *coros: Awaitable[object]) -> None:
        import asyncio

        tasks = [asyncio.ensure_future(coro) for coro in coros]
        _, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()

    async def callback(self, message: SimpleNamespace) -> None:
        self.handed.append(message.offset)
        self._read_offset[CHANGELOG] = message.offset

    async def getmany(self, timeout: float) -> AsyncIterator[tuple[TP, SimpleNamespace]]:
        if not self.fetches:
            self._stopped.set()
            return
        number = self.fetched
        self.fetched += 1
        POSITIONS.fetched_at = POSITIONS.jumps  # what the patched _fetch_records notes
        for index, offset in enumerate(self.fetches.pop(0)):
            yield CHANGELOG, SimpleNamespace(topic=CHANGELOG.topic, tp=CHANGELOG, offset=offset)
            if (number, index) == self.seek_after:
                POSITIONS.jumped(CHANGELOG, self.seek_to)  # the recovery's seek, in the consumer thread
                self._read_offset.pop(CHANGELOG, None)  # and Faust's reset of its read offset


CHANGELOG = TP("stories-changelog", 1)


def test_changelog_records_fetched_before_a_recovery_seek_are_left_to_the_new_read() -> None:
    """A recovery seeks a changelog partition back to 0 while the loop is still handing over
    records 40..44 of an older fetch. Those are stale: the new read brings 0.. again, and every
    one of them must reach the table (Faust's read-offset filter, set again by the stale ones,
    dropped 0..44 and the recovery waited for them for ever)."""
    import asyncio

    from streams import faust_fixes

    consumer = _ScriptedConsumer([[40, 41, 42, 43, 44], [0, 1, 2, 3]], seek_after=(0, 1), seek_to=0)
    try:
        asyncio.run(faust_fixes._drain_messages(consumer, SimpleNamespace(_stopped=asyncio.Event())))
    finally:
        POSITIONS.forget([CHANGELOG])
        POSITIONS.last_jump.pop(CHANGELOG, None)
    assert consumer.handed == [40, 41, 0, 1, 2, 3]


def _recovery(started: float, received: dict[TP, float], offsets: dict[TP, int], highwaters: dict[TP, int],
              in_recovery: bool = True) -> SimpleNamespace:
    return SimpleNamespace(in_recovery=in_recovery, _recovery_started_at=started, _active_events_received_at=received,
                           active_tps=set(highwaters), active_offsets=offsets, active_highwaters=highwaters)


def test_a_recovery_that_received_nothing_from_a_partition_with_records_is_stalled() -> None:
    """The hang: changelog partitions 0..2 read from the start, nothing arrived in 30 s."""
    from streams.faust_fixes import stalled_recovery

    tps = [TP("stories-changelog", p) for p in range(4)]
    recovery = _recovery(started=100.0, received={tps[3]: 128.0}, offsets={tp: -1 for tp in tps[:3]} | {tps[3]: 99},
                         highwaters={tps[0]: 151, tps[1]: 137, tps[2]: 138, tps[3]: 130})
    assert stalled_recovery(recovery, now=131.0) == tps[:3]  # partition 3 had a record 3 s ago
    assert stalled_recovery(recovery, now=129.0) == []  # too early to tell
    assert stalled_recovery(recovery, now=159.0) == tps  # partition 3 went quiet too


def test_a_recovery_that_is_done_or_waits_for_nothing_is_not_stalled() -> None:
    from streams.faust_fixes import stalled_recovery

    done, empty, caught_up = TP("stories-changelog", 0), TP("embargo-changelog", 0), TP("stories-changelog", 1)
    recovery = _recovery(started=0.0, received={}, offsets={caught_up: 40},
                         highwaters={empty: -1, caught_up: 40})
    assert stalled_recovery(recovery, now=100.0) == []
    finished = _recovery(started=0.0, received={}, offsets={}, highwaters={done: 10}, in_recovery=False)
    assert stalled_recovery(finished, now=100.0) == []


def _ignore(*args: object) -> None:
    return None


class _FetchingConsumer:
    """Just enough of a Faust consumer for the worker's getmany: one fetch of changelog and input
    records, and a flow that may stop after ``stop_after`` records were handed over."""

    def __init__(self, records: dict[TP, list[int]], flow_active: bool = True, stop_after: int | None = None) -> None:
        self.records = {tp: [SimpleNamespace(offset=o) for o in offsets] for tp, offsets in records.items()}
        self.flow_active, self.stop_after, self.should_stop = flow_active, stop_after, False
        self.seeks_to_committed = 0
        self._buffered_partitions: set[TP] = set()
        self.app = SimpleNamespace(consumer_generation_id=5, monitor=SimpleNamespace(track_tp_end_offset=_ignore),
                                   topics=SimpleNamespace(acks_enabled_for=lambda topic: "changelog" not in topic))
        self.scheduler = SimpleNamespace(iterate=lambda rs: ((tp, r) for tp, batch in rs.items() for r in batch))
        self.log = SimpleNamespace(dev=_ignore, warning=_ignore)

    async def _wait_next_records(self, timeout: float) -> tuple[dict[TP, list[SimpleNamespace]], None]:
        POSITIONS.fetched_at = POSITIONS.jumps
        return self.records, None

    def highwater(self, tp: TP) -> int:
        return 0

    def _to_message(self, tp: TP, record: SimpleNamespace) -> int:
        return int(record.offset)

    async def perform_seek(self) -> None:
        self.seeks_to_committed += 1


def _hand_over(consumer: _FetchingConsumer) -> list[int]:
    import asyncio

    from streams import faust_fixes

    async def drain() -> list[int]:
        handed = []
        async for _tp, offset in faust_fixes._getmany(consumer, timeout=1.0):
            handed.append(offset)
            if consumer.stop_after is not None and len(handed) >= consumer.stop_after:
                consumer.flow_active = False  # a rebalance begins
        return handed

    return asyncio.run(drain())


def test_a_changelog_fetch_dropped_because_the_flow_stopped_is_read_again() -> None:
    """The rebalance hang, traced: a recovery's whole changelog read arrived while the flow was
    stopped; Faust dropped it and sought back to the committed offsets, which changelogs do not
    have, so the recovery waited for ever. Now the partition goes back to the first record."""
    from streams.faust_fixes import POSITIONS

    consumer = _FetchingConsumer({CHANGELOG: [0, 1, 2], PARTITION: [40, 41]}, flow_active=False)
    try:
        assert _hand_over(consumer) == [] and consumer.seeks_to_committed == 1
        assert POSITIONS.changelog_to_read_again() == {CHANGELOG: 0}  # the input: its committed offset
        assert POSITIONS.changelog_to_read_again() == {}  # asked once
    finally:
        POSITIONS.forget([CHANGELOG])


def test_changelog_records_left_when_the_flow_stops_mid_fetch_are_read_again() -> None:
    from streams.faust_fixes import POSITIONS

    consumer = _FetchingConsumer({CHANGELOG: [7, 8, 9, 10]}, stop_after=2)
    try:
        assert _hand_over(consumer) == [7, 8]
        assert POSITIONS.changelog_to_read_again() == {CHANGELOG: 9}
        assert _hand_over(_FetchingConsumer({CHANGELOG: [11, 12]})) == [11, 12]
        assert POSITIONS.changelog_to_read_again() == {}  # all handed over: nothing to read again
    finally:
        POSITIONS.forget([CHANGELOG])


def test_changelog_records_left_behind_by_a_partition_moved_since_are_not_read_again() -> None:
    """A recovery that sought the partition after the fetch reads what it needs itself."""
    from streams.faust_fixes import POSITIONS

    consumer = _FetchingConsumer({CHANGELOG: [3, 4]}, flow_active=False)
    try:
        _hand_over(consumer)
        POSITIONS.jumped(CHANGELOG, 0)
        assert POSITIONS.changelog_to_read_again() == {}
    finally:
        POSITIONS.forget([CHANGELOG])
        POSITIONS.last_jump.pop(CHANGELOG, None)
