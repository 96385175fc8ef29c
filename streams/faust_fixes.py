"""Corrections to faust-streaming 0.15.3 that at-least-once delivery depends on.

Imported by the worker before the app is built. Faust's fetch loop and commit arithmetic lost
records around rebalances (found by tests/reliability/test_rebalance.py and test_crash.py):

1. After a rebalance Faust seeks every partition back to its committed offset, but the fetch
   loop may still be handing out records fetched *before* that seek. The first stale record
   moved the read position past the refetched ones, which were then dropped as "already read",
   and the hole between was recorded as a gap that the commit skipped.
2. A record whose delivery was cut short by a flow suspension still counted as read.
3. The commit arithmetic confused "last offset done" with "next offset to read" (Kafka's
   meaning), so one never-acknowledged offset at the head could be committed past, and a
   committed offset of 0 disabled the check altogether.

The replacements below keep one meaning throughout: ``_read_offset[tp]`` is the next offset
this consumer expects, a seek sets it, and a record is only ever counted as read once it was
handed to the stream. An offset is committed only when every offset before it was acknowledged
or is a real hole in the log (transaction markers, compaction). Pinned by
tests/reliability/test_commit_offsets.py (no broker) and the rebalance/crash/shutdown scenarios.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.metadata import version
from typing import Any, cast

from faust.transport.consumer import CONSUMER_FETCHING, Consumer
from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread
from faust.types import TP

PATCHED_VERSION = "0.15.3"
INSTALLED_VERSION = version("faust-streaming")
if INSTALLED_VERSION != PATCHED_VERSION:  # pragma: no cover - the pin in pyproject.toml
    raise ImportError(f"streams.faust_fixes corrects faust-streaming {PATCHED_VERSION}, not {INSTALLED_VERSION}")


@dataclass
class _SeekState:
    """Per consumer: when each partition was last moved, and which need moving back."""

    epoch: int = 0  # bumped by every seek
    all_seeked_at: int = 0  # epoch of the last seek of every partition (perform_seek)
    seeked_at: dict[TP, int] = field(default_factory=dict)
    first_read: dict[TP, int] = field(default_factory=dict)  # first offset read when none was committed
    unfinished: set[TP] = field(default_factory=set)  # a record was not delivered: refetch needed

    def bump(self, tps: Any = None) -> None:
        self.epoch += 1
        if tps is None:
            self.all_seeked_at = self.epoch
            self.unfinished.clear()
            self.first_read.clear()
        else:
            for tp in tps:
                self.seeked_at[tp] = self.epoch
                self.unfinished.discard(tp)
                self.first_read.pop(tp, None)

    def seeked_since(self, tp: TP, epoch: int) -> bool:
        return max(self.all_seeked_at, self.seeked_at.get(tp, 0)) > epoch


def _state(consumer: Any) -> _SeekState:
    state = consumer.__dict__.get("_newswire_seeks")
    if state is None:
        state = consumer.__dict__["_newswire_seeks"] = _SeekState()
    return cast(_SeekState, state)


# -- seeks: remember when each partition moved ------------------------------------------------

_original_perform_seek = Consumer.perform_seek
_original_seek = Consumer.seek
_original_seek_wait = AIOKafkaConsumerThread._seek_wait


async def _perform_seek(self: Any) -> None:
    await _original_perform_seek(self)
    _state(self).bump()


async def _seek(self: Any, partition: TP, offset: int) -> None:
    await _original_seek(self, partition, offset)
    _state(self).bump([partition])
    self._read_offset[partition] = offset  # Faust stores None for offset 0


async def _seek_wait(self: Any, consumer: Any, partitions: Mapping[TP, int]) -> None:
    await _original_seek_wait(self, consumer, partitions)
    for tp, offset in partitions.items():
        self.consumer._read_offset[tp] = offset
    _state(self.consumer).bump(partitions)


Consumer.perform_seek = _perform_seek  # type: ignore[method-assign]
Consumer.seek = _seek  # type: ignore[method-assign]
AIOKafkaConsumerThread._seek_wait = _seek_wait  # type: ignore[method-assign]


# -- the fetch loop -----------------------------------------------------------------------------


async def _drain_messages(self: Any, fetcher: Any) -> None:  # pragma: no cover - exercised on a broker
    """Faust's fetch loop, keeping the read position exact (see the module docstring).

    A record is handed to the stream only if no seek of its partition happened since aiokafka
    returned it (aiokafka itself drops what was fetched for an older position).
    A gap in offsets inside one fetch sequence is a real hole in the log and is recorded so
    the commit may pass it. A record whose hand-over was cut short by a flow suspension marks
    its partition unfinished: the rest of the partition's records are not handed over until a
    seek (Faust's own after every rebalance, or ours once the flow runs again) refetches them.
    """
    state = _state(self)
    consumer_should_stop = self._stopped.is_set
    fetcher_should_stop = fetcher._stopped.is_set
    read_offset = self._read_offset
    acks_enabled_for = self.app.topics.acks_enabled_for
    commit_every = self._commit_every
    since_yield = 0
    try:
        while not (consumer_should_stop() or fetcher_should_stop()):
            if state.unfinished and self.flow_active:
                await self.perform_seek()  # the flow resumed without a seek: refetch from the commit
            self.diag.set_flag(CONSUMER_FETCHING)
            fetched_at: int | None = None
            records = self.getmany(timeout=1.0)
            await self.sleep(0)
            if self.should_stop:
                continue
            async for tp, message in records:
                if fetched_at is None:  # aiokafka returned these consistent with the positions of now
                    fetched_at = state.epoch
                since_yield += 1
                if since_yield > 100:
                    await asyncio.sleep(0)
                    since_yield = 0
                if tp in state.unfinished or state.seeked_since(tp, fetched_at):
                    continue  # fetched before a seek, or after a record that was not delivered
                offset = message.offset
                expected = read_offset.get(tp)
                if expected is not None and offset < expected:
                    continue  # already handed over
                if expected is not None and offset > expected and acks_enabled_for(message.topic):
                    self._gap[tp].addi(expected, offset)  # no records there: the commit may pass
                if commit_every is not None and self._n_acked >= commit_every:
                    self._n_acked = 0
                    await self.commit()
                delivery = self.callback(message)
                result = await self.wait_first(delivery, self.suspend_flow.wait())
                if delivery not in result.done:
                    state.unfinished.add(tp)
                    continue
                if expected is None:
                    state.first_read.setdefault(tp, offset)
                read_offset[tp] = offset + 1
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


# -- commit arithmetic --------------------------------------------------------------------------


def _new_offset(self: Any, tp: TP) -> int | None:
    """The offset to commit: the first one neither acknowledged nor a known hole in the log.

    Works from the committed offset (Kafka's meaning: next to read), or from the first offset
    read when nothing was committed yet. Acknowledgements below the committed offset are
    dropped here, not before, so a failed commit loses nothing.
    """
    acked: list[int] = self._acked[tp]
    if not acked:
        return None
    committed = self._committed_offset[tp]
    state = getattr(self, "_newswire_seeks", None)
    if committed is None:
        start = state.first_read.get(tp) if state is not None else None
        committed = min(acked) if start is None else start
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

