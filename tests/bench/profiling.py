"""Where the worker's CPU goes: py-spy folded stacks reduced to a few categories.

``py-spy record --format raw --subprocesses`` writes one line per distinct stack: ``frame;frame;... count``
(root first; frames look like ``function (path/file.py:line)``; idle samples are left out, so
counts are CPU samples). Each stack is attributed to the first category found walking from
the leaf towards the root, so a shared helper (``streams/matching.py``, ``aiokafka/record``) is
charged to whoever called it (classify or entities, consumer or producer). Samples of the
worker's pipeline process (streams/compute.py) are marked as such.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

# (substring of a frame's file path, category); checked leaf -> root, first hit wins
RULES: tuple[tuple[str, str], ...] = (
    ("streams/formats/", "pipeline: decode"),
    ("streams/classify.py", "pipeline: classify"),
    ("streams/entities/", "pipeline: enrich (entities)"),
    ("streams/casualties.py", "pipeline: route (casualty regex)"),
    ("streams/routing.py", "pipeline: route (rules)"),
    ("streams/document.py", "pipeline: serialise (document)"),
    ("streams/stories.py", "story memory"),
    ("streams/pipeline.py", "pipeline: other (orjson, records)"),
    ("prometheus_client/", "metrics (prometheus_client)"),
    ("streams/logs.py", "logging"),
    ("logging/", "logging"),
    ("streams/app.py", "worker glue (app.py)"),
    ("aiokafka/codec", "compression (zstd)"),
    ("cramjam", "compression (zstd)"),
    ("aiokafka/producer/", "aiokafka producer"),
    ("aiokafka/consumer/", "aiokafka consumer (fetch, decode)"),
    ("aiokafka/conn", "aiokafka network I/O"),
    ("aiokafka/client", "aiokafka network I/O"),
    ("faust/tables/", "faust table + changelog"),
    ("faust/stores/", "faust table + changelog"),
    ("faust/transport/", "faust transport (consumer/producer glue)"),
    ("faust/", "faust streams/agents"),
    ("mode/", "mode services"),
    ("quixstreams/", "quixstreams"),
    ("confluent_kafka/", "confluent-kafka"),
    ("asyncio/selector_events", "socket I/O (asyncio transports)"),
    ("asyncio/", "asyncio event loop"),
    ("selectors", "asyncio event loop"),
)
_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^():]*?)(?::(?P<line>\d+))?\)$")


def py_spy() -> str | None:
    local = Path(sys.executable).with_name("py-spy")
    return str(local) if local.exists() else shutil.which("py-spy")


def record(pid: int, out: Path, rate: int = 100) -> subprocess.Popen[bytes] | None:
    """Attach py-spy to ``pid``; it writes ``out`` when the process exits."""
    binary = py_spy()
    if binary is None:
        return None
    return subprocess.Popen([binary, "record", "--pid", str(pid), "--rate", str(rate), "--format", "raw",
                             "--output", str(out), "--nonblocking", "--subprocesses"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _parse(frame: str) -> tuple[str, str]:
    m = _FRAME.match(frame)
    if not m:
        return frame, ""
    return m.group("func"), m.group("file") or ""


def category(frames: list[str]) -> str:
    for frame in reversed(frames):
        _, path = _parse(frame)
        for needle, name in RULES:
            if needle in path:
                return name
    return "other"


def summarise(raw: Path, top: int = 15) -> dict[str, Any]:
    categories: Counter[str] = Counter()
    leaf: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    in_pipeline = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        child = False
        while frames and frames[0].startswith(("process ", "thread ")):
            child = child or "streams.compute" in frames[0]
            frames = frames[1:]
        total += count
        categories[("[pipeline process] " if child else "") + category(frames)] += count
        if frames:
            leaf[_label(frames[-1])] += count
        seen = set()
        for frame in frames:
            func, path = _parse(frame)
            if "streams/" in path:
                key = f"{func} ({_tail(path)})"
                if key not in seen:
                    seen.add(key)
                    inclusive[key] += count
        if any("streams/pipeline.py" in _parse(f)[1] for f in frames):
            in_pipeline += count
    share = (lambda c: round(c / total, 3)) if total else (lambda c: 0.0)
    return {
        "samples": total,
        "pipeline_share": share(in_pipeline),
        "categories": [{"name": k, "share": share(v)} for k, v in categories.most_common()],
        "top_self": [{"function": k, "share": share(v)} for k, v in leaf.most_common(top)],
        "top_streams_inclusive": [{"function": k, "share": share(v)} for k, v in inclusive.most_common(top)],
        "raw": str(raw),
    }


def _tail(path: str) -> str:
    for marker in ("site-packages/", "streams/"):
        if marker in path:
            rest = path.split(marker, 1)[1]
            return rest if marker == "site-packages/" else "streams/" + rest
    return path


def _label(frame: str) -> str:
    func, path = _parse(frame)
    m = _FRAME.match(frame)
    line = m.group("line") if m else None
    return f"{func} ({_tail(path)}{':' + line if line else ''})"


if __name__ == "__main__":  # python -m tests.bench.profiling bench-results/<ts>-worker.pyspy.txt
    import json

    print(json.dumps(summarise(Path(sys.argv[1])), indent=1, ensure_ascii=False))
