"""Chat service: conversations with their turns, questions answered (streamed or whole), chat commands.

``stream`` and ``ask`` run the same answering pipeline and give the same :class:`Answer`; a turn is added
to its conversation only when the answer is complete. Without a store (the CLI) conversations live in
memory for the lifetime of the service; with a :class:`ConversationStore` (the web app) every
conversation belongs to the request's user, each completed turn is stored, and a conversation is resumed
by id after a page reload or a server restart, its history rebuilt so follow-ups still work.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

from assistant.core.answers import Answer, AnswerEvent, Turn
from assistant.rag.answering import Answerer
from assistant.services.audit import NO_AUDIT, AuditLog, audited, audited_stream
from assistant.services.conversations import (
    ConversationError,
    ConversationStore,
    ConversationSummary,
    StoredTurn,
)
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
    """One conversation: an id, its user and its completed turns, oldest first.

    ``turn_ids`` are the stored turns' ids beside ``turns`` (what feedback names); empty without a store.
    """

    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    turns: list[Turn] = field(default_factory=list)
    user: str = "lokaal"
    turn_ids: list[int] = field(default_factory=list)


class ChatService:
    """Questions and follow-ups over the archive, answered with verified citations or refused.

    ``store`` keeps conversations, turns and feedback across restarts (the web app); without one they
    live in memory (the CLI). A request's user sees and continues only their own conversations.
    """

    def __init__(
        self, answerer: Answerer, store: ConversationStore | None = None, *, audit: AuditLog = NO_AUDIT
    ) -> None:
        self.answerer = answerer
        self.store = store
        self.audit = audit
        self._conversations: dict[str, Conversation] = {}
        self._lock = threading.Lock()

    def start(self, request: Request | None = None) -> Conversation:
        """A new, empty conversation of the request's user (stored at once when there is a store)."""
        user = (request or Request()).user
        conversation = Conversation(user=user)
        if self.store is not None:
            conversation.id = self.store.create(user)
        with self._lock:
            self._conversations[conversation.id] = conversation
        return conversation

    def conversation(self, conversation_id: str, request: Request | None = None) -> Conversation:
        """The request's user's conversation by id, from the store after a restart.

        :class:`ConversationError` (a ``LookupError``) when it is unknown or another user's.
        """
        user = (request or Request()).user
        with self._lock:
            conversation = self._conversations.get(conversation_id)
        if conversation is None and self.store is not None:
            stored = self.store.turns(conversation_id, user)
            conversation = Conversation(
                conversation_id, [t.turn for t in stored], user, [t.id for t in stored]
            )
            with self._lock:
                conversation = self._conversations.setdefault(conversation_id, conversation)
        if conversation is None or conversation.user != user:
            raise ConversationError(f"Gesprek {conversation_id} bestaat niet of is niet van {user}.")
        return conversation

    def conversations(self, request: Request) -> list[ConversationSummary]:
        """The user's stored conversations, the most recently changed first (none without a store)."""
        return self.store.conversations(request.user) if self.store is not None else []

    def turns(self, request: Request, conversation_id: str) -> list[StoredTurn]:
        """A stored conversation's turns as shown: answers, citations, removed sentences, nearest documents.

        Empty without a store; :class:`ConversationError` when the conversation is not the user's.
        """
        return self.store.turns(conversation_id, request.user) if self.store is not None else []

    @audited
    def rate(
        self,
        request: Request,
        turn_id: int,
        useful: bool,
        comment: str = "",
        citation_n: int | None = None,
    ) -> int:
        """Keep the user's rating of a stored answer, or of its citation ``[citation_n]``; the rating's id."""
        if self.store is None:
            raise ConversationError("Beoordelen kan alleen bij opgeslagen gesprekken.")
        request.audit.action = "feedback"
        request.audit.detail = f"{turn_id}" if citation_n is None else f"{turn_id} [{citation_n}]"
        return self.store.add_feedback(turn_id, request.user, useful, comment, citation_n)

    @audited_stream
    def stream(self, request: Request, conversation: Conversation, question: str) -> Iterator[AnswerEvent]:
        """Progress, draft text, then the checked :class:`Answer`; the turn is kept once it is complete."""
        if self.store is not None and conversation.user != request.user:
            raise ConversationError(f"Gesprek {conversation.id} is niet van {request.user}.")
        request.audit.action = "ask"
        request.audit.detail = question
        for event in self.answerer.stream(
            question, tuple(conversation.turns), request.filters, scope=request.scope
        ):
            if isinstance(event, Answer):
                request.audit.shown([c.doc_id for c in event.citations] or [h.doc_id for h in event.sources])
                if self.store is not None:
                    conversation.turn_ids.append(self.store.add_turn(conversation.id, event))
                conversation.turns.append(Turn(question, event.text))
            yield event

    def ask(self, request: Request, question: str, conversation: Conversation | None = None) -> Answer:
        """The whole answer at once (a new conversation of the request's user unless one is given)."""
        result: Answer | None = None
        for event in self.stream(request, conversation or self.start(request), question):
            if isinstance(event, Answer):
                result = event
        assert result is not None
        return result
