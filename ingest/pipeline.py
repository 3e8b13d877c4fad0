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
* A file with the same content as one read before it in the run (or a link to one) is reported as its
  duplicate and not stored; chunks stored for it by an earlier run are removed. Files are read in sorted
  order, so the same copy is kept on every run and nothing flip-flops between runs.

Embedding is batched across files: small files (a slide deck's slides, short letters) would otherwise
reach the encoder in tiny batches. Reading and chunking run in a thread beside the encoder
(:mod:`ingest.reading`); all writes stay in the calling thread, in file order.
"""

from __future__ import annotations

import fcntl
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from langchain_core.embeddings import Embeddings

from assistant.core.records import Chunk, FileFailure, FileResult, IngestReport
from assistant.index.lexical import LexicalIndex, fingerprint
from assistant.index.store import FileState, VectorStore
from ingest.chunking import embedding_text
from ingest.reading import (
    PIPELINE_VERSION,
    FileRead,
    IngestOptions,
    Reader,
    RootDone,
    discover,
    file_sha256,
    read_chunks,
    version_key,
)

# The reading API is re-exported: callers take options and chunking from the pipeline they run.
__all__ = [
    "PIPELINE_VERSION", "IngestOptions", "Ingestor", "Progress", "discover", "file_sha256", "read_chunks",
    "version_key", "write_lock",
]  # fmt: skip

log = logging.getLogger(__name__)

#: Progress callback: (files done, files total, current source).
Progress = Callable[[int, int, str], None]


@dataclass(slots=True)
class _Pending:
    """Chunks of files read and chunked but not yet embedded and written."""

    files: list[tuple[str, str, str, bool, list[Chunk]]] = field(default_factory=list)

    @property
    def size(self) -> int:
        return sum(len(f[4]) for f in self.files)


_WRITE_LOCKS: dict[str, threading.Lock] = {}
_WRITE_LOCKS_GUARD = threading.Lock()


@contextmanager
def write_lock(store_name: str, folder: Path | None = None) -> Iterator[None]:
    """Serialise the writers (ingest, upload, removal) of one store, in this process and across processes.

    Threads of one process wait on a lock per store. With ``folder`` (the lexical index's folder, which
    is local even when the vectors live on a Chroma server), other processes wait too, on an exclusive
    ``flock`` of a file there: a ``lobby ingest`` started while ``lobby serve`` ingests an upload would
    otherwise interleave writes to the same collection, and each BM25 rebuild would delete the version
    folder the other is writing. The kernel drops the lock of a killed process, so a crash never leaves
    the store locked.
    """
    with _WRITE_LOCKS_GUARD:
        thread_lock = _WRITE_LOCKS.setdefault(store_name, threading.Lock())
    with thread_lock:
        if folder is None:
            yield
            return
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / ".write.lock").open("a+b") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                log.warning("another process is writing to this index (%s); waiting for it to finish", folder)
                fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _plan(path: Path, within: Path | None) -> tuple[Path, list[Path], bool]:
    """What :func:`discover` plans for ``path``, with a file inside ``within`` planned under that root."""
    root, files, is_folder = discover(path)
    if within is not None and not is_folder:
        folder = within.resolve()
        if files[0].is_relative_to(folder):
            return folder, files, False  # one file of the folder: nothing else of it counts as removed
    return root, files, is_folder


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

    def run(
        self, paths: Iterable[Path], *, progress: Progress | None = None, within: Path | None = None
    ) -> IngestReport:
        """Ingest every path (folder or file) and return what happened.

        A file is stored under its own folder as root, unless it lies in ``within``: then it is stored
        as part of that folder (root ``within``, source relative to it), exactly as an ingest of the
        folder stores it. Uploads into the archive pass the archive: stored under their own folder, the
        next ingest of the archive would store them a second time under the archive's root.

        Runs on one store are serialised, also across processes (see :func:`write_lock`); searches go on
        meanwhile and see each file either before or after its update.
        """
        with write_lock(self.store.name, self.lexical.directory):
            return self._run(paths, progress, within)

    def _run(
        self, paths: Iterable[Path], progress: Progress | None, within: Path | None = None
    ) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport()
        plans = [_plan(Path(p), within) for p in paths]
        total = sum(len(files) for _, files, _ in plans)
        done = 0
        self._deleted = False
        changed = False
        pending = _Pending()
        # Files are read and chunked in a thread while the encoder embeds the previous batch: the
        # encoder releases the GIL in its matrix code, so reading costs the run little extra time.
        with Reader(plans, self.store, self.options) as reader:
            for item in reader:
                if isinstance(item, RootDone):
                    changed |= self._remove_missing(item, report)
                    continue
                for stage, seconds in item.timings.items():
                    report.add_stage(stage, seconds)
                outcome = self._take(item, report)
                if outcome is not None:
                    pending.files.append(outcome)
                    if pending.size >= self.options.embed_buffer:
                        changed |= self._flush(pending, report)
                done += 1
                if progress:
                    progress(done, total, item.source)
        changed |= self._flush(pending, report)
        t0 = time.perf_counter()
        self._sync_lexical(force=changed or self._deleted)
        report.add_stage("lexical", time.perf_counter() - t0)
        report.seconds = time.perf_counter() - started
        return report

    def _remove_missing(self, done: RootDone, report: IngestReport) -> bool:
        """Remove the stored files of a folder that no longer holds them; True when any was removed."""
        if not done.is_folder:
            return False
        missing = sorted(set(done.existing) - done.seen)
        for source in missing:
            self.store.delete_file(done.root, source)
            report.removed += 1
            report.files.append(FileResult(source, done.root, "removed"))
        return bool(missing)

    def _take(self, item: FileRead, report: IngestReport) -> tuple[str, str, str, bool, list[Chunk]] | None:
        """Book what the reader found for one file: the file to embed and write, or ``None``."""
        if item.failure is not None:
            self._fail(item.root, item.source, item.failure, item.state, report)
            return None
        if item.duplicate_of is not None:
            self._duplicate(item, item.duplicate_of, report)
            return None
        if item.chunks is None:  # unchanged: the complete stored version is this one
            stored = sum(item.state.counts.values()) if item.state else 0
            report.unchanged += 1
            report.files.append(FileResult(item.source, item.root, "unchanged", stored))
            return None
        report.warnings.extend(FileFailure(item.source, w) for w in item.warnings)
        return item.root, item.source, item.file_hash, item.state is not None, item.chunks

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

    def _duplicate(self, item: FileRead, first: str, report: IngestReport) -> None:
        """Report a copy of ``first`` (not stored); chunks an earlier run stored for it are removed.

        One copy is enough for search, and the store keeps one per content: answers otherwise cite the
        same passage twice under two names.
        """
        reason = f"zelfde inhoud als {first}; niet nogmaals opgenomen"
        log.info("%s: %s", item.source, reason)
        report.duplicates.append(FileFailure(item.source, reason))
        report.files.append(FileResult(item.source, item.root, "duplicate", reason=reason))
        if item.state is not None:
            self.store.delete_file(item.root, item.source)
            self._deleted = True

    def _flush(self, pending: _Pending, report: IngestReport) -> bool:
        """Embed all pending chunks in one encoder call, then write file by file."""
        if not pending.files:
            return False
        chunks = [c for f in pending.files for c in f[4]]
        started = time.perf_counter()
        vectors = self.embeddings.embed_documents([embedding_text(c) for c in chunks])
        embed_seconds = time.perf_counter() - started
        report.embed_seconds += embed_seconds
        report.add_stage("embed", embed_seconds)
        started = time.perf_counter()
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
        report.add_stage("write", time.perf_counter() - started)
        pending.files.clear()
        return True

    def _sync_lexical(self, *, force: bool) -> None:
        """Rebuild BM25 from the store when something changed or the index has drifted."""
        if not force:
            in_sync = self.lexical.current_fingerprint == fingerprint(self.store.all_ids())
            if in_sync and self.lexical.has_facets:
                return
            log.info("lexical index out of sync with the store (or without filter fields): rebuilding")
        rows = self.store.all_rows()
        self.lexical.rebuild(*rows)
