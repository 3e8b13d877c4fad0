"""Drafting service: templates, pinned and excluded sources as users name them, and the draft itself.

Advisors name sources as they see them (a document id from ``lobby documents``, a file name, part of a
title); the service resolves each to exactly one document and says so when a name matches none or
several, rather than drafting without the source the advisor asked for. Used by the CLI and the web app.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from assistant.core.drafts import Draft, DraftTemplate
from assistant.core.tokens import fold_accents
from assistant.rag.draft_templates import find_template, load_templates
from assistant.rag.drafting import Drafter, Progress
from assistant.services.audit import NO_AUDIT, AuditLog, audited
from assistant.services.library import DocumentInfo
from assistant.services.requests import Request


class SourceNotFoundError(ValueError):
    """A pinned or excluded source name that matches no document, or more than one (Dutch message)."""


def resolve_source(name: str, documents: Sequence[DocumentInfo]) -> str:
    """The id of the one document ``name`` stands for: its id, a file (path or name), or part of its title."""
    wanted = fold_accents(name.strip()).lower()
    exact = [d for d in documents if d.doc_id == name.strip()]
    if exact:
        return exact[0].doc_id
    by_file = [
        d for d in documents
        if any(fold_accents(f).lower() == wanted or fold_accents(Path(f).name).lower() == wanted
               or fold_accents(Path(f).stem).lower() == wanted for f in d.files)
    ]  # fmt: skip
    if len(by_file) == 1:
        return by_file[0].doc_id
    matches = by_file or [
        d for d in documents
        if wanted in fold_accents(d.title).lower() or any(wanted in fold_accents(f).lower() for f in d.files)
    ]  # fmt: skip
    if len(matches) == 1:
        return matches[0].doc_id
    if not matches:
        raise SourceNotFoundError(f"geen document gevonden voor '{name}' (zie lobby documents)")
    listed = "; ".join(f"{d.doc_id} ({d.title})" for d in matches[:5])
    raise SourceNotFoundError(f"'{name}' past op {len(matches)} documenten: {listed}. Geef het document-id.")


class DraftService:
    """Lists templates and drafts a contribution from the archive the request may see.

    The drafter (and with it the chat model) is built on the first draft, after the template and the
    source names have been checked, and the library is read only to resolve source names: listing
    templates or a typo in a name costs no model load.
    """

    def __init__(
        self,
        make_drafter: Callable[[], Drafter],
        documents: Callable[[Request], list[DocumentInfo]],
        *,
        template_dirs: Sequence[Path] = (),
        audit: AuditLog = NO_AUDIT,
    ) -> None:
        self.audit = audit
        self._make_drafter = make_drafter
        self._drafter: Drafter | None = None
        self.documents = documents  # the library's listing, to resolve source names
        self.template_dirs = tuple(template_dirs)

    @property
    def drafter(self) -> Drafter:
        if self._drafter is None:
            self._drafter = self._make_drafter()
        return self._drafter

    def templates(self) -> list[DraftTemplate]:
        """Every template, the built-in ones and the user's (a user's file overrides one of the same name)."""
        return list(load_templates(*self.template_dirs).values())

    def template(self, name: str) -> DraftTemplate:
        return find_template(name, *self.template_dirs)

    @audited
    def draft(
        self,
        request: Request,
        template: str,
        subject: str,
        *,
        addressee: str = "",
        minutes: float | None = None,
        pinned: Sequence[str] = (),
        excluded: Sequence[str] = (),
        points: Sequence[str] = (),
        progress: Progress | None = None,
    ) -> Draft:
        """A sourced draft of ``template`` on ``subject``; raises for an unknown template or source name."""
        spec = self.template(template).scaled(minutes)
        documents = self.documents(request) if (pinned or excluded) else []
        pins = tuple(dict.fromkeys(resolve_source(n, documents) for n in pinned))
        outs = tuple(dict.fromkeys(resolve_source(n, documents) for n in excluded))
        overlap = set(pins) & set(outs)
        if overlap:
            raise SourceNotFoundError(
                f"een bron is tegelijk vastgezet en uitgesloten: {', '.join(sorted(overlap))}"
            )
        request.audit.action = "draft"
        request.audit.detail = f"{spec.name}: {subject}"
        if self._drafter is None and progress:
            # The first draft of a process loads the index and the chat model: seconds of silence otherwise.
            progress(0, len(spec.sections) + bool(points), "voorbereiding", "archief en taalmodel laden")
        draft = self.drafter.draft(
            spec, subject, scope=request.scope, addressee=addressee, filters=request.filters,
            pinned=pins, excluded=outs, points=points, progress=progress,
        )  # fmt: skip
        request.audit.shown(draft.used)
        return draft
