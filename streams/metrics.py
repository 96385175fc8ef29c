"""The Prometheus metrics contract, on an injectable registry.

Names, labels and units here are a contract with dashboards and alert rules in deploy/:
change them only with a changelog note. Labels are bounded: topics come from settings and
rules, reasons from a fixed vocabulary, stages from the pipeline.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, disable_created_metrics

# The *_created series double the exposition and no dashboard or rule reads them.
disable_created_metrics()  # type: ignore[no-untyped-call]

STAGES = ("decode", "classify", "enrich", "route", "serialise", "publish")
# Every dead-letter reason the code can give; part of the contract (label values of dead_letters).
DEAD_LETTER_REASONS = (
    "binary", "empty", "internal", "internal-error", "invalid-json", "invalid-xml", "no-text", "not-utf8",
    "too-deep", "too-large", "unknown-format", "wrong-type", "xml-unsafe",
)
SKIP_REASONS = ("duplicate", "embargoed")
ENTITY_TYPES = ("person", "organisation", "place", "weapon")

# Seconds: a pure stage takes tens of microseconds, a publish can wait on the broker.
STAGE_BUCKETS = (
    0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25, 1.0,
)
E2E_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class Metrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        self._children: dict[tuple[Any, tuple[str, ...]], Any] = {}
        self._tally: dict[tuple[Any, tuple[str, ...]], int] = {}  # counted, not yet added (see tally)
        r = self.registry
        self.consumed = Counter(
            "newswire_items_consumed", "Raw records read from the input topic.", ["topic"], registry=r
        )
        self.published = Counter(
            "newswire_items_published", "Records written, per output topic.", ["topic"], registry=r
        )
        self.dead_letters = Counter(
            "newswire_dead_letters", "Raw records sent to the dead-letter topic, per reason.", ["reason"],
            registry=r,
        )
        self.skipped = Counter(
            "newswire_items_skipped",
            "Items deliberately not published to desks (duplicate, embargo held, media only).",
            ["reason"],
            registry=r,
        )
        self.labelled = Counter(
            "newswire_items_labelled",
            "Decoded items per topic label; label 'none' counts items with no desk topic.",
            ["label"],
            registry=r,
        )
        self.entities = Counter(
            "newswire_entities", "Entities found in items, per entity type and linking.", ["type", "linked"],
            registry=r,
        )
        self.stage_seconds = Histogram(
            "newswire_stage_seconds", "Time spent per pipeline stage.", ["stage"], buckets=STAGE_BUCKETS,
            registry=r,
        )
        self.end_to_end_seconds = Histogram(
            "newswire_end_to_end_seconds",
            "From the input record's Kafka timestamp to its outputs being acknowledged.",
            buckets=E2E_BUCKETS,
            registry=r,
        )
        self.consumer_lag = Gauge(
            "newswire_consumer_lag_records",
            "Records between the committed/consumed position and the end of the partition.",
            ["topic", "partition"],
            registry=r,
        )
        self.last_processed = Gauge(
            "newswire_last_processed_timestamp_seconds",
            "Unix time when the worker last finished a record.",
            registry=r,
        )
        self.build_info = Gauge(
            "newswire_build_info",
            "Code and data versions of the running worker (value is always 1).",
            ["version", "taxonomy_version", "kb_version", "rules_version"],
            registry=r,
        )
        self.rules_reloads = Counter(
            "newswire_rules_reloads", "Routing-rule file reloads, per result.", ["result"], registry=r
        )
        self.rules_valid = Gauge(
            "newswire_rules_valid", "1 when the rules file on disk is the one in force, 0 when refused.",
            registry=r,
        )
        self.ready = Gauge(
            "newswire_ready", "1 when partitions are assigned, the broker answers and data is loaded.",
            registry=r,
        )
        self.errors = Counter(
            "newswire_processing_errors",
            "Unexpected failures: stage pipeline inside the per-record boundary (the record is dead-lettered), "
            "stage publish when the broker refused or timed out a batch (it is sent again), "
            "stage compute when the pipeline process failed (the worker finished the batch itself).",
            ["stage"],
            registry=r,
        )

    def child(self, metric: Any, *labels: str) -> Any:
        """``metric.labels(*labels)``, looked up once: the hot path records ~10 samples per item."""
        key = (metric, labels)
        found = self._children.get(key)
        if found is None:
            found = self._children[key] = metric.labels(*labels)
        return found

    def tally(self, metric: Any, *labels: str) -> None:
        """Count one now, add it to the series at ``flush()``: a batch of 500 items names ~20 series
        ~8,000 times (15 entities an item), one increment per series per batch is enough."""
        key = (metric, labels)
        self._tally[key] = self._tally.get(key, 0) + 1

    def flush(self) -> None:
        """Add what ``tally`` counted to its series."""
        for (metric, labels), amount in self._tally.items():
            self.child(metric, *labels).inc(amount)
        self._tally.clear()

    def start_at_zero(self, input_topic: str, output_topics: list[str], labels: list[str]) -> None:
        """Create every known series at 0, so a restart's first event is a visible 0 -> 1 step.

        A labelled counter only appears on its first increment; without its zero sample,
        rate() and increase() miss that first event (and with it the dead-letter alert).
        """
        self.consumed.labels(input_topic)
        for topic in output_topics:
            self.published.labels(topic)
        for reason in DEAD_LETTER_REASONS:
            self.dead_letters.labels(reason)
        for reason in SKIP_REASONS:
            self.skipped.labels(reason)
        for label in [*labels, "none"]:
            self.labelled.labels(label)
        for kind in ENTITY_TYPES:
            for linked in ("yes", "no"):
                self.entities.labels(kind, linked)
        for stage in STAGES:
            self.stage_seconds.labels(stage)
        self.errors.labels("pipeline")
        self.errors.labels("publish")
        self.errors.labels("compute")

    def set_build_info(self, version: str, taxonomy: str, kb: str, rules: str) -> None:
        self.build_info.clear()
        self.build_info.labels(version, taxonomy, kb, rules).set(1)
