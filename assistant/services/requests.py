"""The request every service call carries: who asks, what they may see, their filters, the audit record.

Edges build one per call (the web app from the signed-in user's role, the command line with full access
or ``--scope``); services fill its audit record and write it to the audit log (:mod:`.audit`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from assistant.core.records import Scope
from assistant.rag.retrieval import Filters


@dataclass(slots=True)
class AuditRecord:
    """What one request did, for the audit log: its action and every document it showed or changed."""

    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    action: str = ""
    detail: str = ""
    documents: list[str] = field(default_factory=list)
    #: How many audited service calls are running for this request: a call made inside another (a draft
    #: listing the library to resolve a source name) adds to the outer call's line instead of writing one.
    depth: int = 0
    written: bool = False  # the audit log has this record: a further call on the request starts a new one

    def shown(self, doc_ids: list[str] | tuple[str, ...]) -> None:
        """Record documents as shown (or changed), once each, in order."""
        self.documents.extend(d for d in doc_ids if d not in self.documents)


@dataclass(slots=True)
class Request:
    """One call from an edge: the user, their access scope, the filters they set, and the audit record."""

    user: str = "lokaal"
    scope: Scope = field(default_factory=Scope.full)
    filters: Filters = field(default_factory=Filters)
    audit: AuditRecord = field(default_factory=AuditRecord)
