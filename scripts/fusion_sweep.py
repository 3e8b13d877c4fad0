"""Sweep fusion settings on a cached BEIR index: which RRF constant and BM25 weight rank best.

Dense and BM25 rankings are computed once per query (the expensive part); every fusion variant is then
a pure function over those lists, so a sweep costs one pass of query embeddings. Usage:

    .venv/bin/python scripts/fusion_sweep.py ../shared/benchmarks/legalqa_nl [more sets...]
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

from assistant.core.settings import load_settings
from assistant.index.fusion import reciprocal_rank_fusion
from assistant.services.wiring import build_embeddings
from eval.beir import index_beir, load_beir
from eval.metrics import ndcg_at_k

RRF_K = (2, 5, 10, 20, 60)
LEXICAL_WEIGHTS = (1.0, 0.5, 0.3, 0.2, 0.1)


def sweep(path: Path, depth: int = 30) -> dict[str, float]:
    """Mean nDCG@10 of dense, BM25 and every (k, weight) fusion on one benchmark."""
    settings = load_settings()
    beir = load_beir(path)
    embeddings = build_embeddings(settings)
    index = index_beir(settings, beir, embeddings)
    runs = []
    for query_id, query in beir.queries.items():
        dense = [h.chunk_id for h in index.store.query(embeddings.embed_query(query), depth)]
        lexical = [i for i, _ in index.lexical.search(query, depth)]
        runs.append((beir.qrels[query_id], dense, lexical))

    def mean(ranked: list[list[str]]) -> float:
        return round(
            sum(ndcg_at_k(r, rel, 10) for r, (rel, _, _) in zip(ranked, runs, strict=True)) / len(runs), 4
        )

    table = {"dense": mean([d for _, d, _ in runs]), "bm25": mean([b for _, _, b in runs])}
    for k, w in itertools.product(RRF_K, LEXICAL_WEIGHTS):
        fused = [[i for i, _ in reciprocal_rank_fusion([d, b], k=k, weights=[1.0, w])] for _, d, b in runs]
        table[f"k={k} w={w}"] = mean(fused)
    return table


def main(paths: list[str]) -> None:
    tables = {Path(p).name: sweep(Path(p)) for p in paths}
    print(json.dumps(tables, indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])
