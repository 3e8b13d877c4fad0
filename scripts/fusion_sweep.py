"""Sweep fusion functions on the benchmarks and the gold set, tuned on development halves only.

Dense and BM25 candidate lists (ids with scores, the product's candidate depth) are computed once per
question, the expensive part; every fusion variant is then a pure function over those lists, so a sweep
costs one pass of query embeddings. Variants: reciprocal rank fusion (constant ``k``, BM25 weight ``w``)
and a convex combination of scores (``a`` times BM25 divided by the list's best BM25 plus ``1 - a``
times the cosine similarity, each missing score counted as the lowest of its list), and query-adaptive
RRF (the shipped k = 60, w = 0.3 for a question with anchors, another setting for the rest).

Each benchmark's queries are split once into a development and a test half by a hash of their id; the
gold set has its own halves. Pick on the dev columns, report the test columns. Beside them, the plain
LangChain set-up of ``lobby bench langchain`` per half (its collections cached in the same home). Usage
(the gold index is the evaluation store of ``LOBBY_HOME``, built by ``lobby eval``):

    LOBBY_HOME=... .venv/bin/python scripts/fusion_sweep.py ../shared/benchmarks/legalqa_nl \
        ../shared/benchmarks/rijksoverheid_vac --gold
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from langchain_core.embeddings import Embeddings

from assistant.core.settings import Settings, load_settings
from assistant.index.fusion import reciprocal_rank_fusion
from assistant.rag.anchors import anchors
from assistant.services.wiring import build_embeddings, build_index, build_retriever
from eval.beir import index_beir, load_beir
from eval.bench_langchain import plain_beir_index, plain_passages, search_depth
from eval.gold import load_gold, stem
from eval.metrics import hit_at_k, ndcg_at_k
from eval.runner import eval_settings

RRF = tuple(itertools.product((10, 20, 60), (0.0, 0.1, 0.2, 0.3, 0.5)))
CONVEX = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4)
DEPTH = 30

Scored = list[tuple[str, float]]
#: One question: its split, what is relevant, the dense and BM25 candidates, a chunk -> unit mapping, and
#: whether it has anchors (names, abbreviations, years: :func:`assistant.rag.anchors.anchors`).
Run = tuple[str, set[str], Scored, Scored, Callable[[str], str], bool]
#: A fusion: (dense, lexical, anchored) -> one ranking.
Fuse = Callable[[Scored, Scored, bool], list[str]]
#: The shipped fusion: the settings' defaults, not a copy of their numbers.
SHIPPED = Settings.model_construct()
#: Query-adaptive RRF: the shipped (k, w) for anchored questions, these for the others.
ADAPTIVE = tuple(itertools.product((10, 20, 60), (0.0, 0.1, 0.2)))


def split_of(query_id: str) -> str:
    """A benchmark query's half: fixed by its id, so every run of the sweep agrees."""
    return "dev" if hashlib.sha256(query_id.encode()).digest()[0] % 2 == 0 else "test"


def score_fusion(dense: Scored, lexical: Scored, *, lexical_weight: float) -> Scored:
    """``(1 - a) * cosine + a * bm25 / best bm25``, best first; missing scores count as their list's lowest.

    Unlike RRF this keeps how far apart candidates are (Bruch et al. 2023 found such convex combinations
    ahead of RRF on English sets). Measured here and not adopted: it ranks below RRF on both benchmarks.
    """
    cosine = dict(dense)
    best = max((s for _, s in lexical), default=0.0)
    bm25 = {i: (s / best if best > 0 else 0.0) for i, s in lexical}
    floor_cosine, floor_bm25 = min(cosine.values(), default=0.0), min(bm25.values(), default=0.0)
    order = dict.fromkeys([i for i, _ in dense] + [i for i, _ in lexical])
    fused = {
        i: (1 - lexical_weight) * cosine.get(i, floor_cosine) + lexical_weight * bm25.get(i, floor_bm25)
        for i in order
    }
    return sorted(fused.items(), key=lambda pair: -pair[1])


def rrf(dense: Scored, lexical: Scored, *, k: int, weight: float) -> list[str]:
    """The product's fusion (:func:`reciprocal_rank_fusion`) over the two candidate lists."""
    rankings = [[i for i, _ in dense], [i for i, _ in lexical]]
    return [i for i, _ in reciprocal_rank_fusion(rankings, k=k, weights=[1.0, weight])]


def convex(dense: Scored, lexical: Scored, *, weight: float) -> list[str]:
    return [i for i, _ in score_fusion(dense, lexical, lexical_weight=weight)]


def _rrf(dense: Scored, lexical: Scored, _anchored: bool, *, k: int, weight: float) -> list[str]:
    return rrf(dense, lexical, k=k, weight=weight)


def _convex(dense: Scored, lexical: Scored, _anchored: bool, *, weight: float) -> list[str]:
    return convex(dense, lexical, weight=weight)


def adaptive(dense: Scored, lexical: Scored, anchored: bool, *, k: int, weight: float) -> list[str]:
    """The shipped RRF (the settings' defaults) for a question with anchors, else ``k``, ``weight``."""
    if anchored:
        return rrf(dense, lexical, k=SHIPPED.rrf_k, weight=SHIPPED.lexical_weight)
    return rrf(dense, lexical, k=k, weight=weight)


def variants() -> dict[str, Fuse]:
    """Every fusion to try, by name: each maps (dense, lexical, anchored) to one ranking."""
    table: dict[str, Fuse] = {
        "dense": lambda d, _b, _a: [i for i, _ in d],
        "bm25": lambda _d, b, _a: [i for i, _ in b],
    }
    for k, w in RRF:
        table[f"rrf k={k} w={w}"] = functools.partial(_rrf, k=k, weight=w)
    for a in CONVEX:
        table[f"convex a={a}"] = functools.partial(_convex, weight=a)
    for k, w in ADAPTIVE:
        shipped = f"k={SHIPPED.rrf_k} w={SHIPPED.lexical_weight}"
        table[f"adaptive anchored {shipped}, else k={k} w={w}"] = functools.partial(adaptive, k=k, weight=w)
    return table


def beir_runs(path: Path, embeddings: Embeddings) -> list[Run]:
    settings = load_settings()
    beir = load_beir(path)
    index = index_beir(settings, beir, embeddings)
    retriever = build_retriever(settings, index=index)
    runs: list[Run] = []
    for query_id, query in beir.queries.items():
        searched = retriever.expand(query)
        dense = [(h.chunk_id, h.score) for h in index.store.query(embeddings.embed_query(searched), DEPTH)]
        lexical = index.lexical.search(searched, DEPTH)
        anchored = bool(anchors(query))
        runs.append((split_of(query_id), set(beir.qrels[query_id]), dense, lexical, lambda i: i, anchored))
    return runs


def gold_runs(embeddings: Embeddings) -> list[Run]:
    settings = eval_settings(load_settings())
    index = build_index(settings, embeddings=embeddings)
    retriever = build_retriever(settings, index=index)
    sources: dict[str, str] = {i: stem(m.get("source", "")) for i, m in index.store.metadatas()}
    runs: list[Run] = []
    for case in load_gold():
        if not case.answerable or case.history:
            continue
        searched = retriever.expand(case.question)
        dense = [(h.chunk_id, h.score) for h in index.store.query(embeddings.embed_query(searched), DEPTH)]
        lexical = index.lexical.search(searched, DEPTH)
        unit: Callable[[str], str] = lambda i: sources.get(i, i)  # noqa: E731
        runs.append((case.split, set(case.sources), dense, lexical, unit, bool(anchors(case.question))))
    return runs


def plain_halves(path: Path, embeddings: Embeddings) -> dict[str, float]:
    """The plain LangChain set-up's nDCG@10 per half (the collection ``lobby bench langchain`` keeps)."""
    settings = load_settings()
    beir = load_beir(path)
    store, info = plain_beir_index(settings, beir, embeddings)
    halves: dict[str, list[float]] = {"dev": [], "test": []}
    for query_id, query in beir.queries.items():
        ranked, _ = plain_passages(store, query, k=search_depth(info))
        halves[split_of(query_id)].append(ndcg_at_k(ranked, beir.qrels[query_id], 10))
    return {f"{half} ndcg": round(sum(v) / len(v), 4) for half, v in halves.items()}


def score(runs: Sequence[Run]) -> dict[str, dict[str, float]]:
    """Mean nDCG@10 (and hit@5) per variant and half, over units (passages, or gold documents)."""
    table: dict[str, dict[str, float]] = {}
    for name, fuse in variants().items():
        row: dict[str, float] = {}
        for half in ("dev", "test"):
            part = [r for r in runs if r[0] == half]
            ranked = [list(dict.fromkeys(unit(i) for i in fuse(d, b, a))) for _, _, d, b, unit, a in part]
            rel = [r[1] for r in part]
            row[f"{half} ndcg"] = round(sum(map(ndcg_at_k, ranked, rel, [10] * len(part))) / len(part), 4)
            row[f"{half} hit5"] = round(sum(map(hit_at_k, ranked, rel, [5] * len(part))) / len(part), 4)
        table[name] = row
    table["share anchored"] = {
        half: round(sum(r[5] for r in runs if r[0] == half) / max(1, sum(r[0] == half for r in runs)), 3)
        for half in ("dev", "test")
    }
    return table


def main(args: list[str]) -> None:
    embeddings = build_embeddings(load_settings())  # loaded once for every set
    sets = {Path(p).name: beir_runs(Path(p), embeddings) for p in args if p != "--gold"}
    if "--gold" in args:
        sets["gold"] = gold_runs(embeddings)
    tables = {name: score(runs) for name, runs in sets.items()}
    for p in args:
        if p != "--gold":
            tables[Path(p).name]["plain LangChain"] = plain_halves(Path(p), embeddings)
    print(json.dumps(tables, indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])
