"""The offline chat model (Qwen2.5-Coder-1.5B via llama.cpp) answering over the sample archive."""

from __future__ import annotations

import pytest

from assistant.answering import Answer
from assistant.factory import build_answerer

pytestmark = pytest.mark.integration

SRP_LETTER = "brieven/2024-11-05_brief-ocw-studenten-reis-product"


@pytest.fixture(scope="module")
def answerer(real_index):  # type: ignore[no-untyped-def]
    settings, index = real_index
    return build_answerer(settings, index=index, llm="llamacpp")


def test_shortfall_question_is_answered_with_the_figure_and_cites_the_letter(answerer) -> None:  # type: ignore[no-untyped-def]
    events = list(
        answerer.stream("Welk tekort verwacht de OV-sector door de herijking van het studentenreisproduct?")
    )
    answer = events[-1]
    assert isinstance(answer, Answer) and not answer.refused
    assert len(events) > 5  # streamed token by token
    assert "200 miljoen" in answer.text.replace("€", " ").replace("  ", " ") or "€200 miljoen" in answer.text
    letter = [c for c in answer.citations if c.source.startswith(SRP_LETTER)]
    assert letter and letter[0].date == "2024-11-05"
    assert "200 miljoen" in " ".join(c.quote for c in letter)
    assert answer.timings["first_token"] > 0 and answer.timings["total"] >= answer.timings["first_token"]


def test_question_outside_the_archive_is_refused(answerer) -> None:  # type: ignore[no-untyped-def]
    answer = answerer.answer("Wat vindt het IPO van de bouw van nieuwe kerncentrales in Zeeland?")
    assert answer.refused
    assert "Dichtstbijzijnde documenten" in answer.text or "Gezocht op" in answer.text
