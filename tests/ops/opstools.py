"""Helpers for the deploy/ checks: where the ops tools are, the metrics contract, PromQL names.

The tools come from deploy/install-tools.sh (promtool on PATH; kubeconform, kustomize,
dockercheck and the offline schemas under $NEWSWIRE_TOOLS_DIR, default <repo>/.cache).
A missing tool fails the test: these checks never skip.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any, cast

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
TOOLS_DIR = Path(os.environ.get("NEWSWIRE_TOOLS_DIR", str(ROOT / ".cache")))
INSTALL_HINT = "run deploy/install-tools.sh first"

# A parsed YAML or JSON mapping (a config, a manifest, tool output): the loaders are untyped
# and the checks index into it freely, failing the test when a key is missing.
Doc = dict[str, Any]


def install_setting(name: str) -> str:
    """A version pinned in deploy/install-tools.sh, so the tests and the installer agree."""
    text = (DEPLOY / "install-tools.sh").read_text(encoding="utf-8")
    match = re.search(rf"^{name}=(\S+)", text, re.MULTILINE)
    assert match, f"{name} not set in deploy/install-tools.sh"
    return match.group(1)


def tool(name: str) -> str:
    """Path of an ops tool; fails (never skips) when it is not installed."""
    local = TOOLS_DIR / "bin" / name
    if local.is_file() and os.access(local, os.X_OK):
        return str(local)
    found = shutil.which(name)
    if found:
        return found
    pytest.fail(f"{name} is not installed (looked in {TOOLS_DIR / 'bin'} and PATH): {INSTALL_HINT}", pytrace=False)


def run(
    args: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, input=input, capture_output=True, text=True, timeout=120)


def load_yaml(path: Path) -> Doc:
    with path.open(encoding="utf-8") as fh:
        return cast(Doc, yaml.safe_load(fh))


def contract_series_names() -> set[str]:
    """Every series name the worker can expose, from the metric families in streams/metrics.py.

    Counters are exposed as <name>_total, histograms as <name>_bucket/_sum/_count; ``up`` is
    Prometheus's own per-target series.
    """
    from streams.metrics import Metrics

    names = {"up"}
    for family in Metrics().registry.collect():
        if family.type == "counter":
            names.add(f"{family.name}_total")
        elif family.type == "histogram":
            names.update(f"{family.name}{suffix}" for suffix in ("_bucket", "_sum", "_count"))
        elif family.type == "gauge":
            names.add(family.name)
        else:  # a new kind of metric: teach this helper its exposed names
            raise AssertionError(f"unhandled metric type {family.type} for {family.name}")
    return names


def contract_families() -> dict[str, str]:
    from streams.metrics import Metrics

    return {family.name: family.type for family in Metrics().registry.collect()}


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_IDENT = re.compile(r"(?<![\w.$])([A-Za-z_:][\w:]*)(?![\w:])(?!\s*\()")
_KEYWORDS = {
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "bool",
    "and",
    "or",
    "unless",
    "offset",
    "inf",
    "nan",
}


def promql_metric_names(expr: str) -> set[str]:
    """Metric names a PromQL expression selects (function names, labels, keywords removed)."""
    text = _STRING.sub('""', expr)
    text = re.sub(r"\{[^}]*\}", " ", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", " ", text)  # ranges and subqueries
    text = _GROUPING.sub(" ", text)
    text = re.sub(r"\$\{?\w+\}?", " ", text)  # Grafana variables
    return {m.group(1) for m in _IDENT.finditer(text) if m.group(1).lower() not in _KEYWORDS}


def grafana_to_promql(expr: str) -> str:
    """A dashboard query with Grafana's variables replaced, so Prometheus's parser can check it."""
    for variable, value in (("$__rate_interval", "1m"), ("$__interval", "1m"), ("$__range", "1h")):
        expr = expr.replace(variable, value)
    return re.sub(r"\$\{?\w+\}?", ".+", expr)
