"""Drafting with fake parts: per-section retrieval, checked paragraphs, gaps, pins, exclusions, newest line."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document

from assistant.core.answers import CheckedSentence
from assistant.core.drafts import DraftTemplate, SectionSpec
from assistant.core.records import Hit, Scope
from assistant.rag.drafting import Drafter, DraftOptions, newer_statements
from assistant.rag.glossary import load_glossary
from assistant.rag.prompts import PromptLibrary
from assistant.rag.retrieval import Retriever
from assistant.rag.steps import Generate
from assistant.services.draft_export import render_markdown, write_docx
from assistant.services.wiring import Index
from assistant.testing import EchoChatModel

from .archive_helpers import ingested_index

FULL = Scope.full()
TEMPLATE = DraftTemplate(
    name="test-notitie",
    title="Notitie",
    description="test",
    audience="Kamerleden",
    tone="constructief",
    words=200,
    sections=(
        SectionSpec("Studenten-OV", ("tekort door de herijking van het Studenten OV",), 90),
        SectionSpec(
            "Digitalisering", ("topprioriteit NDS informatiepositie", "windturbines op zee bij Texel"), 90
        ),
    ),
)
OPTIONS = DraftOptions(min_dense=0.0, min_share=0.5)  # fake embeddings: similarity means nothing


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    return ingested_index(tmp_path_factory.mktemp("drafting"))


def _drafter(index: Index, generator: Generate | None = None) -> Drafter:
    retriever = Retriever(index.store, index.lexical, index.embeddings, glossary=load_glossary())
    return Drafter(retriever, generator, options=OPTIONS)


def _doc_id(index: Index, needle: str) -> str:
    return next(str(m["doc_id"]) for _, m in index.store.metadatas() if needle in str(m["source"]))


def test_every_paragraph_is_verified_or_its_ask_is_in_the_gap_report(index: Index) -> None:
    stages: list[tuple[int, str]] = []
    draft = _drafter(index).draft(
        TEMPLATE,
        "provinciale inbreng",
        scope=FULL,
        progress=lambda n, total, title, stage: stages.append((n, stage)),
    )
    assert [s.title for s in draft.sections] == ["Studenten-OV", "Digitalisering"]
    assert draft.paragraphs() and draft.verified_share() == 1.0
    assert all(p.citations and all(c.supported for c in p.checked) for p in draft.paragraphs())
    assert [g.ask for g in draft.gaps] == ["windturbines op zee bij Texel"]
    assert {n for p in draft.paragraphs() for n in p.citations} == {c.n for c in draft.sources}
    assert [c.n for c in draft.sources] == list(range(1, len(draft.sources) + 1))
    assert (1, "zoeken") in stages and (2, "controleren") in stages
    assert "informatiepositie" in draft.sections[1].paragraphs[0].text


def test_the_newest_figure_leads_and_the_older_one_is_flagged(index: Index) -> None:
    draft = _drafter(index).draft(TEMPLATE, "provinciale inbreng", scope=FULL)
    paragraph = draft.sections[0].paragraphs[0]
    assert paragraph.text.index("€200 miljoen") < paragraph.text.index("€ 75 mln")
    assert any(
        note.startswith("Bedragen naar datum (nieuwste eerst): 5 november 2024") for note in paragraph.notes
    )
    assert not any(note.startswith("Let op:") for note in paragraph.notes)  # both figures already shown


def test_an_older_amount_is_flagged_when_a_newer_document_found_for_the_same_ask_names_another() -> None:
    paper = Hit("a", "Er dreigt een tekort van € 75 mln per jaar.", 1.0,
                {"date": "2024-09-02", "doc_id": "paper", "title": "Paper"})  # fmt: skip
    letter = Hit("b", "Het tekort door de herijking is ruim €200 miljoen.", 1.0,
                 {"date": "2024-11-05", "doc_id": "letter", "title": "Brief OCW"})  # fmt: skip
    deck = Hit("c", "Provincies zijn blij met € 300 mln voor betaalbaar OV.", 1.0,
               {"date": "2024-11-19", "doc_id": "deck", "title": "Dia's"})  # fmt: skip
    kept = [CheckedSentence("Er dreigt een tekort van € 75 mln per jaar.", (1,), (1,))]
    (note,) = newer_statements("tekort door de herijking", kept, [paper, letter, deck], [paper])
    assert note.startswith("Let op: [1] (2 september 2024) noemt € 75 mln; het nieuwere stuk 'Brief OCW'")
    assert "€200 miljoen" in note and "300 mln" not in note  # the deck is not about this ask
    assert newer_statements("tekort door de herijking", kept, [paper], [paper]) == []


def test_an_excluded_source_is_never_used_and_a_pinned_one_is(index: Index) -> None:
    letter, paper = _doc_id(index, "2024-11-05_srp.md"), _doc_id(index, "2024-09-02_h3b")
    without = _drafter(index).draft(TEMPLATE, "provinciale inbreng", scope=FULL, excluded=[letter])
    assert letter not in without.used and paper in without.used
    assert all("200 miljoen" not in p.text for p in without.paragraphs())
    pinned = _drafter(index).draft(TEMPLATE, "provinciale inbreng", scope=FULL, pinned=[paper])
    assert paper in pinned.used and pinned.pinned == (paper,)


def test_a_model_paragraph_is_checked_and_falls_back_to_the_sources_sentences(index: Index) -> None:
    llm = EchoChatModel(prompts=[], reply="De provincies krijgen 5 miljard euro extra van het Rijk [1].")
    generator = Generate(llm, PromptLibrary())
    draft = _drafter(index, generator).draft(TEMPLATE, "provinciale inbreng", scope=FULL)
    assert draft.backend == "model" and llm.prompts  # the model was asked, per ask
    assert "Onderdeel: Studenten-OV" in llm.prompts[0] and "€200 miljoen" in llm.prompts[0]
    assert all("5 miljard" not in p.text for p in draft.paragraphs())  # invented: removed
    assert draft.paragraphs() and draft.verified_share() == 1.0  # the sources' sentences stand in
    assert {p.origin for p in draft.paragraphs()} == {"bronnen"}


def test_the_draft_renders_to_markdown_and_a_docx_with_comments(index: Index, tmp_path: Path) -> None:
    draft = _drafter(index).draft(TEMPLATE, "provinciale inbreng", scope=FULL, addressee="de vaste commissie")
    markdown = render_markdown(draft)
    assert (
        "## Studenten-OV" in markdown and "geen bron gevonden voor: windturbines op zee bij Texel" in markdown
    )
    path = write_docx(draft, tmp_path / "concept" / "notitie.docx")
    document = Document(str(path))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Studenten-OV" in text and "windturbines op zee bij Texel" in text
    cited = [p for p in draft.paragraphs() if p.citations]
    assert len(list(document.comments)) == len(cited)
    for paragraph, comment in zip(cited, document.comments, strict=True):  # the paragraph's own passages
        own = [q for c in paragraph.checked for q in c.quotes.values()]
        assert own and all(" ".join(q.split()) in comment.text for q in own)


def test_a_model_sentence_that_holds_is_kept_but_only_with_this_asks_sources(index: Index) -> None:
    sentence = (
        "Voor de jaren vanaf 2025 kan de OV-sector ruim €200 miljoen minder inkomsten tegemoet zien door de "
        "herijkingsmetingen van het Studenten Reis Product. [1]"
    )
    generator = Generate(EchoChatModel(prompts=[], reply=sentence), PromptLibrary())
    draft = _drafter(index, generator).draft(TEMPLATE, "provinciale inbreng", scope=FULL)
    first, second = draft.sections[0].paragraphs[0], draft.sections[1].paragraphs[0]
    assert first.origin == "model" and "€200 miljoen" in first.text
    # The NDS ask was not shown the letter: the same sentence citing [1] does not hold there.
    assert second.origin == "bronnen" and "€200 miljoen" not in second.text


def test_two_chunks_of_one_page_are_one_source_number() -> None:
    from assistant.rag.drafting import _Registry

    first = Hit("c1", "Eerste helft van pagina 2.", 1.0, {"doc_id": "d", "page": 2, "title": "Brief"})
    second = Hit("c2", "Tweede helft van pagina 2.", 1.0, {"doc_id": "d", "page": 2, "title": "Brief"})
    other = Hit("c3", "Pagina 3.", 1.0, {"doc_id": "d", "page": 3, "title": "Brief"})
    registry = _Registry([])
    assert [registry.number(h) for h in (first, second, other, second)] == [1, 1, 2, 1]
    assert "Eerste helft" in registry.hits[0].text and "Tweede helft" in registry.hits[0].text
    assert registry.merged == {1}
