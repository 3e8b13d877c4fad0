"""The real offline embedding model (EmbeddingGemma) on the sample archive."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.embeddings import SentenceTransformerEmbeddings, make_embeddings
from assistant.factory import build_index, build_retriever
from ingest.pipeline import IngestOptions, Ingestor

from .conftest import REPO

pytestmark = pytest.mark.integration

SRP_LETTER = "brieven/2024-11-05_brief-ocw-studenten-reis-product"


@pytest.fixture(scope="module")
def embeddings() -> SentenceTransformerEmbeddings:
    model = make_embeddings(Settings())
    assert isinstance(model, SentenceTransformerEmbeddings)
    return model


def _cos(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True)) / math.sqrt(
        sum(x * x for x in a) * sum(y * y for y in b)
    )


def test_query_and_document_prompts_differ(embeddings: SentenceTransformerEmbeddings) -> None:
    text = "Studenten Reis Product"
    as_query, as_doc = embeddings.embed_query(text), embeddings.embed_documents([text])[0]
    assert len(as_query) == embeddings.dimension == 768
    assert _cos(as_query, as_doc) < 0.99  # different prompts, different vectors


def test_dutch_query_ranks_the_srp_letter_first(
    embeddings: SentenceTransformerEmbeddings, tmp_path: Path
) -> None:
    settings = Settings(home=tmp_path)
    index = build_index(settings, embeddings=embeddings)
    report = Ingestor(index.store, index.lexical, embeddings, IngestOptions.from_settings(settings)).run(
        [REPO / "data"]
    )
    assert not report.failed and report.chunks > 0
    retriever = build_retriever(settings, index=index)
    hits = retriever.search(
        "Wat vraagt IPO aan de minister van OCW over het contract voor studentenreizen?", k=5
    )
    assert hits[0].source.startswith(SRP_LETTER), [h.source for h in hits]
    dense_only = index.store.query(
        embeddings.embed_query(
            "Welke prioriteiten geven provincies mee voor de Nationale Digitaliseringsstrategie?"
        ),
        3,
    )
    assert any("digitaliser" in h.source for h in dense_only), [h.source for h in dense_only]
