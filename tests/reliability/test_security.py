"""Scenario 7, security: the worker talks SASL_SSL with SCRAM-SHA-512 to a dedicated broker,
reads its password from a file, routes items, and never shows the password (logs, /metrics,
/readyz). A wrong password fails clearly: the worker does not become ready and says why.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from streams.settings import Settings
from tests.integration.kafka_tools import create_topics, http_get
from tests.reliability.harness import (
    DedicatedBroker,
    TopicReader,
    WorkerProc,
    check_delivery,
    make_settings,
    produce_sync,
)
from tests.reliability.wire import good_items

if TYPE_CHECKING:
    from tests.reliability.conftest import Summary

pytestmark = pytest.mark.reliability

AUTH_WORDS = ("authentication", "sasl", "scram", "credentials", "password")


def _sasl_settings(broker: DedicatedBroker, cafile: Path, user: str) -> Settings:
    plain = make_settings(broker.bootstrap, partitions=3)
    return replace(plain, broker=broker.sasl_bootstrap, security_protocol="SASL_SSL",
                   sasl_mechanism="SCRAM-SHA-512", sasl_username=user, ssl_cafile=str(cafile))


def test_sasl_ssl_scram_routes_items_and_hides_the_password(
        dedicated_broker: DedicatedBroker, tmp_path: Path, n_items: int, summary: Summary) -> None:
    started = time.monotonic()
    info = dedicated_broker.info()
    user, password = info["sasl_user"], info["sasl_password"]
    secret = tmp_path / "sasl-password"
    secret.write_text(password + "\n")
    secret.chmod(0o600)
    s = _sasl_settings(dedicated_broker, Path(info["ca"]), user)
    s = replace(s, sasl_password=password)  # for our own clients; the worker reads the file
    plain = replace(s, broker=dedicated_broker.bootstrap, security_protocol="PLAINTEXT")
    create_topics(s)  # over SASL_SSL too
    items = good_items(n_items, f"s{int(time.time())}")
    ids = {rid for w in items for rid in w.record_ids}
    worker = WorkerProc(replace(s, sasl_password=""), tmp_path, name="sasl",
                        extra_env={"NEWSWIRE_SASL_PASSWORD_FILE": str(secret)})
    assert "NEWSWIRE_SASL_PASSWORD" not in worker.env(), "the worker must get the password from the file only"
    with TopicReader(plain, ["news.enriched", "news.diplomacy", "news.military-aid", "news.strikes",
                                s.dlq_topic]) as reader:
        worker.start()
        produce_sync(s, [(w.key, w.value) for w in items])  # produced over SASL_SSL as well
        complete = reader.wait("news.enriched", ids, timeout=180, stall=45, settle=1.0)
        metrics = http_get(s.web_port, "/metrics")[1]
        ready = http_get(s.web_port, "/readyz")[1]
        worker.terminate()
    desks = sum(len(reader.snapshot(t)) for t in ("news.diplomacy", "news.military-aid", "news.strikes"))
    delivery = check_delivery(ids, reader.snapshot("news.enriched"))
    logs = worker.log_text()

    # the wrong password: a worker that cannot authenticate must not look healthy, and must say why
    bad_secret = tmp_path / "wrong-password"
    wrong = "not-" + password + "-wrong"
    bad_secret.write_text(wrong)
    bad = WorkerProc(replace(s, sasl_password="", web_port=s.web_port + 1 if s.web_port < 65000 else 50001),
                     tmp_path, name="sasl-wrong", extra_env={"NEWSWIRE_SASL_PASSWORD_FILE": str(bad_secret)})
    bad.start(wait=False)
    bad_ready, bad_code = [], None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and bad.alive():
        try:
            bad_ready.append(http_get(bad.settings.web_port, "/readyz", timeout=2.0)[0])
        except OSError:
            bad_ready.append(0)
        time.sleep(1.0)
    if bad.alive():
        bad.terminate(timeout=15)
    else:
        bad_code = bad.process.returncode if bad.process else None
    bad_logs = bad.log_text()
    auth_lines = [line for line in bad_logs.splitlines()
                  if any(word in line.lower() for word in AUTH_WORDS) and ("error" in line.lower()
                                                                            or "fail" in line.lower())]

    summary.add("security", inputs=len(ids), published=delivery.published, lost=len(delivery.lost),
                duplicates=delivery.duplicates, dead_letters=len(reader.snapshot(s.dlq_topic)), worker_restarts=0,
                seconds=time.monotonic() - started, desk_records=desks,
                wrong_password=f"exit={bad_code}, ready={200 in bad_ready}, auth_error_logged={bool(auth_lines)}")
    assert complete and not delivery.lost, f"{len(delivery.lost)} lost over SASL_SSL"
    assert desks > 0, "items were routed to desk topics"
    for where, text in (("worker log", logs), ("/metrics", metrics.decode()), ("/readyz", ready.decode())):
        assert password not in text, f"the SASL password appears in the {where}"
    assert wrong not in bad_logs, "the wrong password appears in the log"
    assert 200 not in bad_ready, "a worker that cannot authenticate must not report ready"
    assert bad_code not in (None, 0), "a worker that cannot authenticate must exit non-zero"
    assert auth_lines, "the wrong-password worker must log an authentication error:\n" + bad.log_tail(15)
