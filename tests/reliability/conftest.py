"""Fixtures for the reliability suite: run size, per-test settings, dedicated brokers, and the
summary table (printed at the end of the run and written as JSON under the pytest tmp dir).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `tests.integration...` imports work with plain `pytest` too
    sys.path.insert(0, str(ROOT))

from tests.reliability.harness import DedicatedBroker  # noqa: E402

CI_N = 1500


def run_size() -> int:
    """Items per scenario: NEWSWIRE_RELIABILITY_N (``make reliability`` uses 20000)."""
    return int(os.environ.get("NEWSWIRE_RELIABILITY_N", CI_N))


COLUMNS = ("scenario", "inputs", "published", "lost", "duplicates", "dead_letters", "worker_restarts", "seconds")
_ROWS: list[dict[str, Any]] = []
_SUMMARY_PATH: list[Path] = []


class Summary:
    """One row per scenario; ``note`` holds what does not fit the columns."""

    def add(self, scenario: str, *, inputs: int, published: int, lost: int, duplicates: int, dead_letters: int,
            worker_restarts: int, seconds: float, **note: Any) -> None:
        row = {"scenario": scenario, "inputs": inputs, "published": published, "lost": lost,
               "duplicates": duplicates, "dead_letters": dead_letters, "worker_restarts": worker_restarts,
               "seconds": round(seconds, 1), "note": note}
        _ROWS[:] = [r for r in _ROWS if r["scenario"] != scenario] + [row]
        if _SUMMARY_PATH:
            _write(_SUMMARY_PATH[0])


def _write(path: Path) -> None:
    order = {name: i for i, name in enumerate(SCENARIO_ORDER)}
    rows = sorted(_ROWS, key=lambda r: order.get(r["scenario"].split(" ")[0], 99))
    path.write_text(json.dumps({"n": run_size(), "written": time.strftime("%Y-%m-%dT%H:%M:%S"), "rows": rows},
                               indent=2, ensure_ascii=False))


SCENARIO_ORDER = ("hostile", "crash", "broker-restart", "rebalance", "dedup", "shutdown", "security")


@pytest.fixture(scope="session")
def summary(tmp_path_factory: pytest.TempPathFactory) -> Summary:
    if not _SUMMARY_PATH:
        _SUMMARY_PATH.append(tmp_path_factory.getbasetemp() / "reliability-summary.json")
    return Summary()


@pytest.fixture(scope="session")
def n_items() -> int:
    return run_size()


@pytest.fixture(scope="session")
def dedicated_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DedicatedBroker]:
    """A broker of our own with a SASL_SSL (SCRAM-SHA-512) listener; the tests may stop it.

    Shared by the broker-restart and security scenarios (one start instead of two); always
    torn down (``down`` and the state dir removed) at the end of the session.
    """
    broker = DedicatedBroker(tmp_path_factory.mktemp("dedicated-broker"), sasl=True)
    try:
        broker.up()
        yield broker
    finally:
        broker.wipe()


# --- the summary table -----------------------------------------------------------------------


def _table() -> list[str]:
    order = {name: i for i, name in enumerate(SCENARIO_ORDER)}
    rows = sorted(_ROWS, key=lambda r: order.get(r["scenario"].split(" ")[0], 99))
    cells = [[str(r[c]) for c in COLUMNS] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(COLUMNS)]
    line = "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(COLUMNS, widths, strict=True)))
    out = [line, "-" * len(line)]
    for row in cells:
        out.append("  ".join(v.ljust(w) if i == 0 else v.rjust(w)
                             for i, (v, w) in enumerate(zip(row, widths, strict=True))))
    for r in rows:
        if r["note"]:
            out.append(f"  {r['scenario']}: " + ", ".join(f"{k}={v}" for k, v in r["note"].items()))
    return out


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if not _ROWS:
        return
    terminalreporter.section(f"newswire reliability summary (N={run_size()})")
    for line in _table():
        terminalreporter.write_line(line)
    if _SUMMARY_PATH:
        _write(_SUMMARY_PATH[0])
        terminalreporter.write_line(f"JSON: {_SUMMARY_PATH[0]}")
