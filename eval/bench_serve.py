"""How fast the web app is ready, and how fast a user sees something after asking (prints numbers).

* ``ready``: wall time from starting ``lobby serve`` (a new process: imports, settings, the app built and
  listening) until its page answers HTTP 200, over several starts; the models are present and the archive
  ingested. Target: at most 20 s.
* per answer backend, over a fixed set of questions on the ingested archive, with the models loaded
  first (their load time reported on its own): the time to the first progress the page shows (the
  first stage event), to the first text (the draft or the composed answer), and to the verified answer.

The answer timings are measured on the chat service the page calls, so they are the page's own numbers
minus the milliseconds of the browser round trip.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from typing import Any

from assistant.core.answers import Answer, Delta, Stage
from assistant.core.settings import Settings
from assistant.services.requests import Request
from assistant.services.wiring import Services

#: Questions a user of the sample archive asks (answerable and not), for the answer timings.
QUESTIONS = (
    "Welk tekort verwacht de OV-sector door de herijking van het studentenreisproduct?",
    "Wat is de topprioriteit van de provincies voor de Nationale Digitaliseringsstrategie?",
    "Wat vroeg het IPO in de reactie op het regeerprogramma?",
    "Hoe verloopt het lobbyproces van het IPO richting de Tweede Kamer?",
    "Wat vindt het IPO van kerncentrales in Zeeland?",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def time_to_ready(runs: int = 3, *, timeout: float = 120.0) -> list[float]:
    """Seconds from ``lobby serve`` starting to its page answering, once per run (a new process each)."""
    seconds: list[float] = []
    for _ in range(runs):
        port = _free_port()
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "assistant.app.cli", "serve", "--port", str(port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ.copy(),
        )  # fmt: skip
        try:
            while time.perf_counter() - started < timeout:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1) as response:
                        if response.status == 200:
                            seconds.append(time.perf_counter() - started)
                            break
                except OSError:
                    time.sleep(0.1)
            else:
                raise TimeoutError(f"lobby serve answered not within {timeout:.0f} s")
        finally:
            process.terminate()
            process.wait(timeout=30)
    return seconds


def answer_timings(settings: Settings, backend: str, questions: Sequence[str] = QUESTIONS) -> dict[str, Any]:
    """Median seconds to first progress, first text and the verified answer with ``backend``."""
    services = Services(settings, llm=backend)
    started = time.perf_counter()
    services.search.search(Request(), "provincies", k=1)  # index and embedding model
    chat = services.chat  # the chat model, for a model backend
    load = time.perf_counter() - started
    progress, text, verified, refused = [], [], [], 0
    for question in questions:
        t0 = time.perf_counter()
        first_stage = first_text = None
        for event in chat.stream(Request(), chat.start(), question):
            now = time.perf_counter() - t0
            if isinstance(event, Stage) and first_stage is None:
                first_stage = now
            elif isinstance(event, Delta) and first_text is None:
                first_text = now
            elif isinstance(event, Answer):
                verified.append(now)
                refused += event.refused
        progress.append(first_stage if first_stage is not None else verified[-1])
        text.append(first_text if first_text is not None else verified[-1])
    return {
        "backend": backend,
        "load_seconds": round(load, 2),
        "questions": len(questions),
        "refused": refused,
        "first_progress_s_median": round(statistics.median(progress), 3),
        "first_text_s_median": round(statistics.median(text), 3),
        "verified_answer_s_median": round(statistics.median(verified), 3),
        "verified_answer_s_max": round(max(verified), 3),
    }


def bench_serve(settings: Settings, backends: Sequence[str], *, runs: int = 3) -> dict[str, Any]:
    """Readiness of ``lobby serve`` over ``runs`` starts, then the answer timings per backend."""
    ready = time_to_ready(runs)
    return {
        "ready_s": [round(s, 2) for s in ready],
        "ready_s_median": round(statistics.median(ready), 2),
        "ready_target_s": 20,
        "answers": [answer_timings(settings, backend) for backend in backends],
    }
