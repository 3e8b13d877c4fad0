"""The real offline embedding model (EmbeddingGemma) on the sample archive."""

from __future__ import annotations

import math

import pytest

from assistant.core.records import Scope
from assistant.index.embeddings import SentenceTransformerEmbeddings
from assistant.services.wiring import build_retriever

pytestmark = pytest.mark.integration

SRP_LETTER = "brieven/2024-11-05_brief-ocw-studenten-reis-product"


def _cos(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True)) / math.sqrt(
        sum(x * x for x in a) * sum(y * y for y in b)
    )


def test_query_and_document_prompts_differ(real_index) -> None:  # type: ignore[no-untyped-def]
    _, index = real_index
    embeddings = index.embeddings
    assert isinstance(embeddings, SentenceTransformerEmbeddings)
    text = "Studenten Reis Product"
    as_query, as_doc = embeddings.embed_query(text), embeddings.embed_documents([text])[0]
    assert len(as_query) == embeddings.dimension == 768
    assert _cos(as_query, as_doc) < 0.99  # different prompts, different vectors


def test_dutch_query_ranks_the_srp_letter_first(real_index) -> None:  # type: ignore[no-untyped-def]
    settings, index = real_index
    retriever = build_retriever(settings, index=index)
    hits = retriever.search(
        "Wat vraagt IPO aan de minister van OCW over het contract voor studentenreizen?",
        k=5,
        scope=Scope.full(),
    )
    assert hits[0].source.startswith(SRP_LETTER), [h.source for h in hits]
    assert any(a.startswith(SRP_LETTER) for a in hits[0].alternates) or hits[1].source.startswith(SRP_LETTER)
    question = "Welke prioriteiten geven provincies mee voor de Nationale Digitaliseringsstrategie?"
    dense_only = index.store.query(index.embeddings.embed_query(question), 3)
    assert any("digitaliser" in h.source for h in dense_only), [h.source for h in dense_only]
