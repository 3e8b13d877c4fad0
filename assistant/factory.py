"""The one place that wires real parts from Settings; edges (CLI, UI) call only these builders."""

from __future__ import annotations

from dataclasses import dataclass

from langchain_core.embeddings import Embeddings

from assistant.answering import Answerer, AnswerOptions
from assistant.config import Settings
from assistant.embeddings import embedding_model_id, make_embeddings
from assistant.gate import Thresholds
from assistant.glossary import load_glossary
from assistant.lexical import LexicalIndex
from assistant.llm import make_chat_model
from assistant.retrieval import (
    CoverageReranker,
    CrossEncoderReranker,
    IdentityReranker,
    Reranker,
    RetrievalOptions,
    Retriever,
)
from assistant.store import VectorStore, open_store


@dataclass(frozen=True, slots=True)
class Index:
    """The stores one embedding model reads and writes: vectors in Chroma, BM25 beside them."""

    store: VectorStore
    lexical: LexicalIndex
    embeddings: Embeddings


def build_index(settings: Settings, *, embeddings: Embeddings | None = None) -> Index:
    """Open the collection and lexical index that belong to the configured embedding model."""
    embeddings = embeddings if embeddings is not None else make_embeddings(settings)
    store = open_store(settings, embedding_model_id(embeddings))
    lexical = LexicalIndex(settings.lexical_dir / store.name)
    return Index(store=store, lexical=lexical, embeddings=embeddings)


def build_retriever(settings: Settings, *, index: Index | None = None) -> Retriever:
    """Hybrid retriever with the glossary and the configured reranker."""
    index = index if index is not None else build_index(settings)
    return Retriever(
        index.store,
        index.lexical,
        index.embeddings,
        glossary=load_glossary(),
        reranker=build_reranker(settings),
        options=RetrievalOptions(
            expand=settings.glossary_expansion, rrf_k=settings.rrf_k, lexical_weight=settings.lexical_weight
        ),
    )


def build_reranker(settings: Settings) -> Reranker:
    """The configured second stage (see ``LOBBY_RERANKER``)."""
    if settings.reranker == "identity":
        return IdentityReranker()
    if settings.reranker == "coverage":
        return CoverageReranker()
    return CrossEncoderReranker(settings.reranker)


def build_answerer(settings: Settings, *, index: Index | None = None, llm: str | None = None) -> Answerer:
    """The answerer users get: the configured retriever, chat model, prompts and thresholds."""
    retriever = build_retriever(settings, index=index)
    options = AnswerOptions(
        k=settings.answer_k,
        thresholds=Thresholds(settings.gate_min_dense, settings.gate_min_coverage),
        min_support=settings.citation_min_support,
        drop_unsupported=settings.drop_unsupported,
        condense_with_llm=settings.condense == "llm",
    )
    return Answerer(retriever, make_chat_model(settings, llm), options=options)
