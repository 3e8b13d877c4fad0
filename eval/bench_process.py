"""Whole-process figures: how fast the commands start and how much memory they take (prints numbers).

* ``startup``: ``lobby --help`` wall time (median of several runs: the command-line parser alone, heavy
  libraries are imported only by the commands that need them), and ``lobby serve`` until its page
  answers (see :func:`eval.bench_serve.time_to_ready`).
* ``memory``: peak resident memory (the kernel's high-water mark) of ``lobby ingest`` of the given folders
  into a fresh home, and of ``lobby serve`` after it is ready and has answered one question through its
  HTTP API (the question loads the chat model, so the figure holds everything a user's session needs).

Each figure is of a new process, so nothing measured shares a cache with the benchmark itself.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from eval.bench_serve import QUESTIONS, time_to_ready
from eval.processes import free_port, lobby_command, stop, wait_http


def help_seconds(runs: int = 5) -> list[float]:
    """Wall seconds of ``lobby --help``, once per run (a new process each)."""
    seconds: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([*lobby_command(), "--help"], check=True, capture_output=True)
        seconds.append(time.perf_counter() - started)
    return seconds


def bench_startup(*, runs: int = 3, help_runs: int = 5) -> dict[str, Any]:
    """``lobby --help`` and ``lobby serve`` ready, medians over new processes."""
    helps = help_seconds(help_runs)
    ready = time_to_ready(runs)
    return {
        "help_s": round(statistics.median(helps), 3),
        "help_runs_s": [round(s, 3) for s in helps],
        "serve_ready_s": round(statistics.median(ready), 2),
        "serve_ready_runs_s": [round(s, 2) for s in ready],
        "targets": {"help_s": "<= 0.5", "serve_ready_s": "<= 20"},
    }


def _peak_kib(pid: int) -> int:
    """The high-water mark of a running process's resident memory (VmHWM), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def ingest_peak_mb(paths: Sequence[Path], env: dict[str, str]) -> tuple[float, float]:
    """Peak RSS (MB) and wall seconds of ``lobby ingest`` of ``paths`` into the home in ``env``."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [*lobby_command(), "ingest", *map(str, paths)], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"lobby ingest failed with exit code {process.returncode}")
    return usage.ru_maxrss / 1024, time.perf_counter() - started


def serve_peak_mb(env: dict[str, str], question: str) -> tuple[float, float]:
    """Peak RSS (MB) of ``lobby serve`` when ready, and after it answered ``question`` over HTTP."""
    from gradio_client import Client

    port = free_port()
    process = subprocess.Popen(
        [*lobby_command(), "serve", "--port", str(port)], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_http(f"http://127.0.0.1:{port}/", timeout=180, process=process, name="lobby serve")
        ready = _peak_kib(process.pid) / 1024
        client = Client(f"http://127.0.0.1:{port}/", download_files=False, verbose=False)
        client.predict(question, api_name="/ask")
        answered = _peak_kib(process.pid) / 1024
    finally:
        stop(process)
    return ready, answered


def bench_memory(paths: Sequence[Path], *, question: str = QUESTIONS[0]) -> dict[str, Any]:
    """Peak memory of ingesting ``paths`` into a fresh home, then of serving that home."""
    with tempfile.TemporaryDirectory(prefix="lobby-bench-memory-") as home:
        env = {**os.environ, "LOBBY_HOME": home, "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
        ingest_mb, ingest_s = ingest_peak_mb(paths, env)
        ready_mb, answered_mb = serve_peak_mb(env, question)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "ingest_peak_rss_mb": round(ingest_mb, 1),
        "ingest_seconds": round(ingest_s, 1),
        "serve_ready_peak_rss_mb": round(ready_mb, 1),
        "serve_peak_rss_mb": round(answered_mb, 1),
        "bench_process_peak_rss_mb": round(own, 1),
        "paths": [str(p) for p in paths],
    }
