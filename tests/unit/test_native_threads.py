"""Calls into the compiled core from several threads at once give exactly what one thread gets.

The core holds the GIL while it works, but it calls back into Python while filling uni.rs's
process-wide caches of Python's answers for characters outside Latin-1, and a call into Python
may switch threads: nothing per call may be shared unsafely. (Releasing the GIL during the scan
was tried and measured: no gain end to end, since the worker's other threads run Python.)"""

from __future__ import annotations

import threading

from streams.classify import classify, explain, load_taxonomy
from streams.entities import extract, load_kb
from streams.entities.extract import find_spans
from streams.formats import decode
from streams.models import WireItem
from tests.bench.generator import corpus

_THREADS = 4

# Characters outside Latin-1 that the other tests and the generated items hardly use, so the
# threads below are likely the first to ask Python about them (the caches are process-wide).
_RARE = "ĀăĐđŊŋǄǅǆȘșΆΔδЖжЯяḂḃẞ№Ⅻⅻ①ＡａＺｚ𝐀𝟘"


def _items() -> list[WireItem]:
    items = [item for generated in corpus(48, seed=11) for item in decode(generated.raw)]
    for i, char in enumerate(_RARE):
        word = f"{char}ema{char.lower()} {char.upper()}ORN"
        items.append(WireItem(
            headline=f"Präsident {word} trifft Erdoğan in Kiew",
            paragraphs=(f"BERLIN (dpa) - {word} sagte am Montag, die Drohnenangriffe auf Odesa gingen weiter.",
                        "Zwischentitel", f"Außenminister {word} ({char}DU) sprach mit Selenskyj. {i}"),
            subheads=("Zwischentitel",),
            format="text",
            story_id=f"rare-{i}",
            language="de" if i % 2 else "en",
        ))
    return items


def test_concurrent_calls_match_one_thread() -> None:
    taxonomy, kb = load_taxonomy(), load_kb()
    items = _items()

    def results(item: WireItem) -> str:
        return repr((classify(item, taxonomy), explain(item, taxonomy), extract(item, kb), find_spans(item, kb)))

    # the threads first, so they are the ones to meet the rare characters
    start = threading.Barrier(_THREADS)
    found: list[dict[int, str]] = [{} for _ in range(_THREADS)]
    failures: list[BaseException] = []

    def work(n: int) -> None:
        try:
            start.wait()
            for k in range(len(items)):  # each thread in another order
                index = (k + n * len(items) // _THREADS) % len(items)
                found[n][index] = results(items[index])
        except BaseException as e:  # reported below: an exception in a thread would pass silently
            failures.append(e)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(_THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures

    expected = {index: results(item) for index, item in enumerate(items)}
    assert any("Evidence(" in r for r in expected.values())  # the items do score and extract
    assert any("Mention(" in r for r in expected.values())
    for per_thread in found:
        assert per_thread == expected
