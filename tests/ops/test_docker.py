"""deploy/docker, checked without a Docker daemon (none runs here):

* the Dockerfile goes through BuildKit's parser and the linter behind `docker build --check`
  (deploy/docker/dockercheck; base-image metadata is stubbed, nothing is pulled);
* docker-compose.yml goes through compose-go's loader, as `docker compose config` does:
  the compose-spec JSON schema, interpolation and cross-references;
* the image's HEALTHCHECK command is run against a local HTTP server;
* the build stage's inputs are enough to build the project's wheel.

What this cannot show: that the image builds and runs, that the containers start.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import cast

import pytest

from streams.settings import PREFIX, Settings

from .opstools import DEPLOY, ROOT, Doc, load_yaml, run, tool

DOCKER = DEPLOY / "docker"
CLEAN_ENV = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp")}


def dockerfile() -> Doc:
    result = run([tool("dockercheck"), "dockerfile", str(DOCKER / "Dockerfile")], env=CLEAN_ENV)
    assert result.returncode == 0, f"Dockerfile findings:\n{result.stderr}"
    return cast(Doc, json.loads(result.stdout)["dockerfile"])


def compose() -> Doc:
    result = run([tool("dockercheck"), "compose", str(DOCKER / "docker-compose.yml")], env=CLEAN_ENV)
    assert result.returncode == 0, f"compose file refused:\n{result.stderr}"
    return cast(Doc, json.loads(result.stdout))


def stage(parsed: Doc, name: str) -> Doc:
    (found,) = [s for s in parsed["Stages"] if s["Name"] == name]
    return cast(Doc, found)


def commands(stage: Doc, instruction: str) -> list[Doc]:
    return [c for c in stage["Commands"] if c["Instruction"] == instruction]


def test_dockerfile_passes_buildkit_lint() -> None:
    result = run([tool("dockercheck"), "dockerfile", str(DOCKER / "Dockerfile")], env=CLEAN_ENV)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["findings"] == 0


def test_dockercheck_reports_lint_findings(tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:3.11-slim as build\nENV A b\nCMD newswire worker\n", encoding="utf-8")
    result = run([tool("dockercheck"), "dockerfile", str(bad)], env=CLEAN_ENV)
    assert result.returncode == 1
    for rule in ("FromAsCasing", "LegacyKeyValueFormat", "JSONArgsRecommended"):
        assert rule in result.stderr


def test_image_is_multi_stage_slim_and_non_root() -> None:
    parsed = dockerfile()
    stages = parsed["Stages"]
    assert [s["Name"] for s in stages] == ["rust", "build", "runtime"]
    meta = parsed["MetaArgs"]
    bases = {s["Name"]: re.sub(r"\$\{?(\w+)\}?", lambda m: meta[m.group(1)], s["BaseName"]) for s in stages}
    assert bases == {"rust": "rust:1.95-slim", "build": "python:3.11-slim", "runtime": "python:3.11-slim"}
    build, runtime = stage(parsed, "build"), stage(parsed, "runtime")
    assert {c["From"] for c in commands(build, "COPY") if c["From"]} == {"rust"}, "only the toolchain comes from rust"
    copied = [c for c in commands(runtime, "COPY") if c["From"]]
    assert copied and all(c["From"] == build["Name"] for c in copied)
    assert not commands(runtime, "RUN") or all(
        "pip install" not in " ".join(c["CmdLine"]) for c in commands(runtime, "RUN")
    )
    (user,) = commands(runtime, "USER")
    uid = user["User"].split(":")[0]
    assert uid.isdigit() and int(uid) != 0, "numeric non-root USER (runAsNonRoot can verify it)"
    assert uid == "10001", "the uid the Kubernetes Deployment and compose tmpfs expect"
    (cmd,) = commands(runtime, "CMD")
    assert cmd["CmdLine"] == ["newswire", "worker"] and cmd["PrependShell"] is False
    env = {kv["Key"]: kv["Value"] for c in commands(runtime, "ENV") for kv in c["Env"]}
    assert env["NEWSWIRE_WEB_HOST"] == "0.0.0.0"
    assert env["NEWSWIRE_WEB_PORT"] == str(Settings().web_port)
    assert (runtime_port := commands(runtime, "EXPOSE")) and runtime_port[0]["Ports"] == [env["NEWSWIRE_WEB_PORT"]]


def healthcheck_argv() -> list[str]:
    (health,) = commands(dockerfile()["Stages"][-1], "HEALTHCHECK")
    test = health["Health"]["Test"]
    assert test[0] == "CMD", "exec form: no shell needed in the image"
    assert "/healthz" in " ".join(test)
    assert test[1] == "python"
    return [sys.executable, *test[2:]]


@contextmanager
def http_server(status: int) -> Iterator[int]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            code = status if self.path == "/healthz" else 404
            self.send_response(code)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(("status", "healthy"), [(200, True), (503, False)])
def test_healthcheck_command_follows_healthz(status: int, healthy: bool) -> None:
    argv = healthcheck_argv()
    with http_server(status) as port:
        result = subprocess.run(
            argv, env={**CLEAN_ENV, "NEWSWIRE_WEB_PORT": str(port)}, capture_output=True, timeout=20
        )
    assert (result.returncode == 0) is healthy, result.stderr


def test_healthcheck_command_fails_when_nothing_listens() -> None:
    argv = healthcheck_argv()
    with http_server(200) as port:
        pass  # closed again: nothing listens on this port now
    result = subprocess.run(argv, env={**CLEAN_ENV, "NEWSWIRE_WEB_PORT": str(port)}, capture_output=True, timeout=20)
    assert result.returncode != 0


def test_dockerignore_keeps_exactly_what_the_build_copies() -> None:
    build = stage(dockerfile(), "build")
    sources = [s for c in commands(build, "COPY") if not c["From"] for s in c["SourcePaths"]]
    ignore = [
        line.strip()
        for line in (DOCKER / "Dockerfile.dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert ignore[0] == "*", "allow-list: everything is excluded unless re-included"
    for source in sources:
        assert (ROOT / source).exists(), f"COPY {source}: not in the repository"
        assert f"!{source}" in ignore or f"!{source}/" in ignore, f"COPY {source} is excluded by the ignore file"


def test_build_stage_inputs_build_the_package(tmp_path: Path) -> None:
    """maturin packs the project from only what the build stage copies (pyproject names
    README.md, package data lives under streams/data, the Rust crate under streams/native).
    An sdist: it compiles nothing and needs no network, and runs the same pyproject reading
    and crate discovery as the image's wheel build."""
    build = stage(dockerfile(), "build")
    context = tmp_path / "context"
    skipped = shutil.ignore_patterns("__pycache__", "*.pyc", "target", "*.so")  # as the ignore file does
    for copy in (c for c in commands(build, "COPY") if not c["From"]):
        for source in copy["SourcePaths"]:
            src, dest = ROOT / source, context / source
            dest.parent.mkdir(parents=True, exist_ok=True)
            if src.is_dir():
                shutil.copytree(src, dest, ignore=skipped)
            else:
                shutil.copy2(src, dest)
    script = "import sys, maturin; print(maturin.build_sdist(sys.argv[1]))"
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])  # the maturin binary
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "dist")],
        cwd=context, env={**os.environ, "PATH": path}, capture_output=True, text=True, timeout=120,
        stdin=subprocess.DEVNULL,  # cargo runs `rustc -`, which read a stray log line from inherited stdin
    )
    assert result.returncode == 0, result.stdout + result.stderr
    sdist = tmp_path / "dist" / result.stdout.strip().splitlines()[-1]
    with tarfile.open(sdist) as tar:
        names = [n.split("/", 1)[1] for n in tar.getnames() if "/" in n]
        pyproject = next(m for m in tar.getmembers() if m.name.endswith("/pyproject.toml"))
        pyproject_file = tar.extractfile(pyproject)
        assert pyproject_file is not None
        assert 'newswire = "streams.cli:main"' in pyproject_file.read().decode()
    assert any(n.startswith("streams/data/") for n in names), "package data missing"
    assert "streams/native/src/lib.rs" in names and "streams/native/Cargo.lock" in names, "Rust core missing"
    assert not any("/target/" in n or n.endswith(".so") for n in names), "build output packed"


def test_compose_file_loads_like_docker_compose_config() -> None:
    project = compose()
    assert {"kafka", "topics", "worker", "prometheus", "grafana"} <= set(project["services"])


def test_dockercheck_refuses_a_broken_compose_file(tmp_path: Path) -> None:
    bad = tmp_path / "compose.yml"
    bad.write_text("services:\n  a:\n    image: x\n    depends_on: [b]\n    bogus: 1\n", encoding="utf-8")
    result = run([tool("dockercheck"), "compose", str(bad)], env=CLEAN_ENV)
    assert result.returncode == 1 and "bogus" in result.stderr


def test_compose_kafka_is_kraft_and_matches_the_worker() -> None:
    services = compose()["services"]
    kafka = services["kafka"]
    assert kafka["image"] == "apache/kafka:3.9.1"
    env = kafka["environment"]
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}, "KRaft, no ZooKeeper"
    advertised = dict(item.split("://") for item in env["KAFKA_ADVERTISED_LISTENERS"].split(","))
    assert services["worker"]["environment"]["NEWSWIRE_BROKER"] == advertised["PLAINTEXT"]
    assert advertised["HOST"] == "127.0.0.1:19092", "the local dev broker's address"
    assert kafka["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL")


def test_compose_startup_order_and_commands() -> None:
    services = compose()["services"]
    assert services["topics"]["command"] == ["newswire", "topics"]
    assert services["topics"]["depends_on"]["kafka"]["condition"] == "service_healthy"
    assert services["topics"]["restart"] == "no"
    assert services["worker"]["command"] == ["newswire", "worker"]
    assert services["worker"]["depends_on"]["topics"]["condition"] == "service_completed_successfully"
    for name in ("topics", "worker"):
        build = services[name]["build"]
        assert Path(build["context"]) == ROOT
        assert (ROOT / build["dockerfile"]) == DOCKER / "Dockerfile"


def test_compose_worker_settings_are_real_and_reachable() -> None:
    services = compose()["services"]
    worker = services["worker"]
    known = {PREFIX + f.name.upper() for f in fields(Settings)}
    env = worker["environment"]
    assert set(env) <= known, f"not settings: {set(env) - known}"
    Settings.from_env(env)
    assert env["NEWSWIRE_WEB_HOST"] == "0.0.0.0"
    port = int(env["NEWSWIRE_WEB_PORT"])
    assert worker["read_only"] is True
    assert any(t.startswith("/var/lib/newswire:") and "uid=10001" in t for t in worker["tmpfs"])
    # Prometheus finds the worker by the compose service name and the web port.
    prom_config = load_yaml(DEPLOY / "prometheus/prometheus.yml")
    job = next(j for j in prom_config["scrape_configs"] if j["job_name"] == "newswire")
    (sd,) = job["dns_sd_configs"]
    assert sd["names"] == ["worker"] and sd["port"] == port


def test_compose_prometheus_and_grafana_mount_our_files() -> None:
    services = compose()["services"]
    prom_mounts = {v["target"]: Path(v["source"]) for v in services["prometheus"]["volumes"] if v["type"] == "bind"}
    assert prom_mounts["/etc/prometheus/prometheus.yml"] == DEPLOY / "prometheus/prometheus.yml"
    config = load_yaml(DEPLOY / "prometheus/prometheus.yml")
    for rule_file in config["rule_files"]:  # relative to the config file, in the container too
        assert prom_mounts[f"/etc/prometheus/{rule_file}"] == DEPLOY / "prometheus" / rule_file
    assert "--config.file=/etc/prometheus/prometheus.yml" in services["prometheus"]["command"]
    grafana_mounts = {v["target"]: Path(v["source"]) for v in services["grafana"]["volumes"] if v["type"] == "bind"}
    for target, source in {**prom_mounts, **grafana_mounts}.items():
        assert source.exists(), f"{target}: bind source {source} does not exist"
    assert grafana_mounts["/etc/grafana/provisioning"] == DEPLOY / "grafana/provisioning"
