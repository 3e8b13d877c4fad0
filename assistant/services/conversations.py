"""Conversations, their turns and users' feedback, kept in SQLite so they survive a reload and a restart.

The web app's conversations must come back after a page reload or a server restart with the answers,
citations, removed sentences and nearest documents exactly as shown; users rate answers and single
citations, and the ratings are exported as gold-set candidates (:meth:`ConversationStore.export_feedback`).

The store is one SQLite file in WAL mode, opened per operation (a web server calls it from several
threads; SQLite's own locking serialises the writers, ``BEGIN IMMEDIATE`` makes each write one step).
``PRAGMA user_version`` holds the schema version, so a later version can migrate an older file.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.core.answers import Answer, Citation, RemovedSentence, Turn, removed_sentences
from assistant.core.records import Hit

#: The schema version this code writes; ``_MIGRATIONS[v]`` brings a file from version ``v`` to ``v + 1``.
SCHEMA_VERSION = 1
_MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE IF NOT EXISTS conversations (
            id TEXT PRIMARY KEY, user TEXT NOT NULL, title TEXT NOT NULL DEFAULT '',
            created TEXT NOT NULL, updated TEXT NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS conversations_user ON conversations (user, updated)",
        """CREATE TABLE IF NOT EXISTS turns (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            conversation_id TEXT NOT NULL REFERENCES conversations (id),
            position INTEGER NOT NULL, question TEXT NOT NULL, standalone TEXT NOT NULL,
            answer TEXT NOT NULL, refused INTEGER NOT NULL, citations TEXT NOT NULL, removed TEXT NOT NULL,
            sources TEXT NOT NULL, mode TEXT NOT NULL, created TEXT NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS turns_conversation ON turns (conversation_id, position)",
        """CREATE TABLE IF NOT EXISTS feedback (
            id INTEGER PRIMARY KEY AUTOINCREMENT, turn_id INTEGER NOT NULL REFERENCES turns (id),
            citation_n INTEGER NULL, useful INTEGER NOT NULL, comment TEXT NOT NULL, user TEXT NOT NULL,
            created TEXT NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS feedback_turn ON feedback (turn_id)",
    ),
)
assert len(_MIGRATIONS) == SCHEMA_VERSION

#: A conversation's title is its first question, shortened to about this many characters.
TITLE_LENGTH = 60


class ConversationError(LookupError):
    """A conversation or turn that does not exist or is not the asking user's (the message is Dutch)."""


@dataclass(frozen=True, slots=True)
class StoredSource:
    """A document an answer was made from, or a refusal's nearest document, as kept with its turn."""

    title: str
    date: str | None
    source: str
    chunk_id: str
    doc_id: str

    @classmethod
    def from_hit(cls, hit: Hit) -> StoredSource:
        return cls(hit.title, hit.date, hit.source, hit.chunk_id, hit.doc_id)

    def to_json(self) -> dict[str, object]:
        return {
            "title": self.title,
            "date": self.date,
            "source": self.source,
            "chunk_id": self.chunk_id,
            "doc_id": self.doc_id,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StoredSource:
        date = data.get("date")
        return cls(
            str(data["title"]),
            None if date is None else str(date),
            str(data["source"]),
            str(data["chunk_id"]),
            str(data["doc_id"]),
        )


@dataclass(frozen=True, slots=True)
class ConversationSummary:
    """One line of a user's conversation list: title, when it began and last changed, how many turns."""

    id: str
    title: str
    created: str
    updated: str
    turns: int


@dataclass(frozen=True, slots=True)
class StoredTurn:
    """A completed turn as stored: the question, the checked answer with its citations, what was removed.

    ``id`` is what feedback names; ``sources`` are the documents the answer was made from (for a
    refusal: the nearest documents it lists), numbered from 1 like the answer's markers.
    """

    id: int
    conversation_id: str
    position: int
    question: str
    standalone: str
    answer: str
    refused: bool
    citations: tuple[Citation, ...]
    removed: tuple[RemovedSentence, ...]
    sources: tuple[StoredSource, ...]
    mode: str
    created: str

    @property
    def turn(self) -> Turn:
        """The turn as the answering history needs it, so a follow-up after a restart leans on it."""
        return Turn(self.question, self.answer)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def short_title(question: str, limit: int = TITLE_LENGTH) -> str:
    """``question`` on one line, cut at a word boundary to about ``limit`` characters ("…" when cut)."""
    text = " ".join(question.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,.;:?!") + "…"


class ConversationStore:
    """Users' conversations, turns and feedback in one SQLite file (created, or migrated, on opening)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as connection:
            connection.execute("PRAGMA journal_mode = WAL")  # kept in the file; not settable in a transaction
        with self._transaction(write=True) as db:
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            if version > SCHEMA_VERSION:
                raise RuntimeError(
                    f"{path} has schema version {version}; this code knows up to {SCHEMA_VERSION}"
                )
            for migration in _MIGRATIONS[version:]:
                for statement in migration:
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A fresh connection in autocommit mode (transactions are explicit), closed afterwards."""
        connection = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        try:
            connection.row_factory = sqlite3.Row
            connection.execute("PRAGMA foreign_keys = ON")
            connection.execute("PRAGMA synchronous = NORMAL")
            yield connection
        finally:
            connection.close()

    @contextmanager
    def _transaction(self, *, write: bool = False) -> Iterator[sqlite3.Connection]:
        """One consistent read, or one write that holds the write lock from its first statement."""
        with self._connect() as connection:
            connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield connection
            except BaseException:
                if connection.in_transaction:  # SQLite may have rolled back already
                    connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    def create(self, user: str, title: str = "") -> str:
        """A new, empty conversation of ``user``; its id (the title follows the first question if empty)."""
        conversation_id = uuid.uuid4().hex[:12]
        now = _now()
        with self._transaction(write=True) as db:
            db.execute(
                "INSERT INTO conversations (id, user, title, created, updated) VALUES (?, ?, ?, ?, ?)",
                (conversation_id, user, short_title(title), now, now),
            )
        return conversation_id

    def conversations(self, user: str) -> list[ConversationSummary]:
        """``user``'s conversations, the most recently changed first."""
        with self._transaction() as db:
            rows = db.execute(
                """SELECT c.id, c.title, c.created, c.updated, COUNT(t.id) AS turns
                   FROM conversations c LEFT JOIN turns t ON t.conversation_id = c.id
                   WHERE c.user = ? GROUP BY c.id ORDER BY c.updated DESC, c.rowid DESC""",
                (user,),
            ).fetchall()
        return [
            ConversationSummary(r["id"], r["title"], r["created"], r["updated"], r["turns"]) for r in rows
        ]

    def turns(self, conversation_id: str, user: str) -> list[StoredTurn]:
        """The conversation's turns, oldest first; :class:`ConversationError` unless it is ``user``'s."""
        with self._transaction() as db:
            _check_owner(db, conversation_id, user)
            rows = db.execute(
                "SELECT * FROM turns WHERE conversation_id = ? ORDER BY position", (conversation_id,)
            ).fetchall()
        return [_stored_turn(row) for row in rows]

    def turn(self, turn_id: int, user: str) -> StoredTurn:
        """One stored turn by id, as a citation link or a rating names it; only ``user``'s own turns."""
        with self._transaction() as db:
            return _stored_turn(_owned_turn(db, turn_id, user))

    def add_turn(self, conversation_id: str, answer: Answer) -> int:
        """Keep a completed answer as the conversation's next turn; its id (for feedback)."""
        now = _now()
        with self._transaction(write=True) as db:
            if db.execute("SELECT 1 FROM conversations WHERE id = ?", (conversation_id,)).fetchone() is None:
                raise ConversationError(f"Gesprek {conversation_id} bestaat niet.")
            (position,) = db.execute(
                "SELECT COUNT(*) FROM turns WHERE conversation_id = ?", (conversation_id,)
            ).fetchone()
            cursor = db.execute(
                """INSERT INTO turns (conversation_id, position, question, standalone, answer, refused,
                   citations, removed, sources, mode, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    conversation_id,
                    position,
                    answer.question,
                    answer.standalone,
                    answer.text,
                    int(answer.refused),
                    _dumps([c.to_json() for c in answer.citations]),
                    _dumps([r.to_json() for r in removed_sentences(answer)]),
                    _dumps([StoredSource.from_hit(h).to_json() for h in answer.sources]),
                    answer.mode,
                    now,
                ),
            )
            db.execute(
                """UPDATE conversations SET updated = ?, title = CASE WHEN title = '' THEN ? ELSE title END
                   WHERE id = ?""",
                (now, short_title(answer.question), conversation_id),
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def add_feedback(
        self, turn_id: int, user: str, useful: bool, comment: str = "", citation_n: int | None = None
    ) -> int:
        """Keep ``user``'s rating of a turn's answer, or of its citation ``[citation_n]``; the rating's id.

        Users rate only their own conversations' turns, and only citations the answer has.
        """
        with self._transaction(write=True) as db:
            row = _owned_turn(db, turn_id, user)
            if citation_n is not None and citation_n not in {c["n"] for c in json.loads(row["citations"])}:
                raise ConversationError(f"Bron [{citation_n}] hoort niet bij antwoord {turn_id}.")
            cursor = db.execute(
                """INSERT INTO feedback (turn_id, citation_n, useful, comment, user, created)
                   VALUES (?, ?, ?, ?, ?, ?)""",
                (turn_id, citation_n, int(useful), comment.strip(), user, _now()),
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def export_feedback(self, user: str | None = None) -> Iterator[dict[str, object]]:
        """Every rating, oldest first, as a gold-set candidate (one JSON object each, e.g. a JSONL line).

        With ``user`` only that user's own ratings: what a user may be shown of the feedback.

        ``sources`` are the cited documents' paths relative to the archive (what a gold case lists);
        ``citation`` is the rated citation (``null``: the rating is about the whole answer); ``history``
        holds the conversation's earlier turns, which a follow-up question needs to stand alone.
        """
        with self._transaction() as db:
            rows = db.execute(
                """SELECT f.id, f.turn_id, f.citation_n, f.useful, f.comment, f.user, f.created,
                          t.conversation_id, t.position, t.question, t.standalone, t.answer, t.refused,
                          t.citations, t.mode
                   FROM feedback f JOIN turns t ON t.id = f.turn_id
                   WHERE ? IS NULL OR f.user = ? ORDER BY f.id""",
                (user, user),
            ).fetchall()
            earlier = {
                key: db.execute(
                    """SELECT question, answer FROM turns WHERE conversation_id = ? AND position < ?
                       ORDER BY position""",
                    key,
                ).fetchall()
                for key in {(row["conversation_id"], row["position"]) for row in rows}
            }
        for row in rows:
            citations = json.loads(row["citations"])
            rated = next((c for c in citations if c["n"] == row["citation_n"]), None)
            history = earlier[row["conversation_id"], row["position"]]
            yield {
                "question": row["question"],
                "standalone": row["standalone"],
                "answer": row["answer"],
                "refused": bool(row["refused"]),
                "mode": row["mode"],
                "useful": bool(row["useful"]),
                "comment": row["comment"],
                "citation": rated,
                "sources": list(dict.fromkeys(str(c["source"]) for c in citations)),
                "history": [{"question": h["question"], "answer": h["answer"]} for h in history],
                "user": row["user"],
                "created": row["created"],
                "turn_id": row["turn_id"],
            }


def _owned_turn(db: sqlite3.Connection, turn_id: int, user: str) -> sqlite3.Row:
    """Turn ``turn_id``'s row if it belongs to one of ``user``'s conversations.

    Otherwise one Dutch error for both "does not exist" and "not yours", so ids reveal nothing about
    other users.
    """
    row: sqlite3.Row | None = db.execute(
        """SELECT t.*, c.user AS owner FROM turns t JOIN conversations c ON c.id = t.conversation_id
           WHERE t.id = ?""",
        (turn_id,),
    ).fetchone()
    if row is None or row["owner"] != user:
        raise ConversationError(f"Antwoord {turn_id} bestaat niet of is niet van {user}.")
    return row


def _check_owner(db: sqlite3.Connection, conversation_id: str, user: str) -> None:
    row = db.execute("SELECT user FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
    if row is None or row["user"] != user:
        # One message for both: a user learns nothing about other users' conversations.
        raise ConversationError(f"Gesprek {conversation_id} bestaat niet of is niet van {user}.")


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _stored_turn(row: sqlite3.Row) -> StoredTurn:
    return StoredTurn(
        id=row["id"],
        conversation_id=row["conversation_id"],
        position=row["position"],
        question=row["question"],
        standalone=row["standalone"],
        answer=row["answer"],
        refused=bool(row["refused"]),
        citations=tuple(Citation.from_json(c) for c in json.loads(row["citations"])),
        removed=tuple(RemovedSentence.from_json(r) for r in json.loads(row["removed"])),
        sources=tuple(StoredSource.from_json(s) for s in json.loads(row["sources"])),
        mode=row["mode"],
        created=row["created"],
    )
