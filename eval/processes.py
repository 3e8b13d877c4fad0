"""Child processes the benchmarks start (``lobby serve``, ``chroma run``): a port, readiness, a clean stop.

One place for what every process benchmark needs, so a server that exits early is reported with its exit
code, and a server that ignores SIGTERM is killed instead of outliving the benchmark.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def lobby_command() -> list[str]:
    """The ``lobby`` console script of this environment (what users run)."""
    script = Path(sys.executable).with_name("lobby")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "assistant.app.cli"]


def wait_http(
    url: str, *, timeout: float, process: subprocess.Popen[bytes] | None = None, name: str = "the server"
) -> float:
    """Seconds until ``url`` answers HTTP 200.

    ``RuntimeError`` when ``process`` exits first (with its exit code), ``TimeoutError`` after ``timeout``.
    """
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{name} stopped before it answered (exit code {process.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return time.perf_counter() - started
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"{name} answered not within {timeout:.0f} s ({url})")


def stop(process: subprocess.Popen[bytes], *, grace: float = 30.0) -> None:
    """SIGTERM, then SIGKILL if the process has not exited within ``grace`` seconds."""
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
