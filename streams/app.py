"""The Faust glue: read raw records, run the pure pipeline, publish, then let Faust commit.

Only this module imports faust. The agent consumes raw bytes (no Faust codec can fail on
them), processes events in batches, waits until every output of a batch is acknowledged by
the broker (acks=all, idempotent producer), and only then lets Faust ack the batch's offsets:
at-least-once, with a stable record id on every output so consumers can drop duplicates.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import struct
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import faust
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from streams import __version__, faust_fixes, heap  # importing faust_fixes patches Faust before the app exists
from streams.compute import ComputePool, ComputeUnavailable, Input, Result
from streams.kafka import client_options
from streams.metrics import Metrics
from streams.models import DeadLetter, OutputRecord, SourceMeta
from streams.pipeline import Outcome, Pipeline, Resources, dead_letter_record, record_size, utc_iso
from streams.routing import DEFAULT_RULES, RulesError, load_rules
from streams.settings import Settings
from streams.stories import StoryMemory, decode_memory, memory_updates

log = logging.getLogger("newswire.worker")

BATCH_MAX = 500  # records per take_events batch
BATCH_WITHIN = 0.01  # seconds to wait for a batch to fill; 50 ms alone broke the p99 latency target
STORY_TTL = 14 * 24 * 3600.0  # forget stories untouched for two weeks
HEALTH_INTERVAL = 5.0
HEAP_TRIM_INTERVAL = 1.0  # seconds between handing free heap pages back (streams/heap.py)
PUBLISH_RETRY_FIRST = 0.5  # seconds before a refused batch is sent again; doubles up to the max
PUBLISH_RETRY_MAX = 10.0
FINISH_ON_STOP = 5.0  # seconds a stopping worker gives its batch in flight to be published
COMMIT_HELD_SECONDS = 20.0  # a commit unmoved this long behind processed records is re-read
STALL_SECONDS = 30.0  # not ready when input is waiting and nothing was processed for this long

Handed = tuple[OutputRecord, Any]  # a record given to the producer: its delivery future, or the error


class Worker:
    """Everything the agent needs, built once per process."""

    def __init__(self, settings: Settings, resources: Resources | None = None, metrics: Metrics | None = None):
        self.settings = settings
        self.resources = resources or Resources.load(settings)
        self.pipeline = Pipeline(settings, self.resources)  # the embargo timer's, and the fallback's
        self.metrics = metrics or Metrics()
        # the pipeline's own processes (streams/compute.py), started by the agent; None: run it here
        self.compute = ComputePool(settings, settings.pipeline_processes,
                                   on_failure=self.metrics.errors.labels("compute").inc) \
            if settings.pipeline_processes else None
        self.producer: AIOKafkaProducer | None = None
        self.tracked_topics: set[str] = set()  # topics the producer's metadata refreshes include
        self.broker_ok = False
        self.rules_error: str | None = None
        self.rules_mtime = self._rules_mtime()
        self.positions: dict[tuple[str, int], int] = {}
        self.lag = 0  # input records waiting, summed over the assigned partitions (health timer)
        self.last_progress = time.monotonic()
        self.commits: dict[Any, tuple[int | None, float]] = {}  # partition -> (committed offset, since)
        self.ticks = 0
        self.started = False  # the agent is taking records (its pipeline processes started or given up)
        self.metrics.set_build_info(__version__, **_version_labels(self.resources))
        self.metrics.rules_valid.set(1)
        outputs = [settings.ns(t) for t in (*self.resources.rules.topics, settings.dlq_topic, settings.embargoed_topic)]
        self.metrics.start_at_zero(settings.ns(settings.input_topic), outputs, list(self.resources.taxonomy.ids))

    # -- producer -----------------------------------------------------------------------------

    async def start_producer(self) -> AIOKafkaProducer:
        if self.producer is None:
            s = self.settings
            producer = AIOKafkaProducer(
                acks="all",
                enable_idempotence=True,
                compression_type=None if s.compression == "none" else s.compression,
                # no linger: a batch's records are handed over in bursts, and the worker waits for
                # every ack before it goes on, so lingering only added 5 ms to each batch (latency run)
                linger_ms=0,
                max_batch_size=262_144,
                max_request_size=s.max_record_bytes,
                request_timeout_ms=30_000,
                **client_options(s),
            )
            await producer.start()
            self.producer = producer
            self.tracked_topics = set()
            self.broker_ok = True
        return self.producer

    async def stop_producer(self, timeout: float | None = None) -> None:
        """Flush and stop the producer; with a timeout (after a refused batch, whose idempotent
        sequence is broken) the next send starts a new producer session either way."""
        producer, self.producer = self.producer, None
        if producer is None:
            return
        try:
            await asyncio.wait_for(producer.stop(), timeout=timeout)
        except Exception:
            if timeout is None:
                raise
            log.warning("producer did not stop cleanly", exc_info=True)

    async def publish(self, records: list[OutputRecord], state: Iterable[OutputRecord] = (),
                      handed: list[Handed] | None = None) -> None:
        """Send every record (and the state changelog records beside them), then wait until the
        broker acknowledged all of them. Only ``records`` count as published items. ``handed``:
        the first of ``records``, already given to the producer by ``hand_over`` with their futures."""
        handed = handed or []
        failed = await self._failures([*handed, *await self.hand_over([*records[len(handed):], *state])])
        delay = PUBLISH_RETRY_FIRST
        while failed:
            self.broker_ok = False
            self.metrics.errors.labels("publish").inc(len(failed))
            log.warning("publish failed; sending again", extra={"records": len(failed), "retry_in": delay,
                                                                 "detail": repr(failed[0][1])[:300],
                                                                 "topic": failed[0][0].topic})
            await self.stop_producer(timeout=5.0)
            await asyncio.sleep(delay)
            delay = min(delay * 2, PUBLISH_RETRY_MAX)
            failed = await self._failures(await self.hand_over([record for record, _ in failed]))
        self.broker_ok = True
        for record in records:
            self.metrics.child(self.metrics.published, record.topic).inc()

    async def hand_over(self, records: list[OutputRecord]) -> list[Handed]:
        """Give records to the producer without waiting for the broker: each with its delivery
        future, or the error that refused it at once. ``publish`` waits for them."""
        producer = await self.start_producer()
        self._track(producer, records)
        handed: list[Handed] = []
        for record in records:
            try:
                future = await producer.send(record.topic, value=record.value, key=record.key,
                                             headers=list(record.headers))
            except Exception as exc:  # publish sends a KafkaError's record again, and raises any other
                handed.append((record, exc))
            else:
                handed.append((record, future))
        return handed

    @staticmethod
    async def _failures(handed: list[Handed]) -> list[tuple[OutputRecord, BaseException]]:
        """Wait for every delivery; the records the broker did not take, with why."""
        waiting = [(record, future) for record, future in handed if not isinstance(future, BaseException)]
        failed = [(record, error) for record, error in handed if isinstance(error, BaseException)]
        for _, error in failed:
            if not isinstance(error, KafkaError):
                raise error
        results = await asyncio.gather(*(future for _, future in waiting), return_exceptions=True)
        for (record, _), result in zip(waiting, results, strict=True):
            if isinstance(result, KafkaError):
                failed.append((record, result))
            elif isinstance(result, BaseException):
                raise result
        return failed

    def _track(self, producer: AIOKafkaProducer, records: list[OutputRecord]) -> None:
        """Register every topic we send to with the producer's metadata refresh.

        aiokafka's ``send`` registers a topic only if its cached metadata lacks it. The cache
        starts as a fetch of all topics, so a topic found there is never registered, and the
        first refresh for a registered topic replaces the cache and drops it: its batches wait
        for a leader that never appears and fail after ``request_timeout_ms`` (30 s) with
        NotLeaderForPartitionError. That was the slow first publish on a fresh broker and the
        stalled rebalance (issue 7)."""
        for topic in {record.topic for record in records} - self.tracked_topics:
            producer.client.add_topic(topic)
            self.tracked_topics.add(topic)

    # -- one batch ----------------------------------------------------------------------------

    def process_event(self, value: bytes, source: SourceMeta, stories: Any) -> Outcome:
        """Run the pure core on one record; a bug in it becomes a dead letter, never a crash."""
        def remembered(story_id: str) -> StoryMemory | None:
            return decode_memory(stories.get(story_id.encode()))

        try:
            return self.pipeline.process(value, source, remembered)
        except Exception as exc:  # pragma: no cover - pipeline already guards; belt and braces
            self.metrics.errors.labels("pipeline").inc()
            log.exception("pipeline failed", extra={"offset": source.offset})
            letter = DeadLetter("internal-error", repr(exc)[:500], value, source, utc_iso(time.time()))
            return Outcome(dead_letter=letter)

    def account(self, outcome: Outcome) -> None:
        m = self.metrics
        child = m.child
        for stage, seconds in outcome.seconds.items():
            child(m.stage_seconds, stage).observe(seconds)
        if outcome.dead_letter is not None:
            child(m.dead_letters, outcome.dead_letter.reason).inc()
            log.warning(
                "dead letter",
                extra={"reason": outcome.dead_letter.reason, "detail": outcome.dead_letter.message[:200],
                       "offset": outcome.dead_letter.source.offset},
            )
        tally = m.tally  # added to the series once per batch (flush_metrics)
        for result in outcome.items:
            if result.skipped:
                tally(m.skipped, result.skipped)
                continue
            for label in result.labels or ["none"]:
                tally(m.labelled, label)
            for kind, linked in result.entity_types:
                tally(m.entities, kind, "yes" if linked else "no")

    # -- rules hot reload ---------------------------------------------------------------------

    def _rules_path(self) -> Path:
        return Path(self.settings.rules_path) if self.settings.rules_path else DEFAULT_RULES

    def _rules_mtime(self) -> float:
        try:
            return self._rules_path().stat().st_mtime
        except OSError:
            return 0.0

    async def maybe_reload_rules(self, create_topics: Any) -> None:
        mtime = self._rules_mtime()
        if mtime == self.rules_mtime:
            return
        self.rules_mtime = mtime
        try:
            rules = load_rules(self._rules_path())
            await create_topics(rules.topics)
        except (RulesError, Exception) as exc:
            self.rules_error = str(exc)
            self.metrics.rules_valid.set(0)
            self.metrics.rules_reloads.labels("refused").inc()
            log.error("rules file refused; keeping the rules in force", extra={"detail": str(exc)[:2000]})
            return
        self.resources.rules = rules
        if self.compute is not None:
            await self.compute.set_rules(rules)
        self.rules_error = None
        self.metrics.rules_valid.set(1)
        self.metrics.rules_reloads.labels("applied").inc()
        self.metrics.set_build_info(__version__, **_version_labels(self.resources))
        log.info("rules reloaded", extra={"version": rules.version, "rules": len(rules.rules)})


def _version_labels(resources: Resources) -> dict[str, str]:
    v = resources.versions
    return {"taxonomy": v["taxonomy"], "kb": v["kb"], "rules": v["rules"]}


def app_options(settings: Settings) -> dict[str, Any]:
    """The faust.App keyword arguments of the worker (the bench's passthrough baseline uses them too)."""
    return dict(
        broker=[f"kafka://{b}" for b in settings.broker.split(",")],
        broker_credentials=_faust_credentials(settings),
        key_serializer="raw",
        value_serializer="raw",
        store="memory://",
        datadir=os.environ.get("APP_DATADIR") or os.path.join(tempfile.gettempdir(), f"{settings.app_id}-data"),
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication,
        topic_allow_declare=True,  # lets Faust create its own changelog topics
        consumer_auto_offset_reset="earliest",
        broker_commit_every=1000,
        broker_commit_interval=1.0,
        broker_session_timeout=10.0,  # a killed worker's partitions move after 10 s, not Faust's 60 s
        broker_heartbeat_interval=3.0,
        producer_acks=-1,
        producer_compression_type=None if settings.compression == "none" else settings.compression,
        web_port=settings.web_port,
        web_bind=settings.web_host,
        web_host=settings.web_host,
        web_enabled=True,
        web_metrics_enabled=False,
        web_tables_enabled=False,
        web_router_enabled=False,
        web_graph_enabled=False,
        web_stats_enabled=False,
        table_cleanup_interval=60.0,
        # No standby copies: a worker taking over a partition whose changelog it had been
        # following as a standby sometimes never finished Faust's recovery (rebalance scenario);
        # it now reads the (compacted) changelog partition from the start instead.
        table_standby_replicas=0,
        stream_recovery_delay=0.0,
        logging_config=None,
    )


def create_app(settings: Settings, worker: Worker | None = None) -> tuple[faust.App, Worker]:
    """Build the Faust app around a Worker; the CLI calls ``app.main()`` on the result."""
    worker = worker or Worker(settings)
    app = faust.App(settings.app_id, **app_options(settings))
    raw_topic = app.topic(
        settings.ns(settings.input_topic),
        key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw",
    )
    stories = app.Table(
        "stories", default=None, partitions=settings.partitions, use_partitioner=True,
        key_type=bytes, value_type=bytes,  # bytes -> Faust's "raw" codec for changelog and recovery
    )
    held = app.Table(  # embargoed raw items until their release time: 8-byte float + raw bytes
        "embargo", default=None, partitions=settings.partitions, use_partitioner=True,
        key_type=bytes, value_type=bytes,
    )
    embargoed_topic = settings.ns(settings.embargoed_topic)
    faust_fixes.SETTLE_BEFORE_ACK.add(raw_topic.get_topic_name())

    async def create_topics(names: Iterable[str]) -> None:
        from streams.topics import ensure_topics
        await ensure_topics(settings, [settings.ns(n) for n in names])

    @app.agent(raw_topic, concurrency=1)  # concurrency 1: faust-streaming #606 loses commits above it
    async def ingest(stream: Any) -> None:
        await worker.start_producer()
        if worker.compute is not None:
            await worker.compute.start()  # on failure the worker runs the pipeline itself
        worker.started = True
        # Everything built so far (knowledge base, automata, Faust) lives as long as the process:
        # kept out of the cyclic collector, a full collection no longer walks it (~16 ms each).
        gc.freeze()
        try:
            async for events in stream.take_events(BATCH_MAX, within=BATCH_WITHIN):
                await finish_or_abandon(events)
        finally:
            await worker.stop_producer()
            if worker.compute is not None:
                await worker.compute.stop()

    async def finish_or_abandon(events: list[Any]) -> None:
        """Process a batch so that Faust acknowledges its offsets only if it was published.

        Faust acknowledges every event of a ``take_events`` batch when the agent leaves it,
        even by an exception or a cancellation. Stopping, we give the batch FINISH_ON_STOP
        seconds; a batch that did not finish is abandoned: its messages are marked so that
        Faust's acknowledgement counts nothing, and whoever owns the partition next reads them
        again from the committed offset. A batch that failed is abandoned and read again.
        """
        batch = asyncio.ensure_future(process_batch(events))
        try:
            await asyncio.shield(batch)
            faust_fixes.settle(events)
        except asyncio.CancelledError:
            try:
                await asyncio.wait_for(asyncio.shield(batch), FINISH_ON_STOP)
                faust_fixes.settle(events)
            except BaseException:
                abandon(events)
            raise
        except Exception:
            log.exception("batch failed outside the per-record boundary")
            abandon(events)
            await rewind(events)

    def abandon(events: list[Any]) -> None:
        for event in events:
            event.message.acked = True  # Faust's final ack is now a no-op: the offset is not committed
        log.warning("batch abandoned; its records will be read again", extra={"records": len(events)})

    async def rewind(events: list[Any]) -> None:
        """Read an abandoned batch again: seek each partition back to its first record."""
        first: dict[Any, int] = {}
        for event in events:
            tp = event.message.tp
            first[tp] = min(first.get(tp, event.message.offset), event.message.offset)
        for tp, offset in first.items():
            try:
                await app.consumer.seek(tp, offset)
            except Exception:  # the partition moved: its next owner reads from the committed offset
                log.info("rewind skipped", extra={"partition": tp.partition, "offset": offset})

    async def process_batch(events: list[Any]) -> None:
        m = worker.metrics
        records: list[OutputRecord] = []
        updates: dict[bytes, Any] = {}
        hold: dict[bytes, bytes] = {}
        timestamps: list[float] = []
        inputs: list[Input] = []
        for event in events:
            msg = event.message
            m.tally(m.consumed, msg.topic)
            source = SourceMeta(msg.topic, msg.partition, msg.offset, int(msg.timestamp * 1000), msg.key)
            value = event.value if isinstance(event.value, bytes) else bytes(event.value or b"")
            inputs.append((value, source))
            timestamps.append(msg.timestamp)
            worker.positions[(msg.topic, msg.partition)] = msg.offset
        handed: list[Handed] = []
        await compute(inputs, updates, records, hold, handed)
        await publish_and_remember(records, updates, hold, handed)
        worker.last_progress = time.monotonic()
        now = time.time()
        for ts in timestamps:
            m.end_to_end_seconds.observe(max(0.0, now - ts))
        m.last_processed.set(now)

    async def compute(inputs: list[Input], updates: dict[bytes, Any], records: list[OutputRecord],
                      hold: dict[bytes, bytes], handed: list[Handed]) -> None:
        """Every input's outputs, from the pipeline processes; whatever they could not do, from our
        own pipeline. A chunk's records go to the producer while the next chunk is computed."""
        done = 0

        async def deliver(results: list[Result | None]) -> None:  # None: compute it here
            nonlocal done
            for result in results:
                value, source = inputs[done]
                guarded_collect(value, source, updates, records, hold, result)
                done += 1
            try:
                handed.extend(await worker.hand_over(records[len(handed):]))
            except Exception:  # no producer now: publish_and_remember sends them and handles that
                log.debug("early hand-over skipped", exc_info=True)

        if worker.compute is not None and worker.compute.worth(len(inputs)):
            try:
                overlay = _Overlay(stories, updates)  # deliver() adds each chunk's updates
                await worker.compute.run(inputs, lambda story_id: overlay.get(story_id.encode()), deliver)
            except ComputeUnavailable:
                pass  # logged and counted by the pool; the loop below does what is left
        for value, source in inputs[done:]:
            guarded_collect(value, source, updates, records, hold)

    dlq_topic = settings.ns(settings.dlq_topic)
    limit = settings.max_record_bytes

    def guarded_collect(value: bytes, source: SourceMeta, updates: dict[bytes, Any], records: list[OutputRecord],
                        hold: dict[bytes, bytes], computed: Result | None = None) -> None:
        """One record's outputs, or one dead letter: nothing a single record does reaches the agent.
        ``computed``: the pipeline process's result for it; None runs the pipeline here."""
        mine: list[OutputRecord] = []
        my_updates: dict[bytes, Any] = {}
        my_hold: dict[bytes, bytes] = {}
        try:
            if computed is None:
                outcome = worker.process_event(value, source, _Overlay(stories, updates))
                computed = outcome, memory_updates(outcome.memory)
            collect(*computed, mine, my_updates, my_hold)
            too_big = next((r for r in mine if r.topic != dlq_topic and record_size(r) > limit), None)
            if too_big is not None:
                raise ValueError(f"output for {too_big.topic} of {record_size(too_big)} bytes exceeds {limit}")
        except Exception as exc:
            worker.metrics.errors.labels("pipeline").inc()
            worker.metrics.dead_letters.labels("internal-error").inc()
            log.exception("record dead-lettered after a failure outside the pure pipeline",
                          extra={"offset": source.offset, "partition": source.partition})
            letter = DeadLetter("internal-error", f"{type(exc).__name__}: {exc}"[:500], value, source,
                                utc_iso(time.time()))
            records.append(dead_letter_record(letter, dlq_topic, limit))
            return
        records.extend(mine)
        updates.update(my_updates)
        hold.update(my_hold)

    def collect(outcome: Outcome, story_updates: dict[bytes, bytes], records: list[OutputRecord],
                updates: dict[bytes, Any], hold: dict[bytes, bytes]) -> None:
        worker.account(outcome)
        if outcome.dead_letter is not None:
            records.append(dead_letter_record(outcome.dead_letter, dlq_topic, limit))
        for record in outcome.records:
            records.append(record)
            if record.topic == embargoed_topic:
                headers = dict(record.headers)
                until = float(headers["newswire.embargo.until"])
                hold[headers["newswire.record.id"]] = struct.pack(">d", until) + record.value
        updates.update(story_updates)

    async def publish_and_remember(records: list[OutputRecord], updates: dict[bytes, Any],
                                   hold: dict[bytes, bytes], handed: list[Handed] | None = None) -> None:
        """Outputs and the tables' changelog records in one producer batch; the tables' memory
        only once the broker has acknowledged both, and before Faust may commit the input.

        Faust would send each table write on its own through its producer buffer, whose
        back-pressure stalled the agent (make bench: ~60 µs per item, and the buffer's growth
        was most of the worker's RSS growth).
        """
        started = time.perf_counter()
        changelog = [OutputRecord(stories.changelog_topic.get_topic_name(), k, v, ()) for k, v in updates.items()]
        changelog += [OutputRecord(held.changelog_topic.get_topic_name(), k, v, ()) for k, v in hold.items()]
        await worker.publish(records, changelog, handed)
        worker.metrics.stage_seconds.labels("publish").observe(time.perf_counter() - started)
        worker.metrics.flush()  # the batch's tallied counts
        remember(stories, updates)
        remember(held, hold)

    def remember(table: Any, values: dict[bytes, Any]) -> None:
        """Into the table's local store only: its changelog records went out with the outputs."""
        store = table.data
        for key, value in values.items():
            store[key] = value

    @app.on_partitions_revoked.connect  # type: ignore[arg-type]
    async def forget_positions(sender: Any, revoked: set[Any], **_: Any) -> None:
        """Positions of partitions now read elsewhere would make the lag (and readiness) stale."""
        for tp in revoked:
            worker.positions.pop((tp.topic, tp.partition), None)

    @app.timer(1.0)
    async def release_embargoed() -> None:
        """Run held items through the pipeline once their embargo has passed, then forget them."""
        now = time.time()
        due = [(k, v) for k, v in list(held.items()) if v and struct.unpack(">d", v[:8])[0] <= now]
        if not due:
            return
        records: list[OutputRecord] = []
        updates: dict[bytes, Any] = {}
        for _key, value in due:
            source = SourceMeta(embargoed_topic, -1, -1, None, None)
            guarded_collect(value[8:], source, updates, records, {})
        await publish_and_remember(records, updates, {})
        for key, _value in due:
            del held[key]
        log.info("embargo released", extra={"records": [k.decode() for k, _ in due]})

    @app.timer(HEAP_TRIM_INTERVAL)
    async def give_back_memory() -> None:
        """A backlog's buffers are freed when it is done; without this the RSS stays at its peak."""
        await asyncio.to_thread(heap.give_back)

    @app.timer(HEALTH_INTERVAL)
    async def health() -> None:
        """Broker reachability, consumer lag per partition, a stalled table recovery restarted,
        rules reload, old stories out."""
        producer = worker.producer
        try:
            if producer is not None:
                await asyncio.wait_for(producer.client.fetch_all_metadata(), timeout=HEALTH_INTERVAL)
                worker.broker_ok = True
        except Exception:
            worker.broker_ok = False
        try:
            total = 0
            for tp in app.consumer.assignment():
                if tp.topic != settings.ns(settings.input_topic):
                    continue
                high = app.consumer.highwater(tp)
                if high is None:
                    continue
                done = worker.positions.get((tp.topic, tp.partition))
                # nothing processed here since the assignment: measure from where the fetch is
                start = done + 1 if done is not None else (await app.consumer.position(tp) or 0)
                lag = max(0, high - start)
                worker.metrics.consumer_lag.labels(tp.topic, str(tp.partition)).set(lag)
                total += lag
                check_commit(tp, done)
            worker.lag = total
        except Exception:  # lag is best effort; never stop the timer
            log.debug("lag read failed", exc_info=True)
        recovery = getattr(app.tables, "recovery", None)  # Faust's TableManager has one; its type does not say
        stalled = faust_fixes.stalled_recovery(recovery, time.monotonic()) if recovery is not None else []
        if stalled:
            names = [f"{tp.topic}/{tp.partition}" for tp in stalled]
            log.warning("table recovery received nothing for %.0f s though records remain; restarting it",
                        faust_fixes.RECOVERY_PATIENCE, extra={"partitions": names})
            faust_fixes.restart_recovery(recovery)
        await worker.maybe_reload_rules(create_topics)
        if worker.compute is not None:
            await worker.compute.tend()
        worker.ticks += 1
        if worker.ticks % 60 == 0:  # every five minutes: forget stories untouched for STORY_TTL
            cutoff = time.time() - STORY_TTL
            for key, value in list(stories.items()):
                memory = decode_memory(value)
                if memory is not None and memory.updated_at < cutoff:
                    del stories[key]
        worker.metrics.ready.set(1 if ready_detail()[0] else 0)

    def check_commit(tp: Any, done: int | None) -> None:
        """Safety net: a commit held at one offset while later records are processed means a
        record in between never reached the agent; read the partition again from the commit."""
        committed_offsets: Any = getattr(app.consumer, "_committed_offset", {})  # Faust's view of the commit
        committed = committed_offsets.get(tp)
        now = time.monotonic()
        seen = worker.commits.get(tp)
        if seen is None or seen[0] != committed:
            worker.commits[tp] = (committed, now)
            return
        if committed is not None and done is not None and done > committed and now - seen[1] > COMMIT_HELD_SECONDS:
            log.warning("commit held while later records were processed; reading again from it",
                        extra={"partition": tp.partition, "offset": committed, "processed": done})
            faust_fixes.POSITIONS.unfinished.add(tp)
            worker.commits[tp] = (committed, now)

    def ready_detail() -> tuple[bool, dict[str, Any]]:
        try:
            assigned = [tp for tp in app.consumer.assignment() if tp.topic == settings.ns(settings.input_topic)]
        except Exception:
            assigned = []
        idle = time.monotonic() - worker.last_progress
        stalled = worker.lag > 0 and idle > STALL_SECONDS
        detail = {
            "partitions_assigned": len(assigned),
            "broker_reachable": worker.broker_ok,
            "lag": worker.lag,
            "stalled": stalled,
            "data_loaded": True,
            "started": worker.started,
            "rules_error": worker.rules_error,
            "versions": worker.resources.versions,
        }
        # not ready while the pipeline processes load their data: records offered then would wait
        return bool(assigned) and worker.broker_ok and worker.started and not stalled, detail

    @app.page("/metrics")
    async def metrics_page(web: Any, request: Any) -> Any:
        return web.bytes(generate_latest(worker.metrics.registry), content_type=CONTENT_TYPE_LATEST.split(";")[0])

    @app.page("/healthz")
    async def healthz(web: Any, request: Any) -> Any:
        return web.json({"status": "alive"})

    @app.page("/readyz")
    async def readyz(web: Any, request: Any) -> Any:
        ok, detail = ready_detail()
        return web.json({"ready": ok, **detail}, status=200 if ok else 503)

    app.newswire_ready = ready_detail  # type: ignore[attr-defined]
    return app, worker


class _Overlay:
    """Story memory as the table has it, plus this batch's not-yet-written updates."""

    def __init__(self, table: Any, pending: dict[bytes, Any]) -> None:
        self.table = table
        self.pending = pending

    def get(self, key: bytes) -> Any:
        if key in self.pending:
            return self.pending[key]
        return self.table.get(key)


def _faust_credentials(settings: Settings) -> Any:
    if settings.security_protocol in ("SASL_SSL", "SASL_PLAINTEXT"):
        import ssl
        context = ssl.create_default_context(cafile=settings.ssl_cafile or None)
        return faust.SASLCredentials(
            username=settings.sasl_username, password=settings.sasl_password,
            mechanism=settings.sasl_mechanism,
            ssl_context=context if settings.security_protocol == "SASL_SSL" else None,
        )
    return None
