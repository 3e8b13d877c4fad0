"""Retrieval speed at archive scale (``lobby bench query``): milliseconds per search over N chunks.

Measured per query, the query embedding excluded (the retriever gets a precomputed vector, the encoder
is measured by ``lobby bench ingest``):

* ``dense``: one Chroma query (the retriever's candidate count and ``where`` clause);
* ``lexical``: one BM25 search (:meth:`assistant.index.lexical.LexicalIndex.search`);
* ``fused``: :meth:`assistant.rag.retrieval.Retriever.search` as the wiring builds it (dense, BM25, the
  lexical-only hits fetched from Chroma, fusion, reranker, duplicate collapse),

each without and with filters (a date range and document types), in the embedded store and, with
``chroma_server``, the fused search once more against a ``chroma run`` server on loopback. The top-level
``p95_ms`` is the fused search without filters in the embedded store (target: at most 150 ms at 100k).

The bench index holds real chunk texts: the corpus (Dutch legislation in Markdown) chunked by the
project's own loader and chunker, repeated as further copies (ids with a suffix) until there are N
chunks. Metadata (date, type, addressee, access) is synthesised per document so that the filters
select a realistic share; vectors are synthetic (768 dimensions, unit norm, seeded) but clustered like
real ones: topics, documents around a topic, chunks around their document. Queries are real sentences
of the corpus for BM25 with, as vector, a noisy copy of their chunk's vector.

The index is built once under ``LOBBY_HOME/bench/query-<N>-v1`` (Chroma and BM25 as the application
keeps them, the server's data beside them) and reused by later runs; the result says which.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.core.records import ACCESS_LEVELS, Chunk, DocMeta, Hit, Scope
from assistant.core.settings import Settings
from assistant.index.store import open_store
from assistant.rag.retrieval import Filters, Retriever
from assistant.services.wiring import Index, build_index, build_retriever
from eval.processes import free_port, stop, wait_http
from ingest.loaders import LoadError
from ingest.pipeline import IngestOptions, discover, read_chunks

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Bump when chunks, metadata, vectors or queries change: cached bench indexes then live in a new folder.
BENCH_QUERY_VERSION = 1
DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "wetgeving_markdown"
TARGET_P95_MS = 150.0
DIMENSION = 768
SEED = 2024
#: Chunks per Chroma upsert (below Chroma's maximum batch size of 5461).
BATCH = 5000
#: Candidate queries kept with the index; more queries than this reuse them with other vector noise.
POOL = 1000
WARMUP = 5
TOPICS = 64
#: Noise around a topic (a document's centre), a document (its chunks) and a chunk (a query vector),
#: as the norm of a random vector added to a unit vector: cosine 1/sqrt(1 + s^2) to the centre.
DOC_SPREAD, CHUNK_SPREAD, QUERY_SPREAD = 1.0, 0.75, 0.75
MAX_QUERY_WORDS = 24

#: Synthesised metadata: document types (weights), dates between FIRST_DAY and LAST_DAY, addressees.
TYPE_WEIGHTS = {
    "brief": 0.22, "kamerbrief": 0.08, "nota": 0.10, "verslag": 0.10, "presentatie": 0.10,
    "position paper": 0.06, "persbericht": 0.05, "inbreng": 0.05, "reactie": 0.05, "beleidsregel": 0.07,
    "circulaire": 0.07, "document": 0.05,
}  # fmt: skip
FIRST_DAY, LAST_DAY = date(2014, 1, 1), date(2025, 12, 31)
ADDRESSEES = (
    "minister van Infrastructuur en Waterstaat", "staatssecretaris van Onderwijs, Cultuur en Wetenschap",
    "Tweede Kamer der Staten-Generaal", "Eerste Kamer der Staten-Generaal", "minister van Financiën",
    "Gedeputeerde Staten", "Provinciale Staten", "Vereniging van Nederlandse Gemeenten",
)  # fmt: skip
ACCESS_WEIGHTS = (0.9, 0.07, 0.03)
#: The filtered searches: a third of the dates and half of the types, so some 17 % of the chunks.
FILTERS = Filters(
    date_from="2020-01-01", date_to="2023-12-31", doc_types=("brief", "kamerbrief", "nota", "verslag")
)


@dataclass(frozen=True, slots=True)
class _Document:
    """One document of the bench: a corpus document (``copy`` 0) or a further copy of it."""

    copy: int
    number: int  # position of the corpus document
    chunks: list[Chunk]


class _PrecomputedQuery(Embeddings):
    """Embeddings whose query vector is set before each search: retrieval is timed without the encoder."""

    model_name = f"bench-synthetic-{DIMENSION}"

    def __init__(self) -> None:
        self.vector: list[float] = []

    def embed_query(self, text: str) -> list[float]:
        return self.vector

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        raise NotImplementedError("the bench index is built from synthetic vectors")


def _unit(rows: np.ndarray) -> np.ndarray:
    unit: np.ndarray = rows / np.linalg.norm(rows, axis=-1, keepdims=True)
    return unit


def _spread(rng: np.random.Generator, shape: tuple[int, ...], size: float) -> np.ndarray:
    """Random vectors of norm about ``size`` (a unit-variance normal scaled by 1/sqrt(dimension))."""
    noise: np.ndarray = rng.standard_normal(shape) * (size / np.sqrt(DIMENSION))
    return noise


def _synthetic_meta(meta: DocMeta, rng: np.random.Generator) -> tuple[DocMeta, str]:
    """A document's title kept, its type, date and addressee drawn; and its access level."""
    days = (LAST_DAY - FIRST_DAY).days
    day = FIRST_DAY + timedelta(days=int(rng.integers(0, days + 1)))
    types = list(TYPE_WEIGHTS)
    weights = np.array(list(TYPE_WEIGHTS.values()))
    doc_type = types[int(rng.choice(len(types), p=weights / weights.sum()))]
    addressee = ADDRESSEES[int(rng.integers(0, len(ADDRESSEES)))]
    access = ACCESS_LEVELS[int(rng.choice(len(ACCESS_LEVELS), p=ACCESS_WEIGHTS))]
    return DocMeta(title=meta.title, doc_type=doc_type, date=day.isoformat(), addressee=addressee), access


def _corpus_documents(corpus: Path, options: IngestOptions, n: int, cap: int) -> Iterator[list[Chunk]]:
    """The corpus documents' chunks (at most ``cap`` each) in file order, read until ``n`` chunks."""
    root, files, _ = discover(corpus)
    total = 0
    for path in files:
        source = path.relative_to(root).as_posix()
        try:
            chunks, _ = read_chunks(path, root=str(root), source=source, file_hash="bench", options=options)
        except LoadError:
            continue
        yield chunks[:cap]
        total += min(len(chunks), cap)
        if total >= n:
            return


def bench_documents(corpus: Path, n: int, options: IngestOptions) -> list[_Document]:
    """Exactly ``n`` chunks, in documents with synthesised metadata; the corpus repeated where it is short.

    A document contributes at most ``n / 50`` chunks (at least 20), so a small bench still spans many
    documents; at 100k no corpus document is cut. Copies are other documents (ids, source and document
    id with a suffix ``-k<copy>``) with their own metadata and vectors.
    """
    cap = max(20, n // 50)
    originals = list(_corpus_documents(corpus, options, n, cap))
    if not originals:
        raise FileNotFoundError(f"geen leesbare documenten in {corpus}")
    documents: list[_Document] = []
    remaining = n
    copy = 0
    while remaining > 0:
        for number, chunks in enumerate(originals):
            rng = np.random.default_rng([SEED, 1, copy, number])
            meta, access = _synthetic_meta(chunks[0].meta, rng)
            suffix = f"-k{copy}" if copy else ""
            taken = [
                replace(
                    c, chunk_id=c.chunk_id + suffix, source=c.source + suffix, doc_id=c.doc_id + suffix,
                    meta=meta, access=access, n_chunks=len(chunks),
                )
                for c in chunks[:remaining]
            ]  # fmt: skip
            documents.append(_Document(copy, number, taken))
            remaining -= len(taken)
            if remaining <= 0:
                break
        copy += 1
    return documents


def _topics() -> np.ndarray:
    return _unit(np.random.default_rng([SEED, 0]).standard_normal((TOPICS, DIMENSION)))


def document_vectors(document: _Document, topics: np.ndarray) -> np.ndarray:
    """The chunks' vectors: around the document's centre, itself around one of the topics (seeded)."""
    rng = np.random.default_rng([SEED, 2, document.copy, document.number])
    topic = topics[int(rng.integers(0, len(topics)))]
    centre = _unit(topic + _spread(rng, (DIMENSION,), DOC_SPREAD))
    rows = centre + _spread(rng, (len(document.chunks), DIMENSION), CHUNK_SPREAD)
    return _unit(rows).astype(np.float32)


def _batches(documents: Sequence[_Document]) -> Iterator[tuple[list[Chunk], np.ndarray]]:
    """Chunks with their vectors, ``BATCH`` at a time, in document order."""
    topics = _topics()
    chunks: list[Chunk] = []
    vectors: list[np.ndarray] = []
    for document in documents:
        chunks.extend(document.chunks)
        vectors.append(document_vectors(document, topics))
        while len(chunks) >= BATCH:
            stacked = np.concatenate(vectors)
            yield chunks[:BATCH], stacked[:BATCH]
            chunks, vectors = chunks[BATCH:], [stacked[BATCH:]]
    if chunks:
        yield chunks, np.concatenate(vectors)


def _upsert_all(index: Index, documents: Sequence[_Document]) -> None:
    done = 0
    for chunks, vectors in _batches(documents):
        index.store.upsert(chunks, vectors.tolist())
        done += len(chunks)
        log.info("bench index: %d chunks written to %s", done, index.store.name)


_SENTENCE = re.compile(r"(?<=[.;:?!])\s+|\n+")


def query_text(text: str, rng: np.random.Generator) -> str:
    """A sentence of the chunk (6 words or more; its first ``MAX_QUERY_WORDS`` words), as a user types it."""
    sentences = [s.split() for s in _SENTENCE.split(text)]
    long_enough = [words for words in sentences if len(words) >= 6] or [text.split()]
    chosen = long_enough[int(rng.integers(0, len(long_enough)))]
    return " ".join(w.strip("#*|[]()") for w in chosen[:MAX_QUERY_WORDS]).strip()


def _query_pool(documents: Sequence[_Document], n: int) -> tuple[list[dict[str, str]], np.ndarray]:
    """Up to ``POOL`` chunks, spread over the bench, as (chunk id, sentence) with the chunk's vector."""
    rng = np.random.default_rng([SEED, 3])
    wanted = set(rng.choice(n, size=min(POOL, n), replace=False).tolist())
    topics = _topics()
    rows: list[dict[str, str]] = []
    vectors: list[np.ndarray] = []
    position = 0
    for document in documents:
        hits = [i for i in range(len(document.chunks)) if position + i in wanted]
        if hits:
            doc_vectors = document_vectors(document, topics)
            for i in hits:
                text = query_text(document.chunks[i].text, np.random.default_rng([SEED, 5, position + i]))
                rows.append({"chunk_id": document.chunks[i].chunk_id, "text": text})
                vectors.append(doc_vectors[i])
        position += len(document.chunks)
    return rows, np.stack(vectors)


@dataclass(frozen=True, slots=True)
class _Query:
    text: str
    vector: list[float]
    chunk_id: str


def _queries(folder: Path, count: int) -> list[_Query]:
    """``count`` queries: the pool's sentences in turn, each vector a noisy copy of its chunk's vector."""
    pool = json.loads((folder / "queries.json").read_text(encoding="utf-8"))
    vectors = np.load(folder / "queries.npy")
    rng = np.random.default_rng([SEED, 4])
    queries: list[_Query] = []
    for i in range(count):
        j = i % len(pool)
        vector = _unit(vectors[j] + _spread(rng, (DIMENSION,), QUERY_SPREAD))
        queries.append(_Query(pool[j]["text"], [float(v) for v in vector], pool[j]["chunk_id"]))
    return queries


def _bench_settings(settings: Settings, folder: Path) -> Settings:
    return settings.model_copy(update={"home": folder, "chroma_url": None})


def _manifest(folder: Path) -> dict[str, Any] | None:
    try:
        return dict(json.loads((folder / "bench.json").read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None


def _open_or_build(
    settings: Settings, folder: Path, corpus: Path, n: int, embeddings: _PrecomputedQuery
) -> tuple[Index, dict[str, Any], bool]:
    """The bench index in ``folder``, built first unless a complete one for this corpus is there."""
    manifest = _manifest(folder)
    if manifest is not None and manifest.get("corpus") == str(corpus) and manifest.get("chunks") == n:
        index = build_index(_bench_settings(settings, folder), embeddings=embeddings)
        if index.store.count() == n and len(index.lexical.ids) == n:
            if not index.lexical.has_facets:  # built before the lexical index kept the filter fields
                index.lexical.rebuild(*index.store.all_rows())
            return index, manifest, False
    log.info("building the query bench index (%d chunks) in %s", n, folder)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    options = IngestOptions.from_settings(settings)
    started = time.perf_counter()
    documents = bench_documents(corpus, n, options)
    chunked = time.perf_counter()
    index = build_index(_bench_settings(settings, folder), embeddings=embeddings)
    _upsert_all(index, documents)
    stored = time.perf_counter()
    index.lexical.rebuild(*index.store.all_rows())
    lexical = time.perf_counter()
    pool, vectors = _query_pool(documents, n)
    (folder / "queries.json").write_text(json.dumps(pool, ensure_ascii=False), encoding="utf-8")
    np.save(folder / "queries.npy", vectors)
    chunks = [c for d in documents for c in d.chunks]
    manifest = {
        "version": BENCH_QUERY_VERSION,
        "corpus": str(corpus),
        "chunks": n,
        "documents": len(documents),
        "corpus_documents": len({d.number for d in documents}),
        "copies": max(d.copy for d in documents) + 1,
        "filter_share": round(sum(FILTERS.matches(c.store_metadata()) for c in chunks) / n, 4),
        "build_seconds": round(time.perf_counter() - started, 2),
        "chunking_seconds": round(chunked - started, 2),
        "chroma_seconds": round(stored - chunked, 2),
        "bm25_seconds": round(lexical - stored, 2),
    }
    (folder / "bench.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return index, manifest, True


def _stats(milliseconds: Sequence[float]) -> dict[str, float]:
    values = np.asarray(milliseconds)
    return {
        "p50_ms": round(float(np.percentile(values, 50)), 2),
        "p95_ms": round(float(np.percentile(values, 95)), 2),
        "mean_ms": round(float(values.mean()), 2),
    }


def _timed(queries: Sequence[_Query], run: Callable[[_Query], T]) -> tuple[list[float], list[T]]:
    """Milliseconds per query (after ``WARMUP`` untimed queries) and each query's result."""
    for query in queries[:WARMUP]:
        run(query)
    times: list[float] = []
    results: list[T] = []
    for query in queries:
        started = time.perf_counter()
        results.append(run(query))
        times.append((time.perf_counter() - started) * 1000)
    return times, results


def _fused(
    retriever: Retriever, embeddings: _PrecomputedQuery, queries: Sequence[_Query], k: int, filters: Filters
) -> dict[str, float]:
    def search(query: _Query) -> list[Hit]:
        embeddings.vector = query.vector
        return retriever.search(query.text, scope=Scope.full(), k=k, filters=filters)

    times, results = _timed(queries, search)
    found = [any(h.chunk_id == q.chunk_id for h in hits) for q, hits in zip(queries, results, strict=True)]
    return {
        **_stats(times),
        "hits_mean": round(sum(len(h) for h in results) / len(results), 2),
        "source_chunk_found": round(sum(found) / len(found), 3),
    }


def _measure(
    index: Index, retriever: Retriever, queries: Sequence[_Query], k: int, *, lexical: bool = True
) -> dict[str, Any]:
    """Dense, lexical (unless the index shares it) and fused searches, without and with :data:`FILTERS`."""
    embeddings = retriever.embeddings
    assert isinstance(embeddings, _PrecomputedQuery)
    options = retriever.options
    result: dict[str, Any] = {}
    started = time.perf_counter()
    index.store.query(queries[0].vector, options.candidates)
    result["first_query_ms"] = round((time.perf_counter() - started) * 1000, 2)
    for suffix, filters in (("", Filters()), ("_filtered", FILTERS)):
        n = max(k * 3, options.filtered_candidates if filters.active else options.candidates)
        where = filters.where()

        def dense(query: _Query, n: int = n, where: dict[str, Any] | None = where) -> list[Hit]:
            return index.store.query(query.vector, n, where=where)

        def bm25(query: _Query, n: int = n) -> list[tuple[str, float]]:
            return index.lexical.search(retriever.expand(query.text), n)

        result["dense" + suffix] = _stats(_timed(queries, dense)[0])
        if lexical:
            result["lexical" + suffix] = _stats(_timed(queries, bm25)[0])
        result["fused" + suffix] = _fused(retriever, embeddings, queries, k, filters)
    return result


def _start_chroma(path: Path, *, timeout: float = 60.0) -> tuple[subprocess.Popen[bytes], str]:
    """``chroma run`` on a free loopback port, once its heartbeat answers."""
    exe = Path(sys.executable).parent / "chroma"
    port = free_port()
    path.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [str(exe), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{url}/api/v2/heartbeat", timeout=timeout, process=process, name="chroma run")
    except (RuntimeError, TimeoutError):
        stop(process)
        raise
    return process, url


def _server_run(
    settings: Settings,
    folder: Path,
    corpus: Path,
    index: Index,
    queries: Sequence[_Query],
    k: int,
) -> dict[str, Any]:
    """The same searches against a Chroma server holding the same chunks (built once, kept in ``folder``)."""
    data = folder / "server"
    marker = folder / "server.json"
    built = not marker.is_file()
    if built:
        shutil.rmtree(data, ignore_errors=True)
    process, url = _start_chroma(data)
    try:
        server_settings = settings.model_copy(update={"home": folder / "server-home", "chroma_url": url})
        # Through the project's store code (HttpClient for a chroma_url); BM25 is the same index.
        store = open_store(server_settings, _PrecomputedQuery.model_name)
        server = Index(store=store, lexical=index.lexical, embeddings=_PrecomputedQuery())
        if built:
            started = time.perf_counter()
            n = index.store.count()
            _upsert_all(server, bench_documents(corpus, n, IngestOptions.from_settings(settings)))
            info = {"chunks": n, "build_seconds": round(time.perf_counter() - started, 2)}
            marker.write_text(json.dumps(info), encoding="utf-8")
        info = json.loads(marker.read_text(encoding="utf-8"))
        retriever = build_retriever(server_settings, index=server)
        measured = _measure(server, retriever, queries, k, lexical=False)
    finally:
        stop(process)
    return {"built": built, "build_seconds": info["build_seconds"], **measured}


def bench_query(
    settings: Settings,
    *,
    chunks: int = 100_000,
    queries: int = 200,
    chroma_server: bool = True,
    corpus: Path | None = None,
) -> dict[str, Any]:
    """Search latency over ``chunks`` chunks with ``queries`` queries; see the module's description.

    Raises ``FileNotFoundError`` when the corpus folder is absent.
    """
    if chunks < 1 or queries < 1:
        raise ValueError("chunks and queries must be at least 1")
    corpus = (corpus or DEFAULT_CORPUS).resolve()
    if not corpus.is_dir():
        raise FileNotFoundError(
            f"corpus niet gevonden: {corpus} (map met Markdown, zoals ../shared/corpus/...)"
        )
    folder = settings.home / "bench" / f"query-{chunks}-v{BENCH_QUERY_VERSION}"
    embeddings = _PrecomputedQuery()
    index, manifest, built = _open_or_build(settings, folder, corpus, chunks, embeddings)
    bench = _bench_settings(settings, folder)
    retriever = build_retriever(bench, index=index)
    k = settings.retrieval_depth
    asked = _queries(folder, queries)
    embedded = _measure(index, retriever, asked, k)
    server = _server_run(settings, folder, corpus, index, asked, k) if chroma_server else None
    return {
        "p95_ms": embedded["fused"]["p95_ms"],
        "target_p95_ms": TARGET_P95_MS,
        "server_p95_ms": server["fused"]["p95_ms"] if server else None,
        "chunks": chunks,
        "queries": queries,
        "k": k,
        "candidates": retriever.options.candidates,
        "filtered_candidates": retriever.options.filtered_candidates,
        "reranker": settings.reranker,
        "glossary_expansion": retriever.options.expand,
        "query_embedding": "excluded (precomputed query vectors)",
        "index": {
            "path": str(folder.resolve()),
            "built": built,
            **{f: v for f, v in manifest.items() if f != "version"},
        },
        "filters": {
            "date_from": FILTERS.date_from,
            "date_to": FILTERS.date_to,
            "doc_types": list(FILTERS.doc_types),
            "share": manifest["filter_share"],
        },
        "embedded": embedded,
        "server": server,
    }
