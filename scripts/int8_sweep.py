"""Which of EmbeddingGemma's layers can be int8: quantise chosen MatMuls, measure speed, cosine and nDCG@10.

Each variant quantises (ONNX Runtime dynamic int8) the MatMuls of the named layer kinds of the exported
fp32 graph (``lobby models fetch`` or any ONNX runtime exports it into the model cache), then encodes the
sample archive's chunk texts (passages/s, cosine to torch fp32 in the same run) and, with ``--beir``,
indexes the benchmarks for dense nDCG@10 (cached per variant under ``LOBBY_HOME/bench``). This is how
``int8-mixed`` (every projection but the feed-forward down-projection) was found. Usage:

    .venv/bin/python scripts/int8_sweep.py ffn gateup nodown [--beir ../shared/benchmarks/rijksoverheid_vac]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from assistant.core.settings import load_settings
from assistant.index.models import resolve
from assistant.index.onnx_embeddings import MIXED_INT8, OnnxEmbeddings, ensure_onnx, quantize
from eval.beir import index_beir, load_beir, retriever_for, run_queries, summarize_queries
from eval.bench import chunk_texts
from eval.bench_embed import cosines as bench_cosines
from eval.bench_embed import make_backend
from ingest.pipeline import IngestOptions

#: Layer kinds (parts of the MatMul node names) each variant quantises.
VARIANTS: dict[str, tuple[str, ...]] = {
    "ffn": ("/mlp/gate_proj/", "/mlp/up_proj/", "/mlp/down_proj/"),
    "gateup": ("/mlp/gate_proj/", "/mlp/up_proj/"),
    "nodown": MIXED_INT8,  # what the int8-mixed runtime ships
}


def quantised(fp32: Path, variant: str) -> Path:
    """The variant's int8 graph beside the fp32 export (made once)."""
    target = fp32.parent / f"model_sweep_{variant}.onnx"
    if not target.is_file():
        quantize(fp32, target, VARIANTS[variant])
    return target


def measure(embeddings: Embeddings, texts: list[str], reference: list[list[float]] | None) -> dict[str, Any]:
    embeddings.embed_documents(texts[:2])  # load and warm up before the clock
    started = time.perf_counter()
    vectors = embeddings.embed_documents(texts)
    seconds = time.perf_counter() - started
    ref = reference if reference is not None else vectors
    cosines = bench_cosines(vectors, ref)
    return {
        "passages_per_s": round(len(texts) / seconds, 2),
        "cosine_mean": round(statistics.fmean(cosines), 4),
        "cosine_min": round(min(cosines), 4),
        "vectors": vectors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("variants", nargs="+", choices=sorted(VARIANTS))
    parser.add_argument("--beir", type=Path, action="append", default=[])
    args = parser.parse_args()
    settings = load_settings()
    model_dir = resolve(settings.embedding_model, settings.model_cache)
    fp32 = ensure_onnx(Path(model_dir), "fp32")
    texts = chunk_texts([Path("data")], IngestOptions.from_settings(settings))[:128]
    reference = measure(make_backend(settings, "torch-fp32"), texts, None)
    rows: dict[str, dict[str, Any]] = {"torch-fp32": {k: v for k, v in reference.items() if k != "vectors"}}
    for variant in args.variants:
        embeddings = OnnxEmbeddings(model_dir, name=settings.embedding_model, graph=quantised(fp32, variant))
        embeddings.model_name = f"{settings.embedding_model}-onnx-sweep-{variant}"  # its own collection
        row = {k: v for k, v in measure(embeddings, texts, reference["vectors"]).items() if k != "vectors"}
        row["speedup_vs_fp32"] = round(row["passages_per_s"] / rows["torch-fp32"]["passages_per_s"], 2)
        for path in args.beir:
            beir = load_beir(path)
            index = index_beir(settings, beir, embeddings)
            figures = summarize_queries(run_queries(retriever_for(settings, index, "dense"), beir))
            row[f"ndcg@10_{beir.name}_dense"] = figures["ndcg@10"]
        rows[variant] = row
        print(variant, json.dumps(row), flush=True)
    print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
