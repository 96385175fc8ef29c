"""The pipeline processes (streams/compute.py) give what the worker's own pipeline gives.

Real child processes, no broker: the bench's wire generator makes items with many updates,
cancels and redeliveries of the same stories close together, so chunks in flight on two
processes often share a story. Whatever the processes do (chunks in parallel, a story's memory
carried by the process that left it last, records computed again in the worker when another
chunk in flight held their story), every record's outputs and the story memory at the end must
be what one pipeline gives doing the records one by one.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
from typing import Any

import orjson
import pytest

from streams import compute
from streams.compute import ComputePool, ComputeUnavailable, Input, Result
from streams.models import SourceMeta
from streams.pipeline import Outcome, Pipeline, Resources
from streams.settings import Settings
from streams.stories import decode_memory, memory_updates
from tests.bench.generator import corpus

ITEMS = 700
BATCHES = (1, 5, 300, 394)  # sums to ITEMS


@pytest.fixture(scope="module")
def setup() -> tuple[Settings, Pipeline, list[Input]]:
    settings = Settings()
    pipeline = Pipeline(settings, Resources.load(settings))
    inputs = [(item.raw, SourceMeta("wire.raw", item.index % 6, item.index, None, item.key))
              for item in corpus(ITEMS, seed=3)]
    return settings, pipeline, inputs


def _batches(inputs: list[Input]) -> list[list[Input]]:
    out, start = [], 0
    for size in BATCHES:
        out.append(inputs[start:start + size])
        start += size
    assert start == len(inputs)
    return out


def _seen(outcome: Outcome) -> tuple[Any, ...]:
    """What a record produced, without the clock: outputs and why it was dead-lettered."""
    letter = outcome.dead_letter
    return (tuple((r.topic, r.key, r.value, r.headers) for r in outcome.records),
            None if letter is None else (letter.reason, letter.message, letter.raw))


def _table_view(table: dict[bytes, bytes]) -> dict[bytes, Any]:
    views = {}
    for key, value in table.items():
        record = orjson.loads(value)
        record.pop("updated_at", None)  # whole seconds of the wall clock
        views[key] = record
    return views


def one_by_one(pipeline: Pipeline, inputs: list[Input]) -> tuple[list[Any], dict[bytes, Any]]:
    """The worker without pipeline processes: each record with the table plus the batch's updates."""
    table: dict[bytes, bytes] = {}
    seen = []
    for batch in _batches(inputs):
        updates: dict[bytes, bytes] = {}

        def remembered(sid: str, updates: dict[bytes, bytes] = updates) -> Any:
            key = sid.encode()
            return decode_memory(updates[key] if key in updates else table.get(key))

        for raw, source in batch:
            outcome = pipeline.process(raw, source, remembered)
            updates.update(memory_updates(outcome.memory))
            seen.append(_seen(outcome))
        table.update(updates)
    return seen, _table_view(table)


async def through_pool(pool: ComputePool, pipeline: Pipeline,
                       inputs: list[Input]) -> tuple[list[Any], dict[bytes, Any], int]:
    """The worker with pipeline processes: what ``app.compute`` does, the table kept in a dict."""
    table: dict[bytes, bytes] = {}
    seen: list[Any] = []
    again = 0
    for batch in _batches(inputs):
        updates: dict[bytes, bytes] = {}
        done = 0

        def stored(sid: str, updates: dict[bytes, bytes] = updates) -> bytes | None:
            key = sid.encode()
            return updates[key] if key in updates else table.get(key)

        def local(raw: bytes, source: SourceMeta, updates: dict[bytes, bytes] = updates) -> Result:
            outcome = pipeline.process(raw, source, lambda sid: decode_memory(stored(sid, updates)))
            return outcome, memory_updates(outcome.memory)

        async def deliver(results: list[Result | None], batch: list[Input] = batch,
                          updates: dict[bytes, bytes] = updates) -> None:
            nonlocal done, again
            for result in results:
                if result is None:
                    again += 1
                    result = local(*batch[done])
                outcome, story_updates = result
                updates.update(story_updates)
                seen.append(_seen(outcome))
                done += 1

        await pool.run(batch, stored, deliver)
        assert done == len(batch)
        table.update(updates)
    return seen, _table_view(table), again


@pytest.mark.parametrize("processes", [1, 2])
async def test_pool_gives_what_one_pipeline_gives(setup: Any, processes: int, monkeypatch: pytest.MonkeyPatch) -> None:
    settings, pipeline, inputs = setup
    monkeypatch.setattr(compute, "CHUNK", 16)  # many chunks: stories shared by chunks in flight
    expected_seen, expected_table = one_by_one(pipeline, inputs)
    pool = ComputePool(settings, processes)
    assert await pool.start()
    try:
        seen, table, again = await through_pool(pool, pipeline, inputs)
    finally:
        await pool.stop()
    assert len(seen) == len(expected_seen) == ITEMS
    for index, (got, want) in enumerate(zip(seen, expected_seen, strict=True)):
        assert got == want, f"record {index} differs"
    assert table == expected_table
    if processes == 1:
        assert again == 0  # one process carries its own stories: nothing to compute again
    else:
        assert again > 0  # the corpus does make chunks in flight share stories


async def test_a_dead_process_hands_the_batch_back(setup: Any) -> None:
    """A process that died: run() says how much was delivered (nothing), the caller does the rest,
    and a new process is started in the background."""
    settings, _, inputs = setup
    pool = ComputePool(settings, 1)
    assert await pool.start()
    try:
        pool._children[0].proc.kill()
        await pool._children[0].proc.wait()
        with pytest.raises(ComputeUnavailable) as failed:
            await pool.run(inputs[:40], lambda sid: None, _ignore)
        assert failed.value.done == 0
        assert pool.failures == 1
        pool._retry_at = 0.0  # no back-off wait in a test
        with pytest.raises(ComputeUnavailable):
            await pool.run(inputs[:40], lambda sid: None, _ignore)  # starts a new process meanwhile
        for _ in range(200):
            if pool.running:
                break
            await asyncio.sleep(0.1)
        assert pool.running
        delivered: list[Result | None] = []

        async def keep(results: list[Result | None]) -> None:
            delivered.extend(results)

        await pool.run(inputs[:40], lambda sid: None, keep)
        assert len(delivered) == 40 and all(r is not None for r in delivered)
    finally:
        await pool.stop()


async def _ignore(results: list[Result | None]) -> None:
    return None


async def test_tend_replaces_a_dead_process_without_a_batch(setup: Any) -> None:
    """The health timer's tend(): a trickle of small batches never reaches run(), yet a dead
    process must be replaced (after the back-off) and counted once."""
    settings, _, _ = setup
    counted: list[int] = []
    pool = ComputePool(settings, 2, on_failure=lambda: counted.append(1))
    assert await pool.start()
    try:
        victim = pool._children[1].proc
        victim.kill()
        await victim.wait()
        await pool.tend()
        assert counted == [1] and not pool.running
        await pool.tend()  # within the back-off: nothing new, nothing counted twice
        assert counted == [1]
        pool._retry_at = 0.0
        await pool.tend()
        for _ in range(200):
            if pool.running:
                break
            await asyncio.sleep(0.1)
        assert pool.running and victim.pid not in {c.proc.pid for c in pool._children}
    finally:
        await pool.stop()


async def test_a_process_asks_for_the_queued_chunk_before_it_answers(setup: Any) -> None:
    """With the next chunk already queued, the process decodes it and asks for its stories before
    it computes the current one, so the worker's answer travels while it computes; and its pipes
    hold a whole chunk, so a frame never waits for the other side to drain it piecemeal."""
    settings, _, inputs = setup
    pool = ComputePool(settings, 1)
    assert await pool.start()
    try:
        child = pool._children[0]
        assert child.proc.stdin is not None
        pipe = child.proc.stdin.get_extra_info("pipe")
        assert fcntl.fcntl(pipe.fileno(), fcntl.F_GETPIPE_SZ) >= compute.PIPE_BYTES
        first, second = inputs[:64], inputs[64:128]
        child.send(("chunk", 1, first))
        wanted = await child.receive(30, "need")
        child.send(("memory", {sid: None for sid in wanted}, set()), ("chunk", 1, second))
        order = [(await child.receive(30, "need", "results"))[0] for _ in range(2)]
        assert order == ["need", "results"]
    finally:
        await pool.stop()


async def test_the_processes_yield_to_the_worker(setup: Any) -> None:
    """The processes run at a lower priority than the worker, which feeds them."""
    settings, _, _ = setup
    pool = ComputePool(settings, 1)
    assert await pool.start()
    try:
        ours = os.getpriority(os.PRIO_PROCESS, 0)
        assert os.getpriority(os.PRIO_PROCESS, pool._children[0].proc.pid) == min(19, ours + compute.NICE)
    finally:
        await pool.stop()
