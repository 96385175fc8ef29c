"""One frozen settings object, read from ``NEWSWIRE_*`` environment variables.

A small dataclass instead of a settings framework: every field is a plain type, every bad
value is reported at once with the variable's name.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

PREFIX = "NEWSWIRE_"
DEFAULT_BROKER = "127.0.0.1:19092"


class SettingsError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("invalid settings:\n  " + "\n  ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Settings:
    broker: str = DEFAULT_BROKER  # host:port[,host:port]
    app_id: str = "newswire"  # Kafka consumer group and Faust app id
    input_topic: str = "wire.raw"
    enriched_topic: str = "news.enriched"
    alerts_topic: str = "news.alerts"
    dlq_topic: str = "wire.raw.dlq"
    embargoed_topic: str = "news.embargoed"
    topic_namespace: str = ""  # prefixed to every topic name (staging, tenants, isolated tests)
    partitions: int = 6
    replication: int = 1
    web_port: int = 6066
    web_host: str = "127.0.0.1"
    max_item_bytes: int = 1_048_576
    compression: str = "zstd"  # zstd, snappy, lz4, gzip or none
    pipeline_processes: int = 2  # child processes running the pipeline beside the Kafka I/O; 0: the worker itself
    taxonomy_path: str = ""  # empty: the shipped streams/data/taxonomy.toml
    kb_path: str = ""  # empty: the shipped knowledge base
    rules_path: str = ""  # empty: the shipped streams/data/routing.toml
    log_level: str = "INFO"
    library_log_level: str = "WARNING"  # faust, mode, aiokafka: INFO shows recovery and rebalance steps
    security_protocol: str = "PLAINTEXT"  # PLAINTEXT, SASL_PLAINTEXT, SASL_SSL, SSL
    sasl_mechanism: str = "SCRAM-SHA-512"
    sasl_username: str = ""
    sasl_password: str = ""  # never logged; may also come from NEWSWIRE_SASL_PASSWORD_FILE
    ssl_cafile: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        values: dict[str, object] = {}
        problems: list[str] = []
        for f in fields(cls):
            name = PREFIX + f.name.upper()
            if name not in env:
                continue
            raw = env[name]
            if f.type in ("int", int):
                try:
                    values[f.name] = int(raw)
                except ValueError:
                    problems.append(f"{name}={raw!r} is not a whole number")
            else:
                values[f.name] = raw
        password_file = env.get(PREFIX + "SASL_PASSWORD_FILE")
        if password_file:
            try:
                values["sasl_password"] = Path(password_file).read_text(encoding="utf-8").strip()
            except OSError as exc:
                problems.append(f"{PREFIX}SASL_PASSWORD_FILE: {exc.strerror}")
        if problems:
            raise SettingsError(problems)
        settings = cls(**values)  # type: ignore[arg-type]
        settings.validate()
        return settings

    def validate(self) -> None:
        problems: list[str] = []
        if not self.broker or any(":" not in b for b in self.broker.split(",")):
            problems.append(f"{PREFIX}BROKER must be host:port[,host:port], got {self.broker!r}")
        if not 1 <= self.partitions <= 1000:
            problems.append(f"{PREFIX}PARTITIONS must be 1..1000, got {self.partitions}")
        if not 1 <= self.replication <= 10:
            problems.append(f"{PREFIX}REPLICATION must be 1..10, got {self.replication}")
        if not 0 <= self.web_port <= 65535:
            problems.append(f"{PREFIX}WEB_PORT must be 0..65535, got {self.web_port}")
        if not 1024 <= self.max_item_bytes <= 64 * 1024 * 1024:
            problems.append(f"{PREFIX}MAX_ITEM_BYTES must be 1 KiB..64 MiB, got {self.max_item_bytes}")
        if self.compression not in ("zstd", "snappy", "lz4", "gzip", "none"):
            problems.append(f"{PREFIX}COMPRESSION must be zstd|snappy|lz4|gzip|none")
        if not 0 <= self.pipeline_processes <= 8:
            problems.append(f"{PREFIX}PIPELINE_PROCESSES must be 0..8, got {self.pipeline_processes}")
        for level_field in ("log_level", "library_log_level"):
            if getattr(self, level_field).upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
                problems.append(f"{PREFIX}{level_field.upper()} must be DEBUG|INFO|WARNING|ERROR")
        if self.security_protocol not in ("PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL", "SSL"):
            problems.append(f"{PREFIX}SECURITY_PROTOCOL must be PLAINTEXT|SASL_PLAINTEXT|SASL_SSL|SSL")
        for path_field in ("taxonomy_path", "kb_path", "rules_path", "ssl_cafile"):
            value = getattr(self, path_field)
            if value and not Path(value).exists():
                problems.append(f"{PREFIX}{path_field.upper()}: no such file {value!r}")
        if problems:
            raise SettingsError(problems)

    @property
    def max_record_bytes(self) -> int:
        """Largest output record: an EnrichedItem repeats the body and adds entities and evidence.

        The producer's max_request_size and the output topics' max.message.bytes both use it, so
        an output the producer accepts is one the broker accepts.
        """
        return max(4 * self.max_item_bytes, 1_048_576) + 65_536

    def ns(self, topic: str) -> str:
        """The real Kafka name of a configured or rule-named topic."""
        return self.topic_namespace + topic

    def __repr__(self) -> str:  # keep the password out of logs and tracebacks
        shown = {f.name: getattr(self, f.name) for f in fields(self)}
        if shown["sasl_password"]:
            shown["sasl_password"] = "***"
        return "Settings(" + ", ".join(f"{k}={v!r}" for k, v in shown.items()) + ")"
