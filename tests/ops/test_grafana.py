"""deploy/grafana: the dashboard's queries parse, name only contract metrics and show all of
them; layout and provisioning agree with the compose stack."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import yaml

from .opstools import (
    DEPLOY,
    Doc,
    contract_families,
    grafana_to_promql,
    load_yaml,
    promql_metric_names,
    run,
    tool,
)

GRAFANA = DEPLOY / "grafana"


def dashboard() -> Doc:
    return cast(Doc, json.loads((GRAFANA / "newswire.json").read_text(encoding="utf-8")))


def panels(board: Doc) -> Iterator[Doc]:
    for panel in board["panels"]:
        yield panel
        yield from panel.get("panels", [])


def queries(board: Doc) -> list[tuple[str, str]]:
    return [(f"{p['title']}/{t['refId']}", t["expr"]) for p in panels(board) for t in p.get("targets", [])]


def test_every_query_names_only_contract_metrics(contract: set[str]) -> None:
    found = queries(dashboard())
    assert found
    for where, expr in found:
        names = promql_metric_names(expr)
        assert names, f"{where}: no metric in {expr!r}"
        assert names <= contract, f"{where}: metrics outside streams/metrics.py: {names - contract}"


def test_dashboard_shows_every_metric_family() -> None:
    used = set().union(*(promql_metric_names(expr) for _, expr in queries(dashboard())))
    for family, kind in contract_families().items():
        exposed = {
            "counter": [f"{family}_total"],
            "histogram": [f"{family}_bucket", f"{family}_sum"],
            "gauge": [family],
        }[kind]
        assert used & set(exposed), f"no panel shows {family}"


def test_every_query_parses_as_promql(tmp_path: Path) -> None:
    """Prometheus's own parser (promtool) reads each query, Grafana variables filled in."""
    rules = [
        {"record": f"dashboard:query_{i}", "expr": grafana_to_promql(expr)}
        for i, (_, expr) in enumerate(queries(dashboard()))
    ]
    path = tmp_path / "dashboard-queries.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}), encoding="utf-8")
    result = run([tool("promtool"), "check", "rules", str(path)])
    assert result.returncode == 0, result.stdout + result.stderr


def test_panels_have_unique_ids_and_do_not_overlap() -> None:
    board = dashboard()
    ids = [p["id"] for p in panels(board)]
    assert len(ids) == len(set(ids))
    cells: dict[tuple[int, int], str] = {}
    for panel in panels(board):
        pos = panel["gridPos"]
        assert pos["x"] >= 0 and pos["x"] + pos["w"] <= 24, panel["title"]
        for x in range(pos["x"], pos["x"] + pos["w"]):
            for y in range(pos["y"], pos["y"] + pos["h"]):
                assert (x, y) not in cells, f"{panel['title']} overlaps {cells[(x, y)]}"
                cells[(x, y)] = panel["title"]


def test_panels_use_the_datasource_variable_and_defined_variables() -> None:
    board = dashboard()
    variables = {v["name"] for v in board["templating"]["list"]}
    assert {"datasource", "job", "instance"} <= variables
    builtin = {"__rate_interval", "__interval", "__range"}
    for panel in panels(board):
        if panel["type"] == "row":
            continue
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, panel["title"]
        for target in panel["targets"]:
            for name in re.findall(r"\$\{?(\w+)\}?", target["expr"]):
                assert name in variables | builtin, f"{panel['title']}: undefined variable ${name}"


def test_panels_cover_the_operations_questions() -> None:
    """The panels issue 9 asks for, found by what they query."""
    exprs = [expr for _, expr in queries(dashboard())]

    def shown(pattern: str) -> bool:
        return any(re.search(pattern, e) for e in exprs)

    assert shown(r"sum by \(topic\) \(rate\(newswire_items_published_total")  # throughput per output topic
    assert shown(r"rate\(newswire_items_consumed_total")  # consumed rate
    assert shown(r"sum by \(reason\) \(rate\(newswire_dead_letters_total")  # dead letters per reason
    assert shown(r"sum by \(topic, partition\) \(newswire_consumer_lag_records")  # lag per partition
    for q in ("0.5", "0.95", "0.99"):  # end-to-end percentiles
        assert shown(rf"histogram_quantile\({q}, sum by \(le\) \(rate\(newswire_end_to_end_seconds_bucket")
    assert shown(r"by \(stage, le\) \(rate\(newswire_stage_seconds_bucket")  # stage seconds
    assert shown(r"sum by \(label\) \(rate\(newswire_items_labelled_total")  # topic mix
    assert shown(r"sum by \(type, linked\) \(rate\(newswire_entities_total")  # entity mix
    assert shown(r"^newswire_ready\{")  # readiness
    assert shown(r"^newswire_build_info\{")  # build info


def test_provisioning_matches_the_compose_stack() -> None:
    datasources = load_yaml(GRAFANA / "provisioning/datasources/prometheus.yml")
    assert datasources["apiVersion"] == 1
    (prom,) = datasources["datasources"]
    assert prom["type"] == "prometheus" and prom["isDefault"] is True
    compose = load_yaml(DEPLOY / "docker/docker-compose.yml")
    url = re.fullmatch(r"http://([\w-]+):(\d+)", prom["url"])
    assert url, f"unexpected datasource URL {prom['url']}"
    host, port = url.groups()
    assert host in compose["services"], "datasource URL does not name a compose service"
    assert f"127.0.0.1:{port}:{port}" in compose["services"][host]["ports"]

    providers = load_yaml(GRAFANA / "provisioning/dashboards/newswire.yml")
    assert providers["apiVersion"] == 1
    (provider,) = providers["providers"]
    assert provider["type"] == "file"
    mounts = {}  # compose short syntax SOURCE:TARGET[:MODE], bind mounts only
    for volume in compose["services"]["grafana"]["volumes"]:
        source, target = volume.split(":")[:2]
        if source.startswith("../"):
            mounts[source] = target
    assert mounts["../grafana/provisioning"] == "/etc/grafana/provisioning"
    assert str(Path(mounts["../grafana/newswire.json"]).parent) == provider["options"]["path"]
