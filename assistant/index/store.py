"""The vector store: the only module that imports chromadb.

Embedded ``PersistentClient`` under ``LOBBY_HOME`` by default, ``HttpClient`` when ``LOBBY_CHROMA_URL``
is set. Vectors are always computed by the project's embeddings and passed in explicitly; the
collection has no embedding function, because Chroma's default one downloads a model.

The store is self-describing: every chunk carries its file's ``root``, ``source``, ``file_hash`` and
``n_chunks``, so which files are in the store, and whether each is complete, is read from the store
itself. That makes incremental ingest correct in server mode too and leaves no manifest to drift.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import shutil
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from assistant.core.records import Chunk, Hit

if TYPE_CHECKING:
    from assistant.core.settings import Settings

log = logging.getLogger(__name__)

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

_PAGE = 500  # rows per Chroma get() call when reading the whole collection
#: Below this much free space on the store's disk, a failed write is taken for a full disk: Chroma's
#: embedded engine reports SQLITE_FULL only as "Error in compaction: Failed to apply logs ...".
_LOW_SPACE = 8 * 1024 * 1024


class StoreError(RuntimeError):
    """The store cannot do what was asked; the message is Dutch and says why and what to do.

    Raised instead of the client libraries' own errors (httpx, chromadb, sqlite), so the CLI, the web
    app and the services tell users what happened without knowing about Chroma.
    """


class StoreUnavailableError(StoreError):
    """The Chroma server does not answer (stopped, restarting, wrong ``LOBBY_CHROMA_URL``)."""


class DiskFullError(StoreError):
    """No space left on the disk the store or the BM25 index is written to."""


def disk_full_message(where: Path | str) -> str:
    """The Dutch message for a write that failed for lack of disk space under ``where``."""
    return (
        f"De schijf is vol: onvoldoende schijfruimte voor de index in {where}. Wat volledig was opgeslagen "
        "blijft bewaard. Maak ruimte vrij en probeer het opnieuw; een onderbroken inleesronde wordt dan "
        "afgemaakt."
    )


def is_disk_full(error: BaseException) -> bool:
    """Whether ``error`` (or an error it was raised from) is an out-of-space error (ENOSPC, SQLITE_FULL)."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        text = str(seen).lower()
        if "no space left" in text or "disk is full" in text or "database or disk is full" in text:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def out_of_space(error: BaseException, directory: Path | None) -> bool:
    """Whether a failed write to ``directory`` was for lack of space.

    Either the error says so, or the disk is (nearly) full: writers do not always pass ENOSPC on
    (numpy reports a short write as "5356 requested and 3040 written"; Chroma's engine as a failed
    compaction).
    """
    return is_disk_full(error) or _low_on_space(directory)


def _low_on_space(directory: Path | None) -> bool:
    if directory is None:
        return False
    try:
        return shutil.disk_usage(directory).free < _LOW_SPACE
    except OSError:
        return False


def _unreachable(error: BaseException) -> bool:
    """Whether ``error`` says the server could not be reached (connection refused, reset, timed out)."""
    names = {f"{c.__module__}.{c.__name__}" for c in type(error).__mro__}
    return (
        "httpx.TransportError" in names
        or isinstance(error, ConnectionError | TimeoutError)
        or "could not connect to a chroma server" in str(error).lower()
    )


@contextmanager
def _translated(url: str | None, directory: Path | None) -> Iterator[None]:
    """Turn the client's errors for an unreachable server or a full disk into :class:`StoreError` s."""
    try:
        yield
    except StoreError:
        raise
    except Exception as exc:
        if url is not None and _unreachable(exc):
            log.warning("Chroma server %s unreachable: %s", url, exc)
            raise StoreUnavailableError(
                f"De zoekindex is niet bereikbaar: de Chroma-server op {url} antwoordt niet. Start de "
                "server (opnieuw) en probeer het nog eens."
            ) from exc
        if out_of_space(exc, None if url else directory):
            log.warning("store write failed for lack of space in %s: %s", directory, exc)
            raise DiskFullError(disk_full_message(directory or "de Chroma-server")) from exc
        raise


class _Guarded:
    """A Chroma collection whose calls raise :class:`StoreError` for a server that is down or a full disk."""

    def __init__(self, collection: Any, url: str | None, directory: Path | None) -> None:
        self._collection = collection
        self._url = url
        self._directory = directory

    @property
    def name(self) -> str:
        return str(self._collection.name)

    def __getattr__(self, attribute: str) -> Callable[..., Any]:
        method = getattr(self._collection, attribute)

        def call(*args: Any, **kwargs: Any) -> Any:
            with _translated(self._url, self._directory):
                return method(*args, **kwargs)

        return call


@dataclass(frozen=True, slots=True)
class FileState:
    """What the store holds for one file: chunks per file hash and the expected chunk count."""

    counts: dict[str, int]
    expected: dict[str, int]

    def complete_hash(self) -> str | None:
        """The file hash whose chunks are all present and alone, or ``None`` (absent, partial, mixed)."""
        if len(self.counts) != 1:
            return None
        ((file_hash, count),) = self.counts.items()
        return file_hash if count == self.expected.get(file_hash, -1) else None


def collection_name(prefix: str, model_id: str) -> str:
    """A valid Chroma collection name per embedding model: vectors of two models never mix."""
    slug = re.sub(r"[^a-zA-Z0-9._-]+", "-", model_id.rsplit("/", 1)[-1]).strip("-._")
    return f"{prefix}-{slug}"[:200] or "lobby-default"


class VectorStore:
    """Chunks with their vectors in one Chroma collection."""

    def __init__(self, collection: Any) -> None:
        self._collection = collection

    @property
    def name(self) -> str:
        return str(self._collection.name)

    def count(self) -> int:
        return int(self._collection.count())

    def upsert(self, chunks: Sequence[Chunk], vectors: Sequence[Sequence[float]]) -> None:
        """Insert or replace chunks by id (idempotent: re-upserting the same chunk changes nothing)."""
        if not chunks:
            return
        self._collection.upsert(
            ids=[c.chunk_id for c in chunks],
            embeddings=[list(v) for v in vectors],
            documents=[c.text for c in chunks],
            metadatas=[c.store_metadata() for c in chunks],
        )

    def delete_file(self, root: str, source: str, *, keep_hash: str | None = None) -> None:
        """Remove a file's chunks; with ``keep_hash``, only those of other versions of the file."""
        clauses: list[dict[str, Any]] = [{"root": root}, {"source": source}]
        if keep_hash is not None:
            clauses.append({"file_hash": {"$ne": keep_hash}})
        self._collection.delete(where={"$and": clauses})

    def update_metadata(self, ids: Sequence[str], metadatas: Sequence[dict[str, Any]]) -> None:
        """Replace stored chunks' metadata without re-embedding them (migrations of cached indexes)."""
        if ids:
            self._collection.update(ids=list(ids), metadatas=list(metadatas))

    def roots(self) -> set[str]:
        """The ingested roots (folders) the store holds chunks of."""
        return {str(meta.get("root", "")) for _, meta, _ in self._scan(documents=False)}

    def delete_root(self, root: str) -> None:
        """Remove every chunk ingested from ``root``."""
        self._collection.delete(where={"root": root})

    def delete_document(self, doc_id: str) -> None:
        """Remove every chunk of one document (all its file copies)."""
        self._collection.delete(where={"doc_id": doc_id})

    def metadatas(self, where: dict[str, Any] | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every chunk's id and metadata (no texts), e.g. to list the documents in the store."""
        for chunk_id, meta, _ in self._scan(where=where, documents=False):
            yield chunk_id, meta

    def delete_ids(self, ids: Sequence[str]) -> None:
        if ids:
            self._collection.delete(ids=list(ids))

    def files(self, root: str, sources: Sequence[str] | None = None) -> dict[str, FileState]:
        """Per source file under ``root``: which versions (file hashes) have how many chunks.

        ``sources`` limits the scan to those files: an upload of one file into the archive then reads
        that file's chunks, not the whole archive's.
        """
        counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        expected: dict[str, dict[str, int]] = defaultdict(dict)
        where: dict[str, Any] = {"root": root}
        if sources is not None:
            if not sources:
                return {}
            where = {"$and": [where, {"source": {"$in": list(sources)}}]}
        for _, meta, _ in self._scan(where=where, documents=False):
            source, file_hash = str(meta["source"]), str(meta.get("file_hash", ""))
            counts[source][file_hash] += 1
            expected[source][file_hash] = int(meta.get("n_chunks", -1))
        return {s: FileState(dict(counts[s]), expected[s]) for s in counts}

    def all_ids(self) -> list[str]:
        return [chunk_id for chunk_id, _, _ in self._scan(documents=False, metadatas=False)]

    def all_texts(self) -> tuple[list[str], list[str]]:
        """Every chunk id with its text as BM25 indexes it."""
        ids, texts, _ = self.all_rows()
        return ids, texts

    def all_rows(self) -> tuple[list[str], list[str], list[dict[str, Any]]]:
        """Every chunk id, its text as BM25 indexes it, and its metadata.

        What the lexical index is rebuilt from: ``lexical.rebuild(*store.all_rows())``.
        """
        ids: list[str] = []
        texts: list[str] = []
        metadatas: list[dict[str, Any]] = []
        for chunk_id, meta, text in self._scan(documents=True):
            ids.append(chunk_id)
            # Title words help BM25 find a document by its name; they are not part of the chunk text.
            title = str(meta.get("title", ""))
            texts.append(f"{title}\n{text}" if title and title not in text else text)
            metadatas.append(meta)
        return ids, texts, metadatas

    def get(self, ids: Sequence[str]) -> list[Hit]:
        """Chunks by id, in the order asked, with score 0 (callers set scores)."""
        if not ids:
            return []
        got = self._collection.get(ids=list(ids), include=["documents", "metadatas"])
        rows = zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        by_id = {i: (d, m) for i, d, m in rows if d is not None and m is not None}
        return [Hit(i, by_id[i][0], 0.0, dict(by_id[i][1])) for i in ids if i in by_id]

    def query(
        self,
        vector: Sequence[float],
        k: int,
        where: dict[str, Any] | None = None,
        *,
        ids: Sequence[str] | None = None,
    ) -> list[Hit]:
        """The ``k`` nearest chunks by cosine similarity (score = 1 - cosine distance), best first.

        ``ids`` restricts the search to those chunks (an empty list finds nothing): what a filter selects,
        evaluated outside Chroma, whose own ``where`` scan costs hundreds of ms at 100k chunks.

        A chunk deleted by another request while Chroma answers comes back without text or metadata;
        it is no longer in the archive, so it is left out. An empty collection answers with no hits
        (Chroma 1.x, embedded and server), so no ``count()`` first: that cost ~20 ms at 100k chunks.
        """
        if ids is not None and not ids:
            return []
        result = self._collection.query(
            query_embeddings=[list(vector)],
            ids=list(ids) if ids is not None else None,
            n_results=k,
            where=where or None,
            include=["documents", "metadatas", "distances"],
        )
        return [
            Hit(chunk_id, text, 1.0 - float(dist), dict(meta))
            for chunk_id, text, meta, dist in zip(
                result["ids"][0],
                result["documents"][0],
                result["metadatas"][0],
                result["distances"][0],
                strict=True,
            )
            if text is not None and meta is not None
        ]

    def _scan(
        self, *, where: dict[str, Any] | None = None, documents: bool = False, metadatas: bool = True
    ) -> Iterator[tuple[str, dict[str, Any], str]]:
        include = (["metadatas"] if metadatas else []) + (["documents"] if documents else [])
        offset = 0
        while True:
            got = self._collection.get(where=where, include=include, limit=_PAGE, offset=offset)
            ids = got["ids"]
            if not ids:
                return
            metas = got.get("metadatas") or [{}] * len(ids)
            docs = got.get("documents") or [""] * len(ids)
            yield from zip(ids, metas, docs, strict=True)
            offset += len(ids)


def make_client(settings: Settings) -> Any:
    """A Chroma client: ``HttpClient`` for a configured server URL, else an embedded one in home.

    :class:`StoreUnavailableError` when the server does not answer, :class:`DiskFullError` when the
    embedded store cannot be created for lack of space.
    """
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        with _translated(settings.chroma_url, None):
            return chromadb.HttpClient(
                host=url.hostname or "localhost",
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
    with _translated(None, settings.home):
        settings.chroma_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)


def open_store(settings: Settings, model_id: str, *, client: Any = None) -> VectorStore:
    """Open (or create) the collection for this embedding model.

    Every call on it raises :class:`StoreError` subclasses for a server that went away or a full disk,
    so no caller needs to know Chroma's, httpx's or sqlite's errors.
    """
    client = client if client is not None else make_client(settings)
    url = settings.chroma_url or None
    directory = None if url else settings.chroma_dir
    name = collection_name(settings.collection, model_id)
    with _translated(url, directory):
        collection = client.get_or_create_collection(
            name,
            embedding_function=None,
            configuration={"hnsw": {"space": "cosine", "ef_search": settings.dense_ef_search}},
            metadata={"embedding_model": model_id},
        )
        collection = _with_search_breadth(client, collection, settings.dense_ef_search)
    return VectorStore(_Guarded(collection, url, directory))


def _with_search_breadth(client: Any, collection: Any, ef_search: int) -> Any:
    """``collection`` searching ``ef_search`` wide, also when it was created with another breadth.

    The HNSW search breadth is the one index setting Chroma lets a collection change after creation;
    a store made before the setting existed (Chroma's default, 100) is brought up to it on opening. It
    takes effect when the index is next loaded: in this process if it has not searched the store yet,
    and on a Chroma server that has the index loaded already only after the server restarts.
    """
    hnsw = (getattr(collection, "configuration", None) or {}).get("hnsw")
    if not hnsw:
        log.info("%s reports no HNSW configuration; its search breadth is left as it is", collection.name)
        return collection
    if hnsw.get("ef_search", ef_search) == ef_search:
        return collection
    log.info("search breadth of %s: %s -> %s", collection.name, hnsw.get("ef_search"), ef_search)
    collection.modify(configuration={"hnsw": {"ef_search": ef_search}})
    return client.get_collection(collection.name, embedding_function=None)
