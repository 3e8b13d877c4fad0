"""How the web app holds up under many users at once: ``lobby bench load`` (prints numbers).

Per answer mode, ``lobby serve`` is started on loopback in a new process (the archive of the current
settings, ``LOBBY_LLM`` set to the mode); once its page answers, one question loads the models (timed on
its own), then ``sessions`` chat sessions ask questions for ``seconds``: each session is one browser tab's
worth of calls on Gradio's queue API (join, then the event stream), asking the questions in turn and
continuing its own conversation, one question at a time. No new question starts after the window; the
ones under way are waited for (at most ``drain`` seconds, then counted as unfinished).

Reported per mode: requests completed and failed (the target is no failure), latency from sending a
question to its answer (p50, p95, max), the time spent waiting in Gradio's queue before the answer
started, the largest queue position a session was shown, and how many answers ran at once at most
against how many questions were in flight at once (the local model answers one at a time, so the others
queue visibly: their position is what the page shows).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from eval.bench_serve import QUESTIONS
from eval.processes import free_port, lobby_command, stop, wait_http

#: A question that waited this long in the queue before its answer started counts as visibly queued.
QUEUED_S = 1.0
#: Distinct failure messages kept per mode (the count is complete; the samples say what went wrong).
_ERROR_SAMPLES = 5


@dataclass
class Call:
    """One question over the queue API: when it was sent, started, answered, and what the session saw."""

    sent: float
    started: float | None = None
    done: float | None = None
    max_rank: int | None = None  # the highest queue rank Gradio sent (0: next in line)
    error: str | None = None
    answer: Any = None  # the ``/ask`` reply (the answer object, with its conversation id)

    @property
    def latency(self) -> float | None:
        return None if self.done is None or self.error else self.done - self.sent

    @property
    def waited(self) -> float | None:
        return None if self.started is None else self.started - self.sent


@dataclass
class _Run:
    """What all sessions of one mode recorded (threads append under the lock)."""

    calls: list[Call] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    in_flight: int = 0
    max_in_flight: int = 0
    processing: int = 0
    max_processing: int = 0

    def change(self, *, flight: int = 0, processing: int = 0) -> None:
        with self.lock:
            self.in_flight += flight
            self.processing += processing
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self.max_processing = max(self.max_processing, self.processing)


def ask_fn_index(http: httpx.Client) -> int:
    """The queue's index of the ``/ask`` API, from the app's config (what gradio_client looks up too)."""
    config = http.get("config").raise_for_status().json()
    for position, dependency in enumerate(config["dependencies"]):
        if dependency.get("api_name") == "ask":
            return int(dependency.get("id", position))
    raise RuntimeError("the app has no /ask API")


def queue_messages(http: httpx.Client, session: str) -> Iterator[dict[str, Any]]:
    """The messages of one session's event stream on Gradio's queue (``gradio_api/queue/data``), in order.

    The stream is what a browser tab listens to; the queue runs a joined call only while it is open.
    """
    with http.stream("GET", "gradio_api/queue/data", params={"session_hash": session}) as events:
        for line in events.iter_lines():
            if line.startswith("data:"):
                yield json.loads(line[5:])


def ask(http: httpx.Client, fn_index: int, session: str, question: str, conversation: str, run: _Run) -> Call:
    """Send one question on the queue and follow its events to the answer; the call as recorded.

    ``Call.error`` holds why it failed (an app error, an HTTP error, a stream that ended early).
    """
    call = Call(sent=time.perf_counter())
    run.change(flight=1)
    started = False
    try:
        joined = http.post(
            "gradio_api/queue/join",
            json={"data": [question, conversation, "", "", "", "", ""], "fn_index": fn_index,
                  "session_hash": session, "event_data": None, "trigger_id": None},
        )  # fmt: skip
        joined.raise_for_status()
        event_id = joined.json()["event_id"]
        for message in queue_messages(http, session):
            if message.get("event_id") not in (None, event_id):
                continue
            kind = message.get("msg")
            if kind == "estimation" and message.get("rank") is not None:
                call.max_rank = max(call.max_rank or 0, int(message["rank"]))
            elif kind == "process_starts" and not started:
                started = True
                call.started = time.perf_counter()
                run.change(processing=1)
            elif kind == "process_completed":
                call.done = time.perf_counter()
                if not message.get("success"):
                    output = message.get("output") or {}
                    call.error = str(output.get("error") or output or "mislukt")
                else:
                    call.answer = message["output"]["data"][0]
                return call
        call.error = "de stroom van gebeurtenissen eindigde zonder antwoord"
    except (httpx.HTTPError, ValueError, KeyError) as error:
        call.error = f"{type(error).__name__}: {error}"
    finally:
        if started:
            run.change(processing=-1)
        run.change(flight=-1)
        call.done = call.done or time.perf_counter()
    return call


def _session(
    url: str, fn_index: int, index: int, questions: Sequence[str], deadline: float, run: _Run
) -> None:
    """One chat session: ask the questions in turn (starting at its own offset) until the deadline."""
    session = uuid.uuid4().hex
    conversation = ""
    turn = 0
    with httpx.Client(base_url=url, timeout=httpx.Timeout(30, read=None)) as http:
        while time.perf_counter() < deadline:
            question = questions[(index + turn) % len(questions)]
            call = ask(http, fn_index, session, question, conversation, run)
            if isinstance(call.answer, dict) and call.answer.get("conversation"):
                conversation = str(call.answer["conversation"])
            with run.lock:
                run.calls.append(call)
            turn += 1


def _quantiles(values: list[float]) -> dict[str, float | None]:
    """p50, p95 and max in seconds (p95 by the nearest rank; ``None`` when nothing was measured)."""
    if not values:
        return {"p50": None, "p95": None, "max": None}
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return {"p50": round(statistics.median(ordered), 3), "p95": round(p95, 3), "max": round(ordered[-1], 3)}


@contextmanager
def serving(backend: str, env: dict[str, str] | None, *, timeout: float) -> Iterator[tuple[str, float]]:
    """``lobby serve`` on a free loopback port with ``LOBBY_LLM=backend``: its address and seconds to ready.

    The server's output goes to a temporary file (a pipe nobody reads could fill and stall it); its end
    is in the error when the server does not come up. Its conversations and audit log are temporary too.
    """
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="lobby-load-") as scratch, tempfile.TemporaryFile() as log:
        # The sessions' conversations and audit lines go to scratch files, not the user's own history.
        environment = {
            **os.environ, **(env or {}), "LOBBY_LLM": backend,
            "LOBBY_CONVERSATIONS_FILE": str(Path(scratch) / "gesprekken.sqlite"),
            "LOBBY_AUDIT_LOG": str(Path(scratch) / "audit.jsonl"),
        }  # fmt: skip
        process = subprocess.Popen(
            [*lobby_command(), "serve", "--host", "127.0.0.1", "--port", str(port)], env=environment,
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}/"
        try:
            try:
                ready = wait_http(url, timeout=timeout, process=process, name="lobby serve")
            except (RuntimeError, TimeoutError) as error:
                log.seek(0)
                raise RuntimeError(f"{error}\n{log.read().decode(errors='replace')[-2000:]}") from error
            yield url, ready
        finally:
            stop(process)


def load_mode(
    backend: str,
    *,
    sessions: int,
    seconds: float,
    drain: float,
    questions: Sequence[str] = QUESTIONS,
    env: dict[str, str] | None = None,
    ready_timeout: float = 180.0,
) -> dict[str, Any]:
    """Start ``lobby serve`` with ``LOBBY_LLM=backend``, load it with ``sessions`` sessions; the figures."""
    with serving(backend, env, timeout=ready_timeout) as (url, ready):
        with httpx.Client(base_url=url, timeout=httpx.Timeout(30, read=None)) as http:
            fn_index = ask_fn_index(http)
            first = ask(http, fn_index, uuid.uuid4().hex, questions[0], "", _Run())
        if first.error:
            raise RuntimeError(f"the first question failed: {first.error}")
        run = _Run()
        started = time.perf_counter()
        deadline = started + seconds
        threads = [
            threading.Thread(target=_session, args=(url, fn_index, i, questions, deadline, run), daemon=True)
            for i in range(sessions)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=max(0.0, deadline + drain - time.perf_counter()))
        elapsed = time.perf_counter() - started
        with run.lock:
            calls = list(run.calls)
            unfinished = run.in_flight
    failed = [c for c in calls if c.error]
    latencies = [c.latency for c in calls if c.latency is not None]
    waits = [c.waited for c in calls if c.waited is not None and not c.error]
    ranks = [c.max_rank for c in calls if c.max_rank is not None]
    return {
        "backend": backend,
        "sessions": sessions,
        "window_s": seconds,
        "elapsed_s": round(elapsed, 1),
        "ready_s": round(ready, 2),
        "first_answer_s": round((first.done or first.sent) - first.sent, 2),
        "completed": len(calls) - len(failed),
        "errors": len(failed),
        "error_samples": list(dict.fromkeys(c.error for c in failed if c.error))[:_ERROR_SAMPLES],
        "unfinished": unfinished,
        "answers_per_s": round((len(calls) - len(failed)) / elapsed, 2) if elapsed else None,
        "latency_s": _quantiles(latencies),
        "queue_wait_s": _quantiles(waits),
        # Shown a place in the queue and answered only a second or more later: the wait a user sees.
        "queued": sum(1 for c in calls if c.max_rank is not None and (c.waited or 0) >= QUEUED_S),
        "max_queue_position": max(ranks) + 1 if ranks else None,  # as the page shows it: 1 = next
        "max_in_flight": run.max_in_flight,
        "max_answering_at_once": run.max_processing,
    }


def bench_load(
    backends: Sequence[str],
    *,
    sessions: int = 20,
    seconds: float = 120.0,
    drain: float | None = None,
    questions: Sequence[str] = QUESTIONS,
    env: dict[str, str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """``lobby bench load``: :func:`load_mode` per answer mode, with the targets it is held to.

    ``drain`` (default: 30 s per session, at least 60 s) bounds the wait for the questions under way
    when the window closes: with the local model answering one at a time the last of 20 queued
    questions waits for the 19 before it, and cutting it off would hide the longest waits from p95.
    """
    wait = drain if drain is not None else max(60.0, 30.0 * sessions)
    modes = []
    for backend in backends:
        if progress:
            progress(f"{backend}: {sessions} sessies, {seconds:g} s")
        modes.append(
            load_mode(backend, sessions=sessions, seconds=seconds, drain=wait, questions=questions, env=env)
        )
    return {"sessions": sessions, "window_s": seconds, "targets": {"errors": 0}, "modes": modes}
