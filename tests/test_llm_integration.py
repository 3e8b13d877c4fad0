"""The offline chat model (Qwen2.5-Coder-1.5B via llama.cpp) answering over the sample archive."""

from __future__ import annotations

import pytest

from assistant.core.answers import Answer, Delta
from assistant.core.records import Scope
from assistant.services.wiring import build_answerer

from .llama_server import llama_server

pytestmark = pytest.mark.integration

SRP_LETTER = "brieven/2024-11-05_brief-ocw-studenten-reis-product"


@pytest.fixture(scope="module")
def answerer(real_index):  # type: ignore[no-untyped-def]
    settings, index = real_index
    return build_answerer(settings, index=index, llm="llamacpp")


def test_shortfall_question_is_answered_with_the_figure_and_cites_the_letter(answerer) -> None:  # type: ignore[no-untyped-def]
    events = list(
        answerer.stream(
            "Welk tekort verwacht de OV-sector door de herijking van het studentenreisproduct?",
            scope=Scope.full(),
        )
    )
    answer = events[-1]
    assert isinstance(answer, Answer) and not answer.refused
    assert sum(isinstance(e, Delta) for e in events) > 5  # streamed token by token
    assert "200 miljoen" in answer.text.replace("€", " ").replace("  ", " ") or "€200 miljoen" in answer.text
    letter = [c for c in answer.citations if c.source.startswith(SRP_LETTER)]
    assert letter and letter[0].date == "2024-11-05"
    assert "200 miljoen" in " ".join(c.quote for c in letter)
    assert answer.timings["first_token"] > 0 and answer.timings["total"] >= answer.timings["first_token"]


def test_question_outside_the_archive_is_refused(answerer) -> None:  # type: ignore[no-untyped-def]
    answer = answerer.answer(
        "Wat vindt het IPO van de bouw van nieuwe kerncentrales in Zeeland?", scope=Scope.full()
    )
    assert answer.refused
    assert "Dichtstbijzijnde documenten" in answer.text or "Gezocht op" in answer.text


@pytest.fixture(scope="module")
def openai_server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """llama.cpp's own OpenAI-compatible server on loopback, serving the offline model."""
    from assistant.core.settings import Settings
    from assistant.index.models import resolve

    settings = Settings()
    model = resolve(settings.llm_model, settings.model_cache)
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    options = ("--model_alias", "lokaal", "--n_ctx", "4096", "--n_threads", "2")
    with llama_server(model, log, *options) as url:
        yield url


def test_openai_compatible_backend_against_a_real_server(real_index, openai_server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    settings, index = real_index
    monkeypatch.setenv("LOBBY_TEST_KEY", "geheim")
    remote = settings.model_copy(
        update={
            "llm": "openai",
            "openai_base_url": openai_server,
            "llm_model": "lokaal",
            "openai_api_key_env": "LOBBY_TEST_KEY",
        }
    )
    answerer = build_answerer(remote, index=index)
    events = list(
        answerer.stream(
            "Wat is de topprioriteit van de provincies voor de Nationale Digitaliseringsstrategie?",
            scope=Scope.full(),
        )
    )
    answer = events[-1]
    assert isinstance(answer, Answer) and not answer.refused
    assert sum(isinstance(e, Delta) for e in events) > 3  # streamed over HTTP
    assert "informatiepositie" in answer.text
    assert any("digitaliseringsstrategie" in c.source for c in answer.citations)


def test_the_local_model_drafts_a_checked_paragraph_with_real_retrieval(answerer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from docx import Document

    from assistant.core.drafts import DraftTemplate, SectionSpec
    from assistant.rag.drafting import Drafter
    from assistant.services.draft_export import write_docx

    template = DraftTemplate(
        "test-kern", "Kernboodschap", "test", "Kamerleden", "constructief en kritisch", 60,
        (SectionSpec("Kern", ("het tekort door de herijking van het Studenten Reis Product",), 60),),
    )  # fmt: skip
    stages: list[str] = []
    draft = Drafter(answerer.retriever, answerer.generator).draft(
        template,
        "studenten-OV",
        scope=Scope.full(),
        progress=lambda n, total, title, stage: stages.append(stage),
    )
    assert draft.backend == "model" and "schrijven" in stages and "controleren" in stages
    assert (
        draft.paragraphs() and draft.verified_share() == 1.0
    )  # what the model wrote, checked (or the quotes)
    quotes = " ".join(q for p in draft.paragraphs() for c in p.checked for q in c.quotes.values()).lower()
    assert "herijking" in quotes or "tekort" in quotes, quotes  # the passages are about the asked point
    document = Document(str(write_docx(draft, tmp_path / "kern.docx")))
    assert len(list(document.comments)) == len(draft.paragraphs())
