"""The ``newswire`` command: worker, topics, classify, route --explain, produce, tail, check, eval."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from streams.logs import configure_logging
from streams.settings import Settings, SettingsError

JSONL_SUFFIXES = (".jsonl", ".ndjson")


def iter_inputs(paths: list[str]) -> Iterator[tuple[str, bytes]]:
    """(name, raw record) for files, directories (sorted, recursive), JSON Lines and stdin ('-')."""
    for name in paths or ["-"]:
        if name == "-":
            data = sys.stdin.buffer.read()
            if _looks_like_jsonl(data):
                yield from ((f"stdin:{i}", line) for i, line in enumerate(data.splitlines(), 1) if line.strip())
            else:
                yield "stdin", data
            continue
        path = Path(name)
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            data = file.read_bytes()
            if file.suffix in JSONL_SUFFIXES or _looks_like_jsonl(data):
                yield from ((f"{file}:{i}", line) for i, line in enumerate(data.splitlines(), 1) if line.strip())
            else:
                yield str(file), data


def _looks_like_jsonl(data: bytes) -> bool:
    lines = [line for line in data.lstrip(b"\xef\xbb\xbf").splitlines() if line.strip()]
    return len(lines) > 1 and all(line.lstrip().startswith(b"{") and line.rstrip().endswith(b"}") for line in lines)


def _pipeline(settings: Settings) -> Any:
    from streams.pipeline import Pipeline, Resources
    return Pipeline(settings, Resources.load(settings))


def cmd_classify(args: argparse.Namespace, settings: Settings) -> int:
    from streams.models import DecodeError
    pipeline = _pipeline(settings)
    out = sys.stdout.buffer
    failures = 0
    for name, raw in iter_inputs(args.paths):
        try:
            for doc in pipeline.documents(raw):
                out.write(orjson.dumps(doc) + b"\n")
        except DecodeError as exc:
            failures += 1
            sys.stderr.write(orjson.dumps({"input": name, "error": exc.reason, "message": exc.message}).decode() + "\n")
    out.flush()
    return 1 if failures and args.strict else 0


def cmd_route(args: argparse.Namespace, settings: Settings) -> int:
    from streams.models import DecodeError
    pipeline = _pipeline(settings)
    rules = pipeline.resources.rules
    for name, raw in iter_inputs(args.paths):
        try:
            facts_list = pipeline.facts(raw)
        except DecodeError as exc:
            print(f"{name}: dead letter -> {settings.dlq_topic} ({exc.reason}: {exc.message})")
            continue
        for facts in facts_list:
            item = facts.item
            scores = ", ".join(f"{t.id}={t.score:.2f}{'*' if t.labelled else ''}" for t in facts.topics)
            print(f"{name}: {item.headline[:90]!r}  [{item.record_id}]  {scores}")
            destinations: list[str] = []
            for line in rules.explain(facts):
                mark = "MATCH" if line["matched"] else ("skip " if not line["evaluated"] else "no   ")
                print(f"  {mark} {line['rule']}")
                if args.explain:
                    for reason in line["conditions"]:
                        print(f"          {reason}")
                destinations.extend(t for t in line["publish"] if t not in destinations)
            print(f"  -> {', '.join(destinations) or 'nowhere'}")
    return 0


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    from streams.classify import TaxonomyError, load_taxonomy
    from streams.entities import KnowledgeBaseError, load_kb
    from streams.routing import RulesError, load_rules
    problems: list[str] = []
    loaded: dict[str, str] = {}
    for what, loader, error, path in (
        ("taxonomy", load_taxonomy, TaxonomyError, settings.taxonomy_path),
        ("knowledge base", load_kb, KnowledgeBaseError, settings.kb_path),
        ("routing rules", load_rules, RulesError, settings.rules_path),
    ):
        try:
            loaded[what] = loader(path or None).version
        except error as exc:
            problems.extend(f"{what}: {p}" for p in exc.problems)
    for what, version in loaded.items():
        print(f"ok  {what} (version {version})")
    for problem in problems:
        print(f"BAD {problem}")
    if not problems:
        print(f"ok  settings: {settings!r}")
    return 1 if problems else 0


def cmd_topics(args: argparse.Namespace, settings: Settings) -> int:
    from streams.routing import load_rules
    from streams.topics import all_topics, ensure_topics
    names = all_topics(settings, list(load_rules(settings.rules_path or None).topics))
    created = asyncio.run(ensure_topics(settings, names))
    for name in names:
        print(f"{'created' if name in created else 'exists '} {name}")
    return 0


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    import faust

    from streams.app import create_app
    app, _ = create_app(settings)
    worker = faust.Worker(app, loglevel=settings.log_level, quiet=True, override_logging=False)
    worker.execute_from_commandline()
    return 0


def cmd_produce(args: argparse.Namespace, settings: Settings) -> int:
    from streams.demo import produce_files
    topic = args.topic or settings.ns(settings.input_topic)
    count = asyncio.run(produce_files(settings, args.paths, topic=topic))
    print(f"produced {count} records to {topic}")
    return 0


def cmd_tail(args: argparse.Namespace, settings: Settings) -> int:
    from streams.demo import print_table, read_topics
    rows = asyncio.run(read_topics(settings, args.topics, idle_seconds=args.idle, expect=args.expect))
    print_table(rows, sys.stdout)
    return 0


DEFAULT_EVAL = {"topics": "../shared/eval/wire_dev.jsonl", "ner": "../shared/eval/germeval2014-dev.tsv"}


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    path = Path(args.path or DEFAULT_EVAL[args.kind])
    if not path.is_file():
        print(f"no evaluation file at {path}; name one: newswire eval {args.kind} FILE", file=sys.stderr)
        return 2
    if args.kind == "topics":
        from streams import eval_topics
        eval_topics.run(path)
    else:
        from streams import eval_ner
        eval_ner.run(path)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newswire", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("worker", help="run the streaming worker")
    sub.add_parser("topics", help="create every input, output and DLQ topic (idempotent)")
    sub.add_parser("check", help="validate settings and data files; non-zero on problems")
    p = sub.add_parser("classify", help="run the pipeline offline; one EnrichedItem JSON per line")
    p.add_argument("paths", nargs="*", help="files, directories, JSON Lines; '-' or nothing for stdin")
    p.add_argument("--strict", action="store_true", help="exit 1 when any input is refused")
    p = sub.add_parser("route", help="show which rules match each item and where it would go")
    p.add_argument("paths", nargs="*")
    p.add_argument("--explain", action="store_true", help="print every condition with its reason")
    p = sub.add_parser("produce", help="produce raw files (or JSON Lines records) to the input topic")
    p.add_argument("paths", nargs="+")
    p.add_argument("--topic", default="")
    p = sub.add_parser("tail", help="read output topics from the start and print a table")
    p.add_argument("topics", nargs="+")
    p.add_argument("--idle", type=float, default=5.0, help="stop after this many seconds without records")
    p.add_argument("--expect", type=int, default=0, help="stop early once this many records were read")
    p = sub.add_parser("eval", help="measure quality: 'topics' (labelled JSON Lines) or 'ner' (GermEval TSV)")
    p.add_argument("kind", choices=["topics", "ner"])
    p.add_argument("path", nargs="?", default="")
    return parser


COMMANDS = {
    "worker": cmd_worker, "topics": cmd_topics, "check": cmd_check, "classify": cmd_classify,
    "route": cmd_route, "produce": cmd_produce, "tail": cmd_tail, "eval": cmd_eval,
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.library_log_level)
    return COMMANDS[args.command](args, settings)


if __name__ == "__main__":
    sys.exit(main())
