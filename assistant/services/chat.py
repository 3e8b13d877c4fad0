"""Chat service: conversations with their turns, questions answered (streamed or whole), chat commands.

``stream`` and ``ask`` run the same answering pipeline and give the same :class:`Answer`; a turn is added
to its conversation only when the answer is complete. Conversations live in memory for the lifetime
of the service (the web app stores them; see the issues).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

from assistant.core.answers import Answer, AnswerEvent, Turn
from assistant.rag.answering import Answerer
from assistant.services.requests import Request

#: Chat commands and what they do (shown by ``/hulp``).
COMMANDS = {
    "nieuw": "begin een nieuw gesprek",
    "woordenlijst": "zoek een afkorting op, bv. /woordenlijst SRP",
    "hulp": "toon deze commando's",
    "stop": "stop het gesprek (ook Ctrl-D)",
}
_ALIASES = {"exit": "stop", "quit": "stop", "help": "hulp"}


@dataclass(frozen=True, slots=True)
class Command:
    """A chat line that is a command (``/nieuw``, ``/woordenlijst SRP``) rather than a question."""

    name: str
    argument: str = ""


def parse_command(line: str) -> Command | None:
    """The command a chat line gives, or ``None`` for a question; an unknown ``/x`` is ``Command("?")``."""
    if not line.startswith("/"):
        return None
    name, _, argument = line[1:].partition(" ")
    name = _ALIASES.get(name.lower(), name.lower())
    return Command(name if name in COMMANDS else "?", argument.strip())


@dataclass(slots=True)
class Conversation:
    """One conversation: an id and its completed turns, oldest first."""

    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    turns: list[Turn] = field(default_factory=list)


class ChatService:
    """Questions and follow-ups over the archive, answered with verified citations or refused."""

    def __init__(self, answerer: Answerer) -> None:
        self.answerer = answerer
        self._conversations: dict[str, Conversation] = {}
        self._lock = threading.Lock()

    def start(self) -> Conversation:
        """A new, empty conversation."""
        conversation = Conversation()
        with self._lock:
            self._conversations[conversation.id] = conversation
        return conversation

    def conversation(self, conversation_id: str) -> Conversation:
        """A conversation by id (``KeyError`` when unknown)."""
        with self._lock:
            return self._conversations[conversation_id]

    def stream(self, request: Request, conversation: Conversation, question: str) -> Iterator[AnswerEvent]:
        """Progress, draft text, then the checked :class:`Answer`; the turn is kept once it is complete."""
        request.audit.action = "ask"
        request.audit.detail = question
        for event in self.answerer.stream(
            question, tuple(conversation.turns), request.filters, scope=request.scope
        ):
            if isinstance(event, Answer):
                request.audit.shown([c.doc_id for c in event.citations] or [h.doc_id for h in event.sources])
                conversation.turns.append(Turn(question, event.text))
            yield event

    def ask(self, request: Request, question: str, conversation: Conversation | None = None) -> Answer:
        """The whole answer at once (a new conversation unless one is given)."""
        result: Answer | None = None
        for event in self.stream(request, conversation or self.start(), question):
            if isinstance(event, Answer):
                result = event
        assert result is not None
        return result
