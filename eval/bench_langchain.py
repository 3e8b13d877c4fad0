"""Ours against a plain LangChain set-up, measured in one run with the same embedding model.

The plain side is what a user would build instead of this project: langchain-community document
loaders (``PyPDFLoader``, ``Docx2txtLoader``, ``TextLoader``, ``BSHTMLLoader``), a
``RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)``, ``Chroma.from_documents``
(langchain-chroma) and ``similarity_search``. Ours is the ingest pipeline and the hybrid retriever users
get. Both sides get the same, already loaded and warmed-up :class:`~langchain_core.embeddings.Embeddings`
object, so neither pays the model load, and the same queries.

Measured for both sides:

* ingest: wall seconds to load, split, embed and index the same files (each in a fresh temporary
  folder), files loaded, chunks, and files that came out as (nearly) empty text;
* query latency (p50/p95 ms, query embedding included) over the gold questions, or, without a gold
  set, over the queries of the first benchmark;
* nDCG@10 on BEIR sets: ours through :mod:`eval.beir` (cached per model under ``LOBBY_HOME/bench``),
  the plain side with each passage as one Document (title and text), split and embedded into a Chroma
  collection cached under ``LOBBY_HOME/bench/langchain-<name>-<hash>`` and searched with one
  ``similarity_search`` per query whose ``k`` always holds 10 distinct passages (chunks are mapped back
  to their passage, best rank first);
* hit@5 on the answerable gold cases, over the archive both sides just ingested.

Ratios are ours / plain: below 1 means ours is faster (times) or worse (quality).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from langchain_chroma import Chroma
from langchain_community.document_loaders import BSHTMLLoader, Docx2txtLoader, PyPDFLoader, TextLoader
from langchain_core.document_loaders import BaseLoader
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_text_splitters import RecursiveCharacterTextSplitter

from assistant.core.records import Scope
from assistant.core.settings import Settings
from assistant.index.embeddings import embedding_model_id
from assistant.rag.retrieval import Retriever
from assistant.rag.steps import condense
from assistant.services.wiring import build_embeddings, build_index, build_retriever
from eval.beir import BeirSet, index_beir, load_beir, retriever_for, run_queries, summarize_queries
from eval.gold import GoldCase, load_gold, stem
from eval.metrics import dedupe, hit_at_k, mrr_at_k, ndcg_at_k, recall_at_k
from eval.modes import default_mode
from ingest.pipeline import IngestOptions, Ingestor, discover

log = logging.getLogger(__name__)

#: The plain set-up's splitter settings (LangChain's tutorial values).
CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200
#: Fewer characters than this and a loaded file counts as empty text (a scan without a text layer).
EMPTY_TEXT_CHARS = 20
#: Bump when the plain side's passage -> Document mapping or splitting changes: new cache folders.
PLAIN_INDEX_VERSION = 1
#: The light langchain-community loader per suffix: what a user picks without ``unstructured``.
PLAIN_LOADERS: dict[str, Callable[[str], BaseLoader]] = {
    ".pdf": PyPDFLoader,
    ".docx": Docx2txtLoader,
    ".txt": TextLoader,
    ".md": TextLoader,
    ".markdown": TextLoader,
    ".html": BSHTMLLoader,
    ".htm": BSHTMLLoader,
}
#: Suffixes the project reads that no light community loader does (UnstructuredPowerPointLoader needs
#: the ``unstructured`` package, which is too heavy to install for this).
NO_LIGHT_LOADER = {".pptx": "UnstructuredPowerPointLoader needs the unstructured package (not installed)"}

Progress = Callable[[str], None]


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (0-100), linearly interpolated between closest ranks (numpy's default)."""
    data = sorted(values)
    if not data:
        return None
    position = (len(data) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return data[low] + (data[high] - data[low]) * (position - low)


def ratio(ours: float | None, plain: float | None) -> float | None:
    """``ours / plain`` rounded, ``None`` where either is missing or the plain figure is zero."""
    if ours is None or plain is None or plain == 0:
        return None
    return round(ours / plain, 3)


def latency_ms(seconds: Sequence[float], over: str) -> dict[str, Any]:
    """p50/p95 in milliseconds of per-query wall times."""
    p50, p95 = percentile(seconds, 50), percentile(seconds, 95)
    return {
        "p50": round(p50 * 1000, 1) if p50 is not None else None,
        "p95": round(p95 * 1000, 1) if p95 is not None else None,
        "queries": len(seconds),
        "over": over,
    }


def plain_setup() -> dict[str, Any]:
    """What the plain side is built of (reported with its figures)."""
    splitter = make_splitter()
    return {
        "loaders": {
            suffix: getattr(loader, "__name__", str(loader)) for suffix, loader in PLAIN_LOADERS.items()
        },
        "splitter": f"{type(splitter).__name__}(chunk_size={CHUNK_SIZE}, chunk_overlap={CHUNK_OVERLAP})",
        "vectorstore": f"{Chroma.__module__}.{Chroma.__name__}.from_documents (default collection settings)",
        "search": "similarity_search",
    }


def make_splitter() -> RecursiveCharacterTextSplitter:
    """The plain set-up's splitter."""
    return RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)


# --------------------------------------------------------------------------------------------------------
# Ingest: the same files through both set-ups
# --------------------------------------------------------------------------------------------------------


def _archive_files(paths: Sequence[Path]) -> list[tuple[Path, str]]:
    """Every file ingest considers (same discovery for both sides), with its source relative to its root."""
    files: list[tuple[Path, str]] = []
    for path in paths:
        root, found, _ = discover(Path(path))
        files.extend((file, file.relative_to(root).as_posix()) for file in found)
    return files


def plain_load(files: Sequence[tuple[Path, str]]) -> tuple[list[Document], dict[str, Any]]:
    """Load every file with its community loader; what a plain set-up gets, and what it lost."""
    documents: list[Document] = []
    not_loaded: list[dict[str, str]] = []
    empty: list[str] = []
    loaded = 0
    for file, source in files:
        suffix = file.suffix.lower()
        loader = PLAIN_LOADERS.get(suffix)
        if loader is None:
            reason = NO_LIGHT_LOADER.get(suffix, f"no community loader chosen for {suffix or 'no suffix'}")
            not_loaded.append({"source": source, "reason": reason})
            continue
        try:
            docs = loader(str(file)).load()
        except Exception as exc:  # a plain set-up has no per-file error handling of its own
            not_loaded.append({"source": source, "reason": f"{type(exc).__name__}: {exc}"[:300]})
            continue
        loaded += 1
        if sum(len(d.page_content.strip()) for d in docs) < EMPTY_TEXT_CHARS:
            empty.append(source)
        documents.extend(docs)
    stats = {"files": len(files), "files_loaded": loaded, "not_loaded": not_loaded, "empty_text": empty}
    return documents, stats


def _plain_ingest(
    files: Sequence[tuple[Path, str]], embeddings: Embeddings, folder: Path
) -> tuple[Chroma, dict[str, Any]]:
    """Load, split, embed and index with the plain set-up; timed from the first file read."""
    started = time.perf_counter()
    documents, stats = plain_load(files)
    chunks = make_splitter().split_documents(documents)
    store = Chroma.from_documents(chunks, embeddings, persist_directory=str(folder))
    seconds = time.perf_counter() - started
    sources = {str(file): source for file, source in files}
    indexed = {sources.get(str(c.metadata.get("source", "")), "") for c in chunks}
    empty = stats.pop("empty_text")
    return store, {
        "seconds": round(seconds, 3),
        **stats,
        "documents": len(documents),
        "files_indexed": len(indexed - {""}),
        "chunks": len(chunks),
        "empty_text_files": len(empty),
        "empty_text_sources": empty,
        # A loaded file with (almost) no text that still produced chunks: empty text in the index.
        "empty_text_files_indexed": len(set(empty) & indexed),
    }


def _our_ingest(
    settings: Settings, paths: Sequence[Path], embeddings: Embeddings, home: Path
) -> tuple[Retriever, dict[str, Any]]:
    """Ingest with our pipeline into a store under ``home``; timed around the ingest run only."""
    ours = settings.model_copy(update={"home": home, "chroma_url": None})
    index = build_index(ours, embeddings=embeddings)
    ingestor = Ingestor(index.store, index.lexical, index.embeddings, IngestOptions.from_settings(ours))
    started = time.perf_counter()
    report = ingestor.run(list(paths))
    seconds = time.perf_counter() - started
    text: dict[tuple[str, str], int] = {}
    for hit in index.store.get(index.store.all_ids()):
        key = (hit.root, hit.source)
        text[key] = text.get(key, 0) + len(hit.text.strip())
    empty = sorted(source for (_, source), n in text.items() if n < EMPTY_TEXT_CHARS)
    return build_retriever(ours, index=index), {
        "seconds": round(seconds, 3),
        "files": len(report.files),
        "files_loaded": report.added + report.updated + report.unchanged,
        "not_loaded": [{"source": f.source, "reason": f.reason} for f in report.failed],
        "files_indexed": len(text),
        "chunks": report.chunks,
        "embed_seconds": round(report.embed_seconds, 3),
        "empty_text_files": len(empty),
        "empty_text_sources": empty,
        "empty_text_files_indexed": len(empty),
    }


# --------------------------------------------------------------------------------------------------------
# Queries
# --------------------------------------------------------------------------------------------------------


def _our_sources(retriever: Retriever, query: str, k: int) -> tuple[list[str], float]:
    """Our top-``k`` as source stems (a hit stands for its file and its merged copies), and the wall time."""
    started = time.perf_counter()
    hits = retriever.search(query, k=k, scope=Scope.full())
    seconds = time.perf_counter() - started
    return list(dict.fromkeys(stem(s) for h in hits for s in (h.source, *h.alternates))), seconds


def _plain_sources(store: Chroma, sources: dict[str, str], query: str, k: int) -> tuple[list[str], float]:
    """The plain top-``k`` chunks as source stems, and the wall time of ``similarity_search``."""
    started = time.perf_counter()
    docs = store.similarity_search(query, k=k)
    seconds = time.perf_counter() - started
    ranked = [stem(sources.get(str(d.metadata.get("source", "")), str(d.metadata.get("source", ""))))
              for d in docs]  # fmt: skip
    return dedupe(ranked), seconds


def question_text(case: GoldCase) -> str:
    """The text both sides search: the question, a follow-up made to stand alone (heuristically)."""
    return condense(case.question, case.history)


def _gold_runs(
    cases: Sequence[GoldCase],
    files: Sequence[tuple[Path, str]],
    retriever: Retriever,
    store: Chroma,
) -> dict[str, Any]:
    """Every gold question through both sides at k=5: latencies, and hit@5 on the answerable cases."""
    sources = {str(file): source for file, source in files}
    archive = {stem(source) for _, source in files}
    ours_seconds: list[float] = []
    plain_seconds: list[float] = []
    rows: list[dict[str, Any]] = []
    skipped: list[str] = []
    for case in cases:
        query = question_text(case)
        ours, t_ours = _our_sources(retriever, query, 5)
        plain, t_plain = _plain_sources(store, sources, query, 5)
        ours_seconds.append(t_ours)
        plain_seconds.append(t_plain)
        if not case.answerable:
            continue
        if not archive & set(case.sources):
            skipped.append(case.id)  # its documents are not part of the ingested archive
            continue
        expected = set(case.sources)
        rows.append({
            "id": case.id, "expected": list(case.sources),
            "ours": ours[:5], "langchain": plain[:5],
            "ours_hit@5": hit_at_k(ours, expected, 5), "langchain_hit@5": hit_at_k(plain, expected, 5),
        })  # fmt: skip

    def mean(key: str) -> float | None:
        return round(sum(r[key] for r in rows) / len(rows), 4) if rows else None

    over = "gold questions"
    return {
        "ours": {"hit@5": mean("ours_hit@5"), "latency": latency_ms(ours_seconds, over)},
        "langchain": {"hit@5": mean("langchain_hit@5"), "latency": latency_ms(plain_seconds, over)},
        "cases": len(rows),
        "questions": len(cases),
        "skipped": skipped,
        "per_case": rows,
    }


# --------------------------------------------------------------------------------------------------------
# BEIR benchmarks
# --------------------------------------------------------------------------------------------------------


def passage_documents(beir: BeirSet) -> list[Document]:
    """Each passage as one Document (title and text), its id in the metadata."""
    return [
        Document(page_content=f"{title}\n{text}" if title else text, metadata={"passage_id": passage_id})
        for passage_id, (title, text) in beir.corpus.items()
    ]


def plain_cache_folder(settings: Settings, beir: BeirSet, embeddings: Embeddings) -> Path:
    """``LOBBY_HOME/bench/langchain-<name>-<hash>``: one per benchmark content, model and splitting."""
    key = "|".join(
        [beir.content_hash, embedding_model_id(embeddings), str(CHUNK_SIZE), str(CHUNK_OVERLAP),
         f"v{PLAIN_INDEX_VERSION}"]
    )  # fmt: skip
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    return settings.home / "bench" / f"langchain-{beir.name}-{digest}"


def plain_beir_index(
    settings: Settings, beir: BeirSet, embeddings: Embeddings, *, progress: Progress | None = None
) -> tuple[Chroma, dict[str, Any]]:
    """Open the plain side's collection of a benchmark, building it (split, embed) when not cached.

    A folder without its ``complete.json`` marker is a build cut off halfway: it is removed and rebuilt.
    """
    folder = plain_cache_folder(settings, beir, embeddings)
    marker = folder / "complete.json"
    if marker.is_file():
        info = json.loads(marker.read_text(encoding="utf-8"))
        store = Chroma(embedding_function=embeddings, persist_directory=str(folder))
        return store, {**info, "cached": True, "cache": str(folder)}
    if folder.exists():
        shutil.rmtree(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    if progress:
        progress(f"{beir.name}: plain LangChain index ({len(beir.corpus)} passages, embedding)")
    started = time.perf_counter()
    chunks = make_splitter().split_documents(passage_documents(beir))
    store = Chroma.from_documents(chunks, embeddings, persist_directory=str(folder))
    per_passage = Counter(str(c.metadata["passage_id"]) for c in chunks)
    info = {"chunks": len(chunks), "index_seconds": round(time.perf_counter() - started, 3),
            "model": embedding_model_id(embeddings),
            "max_chunks_per_passage": max(per_passage.values(), default=0)}  # fmt: skip
    marker.write_text(json.dumps(info), encoding="utf-8")
    return store, {**info, "cached": False, "cache": str(folder)}


def plain_passages(store: Chroma, query: str, *, k: int, want: int = 10) -> tuple[list[str], float]:
    """The first ``want`` distinct passage ids of one ``similarity_search(query, k)``, and its wall time.

    ``k`` is ``want`` times the most chunks any passage was split into (at most all chunks), so the
    ``want`` best distinct passages are always among the ``k`` chunks: one search (one query embedding)
    per query, as a user would do it.
    """
    started = time.perf_counter()
    docs = store.similarity_search(query, k=k)
    seconds = time.perf_counter() - started
    return dedupe(str(d.metadata.get("passage_id", "")) for d in docs)[:want], seconds


def search_depth(info: dict[str, Any], want: int = 10) -> int:
    """The ``k`` that yields ``want`` distinct passages (see :func:`plain_passages`)."""
    chunks = max(int(info["chunks"]), 1)
    per_passage = int(info.get("max_chunks_per_passage") or chunks)
    return min(chunks, want * per_passage)


def plain_beir(
    settings: Settings, beir: BeirSet, embeddings: Embeddings, *, progress: Progress | None = None
) -> tuple[Chroma, dict[str, Any]]:
    """nDCG@10, recall@10, MRR@10 of the plain set-up on one benchmark."""
    store, info = plain_beir_index(settings, beir, embeddings, progress=progress)
    ndcg: list[float] = []
    recall: list[float] = []
    mrr: list[float] = []
    seconds: list[float] = []
    k = search_depth(info)
    for query_id, query in beir.queries.items():
        ranked, took = plain_passages(store, query, k=k)
        relevant = beir.qrels[query_id]
        ndcg.append(ndcg_at_k(ranked, relevant, 10))
        recall.append(recall_at_k(ranked, relevant, 10))
        mrr.append(mrr_at_k(ranked, relevant, 10))
        seconds.append(took)
    n = len(ndcg) or 1
    return store, {
        "ndcg@10": round(sum(ndcg) / n, 4),
        "recall@10": round(sum(recall) / n, 4),
        "mrr@10": round(sum(mrr) / n, 4),
        "queries": len(ndcg),
        "median_query_s": round(percentile(seconds, 50) or 0.0, 4),
        "passages": len(beir.corpus),
        "search_k": k,
        **info,
    }


def our_beir(
    settings: Settings, beir: BeirSet, embeddings: Embeddings, *, progress: Progress | None = None
) -> tuple[Retriever, dict[str, Any]]:
    """Our figures on one benchmark in the configured mode (the index cached by :func:`index_beir`)."""
    embedded: list[int] = []

    def count(done: int, total: int, name: str) -> None:
        embedded.append(done)
        if progress:
            progress(f"{name}: {done}/{total} passages embedded (ours)")

    started = time.perf_counter()
    index = index_beir(settings, beir, embeddings, progress=count)
    seconds = time.perf_counter() - started
    mode = default_mode(settings)
    retriever = retriever_for(settings, index, mode)
    summary = summarize_queries(run_queries(retriever, beir))
    return retriever, {
        **summary, "passages": len(beir.corpus), "chunks": index.store.count(), "mode": mode,
        "index_seconds": round(seconds, 3), "cached": not embedded,
    }  # fmt: skip


# --------------------------------------------------------------------------------------------------------
# The whole comparison
# --------------------------------------------------------------------------------------------------------


def bench_langchain(
    settings: Settings,
    *,
    paths: list[Path],
    benchmarks: list[Path],
    gold: Path | None,
    embeddings: Embeddings | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Measure ours against the plain LangChain set-up on ingest, latency, BEIR nDCG@10 and gold hit@5.

    ``paths`` is the archive both sides ingest (the gold questions refer to it); ``benchmarks`` are BEIR
    folders; ``gold`` a gold file or folder (``None``: no hit@5, latency over benchmark queries);
    ``embeddings`` an already built model for ``settings.embedding_model``. Returns ``ours``,
    ``langchain``, ``ratios`` (ours / plain), ``ndcg_ratio`` (the lowest benchmark ratio) and ``notes``.
    """
    say = progress or (lambda _message: None)
    started = time.perf_counter()
    embeddings = embeddings if embeddings is not None else build_embeddings(settings)
    say(f"loading and warming up {settings.embedding_model}")
    embeddings.embed_documents(["opwarmen van het model"])  # neither side pays the model load
    embeddings.embed_query("opwarmen van het model")
    ours: dict[str, Any] = {}
    plain: dict[str, Any] = {"setup": plain_setup()}
    notes: list[str] = []
    cases = load_gold(gold) if gold is not None else []
    gold_result: dict[str, Any] | None = None

    files = _archive_files(paths)
    if files:
        with tempfile.TemporaryDirectory(prefix="lobby-bench-langchain-") as tmp:
            say(f"ingest (ours): {len(files)} files")
            retriever, ours["ingest"] = _our_ingest(settings, paths, embeddings, Path(tmp) / "ours")
            say(f"ingest (plain LangChain): {len(files)} files")
            store, plain["ingest"] = _plain_ingest(files, embeddings, Path(tmp) / "langchain")
            if cases:
                say(f"gold: {len(cases)} questions on both sides")
                _our_sources(retriever, "opwarmen", 5)  # first-search costs (BM25 load) outside the clock
                _plain_sources(store, {}, "opwarmen", 5)
                gold_result = _gold_runs(cases, files, retriever, store)
        notes.extend(_ingest_notes(plain["ingest"], ours["ingest"]))

    ours["benchmarks"], plain["benchmarks"] = {}, {}
    latency_queries: tuple[Retriever, Chroma, BeirSet] | None = None
    for path in benchmarks:
        beir = load_beir(path)
        say(f"{beir.name}: ours ({len(beir.corpus)} passages, {len(beir.queries)} queries)")
        our_retriever, ours["benchmarks"][beir.name] = our_beir(settings, beir, embeddings, progress=say)
        say(f"{beir.name}: plain LangChain")
        plain_store, plain["benchmarks"][beir.name] = plain_beir(settings, beir, embeddings, progress=say)
        if latency_queries is None:
            latency_queries = (our_retriever, plain_store, beir)

    if gold_result is not None:
        ours["gold"] = {"hit@5": gold_result["ours"]["hit@5"], "cases": gold_result["cases"]}
        plain["gold"] = {"hit@5": gold_result["langchain"]["hit@5"], "cases": gold_result["cases"]}
        ours["query_latency_ms"] = gold_result["ours"]["latency"]
        plain["query_latency_ms"] = gold_result["langchain"]["latency"]
    elif latency_queries is not None:
        ours["query_latency_ms"], plain["query_latency_ms"] = _benchmark_latency(*latency_queries)
    else:
        notes.append("no gold questions and no benchmark: query latency not measured")
    if cases and gold_result is None:
        notes.append("gold questions given but no archive paths: hit@5 not measured")

    ratios: dict[str, float | None] = {
        "ingest_time": ratio(_get(ours, "ingest", "seconds"), _get(plain, "ingest", "seconds")),
        "query_p95": ratio(_get(ours, "query_latency_ms", "p95"), _get(plain, "query_latency_ms", "p95")),
    }
    for name in ours["benchmarks"]:
        ratios[f"ndcg_{name}"] = ratio(
            ours["benchmarks"][name]["ndcg@10"], plain["benchmarks"][name]["ndcg@10"]
        )
    ratios["hit_at_5"] = ratio(_get(ours, "gold", "hit@5"), _get(plain, "gold", "hit@5"))
    benchmark_ratios = {n: ratios[f"ndcg_{n}"] for n in ours["benchmarks"] if ratios[f"ndcg_{n}"] is not None}
    lowest = min(benchmark_ratios, key=lambda n: benchmark_ratios[n] or 0.0) if benchmark_ratios else None
    notes.extend(_general_notes(ours, plain))
    return {
        "embedding_model": settings.embedding_model,
        "seconds": round(time.perf_counter() - started, 1),
        "ours": ours,
        "langchain": plain,
        "ratios": ratios,
        "ndcg_ratio": benchmark_ratios[lowest] if lowest is not None else None,
        "ndcg_ratio_benchmark": lowest,
        "notes": notes,
        "gold": (
            {"questions": gold_result["questions"], "skipped": gold_result["skipped"],
             "per_case": gold_result["per_case"]} if gold_result is not None else None
        ),
    }  # fmt: skip


def _get(side: dict[str, Any], section: str, key: str) -> float | None:
    value = side.get(section, {}).get(key)
    return float(value) if isinstance(value, int | float) else None


def _benchmark_latency(
    retriever: Retriever, store: Chroma, beir: BeirSet
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Without gold questions: k=5 searches of one benchmark's queries on both sides."""
    over = f"{beir.name} queries"
    ours: list[float] = []
    plain: list[float] = []
    for query in beir.queries.values():
        started = time.perf_counter()
        retriever.search(query, k=5, scope=Scope.full())
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        store.similarity_search(query, k=5)
        plain.append(time.perf_counter() - started)
    return latency_ms(ours, over), latency_ms(plain, over)


def _ingest_notes(plain: dict[str, Any], ours: dict[str, Any]) -> list[str]:
    notes: list[str] = []
    pptx = [f["source"] for f in plain["not_loaded"] if f["source"].lower().endswith(".pptx")]
    if pptx:
        notes.append(
            f"PPTX: langchain-community has no light PPTX loader (UnstructuredPowerPointLoader needs the "
            f"unstructured package); {len(pptx)} .pptx file(s) counted as not loaded by the plain set-up"
        )
    others = [f for f in plain["not_loaded"] if not f["source"].lower().endswith(".pptx")]
    if others:
        shown = "; ".join(f"{f['source']}: {f['reason'][:80]}" for f in others[:5])
        notes.append(f"plain set-up could not load {len(others)} other file(s): {shown}")
    if plain["empty_text_files"]:
        indexed = plain["empty_text_files_indexed"]
        fate = (
            f"{indexed} of them indexed as (near-)empty chunks"
            if indexed
            else "the splitter made no chunk of them, so they are silently absent from the index"
        )
        notes.append(
            f"plain set-up loaded {plain['empty_text_files']} file(s) as empty text (< {EMPTY_TEXT_CHARS} "
            f"characters, e.g. a scanned PDF without text layer) without any error or warning; {fate}: "
            + ", ".join(plain["empty_text_sources"][:5])
        )
    refused = [f["source"] for f in ours["not_loaded"]]
    if refused:
        notes.append(f"ours refused {len(refused)} file(s) with a stated reason: " + ", ".join(refused[:5]))
    return notes


def _general_notes(ours: dict[str, Any], plain: dict[str, Any]) -> list[str]:
    notes = [
        "both sides use the same, already loaded and warmed-up embedding object; ingest is timed in a fresh "
        "temporary folder per side",
        "the plain Chroma collection uses Chroma's default (L2) distance; the embeddings are normalised, so "
        "its ranking equals cosine",
        "follow-up gold questions are made to stand alone heuristically, the same text for both sides",
    ]
    modes = sorted({row["mode"] for row in ours.get("benchmarks", {}).values()})
    if modes:
        notes.append(f"ours is searched in the configured mode ({', '.join(modes)}) on the benchmarks")
    for name, row in plain.get("benchmarks", {}).items():
        state = "cached" if row["cached"] else f"built in {row['index_seconds']} s"
        our_state = "cached" if ours["benchmarks"][name]["cached"] else "built"
        notes.append(f"{name}: plain index {state} ({row['chunks']} chunks), ours {our_state}")
    return notes
