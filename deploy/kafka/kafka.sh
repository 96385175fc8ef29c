#!/usr/bin/env bash
# Local single-node Apache Kafka (KRaft, broker+controller in one JVM) for development,
# tests and CI, run from Maven Central jars: no docker, no Kafka tarball.
#
#   kafka.sh fetch | up | down | wipe | status | logs [tail args] | info | tool NAME [args]
#
# See deploy/kafka/README.md for the variables and what each command guarantees.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"

KAFKA_HOME="${NEWSWIRE_KAFKA_HOME:-$REPO/.cache/kafka}"
STATE="${NEWSWIRE_KAFKA_STATE:-$KAFKA_HOME/state}"
LIBS="$KAFKA_HOME/libs"
PROBE_DIR="$KAFKA_HOME/probe"
PORT="${NEWSWIRE_KAFKA_PORT:-19092}"
CONTROLLER_PORT="${NEWSWIRE_KAFKA_CONTROLLER_PORT:-$((PORT + 1))}"
SASL_PORT="${NEWSWIRE_KAFKA_SASL_PORT:-}"
SASL_USER="${NEWSWIRE_KAFKA_SASL_USER:-newswire}"
SASL_PASSWORD="${NEWSWIRE_KAFKA_SASL_PASSWORD:-newswire-secret}"
START_TIMEOUT="${NEWSWIRE_KAFKA_START_TIMEOUT:-90}"
STOP_TIMEOUT="${NEWSWIRE_KAFKA_STOP_TIMEOUT:-30}"
HEAP_OPTS="${NEWSWIRE_KAFKA_HEAP_OPTS:--Xmx1g -Xms512m}"

BOOTSTRAP="127.0.0.1:$PORT"
PID_FILE="$STATE/broker.pid"
LOG_FILE="$STATE/logs/server.log"
TLS="$STATE/tls"

if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    JAVA="$JAVA_HOME/bin/java" JAVAC="$JAVA_HOME/bin/javac"
else
    JAVA=java JAVAC=javac
fi

say() { echo "kafka: $*"; }
die() { echo "kafka: error: $*" >&2; exit 1; }

elapsed() { # START_USEC -> seconds with one decimal
    local ds=$(((${EPOCHREALTIME/./} - $1) / 100000))
    echo "$((ds / 10)).$((ds % 10))"
}

hash_of() { cat "$@" | sha256sum | cut -c1-16; }

# Serialise up/down/wipe on one state dir between concurrent callers (parallel test
# workers, make -j): the lock sits beside the state dir so that wipe keeps it. fetch has its
# own lock on the shared jar cache. The broker and the probe get neither fd (8>&- 9>&-).
take_lock() {
    mkdir -p "$(dirname "$STATE")"
    exec 9>"$STATE.lock"
    flock 9
}

take_fetch_lock() {
    mkdir -p "$KAFKA_HOME"
    exec 8>"$KAFKA_HOME/.fetch.lock"
    flock 8
}

tools_java() {
    "$JAVA" -Xms64m -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
        -Dlog4j.configuration="file:$HERE/log4j-tools.properties" \
        -cp "$LIBS/*:$PROBE_DIR" "$@"
}

# --- fetch ---------------------------------------------------------------------------

fetch() {
    take_fetch_lock
    local want stamp="$LIBS/.fetched"
    want="$(hash_of "$HERE/pom.xml")"
    if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
        command -v mvn >/dev/null || die "mvn not found (needed once, to fetch the Kafka jars)"
        say "fetching Kafka jars from Maven into $LIBS"
        local tmp="$LIBS.tmp.$$"
        rm -rf "$tmp"
        local out
        if ! out="$(mvn -B -Dstyle.color=never --no-transfer-progress -f "$HERE/pom.xml" \
            dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" 2>&1)"; then
            rm -rf "$tmp"
            printf '%s\n' "$out" | tail -n 30 >&2
            die "mvn dependency:copy-dependencies failed"
        fi
        echo "$want" >"$tmp/.fetched"
        rm -rf "$LIBS"
        mv "$tmp" "$LIBS"
    fi
    want="$(hash_of "$HERE/KafkaProbe.java" "$LIBS/.fetched")"
    stamp="$PROBE_DIR/.built"
    if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
        rm -rf "$PROBE_DIR"
        mkdir -p "$PROBE_DIR"
        "$JAVAC" -nowarn -d "$PROBE_DIR" -cp "$LIBS/*" "$HERE/KafkaProbe.java" \
            || die "compiling KafkaProbe.java failed"
        echo "$want" >"$stamp"
    fi
    exec 8>&-
}

# --- process helpers -----------------------------------------------------------------

# Alive and not a zombie. The broker outlives the `up` that started it and is reparented to
# PID 1, which on these machines reaps exited children only every few seconds; kill -0
# succeeds on a zombie, so it alone would make `down` wait for the reaper.
alive() {
    local stat
    stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
    stat="${stat##*) }"
    [[ "${stat%% *}" != Z ]]
}

# The pid of our broker if it is alive (and really is our kafka.Kafka), else nothing.
broker_pid() {
    [[ -f "$PID_FILE" ]] || return 1
    local pid
    pid="$(cat "$PID_FILE" 2>/dev/null || true)"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    alive "$pid" || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "kafka.Kafka $STATE/server.properties" || return 1
    echo "$pid"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

probe_args() {
    local offsets_partitions
    offsets_partitions="$(sed -n 's/^offsets\.topic\.num\.partitions=//p' "$HERE/server.properties.template")"
    PROBE_ARGS=(--coordinators "${offsets_partitions:-50}")
    if [[ -n "$SASL_PORT" ]]; then
        PROBE_ARGS+=(--scram "$SASL_USER" "$SASL_PASSWORD" --create-user
            --sasl-ssl "127.0.0.1:$SASL_PORT" "$TLS/ca.pem")
    fi
}

# Real metadata requests through the Admin client (see KafkaProbe.java).
probe() { # TIMEOUT_SECONDS [probe options]
    local timeout="$1"
    shift
    tools_java KafkaProbe "$BOOTSTRAP" "$timeout" "$@"
}

# --- config, TLS, storage ------------------------------------------------------------

fill() { # TEMPLATE -> stdout, with @NAME@ replaced
    local text
    text="$(<"$1")"
    text="${text//@STATE@/$STATE}"
    text="${text//@CONTROLLER_PORT@/$CONTROLLER_PORT}"
    text="${text//@LISTENERS@/$LISTENERS}"
    text="${text//@ADVERTISED_LISTENERS@/$ADVERTISED}"
    text="${text//@PROTOCOL_MAP@/$PROTOCOL_MAP}"
    text="${text//@KEYSTORE_PASSWORD@/${KEYSTORE_PASSWORD:-}}"
    printf '%s\n' "$text"
}

write_config() {
    LISTENERS="PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT"
    ADVERTISED="PLAINTEXT://127.0.0.1:$PORT"
    PROTOCOL_MAP="CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"
    if [[ -n "$SASL_PORT" ]]; then
        LISTENERS+=",SASL_SSL://127.0.0.1:$SASL_PORT"
        ADVERTISED+=",SASL_SSL://127.0.0.1:$SASL_PORT"
        PROTOCOL_MAP+=",SASL_SSL:SASL_SSL"
        KEYSTORE_PASSWORD="$(cat "$TLS/keystore.pass")"
    fi
    {
        fill "$HERE/server.properties.template"
        [[ -z "$SASL_PORT" ]] || fill "$HERE/sasl_ssl.properties.template"
    } >"$STATE/server.properties.tmp"
    mv "$STATE/server.properties.tmp" "$STATE/server.properties"
}

# A throwaway CA and a broker certificate for 127.0.0.1/localhost, made once per state dir.
make_tls() {
    [[ -f "$TLS/broker.p12" && -f "$TLS/ca.pem" && -f "$TLS/keystore.pass" ]] && return 0
    command -v openssl >/dev/null || die "openssl not found (needed for the SASL_SSL listener)"
    say "generating a self-signed CA and broker keystore in $TLS"
    rm -rf "$TLS"
    mkdir -p "$TLS"
    chmod 755 "$TLS"
    (
        cd "$TLS"
        umask 077
        openssl rand -hex 16 >keystore.pass
        openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -sha256 \
            -subj "/CN=newswire local dev CA" -keyout ca.key -out ca.pem \
            -addext "basicConstraints=critical,CA:TRUE" \
            -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
        openssl req -newkey rsa:2048 -nodes -sha256 -subj "/CN=localhost" \
            -keyout broker.key -out broker.csr 2>/dev/null
        cat >broker.ext <<'EOF'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid,issuer
EOF
        openssl x509 -req -in broker.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
            -days 3650 -sha256 -extfile broker.ext -out broker.pem 2>/dev/null
        openssl pkcs12 -export -in broker.pem -inkey broker.key -certfile ca.pem \
            -name broker -out broker.p12 -passout "pass:$(cat keystore.pass)"
        rm -f broker.csr broker.ext ca.srl
        chmod 644 ca.pem
    ) || { rm -rf "$TLS"; die "generating the TLS material failed"; }
}

format_storage() {
    [[ -f "$STATE/data/meta.properties" ]] && return 0
    # Same shape as `kafka-storage random-uuid` (16 random bytes, base64url), minus a JVM start.
    local cluster_id
    while :; do
        cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
        [[ "$cluster_id" != -* ]] && break
    done
    local extra=()
    if [[ -n "$SASL_PORT" ]]; then
        extra=(--add-scram "SCRAM-SHA-512=[name=$SASL_USER,password=$SASL_PASSWORD]")
    fi
    say "formatting storage in $STATE/data (cluster $cluster_id)"
    tools_java kafka.tools.StorageTool format -t "$cluster_id" -c "$STATE/server.properties" \
        "${extra[@]}" >/dev/null || die "kafka-storage format failed"
}

# --- commands ------------------------------------------------------------------------

cmd_up() {
    if [[ -n "${NEWSWIRE_BROKER:-}" ]]; then
        say "NEWSWIRE_BROKER=$NEWSWIRE_BROKER is set: using that broker, starting none"
        return 0
    fi
    take_lock
    local pid started=${EPOCHREALTIME/./}
    probe_args
    if pid="$(broker_pid)"; then
        [[ -f "$PROBE_DIR/.built" ]] || fetch
        if probe "$START_TIMEOUT" "${PROBE_ARGS[@]}" >/dev/null; then
            say "already up on $BOOTSTRAP (pid $pid)"
            return 0
        fi
        die "broker pid $pid is running but not answering on $BOOTSTRAP; try: $0 down && $0 up"
    fi
    if port_open "$PORT"; then
        die "127.0.0.1:$PORT is taken by a process that is not this broker" \
            "(set NEWSWIRE_BROKER to use it, or NEWSWIRE_KAFKA_PORT to move)"
    fi
    fetch
    mkdir -p "$STATE/logs" "$STATE/data"
    [[ -z "$SASL_PORT" ]] || make_tls
    write_config
    format_storage
    if [[ -f "$LOG_FILE" && $(stat -c %s "$LOG_FILE") -gt $((64 * 1024 * 1024)) ]]; then
        mv -f "$LOG_FILE" "$LOG_FILE.1"
    fi
    rm -f "$PID_FILE" # stale: its broker is gone (broker_pid said so above)
    echo "=== $(date -Is) kafka.sh up: starting broker on $BOOTSTRAP ===" >>"$LOG_FILE"
    # setsid: own session, so a Ctrl-C in the caller's terminal does not reach the broker.
    # The wrapper shell writes its own pid and execs java, so the pid file is the JVM's.
    # shellcheck disable=SC2086,SC2016
    setsid nohup bash -c 'echo $$ >"$0"; exec "$@"' "$PID_FILE" \
        "$JAVA" $HEAP_OPTS -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
        -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent \
        -Djava.awt.headless=true \
        -Dlog4j.configuration="file:$HERE/log4j-broker.properties" \
        -Dkafka.logs.dir="$STATE/logs" \
        ${NEWSWIRE_KAFKA_JVM_OPTS:-} \
        -cp "$LIBS/*" kafka.Kafka "$STATE/server.properties" \
        >>"$LOG_FILE" 2>&1 </dev/null 8>&- 9>&- &
    local i
    for ((i = 0; i < 50; i++)); do
        [[ -s "$PID_FILE" ]] && break
        sleep 0.1
    done

    # Wait for real metadata answers, and give up early if the JVM dies (broker_pid: see alive).
    local probe_out="$STATE/probe.out"
    probe "$START_TIMEOUT" "${PROBE_ARGS[@]}" >"$probe_out" 2>&1 8>&- 9>&- &
    local probe_pid=$!
    while kill -0 "$probe_pid" 2>/dev/null; do
        if ! broker_pid >/dev/null; then
            kill "$probe_pid" 2>/dev/null || true
            wait "$probe_pid" 2>/dev/null || true
            echo "kafka: error: the broker exited during startup; last lines of $LOG_FILE:" >&2
            tail -n 40 "$LOG_FILE" >&2
            rm -f "$PID_FILE"
            exit 1
        fi
        sleep 0.2
    done
    if ! wait "$probe_pid"; then
        echo "kafka: error: broker not answering metadata requests on $BOOTSTRAP after ${START_TIMEOUT}s:" >&2
        sed 's/^/  /' "$probe_out" >&2
        echo "kafka: last lines of $LOG_FILE:" >&2
        tail -n 40 "$LOG_FILE" >&2
        echo "kafka: (broker pid $(cat "$PID_FILE" 2>/dev/null) left running; '$0 down' stops it)" >&2
        exit 1
    fi
    say "up on $BOOTSTRAP${SASL_PORT:+, SASL_SSL on 127.0.0.1:$SASL_PORT} (pid $(cat "$PID_FILE"), $(elapsed "$started")s): $(cat "$probe_out")"
}

stop_broker() {
    local pid
    if ! pid="$(broker_pid)"; then
        rm -f "$PID_FILE"
        say "not running"
        return 0
    fi
    kill -TERM "$pid" 2>/dev/null || true
    local waited=0
    while alive "$pid" && ((waited < STOP_TIMEOUT * 10)); do
        sleep 0.1
        waited=$((waited + 1))
    done
    if alive "$pid"; then
        echo "kafka: warning: broker pid $pid still running after ${STOP_TIMEOUT}s; sending SIGKILL" >&2
        kill -KILL "$pid" 2>/dev/null || true
        while alive "$pid"; do sleep 0.1; done
    fi
    rm -f "$PID_FILE"
    say "stopped (pid $pid, $((waited / 10)).$((waited % 10))s)"
}

cmd_down() {
    take_lock
    stop_broker
}

cmd_wipe() {
    take_lock
    stop_broker
    rm -rf "$STATE"
    say "wiped $STATE (jar cache in $LIBS kept)"
}

cmd_status() {
    local target="$BOOTSTRAP"
    if [[ -n "${NEWSWIRE_BROKER:-}" ]]; then
        target="$NEWSWIRE_BROKER"
    elif ! port_open "$PORT"; then
        echo down
        return 1
    fi
    [[ -f "$PROBE_DIR/.built" ]] || fetch >&2
    if tools_java KafkaProbe "$target" "${NEWSWIRE_KAFKA_STATUS_TIMEOUT:-5}" >/dev/null 2>&1; then
        echo up
    else
        echo down
        return 1
    fi
}

cmd_logs() {
    [[ -f "$LOG_FILE" ]] || die "no log yet at $LOG_FILE"
    if (($#)); then tail "$@" "$LOG_FILE"; else tail -n 200 "$LOG_FILE"; fi
}

cmd_info() {
    echo "bootstrap=$BOOTSTRAP"
    echo "controller=127.0.0.1:$CONTROLLER_PORT"
    echo "state=$STATE"
    echo "log=$LOG_FILE"
    echo "libs=$LIBS"
    if [[ -n "$SASL_PORT" ]]; then
        echo "sasl_bootstrap=127.0.0.1:$SASL_PORT"
        echo "sasl_mechanism=SCRAM-SHA-512"
        echo "sasl_user=$SASL_USER"
        echo "sasl_password=$SASL_PASSWORD"
        echo "ca=$TLS/ca.pem"
    fi
}

# Kafka's own CLI tools from the same jars, e.g. `kafka.sh tool topics --list`.
# --bootstrap-server defaults to this broker when the tool takes one and none is given.
cmd_tool() {
    (($#)) || die "usage: $0 tool topics|console-producer|console-consumer|consumer-groups|configs|get-offsets|metadata-quorum|api-versions|storage|CLASS [args]"
    local name="$1" class
    shift
    case "$name" in
        topics) class=org.apache.kafka.tools.TopicCommand ;;
        console-producer) class=kafka.tools.ConsoleProducer ;;
        console-consumer) class=org.apache.kafka.tools.consumer.ConsoleConsumer ;;
        consumer-groups) class=org.apache.kafka.tools.consumer.group.ConsumerGroupCommand ;;
        configs) class=kafka.admin.ConfigCommand ;;
        get-offsets) class=org.apache.kafka.tools.GetOffsetShell ;;
        metadata-quorum) class=org.apache.kafka.tools.MetadataQuorumCommand ;;
        api-versions) class=kafka.admin.BrokerApiVersionsCommand ;;
        storage) class=kafka.tools.StorageTool ;;
        *.*) class="$name" ;;
        *) die "unknown tool $name" ;;
    esac
    [[ -f "$PROBE_DIR/.built" ]] || fetch >&2
    local args=("$@")
    if [[ "$name" != storage && " $* " != *" --bootstrap-server "* && " $* " != *" --bootstrap-controller "* ]]; then
        args=(--bootstrap-server "${NEWSWIRE_BROKER:-$BOOTSTRAP}" "${args[@]}")
    fi
    exec "$JAVA" -Xms64m -Xmx512m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
        -Dlog4j.configuration="file:$HERE/log4j-tools.properties" \
        -cp "$LIBS/*" "$class" "${args[@]}"
}

usage() {
    cat >&2 <<EOF
usage: $0 fetch|up|down|wipe|status|logs [tail args]|info|tool NAME [args]
EOF
    exit 2
}

(($#)) || usage
cmd="$1"
shift
case "$cmd" in
    fetch) fetch; say "jars in $LIBS" ;;
    up) cmd_up ;;
    down) cmd_down ;;
    wipe) cmd_wipe ;;
    status) cmd_status ;;
    logs) cmd_logs "$@" ;;
    info) cmd_info ;;
    tool) cmd_tool "$@" ;;
    -h | --help | help) usage ;;
    *) usage ;;
esac
