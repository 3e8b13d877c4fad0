"""The evidence panel: what a clicked marker opens, looked up on the server and shown in its context.

A marker's key says where its citation lives: ``t12:3`` is source 3 of stored turn 12 (so it still
opens after a reload or a restart), ``x<id>:2`` source 2 of an answer kept in memory (onboarding,
timelines), ``c:<chunk_id>`` one passage. The panel shows the source's facts and the passage marked in
its page, slide or section text; for a PDF (or a slide whose deck has a PDF twin) also the rendered
page with the passage marked on it; and the original file to download.
"""

from __future__ import annotations

import io
import shutil
import threading
import uuid
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from assistant.app.web.context import scratch_file
from assistant.app.web.render import evidence_html
from assistant.services.conversations import ConversationError, ConversationStore
from assistant.services.library import LibraryError, LibraryService
from assistant.services.page_image import mark_hit
from assistant.services.requests import Request


@dataclass(frozen=True)
class Target:
    """What to open: a passage, the quote to mark in it, and the citation's own facts."""

    chunk_id: str
    quote: str | None
    meta: Mapping[str, Any]


@dataclass(frozen=True)
class Opened:
    """The panel's content: HTML, the marked page image (if any), the file to download (if any)."""

    html: str
    image: Image.Image | None
    download: str | None


class AnswerMemo:
    """Citations of answers not stored as turns (onboarding, timelines), for their markers; bounded."""

    def __init__(self, size: int = 500) -> None:
        self._items: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def keep(self, citations: Sequence[Mapping[str, Any]]) -> str:
        """Remember ``citations`` and return the key their markers use (``x...``)."""
        key = "x" + uuid.uuid4().hex[:12]
        with self._lock:
            self._items[key] = [dict(c) for c in citations]
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return key

    def get(self, key: str) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._items.get(key, []))


def resolve(key: str, *, user: str, store: ConversationStore, memo: AnswerMemo) -> Target:
    """The passage a marker key names (``ValueError`` with a Dutch message when it names nothing)."""
    where, _, number = key.partition(":")
    if where == "c":
        return Target(number, None, {})
    try:
        n = int(number)
    except ValueError:
        raise ValueError(f"onbekende verwijzing '{key}'") from None
    if where.startswith("x"):
        found = [c for c in memo.get(where) if int(c.get("n", 0)) == n]
        if not found:
            raise ValueError("deze bron is niet meer beschikbaar; stel de vraag opnieuw")
        return Target(str(found[0]["chunk_id"]), found[0].get("quote"), found[0])
    if where.startswith("t") and where[1:].isdigit():
        try:
            turn = store.turn(int(where[1:]), user)
        except ConversationError as error:
            raise ValueError(str(error)) from error
        if turn.refused:
            if not 1 <= n <= len(turn.sources):
                raise ValueError(f"bron {n} bestaat niet bij dit antwoord")
            source = turn.sources[n - 1]
            return Target(source.chunk_id, None, source.to_json())
        cited = [c for c in turn.citations if c.n == n]
        if not cited:
            raise ValueError(f"bron {n} bestaat niet bij dit antwoord")
        return Target(cited[0].chunk_id, cited[0].quote, cited[0].to_json())
    raise ValueError(f"onbekende verwijzing '{key}'")


def open_target(target: Target, request: Request, library: LibraryService) -> Opened:
    """The panel for ``target``: facts, the marked context, the marked page image, the download."""
    try:
        view = library.open(request, target.chunk_id, target.quote)
    except LibraryError as error:
        raise ValueError(str(error)) from error
    hit = view.hit
    meta = {
        "title": hit.title, "date": hit.date, "doc_type": hit.metadata.get("doc_type"),
        "kenmerk": hit.metadata.get("kenmerk"), "location": view.location, "source": hit.source,
    }  # fmt: skip
    image = None
    note = ""
    marked = mark_hit(hit, target.quote)
    if marked is not None:
        image = Image.open(io.BytesIO(marked.png))
        if not marked.found:
            note = "Op de paginaweergave kon de passage niet worden gemarkeerd; de tekst hieronder wel."
        elif marked.partial:
            note = "Op de paginaweergave is een deel van de passage gemarkeerd."
    if not view.exists:
        note = (
            note + " " if note else ""
        ) + "Het oorspronkelijke bestand is niet (meer) aanwezig; dit is de opgeslagen tekst."
    download = _copy_for_download(view.path) if view.exists else None
    return Opened(evidence_html(meta, view.text, view.span, note=note), image, download)


def _copy_for_download(path: Path) -> str:
    """A copy of the original to download, so the server never serves archive paths."""
    target = scratch_file(path.name)
    shutil.copyfile(path, target)
    return str(target)
