"""What every tab of the web app shares: the services, sign-in, and the request of one browser call."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import gradio as gr

from assistant.rag.retrieval import Filters
from assistant.services.requests import Request

if TYPE_CHECKING:
    from assistant.services.conversations import ConversationStore
    from assistant.services.users import UserStore
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
        if self.users is None:
            return Request(filters=filters)
        name = getattr(http, "username", None) if http is not None else None
        user = self.users.get(name) if name else None
        if user is None:
            raise SignInRequiredError("Log eerst in.")
        return Request(user=user.name, scope=user.scope, filters=filters)

    def require_manager(self, http: gr.Request | None) -> None:
        """Upload and removal are for managers (role ``beheerder``); without sign-in the local user is one."""
        if self.users is None:
            return
        name = getattr(http, "username", None) if http is not None else None
        user = self.users.get(name) if name else None
        if user is None or not user.can_manage:
            raise gr.Error("Alleen een beheerder mag documenten toevoegen of verwijderen.")

    def user(self, http: gr.Request | None) -> str:
        """The name conversations and feedback are stored under."""
        return self.request(http).user


@dataclass(frozen=True)
class OnLoad:
    """What a tab fills in when a page opens: a handler and the components it updates."""

    fn: Callable[..., Any]
    outputs: Sequence[gr.components.Component]
