"""``lobby bench query`` on a tiny bench index: the result's keys and sane values, reuse, the server path."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.core.settings import Settings
from eval.bench_query import FILTERS, bench_query

from .conftest import shared_path

pytestmark = pytest.mark.corpus

STATS = {"p50_ms", "p95_ms", "mean_ms"}


def _corpus() -> Path:
    return shared_path("corpus", "wetgeving_markdown")


def _sane(stats: dict[str, float]) -> None:
    assert set(stats) >= STATS
    assert 0 < stats["p50_ms"] <= stats["p95_ms"] < 10_000 and stats["mean_ms"] > 0


def test_bench_query_embedded_builds_then_reuses(tmp_path: Path) -> None:
    corpus = _corpus()
    settings = Settings(home=tmp_path, embedding_model="fake", reranker="identity")
    result = bench_query(settings, chunks=300, queries=10, chroma_server=False, corpus=corpus)

    assert result["chunks"] == 300 and result["queries"] == 10
    assert result["server_p95_ms"] is None and result["server"] is None
    assert result["p95_ms"] == result["embedded"]["fused"]["p95_ms"] > 0
    index = result["index"]
    assert index["built"] is True and index["build_seconds"] > 0
    assert Path(index["path"]) == tmp_path / "bench" / "query-300-v1"
    assert index["documents"] > 10  # a small bench still spans many documents
    assert 0 < result["filters"]["share"] < 0.5
    assert result["filters"]["date_from"] == FILTERS.date_from
    embedded = result["embedded"]
    for kind in ("dense", "lexical", "fused", "dense_filtered", "lexical_filtered", "fused_filtered"):
        _sane(embedded[kind])
    # The query vector is a noisy copy of its chunk's vector and its text a sentence of it.
    assert embedded["fused"]["source_chunk_found"] >= 0.8
    assert embedded["fused"]["hits_mean"] == result["k"]

    again = bench_query(settings, chunks=300, queries=10, chroma_server=False, corpus=corpus)
    assert again["index"]["built"] is False
    assert again["index"]["build_seconds"] == index["build_seconds"]


@pytest.mark.integration
def test_bench_query_against_a_chroma_server(tmp_path: Path) -> None:
    corpus = _corpus()
    settings = Settings(home=tmp_path, embedding_model="fake", reranker="identity")
    result = bench_query(settings, chunks=200, queries=5, chroma_server=True, corpus=corpus)

    server = result["server"]
    assert server["built"] is True
    assert result["server_p95_ms"] == server["fused"]["p95_ms"] > 0
    for kind in ("dense", "fused", "dense_filtered", "fused_filtered"):
        _sane(server[kind])
    assert server["fused"]["source_chunk_found"] >= 0.8
    assert not (tmp_path / "chroma").exists()  # the bench never writes the user's own store
