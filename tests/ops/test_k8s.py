"""deploy/k8s: every kustomization renders with kustomize, the output passes kubeconform
(strict, offline schemas: Kubernetes and the PodMonitor CRD, nothing skipped), and the
workload is wired the way the worker and the alert rules expect."""

from __future__ import annotations

import importlib.util
import json
from dataclasses import fields
from pathlib import Path
from typing import cast

import pytest
import yaml

from streams.settings import PREFIX, Settings

from .opstools import DEPLOY, INSTALL_HINT, TOOLS_DIR, Doc, install_setting, run, tool

K8S = DEPLOY / "k8s"
KUSTOMIZATIONS = ["base", "overlays/example"]


def schema_locations() -> list[str]:
    version = install_setting("K8S_SCHEMA_VERSION")
    kubernetes = TOOLS_DIR / "schemas" / "kubernetes" / f"v{version}-standalone-strict"
    crds = TOOLS_DIR / "schemas" / "crds"
    for probe in (kubernetes / "deployment-apps-v1.json", crds / "podmonitor-monitoring-v1.json"):
        if not probe.is_file():
            pytest.fail(f"schema {probe} is missing: {INSTALL_HINT}", pytrace=False)
    template = "{{ .ResourceKind }}{{ .KindSuffix }}.json"
    return [f"{kubernetes}/{template}", f"{crds}/{template}"]


_rendered: dict[str, str] = {}


def render(kustomization: str) -> str:
    if kustomization not in _rendered:
        result = run([tool("kustomize"), "build", str(K8S / kustomization)])
        assert result.returncode == 0, result.stderr
        _rendered[kustomization] = result.stdout
    return _rendered[kustomization]


def resources(kustomization: str) -> dict[str, Doc]:
    docs = [d for d in yaml.safe_load_all(render(kustomization)) if d]
    return {f"{d['kind']}/{d['metadata']['name']}": d for d in docs}


def by_kind(kustomization: str, kind: str) -> Doc:
    (found,) = [d for key, d in resources(kustomization).items() if key.startswith(kind + "/")]
    return found


def container(kustomization: str) -> Doc:
    (worker,) = by_kind(kustomization, "Deployment")["spec"]["template"]["spec"]["containers"]
    return cast(Doc, worker)


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_rendered_manifests_pass_kubeconform(kustomization: str, tmp_path: Path) -> None:
    rendered = tmp_path / "rendered.yaml"
    rendered.write_text(render(kustomization), encoding="utf-8")
    args = [tool("kubeconform"), "-strict", "-summary", "-output", "json"]
    for location in schema_locations():
        args += ["-schema-location", location]
    result = run([*args, str(rendered)])
    assert result.returncode == 0, result.stdout + result.stderr
    summary = json.loads(result.stdout)["summary"]
    assert summary["invalid"] == 0 and summary["errors"] == 0
    assert summary["skipped"] == 0, "a resource had no schema"
    assert summary["valid"] == len(resources(kustomization))


def test_kubeconform_rejects_a_broken_manifest(tmp_path: Path) -> None:
    """The schemas are really consulted: an unknown field and a wrong type are refused."""
    bad = by_kind("base", "PodMonitor")
    bad["spec"]["jobLable"] = bad["spec"].pop("jobLabel")
    deployment = by_kind("base", "Deployment")
    deployment["spec"]["replicas"] = "two"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump_all([bad, deployment]), encoding="utf-8")
    args = [tool("kubeconform"), "-strict", "-summary", "-output", "json"]
    for location in schema_locations():
        args += ["-schema-location", location]
    result = run([*args, str(path)])
    assert result.returncode != 0
    assert json.loads(result.stdout)["summary"]["invalid"] == 2


def test_base_has_the_expected_objects() -> None:
    kinds = sorted(key.split("/")[0] for key in resources("base"))
    assert kinds == [
        "ConfigMap",
        "Deployment",
        "PodDisruptionBudget",
        "PodMonitor",
        "PrometheusRule",
        "Service",
        "ServiceAccount",
    ]


def test_prometheusrule_is_in_sync_with_alerts_yml() -> None:
    spec = importlib.util.spec_from_file_location("sync_prometheusrule", K8S / "sync-prometheusrule.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    committed = (K8S / "base" / "prometheusrule.yaml").read_text(encoding="utf-8")
    assert committed == module.render(), "run: .venv/bin/python deploy/k8s/sync-prometheusrule.py"
    rendered = by_kind("base", "PrometheusRule")
    alerts = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text(encoding="utf-8"))
    assert rendered["spec"]["groups"] == alerts["groups"]


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_probes_hit_the_worker_endpoints(kustomization: str) -> None:
    worker = container(kustomization)
    ports = {p["name"]: p["containerPort"] for p in worker["ports"]}
    for probe, path in (("startupProbe", "/healthz"), ("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
        get = worker[probe]["httpGet"]
        assert get["path"] == path and get["port"] in ports, probe
    config = by_kind(kustomization, "ConfigMap")["data"]
    assert ports["http-metrics"] == int(config["NEWSWIRE_WEB_PORT"])
    assert config["NEWSWIRE_WEB_HOST"] == "0.0.0.0", "the probes and Prometheus reach the pod IP, not loopback"


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_pod_is_locked_down(kustomization: str) -> None:
    pod = by_kind(kustomization, "Deployment")["spec"]["template"]["spec"]
    worker = container(kustomization)
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == 10001  # the image's USER
    sc = worker["securityContext"]
    assert sc["readOnlyRootFilesystem"] is True
    assert sc["allowPrivilegeEscalation"] is False
    assert sc["capabilities"]["drop"] == ["ALL"]
    assert pod["automountServiceAccountToken"] is False
    for kind in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(worker["resources"][kind])
    # A read-only root needs writable scratch: /tmp and Faust's data directory.
    volumes = {v["name"]: v for v in pod["volumes"]}
    writable = {
        m["mountPath"] for m in worker["volumeMounts"] if not m.get("readOnly") and "emptyDir" in volumes[m["name"]]
    }
    env = {e["name"]: e.get("value") for e in worker["env"]}
    assert {"/tmp", env["APP_DATADIR"]} <= writable


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_sasl_credentials_come_from_the_secret(kustomization: str) -> None:
    worker = container(kustomization)
    pod = by_kind(kustomization, "Deployment")["spec"]["template"]["spec"]
    env = {e["name"]: e for e in worker["env"]}
    username_ref = env["NEWSWIRE_SASL_USERNAME"]["valueFrom"]["secretKeyRef"]
    password_file = Path(env["NEWSWIRE_SASL_PASSWORD_FILE"]["value"])
    assert "NEWSWIRE_SASL_PASSWORD" not in env, "the password is mounted as a file, never an env value"
    mount = next(m for m in worker["volumeMounts"] if Path(m["mountPath"]) == password_file.parent)
    assert mount["readOnly"] is True
    volume = next(v for v in pod["volumes"] if v["name"] == mount["name"])
    secret = volume["secret"]
    assert secret["secretName"] == username_ref["name"], "username and password come from one Secret"
    assert {"key": "password", "path": password_file.name} in secret["items"]
    if kustomization != "base":  # the overlay ships the Secret; it must have both keys
        rendered = resources(kustomization)[f"Secret/{secret['secretName']}"]
        assert {"username", "password"} <= set(rendered["data"])


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_configmap_holds_valid_settings(kustomization: str) -> None:
    worker = container(kustomization)
    (source,) = worker["envFrom"]
    config = resources(kustomization)[f"ConfigMap/{source['configMapRef']['name']}"]["data"]
    known = {PREFIX + f.name.upper() for f in fields(Settings)}
    assert set(config) <= known, f"not settings: {set(config) - known}"
    env_names = {e["name"] for e in worker["env"]}
    assert env_names - {"APP_DATADIR"} <= known | {PREFIX + "SASL_PASSWORD_FILE"}
    settings = Settings.from_env(config)  # types and values pass the worker's own validation
    assert settings.security_protocol.startswith("SASL_")


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_selectors_and_scrape_target_match_the_pods(kustomization: str) -> None:
    deployment = by_kind(kustomization, "Deployment")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    selector = deployment["spec"]["selector"]["matchLabels"]
    assert selector.items() <= labels.items()
    for kind, path in (
        ("Service", ("spec", "selector")),
        ("PodDisruptionBudget", ("spec", "selector", "matchLabels")),
        ("PodMonitor", ("spec", "selector", "matchLabels")),
    ):
        sel = by_kind(kustomization, kind)
        for key in path:
            sel = sel[key]
        assert sel.items() <= labels.items(), f"{kind} selector does not match the pods"
    monitor = by_kind(kustomization, "PodMonitor")["spec"]
    ports = {p["name"] for p in container(kustomization)["ports"]}
    (endpoint,) = monitor["podMetricsEndpoints"]
    assert endpoint["port"] in ports and endpoint["path"] == "/metrics"
    assert labels[monitor["jobLabel"]] == "newswire", 'alerts.yml selects job="newswire"'
