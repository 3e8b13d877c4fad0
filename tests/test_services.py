"""The services over a real embedded Chroma with the fake embedder: library, search and chat."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.core.answers import Answer, Delta, Stage
from assistant.core.records import Scope
from assistant.core.settings import Settings
from assistant.rag.retrieval import Filters
from assistant.services.chat import Command, parse_command
from assistant.services.library import LibraryError, Upload, safe_upload_name
from assistant.services.requests import Request
from assistant.services.wiring import Services

from .archive_helpers import DOCS, ingested_services, write_archive
from .conftest import FIXTURES

SRP_QUESTION = "Hoeveel minder inkomsten krijgt de OV-sector door de herijkingsmetingen?"


@pytest.fixture
def services(tmp_path: Path) -> Services:
    return ingested_services(tmp_path)


def test_ingest_reports_a_result_per_file_with_its_document(services: Services) -> None:
    again = services.library.ingest(Request(), [services.settings.archive])
    assert {f.status for f in again.files} == {"unchanged"} and len(again.files) == len(DOCS)
    assert all(f.chunks > 0 for f in again.files)


def test_documents_merge_file_copies_into_one_document(services: Services) -> None:
    documents = services.library.documents(Request())
    assert len(documents) == len(DOCS) - 1  # the letter and its copy are one document
    letter = next(d for d in documents if d.kenmerk == "11812/2024")
    assert letter.files == ("brieven/2024-11-05_srp.md", "brieven/2024-11-05_srp_kopie.md")
    assert letter.date == "2024-11-05" and letter.doc_type == "brief" and letter.access == "openbaar"
    assert letter.status == "volledig" and letter.chunks >= 2
    assert [d.date for d in documents] == sorted((d.date for d in documents), reverse=True)


def test_upload_stores_files_safely_and_the_next_search_sees_them(services: Services, tmp_path: Path) -> None:
    request = Request()
    before = services.search.search(request, "zoutwinning Friesland bodemdaling", k=3)
    assert not any("zoutwinning" in h.text for h in before)
    data = "# Zoutwinning\n\nDatum: 3 maart 2025\n\nDe provincie vraagt een onderzoek naar zoutwinning en bodemdaling.\n"
    report = services.library.upload(
        request, [Upload("zout.md", data.encode()), Upload("kapot.pdf", b"%PDF-1.4 kapot")]
    )
    statuses = {f.source: f.status for f in report.files}
    # Stored as the archive's own ingest stores it: under the archive's root, in its uploads folder.
    assert statuses == {"uploads/zout.md": "added", "uploads/kapot.pdf": "failed"}
    assert (services.settings.archive / "uploads" / "zout.md").read_text() == data
    assert next(f.reason for f in report.files if f.status == "failed")  # a readable reason
    assert request.audit.action == "upload" and request.audit.documents  # the added document
    searching = Request()
    after = services.search.search(searching, "zoutwinning bodemdaling", k=3)
    assert after and after[0].source == "uploads/zout.md" and "zoutwinning" in after[0].text
    assert searching.audit.action == "search" and after[0].doc_id in searching.audit.documents


@pytest.mark.parametrize(
    "name", ["../../buiten.md", "/etc/passwd.md", "..", ".verborgen.md", "script.sh", ""]
)
def test_upload_names_cannot_leave_the_archive(name: str) -> None:
    if name in ("../../buiten.md", "/etc/passwd.md"):
        assert "/" not in safe_upload_name(name)  # the folders are dropped, the name is kept
    else:
        with pytest.raises(LibraryError):
            safe_upload_name(name)


def test_upload_into_a_folder_outside_the_archive_is_refused(services: Services) -> None:
    with pytest.raises(LibraryError, match="buiten het archief"):
        services.library.upload(Request(), [Upload("a.md", b"# a\n\ntekst")], folder="../elders")


def test_remove_takes_the_document_out_of_search_and_keeps_its_files(services: Services) -> None:
    request = Request()
    letter = next(d for d in services.library.documents(request) if d.kenmerk == "11812/2024")
    removal = services.library.remove(request, letter.doc_id)
    assert len(removal.moved) == 2 and all(Path(moved).is_file() for _, moved in removal.moved)
    assert all(not Path(original).exists() for original, _ in removal.moved)
    hits = services.search.search(request, "herijkingsmetingen Studenten Reis Product 200 miljoen", k=5)
    assert all(h.doc_id != letter.doc_id for h in hits)
    assert letter.doc_id not in {d.doc_id for d in services.library.documents(request)}
    # The folder's next ingest does not bring it back (its files are in the recycle folder).
    again = services.library.ingest(request, [services.settings.archive])
    assert again.added == 0 and letter.doc_id not in {d.doc_id for d in services.library.documents(request)}
    with pytest.raises(LibraryError):
        services.library.remove(request, letter.doc_id)


def test_open_resolves_a_citation_to_its_file_and_marks_the_quote(services: Services) -> None:
    answer = services.chat.ask(Request(), SRP_QUESTION)
    citation = answer.citations[0]
    view = services.library.open(Request(), citation.chunk_id, citation.quote)
    assert (
        view.exists and str(view.path) == citation.path and Path(citation.root, citation.source) == view.path
    )
    assert view.span is not None
    start, end = view.span
    assert " ".join(view.text[start:end].split()) == citation.quote
    with pytest.raises(LibraryError):
        services.library.open(Request(), "bestaat-niet")


def test_stream_and_ask_give_the_same_answer(services: Services) -> None:
    chat = services.chat
    events = list(chat.stream(Request(), chat.start(), SRP_QUESTION))
    streamed = events[-1]
    asked = chat.ask(Request(), SRP_QUESTION)
    assert isinstance(streamed, Answer) and not streamed.refused
    assert [e for e in events[:-1] if not isinstance(e, Delta | Stage)] == []
    assert (streamed.text, streamed.citations) == (asked.text, asked.citations)
    assert streamed.to_json()["citations"] == asked.to_json()["citations"]


def test_conversation_keeps_turns_and_follow_ups_lean_on_them(services: Services) -> None:
    chat = services.chat
    conversation = chat.start()
    chat.ask(Request(), "Wat vraagt IPO over het Studenten Reis Product?", conversation)
    follow_up = chat.ask(Request(), "En hoeveel minder inkomsten zijn dat?", conversation)
    assert len(conversation.turns) == 2 and "Studenten" in follow_up.standalone
    assert chat.conversation(conversation.id) is conversation
    assert chat.start().turns == []


def test_filters_and_scope_travel_with_the_request(services: Services) -> None:
    request = Request(filters=Filters(doc_types=("position paper",)))
    hits = services.search.search(request, "tekort studenten OV herijking", k=5)
    assert hits and {h.source for h in hits} == {"positions/2024-09-02_h3b.md"}
    nobody = Request(scope=Scope(frozenset()))
    assert services.search.search(nobody, "tekort studenten OV herijking", k=5) == []
    assert services.library.documents(nobody) == []


def test_chat_commands_are_parsed_once_for_every_edge() -> None:
    assert parse_command("Wat is SRP?") is None
    assert parse_command("/woordenlijst SRP") == Command("woordenlijst", "SRP")
    assert parse_command("/exit") == Command("stop") and parse_command("/nieuw") == Command("nieuw")
    assert parse_command("/onbekend") == Command("?")


def test_glossary_lookup_through_the_search_service(services: Services) -> None:
    (term,) = services.search.glossary("SRP")
    assert "Studenten Reis Product" in term.forms
    assert len(services.search.glossary()) > 30


def test_open_falls_back_to_the_chunk_when_the_file_is_gone(services: Services, tmp_path: Path) -> None:
    hit = services.search.search(Request(), "topprioriteit NDS informatiepositie", k=1)[0]
    shutil.move(hit.path, tmp_path / "weg.md")
    view = services.library.open(Request(), hit.chunk_id)
    assert not view.exists and view.text == hit.text and view.span == (0, len(hit.text))


def test_fixture_pdf_opens_on_its_page(tmp_path: Path) -> None:
    archive = tmp_path / "archief"
    archive.mkdir()
    shutil.copy(FIXTURES / "twee_paginas.pdf", archive / "twee_paginas.pdf")
    services = Services(
        Settings(home=tmp_path / "home", embedding_model="fake", llm="extractive", archive=archive)
    )
    services.library.ingest(Request(), [archive])
    hits = [h for h in services.search.search(Request(), "pagina", k=10) if h.page == 2]
    assert hits
    view = services.library.open(Request(), hits[0].chunk_id)
    assert view.location == "p. 2" and view.span is not None


def test_the_evaluation_store_holds_exactly_the_evaluation_archive(tmp_path: Path) -> None:
    """A store evaluated from another checkout before must not keep that checkout's chunks."""
    from eval.runner import prepare_index

    settings = Settings(home=tmp_path / "home", embedding_model="fake")
    old, new = write_archive(tmp_path / "oud"), write_archive(tmp_path / "nieuw")
    prepare_index(settings, {"data": [old]})
    index, report = prepare_index(settings, {"data": [new]})
    assert index.store.roots() == {str(new.resolve())} and report.added == len(DOCS)
    assert set(index.lexical.ids) == set(index.store.all_ids())


def test_an_opened_slide_knows_its_decks_pdf_export_even_under_another_name(tmp_path: Path) -> None:
    from assistant.services.page_image import mark_hit

    from .conftest import REPO

    archive = tmp_path / "archief"
    archive.mkdir()
    deck = REPO / "data" / "presentaties" / "2024-11-19_presentatie-lobby-namens-de-provincies-in-den-haag"
    shutil.copy(deck.with_suffix(".pptx"), archive / "2024-11-19_lobby.pptx")
    shutil.copy(deck.with_suffix(".pdf"), archive / "2024-11-19_lobby-export.pdf")
    settings = Settings(home=tmp_path / "home", embedding_model="fake", llm="extractive", archive=archive)
    services = Services(settings)
    services.library.ingest(Request(), [archive])
    slide = next(
        chunk_id
        for chunk_id, meta in services.library.store.metadatas()
        if meta["source"] == "2024-11-19_lobby.pptx" and meta.get("slide") == 25
    )
    view = services.library.open(Request(), slide)
    assert view.hit.alternates == ("2024-11-19_lobby-export.pdf",)
    marked = mark_hit(view.hit)
    assert marked is not None and marked.size[0] > marked.size[1]  # a landscape slide page
