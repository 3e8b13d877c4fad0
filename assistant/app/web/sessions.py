"""Sign-in sessions that end: Gradio's session tokens, each forgotten a fixed time after sign-in.

Gradio keeps its sign-in sessions in ``App.tokens`` (cookie ``access-token-<id>`` -> user name) and
never forgets one while the server runs. :class:`SessionTokens` replaces that dict after launch: every
route looks a token up in it (``/login_check``, the queue, uploads, ``/logout``), so a token older than
``LOBBY_SESSION_HOURS`` simply is not there any more and the next request asks for sign-in again.
Expired tokens are dropped on lookup and whenever a new one is added, so the table stays small.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any


class SessionTokens(MutableMapping[str, str]):
    """Token -> user name, each entry valid for ``lifetime`` seconds from when it was set.

    ``clock`` is :func:`time.monotonic` unless a test gives another; a wall-clock jump does not end or
    lengthen sessions.
    """

    def __init__(self, lifetime: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.lifetime = lifetime
        self._clock = clock
        self._entries: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def _live(self, token: str, now: float) -> str | None:
        """The user of ``token`` if it has not expired; an expired entry is removed (under the lock)."""
        entry = self._entries.get(token)
        if entry is None:
            return None
        if now - entry[1] >= self.lifetime:
            del self._entries[token]
            return None
        return entry[0]

    def __getitem__(self, token: str) -> str:
        with self._lock:
            user = self._live(token, self._clock())
        if user is None:
            raise KeyError(token)
        return user

    def __setitem__(self, token: str, user: str) -> None:
        with self._lock:
            now = self._clock()
            for old in [t for t, (_, since) in self._entries.items() if now - since >= self.lifetime]:
                del self._entries[old]
            self._entries[token] = (user, now)

    def __delitem__(self, token: str) -> None:
        with self._lock:
            del self._entries[token]

    def __iter__(self) -> Iterator[str]:
        with self._lock:
            now = self._clock()
            live = [t for t in list(self._entries) if self._live(t, now) is not None]
        return iter(live)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, token: object) -> bool:
        if not isinstance(token, str):
            return False
        with self._lock:
            return self._live(token, self._clock()) is not None


def expire_sessions(app: Any, hours: float) -> SessionTokens:
    """Make the launched Gradio ``app``'s sign-ins end ``hours`` after they began; the new token table.

    Call right after ``launch``: Gradio's ``App`` sets ``tokens`` to a plain dict when it is configured,
    and nobody can have signed in before the server answered its first request.
    """
    tokens = SessionTokens(hours * 3600)
    server = app.server_app
    tokens.update(server.tokens)  # none in practice; kept should a sign-in have raced the swap
    server.tokens = tokens
    return tokens
