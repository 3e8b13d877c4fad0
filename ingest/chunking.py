"""Structure-aware chunking: pages -> chunks that stay inside one page, slide or section.

A chunk never crosses a page, slide, section or document boundary, so each one cites exactly one
place. Inside a unit, text is packed sentence by sentence up to a target size, and consecutive chunks
share their last sentences (the overlap) so a statement cut at a boundary is still found whole. Short
units (most slides, short letters) become one chunk. All functions are pure.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence

from assistant.core.records import Chunk, DocMeta, Page
from assistant.core.text import split_sentences

_TOKEN = re.compile(r"\w+|[^\w\s]")


def estimate_tokens(text: str) -> int:
    """Words plus punctuation marks: close to (slightly under) a subword tokenizer's count for Dutch."""
    return len(_TOKEN.findall(text))


def _split_long(sentence: str, limit: int) -> list[str]:
    """A run-on 'sentence' above ``limit`` tokens (tables, lists without stops) cut at word bounds."""
    words = sentence.split()
    pieces: list[str] = []
    current: list[str] = []
    for word in words:
        current.append(word)
        if estimate_tokens(" ".join(current)) >= limit:
            pieces.append(" ".join(current))
            current = []
    if current:
        pieces.append(" ".join(current))
    return pieces


def _units(text: str, limit: int) -> list[tuple[str, bool]]:
    """(sentence, starts_paragraph) pairs; sentences longer than ``limit`` are cut."""
    units: list[tuple[str, bool]] = []
    for paragraph in re.split(r"\n\s*\n", text):
        first = True
        for sentence in split_sentences(paragraph):
            for piece in _split_long(sentence, limit) if estimate_tokens(sentence) > limit else [sentence]:
                units.append((piece, first))
                first = False
    return units


def _join(units: Sequence[tuple[str, bool]]) -> str:
    out: list[str] = []
    for i, (sentence, new_paragraph) in enumerate(units):
        if i:
            out.append("\n\n" if new_paragraph else " ")
        out.append(sentence)
    return "".join(out)


def pack(text: str, *, target: int, overlap: int) -> list[str]:
    """Pack a unit's sentences into pieces of about ``target`` tokens with ``overlap`` tokens shared.

    Overlap is made of whole sentences from the end of the previous piece (at most ``overlap`` tokens;
    none if the last sentence alone is longer), so no piece starts mid-sentence.
    """
    units = _units(text, target)
    if not units:
        return []
    sizes = [estimate_tokens(u[0]) for u in units]
    if sum(sizes) <= target:
        return [_join(units)]
    pieces: list[str] = []
    start = 0
    while start < len(units):
        end, total = start, 0
        while end < len(units) and (end == start or total + sizes[end] <= target):
            total += sizes[end]
            end += 1
        pieces.append(_join(units[start:end]))
        if end >= len(units):
            break
        back, carried = end, 0
        while back - 1 > start and carried + sizes[back - 1] <= overlap:
            back -= 1
            carried += sizes[back]
        start = back
    return pieces


def chunk_id(root: str, source: str, anchor: str, ordinal: int, text: str) -> str:
    """Stable id from position and content: the same passage in the same place keeps its id."""
    key = "\x1f".join((root, source, anchor, str(ordinal), text))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _page_pieces(pages: Sequence[Page], target: int, overlap: int) -> Iterator[tuple[Page, str]]:
    for page in pages:
        for piece in pack(page.text, target=target, overlap=overlap):
            yield page, piece


def chunk_document(
    pages: Sequence[Page],
    meta: DocMeta,
    *,
    source: str,
    root: str,
    file_hash: str,
    target: int = 300,
    overlap: int = 50,
    doc_id: str = "",
    access: str = "openbaar",
) -> list[Chunk]:
    """All chunks of one document, in reading order, each carrying the document's metadata."""
    if overlap >= target:
        raise ValueError(f"overlap ({overlap}) must be smaller than the chunk target ({target})")
    pieces = list(_page_pieces(pages, target, overlap))
    return [
        Chunk(
            chunk_id=chunk_id(root, source, page.anchor, ordinal, text),
            text=text,
            source=source,
            root=root,
            ordinal=ordinal,
            meta=meta,
            doc_id=doc_id,
            access=access,
            page=page.page,
            slide=page.slide,
            section=page.section,
            heading=page.heading,
            file_hash=file_hash,
            n_chunks=len(pieces),
            ocr=page.ocr,
        )
        for ordinal, (page, text) in enumerate(pieces)
    ]


def embedding_text(chunk: Chunk) -> str:
    """What the encoder sees: the chunk with its document title and heading as context.

    A slide body like "Voor de BAC" means little alone; prefixed with the deck title and the slide
    title it lands near the questions it answers. The stored text stays the plain chunk (for quotes).
    """
    context = [chunk.meta.title]
    if chunk.heading and chunk.heading not in chunk.meta.title and not chunk.text.startswith(chunk.heading):
        context.append(chunk.heading)
    return " — ".join(c for c in context if c) + "\n" + chunk.text
