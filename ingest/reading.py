"""Reading for ingest: which files a path holds, what version each is, and their chunks.

:class:`Reader` reads and chunks files in a thread of its own, in file order, a bounded number ahead of
the consumer: while the encoder embeds one batch (in native code that releases the GIL), the next files
are parsed, so reading costs little extra wall time. The reader never writes: the store and the report
are the consumer's, so what a run writes, and in which order, is what it was without the thread.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import queue
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from assistant.core.records import Chunk
from assistant.index.store import FileState, VectorStore
from ingest.access import AccessError, is_level_file, level_of
from ingest.chunking import chunk_document
from ingest.identity import document_id
from ingest.loaders import SUPPORTED_SUFFIXES, LoadError, LoadOptions, load
from ingest.metadata import extract_metadata
from ingest.ocr import OcrOptions

if TYPE_CHECKING:
    from assistant.core.settings import Settings

log = logging.getLogger(__name__)

#: Bump when loaders, metadata extraction or chunking change what they produce for the same bytes:
#: every file then counts as changed and is re-chunked and re-embedded by the next run.
PIPELINE_VERSION = 3  # 3: doc_id and access level on every chunk (the level is in version_key)


@dataclass(frozen=True, slots=True)
class IngestOptions:
    """Chunking and safety limits for one run (taken from Settings by the caller)."""

    chunk_tokens: int = 300
    chunk_overlap: int = 50
    max_file_mb: float = 50.0
    default_access: str = "openbaar"
    # Chunks collected across files before one encoder call. The encoder sorts a call's texts by
    # length to limit padding; small calls pad more (64 cost ~14 % throughput on data/ against one call
    # for everything). 256 is near the one-call optimum while a killed run loses at most that much work.
    embed_buffer: int = 256
    #: Page limit and OCR choices the loaders work under (LOBBY_PDF_MAX_PAGES, LOBBY_OCR*).
    loading: LoadOptions = field(default_factory=LoadOptions)

    @classmethod
    def from_settings(cls, settings: Settings) -> IngestOptions:
        return cls(
            chunk_tokens=settings.chunk_tokens,
            chunk_overlap=settings.chunk_overlap,
            max_file_mb=settings.max_file_mb,
            default_access=settings.default_access,
            embed_buffer=max(256, settings.embedding_batch_size * 16),
            loading=LoadOptions(
                pdf_max_pages=settings.pdf_max_pages,
                ocr=OcrOptions(
                    enabled=settings.ocr,
                    max_pages=settings.ocr_max_pages,
                    page_timeout=settings.ocr_page_timeout,
                ),
            ),
        )


def _is_candidate(path: Path, root: Path) -> bool:
    """Skip hidden files, Office lock files (``~$brief.docx``) and access-level files (``brief.pdf.toegang``).

    None of them is an archive document; level files are read by :func:`ingest.access.level_of`.
    """
    hidden = any(part.startswith((".", "~$")) for part in path.relative_to(root).parts)
    return not hidden and not is_level_file(path) and path.is_file()


def discover(path: Path) -> tuple[Path, list[Path], bool]:
    """Root, files to consider, and whether the root is a folder (deletions are detected in folders)."""
    path = path.resolve()
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if _is_candidate(p, path))
        return path, files, True
    if path.is_file():
        return path.parent, [path], False
    raise FileNotFoundError(f"bestand of map bestaat niet: {path}")


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def version_key(content_sha: str, options: IngestOptions, access: str = "openbaar") -> str:
    """What a stored file version is compared by: its bytes and everything that shapes its chunks.

    Changing the chunk size, the overlap or the pipeline code re-ingests files whose bytes did not
    change, so the store never mixes chunks made under different rules. The access level is part of it
    too: a changed ``.toegang`` rewrites the file's chunks with the new level on the next run.
    """
    recipe = f"{content_sha}|v{PIPELINE_VERSION}|{options.chunk_tokens}|{options.chunk_overlap}|{access}"
    return hashlib.sha256(recipe.encode()).hexdigest()


def read_chunks(
    path: Path,
    *,
    root: str,
    source: str,
    file_hash: str,
    options: IngestOptions,
    access: str | None = None,
    timings: dict[str, float] | None = None,
) -> tuple[list[Chunk], tuple[str, ...]]:
    """Load, describe and chunk one file: the chunks ingest embeds, and the loader's warnings.

    ``access`` is the file's level (the default level when not given). Raises :class:`LoadError` (with
    a readable reason) when the file yields no text. ``timings``, when given, receives the seconds spent
    in each stage (``read``, ``metadata``, ``chunk``).
    """
    clock = _Clock(timings)
    document = load(path, options.loading)
    clock.lap("read")
    meta = extract_metadata(document, filename=source)
    clock.lap("metadata")
    chunks = chunk_document(
        document.pages, meta, source=source, root=root, file_hash=file_hash,
        target=options.chunk_tokens, overlap=options.chunk_overlap,
        doc_id=document_id(meta, document.text), access=access or options.default_access,
    )  # fmt: skip
    clock.lap("chunk")
    if not chunks:
        raise LoadError("geen tekst gevonden in het bestand")
    return chunks, document.warnings


class _Clock:
    """Adds the seconds since the previous lap to a stage in ``timings`` (a no-op without it)."""

    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings
        self.last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        if self.timings is not None:
            self.timings[stage] = self.timings.get(stage, 0.0) + now - self.last
        self.last = now


@dataclass(slots=True)
class FileRead:
    """What the reader found for one file. ``chunks`` is ``None`` when unchanged or failed."""

    root: str
    source: str
    state: FileState | None
    file_hash: str = ""
    chunks: list[Chunk] | None = None
    warnings: tuple[str, ...] = ()
    failure: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    #: Set when the file is not read because another file of this run holds the same content (or it is
    #: a link to one): the other file, as the report names it.
    duplicate_of: str | None = None


@dataclass(frozen=True, slots=True)
class RootDone:
    """Every file of one root was read: the consumer may now remove stored files that are gone."""

    root: str
    is_folder: bool
    existing: frozenset[str]
    seen: frozenset[str]


def read_file(
    path: Path,
    root: str,
    source: str,
    state: FileState | None,
    options: IngestOptions,
    contents: dict[str, tuple[str, str]] | None = None,
) -> FileRead:
    """Check, hash, load and chunk one file; a failure becomes a readable reason, never an exception.

    ``contents`` maps the version key of every file this run read (or found unchanged) so far to its
    ``(root, source)``; the caller adds each file that did not fail. A file with the same key (the same
    bytes at the same access level) is not read again but marked :attr:`FileRead.duplicate_of` the
    first. Files are read in sorted order, so the same file stays the one ingested from run to run. A
    symbolic link is never followed out of the ingested folder; a link to a file inside it is a
    duplicate of that file.
    """
    item = FileRead(root, source, state)
    clock = _Clock(item.timings)
    try:
        if path.is_symlink():
            target = path.resolve()
            if not target.is_relative_to(root):
                raise LoadError("koppeling (symlink) naar een bestand buiten de ingelezen map; overgeslagen")
            item.duplicate_of = target.relative_to(root).as_posix()
            return item
        size_mb = path.stat().st_size / 1_000_000
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            raise LoadError(
                f"bestandstype {path.suffix or '(geen extensie)'} wordt niet ondersteund "
                f"(ondersteund: {', '.join(sorted(SUPPORTED_SUFFIXES))})"
            )
        if size_mb > options.max_file_mb:
            raise LoadError(
                f"bestand is groter dan de limiet ({size_mb:.1f} MB > {options.max_file_mb:g} MB;"
                " zie LOBBY_MAX_FILE_MB)"
            )
        access = level_of(path, Path(root), options.default_access)
        item.file_hash = version_key(file_sha256(path), options, access)
        clock.lap("hash")
        first = contents.get(item.file_hash) if contents is not None else None
        if first is not None:
            item.duplicate_of = first[1] if first[0] == root else str(Path(*first))
            return item
        if state is not None and state.complete_hash() == item.file_hash:
            return item
        item.chunks, item.warnings = read_chunks(
            path,
            root=root,
            source=source,
            file_hash=item.file_hash,
            options=options,
            access=access,
            timings=item.timings,
        )
    except (LoadError, AccessError) as exc:
        item.failure = str(exc)
    except OSError as exc:
        item.failure = f"bestand kan niet worden gelezen: {exc.strerror or exc}"
    except Exception as exc:  # a loader bug must not cost the rest of the batch
        log.exception("unexpected error while reading %s", path)
        item.failure = f"onverwachte fout bij het lezen: {type(exc).__name__}: {exc}"
    return item


_END = object()


class Reader:
    """Reads the files of ``plans`` in a thread, ``ahead`` files ahead of the consumer, in order.

    Iterating yields a :class:`FileRead` per file and a :class:`RootDone` after each root. An error in
    the thread (the store unreachable, say) is raised in the consumer; leaving the ``with`` block early
    stops the thread.
    """

    def __init__(
        self,
        plans: Sequence[tuple[Path, list[Path], bool]],
        store: VectorStore,
        options: IngestOptions,
        *,
        ahead: int = 16,
    ) -> None:
        self.plans = plans
        self.store = store
        self.options = options
        self._queue: queue.Queue[object] = queue.Queue(maxsize=ahead)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._work, name="ingest-reader", daemon=True)

    def __enter__(self) -> Reader:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._stop.set()
        while self._thread.is_alive():  # unblock a reader waiting for room in the queue
            with contextlib.suppress(queue.Empty):
                self._queue.get(timeout=0.05)
        self._thread.join()

    def _put(self, item: object) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _work(self) -> None:
        try:
            contents: dict[str, tuple[str, str]] = {}  # duplicates are found across all roots of a run
            for root, files, is_folder in self.plans:
                root_key = str(root)
                # A single file (an upload into the archive) reads only its own chunks' state.
                existing = self.store.files(
                    root_key, None if is_folder else [p.relative_to(root).as_posix() for p in files]
                )
                seen: set[str] = set()
                for path in files:
                    source = path.relative_to(root).as_posix()
                    seen.add(source)
                    item = read_file(path, root_key, source, existing.get(source), self.options, contents)
                    if item.failure is None and item.duplicate_of is None and item.file_hash:
                        contents.setdefault(item.file_hash, (root_key, source))
                    if not self._put(item):
                        return
                if not self._put(RootDone(root_key, is_folder, frozenset(existing), frozenset(seen))):
                    return
            self._put(_END)
        except BaseException as exc:  # handed to the consumer, which raises it
            self._put(exc)

    def __iter__(self) -> Iterator[FileRead | RootDone]:
        while True:
            item = self._queue.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            assert isinstance(item, (FileRead, RootDone))
            yield item
