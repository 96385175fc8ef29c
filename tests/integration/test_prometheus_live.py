"""The metrics contract against the real tools: a live worker scraped by a real Prometheus.

One worker on the real broker, one Prometheus server (1 s scrape and rule evaluation) that
loads deploy/prometheus/alerts.yml unchanged: promtool accepts the live exposition, the
counters arrive in Prometheus under the names the rules use, every rule evaluates without
error, and alerts really go pending on real data (dead-letter ratio, worker down).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from streams.settings import Settings
from tests.integration.kafka_tools import create_topics, http_get, produce, running_worker
from tests.integration.prometheus_tools import (
    PrometheusAPI,
    binary,
    log_tail,
    promtool_check_metrics,
    running_prometheus,
    write_config,
)

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "streams" / "data" / "samples"
ALERTS = ROOT / "deploy" / "prometheus" / "alerts.yml"
JOB = "newswire"  # alerts.yml selects on this job name


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def alert_names() -> set[str]:
    doc = yaml.safe_load(ALERTS.read_text(encoding="utf-8"))
    return {rule["alert"] for group in doc["groups"] for rule in group["rules"] if "alert" in rule}


def scraped_value(body: bytes, series: str) -> float | None:
    for line in body.decode().splitlines():
        if line.startswith(series + " "):
            return float(line.rsplit(" ", 1)[1])
    return None


def wait_scraped(port: int, series: str, expected: float, worker_log: Path, timeout: float = 30.0) -> bytes:
    """The worker's own /metrics until ``series`` reaches ``expected``; returns that body."""
    deadline = time.monotonic() + timeout
    body = b""
    while time.monotonic() < deadline:
        status, body = http_get(port, "/metrics")
        if status == 200 and (scraped_value(body, series) or 0.0) >= expected:
            return body
        time.sleep(0.2)
    raise AssertionError(f"{series} did not reach {expected} on the worker's /metrics:\n{body.decode()}\n"
                         f"--- worker log ---\n{log_tail(worker_log)}")


def alert_rules(api: PrometheusAPI) -> dict[str, dict[str, Any]]:
    return {rule["name"]: rule for group in api.rule_groups() for rule in group["rules"] if rule["type"] == "alerting"}


def test_live_worker_scraped_by_real_prometheus_with_the_alert_rules(
    isolated: Settings, tmp_path: Path, unused_tcp_port_factory: Callable[[], int]
) -> None:
    binary("prometheus")  # fail early and clearly when not installed
    binary("promtool")
    s = isolated
    create_topics(s)
    input_topic = s.ns(s.input_topic)
    consumed = f'newswire_items_consumed_total{{topic="{input_topic}"}}'
    invalid_json = 'newswire_dead_letters_total{reason="invalid-json"}'
    sel = f'job="{JOB}",instance="127.0.0.1:{s.web_port}"'

    first = [(b"talks", sample("01-dpa-talks.txt")), (b"aid", sample("02-reuters-aid.txt")),
             (b"strike", sample("03-afp-strike.json")), (b"labour", sample("04-dpa-warnstreik.txt")),
             (b"broken-1", b'{"title": "cut off')]
    second = [(b"football", sample("05-ap-football.txt")), (b"spacex", sample("08-reuters-spacex.txt")),
              (b"broken-2", b'{"headline": ')]

    worker_log = tmp_path / "worker.log"
    prom_dir = tmp_path / "prometheus"
    prom_dir.mkdir()
    config = write_config(prom_dir / "prometheus.yml", job=JOB, targets=[f"127.0.0.1:{s.web_port}"],
                          rule_files=[ALERTS])
    prom_port = unused_tcp_port_factory()

    with running_worker(s, log_path=worker_log) as worker:
        asyncio.run(produce(s, first))
        body = wait_scraped(s.web_port, consumed, len(first), worker_log)

        # promtool lints and parses exactly what Prometheus will scrape, labelled series included
        assert scraped_value(body, invalid_json) == 1.0, body.decode()
        check = promtool_check_metrics(body)
        assert check.returncode == 0 and not (check.stdout + check.stderr).strip(), (
            f"promtool check metrics (exit {check.returncode}):\n{check.stdout}{check.stderr}")

        with running_prometheus(config, prom_port, prom_dir) as prom:
            # the scrape works and the counters arrive under the names the rules use
            prom.wait_for("target up", lambda: prom.value(f"up{{{sel}}}") == 1.0)
            prom.wait_for(f"{consumed} == {len(first)}",
                          lambda: prom.value(f'newswire_items_consumed_total{{{sel},topic="{input_topic}"}}')
                          == len(first))
            prom.wait_for(f"{invalid_json} == 1",
                          lambda: prom.value(f'newswire_dead_letters_total{{{sel},reason="invalid-json"}}') == 1)
            target = next(t for t in prom.targets() if t["labels"]["job"] == JOB)
            assert target["health"] == "up" and not target["lastError"], target

            # every rule of alerts.yml is loaded and evaluates without error on live data
            names = alert_names()

            def all_evaluated_ok() -> dict[str, dict[str, Any]] | None:
                rules = alert_rules(prom)
                done = names <= set(rules) and all(
                    rules[n]["health"] == "ok" and not rules[n].get("lastError") for n in names)
                return rules if done else None

            rules = prom.wait_for("every newswire rule evaluated with health ok", all_evaluated_ok)
            assert set(rules) == names, f"Prometheus loaded {sorted(rules)}, alerts.yml has {sorted(names)}"
            assert rules["NewswireWorkerDown"]["state"] == "inactive", rules["NewswireWorkerDown"]

            # more input: the counters move, as rate()/increase() see them
            asyncio.run(produce(s, second))
            total = len(first) + len(second)
            prom.wait_for(f"{consumed} == {total}",
                          lambda: prom.value(f'newswire_items_consumed_total{{{sel},topic="{input_topic}"}}')
                          == total)
            prom.wait_for("increase(newswire_items_consumed_total[1m]) > 0",
                          lambda: (prom.value(f'sum(increase(newswire_items_consumed_total{{{sel}}}[1m]))')
                                   or 0) > 0)
            prom.wait_for("rate(newswire_dead_letters_total[1m]) > 0",
                          lambda: (prom.value(f'sum(rate(newswire_dead_letters_total{{{sel}}}[1m]))') or 0) > 0)

            # 1 dead letter in 3 new records is far above 5%: the ratio alert goes pending
            ratio = prom.wait_for("NewswireDeadLetterRatioHigh pending",
                                  lambda: (r := alert_rules(prom)["NewswireDeadLetterRatioHigh"])["state"]
                                  == "pending" and r)
            assert ratio["health"] == "ok", ratio
            assert ratio["alerts"] and ratio["alerts"][0]["labels"]["job"] == JOB, ratio
            assert float(ratio["alerts"][0]["value"]) > 0.05, ratio
            assert prom.value(f'ALERTS{{alertname="NewswireDeadLetterRatioHigh",alertstate="pending",job="{JOB}"}}') \
                == 1.0

            # the worker goes away: up drops to 0 and NewswireWorkerDown goes pending (for: 2m)
            worker.terminate()
            worker.wait(timeout=30)
            prom.wait_for("up == 0 after the worker stopped", lambda: prom.value(f"up{{{sel}}}") == 0.0)
            down = prom.wait_for("NewswireWorkerDown pending",
                                 lambda: (r := alert_rules(prom)["NewswireWorkerDown"])["state"] == "pending" and r)
            assert down["health"] == "ok", down
            labels = down["alerts"][0]["labels"]
            assert labels["instance"] == f"127.0.0.1:{s.web_port}" and labels["severity"] == "critical", labels
            assert prom.value(f'ALERTS{{alertname="NewswireWorkerDown",alertstate="pending",{sel}}}') == 1.0
