# newswire: one command runs the demo, one passes the tests.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
KAFKA := deploy/kafka/kafka.sh
EVAL_TOPICS ?= ../shared/eval/wire_dev.jsonl
EVAL_NER ?= ../shared/eval/germeval2014-dev.tsv
export NEWSWIRE_WEB_PORT ?= 6066
# rustup's default home: cargo builds the Rust core during install, also in shells without it on PATH.
export PATH := $(HOME)/.cargo/bin:$(PATH)

.PHONY: install run test test-unit test-integration lint typecheck eval eval-ner bench kafka-up kafka-down kafka-wipe \
        topics worker check reliability clean

NATIVE := streams/native/Cargo.toml streams/native/Cargo.lock $(shell find streams/native/src -name "*.rs")

# Installing builds the Rust core (cargo, via maturin) too: a change to it reinstalls.
$(BIN)/newswire: pyproject.toml $(NATIVE)
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --upgrade pip
	@$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $@

install: $(BIN)/newswire ## create .venv with the project and its dev tools (fast when done)

kafka-up: ## start the local single-node Kafka (no-op when NEWSWIRE_BROKER names one)
	@bash $(KAFKA) up
kafka-down:
	@bash $(KAFKA) down
kafka-wipe:
	@bash $(KAFKA) wipe

topics: install kafka-up
	@$(BIN)/newswire topics

worker: topics ## run the worker in the foreground
	@$(BIN)/newswire worker

run: install kafka-up ## the demo: broker, topics, worker, our sample items in, routed results shown
	@$(BIN)/python -m streams.demo_run $(RUN_ARGS)

check: install
	@$(BIN)/newswire check

test: install ## unit tests, then integration tests against the real broker (started if none is up)
	@bash deploy/install-tools.sh
	@bash $(KAFKA) up
	@$(BIN)/pytest -q -p no:cacheprovider --durations=10 -m "not open_bug" tests

test-unit: install
	@$(BIN)/pytest -q -m "not integration and not reliability" tests/unit

lint: install
	@$(BIN)/ruff check streams tests
	@$(BIN)/mypy

eval: install ## topic quality on labelled JSON Lines (EVAL_TOPICS=path)
	@$(BIN)/newswire eval topics $(EVAL_TOPICS)

eval-ner: install ## entity quality on GermEval-2014 TSV (EVAL_NER=path)
	@$(BIN)/newswire eval ner $(EVAL_NER)

bench: install kafka-up ## throughput, latency and memory benchmarks
	@$(BIN)/python -m pip install -q -e '.[bench]'
	@$(BIN)/python -m tests.bench.run $(BENCH_ARGS)

reliability: install kafka-up ## the fault-injection suite at full size (N=20000)
	@NEWSWIRE_RELIABILITY_N=20000 $(BIN)/pytest -q -s -p no:cacheprovider tests/reliability

clean:
	rm -rf .pytest_cache .mypy_cache .ruff_cache build *.egg-info
