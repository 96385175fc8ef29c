#!/usr/bin/env python3
"""Write deploy/k8s/base/prometheusrule.yaml from deploy/prometheus/alerts.yml.

prometheus-operator loads alert rules from PrometheusRule objects, whose spec.groups is the
rules file's `groups` unchanged. alerts.yml stays the one source (promtool tests it);
tests/ops/test_k8s.py fails when this copy differs. Run after editing alerts.yml:

    .venv/bin/python deploy/k8s/sync-prometheusrule.py
"""

from __future__ import annotations

from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parent / "prometheus" / "alerts.yml"
TARGET = HERE / "base" / "prometheusrule.yaml"


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def render() -> str:
    groups = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))["groups"]
    rule = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {"name": "newswire", "labels": {"app.kubernetes.io/name": "newswire"}},
        "spec": {"groups": groups},
    }
    header = (
        "# GENERATED from deploy/prometheus/alerts.yml by deploy/k8s/sync-prometheusrule.py: edit\n"
        "# alerts.yml, then run the script. prometheus-operator loads these alert rules.\n"
    )
    return header + yaml.dump(rule, Dumper=_Dumper, sort_keys=False, width=110, allow_unicode=True)


if __name__ == "__main__":
    TARGET.write_text(render(), encoding="utf-8")
    print(f"wrote {TARGET}")
