"""The model's reading check: its copied answer counts only when it stands in the evidence, of the asked kind."""

from __future__ import annotations

from langchain_core.language_models.fake_chat_models import FakeListChatModel

from assistant.core.records import Scope
from assistant.rag.answering import Answerer, AnswerOptions
from assistant.rag.fact_check import FactCheck, accepts
from assistant.rag.gate import Thresholds
from assistant.rag.glossary import load_glossary
from assistant.rag.prompts import PromptLibrary
from assistant.rag.retrieval import Retriever

from .archive_helpers import ingested_index

EVIDENCE = ["In onze eerste kennismaking op 30 augustus 2024 heb ik kennisgenomen van uw voornemen."]


def test_a_copied_answer_must_stand_in_the_evidence_and_be_of_the_asked_kind() -> None:
    assert accepts("30 augustus 2024", EVIDENCE, "date")
    assert not accepts("GEEN", EVIDENCE, "date")
    assert not accepts("1 september 2024", EVIDENCE, "date")  # not in the evidence: invented
    assert accepts("uw voornemen", EVIDENCE, "other")


def test_the_answerer_refuses_when_the_reader_finds_nothing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    index = ingested_index(tmp_path)
    retriever = Retriever(index.store, index.lexical, index.embeddings, glossary=load_glossary())
    question = "Hoeveel minder inkomsten krijgt de OV-sector door de herijkingsmetingen?"
    options = AnswerOptions(k=3, thresholds=Thresholds(0.05, 0.5))
    for reply, refused in (("GEEN", True), ("ruim €200 miljoen", False)):
        reader = FactCheck(FakeListChatModel(responses=[reply]), PromptLibrary())
        answer = Answerer(retriever, None, options=options, fact_check=reader).answer(
            question, scope=Scope.full()
        )
        assert answer.refused is refused and answer.evidence is not None and answer.evidence.read == reply
