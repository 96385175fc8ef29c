"""Give the C heap's free pages back to the kernel.

The worker's large buffers (fetch responses, 8 KB output values, compressed batches) are plain
``malloc`` memory. When a burst is over, glibc keeps most of what they freed inside its heaps,
because one live block near the top pins everything below it; the process's RSS then stays at
the burst's peak. ``malloc_trim(0)`` returns every free page of every arena (measured: RSS
after a 100,000-item backlog 25-30 MB lower, throughput unchanged). Elsewhere it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Callable


def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        trim: Callable[[int], int] = libc.malloc_trim  # glibc only; musl and macOS have none
    except (OSError, AttributeError, TypeError):
        return None
    return trim


_TRIM = _malloc_trim()


def supported() -> bool:
    return _TRIM is not None


def give_back() -> bool:
    """Return the heap's free pages to the kernel; True when some were returned.

    Takes a few milliseconds on a large heap and holds each arena's lock meanwhile, so the
    worker calls it from a thread (ctypes releases the GIL), never on the event loop.
    """
    return bool(_TRIM(0)) if _TRIM is not None else False
