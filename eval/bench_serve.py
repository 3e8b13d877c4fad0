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
import statistics
import subprocess
import time
from collections.abc import Iterator, Sequence
from typing import Any

from assistant.core.answers import Answer, Delta, Stage
from assistant.core.settings import Settings
from assistant.services.requests import Request
from assistant.services.wiring import Services
from eval.processes import free_port, lobby_command, stop, wait_http

#: Questions a user of the sample archive asks (answerable and not), for the answer timings.
QUESTIONS = (
    "Welk tekort verwacht de OV-sector door de herijking van het studentenreisproduct?",
    "Wat is de topprioriteit van de provincies voor de Nationale Digitaliseringsstrategie?",
    "Wat vroeg het IPO in de reactie op het regeerprogramma?",
    "Hoe verloopt het lobbyproces van het IPO richting de Tweede Kamer?",
    "Wat vindt het IPO van kerncentrales in Zeeland?",
)


def time_to_ready(runs: int = 3, *, timeout: float = 120.0) -> list[float]:
    """Seconds from ``lobby serve`` starting to its page answering, once per run (a new process each)."""
    seconds: list[float] = []
    for _ in range(runs):
        port = free_port()
        process = subprocess.Popen(
            [*lobby_command(), "serve", "--port", str(port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ.copy(),
        )  # fmt: skip
        try:
            url = f"http://127.0.0.1:{port}/"
            seconds.append(wait_http(url, timeout=timeout, process=process, name="lobby serve"))
        finally:
            stop(process)
    return seconds


class _CountingModel:
    """Wraps a chat model's ``stream`` to record, per call, the seconds to its first token and the tokens.

    llama.cpp streams one token per chunk, so chunks with text are tokens; everything else passes through.
    """

    def __init__(self, llm: Any) -> None:
        self._llm = llm
        self.calls: list[tuple[float | None, int, float]] = []  # (first token s, tokens, seconds)

    def stream(self, messages: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
        started = time.perf_counter()
        first: float | None = None
        tokens = 0
        try:
            for chunk in self._llm.stream(messages, *args, **kwargs):
                if chunk.content:
                    tokens += 1
                    if first is None:
                        first = time.perf_counter() - started
                yield chunk
        finally:
            self.calls.append((first, tokens, time.perf_counter() - started))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._llm, name)


def answer_timings(settings: Settings, backend: str, questions: Sequence[str] = QUESTIONS) -> dict[str, Any]:
    """Per backend: medians to first progress, first text, first model token and the verified answer.

    The models are loaded (and the fixed prompt prefix primed, as ``lobby serve`` does) before the clock.
    ``first_token_s_median`` runs from the question to the first token the model writes (for the
    extractive backend: to the composed answer), over the questions that were answered, not refused.
    """
    services = Services(settings, llm=backend)
    started = time.perf_counter()
    services.warm_up()
    chat = services.chat
    load = time.perf_counter() - started
    generator = chat.answerer.generator
    counter = _CountingModel(generator.llm) if generator is not None else None
    if generator is not None and counter is not None:
        generator.llm = counter  # type: ignore[assignment]
    progress, text, verified, first_token, rates, refused = [], [], [], [], [], 0
    for question in questions:
        calls = len(counter.calls) if counter else 0
        t0 = time.perf_counter()
        first_stage = first_text = None
        model_started = 0.0
        answer: Answer | None = None
        for event in chat.stream(Request(), chat.start(), question):
            now = time.perf_counter() - t0
            if isinstance(event, Stage):
                first_stage = now if first_stage is None else first_stage
                model_started = now if event.name == "generate" else model_started
            elif isinstance(event, Delta) and first_text is None:
                first_text = now
            elif isinstance(event, Answer):
                verified.append(now)
                answer = event
        progress.append(first_stage if first_stage is not None else verified[-1])
        text.append(first_text if first_text is not None else verified[-1])
        if answer is None or answer.refused:
            refused += 1
            continue
        new_calls = counter.calls[calls:] if counter else []
        first_call = new_calls[0] if new_calls else None
        if first_call is not None and first_call[0] is not None:
            first, tokens, seconds = first_call[0], first_call[1], first_call[2]
            first_token.append(model_started + first)
            if tokens > 1 and seconds > first:
                rates.append((tokens - 1) / (seconds - first))
        elif first_text is not None:
            first_token.append(first_text)

    def med(values: list[float]) -> float | None:
        return round(statistics.median(values), 3) if values else None

    return {
        "backend": backend,
        "load_seconds": round(load, 2),
        "questions": len(questions),
        "refused": refused,
        "first_progress_s_median": med(progress),
        "first_text_s_median": med(text),
        "first_token_s_median": med(first_token),
        "first_token_s": [round(x, 2) for x in first_token],
        "tokens_per_s_median": med(rates),
        "verified_answer_s_median": med(verified),
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


def bench_answer(settings: Settings, backends: Sequence[str]) -> dict[str, Any]:
    """``lobby bench answer``: :func:`answer_timings` per backend; ``first_token_s`` of the local model."""
    rows = [answer_timings(settings, backend) for backend in backends]
    local = next((r for r in rows if r["backend"] == "llamacpp"), None)
    return {
        "first_token_s": local["first_token_s_median"] if local else None,
        "first_token_target_s": 4,
        "backends": rows,
    }
