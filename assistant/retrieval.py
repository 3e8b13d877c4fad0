"""Retrieval: dense (Chroma) and lexical (BM25) candidates fused by reciprocal rank fusion.

The retriever receives its parts (store, lexical index, embeddings); :mod:`assistant.factory` builds
the real ones. Scores of returned hits are fused RRF scores (higher is better).
"""

from __future__ import annotations

from dataclasses import dataclass

from langchain_core.embeddings import Embeddings

from assistant.fusion import reciprocal_rank_fusion
from assistant.lexical import LexicalIndex
from assistant.schema import Hit
from assistant.store import VectorStore


@dataclass(frozen=True, slots=True)
class RetrievalOptions:
    """How many candidates each side contributes before fusion, and the RRF constant."""

    candidates: int = 30
    rrf_k: int = 60


class Retriever:
    """Hybrid search over one store and its lexical index."""

    def __init__(
        self,
        store: VectorStore,
        lexical: LexicalIndex,
        embeddings: Embeddings,
        options: RetrievalOptions | None = None,
    ) -> None:
        self.store = store
        self.lexical = lexical
        self.embeddings = embeddings
        self.options = options or RetrievalOptions()

    def search(self, query: str, *, k: int = 5) -> list[Hit]:
        """The ``k`` best chunks for ``query``, best first."""
        n = max(k, self.options.candidates)
        dense = self.store.query(self.embeddings.embed_query(query), n)
        lexical = self.lexical.search(query, n)
        fused = reciprocal_rank_fusion(
            [[h.chunk_id for h in dense], [chunk_id for chunk_id, _ in lexical]], k=self.options.rrf_k
        )[:k]
        known = {h.chunk_id: h for h in dense}
        missing = [chunk_id for chunk_id, _ in fused if chunk_id not in known]
        known.update({h.chunk_id: h for h in self.store.get(missing)})
        return [
            Hit(chunk_id, known[chunk_id].text, score, known[chunk_id].metadata)
            for chunk_id, score in fused
            if chunk_id in known
        ]
