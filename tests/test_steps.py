"""Each answering step on its own: condense, retrieve, gate, compose, generate, verify, cite."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.messages import BaseMessage

from assistant.core.answers import Turn
from assistant.core.records import Hit, Scope
from assistant.rag.gate import Thresholds
from assistant.rag.glossary import load_glossary
from assistant.rag.prompts import PromptLibrary
from assistant.rag.retrieval import Retriever
from assistant.rag.steps import Generate, cite, compose, condense, gate, retrieve, verify
from assistant.services.wiring import Index
from assistant.testing import EchoChatModel

from .archive_helpers import ingested_index

FULL = Scope.full()
LETTER = Hit(
    "c1",
    "Aan de minister.\n\nVoor de jaren vanaf 2025 kan de OV-sector ruim €200 miljoen minder inkomsten\n"
    "tegemoet zien door de herijkingsmetingen. Wij verzoeken u om een bestuurlijk gesprek.",
    1.0,
    {"source": "brieven/srp.pdf", "root": "/archief", "doc_id": "k-srp", "title": "SRP", "date": "2024-11-05",
     "page": 2, "kenmerk": "11812/2024", "doc_type": "brief"},
)  # fmt: skip


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    return ingested_index(tmp_path_factory.mktemp("steps"))


@pytest.fixture
def retriever(index: Index) -> Retriever:
    return Retriever(index.store, index.lexical, index.embeddings, glossary=load_glossary())


def test_condense_keeps_standalone_questions_and_takes_only_question_like_rewrites() -> None:
    history = [Turn("Wat vraagt IPO over het Studenten Reis Product?", "Een gesprek [1].")]
    assert condense("Wat is de NDS?", []) == "Wat is de NDS?"
    assert "Studenten Reis Product" in condense("En wanneer was dat?", history)
    good = FakeListChatModel(responses=["Wanneer vroeg IPO om een gesprek over het SRP?"])
    assert (
        condense("En wanneer was dat?", history, llm=good) == "Wanneer vroeg IPO om een gesprek over het SRP?"
    )
    chatty = FakeListChatModel(responses=["Het IPO vroeg dat in november."])  # answers instead of rewriting
    assert "Studenten Reis Product" in condense("En wanneer was dat?", history, llm=chatty)


def test_retrieve_searches_once_deep_and_uses_the_first_k(retriever: Retriever) -> None:
    question = "Hoeveel minder inkomsten krijgt de OV-sector door de herijkingsmetingen?"
    found = retrieve(retriever, question, scope=FULL, k=2, depth=10)
    assert not found.timeline and found.k == 2 and len(found.top) == 2
    assert [h.chunk_id for h in found.top] == [
        h.chunk_id for h in retriever.search(question, k=2, scope=FULL)
    ]
    timeline = retrieve(retriever, "Wat zei IPO over het tekort, en wanneer?", scope=FULL, k=2, timeline_k=3)
    assert timeline.timeline and timeline.k == 3


def test_gate_refuses_weak_evidence_and_answers_strong(retriever: Retriever) -> None:
    thresholds = Thresholds(min_dense=0.05, min_coverage=0.5)
    strong = retriever.search("herijkingsmetingen Studenten Reis Product", k=3, scope=FULL)
    question = "herijkingsmetingen Studenten Reis Product"
    evidence, answerable = gate(question, strong, retriever, thresholds, scope=Scope.full())
    assert answerable and evidence.coverage >= 0.5
    weak = retriever.search("windturbines Texel", k=3, scope=FULL)
    assert not gate("windturbines Texel", weak, retriever, thresholds, scope=Scope.full())[1]
    nothing = gate("iets", [], retriever, Thresholds(0.0, 0.0), scope=Scope.full())
    assert not nothing[1]  # nothing retrieved: never answer


def test_compose_quotes_sources_with_markers() -> None:
    draft = compose("minder inkomsten herijkingsmetingen", [LETTER], timeline=False)
    assert "€200 miljoen" in draft and draft.endswith("[1]")
    dated = compose("minder inkomsten herijkingsmetingen", [LETTER], timeline=True)
    assert dated.startswith("- 5 november 2024 (SRP):")


def test_generate_streams_from_numbered_sources_and_serialises_the_model() -> None:
    llm = EchoChatModel(prompts=[])
    generator = Generate(llm, PromptLibrary(), max_sources=1)
    sources = generator.sources([LETTER, LETTER])
    assert len(sources) == 1
    text = "".join(generator.stream("minder inkomsten herijkingsmetingen", sources, timeline=False))
    assert "€200 miljoen" in text and "[1]" in text
    assert "Bron [1]: SRP (5 november 2024, brief, p. 2)" in llm.prompts[-1]

    inside = {"now": 0, "peak": 0}

    class Slow(EchoChatModel):
        def _stream(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> Iterator[Any]:
            inside["now"] += 1
            inside["peak"] = max(inside["peak"], inside["now"])
            time.sleep(0.05)
            yield from super()._stream(messages, *args, **kwargs)
            inside["now"] -= 1

    serial = Generate(Slow(prompts=[]), PromptLibrary())
    threads = [
        threading.Thread(target=lambda: list(serial.stream("inkomsten", [LETTER], timeline=False)))
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert inside["peak"] == 1  # llama.cpp is never entered by two requests at once


def test_the_prompt_shows_a_sentence_once_under_the_first_number_that_has_it() -> None:
    """The PDF and DOCX of one letter would repeat its sentences: tokens the first answer token waits for."""
    copy = Hit(
        "c2",
        "Wij verzoeken u om een bestuurlijk gesprek. Voor de jaren vanaf 2025 kan de OV-sector ruim €200 miljoen "
        "minder inkomsten tegemoet zien door de herijkingsmetingen.",
        0.9,
        {**LETTER.metadata, "source": "brieven/srp.docx", "page": None},
    )
    only_repeats = Hit("c3", "Wij verzoeken u om een bestuurlijk gesprek.", 0.8, dict(LETTER.metadata))
    prompt = Generate(None, PromptLibrary()).format_sources([LETTER, copy, only_repeats], "inkomsten", 90)
    assert prompt.count("€200 miljoen") == 1 and prompt.count("bestuurlijk gesprek") == 1
    assert "Bron [1]" in prompt and "Bron [3]" not in prompt  # nothing new under [3]: not shown


def test_verify_keeps_supported_sentences_and_removes_the_rest() -> None:
    draft = "De OV-sector mist ruim €200 miljoen aan inkomsten [1]. Het tekort is €300 miljoen [1]."
    checked = verify(draft, [LETTER], question="Welk tekort?")
    assert checked.removed == 1 and "€300" not in checked.text and "€200 miljoen" in checked.text
    assert checked.used == {1}
    flagged = verify(draft, [LETTER], drop_unsupported=False)
    assert "[niet geverifieerd]" in flagged.text


def test_cite_resolves_to_the_file_page_and_quote_span() -> None:
    checked = verify("De OV-sector mist ruim €200 miljoen aan inkomsten [1].", [LETTER])
    (citation,) = cite(checked.checked, [LETTER])
    assert (citation.doc_id, citation.root, citation.path, citation.page) == (
        "k-srp", "/archief", "/archief/brieven/srp.pdf", 2,
    )  # fmt: skip
    assert citation.kenmerk == "11812/2024" and "200 miljoen" in citation.quote
    assert citation.quote_start is not None and citation.quote_end is not None
    span = LETTER.text[citation.quote_start : citation.quote_end]
    assert " ".join(span.split()) == citation.quote  # the quote spans a line break in the source
