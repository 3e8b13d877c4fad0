"""The one place that wires real parts from Settings; edges (CLI, UI) call only these builders."""

from __future__ import annotations

from dataclasses import dataclass

from langchain_core.embeddings import Embeddings

from assistant.config import Settings
from assistant.embeddings import embedding_model_id, make_embeddings
from assistant.lexical import LexicalIndex
from assistant.retrieval import Retriever
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
    index = index if index is not None else build_index(settings)
    return Retriever(index.store, index.lexical, index.embeddings)
