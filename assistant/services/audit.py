"""The audit log: one JSON line per service call, saying who did what and which documents it showed.

Every service call that shows or changes documents (search, ask, draft, open, list, ingest, upload,
remove, feedback) fills the :class:`~assistant.services.requests.AuditRecord` of its request, and the
service writes it here when the call ends, also when it fails (``outcome`` then names the error). A
streamed answer is written when its stream ends or is abandoned. The edges never write it themselves,
so no edge can forget.

The file (``LOBBY_AUDIT_LOG``, default ``audit.jsonl`` in ``LOBBY_HOME``) is append-only, created with
mode 0600 (it holds the questions users asked), and each record is one ``write`` of one line under a
lock, so lines of concurrent requests never interleave.
"""

from __future__ import annotations

import functools
import json
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from assistant.core.records import ACCESS_LEVELS
from assistant.services.requests import AuditRecord, Request


def audit_entry(request: Request, outcome: str, *, now: datetime | None = None) -> dict[str, Any]:
    """The JSON object of one request's audit line (pure: the clock can be given)."""
    record = request.audit
    levels = [level for level in ACCESS_LEVELS if level in request.scope.levels]
    return {
        "time": (now or datetime.now(UTC)).isoformat(timespec="milliseconds"),
        "request_id": record.request_id,
        "user": request.user,
        "scope": levels,
        "action": record.action,
        "detail": record.detail,
        "documents": list(record.documents),
        "outcome": outcome,
    }


class AuditLog:
    """Appends audit lines to one file; ``AuditLog(None)`` records nothing (tests, benchmarks)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()

    def write(self, request: Request, outcome: str = "ok") -> None:
        """Append the request's audit line. Calls that recorded no action (nothing to say) are skipped."""
        if self.path is None or not request.audit.action:
            return
        line = json.dumps(audit_entry(request, outcome), ensure_ascii=False) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line.encode("utf-8"))
            finally:
                os.close(fd)

    @contextmanager
    def recording(self, request: Request) -> Iterator[None]:
        """Write the request's line when the block ends: ``ok``, or the error's type when it raised.

        Only the outermost block of a request writes; calls nested in it add to its record. The record
        stays readable after the call; a request object used for another call gets a fresh one then.
        """
        outcome = "ok"
        if request.audit.depth == 0 and request.audit.written:
            request.audit = AuditRecord()  # a request object used again (lobby search's prompt): a new line
        request.audit.depth += 1
        try:
            yield
        except GeneratorExit:
            outcome = "afgebroken"
            raise
        except BaseException as exc:
            outcome = f"fout: {type(exc).__name__}"
            raise
        finally:
            request.audit.depth -= 1
            if request.audit.depth == 0:
                self.write(request, outcome)
                request.audit.written = True


#: Records nothing; the default of services built without a log (tests, benchmarks, evaluation).
NO_AUDIT = AuditLog(None)

_Service = TypeVar("_Service")
_P = ParamSpec("_P")
_R = TypeVar("_R")
_Y = TypeVar("_Y")


def _log_of(service: object) -> AuditLog:
    log = getattr(service, "audit", None)
    return log if isinstance(log, AuditLog) else NO_AUDIT


def audited(
    method: Callable[Concatenate[_Service, Request, _P], _R],
) -> Callable[Concatenate[_Service, Request, _P], _R]:
    """Write the audit line of a service method's request (its first argument) when the call ends."""

    @functools.wraps(method)
    def call(self: _Service, request: Request, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        with _log_of(self).recording(request):
            return method(self, request, *args, **kwargs)

    return call


def audited_stream(
    method: Callable[Concatenate[_Service, Request, _P], Iterator[_Y]],
) -> Callable[Concatenate[_Service, Request, _P], Iterator[_Y]]:
    """:func:`audited` for a generator method: the line is written when the stream ends or is dropped."""

    @functools.wraps(method)
    def call(self: _Service, request: Request, /, *args: _P.args, **kwargs: _P.kwargs) -> Iterator[_Y]:
        with _log_of(self).recording(request):
            yield from method(self, request, *args, **kwargs)

    return call


def read_audit(path: Path) -> list[dict[str, Any]]:
    """Every line of an audit log, oldest first (an absent log is empty)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
