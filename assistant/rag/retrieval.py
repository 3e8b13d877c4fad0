"""Retrieval: dense (Chroma) and lexical (BM25) candidates, fused, reranked, filtered, de-duplicated.

    query -> glossary expansion -> dense top-N (Chroma, metadata pre-filter)
                                -> BM25 top-N (metadata post-filter)
          -> reciprocal rank fusion -> reranker (seam) -> collapse near-duplicates -> top k

The retriever receives its parts; :mod:`assistant.services.wiring` builds the real ones. Returned hits keep
their raw dense and BM25 scores, which the evidence gate reads.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from typing import Any, Protocol

from langchain_core.embeddings import Embeddings

from assistant.core.dates import InvalidDateError, parse_user_date
from assistant.core.records import Hit, Scope
from assistant.core.tokens import containment, fold_accents, tokenize
from assistant.index.fusion import reciprocal_rank_fusion
from assistant.index.lexical import LexicalIndex
from assistant.index.store import VectorStore
from assistant.rag.glossary import Glossary

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Filters:
    """Restrictions on what may be retrieved. Dates are ISO ``YYYY-MM-DD`` and inclusive.

    ``addressee`` matches case- and accent-insensitively as a substring ("Bruins", "minister van OCW");
    ``folder`` is a folder of the ingested tree ("brieven") or the name of an ingested root.
    """

    date_from: str | None = None
    date_to: str | None = None
    doc_types: tuple[str, ...] = ()
    addressee: str | None = None
    folder: str | None = None
    doc_ids: tuple[str, ...] = ()  # only these documents (a draft's pinned sources)
    exclude_doc_ids: tuple[str, ...] = ()  # never these documents (sources the advisor ruled out)

    def __post_init__(self) -> None:
        """Dates as users type them ("5-11-2024", "5 november 2024") become ISO; others raise.

        :class:`assistant.core.dates.InvalidDateError` (a ``ValueError`` with a Dutch message) for a date that
        is not a real calendar date, so "2024-13-45" is an error and never a wrong number.
        """
        for name in ("date_from", "date_to"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, parse_user_date(value))
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise InvalidDateError(f"de begindatum {self.date_from} ligt na de einddatum {self.date_to}")

    @property
    def active(self) -> bool:
        return any(
            (self.date_from, self.date_to, self.doc_types, self.addressee, self.folder, self.doc_ids,
             self.exclude_doc_ids)
        )  # fmt: skip

    def where(self) -> dict[str, Any] | None:
        """The part Chroma can apply itself: date range and document types."""
        clauses: list[dict[str, Any]] = []
        if self.date_from:
            clauses.append({"date_int": {"$gte": int(self.date_from.replace("-", ""))}})
        if self.date_to:
            clauses.append({"date_int": {"$lte": int(self.date_to.replace("-", ""))}})
        if self.doc_types:
            clauses.append({"doc_type": {"$in": list(self.doc_types)}})
        if self.doc_ids:
            clauses.append({"doc_id": {"$in": list(self.doc_ids)}})
        if self.exclude_doc_ids:
            clauses.append({"doc_id": {"$nin": list(self.exclude_doc_ids)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def matches(self, metadata: dict[str, Any]) -> bool:
        """All filters, applied to a chunk's stored metadata."""
        date = str(metadata.get("date") or "")
        if (self.date_from or self.date_to) and not date:
            return False
        if self.date_from and date < self.date_from:
            return False
        if self.date_to and date > self.date_to:
            return False
        if self.doc_types and metadata.get("doc_type") not in self.doc_types:
            return False
        if self.doc_ids and metadata.get("doc_id") not in self.doc_ids:
            return False
        if self.exclude_doc_ids and metadata.get("doc_id") in self.exclude_doc_ids:
            return False
        if self.addressee and fold_accents(self.addressee) not in fold_accents(
            str(metadata.get("addressee", ""))
        ):
            return False
        if self.folder:
            folder = self.folder.strip("/")
            source = str(metadata.get("source", ""))
            root = PurePosixPath(str(metadata.get("root", "")))
            in_tree = source.startswith(folder + "/")
            is_root = root.name == folder or str(root) == "/" + folder
            if not (in_tree or is_root):
                return False
        return True


def _all_of(*clauses: dict[str, Any] | None) -> dict[str, Any] | None:
    """Chroma ``where`` clauses combined with ``$and`` (``None`` parts dropped)."""
    present = [c for c in clauses if c]
    if not present:
        return None
    return present[0] if len(present) == 1 else {"$and": present}


class Reranker(Protocol):
    """Second stage over fused candidates; a cross-encoder where one can be had."""

    def rerank(self, query: str, hits: Sequence[Hit]) -> list[Hit]: ...


class IdentityReranker:
    """Keeps the fused order."""

    def rerank(self, query: str, hits: Sequence[Hit]) -> list[Hit]:
        return list(hits)


class CoverageReranker:
    """Adds to the fused score the share of the query's content words a chunk contains.

    RRF rewards agreement between retrievers; this rewards chunks that contain what was asked,
    which helps when one side returns a topically close but off-target chunk.
    """

    def __init__(self, weight: float = 0.01) -> None:
        self.weight = weight

    def rerank(self, query: str, hits: Sequence[Hit]) -> list[Hit]:
        wanted = set(tokenize(query))
        if not wanted:
            return list(hits)
        rescored = [
            replace(h, score=h.score + self.weight * len(wanted & set(tokenize(h.text))) / len(wanted))
            for h in hits
        ]
        return sorted(rescored, key=lambda h: -h.score)


class CrossEncoderReranker:
    """A sentence-transformers cross-encoder (a local directory or hub id), loaded on first use."""

    def __init__(self, model: str) -> None:
        self.model_name = model
        self._model: Any = None

    def rerank(self, query: str, hits: Sequence[Hit]) -> list[Hit]:
        if not hits:
            return []
        if self._model is None:
            from sentence_transformers import CrossEncoder

            self._model = CrossEncoder(self.model_name, device="cpu")
        scores = self._model.predict([(query, h.text) for h in hits])
        rescored = [replace(h, score=float(s)) for h, s in zip(hits, scores, strict=True)]
        return sorted(rescored, key=lambda h: -h.score)


def collapse_duplicates(hits: Sequence[Hit], *, threshold: float = 0.8) -> list[Hit]:
    """Merge hits from different files of the same document when one passage (nearly) holds the other.

    The same letter kept as DOCX and PDF is chunked differently (PDF by page, DOCX by section), so
    copies are recognised by containment of tokens rather than equal text, among files with the same
    ``doc_id`` (a slide that quotes a letter is another document and stays). The best-ranked copy stays;
    the other files are listed in its ``alternates``, so an answer cites the letter once.

    Texts are tokenized only when a pair of files of one document is compared (most hits have no such
    pair): tokenizing every candidate was most of a search's time.
    """
    kept: list[Hit] = []
    kept_tokens: list[set[str] | None] = []
    for hit in hits:
        tokens: set[str] | None = None
        for index, other in enumerate(kept):
            if other.source == hit.source or other.doc_id != hit.doc_id:
                continue
            if tokens is None:
                tokens = set(tokenize(hit.text))
            other_tokens = kept_tokens[index]
            if other_tokens is None:
                other_tokens = kept_tokens[index] = set(tokenize(other.text))
            # Passages of under five words are too short to call copies of each other.
            if min(len(tokens), len(other_tokens)) >= 5 and containment(tokens, other_tokens) >= threshold:
                if hit.source not in other.alternates:
                    kept[index] = replace(other, alternates=(*other.alternates, hit.source))
                break
        else:
            kept.append(hit)
            kept_tokens.append(tokens)
    return kept


@dataclass(frozen=True, slots=True)
class RetrievalOptions:
    """Candidate pool sizes, the fusion's constant and BM25 weight, and which parts run."""

    candidates: int = 30
    filtered_candidates: int = 150
    duplicate_containment: float = 0.8
    rrf_k: int = 60
    lexical_weight: float = 0.3
    expand: bool = True
    dense: bool = True
    lexical: bool = True


class Retriever:
    """Hybrid search over one store and its lexical index."""

    def __init__(
        self,
        store: VectorStore,
        lexical: LexicalIndex,
        embeddings: Embeddings,
        *,
        glossary: Glossary | None = None,
        reranker: Reranker | None = None,
        options: RetrievalOptions | None = None,
    ) -> None:
        self.store = store
        self.lexical = lexical
        self.embeddings = embeddings
        self.glossary = glossary
        self.reranker = reranker or IdentityReranker()
        self.options = options or RetrievalOptions()

    def idf(self, scope: Scope) -> Callable[[str], float]:
        """The IDF the evidence gate weighs question words by, counted over what ``scope`` may see."""
        return functools.partial(self.lexical.idf, scope=scope)

    def expand(self, query: str) -> str:
        """The query as searched: with glossary expansions where enabled."""
        return self.glossary.expand(query) if self.glossary and self.options.expand else query

    def _dense(self, vector: list[float], n: int, where: dict[str, Any] | None) -> list[Hit]:
        """The ``n`` nearest chunks that ``where`` selects.

        Chroma's own ``where`` scans every chunk's metadata (300-800 ms at 100k chunks), so the clause is
        evaluated on the lexical index's columns instead (:mod:`assistant.index.facets`) and the vector
        search is restricted to the selected ids. When most chunks pass (a scope that hides only a few
        confidential documents), an unrestricted search with room to spare is cheaper than sending most
        ids along, and gives the same hits when enough of them pass.
        """
        if where is None:
            return self.store.query(vector, n)
        selected = self.lexical.matching(where)
        if selected is None:  # no filter columns (an index built before them) or a clause not known there
            return self.store.query(vector, n, where=where)
        share = selected.share
        if share >= 0.5:
            wide = self.store.query(vector, int(n / share) + n)
            kept = [h for h in wide if h.chunk_id in selected][:n]
            if len(kept) >= min(n, int(selected.mask.sum())):
                return kept
        return self.store.query(vector, n, ids=selected.ids())

    def search(self, query: str, *, scope: Scope, k: int = 5, filters: Filters | None = None) -> list[Hit]:
        """The ``k`` best chunks for ``query`` that ``scope`` may see and that pass ``filters``, best first.

        The scope is applied before ranking (in Chroma's query, and BM25 searches the scope's own index),
        so nothing above the caller's access level takes part in fusion, de-duplication or the gate's
        statistics (:meth:`idf` is the scope's too).
        """
        filters = filters or Filters()
        searched = self.expand(query)
        restricted = filters.active or scope.where() is not None
        n = max(k * 3, self.options.filtered_candidates if restricted else self.options.candidates)

        def allowed(hit: Hit) -> bool:
            return scope.allows(hit.metadata.get("access")) and filters.matches(hit.metadata)

        dense: list[Hit] = []
        if self.options.dense:
            where = _all_of(filters.where(), scope.where())
            dense = self._dense(self.embeddings.embed_query(searched), n, where)
            dense = [h for h in dense if allowed(h)]
        known = {h.chunk_id: replace(h, dense=h.score) for h in dense}
        lexical_scores: dict[str, float] = {}
        if self.options.lexical:
            lexical_scores = dict(self.lexical.search(searched, n, scope))
            missing = [i for i in lexical_scores if i not in known]
            known.update({h.chunk_id: h for h in self.store.get(missing)})
        lexical_ranking = [i for i in lexical_scores if i in known and allowed(known[i])]
        fused = reciprocal_rank_fusion(
            [[h.chunk_id for h in dense], lexical_ranking],
            k=self.options.rrf_k,
            weights=[1.0, self.options.lexical_weight],
        )
        candidates = [
            replace(known[i], score=score, lexical=lexical_scores.get(i))
            for i, score in fused[: max(k * 4, 20)]
        ]
        reranked = self.reranker.rerank(searched, candidates)
        return collapse_duplicates(reranked, threshold=self.options.duplicate_containment)[:k]
