"""The worker hands free heap pages back: RSS after a burst falls to what is still live."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from streams import heap

BURST = textwrap.dedent(
    """
    import gc
    from streams import heap

    def rss_mb() -> int:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * 4096 // 2**20

    burst = [bytes(10_000) + bytes([i % 256]) for i in range(6000)]  # 60 MB of malloc blocks
    pin = bytes(10_000) + b"x"  # one live block above them keeps free() from trimming the top
    del burst
    gc.collect()
    before = rss_mb()
    returned = heap.give_back()
    print(before, rss_mb(), returned)
    """
)


def test_freed_burst_memory_leaves_the_process() -> None:
    assert heap.supported(), "no malloc_trim: the worker and its image run on glibc"
    run = subprocess.run([sys.executable, "-c", BURST], capture_output=True, text=True, check=True)
    before, after, returned = run.stdout.split()
    assert returned == "True"
    assert int(before) - int(after) >= 40, run.stdout  # the 60 MB burst was still resident before


def test_give_back_is_safe_to_call_repeatedly() -> None:
    for _ in range(3):
        assert isinstance(heap.give_back(), bool)
