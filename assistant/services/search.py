"""Search service: ranked passages for a query within the request's scope and filters, and the glossary."""

from __future__ import annotations

from assistant.core.records import Hit
from assistant.rag.glossary import Glossary, Term
from assistant.rag.retrieval import Retriever
from assistant.services.audit import NO_AUDIT, AuditLog, audited
from assistant.services.requests import Request


class SearchService:
    """Hybrid search over the archive (what ``lobby search`` and the web app's source picker use)."""

    def __init__(self, retriever: Retriever, glossary: Glossary, *, audit: AuditLog = NO_AUDIT) -> None:
        self.retriever = retriever
        self._glossary = glossary
        self.audit = audit

    @audited
    def search(self, request: Request, query: str, *, k: int = 5) -> list[Hit]:
        """The ``k`` best passages for ``query`` that the request may see, best first."""
        request.audit.action = request.audit.action or "search"
        request.audit.detail = query
        hits = self.retriever.search(query, k=k, filters=request.filters, scope=request.scope)
        request.audit.shown([h.doc_id for h in hits])
        return hits

    def glossary(self, term: str | None = None) -> list[Term]:
        """Glossary entries matching ``term`` (an abbreviation or words of its meaning); all without one."""
        return self._glossary.lookup(term) if term else list(self._glossary.terms)
