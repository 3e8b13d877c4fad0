"""Naming a source to pin or exclude: by id, file or part of the title, and a clear error otherwise."""

from __future__ import annotations

import pytest

from assistant.services.drafting import SourceNotFoundError, resolve_source
from assistant.services.library import DocumentInfo


def _doc(doc_id: str, title: str, *files: str) -> DocumentInfo:
    return DocumentInfo(doc_id, title, None, None, None, None, "openbaar", files, "/archief", 1, "volledig")


DOCS = [
    _doc(
        "k-1", "Contract Studenten Reis Product", "brieven/2024-11-05_srp.docx", "brieven/2024-11-05_srp.pdf"
    ),
    _doc("k-2", "Inzet gezamenlijke provincies Hoofdlijnenakkoord 2024", "positions/2024-09-02_h3b.docx"),
    _doc("k-3", "Inzet provincies NDS", "brieven/2024-11-01_nds.docx"),
]


def test_a_source_is_found_by_id_file_stem_file_name_or_title_part() -> None:
    assert resolve_source("k-2", DOCS) == "k-2"
    assert resolve_source("2024-11-05_srp", DOCS) == "k-1"  # the stem both copies share
    assert resolve_source("brieven/2024-11-05_srp.pdf", DOCS) == "k-1"
    assert resolve_source("hoofdlijnenakkoord", DOCS) == "k-2"


def test_no_match_or_several_is_an_error_that_says_which() -> None:
    with pytest.raises(SourceNotFoundError, match="geen document gevonden voor 'windbeleid'"):
        resolve_source("windbeleid", DOCS)
    with pytest.raises(SourceNotFoundError, match="past op 2 documenten: k-2") as error:
        resolve_source("Inzet", DOCS)
    assert "k-3" in str(error.value) and "Geef het document-id" in str(error.value)


def test_an_unknown_template_or_source_is_reported_before_any_model_is_built() -> None:
    from assistant.rag.draft_templates import TemplateError
    from assistant.services.drafting import DraftService
    from assistant.services.requests import Request

    def no_model() -> None:
        raise AssertionError("the drafter (and its model) must not be built")

    service = DraftService(no_model, lambda request: DOCS)  # type: ignore[arg-type]
    assert "position-paper" in {t.name for t in service.templates()}
    with pytest.raises(TemplateError, match="persbericht"):
        service.draft(Request(), "persbericht", "x")
    with pytest.raises(SourceNotFoundError, match="windbeleid"):
        service.draft(Request(), "position-paper", "x", pinned=["windbeleid"])
