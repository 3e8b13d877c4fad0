"""BEIR-format retrieval benchmarks run through the retriever users get.

A BEIR set is a folder with ``corpus.jsonl`` ({"_id", "title", "text"}), ``queries.jsonl`` ({"_id",
"text"}) and ``qrels/test.tsv`` (query-id, corpus-id, score; a header line). Each passage becomes one
chunk (title as the document title, so BM25 and the encoder see it the way they see an archive
document's title) in a Chroma collection of its own, under ``LOBBY_HOME/bench/<name>-<content hash>``,
named for the embedding model: the corpus is embedded once per model and content, and a rerun (or a
run cut off halfway) embeds only what is missing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from assistant.core.records import Chunk, DocMeta, Scope
from assistant.core.settings import Settings
from assistant.index.lexical import fingerprint
from assistant.rag.retrieval import Retriever
from assistant.services.wiring import Index, build_index, build_retriever
from eval.metrics import median, mrr_at_k, ndcg_at_k, recall_at_k
from eval.modes import apply_mode
from ingest.chunking import embedding_text

log = logging.getLogger(__name__)

#: Bump when the passage -> chunk mapping changes: cached collections then live in a new folder.
BEIR_INDEX_VERSION = 1
ROOT = "beir"


class BeirFormatError(ValueError):
    """A BEIR file is missing or has a malformed line; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class BeirSet:
    """One benchmark: passages, queries with at least one relevant passage, and the relevance judgements."""

    name: str
    corpus: dict[str, tuple[str, str]]
    queries: dict[str, str]
    qrels: dict[str, set[str]]
    content_hash: str


def _jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    if not path.is_file():
        raise BeirFormatError(
            f"{path}: file not found (a BEIR set needs corpus.jsonl, queries.jsonl, qrels/)"
        )
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise BeirFormatError(f"{path}:{number}: not JSON ({exc.msg})") from exc
            if not isinstance(row, dict) or "_id" not in row:
                raise BeirFormatError(f"{path}:{number}: a JSON object with an '_id' is required")
            yield number, row


def load_beir(directory: Path, *, split: str = "test") -> BeirSet:
    """Read a BEIR folder; queries without a positive judgement are left out (BEIR's convention)."""
    directory = Path(directory)
    corpus: dict[str, tuple[str, str]] = {}
    digest = hashlib.sha256()
    for number, row in _jsonl(directory / "corpus.jsonl"):
        text = row.get("text")
        if not isinstance(text, str):
            raise BeirFormatError(f"{directory / 'corpus.jsonl'}:{number}: 'text' must be a string")
        corpus[str(row["_id"])] = (str(row.get("title") or ""), text)
    for doc_id, (title, text) in corpus.items():
        digest.update(f"{doc_id}\x1f{title}\x1f{text}\x1e".encode())
    queries = {str(row["_id"]): str(row.get("text", "")) for _, row in _jsonl(directory / "queries.jsonl")}
    qrels_path = directory / "qrels" / f"{split}.tsv"
    if not qrels_path.is_file():
        raise BeirFormatError(f"{qrels_path}: file not found")
    qrels: dict[str, set[str]] = {}
    for number, line in enumerate(qrels_path.read_text(encoding="utf-8").splitlines(), start=1):
        parts = line.split("\t")
        if not line.strip() or (number == 1 and parts[0] == "query-id"):
            continue
        if len(parts) < 3:
            raise BeirFormatError(
                f"{qrels_path}:{number}: expected query-id, corpus-id, score (tab-separated)"
            )
        try:
            score = float(parts[2])
        except ValueError as exc:
            raise BeirFormatError(f"{qrels_path}:{number}: score {parts[2]!r} is not a number") from exc
        if parts[1] not in corpus:
            raise BeirFormatError(f"{qrels_path}:{number}: corpus-id {parts[1]!r} is not in corpus.jsonl")
        if score > 0:
            qrels.setdefault(parts[0], set()).add(parts[1])
    judged = {q: text for q, text in queries.items() if q in qrels}
    return BeirSet(directory.name, corpus, judged, qrels, digest.hexdigest())


def passage_document(title: str) -> str:
    """The ``doc_id`` of a passage: passages under one title (one law, one FAQ page) are one document.

    Retrieval merges near-copies only within a document, as it merges the DOCX and PDF copy of a letter.
    """
    return "beir-" + hashlib.sha256(title.encode("utf-8")).hexdigest()[:16]


def passage_chunk(passage_id: str, title: str, text: str, content_hash: str) -> Chunk:
    """A passage as a chunk of a one-chunk file named by its id."""
    return Chunk(
        chunk_id=passage_id,
        text=text,
        source=passage_id,
        root=ROOT,
        ordinal=0,
        meta=DocMeta(title=title),
        doc_id=passage_document(title),
        file_hash=content_hash[:16],
        n_chunks=1,
    )


def bench_settings(settings: Settings, beir: BeirSet) -> Settings:
    """Settings whose home is this benchmark's cache folder (its own Chroma and BM25 files)."""
    folder = f"{beir.name}-{beir.content_hash[:12]}-v{BEIR_INDEX_VERSION}"
    return settings.model_copy(update={"home": settings.home / "bench" / folder, "chroma_url": None})


def index_beir(
    settings: Settings,
    beir: BeirSet,
    embeddings: Embeddings,
    *,
    batch: int = 256,
    progress: Callable[[int, int, str], None] | None = None,
) -> Index:
    """Open (building what is missing of) the benchmark's collection for this embedding model.

    ``progress(done, total, name)`` is called after every batch, like ingest's progress callback.
    """
    index = build_index(bench_settings(settings, beir), embeddings=embeddings)
    present = set(index.store.all_ids())
    missing = [doc_id for doc_id in beir.corpus if doc_id not in present]
    if missing:
        log.info("embedding %d of %d passages of %s", len(missing), len(beir.corpus), beir.name)
    for start in range(0, len(missing), batch):
        chunks = [
            passage_chunk(i, *beir.corpus[i], beir.content_hash) for i in missing[start : start + batch]
        ]
        index.store.upsert(chunks, embeddings.embed_documents([embedding_text(c) for c in chunks]))
        if progress:
            progress(len(beir.corpus) - len(missing) + start + len(chunks), len(beir.corpus), beir.name)
    _add_document_ids(index, beir)
    if index.lexical.current_fingerprint != fingerprint(beir.corpus):
        # The store gives BM25 the same text (title and passage) as an ingested archive gets.
        index.lexical.rebuild(*index.store.all_rows())
    return index


def _add_document_ids(index: Index, beir: BeirSet) -> None:
    """Give passages cached before documents had ids their ``doc_id`` (metadata only, no re-embedding)."""
    stale = [(i, m) for i, m in index.store.metadatas() if "doc_id" not in m]
    for start in range(0, len(stale), 500):
        part = stale[start : start + 500]
        index.store.update_metadata(
            [i for i, _ in part], [{**m, "doc_id": passage_document(beir.corpus[i][0])} for i, m in part]
        )


@dataclass(frozen=True, slots=True)
class QueryResult:
    """One query: what was retrieved (passage ids, best first) and its scores."""

    query_id: str
    query: str
    relevant: frozenset[str]
    retrieved: tuple[str, ...]
    ndcg: float
    recall: float
    mrr: float
    seconds: float


def run_queries(retriever: Retriever, beir: BeirSet, *, k: int = 10) -> list[QueryResult]:
    """Search every judged query; a hit stands for its passage and any near-copy merged into it."""
    results: list[QueryResult] = []
    for query_id, query in beir.queries.items():
        started = time.perf_counter()
        hits = retriever.search(query, k=k, scope=Scope.full())
        seconds = time.perf_counter() - started
        ranked = tuple(dict.fromkeys(s for h in hits for s in (h.source, *h.alternates)))
        relevant = beir.qrels[query_id]
        results.append(
            QueryResult(
                query_id,
                query,
                frozenset(relevant),
                ranked,
                ndcg_at_k(ranked, relevant, k),
                recall_at_k(ranked, relevant, k),
                mrr_at_k(ranked, relevant, k),
                seconds,
            )
        )
    return results


def summarize_queries(results: Sequence[QueryResult]) -> dict[str, float | int]:
    """Mean nDCG@10, recall@10, MRR@10 over the queries, and the median search time."""
    n = len(results)
    if not n:
        return {"ndcg@10": 0.0, "recall@10": 0.0, "mrr@10": 0.0, "queries": 0}
    return {
        "ndcg@10": round(sum(r.ndcg for r in results) / n, 4),
        "recall@10": round(sum(r.recall for r in results) / n, 4),
        "mrr@10": round(sum(r.mrr for r in results) / n, 4),
        "queries": n,
        "median_query_s": round(median(r.seconds for r in results) or 0.0, 4),
    }


def query_rows(results: Sequence[QueryResult]) -> list[dict[str, Any]]:
    """Per-query rows for JSON output and reports."""
    return [
        {"id": r.query_id, "query": r.query, "relevant": sorted(r.relevant), "retrieved": list(r.retrieved),
         "ndcg@10": round(r.ndcg, 4), "recall@10": round(r.recall, 4), "mrr@10": round(r.mrr, 4)}
        for r in results
    ]  # fmt: skip


def retriever_for(settings: Settings, index: Index, mode: str) -> Retriever:
    """The factory's retriever over a benchmark index, switched to one of :data:`eval.modes.MODES`."""
    return apply_mode(build_retriever(settings, index=index), mode)


def evaluate_beir(
    settings: Settings,
    paths: Sequence[Path],
    *,
    mode: str,
    embeddings: Embeddings,
    progress: Callable[[int, int, str], None] | None = None,
) -> dict[str, Any]:
    """Run BEIR sets in one mode; one set gives its figures at the top level, several a ``runs`` list.

    Raises :class:`BeirFormatError` (naming the file and line) for a malformed set.
    """
    runs: list[dict[str, Any]] = []
    for path in paths:
        beir = load_beir(path)
        index = index_beir(settings, beir, embeddings, progress=progress)
        results = run_queries(retriever_for(settings, index, mode), beir)
        runs.append({
            **summarize_queries(results), "benchmark": beir.name, "model": settings.embedding_model,
            "mode": mode, "per_query": query_rows(results),
        })  # fmt: skip
    return runs[0] if len(runs) == 1 else {"runs": runs}
