"""Answering with fake parts: which sources reach the prompt, refusal before generation, timelines."""

from __future__ import annotations

import pytest

from assistant.core.answers import Answer, Delta, Stage, Turn
from assistant.core.dates import format_date
from assistant.core.records import Scope
from assistant.rag.answering import Answerer, AnswerOptions
from assistant.rag.gate import Thresholds
from assistant.rag.glossary import load_glossary
from assistant.rag.retrieval import Filters, Retriever
from assistant.rag.steps import heuristic_standalone, is_timeline_question
from assistant.services.wiring import Index
from assistant.testing import EchoChatModel

from .archive_helpers import ingested_index
from .conftest import CITATION_KEYS

GATE = Thresholds(min_dense=0.05, min_coverage=0.5)
FULL = Scope.full()


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    return ingested_index(tmp_path_factory.mktemp("answering"))


def _answerer(index: Index, llm: EchoChatModel | None) -> Answerer:
    retriever = Retriever(index.store, index.lexical, index.embeddings, glossary=load_glossary())
    return Answerer(retriever, llm, options=AnswerOptions(k=3, thresholds=GATE))


def test_sources_reach_the_prompt_numbered_and_answer_is_cited(index: Index) -> None:
    llm = EchoChatModel(prompts=[])
    answer = _answerer(index, llm).answer(
        "Hoeveel minder inkomsten krijgt de OV-sector door de herijkingsmetingen?", scope=FULL
    )
    assert not answer.refused
    (prompt,) = llm.prompts
    # The lead sentence's sources are headed by title, date and type; where in the file is no help to it.
    assert "Bron [1]: Contract Studenten Reis Product (5 november 2024, brief)" in prompt
    assert "Vraag: Hoeveel minder inkomsten" in prompt
    # With LOBBY_LEAD_SOURCE_HEADER=date the lead reads number and date only: a shorter prompt.
    short = EchoChatModel(prompts=[])
    retriever = Retriever(index.store, index.lexical, index.embeddings, glossary=load_glossary())
    Answerer(retriever, short, options=AnswerOptions(k=3, thresholds=GATE, lead_header="date")).answer(
        "Hoeveel minder inkomsten krijgt de OV-sector door de herijkingsmetingen?", scope=FULL
    )
    assert "Bron [1] (5 november 2024): " in short.prompts[-1] and "brief," not in short.prompts[-1]
    assert len(short.prompts[-1]) < len(prompt)
    assert "€200 miljoen" in answer.text and "[1]" in answer.text
    first = answer.citations[0]
    assert first.n == 1 and first.source.startswith("brieven/2024-11-05_srp") and first.date == "2024-11-05"
    assert "200 miljoen" in first.quote and first.chunk_id == answer.sources[0].chunk_id
    assert len(first.also_in) == 1  # the duplicate copy is listed, not cited twice
    assert answer.verified_share == 1.0
    assert {"condense", "retrieve", "first_token", "generate", "verify", "total"} <= set(answer.timings)


def test_uncovered_question_is_refused_before_any_generation(index: Index) -> None:
    llm = EchoChatModel(prompts=[])
    answer = _answerer(index, llm).answer(
        "Wat is het standpunt over windturbines op zee bij Texel?", scope=FULL
    )
    assert answer.refused and answer.citations == []
    assert llm.prompts == []  # the model was never asked
    assert "Gezocht op: windturbin" in answer.text
    assert "Dichtstbijzijnde documenten:" in answer.text


def test_streaming_yields_text_then_the_answer(index: Index) -> None:
    events = list(
        _answerer(index, EchoChatModel(prompts=[])).stream("topprioriteit NDS informatiepositie", scope=FULL)
    )
    assert all(isinstance(e, Delta | Stage) for e in events[:-1]) and isinstance(events[-1], Answer)
    assert sum(isinstance(e, Delta) for e in events) > 3  # token by token
    stages = [e.name for e in events if isinstance(e, Stage)]
    assert stages == ["retrieve", "found", "generate", "verify"]
    assert "".join(e.text for e in events if isinstance(e, Delta)) == events[-1].draft


def test_extractive_mode_is_deterministic_and_cited(index: Index) -> None:
    answerer = _answerer(index, None)
    first = answerer.answer("Wat is de topprioriteit voor de Nationale Digitaliseringsstrategie?", scope=FULL)
    second = answerer.answer(
        "Wat is de topprioriteit voor de Nationale Digitaliseringsstrategie?", scope=FULL
    )
    assert first.text == second.text and not first.refused
    assert "informatiepositie" in first.text and first.citations[0].title.startswith("Inbreng provincies")
    assert first.verified_share == 1.0


def test_position_over_time_is_dated_newest_first_with_change(index: Index) -> None:
    answer = _answerer(index, None).answer(
        "Wat zei IPO over het tekort door de herijking van het studenten OV?", scope=FULL
    )
    assert answer.mode == "timeline"
    lines = answer.text.splitlines()
    assert lines[0].startswith("- 5 november 2024") and lines[1].startswith("- 2 september 2024")
    assert any(
        line.startswith("Verschil:") and "€200 miljoen" in line and "€ 75 mln" in line for line in lines
    )


def test_filters_reach_retrieval(index: Index) -> None:
    answer = _answerer(index, None).answer(
        "tekort studenten OV herijking", filters=Filters(doc_types=("position paper",)), scope=FULL
    )
    assert {c.source for c in answer.citations} == {"positions/2024-09-02_h3b.md"}


def test_follow_up_is_rewritten_by_the_model_or_heuristically(index: Index) -> None:
    history = [Turn("Wat vraagt IPO over het Studenten Reis Product?", "Een bestuurlijk gesprek [1].")]
    assert "Studenten Reis Product" in heuristic_standalone("En wanneer was dat?", history)
    own = "Wat is de topprioriteit voor de NDS?"
    assert heuristic_standalone(own, history) == own
    answer = _answerer(index, None).answer("En hoeveel minder inkomsten zijn dat?", history, scope=FULL)
    assert "Studenten" in answer.standalone and not answer.refused


def test_timeline_detection_and_dates() -> None:
    assert is_timeline_question("Wat zei IPO over de NDS, en wanneer?")
    assert is_timeline_question("Hoe is het standpunt over Spuks veranderd?")
    assert not is_timeline_question("Hoeveel kost het SRP-contract per jaar?")
    assert format_date("2024-11-05") == "5 november 2024" and format_date(None) == "datum onbekend"


def test_answer_json_contract(index: Index) -> None:
    data = _answerer(index, None).answer("topprioriteit NDS informatiepositie", scope=FULL).to_json()
    assert {"answer", "refused", "citations", "timings"} <= set(data)
    citation = data["citations"][0]  # type: ignore[index]
    assert set(citation) >= CITATION_KEYS
    assert citation["path"].endswith(citation["source"]) and citation["path"].startswith(citation["root"])
    start, end = citation["quote_start"], citation["quote_end"]
    assert start is not None and end > start


def test_lead_and_quotes_shape_puts_the_sources_sentences_after_the_models(index: Index) -> None:
    llm = EchoChatModel(prompts=[])
    retriever = Retriever(index.store, index.lexical, index.embeddings, glossary=load_glossary())
    options = AnswerOptions(k=3, thresholds=GATE, shape="lead+quotes")
    answer = Answerer(retriever, llm, options=options).answer(
        "Hoeveel minder inkomsten krijgt de OV-sector door de herijkingsmetingen?", scope=FULL
    )
    assert "één korte zin" in llm.prompts[-1]  # the lead prompt
    model_part, quotes = answer.draft.split("\n", 1)
    assert model_part.strip() and "€200 miljoen" in quotes
    assert not answer.refused and answer.verified_share == 1.0


def test_amount_question_gives_the_newest_figure_first_and_the_older_with_its_date(index: Index) -> None:
    answer = _answerer(index, None).answer(
        "Hoe groot is het tekort door de herijking van het studenten OV?", scope=FULL
    )
    assert answer.mode == "answer" and not answer.refused
    text = answer.text
    assert "€200 miljoen" in text and "€ 75 mln" in text
    assert text.index("€200 miljoen") < text.index("€ 75 mln")  # November's letter before September's paper
    note = text.splitlines()[-1]
    assert note.startswith("Bedragen naar datum (nieuwste eerst): 5 november 2024: €200 miljoen")
    assert "2 september 2024: € 75 mln" in note and "Na te gaan" in note


def test_the_lead_sentence_reads_few_sources_and_words_but_the_quotes_come_from_all(index: Index) -> None:
    llm = EchoChatModel(prompts=[], max_sources=10)
    retriever = Retriever(index.store, index.lexical, index.embeddings, glossary=load_glossary())
    options = AnswerOptions(k=5, thresholds=GATE, shape="lead+quotes", lead_sources=2, lead_words=12)
    answer = Answerer(retriever, llm, options=options).answer(
        "Hoeveel minder inkomsten krijgt de OV-sector door de herijkingsmetingen?", scope=FULL
    )
    prompt = llm.prompts[-1]
    assert "[1]" in prompt and "[2]" in prompt and "[3]" not in prompt  # two sources in the prompt
    assert len(answer.sources) > 2  # the answer (and its quotes) still draw on every retrieved source
    wide = EchoChatModel(prompts=[], max_sources=10)
    roomy = AnswerOptions(k=5, thresholds=GATE, shape="lead+quotes", lead_sources=2, lead_words=90)
    Answerer(retriever, wide, options=roomy).answer(
        "Hoeveel minder inkomsten krijgt de OV-sector door de herijkingsmetingen?", scope=FULL
    )
    assert len(prompt.split()) < len(wide.prompts[-1].split())  # fewer words read: a sooner first token
