"""The ingestion job: files -> pages -> metadata -> chunks -> vectors -> store + BM25 index.

Incremental and crash-safe by construction:

* A file is identified by ``(root, source)`` and versioned by the sha256 of its bytes. The store
  records per chunk which file version it belongs to and how many chunks that version has, so a file is
  *unchanged* only when exactly its current version is present and complete.
* A new or changed file is written by upserting its new chunks (stable ids) and then deleting chunks of
  any other version. A run killed between the two leaves a mixed state that the next run sees as
  incomplete and finishes; re-upserting identical ids creates no duplicates.
* Files that disappeared from an ingested folder are removed. The BM25 index is rebuilt whenever the
  store changed or its id fingerprint no longer matches the store (e.g. after a crash).
* A file that cannot be read is reported with its reason and never stops the batch.

Embedding is batched across files: small files (a slide deck's slides, short letters) would otherwise
reach the encoder in tiny batches.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from langchain_core.embeddings import Embeddings

from assistant.core.records import Chunk, FileFailure, FileResult, IngestReport
from assistant.core.settings import Settings
from assistant.index.lexical import LexicalIndex, fingerprint
from assistant.index.store import FileState, VectorStore
from ingest.chunking import chunk_document, embedding_text
from ingest.identity import document_id
from ingest.loaders import SUPPORTED_SUFFIXES, LoadError, load
from ingest.metadata import extract_metadata

log = logging.getLogger(__name__)

#: Bump when loaders, metadata extraction or chunking change what they produce for the same bytes:
#: every file then counts as changed and is re-chunked and re-embedded by the next run.
PIPELINE_VERSION = 3  # 3: doc_id and access level on every chunk

#: Progress callback: (files done, files total, current source).
Progress = Callable[[int, int, str], None]


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

    @classmethod
    def from_settings(cls, settings: Settings) -> IngestOptions:
        return cls(
            chunk_tokens=settings.chunk_tokens,
            chunk_overlap=settings.chunk_overlap,
            max_file_mb=settings.max_file_mb,
            default_access=settings.default_access,
            embed_buffer=max(256, settings.embedding_batch_size * 16),
        )


@dataclass(slots=True)
class _Pending:
    """Chunks of files read and chunked but not yet embedded and written."""

    files: list[tuple[str, str, str, bool, list[Chunk]]] = field(default_factory=list)

    @property
    def size(self) -> int:
        return sum(len(f[4]) for f in self.files)


_WRITE_LOCKS: dict[str, threading.Lock] = {}
_WRITE_LOCKS_GUARD = threading.Lock()


def write_lock(store_name: str) -> threading.Lock:
    """The process-wide lock that serialises writers (ingest, removal) of one store."""
    with _WRITE_LOCKS_GUARD:
        return _WRITE_LOCKS.setdefault(store_name, threading.Lock())


def _is_candidate(path: Path, root: Path) -> bool:
    """Skip hidden files and Office lock files (``~$brief.docx``); they are not archive documents."""
    hidden = any(part.startswith((".", "~$")) for part in path.relative_to(root).parts)
    return not hidden and path.is_file()


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


def version_key(content_sha: str, options: IngestOptions) -> str:
    """What a stored file version is compared by: its bytes and everything that shapes its chunks.

    Changing the chunk size, the overlap or the pipeline code re-ingests files whose bytes did not
    change, so the store never mixes chunks made under different rules.
    """
    recipe = f"{content_sha}|v{PIPELINE_VERSION}|{options.chunk_tokens}|{options.chunk_overlap}"
    return hashlib.sha256(recipe.encode()).hexdigest()


def read_chunks(
    path: Path, *, root: str, source: str, file_hash: str, options: IngestOptions
) -> tuple[list[Chunk], tuple[str, ...]]:
    """Load, describe and chunk one file: the chunks ingest embeds, and the loader's warnings.

    Raises :class:`LoadError` (with a readable reason) when the file yields no text.
    """
    document = load(path)
    meta = extract_metadata(document, filename=source)
    chunks = chunk_document(
        document.pages, meta, source=source, root=root, file_hash=file_hash,
        target=options.chunk_tokens, overlap=options.chunk_overlap,
        doc_id=document_id(meta, document.text), access=options.default_access,
    )  # fmt: skip
    if not chunks:
        raise LoadError("geen tekst gevonden in het bestand")
    return chunks, document.warnings


class Ingestor:
    """Runs ingest over folders and files into one store and its lexical index."""

    def __init__(
        self,
        store: VectorStore,
        lexical: LexicalIndex,
        embeddings: Embeddings,
        options: IngestOptions | None = None,
    ) -> None:
        self.store = store
        self.lexical = lexical
        self.embeddings = embeddings
        self.options = options or IngestOptions()
        self._deleted = False  # set when a failed file's old chunks were removed during a run

    def run(self, paths: Iterable[Path], *, progress: Progress | None = None) -> IngestReport:
        """Ingest every path (folder or file) and return what happened.

        Runs on one store are serialised within the process (see :func:`write_lock`); searches go on
        meanwhile and see each file either before or after its update.
        """
        with write_lock(self.store.name):
            return self._run(paths, progress)

    def _run(self, paths: Iterable[Path], progress: Progress | None) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport()
        plans = [discover(Path(p)) for p in paths]
        total = sum(len(files) for _, files, _ in plans)
        done = 0
        self._deleted = False
        changed = False
        pending = _Pending()
        for root, files, is_folder in plans:
            root_key = str(root)
            existing = self.store.files(root_key)
            seen: set[str] = set()
            for path in files:
                source = path.relative_to(root).as_posix()
                seen.add(source)
                outcome = self._prepare(path, root_key, source, existing.get(source), report)
                if outcome is not None:
                    pending.files.append(outcome)
                    if pending.size >= self.options.embed_buffer:
                        changed |= self._flush(pending, report)
                done += 1
                if progress:
                    progress(done, total, source)
            if is_folder:
                for source in sorted(set(existing) - seen):
                    self.store.delete_file(root_key, source)
                    report.removed += 1
                    report.files.append(FileResult(source, root_key, "removed"))
                    changed = True
        changed |= self._flush(pending, report)
        self._sync_lexical(force=changed or self._deleted)
        report.seconds = time.perf_counter() - started
        return report

    def _prepare(
        self,
        path: Path,
        root: str,
        source: str,
        state: FileState | None,
        report: IngestReport,
    ) -> tuple[str, str, str, bool, list[Chunk]] | None:
        """Check, hash, load and chunk one file; ``None`` when there is nothing to write."""
        try:
            size_mb = path.stat().st_size / 1_000_000
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                raise LoadError(
                    f"bestandstype {path.suffix or '(geen extensie)'} wordt niet ondersteund "
                    f"(ondersteund: {', '.join(sorted(SUPPORTED_SUFFIXES))})"
                )
            if size_mb > self.options.max_file_mb:
                raise LoadError(
                    f"bestand is groter dan de limiet ({size_mb:.1f} MB > {self.options.max_file_mb:g} MB;"
                    " zie LOBBY_MAX_FILE_MB)"
                )
            file_hash = version_key(file_sha256(path), self.options)
            if state is not None and state.complete_hash() == file_hash:
                report.unchanged += 1
                report.files.append(FileResult(source, root, "unchanged", sum(state.counts.values())))
                return None
            chunks, warnings = read_chunks(
                path, root=root, source=source, file_hash=file_hash, options=self.options
            )
        except LoadError as exc:
            self._fail(root, source, str(exc), state, report)
            return None
        except OSError as exc:
            self._fail(root, source, f"bestand kan niet worden gelezen: {exc.strerror or exc}", state, report)
            return None
        except Exception as exc:  # a loader bug must not cost the rest of the batch
            log.exception("unexpected error while reading %s", path)
            reason = f"onverwachte fout bij het lezen: {type(exc).__name__}: {exc}"
            self._fail(root, source, reason, state, report)
            return None
        report.warnings.extend(FileFailure(source, w) for w in warnings)
        return root, source, file_hash, state is not None, chunks

    def _fail(
        self, root: str, source: str, reason: str, state: FileState | None, report: IngestReport
    ) -> None:
        """Report a failed file; chunks of an older readable version no longer describe it: remove them."""
        log.warning("%s: %s", source, reason)
        report.failed.append(FileFailure(source, reason))
        report.files.append(FileResult(source, root, "failed", reason=reason))
        if state is not None:
            self.store.delete_file(root, source)
            self._deleted = True

    def _flush(self, pending: _Pending, report: IngestReport) -> bool:
        """Embed all pending chunks in one encoder call, then write file by file."""
        if not pending.files:
            return False
        chunks = [c for f in pending.files for c in f[4]]
        started = time.perf_counter()
        vectors = self.embeddings.embed_documents([embedding_text(c) for c in chunks])
        report.embed_seconds += time.perf_counter() - started
        offset = 0
        for root, source, file_hash, existed, file_chunks in pending.files:
            self.store.upsert(file_chunks, vectors[offset : offset + len(file_chunks)])
            offset += len(file_chunks)
            if existed:
                self.store.delete_file(root, source, keep_hash=file_hash)
                report.updated += 1
            else:
                report.added += 1
            status = "updated" if existed else "added"
            report.files.append(
                FileResult(source, root, status, len(file_chunks), doc_id=file_chunks[0].doc_id)
            )
            report.chunks += len(file_chunks)
        pending.files.clear()
        return True

    def _sync_lexical(self, *, force: bool) -> None:
        """Rebuild BM25 from the store when something changed or the index has drifted."""
        if not force:
            if self.lexical.current_fingerprint == fingerprint(self.store.all_ids()):
                return
            log.info("lexical index out of sync with the store: rebuilding")
        ids, texts = self.store.all_texts()
        self.lexical.rebuild(ids, texts)
