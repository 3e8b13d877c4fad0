"""Embedding backends side by side: passages/s, agreement with fp32, and retrieval quality (prints numbers).

Backends (each the same EmbeddingGemma weights): ``torch-fp32``, ``torch-bf16`` (only where the CPU has
native bf16), ``onnx-fp32``, ``onnx-int8`` and ``onnx-int8-mixed`` (int8 except the feed-forward
down-projections; :mod:`assistant.index.onnx_embeddings`), and ``endpoint``
when ``LOBBY_EMBEDDING_URL`` is set. In one run, on the same passages (the chunk texts of the archive
folder given, ``data/`` by default):

* passages/s over the passages, model loaded and warmed up first, and the speed-up over torch fp32;
* cosine of each passage vector to the torch fp32 vector (mean and minimum);
* nDCG@10 on the BEIR benchmarks given, dense retrieval alone (the encoder's own quality) and the
  retrieval users get, each backend in a collection of its own (cached: a rerun embeds nothing).

The top-level ``speedup_vs_fp32`` is the speed-up of the backend the settings select (the default).
"""

from __future__ import annotations

import logging
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from assistant.core.settings import Settings
from assistant.index.embeddings import (
    DEFAULT_MODEL,
    SentenceTransformerEmbeddings,
    cpu_has_native_bf16,
    make_embeddings,
)
from assistant.index.models import resolve
from assistant.index.onnx_embeddings import precision_of
from assistant.services.wiring import build_embeddings
from eval.beir import index_beir, load_beir, retriever_for, run_queries, summarize_queries
from eval.bench import chunk_texts
from eval.modes import default_mode
from ingest.pipeline import IngestOptions

log = logging.getLogger(__name__)

BACKENDS = ("torch-fp32", "torch-bf16", "onnx-fp32", "onnx-int8", "onnx-int8-mixed", "endpoint")


def default_backend(settings: Settings) -> str:
    """The backend the settings select, named as in :data:`BACKENDS`."""
    if settings.embedding_url:
        return "endpoint"
    if settings.embedding_runtime != "torch":
        return f"onnx-{precision_of(settings.embedding_runtime)}"
    dtype = settings.embedding_dtype
    bf16 = dtype == "bfloat16" or (dtype == "auto" and cpu_has_native_bf16())
    return "torch-bf16" if bf16 else "torch-fp32"


def make_backend(settings: Settings, backend: str) -> Embeddings:
    """The embeddings of one backend. The default one keeps the settings' collection (and its cache)."""
    if backend == default_backend(settings):
        return build_embeddings(settings)
    if backend == "endpoint":
        raise ValueError("the endpoint backend needs LOBBY_EMBEDDING_URL")
    if backend.startswith("onnx-"):  # the runtime users would set: one place builds it
        runtime = "onnx" if precision_of(backend) == "fp32" else backend
        local = {"embedding_runtime": runtime, "embedding_url": None}
        return make_embeddings(settings.model_copy(update=local))
    path = resolve(settings.embedding_model, settings.model_cache)
    size = {"batch_size": settings.embedding_batch_size, "max_seq_length": settings.embedding_max_seq_length}
    dtype = "bfloat16" if backend == "torch-bf16" else "float32"
    name = f"{settings.embedding_model}-{backend.removeprefix('torch-')}"
    return SentenceTransformerEmbeddings(path, name=name, dtype=dtype, **size)


def available_backends(settings: Settings) -> list[str]:
    """The backends this machine and these settings can run."""
    names = ["torch-fp32"]
    if cpu_has_native_bf16():
        names.append("torch-bf16")
    if settings.embedding_model == DEFAULT_MODEL:
        names += ["onnx-fp32", "onnx-int8", "onnx-int8-mixed"]
    if settings.embedding_url:
        names.append("endpoint")
    return names


def cosines(vectors: Sequence[Sequence[float]], reference: Sequence[Sequence[float]]) -> list[float]:
    """Each vector's cosine to its reference (both normalised, so the dot product)."""
    return [sum(a * b for a, b in zip(v, r, strict=True)) for v, r in zip(vectors, reference, strict=True)]


def bench_embed(
    settings: Settings,
    *,
    paths: Sequence[Path],
    backends: Sequence[str] | None = None,
    passages: int = 128,
    benchmarks: Sequence[Path] = (),
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Measure each backend on the same passages (and benchmarks); see the module docstring."""
    requested = list(backends or available_backends(settings))
    # torch fp32 is the reference for speed-ups and cosines; it is indexed on the benchmarks only when asked
    # for (that costs a whole benchmark's encoding at fp32 speed).
    names = requested if "torch-fp32" in requested else ["torch-fp32", *requested]
    names.sort(key=lambda n: n != "torch-fp32")
    texts = chunk_texts(list(paths), IngestOptions.from_settings(settings))[:passages]
    if not texts:
        raise ValueError("no passages to embed: the folders given hold no readable documents")
    rows: dict[str, dict[str, Any]] = {}
    reference: list[list[float]] = []
    for name in names:
        if progress:
            progress(name)
        embeddings = make_backend(settings, name)
        started = time.perf_counter()
        embeddings.embed_documents(texts[:2])  # load and warm up before the clock
        load_s = time.perf_counter() - started
        started = time.perf_counter()
        vectors = embeddings.embed_documents(texts)
        seconds = time.perf_counter() - started
        if name == "torch-fp32":
            reference = vectors
        agreement = cosines(vectors, reference)
        row: dict[str, Any] = {
            "passages_per_s": round(len(texts) / seconds, 3),
            "seconds": round(seconds, 2),
            "load_s": round(load_s, 2),
            "cosine_mean": round(statistics.fmean(agreement), 5),
            "cosine_min": round(min(agreement), 5),
        }
        for path in benchmarks if name in requested else ():
            beir = load_beir(path)
            index = index_beir(settings, beir, embeddings)
            for mode in ("dense", default_mode(settings)):
                figures = summarize_queries(run_queries(retriever_for(settings, index, mode), beir))
                row[f"ndcg@10_{beir.name}_{mode}"] = figures["ndcg@10"]
        rows[name] = row
        del embeddings
    fp32 = rows["torch-fp32"]["passages_per_s"]
    for row in rows.values():
        row["speedup_vs_fp32"] = round(row["passages_per_s"] / fp32, 2)
    chosen = default_backend(settings)
    return {
        "passages": len(texts),
        "default_backend": chosen,
        "speedup_vs_fp32": rows[chosen]["speedup_vs_fp32"] if chosen in rows else None,
        "backends": rows,
        "target": {"speedup_vs_fp32": ">= 2", "ndcg_loss": "<= 1 %"},
    }
