"""Stopping a child process the way Kubernetes does: SIGTERM, a grace period, then SIGKILL."""

from __future__ import annotations

import signal
import subprocess


def stop(process: subprocess.Popen[bytes], grace_seconds: float) -> int:
    """Stop ``process`` if it still runs; returns its exit code."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=grace_seconds)
        except subprocess.TimeoutExpired:
            process.kill()
    return process.wait()
