#!/usr/bin/env bash
# Install the ops tools that tests/ops needs, on a clean Debian 12 machine, without GitHub:
#
#   promtool      Debian package `prometheus` (its service is stopped and disabled)
#   kubeconform   go install, Go module proxy
#   kustomize     go install, Go module proxy
#   dockercheck   go install of deploy/docker/dockercheck (BuildKit's Dockerfile linter and
#                 compose-go's loader, the code behind `docker build --check` and
#                 `docker compose config`, run without a daemon)
#   schemas       Kubernetes JSON schemas from the PyPI wheel kubernetes-validate (only
#                 downloaded, never installed), and the PodMonitor CRD schema from the
#                 prometheus-operator Go module, both laid out for kubeconform
#
# Go tools and schemas go to $NEWSWIRE_TOOLS_DIR (default <repo>/.cache, git-ignored):
# bin/, schemas/kubernetes/v<K8S>-standalone-strict/, schemas/crds/.
# Idempotent: a stamp per step records the version installed; a second run is a no-op.
set -euo pipefail

KUBECONFORM_VERSION=v0.8.0
KUSTOMIZE_VERSION=v5.8.2               # v5.8.3 needs Go 1.27; this machine has 1.26
KUBERNETES_VALIDATE_VERSION=1.37.0     # PyPI wheel that carries the Kubernetes JSON schemas
K8S_SCHEMA_VERSION=1.34.0              # the Kubernetes API version manifests are checked against
PROMETHEUS_OPERATOR_VERSION=v0.85.0    # Go module whose jsonnet/ holds the CRDs as JSON

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS=${NEWSWIRE_TOOLS_DIR:-$REPO/.cache}
BIN=$TOOLS/bin
STAMPS=$TOOLS/stamps
SCHEMAS=$TOOLS/schemas
mkdir -p "$BIN" "$STAMPS" "$SCHEMAS"

installed=()
present=()
started=$(date +%s)

say() { printf 'install-tools: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "need root (or sudo) for: $*"
  fi
}

stamped() { [ -f "$STAMPS/$1" ] && [ "$(cat "$STAMPS/$1")" = "$2" ]; }
stamp() { printf '%s\n' "$2" > "$STAMPS/$1"; }

# ---- promtool (Debian package prometheus) -----------------------------------------------
if command -v promtool >/dev/null 2>&1; then
  present+=("promtool ($(promtool --version 2>&1 | head -n1 | awk '{print $3}'))")
else
  say "installing Debian package prometheus (for promtool)"
  as_root apt-get update -qq
  # --no-install-recommends: no node exporter and its timers; only the server and promtool.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  # The package enables (and on a systemd host starts) a Prometheus server: we only want
  # promtool, so stop and disable it wherever an init system is there to ask.
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    as_root systemctl disable --now prometheus.service >/dev/null 2>&1 || true
  else
    as_root service prometheus stop >/dev/null 2>&1 || true
    as_root update-rc.d prometheus disable >/dev/null 2>&1 || true
  fi
  if [ -f /run/prometheus.pid ] && kill -0 "$(cat /run/prometheus.pid)" 2>/dev/null; then
    as_root kill "$(cat /run/prometheus.pid)" || true
  fi
  command -v promtool >/dev/null 2>&1 || die "package prometheus installed but promtool is not on PATH"
  installed+=("promtool ($(promtool --version 2>&1 | head -n1 | awk '{print $3}'), apt prometheus, service stopped/disabled)")
fi

# ---- Go tools -----------------------------------------------------------------------------
GO=$(command -v go || true)
[ -n "$GO" ] || { [ -x /usr/local/go/bin/go ] && GO=/usr/local/go/bin/go; }
need_go() { [ -n "$GO" ] || die "Go toolchain not found (need go >= 1.26 for $1)"; }
go_install() {  # go_install NAME PACKAGE@VERSION
  need_go "$1"
  say "go install $2"
  env GOBIN="$BIN" GOTOOLCHAIN=local GOFLAGS=-buildvcs=false "$GO" install "$2"
}

if stamped kubeconform "$KUBECONFORM_VERSION" && [ -x "$BIN/kubeconform" ]; then
  present+=("kubeconform $KUBECONFORM_VERSION")
else
  go_install kubeconform "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION"
  stamp kubeconform "$KUBECONFORM_VERSION"
  installed+=("kubeconform $KUBECONFORM_VERSION -> $BIN/kubeconform")
fi

if stamped kustomize "$KUSTOMIZE_VERSION" && [ -x "$BIN/kustomize" ]; then
  present+=("kustomize $KUSTOMIZE_VERSION")
else
  go_install kustomize "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
  stamp kustomize "$KUSTOMIZE_VERSION"
  installed+=("kustomize $KUSTOMIZE_VERSION -> $BIN/kustomize")
fi

DOCKERCHECK_SRC=$REPO/deploy/docker/dockercheck
dockercheck_hash=$(cat "$DOCKERCHECK_SRC"/go.mod "$DOCKERCHECK_SRC"/go.sum "$DOCKERCHECK_SRC"/*.go | sha256sum | cut -c1-16)
if stamped dockercheck "$dockercheck_hash" && [ -x "$BIN/dockercheck" ]; then
  present+=("dockercheck $dockercheck_hash")
else
  need_go dockercheck
  say "building deploy/docker/dockercheck (BuildKit + compose-go; about half a minute)"
  (cd "$DOCKERCHECK_SRC" && env GOBIN="$BIN" GOTOOLCHAIN=local GOFLAGS=-buildvcs=false "$GO" install .)
  stamp dockercheck "$dockercheck_hash"
  installed+=("dockercheck $dockercheck_hash -> $BIN/dockercheck")
fi

# ---- Kubernetes JSON schemas (PyPI kubernetes-validate) -----------------------------------
K8S_DIR=$SCHEMAS/kubernetes/v$K8S_SCHEMA_VERSION-standalone-strict
k8s_stamp="$KUBERNETES_VALIDATE_VERSION/$K8S_SCHEMA_VERSION"
if stamped k8s-schemas "$k8s_stamp" && [ -f "$K8S_DIR/deployment-apps-v1.json" ]; then
  present+=("kubernetes schemas v$K8S_SCHEMA_VERSION")
else
  PY=$(command -v python3 || true)
  [ -n "$PY" ] || die "python3 not found (needed to fetch the Kubernetes schemas)"
  dl=$(mktemp -d)
  trap 'rm -rf "$dl"' EXIT
  say "pip download kubernetes-validate==$KUBERNETES_VALIDATE_VERSION (schemas only, not installed)"
  "$PY" -m pip download -q --no-deps --only-binary=:all: --disable-pip-version-check \
    -d "$dl" "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION"
  rm -rf "$K8S_DIR"
  # The wheel's *-local-strict schemas point at https://kubernetes.io/api/_definitions.json;
  # rewrite those references to the sibling file so kubeconform resolves them offline.
  "$PY" - "$dl"/kubernetes_validate-*.whl "v$K8S_SCHEMA_VERSION-local-strict" "$K8S_DIR" <<'EOF'
import json, os, sys, zipfile
wheel, flavour, out = sys.argv[1:]
prefix = f"kubernetes_validate/kubernetes-json-schema/{flavour}/"
os.makedirs(out, exist_ok=True)
count = 0
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if not (name.startswith(prefix) and name.endswith(".json")):
            continue
        text = z.read(name).decode("utf-8").replace('"/api/_definitions.json#', '"_definitions.json#')
        schema = json.loads(text)
        schema.pop("$id", None)
        with open(os.path.join(out, name[len(prefix):]), "w", encoding="utf-8") as fh:
            json.dump(schema, fh)
        count += 1
if not count:
    sys.exit(f"no schemas under {prefix} in {wheel}")
print(f"{count} schemas", file=sys.stderr)
EOF
  stamp k8s-schemas "$k8s_stamp"
  installed+=("kubernetes schemas v$K8S_SCHEMA_VERSION (kubernetes-validate $KUBERNETES_VALIDATE_VERSION) -> $K8S_DIR")
fi

# ---- PodMonitor CRD schema (Go module github.com/prometheus-operator/prometheus-operator) ---
CRD_DIR=$SCHEMAS/crds
if stamped crd-schemas "$PROMETHEUS_OPERATOR_VERSION" && [ -f "$CRD_DIR/podmonitor-monitoring-v1.json" ]; then
  present+=("PodMonitor schema $PROMETHEUS_OPERATOR_VERSION")
else
  need_go "the prometheus-operator CRDs"
  PY=$(command -v python3 || true)
  [ -n "$PY" ] || die "python3 not found (needed to convert the CRD schemas)"
  say "go mod download github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR_VERSION (CRDs)"
  mod_dir=$(env GOTOOLCHAIN=local "$GO" mod download -json \
    "github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR_VERSION" |
    "$PY" -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
  mkdir -p "$CRD_DIR"
  # openAPIV3Schema -> kubeconform's strict layout: objects with declared properties refuse
  # unknown fields, unless the CRD says x-kubernetes-preserve-unknown-fields.
  "$PY" - "$CRD_DIR" "$mod_dir"/jsonnet/prometheus-operator/podmonitors-crd.json \
    "$mod_dir"/jsonnet/prometheus-operator/servicemonitors-crd.json \
    "$mod_dir"/jsonnet/prometheus-operator/prometheusrules-crd.json <<'EOF'
import json, os, sys

def strict(node):
    if isinstance(node, dict):
        if ("properties" in node and "additionalProperties" not in node
                and not node.get("x-kubernetes-preserve-unknown-fields")):
            node["additionalProperties"] = False
        for value in node.values():
            strict(value)
    elif isinstance(node, list):
        for value in node:
            strict(value)

out = sys.argv[1]
for path in sys.argv[2:]:
    with open(path, encoding="utf-8") as fh:
        crd = json.load(fh)
    kind = crd["spec"]["names"]["kind"].lower()
    group = crd["spec"]["group"].split(".")[0]
    for version in crd["spec"]["versions"]:
        schema = version["schema"]["openAPIV3Schema"]
        strict(schema)
        target = os.path.join(out, f"{kind}-{group}-{version['name']}.json")
        with open(target, "w", encoding="utf-8") as fh:
            json.dump(schema, fh)
        print(os.path.basename(target), file=sys.stderr)
EOF
  stamp crd-schemas "$PROMETHEUS_OPERATOR_VERSION"
  installed+=("PodMonitor/ServiceMonitor/PrometheusRule schemas (prometheus-operator $PROMETHEUS_OPERATOR_VERSION) -> $CRD_DIR")
fi

elapsed=$(( $(date +%s) - started ))
for item in "${installed[@]+"${installed[@]}"}"; do echo "installed: $item"; done
for item in "${present[@]+"${present[@]}"}"; do echo "already present: $item"; done
echo "install-tools: done in ${elapsed}s; Go tools in $BIN, schemas in $SCHEMAS"
