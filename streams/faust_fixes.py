"""Corrections to faust-streaming 0.15.3 that at-least-once delivery depends on.

Imported by the worker before the app is built. Faust's fetch loop and commit arithmetic lost
records around rebalances (found by tests/reliability/test_rebalance.py and test_crash.py):

1. After a rebalance Faust seeks every partition back to its committed offset (aiokafka skips
   those with nothing committed yet), but its fetch loop could still hand out records fetched
   before that seek. The first stale record moved the read position past the refetched ones,
   which were then dropped as "already read", and the hole between was recorded as a gap that
   the commit skipped.
2. A record whose hand-over was cut short by a flow suspension still counted as read, and the
   stream acknowledged (so committed) events it skipped after a rebalance without processing.
3. The commit arithmetic confused "last offset done" with "next offset to read" (Kafka's
   meaning), so one never-acknowledged offset at the head could be committed past, and a
   committed offset of 0 disabled the check altogether.
4. Table changelog records fetched but not handed over (the flow stopped for a rebalance, a
   new generation, a paused partition) were dropped, and Faust's seek back to the committed
   offsets does not cover changelogs, which have none: a recovery whose read was dropped waited
   for it for ever. Changelogs were also filtered by Faust's "already read" offset, which a
   recovery's seek resets from the consumer thread while the fetch loop may still be handing
   over older records and setting it again.

Here every jump of aiokafka's position is counted in the consumer thread when it happens, a
record is handed over only if no jump happened since its fetch, the expected next offset has
Kafka's meaning throughout, a changelog record fetched before its partition was moved is left
to the read the move started, one fetched but not handed over is read again, and an offset is
committed only when every offset before it was acknowledged or is a real hole in the log
(transaction markers, compaction). Pinned by tests/reliability/test_commit_offsets.py (no
broker) and the rebalance/crash/shutdown scenarios.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from importlib.metadata import version
from typing import Any

from aiokafka.consumer.fetcher import Fetcher
from faust.events import Event
from faust.transport.consumer import CONSUMER_FETCHING, Consumer
from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread
from faust.types import TP
from mode.utils.queues import ThrowableQueue

PATCHED_VERSION = "0.15.3"
INSTALLED_VERSION = version("faust-streaming")
if INSTALLED_VERSION != PATCHED_VERSION:  # pragma: no cover - the pin in pyproject.toml
    raise ImportError(f"streams.faust_fixes corrects faust-streaming {PATCHED_VERSION}, not {INSTALLED_VERSION}")


class _Positions:
    """Where each partition's next record is expected, kept beside aiokafka's own position.

    aiokafka runs in Faust's consumer thread; every jump of its position (a seek, a reset) is
    counted there, at the moment it happens, and each fetch notes the count it saw. The fetch
    loop (on the main thread) hands a record over only if no jump happened since its fetch.
    """

    def __init__(self) -> None:
        self.jumps = 0  # position jumps so far, any partition
        self.fetched_at = 0  # jumps when the last fetch returned
        self.last_jump: dict[TP, int] = {}  # the count of jumps when each partition last jumped
        self.expected: dict[TP, int | None] = {}  # next offset; None: the first one that comes
        self.first_read: dict[TP, int] = {}  # where reading began when nothing was committed
        self.unfinished: set[TP] = set()  # records were not handed over: refetch before going on
        # changelog partitions whose fetched records were not all handed over: (first such offset,
        # fetch count then); read again from there unless the partition was moved since
        self.changelog_left: dict[TP, tuple[int, int]] = {}

    def jumped(self, tp: TP, offset: int | None) -> None:
        self.jumps += 1
        self.last_jump[tp] = self.jumps
        self.expected[tp] = offset
        self.first_read.pop(tp, None)
        self.unfinished.discard(tp)

    def jumped_since_fetch(self, tp: TP, fetched_at: int | None = None) -> bool:
        """Whether ``tp`` was moved after the last fetch (or the one at ``fetched_at``): its
        records from that fetch are stale."""
        return self.last_jump.get(tp, 0) > (self.fetched_at if fetched_at is None else fetched_at)

    def changelog_not_handed_over(self, tp: TP, offset: int) -> None:
        """A changelog record of the last fetch did not reach its table: read it again."""
        left = self.changelog_left.get(tp)
        if left is None or offset < left[0]:
            self.changelog_left[tp] = (offset, self.fetched_at)

    def changelog_to_read_again(self) -> dict[TP, int]:
        """Where each changelog partition with records left behind must be read again from; those
        moved since (a recovery's seek) read what they need anyway."""
        again = {tp: offset for tp, (offset, fetched_at) in self.changelog_left.items()
                 if not self.jumped_since_fetch(tp, fetched_at)}
        self.changelog_left.clear()
        return again

    def forget(self, tps: Any) -> None:
        for tp in tps:
            self.expected.pop(tp, None)
            self.first_read.pop(tp, None)
            self.unfinished.discard(tp)
            self.changelog_left.pop(tp, None)


POSITIONS = _Positions()  # one consumer per worker process

_original_seek_to = Fetcher.seek_to
_original_request_offset_reset = Fetcher.request_offset_reset
_original_fetch_records = AIOKafkaConsumerThread._fetch_records
_original_seek_to_committed = AIOKafkaConsumerThread.seek_to_committed
_original_on_partitions_revoked = Consumer.on_partitions_revoked


def _seek_to(self: Any, tp: Any, offset: int) -> None:
    _original_seek_to(self, tp, offset)
    POSITIONS.jumped(TP(tp.topic, tp.partition), offset)


def _request_offset_reset(self: Any, tps: Any, strategy: Any) -> Any:
    result = _original_request_offset_reset(self, tps, strategy)
    for tp in tps:
        POSITIONS.jumped(TP(tp.topic, tp.partition), None)
    return result


async def _fetch_records(self: Any, *args: Any, **kwargs: Any) -> Any:
    records = await _original_fetch_records(self, *args, **kwargs)
    POSITIONS.fetched_at = POSITIONS.jumps  # same thread, no await between: exact
    return records


async def _seek_to_committed(self: Any) -> Mapping[TP, int]:
    """Also move partitions with nothing committed: aiokafka seeks only to offsets > 0, so
    after a rebalance such a partition went on from where the fetcher was, past the records
    Faust had dropped from its buffers. They start over, as auto_offset_reset says."""
    committed: Mapping[TP, int] = await _original_seek_to_committed(self)
    acked_topic = self.app.topics.acks_enabled_for  # the stream's input, not changelogs or Faust's own
    fresh = [tp for tp, offset in committed.items() if (offset is None or offset <= 0) and acked_topic(tp.topic)]
    if fresh:
        self.log.info("Nothing committed on %r: reading it from the %s", sorted(fresh),
                         self.app.conf.consumer_auto_offset_reset)
        consumer = self._ensure_consumer()
        latest = self.app.conf.consumer_auto_offset_reset == "latest"
        await self.call_thread(consumer.seek_to_end if latest else consumer.seek_to_beginning, *fresh)
    return committed


async def _on_partitions_revoked(self: Any, revoked: set[TP]) -> None:
    POSITIONS.forget(revoked)
    await _original_on_partitions_revoked(self, revoked)


Fetcher.seek_to = _seek_to
Fetcher.request_offset_reset = _request_offset_reset
AIOKafkaConsumerThread._fetch_records = _fetch_records  # type: ignore[method-assign]
AIOKafkaConsumerThread.seek_to_committed = _seek_to_committed  # type: ignore[method-assign]
Consumer.on_partitions_revoked = _on_partitions_revoked  # type: ignore[method-assign]


# -- the fetch loop -----------------------------------------------------------------------------


def owned_unfinished(assigned: Any) -> set[TP]:
    """The unfinished partitions this worker still owns. Marks on partitions it lost are
    dropped: their new owner reads them from the committed offset, and no seek here can clear
    them (one such mark, set by a queue emptied after the partition was revoked, kept the fetch
    loop seeking back ~60 times a second until the next rebalance)."""
    POSITIONS.unfinished.intersection_update(assigned)
    return POSITIONS.unfinished


async def _drain_messages(self: Any, fetcher: Any) -> None:  # pragma: no cover - exercised on a broker
    """Faust's fetch loop, keeping the read position exact (see the module docstring).

    A record is handed to the stream only if aiokafka's position did not jump since the fetch
    that returned it; otherwise its partition is marked unfinished, and before the next fetch
    (once the flow runs) every partition goes back to its committed offset, as Faust itself
    does after a rebalance. A jump in offsets within one fetch sequence is a real hole in the
    log (markers, compaction) and is recorded so the commit may pass it.
    """
    at = POSITIONS
    consumer_should_stop = self._stopped.is_set
    fetcher_should_stop = fetcher._stopped.is_set
    acks_enabled_for = self.app.topics.acks_enabled_for
    commit_every = self._commit_every
    callback = self.callback
    suspended = self.suspend_flow.is_set
    since_yield = 0
    try:
        while not (consumer_should_stop() or fetcher_should_stop()):
            if at.unfinished and self.flow_active and owned_unfinished(self.assignment()):
                self.log.warning("Records of %r were not processed: reading again from the committed offsets",
                                 sorted(at.unfinished))
                try:
                    await self.perform_seek()
                except Exception as exc:  # not assigned any more, broker away: try again next round
                    self.log.warning("Seek back to committed offsets failed: %r", exc)
                    await self.sleep(1.0)
                    continue
            if at.changelog_left:
                assigned = self.assignment()
                again = {tp: offset for tp, offset in at.changelog_to_read_again().items() if tp in assigned}
                if again:
                    self.log.info("Changelog records of %r did not reach their table: reading them again",
                                  sorted(again))
                    try:
                        await self.seek_wait(again)
                    except Exception as exc:  # revoked meanwhile: the next recovery reads it
                        self.log.warning("Seek back on changelogs failed: %r", exc)
            self.diag.set_flag(CONSUMER_FETCHING)
            records = self.getmany(timeout=1.0)
            await self.sleep(0)
            if self.should_stop:
                continue
            async for tp, message in records:
                since_yield += 1
                if since_yield > 100:
                    await asyncio.sleep(0)
                    since_yield = 0
                if not acks_enabled_for(message.topic):  # table changelogs, read by recoveries
                    if not at.jumped_since_fetch(tp):  # else a recovery moved it: it reads them again
                        await self.wait_first(callback(message), self.suspend_flow.wait())
                        if suspended():  # the hand-over may have been cut short
                            at.changelog_not_handed_over(tp, message.offset)
                    continue
                fetched_at = at.fetched_at
                if at.jumps != fetched_at or tp in at.unfinished:
                    at.unfinished.add(tp)  # fetched before a jump, or behind a record not handed over
                    continue
                offset = message.offset
                expected = at.expected.get(tp)
                if expected is not None and offset < expected:
                    self.log.warning("Skipping %r offset %d: already handed over (next is %d)", tp, offset, expected)
                    continue
                if expected is not None and offset > expected:
                    self.log.warning("No records in %r offsets %d..%d: the commit may pass them", tp, expected,
                                     offset - 1)
                    self._gap[tp].addi(expected, offset)
                if commit_every is not None and self._n_acked >= commit_every:
                    self._n_acked = 0
                    await self.commit()
                if suspended():  # a rebalance began: Faust reads from the committed offsets afterwards
                    at.unfinished.add(tp)
                    continue
                # Awaited directly: Faust raced each hand-over against the flow suspension with
                # four tasks per record (~40 µs). A record handed over while a rebalance starts
                # is either processed or skipped by the stream, which may not acknowledge it.
                await callback(message)
                if at.jumps != fetched_at:
                    at.unfinished.add(tp)
                    continue
                if expected is None:
                    at.first_read.setdefault(tp, offset)
                at.expected[tp] = offset + 1
            self.diag.unset_flag(CONSUMER_FETCHING)
    except self.consumer_stopped_errors:
        if self.transport.app.should_stop:
            self.log.info("Broker stopped consumer, shutting down...")
            return
        raise
    except asyncio.CancelledError:
        if self.transport.app.should_stop:
            self.log.info("Consumer shutting down for user cancel.")
            return
        raise
    except Exception as exc:
        self.log.exception("Drain messages raised: %r", exc)
        raise
    finally:
        self.diag.unset_flag(CONSUMER_FETCHING)


Consumer._drain_messages = _drain_messages  # type: ignore[method-assign]


async def _getmany(self: Any, timeout: float) -> AsyncIterator[tuple[TP, Any]]:  # pragma: no cover - on a broker
    """Faust's getmany, except that changelog records it fetched but does not hand over are read
    again (issue 7's rebalance hang). Faust drops a fetch when the flow has stopped, stops
    handing one over when the flow stops or a new generation begins, and skips partitions paused
    meanwhile; it then seeks back to the committed offsets, but changelogs have none. A recovery
    whose whole read was dropped that way waited for ever for records aiokafka had already read.
    """
    records, active_partitions = await self._wait_next_records(timeout)
    generation_id = self.app.consumer_generation_id
    if records is None or self.should_stop:
        return
    acks_enabled_for = self.app.topics.acks_enabled_for
    handed: dict[TP, int] = {}  # partition -> last offset handed over
    try:
        if not self.flow_active:
            self.log.dev("getmany called while flow not active. Seek back to committed offsets.")
            try:
                await self.perform_seek()
            except Exception as exc:
                self.log.warning(f"exception performing seek when flow not active {exc}")
            return
        to_message = self._to_message
        for tp, record in self.scheduler.iterate(records):
            if not self.flow_active or self.app.consumer_generation_id != generation_id:
                break
            if active_partitions is None or tp in active_partitions or tp in self._buffered_partitions:
                self.app.monitor.track_tp_end_offset(tp, self.highwater(tp))
                yield tp, to_message(tp, record)
                handed[tp] = record.offset
    finally:
        for tp, fetched in records.items():
            if fetched and not acks_enabled_for(tp.topic):
                last = handed.get(tp, -1)
                left = next((record.offset for record in fetched if record.offset > last), None)
                if left is not None:
                    POSITIONS.changelog_not_handed_over(tp, left)


Consumer.getmany = _getmany  # type: ignore[method-assign]


# -- acknowledgements ---------------------------------------------------------------------------

SETTLE_BEFORE_ACK: set[str] = set()  # input topics whose events only the application may acknowledge
_original_event_ack = Event.ack


def settle(events: Any) -> None:
    """Mark events whose outputs the broker has: only these may be acknowledged (committed)."""
    for event in events:
        event.newswire_settled = True


def _event_ack(self: Any) -> bool:
    """Faust's stream acknowledges an event it skips (one fetched in an older consumer
    generation, or arriving while the flow is suspended), so the commit passed records nobody
    processed. On a settle-before-ack topic an unsettled event is not acknowledged; its
    partition goes back to the committed offset once the flow runs, and the record is read
    again."""
    if getattr(self, "newswire_settled", False) or self.message.topic not in SETTLE_BEFORE_ACK:
        return bool(_original_event_ack(self))
    POSITIONS.unfinished.add(self.message.tp)
    return False


Event.ack = _event_ack  # type: ignore[method-assign]

_original_queue_clear = ThrowableQueue.clear


def _queue_clear(self: Any) -> None:
    """Faust empties its stream queues whenever the flow resumes, also at the end of a
    recovery, after the seek to the committed offsets, when the flow had already resumed: the
    records handed over in between were dropped unacknowledged, and the commit held at the
    first of them (issue 7, about one rebalance in three). Their partitions are read again."""
    for item in self._queue:
        message = getattr(item, "message", None)
        if message is not None and message.topic in SETTLE_BEFORE_ACK:
            POSITIONS.unfinished.add(message.tp)
    _original_queue_clear(self)


ThrowableQueue.clear = _queue_clear  # type: ignore[method-assign]


# -- commit arithmetic --------------------------------------------------------------------------


def _new_offset(self: Any, tp: TP) -> int | None:
    """The offset to commit: the first one neither acknowledged nor a known hole in the log.

    Works from the committed offset (Kafka's meaning: next to read), or from the first offset
    read after the seek when nothing was committed yet; never from the lowest acknowledgement,
    which after a rebalance can be a record processed long after an unprocessed one.
    Acknowledgements below the committed offset are dropped here, not before, so a failed
    commit loses nothing.
    """
    acked: list[int] = self._acked[tp]
    if not acked:
        return None
    committed = self._committed_offset[tp]
    if committed is None:  # nothing committed (or Faust's None for 0): from the first offset read
        committed = POSITIONS.first_read.get(tp)
        if committed is None:  # e.g. acks of a partition held before, arriving before its seek: wait
            return None
    index: set[int] = self._acked_index[tp]
    if min(acked) < committed:
        done_below = [o for o in acked if o < committed]
        acked[:] = [o for o in acked if o >= committed]
        index.difference_update(done_below)
    gaps = self._gap[tp]
    position = committed
    while True:
        if position in index:
            position += 1
            continue
        holes = gaps[position] if gaps else ()
        if holes:
            position = max(hole.end for hole in holes)
            continue
        break
    if gaps:
        gaps.chop(0, committed)
    return position if position > committed else None


Consumer._new_offset = _new_offset  # type: ignore[method-assign]


# -- fetch latency --------------------------------------------------------------------------------

FETCH_MAX_WAIT_MS = 50
_original_create_worker_consumer = AIOKafkaConsumerThread._create_worker_consumer


def _create_worker_consumer(self: Any, transport: Any) -> Any:
    """Faust hard-codes fetch_max_wait_ms=1500: a quiet partition then holds a whole fetch for
    1.5 s, which stalled the agent about once per ten batches (measured by make bench: the
    passthrough baseline went from 2,308 to 6,591 items/s, and p99 at 500 items/s under 130 ms).
    """
    consumer = _original_create_worker_consumer(self, transport)
    consumer._fetch_max_wait_ms = FETCH_MAX_WAIT_MS
    return consumer


AIOKafkaConsumerThread._create_worker_consumer = _create_worker_consumer  # type: ignore[method-assign]


# -- recovery watchdog ----------------------------------------------------------------------------

RECOVERY_PATIENCE = 30.0  # seconds without a record from a changelog partition that still has some


def stalled_recovery(recovery: Any, now: float, patience: float = RECOVERY_PATIENCE) -> list[TP]:
    """The changelog partitions a running table recovery waits for in vain: records remain below
    their high-water mark, yet none arrived for ``patience`` seconds (or since the recovery began).

    Faust only logs "No event received for active tp" in that state, and the worker then waits
    for ever without processing anything. A last resort: the cause found (item 4 above) is
    fixed, but a recovery must never hang silently. Restarting it seeks those partitions again.
    """
    started = recovery._recovery_started_at
    if not recovery.in_recovery or started is None or now - started < patience:
        return []
    received = recovery._active_events_received_at
    stalled = []
    for tp in recovery.active_tps:
        highwater = recovery.active_highwaters.get(tp)
        offset = recovery.active_offsets.get(tp)
        if highwater is None or highwater < 0 or (offset is not None and offset >= highwater):
            continue
        if now - received.get(tp, started) >= patience:
            stalled.append(tp)
    return sorted(stalled)


def restart_recovery(recovery: Any) -> None:
    """Start the table recovery over, as a new rebalance would: Faust's recovery loop takes the
    signal, seeks the changelog partitions to what it has applied and reads on from there."""
    recovery.signal_recovery_start.set()
