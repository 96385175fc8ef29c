"""A real Prometheus server for tests: the binary, a generated config, its HTTP API, promtool.

The binaries come from the Debian package ``prometheus`` (deploy/install-tools.sh). A missing
binary fails the test with a clear message: these checks never skip.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest

from streams.processes import stop

INSTALL_HINT = "install it with deploy/install-tools.sh (Debian package `prometheus`)"
T = TypeVar("T")


def binary(name: str) -> str:
    """Path of ``prometheus`` or ``promtool``: /usr/bin first, then PATH; fails when missing."""
    for candidate in (f"/usr/bin/{name}", shutil.which(name)):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    pytest.fail(f"{name} is not installed (looked in /usr/bin and PATH): {INSTALL_HINT}", pytrace=False)


def promtool_check_metrics(exposition: bytes) -> subprocess.CompletedProcess[str]:
    """``promtool check metrics`` on an exposition body given on stdin (lint and parse)."""
    return subprocess.run([binary("promtool"), "check", "metrics"], input=exposition.decode(),
                          capture_output=True, text=True, timeout=60)


def write_config(path: Path, *, job: str, targets: list[str], rule_files: list[Path],
                 interval: str = "1s") -> Path:
    """A minimal prometheus.yml: one static scrape job and the given rule files, short intervals."""
    config = {
        "global": {"scrape_interval": interval, "scrape_timeout": interval, "evaluation_interval": interval},
        "rule_files": [str(p) for p in rule_files],
        "scrape_configs": [{"job_name": job, "metrics_path": "/metrics",
                            "static_configs": [{"targets": targets}]}],
    }
    path.write_text(json.dumps(config, indent=2), encoding="utf-8")  # JSON is YAML
    return path


def log_tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class PrometheusAPI:
    """The few HTTP API calls the tests need; every call raises on a non-success answer."""

    def __init__(self, port: int, log_path: Path) -> None:
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.log_path = log_path

    def _get(self, path: str, params: dict[str, str] | None = None) -> Any:
        url = self.base + path + ("?" + urllib.parse.urlencode(params) if params else "")
        with urllib.request.urlopen(url, timeout=5) as response:
            body = json.loads(response.read())
        assert body.get("status") == "success", f"{url}: {body}"
        return body["data"]

    def query(self, expr: str) -> list[dict[str, Any]]:
        """An instant vector: ``[{"metric": {...}, "value": [ts, "v"]}, ...]``."""
        data = self._get("/api/v1/query", {"query": expr})
        assert data["resultType"] == "vector", f"{expr}: expected a vector, got {data['resultType']}"
        return data["result"]  # type: ignore[no-any-return]

    def value(self, expr: str) -> float | None:
        """The single sample of ``expr``, or None when the vector is empty; fails on several."""
        result = self.query(expr)
        assert len(result) <= 1, f"{expr}: expected at most one series, got {result}"
        return float(result[0]["value"][1]) if result else None

    def rule_groups(self) -> list[dict[str, Any]]:
        return self._get("/api/v1/rules")["groups"]  # type: ignore[no-any-return]

    def targets(self) -> list[dict[str, Any]]:
        return self._get("/api/v1/targets")["activeTargets"]  # type: ignore[no-any-return]

    def ready(self) -> bool:
        try:
            with urllib.request.urlopen(self.base + "/-/ready", timeout=2) as response:
                status: int = response.status  # urlopen() is typed as returning Any
                return status == 200
        except (OSError, urllib.error.HTTPError):
            return False

    def wait_for(self, what: str, probe: Callable[[], T | None], timeout: float = 20.0,
                 interval: float = 0.25) -> T:
        """Poll ``probe`` until it returns something truthy; fail with ``what`` and the log tail."""
        deadline = time.monotonic() + timeout
        last: Any = None
        while time.monotonic() < deadline:
            try:
                result = probe()
            except (OSError, AssertionError, KeyError, ValueError) as exc:
                last = exc
            else:
                last = result
                if result:
                    return result
            time.sleep(interval)
        raise AssertionError(f"Prometheus: {what} not seen within {timeout} s (last probe: {last!r})\n"
                             f"--- prometheus log ---\n{log_tail(self.log_path)}")


@contextmanager
def running_prometheus(config: Path, port: int, workdir: Path,
                       ready_timeout: float = 30.0) -> Iterator[PrometheusAPI]:
    """A real Prometheus server on 127.0.0.1:``port``, storage under ``workdir``; SIGTERM afterwards."""
    log_path = workdir / "prometheus.log"
    args = [
        binary("prometheus"),
        f"--config.file={config}",
        f"--storage.tsdb.path={workdir / 'tsdb'}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--storage.tsdb.retention.time=1h",
        "--log.level=info",
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, cwd=workdir)
        api = PrometheusAPI(port, log_path)
        try:
            deadline = time.monotonic() + ready_timeout
            while not api.ready():
                if process.poll() is not None:
                    raise AssertionError(f"prometheus exited with {process.returncode}:\n{log_tail(log_path)}")
                if time.monotonic() > deadline:
                    raise AssertionError(f"prometheus not ready after {ready_timeout} s:\n{log_tail(log_path)}")
                time.sleep(0.1)
            yield api
        finally:
            stop(process, grace_seconds=15)
