"""What every tab of the web app shares: the services, sign-in, and the request of one browser call."""

from __future__ import annotations

import atexit
import shutil
import tempfile
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr

from assistant.rag.retrieval import Filters
from assistant.services.requests import Request

if TYPE_CHECKING:
    from assistant.services.conversations import ConversationStore
    from assistant.services.users import User, UserStore
    from assistant.services.wiring import Services


class SignInRequiredError(gr.Error):
    """A call without a signed-in user while sign-in is on (should not pass Gradio's own check)."""


@dataclass
class WebContext:
    """The process's services, its conversation store and (when sign-in is on) its users."""

    services: Services
    conversations: ConversationStore
    users: UserStore | None = None
    serial_answers: bool = False  # the local model answers one question at a time; the others queue

    def request(self, http: gr.Request | None, filters: Filters | None = None) -> Request:
        """The service request of one browser call: the signed-in user's name and scope, the filters.

        Without sign-in every visitor is the local user with full access (the server then only listens
        on loopback: :mod:`assistant.app.web.serve` refuses anything else).
        """
        filters = filters or Filters()
        user = self._signed_in(http)
        if user is None:
            return Request(filters=filters)
        return Request(user=user.name, scope=user.scope, filters=filters)

    def require_manager(self, http: gr.Request | None) -> None:
        """Upload and removal are for managers (role ``beheerder``); without sign-in the local user is one."""
        user = self._signed_in(http)
        if user is not None and not user.can_manage:
            raise gr.Error("Alleen een beheerder mag documenten toevoegen of verwijderen.")

    def _signed_in(self, http: gr.Request | None) -> User | None:
        """The signed-in user of a call: ``None`` without sign-in, an error when it is on and missing."""
        if self.users is None:
            return None
        name = getattr(http, "username", None) if http is not None else None
        user = self.users.get(name) if name else None
        if user is None:
            raise SignInRequiredError("Log eerst in.")
        return user

    def user(self, http: gr.Request | None) -> str:
        """The name conversations and feedback are stored under."""
        return self.request(http).user


_SCRATCH: list[Path] = []


def scratch_file(name: str) -> Path:
    """A fresh path named ``name`` for a file the page offers for download (a draft, a source's copy).

    All of them live under one temporary folder per process, removed when the process ends; Gradio
    serves its own copy (its cache is cleared by ``delete_cache``), so archive paths are never served.
    """
    if not _SCRATCH:
        folder = Path(tempfile.mkdtemp(prefix="lobby-web-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        _SCRATCH.append(folder)
    target = _SCRATCH[0] / uuid.uuid4().hex[:12] / name
    target.parent.mkdir()
    return target


@dataclass(frozen=True)
class OnLoad:
    """What a tab fills in when a page opens: a handler and the components it updates."""

    fn: Callable[..., Any]
    outputs: Sequence[gr.components.Component]
