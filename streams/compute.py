"""The pure pipeline in child processes, so that it and the worker's Kafka I/O each have a core.

In one process, Faust, aiokafka and the pipeline shared one core (``make bench``: 0.98 of a core
busy, the second idle but for the broker), and the pipeline's tables were evicted from the cache
by the Kafka work between items. Here children (``python -m streams.compute``) run decode ->
classify -> enrich -> route -> serialise, and the worker keeps consuming, publishing, the tables
and the commits. A batch is cut into chunks handed to whichever child is free. A child decodes
its chunk, asks for the stored memory of the chunk's stories (the worker's table stays the only
truth) and sends the chunk's outcomes back; the worker publishes them while the next chunk is
computed. A record whose story another chunk still in flight holds is computed again by the
worker once that chunk is collected, so every record sees its story as the records before it
left it.

Frames on a child's stdin and stdout: a 4-byte big-endian length, then a pickle. Both ends are
this package in the same environment, started by the worker itself, which is what makes pickle
acceptable here. If a child dies or stops answering, the worker finishes the batch with its own
pipeline and starts new children in the background: nothing is lost, at worst slower.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import gc
import logging
import os
import pickle
import select
import signal
import struct
import sys
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any, BinaryIO

from streams.models import DeadLetter, SourceMeta
from streams.pipeline import Decoded, Outcome, Pipeline, Resources, utc_iso
from streams.routing import RuleSet
from streams.settings import Settings
from streams.stories import decode_memory, memory_updates

log = logging.getLogger("newswire.compute")

CHUNK = 64  # records per answer at most: the worker publishes one chunk while a process computes the next
MIN_CHUNK = 4  # a small batch is split among the processes down to chunks this small (latency)
HAND_OFF_FROM = 32  # smaller batches run in the worker: little to do, and the hand-off would only add latency
START_TIMEOUT = 120.0  # seconds for a child to load the taxonomy, knowledge base and rules
ANSWER_TIMEOUT = 60.0  # seconds for any one answer; a process silent this long is replaced
RESTART_FIRST = 1.0  # seconds before a failed child is started again; doubles up to the max
RESTART_MAX = 60.0
NICE = 5  # the processes yield to the worker, which feeds them: make bench +5 % items/s, p99 -3 ms
PIPE_BYTES = 1 << 20  # Linux's default ceiling for an unprivileged process (fs.pipe-max-size)
_LENGTH = struct.Struct(">I")

Input = tuple[bytes, SourceMeta]
Result = tuple[Outcome, dict[bytes, bytes]]  # an outcome (memory left out) and its table updates


class ComputeUnavailable(Exception):
    """The processes could not finish a batch; the first ``done`` records' results were delivered."""

    def __init__(self, done: int, why: str) -> None:
        super().__init__(why)
        self.done = done


# -- frames -------------------------------------------------------------------------------------


def frame(message: Any) -> bytes:
    body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return _LENGTH.pack(len(body)) + body


class Frames:
    """The child's end of the pipes. Reads go to the raw descriptor with our own buffer, so that
    ``waiting`` can tell, without blocking, whether the worker has queued the next message."""

    def __init__(self, fd: int, out: BinaryIO) -> None:
        self.fd = fd
        self.out = out
        self.buffer = bytearray()

    def _fill(self, size: int) -> bool:
        while len(self.buffer) < size:
            data = os.read(self.fd, max(65_536, size - len(self.buffer)))
            if not data:
                return False
            self.buffer += data
        return True

    def read(self) -> Any:
        """The next message, or None at the end of the stream."""
        if not self._fill(_LENGTH.size):
            return None
        (size,) = _LENGTH.unpack_from(self.buffer)
        if not self._fill(_LENGTH.size + size):
            return None
        body = bytes(self.buffer[_LENGTH.size:_LENGTH.size + size])
        del self.buffer[:_LENGTH.size + size]
        return pickle.loads(body)

    def waiting(self) -> bool:
        return bool(self.buffer) or bool(select.select([self.fd], [], [], 0)[0])

    def send(self, *messages: Any) -> None:
        self.out.write(b"".join(frame(m) for m in messages))
        self.out.flush()


# -- the child ----------------------------------------------------------------------------------


@dataclass
class _Prepared:
    """A chunk decoded, waiting for its stories' memory."""

    inputs: list[Input]
    moments: list[float]
    decoded: list[Decoded | Outcome]
    wanted: list[str]
    known: dict[str, bytes | None]  # its batch's stories as this process last left them


class Server:
    """The child: decode a chunk and ask for its stories' memory; once that is in, decode the chunk
    queued behind it and ask for that one's, then finish the first and answer. The worker's
    answer for the next chunk is thus on its way while this one is computed."""

    def __init__(self, frames: Frames, resources: Resources, pipeline: Pipeline) -> None:
        self.frames = frames
        self.resources = resources
        self.pipeline = pipeline
        self.batch = -1
        self.known: dict[str, bytes | None] = {}  # the latest batch's (see _Prepared.known)
        self.closed = False  # the worker closed our input

    def serve(self) -> None:
        prepared = self.next_chunk(block=True)
        while prepared is not None:
            answer = self.frames.read()
            if answer is None:
                return
            # decode the chunk queued behind this one and ask for its stories first: the worker
            # answers while we finish this one, instead of us waiting for the answer after it
            following = self.next_chunk(block=False)
            self.frames.send(("results", self.finish(prepared, answer[1], answer[2])))
            prepared = following if following is not None else self.next_chunk(block=True)

    def next_chunk(self, block: bool) -> _Prepared | None:
        """The next chunk decoded and its stories asked for; None if none is queued (``block``: only
        at the end). Rules changes queued before it apply on the way."""
        while not self.closed and (block or self.frames.waiting()):
            message = self.frames.read()
            if message is None or message[0] not in ("chunk", "rules"):
                self.closed = True
                return None
            if message[0] == "rules":
                self.resources.rules = message[1]
                continue
            prepared = self.prepare(message)
            self.frames.send(("need", prepared.wanted))
            return prepared
        return None

    def prepare(self, message: Any) -> _Prepared:
        _, batch, inputs = message
        if batch != self.batch:
            self.batch = batch
            self.known = {}
        moments = [time.time() for _ in inputs]
        decoded = [self.pipeline.decode(raw, source, now) for (raw, source), now in zip(inputs, moments, strict=True)]
        wanted = sorted({item.story_id for d in decoded if isinstance(d, Decoded) for item in d.items})
        return _Prepared(inputs, moments, decoded, wanted, self.known)

    def finish(self, prepared: _Prepared, stored: dict[str, bytes | None],
               yours: set[str]) -> list[tuple[Outcome, dict[bytes, bytes], set[str]]]:
        """``stored``: the worker's memory of the chunk's stories; ``yours``: stories whose last word
        is this process's own, from a chunk of this batch the worker has not collected yet."""
        known = prepared.known
        for story_id in prepared.wanted:
            if story_id not in yours:
                known[story_id] = stored.get(story_id)

        def remembered(story_id: str) -> Any:
            return decode_memory(known.get(story_id))

        results: list[tuple[Outcome, dict[bytes, bytes], set[str]]] = []
        for (raw, source), now, d in zip(prepared.inputs, prepared.moments, prepared.decoded, strict=True):
            outcome = d if isinstance(d, Outcome) else _finish(self.pipeline, d, raw, source, remembered, now)
            updates = memory_updates(outcome.memory)
            for key, value in updates.items():
                known[key.decode()] = value
            outcome.memory = {}
            if outcome.dead_letter is not None:  # the worker holds the raw bytes: do not send them back
                outcome.dead_letter = replace(outcome.dead_letter, raw=b"")
            stories = {item.story_id for item in d.items} if isinstance(d, Decoded) else set()
            results.append((outcome, updates, stories))
        return results


def serve(frames: Frames) -> None:
    """The child's life: load the data once, then answer chunks until the worker closes stdin."""
    hello = frames.read()
    if hello is None:
        return
    _, settings, rules = hello
    resources = Resources.load(settings)
    if rules is not None:
        resources.rules = rules
    pipeline = Pipeline(settings, resources)
    gc.freeze()  # the knowledge base lives as long as the process, as in the worker
    frames.send(("ready", resources.versions))
    Server(frames, resources, pipeline).serve()


def _finish(pipeline: Pipeline, decoded: Decoded, raw: bytes, source: SourceMeta,
            remembered: Callable[[str], Any], now: float) -> Outcome:
    try:
        return pipeline.finish(decoded, raw, source, remembered, now)
    except Exception as exc:  # pragma: no cover - finish() already guards; a record never fails the batch
        return Outcome(dead_letter=DeadLetter("internal-error", f"route: {exc!r}"[:500], raw, source, utc_iso(now)))


def widen(fd: int) -> None:
    """Make a pipe hold a whole chunk (64 KiB by default; a chunk's records are ~200 KB, its
    results ~400 KB): a frame then goes in one write, not in pieces each waiting for the other
    side's event loop to come round (make bench: the child waited ~10 ms per chunk for them)."""
    with contextlib.suppress(OSError, AttributeError):  # not a pipe, or not Linux: the default then
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)


def main() -> int:
    # Ctrl-C reaches the whole process group: the worker decides when we stop (it closes stdin)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # on two busy cores the worker (consumer, producer, the memory answers) goes first: starved,
    # it keeps the processes waiting; they use whatever it leaves, which is most of it
    os.nice(NICE)
    # stdout carries frames: anything else that prints (a library, a warning) goes to stderr
    writer = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    for fd in (sys.stdin.fileno(), writer.fileno()):
        widen(fd)
    with contextlib.suppress(BrokenPipeError):  # the worker went away mid-answer
        serve(Frames(sys.stdin.fileno(), writer))
    return 0


# -- the worker's side --------------------------------------------------------------------------


class Child:
    """One pipeline process and the conversation with it."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc

    @property
    def running(self) -> bool:
        return self.proc.returncode is None

    def send(self, *messages: Any) -> None:
        """Queue messages, in one write; not waiting for the pipe to drain, since the process may
        be busy writing its own answer, which we read next (waiting would deadlock both ends)."""
        assert self.proc.stdin is not None
        if self.proc.stdin.is_closing():
            raise ConnectionResetError("pipeline process input closed")
        self.proc.stdin.write(b"".join(frame(message) for message in messages))

    async def receive(self, timeout: float, *expected: str) -> Any:
        """The next message's payload; with several kinds expected, (kind, payload)."""
        assert self.proc.stdout is not None
        head = await asyncio.wait_for(self.proc.stdout.readexactly(_LENGTH.size), timeout)
        (size,) = _LENGTH.unpack(head)
        message = pickle.loads(await asyncio.wait_for(self.proc.stdout.readexactly(size), timeout))
        if message[0] not in expected:
            raise RuntimeError(f"pipeline process answered {message[0]!r}, expected {' or '.join(expected)}")
        return message[1] if len(expected) == 1 else (message[0], message[1])

    async def kill(self) -> None:
        if self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
        try:
            await asyncio.wait_for(self.proc.wait(), 10.0)
        except Exception:
            log.warning("pipeline process did not exit", extra={"pid": self.proc.pid})


class ComputePool:
    """The worker's pipeline processes: start them, run batches through them, replace them if one fails.

    A batch is cut into chunks, handed out in order to whichever process is free. Before a
    process finishes a chunk it gets the memory of the chunk's stories; a story whose last word
    is still in another chunk in flight makes its records come back as None, for the worker to
    compute again: each record sees its story as if one process had done them all in order.
    """

    def __init__(self, settings: Settings, processes: int = 1, on_failure: Callable[[], None] | None = None) -> None:
        self.settings = settings
        self.size = processes
        self.on_failure = on_failure  # the worker counts failures in its metrics
        self.rules: RuleSet | None = None  # rules reloaded since start, for processes started later
        self.failures = 0  # processes that died, hung or would not start
        self._streak = 0  # failures since the processes last finished a batch: the back-off grows with it
        self.batches = 0
        self._children: list[Child] = []
        self._lock = asyncio.Lock()  # one conversation at a time: a batch, or a rules change
        self._starting: asyncio.Task[bool] | None = None
        self._retry_at = 0.0

    @property
    def running(self) -> bool:
        return len(self._children) == self.size and all(c.running for c in self._children)

    @staticmethod
    def worth(records: int) -> bool:
        """Whether a batch this size goes to the processes (a trickle is faster done in the worker,
        whose caches it then has to itself: make bench's latency run)."""
        return records >= HAND_OFF_FROM

    async def start(self) -> bool:
        """Start every process and wait until their data is loaded; False (logged) if one failed."""
        started = await asyncio.gather(*(self._start_one() for _ in range(self.size)))
        children = [c for c in started if c is not None]
        if len(children) < self.size:
            for child in children:
                await child.kill()
            self._back_off("a pipeline process did not start")
            return False
        self._children = children
        log.info("pipeline processes ready", extra={"pids": [c.proc.pid for c in children]})
        return True

    async def _start_one(self) -> Child | None:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "streams.compute",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        )
        child = Child(proc)
        try:
            child.send(("hello", self.settings, self.rules))
            await child.receive(START_TIMEOUT, "ready")
        except Exception as exc:
            log.error("pipeline process did not start; the worker runs the pipeline itself",
                      extra={"detail": repr(exc)[:300]})
            await child.kill()
            return None
        return child

    async def stop(self) -> None:
        if self._starting is not None:
            self._starting.cancel()
        children, self._children = self._children, []
        for child in children:
            await child.kill()

    async def set_rules(self, rules: RuleSet) -> None:
        """Hand reloaded rules to the processes, between batches."""
        self.rules = rules
        async with self._lock:
            try:
                for child in self._children:
                    child.send(("rules", rules))
            except Exception as exc:
                await self._fail(f"rules: {exc!r}")

    async def run(self, inputs: list[Input], stored: Callable[[str], bytes | None],
                  deliver: Callable[[list[Result | None]], Awaitable[None]]) -> None:
        """Process ``inputs``; ``deliver`` gets the results chunk by chunk, in input order, and must
        apply each chunk's updates to what ``stored`` returns before it returns. A None result is a
        record to compute again in the worker (its story changed while it was computed).

        Raises ComputeUnavailable when there is no process or one failed; its ``done`` says how
        many results were delivered, and the caller processes the rest itself.
        """
        async with self._lock:
            if not self.running:
                await self._replace()
                raise ComputeUnavailable(0, "no pipeline process running")
            self.batches += 1
            # a small batch goes to every process at once rather than to one in a single chunk
            size = max(MIN_CHUNK, min(CHUNK, -(-len(inputs) // len(self._children))))
            batch = _Batch(self.batches, inputs, size, stored, deliver)
            drivers = [asyncio.ensure_future(batch.drive(child)) for child in self._children]
            drivers.append(asyncio.ensure_future(batch.deliver_all()))
            try:
                await asyncio.gather(*drivers)
                self._streak = 0
            except Exception as exc:
                for driver in drivers:
                    driver.cancel()
                await asyncio.gather(*drivers, return_exceptions=True)
                # ``deliver`` failing also lands here: the conversations are broken either way
                await self._fail(repr(exc))
                raise ComputeUnavailable(batch.done, repr(exc)) from exc

    async def tend(self) -> None:
        """Replace processes that died, once the back-off allows: the health timer calls this, so
        that it does not wait for a batch large enough to be handed off."""
        if not self.running:
            async with self._lock:
                if not self.running:
                    await self._replace()

    async def _replace(self) -> None:
        if self._children:  # one of them exited (killed, out of memory): retire them all
            await self._fail("a pipeline process exited")
        if self._starting is not None and not self._starting.done():
            return
        if time.monotonic() < self._retry_at:
            return
        self._starting = asyncio.ensure_future(self.start())

    def _back_off(self, why: str) -> None:
        self.failures += 1
        self._streak += 1
        delay = min(RESTART_MAX, RESTART_FIRST * 2 ** min(self._streak - 1, 6))
        self._retry_at = time.monotonic() + delay
        log.error("pipeline process failed; the worker runs the pipeline itself until new ones are up",
                  extra={"detail": why[:300], "retry_in": delay})
        if self.on_failure is not None:
            self.on_failure()

    async def _fail(self, why: str) -> None:
        self._back_off(why)
        children, self._children = self._children, []
        for child in children:
            await child.kill()


class _Batch:
    """One batch's chunks, shared by the processes that work on it."""

    def __init__(self, number: int, inputs: list[Input], size: int, stored: Callable[[str], bytes | None],
                 deliver: Callable[[list[Result | None]], Awaitable[None]]) -> None:
        self.number = number  # tells a process that a new batch began
        self.inputs = inputs
        self.size = size
        self.chunks = [inputs[i:i + size] for i in range(0, len(inputs), size)]
        self.stored = stored
        self.deliver = deliver
        self.next = 0  # the next chunk to hand out
        self.asked = [asyncio.Event() for _ in self.chunks]  # a chunk's stories are registered
        self.arrived = [asyncio.Event() for _ in self.chunks]  # a chunk's results are here
        self.collected = [asyncio.Event() for _ in self.chunks]  # a chunk's results were delivered
        self.holder: dict[str, int] = {}  # story id -> the last chunk that holds it
        self.results: dict[int, list[tuple[Outcome, dict[bytes, bytes], set[str]]]] = {}
        self.stale: dict[int, set[str]] = {}  # per chunk: stories whose memory may have changed since
        self.owner: dict[int, Child] = {}  # per chunk: the process computing it
        self.done = 0  # records delivered

    def _take(self) -> int | None:
        if self.next >= len(self.chunks):
            return None
        self.next += 1
        return self.next - 1

    async def drive(self, child: Child) -> None:
        """Feed one process chunks. It asks for the next chunk's stories before it sends this one's
        results, so the next chunk goes out with the answer: the process always has one queued."""
        k = self._take()
        if k is None:
            return
        child.send(("chunk", self.number, self.chunks[k]))
        asking = deque([k])  # chunks sent, their stories not asked for yet
        computing: deque[int] = deque()  # chunks whose memory went out, results not back yet
        while asking or computing:
            kind, payload = await child.receive(ANSWER_TIMEOUT, "need", "results")
            if kind == "results":
                j = computing.popleft()
                self.results[j] = payload
                self.arrived[j].set()
                continue
            j = asking.popleft()
            answer = ("memory", *await self._answer(j, payload, child))
            computing.append(j)
            following = self._take()
            if following is None:
                child.send(answer)
            else:  # in one write: the process finds the next chunk queued as soon as it has the answer
                child.send(answer, ("chunk", self.number, self.chunks[following]))
                asking.append(following)

    async def _answer(self, k: int, wanted: list[str], child: Child) -> tuple[dict[str, bytes | None], set[str]]:
        """Register chunk ``k``'s stories; the memory to send for them, and those the process itself
        left last (in a chunk not collected yet), whose memory it has."""
        if k > 0:
            await self.asked[k - 1].wait()  # the earlier chunks' stories are known before ours
        yours: set[str] = set()
        stale: set[str] = set()
        for sid in wanted:
            j = self.holder.get(sid)
            if j is None or self.collected[j].is_set():
                continue  # what ``stored`` says is the last word
            if self.owner[j] is child and sid not in self.stale[j]:
                yours.add(sid)  # the process itself left it last, in a chunk not collected yet
            else:
                stale.add(sid)  # another chunk still in flight holds it: compute it again later
        self.stale[k] = stale
        self.owner[k] = child
        for sid in wanted:
            self.holder[sid] = k
        self.asked[k].set()
        return {sid: self.stored(sid) for sid in wanted if sid not in yours}, yours

    async def deliver_all(self) -> None:
        """Hand the results on in input order, as they arrive; a record that read a story while an
        earlier chunk still held it is handed on as None, for the worker to compute again."""
        for k in range(len(self.chunks)):
            await self.arrived[k].wait()
            stale = self.stale[k]
            first = k * self.size
            delivered: list[Result | None] = []
            for i, (outcome, updates, stories) in enumerate(self.results.pop(k)):
                if stories & stale:
                    delivered.append(None)
                    continue
                if outcome.dead_letter is not None:  # the raw bytes stayed here
                    outcome.dead_letter = replace(outcome.dead_letter, raw=self.inputs[first + i][0])
                delivered.append((outcome, updates))
            await self.deliver(delivered)
            self.done += len(delivered)
            self.collected[k].set()


if __name__ == "__main__":
    sys.exit(main())
