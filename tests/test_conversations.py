"""Stored conversations: turns, citations and feedback survive a restart; users see only their own."""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.core.answers import (
    Answer,
    CheckedSentence,
    Citation,
    RemovedSentence,
    removed_sentences,
)
from assistant.core.records import Scope
from assistant.core.settings import Settings
from assistant.rag.answering import Answerer, AnswerOptions
from assistant.rag.gate import Thresholds
from assistant.rag.glossary import load_glossary
from assistant.rag.retrieval import Retriever
from assistant.services.chat import ChatService
from assistant.services.conversations import (
    SCHEMA_VERSION,
    ConversationError,
    ConversationStore,
    StoredSource,
    short_title,
)
from assistant.services.requests import Request
from assistant.services.wiring import Index, Services

from .archive_helpers import ingested_index

SRP_QUESTION = "Wat vraagt IPO over het Studenten Reis Product?"
FOLLOW_UP = "En hoeveel minder inkomsten zijn dat?"
UNCOVERED = "Wat is het standpunt over windturbines op zee bij Texel?"


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    return ingested_index(tmp_path_factory.mktemp("conversations"))


@pytest.fixture(scope="module")
def answerer(index: Index) -> Answerer:
    """The extractive answerer (no model): deterministic answers with real citations and refusals."""
    retriever = Retriever(index.store, index.lexical, index.embeddings, glossary=load_glossary())
    return Answerer(retriever, None, options=AnswerOptions(k=3, thresholds=Thresholds(0.05, 0.5)))


@pytest.fixture(scope="module")
def answer(answerer: Answerer) -> Answer:
    result = answerer.answer(
        "Hoeveel minder inkomsten krijgt de OV-sector door de herijkingsmetingen?", scope=Scope.full()
    )
    assert not result.refused and result.citations
    return result


def _citation(**changes: object) -> Citation:
    fields: dict[str, object] = {
        "n": 2, "source": "brieven/a.pdf", "title": "Brief", "page": 3, "slide": None, "date": "2024-11-05",
        "quote": "Wij vragen €200 miljoen.", "chunk_id": "c1", "doc_id": "d1", "root": "/archief",
        "path": "/archief/brieven/a.pdf", "section": "Inleiding", "doc_type": "brief", "kenmerk": "11812/2024",
        "quote_start": 10, "quote_end": 34, "also_in": ("brieven/a.docx",),
    }  # fmt: skip
    fields.update(changes)
    return Citation(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "citation",
    [
        _citation(),
        _citation(page=None, slide=4, date=None, section=None, doc_type=None, kenmerk=None),
        _citation(quote_start=None, quote_end=None, also_in=(), doc_id="", root="", path=""),
    ],
)
def test_citation_from_json_is_the_inverse_of_to_json(citation: Citation) -> None:
    assert Citation.from_json(citation.to_json()) == citation
    assert Citation.from_json(json.loads(json.dumps(citation.to_json()))) == citation


def test_a_turn_comes_back_as_it_was_answered(tmp_path: Path, answer: Answer) -> None:
    invented = CheckedSentence("Het kabinet compenseert het hele tekort.", (1,), ())
    answer = replace(answer, checked=[*answer.checked, invented])  # one sentence the check removed
    store = ConversationStore(tmp_path / "gesprekken.sqlite")
    conversation = store.create("anna")
    turn_id = store.add_turn(conversation, answer)
    (turn,) = store.turns(conversation, "anna")
    assert turn.id == turn_id and turn.position == 0 and turn.conversation_id == conversation
    assert (turn.question, turn.standalone, turn.answer) == (answer.question, answer.standalone, answer.text)
    assert list(turn.citations) == answer.citations and not turn.refused and turn.mode == "answer"
    assert list(turn.removed) == removed_sentences(answer) and turn.removed[0].text == invented.text
    assert list(turn.sources) == [StoredSource.from_hit(h) for h in answer.sources]
    assert turn.turn.question == answer.question and turn.turn.answer == answer.text
    assert store.turn(turn_id, "anna") == turn


def test_a_refusal_keeps_its_nearest_documents(tmp_path: Path, answerer: Answerer) -> None:
    refusal = answerer.answer(UNCOVERED, scope=Scope.full())
    assert refusal.refused and refusal.sources
    store = ConversationStore(tmp_path / "gesprekken.sqlite")
    conversation = store.create("anna")
    store.add_turn(conversation, refusal)
    (turn,) = store.turns(conversation, "anna")
    assert turn.refused and turn.mode == "refusal" and turn.citations == ()
    assert [s.source for s in turn.sources] == [h.source for h in refusal.sources]
    assert all(s.title and s.chunk_id and s.doc_id for s in turn.sources)


def test_conversations_survive_reopening_the_file(tmp_path: Path, answer: Answer) -> None:
    path = tmp_path / "gesprekken.sqlite"
    first = ConversationStore(path)
    conversation = first.create("anna")
    first.add_turn(conversation, answer)
    before = first.turns(conversation, "anna")
    again = ConversationStore(path)  # a server restart
    assert again.turns(conversation, "anna") == before
    (summary,) = again.conversations("anna")
    assert summary.id == conversation and summary.turns == 1
    assert summary.title == short_title(answer.question) and summary.updated >= summary.created
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_file_from_a_newer_version_is_not_touched(tmp_path: Path) -> None:
    path = tmp_path / "gesprekken.sqlite"
    ConversationStore(path)
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(RuntimeError, match="schema version"):
        ConversationStore(path)


def test_conversations_are_listed_newest_first_per_user(tmp_path: Path, answer: Answer) -> None:
    store = ConversationStore(tmp_path / "gesprekken.sqlite")
    old = store.create("anna")
    new = store.create("anna", title="Tweede gesprek")
    store.create("bram")
    assert [c.id for c in store.conversations("anna")] == [new, old]
    store.add_turn(old, answer)  # the conversation continued last comes first
    listed = store.conversations("anna")
    assert [(c.id, c.turns) for c in listed] == [(old, 1), (new, 0)]
    assert listed[1].title == "Tweede gesprek"  # a given title is kept
    assert store.conversations("carla") == []


def test_users_cannot_read_or_rate_each_others_conversations(tmp_path: Path, answer: Answer) -> None:
    store = ConversationStore(tmp_path / "gesprekken.sqlite")
    conversation = store.create("anna")
    turn_id = store.add_turn(conversation, answer)
    assert store.conversations("bram") == []
    with pytest.raises(ConversationError, match="niet van bram"):
        store.turns(conversation, "bram")
    with pytest.raises(ConversationError):
        store.turns("bestaat-niet", "anna")
    with pytest.raises(ConversationError):
        store.turn(turn_id, "bram")
    with pytest.raises(ConversationError):
        store.add_feedback(turn_id, "bram", useful=False)
    with pytest.raises(ConversationError, match=r"Bron \[9\]"):
        store.add_feedback(turn_id, "anna", useful=False, citation_n=9)
    with pytest.raises(ConversationError):
        store.add_turn("bestaat-niet", answer)


def test_feedback_is_exported_as_gold_set_candidates(tmp_path: Path, answer: Answer) -> None:
    store = ConversationStore(tmp_path / "gesprekken.sqlite")
    conversation = store.create("anna")
    first = store.add_turn(conversation, answer)
    second = store.add_turn(conversation, answer)
    store.add_feedback(first, "anna", useful=True)
    cited = answer.citations[0]
    store.add_feedback(second, "anna", useful=False, comment=" verkeerde pagina ", citation_n=cited.n)
    whole, rated = list(store.export_feedback())
    assert set(whole) == {
        "question", "standalone", "answer", "refused", "mode", "useful", "comment", "citation", "sources",
        "history", "user", "created", "turn_id",
    }  # fmt: skip
    assert whole["turn_id"] == first and whole["useful"] is True and whole["citation"] is None
    assert whole["question"] == answer.question and whole["answer"] == answer.text and whole["history"] == []
    assert whole["sources"] == list(dict.fromkeys(c.source for c in answer.citations))
    assert rated["turn_id"] == second and rated["useful"] is False and rated["comment"] == "verkeerde pagina"
    assert rated["citation"] == cited.to_json() and rated["user"] == "anna" and rated["refused"] is False
    assert rated["history"] == [{"question": answer.question, "answer": answer.text}]
    assert json.loads(json.dumps(rated, ensure_ascii=False)) == rated  # one JSONL line each


def test_removed_sentences_say_why_they_were_removed() -> None:
    checked = [
        CheckedSentence("De OV-sector loopt €200 miljoen mis.", (1,), (1,)),
        CheckedSentence("Samengevat:", (), ()),  # no content: never "removed"
        CheckedSentence("De minister heeft de brief al beantwoord.", (2,), ()),
        CheckedSentence("Het kabinet compenseert het hele tekort.", (1, 3), ()),
        CheckedSentence("Provincies betalen zelf de rest van het tekort.", (), ()),
        CheckedSentence("Het tekort wordt dit jaar gedekt.", (), (), added=(2,)),  # supported by the check
        CheckedSentence("Wat vraagt IPO over het Studenten Reis Product?", (), ()),
    ]
    answer = Answer(
        SRP_QUESTION, SRP_QUESTION, "De OV-sector loopt €200 miljoen mis. [1]", False, checked=checked
    )
    assert removed_sentences(answer) == [
        RemovedSentence(
            "De minister heeft de brief al beantwoord.", (2,), "de aangehaalde bron [2] zegt dit niet"
        ),
        RemovedSentence(
            "Het kabinet compenseert het hele tekort.",
            (1, 3),
            "geen van de aangehaalde bronnen [1][3] zegt dit",
        ),
        RemovedSentence(
            "Provincies betalen zelf de rest van het tekort.",
            (),
            "zonder bron; geen van de gevonden bronnen zegt dit",
        ),
        RemovedSentence("Wat vraagt IPO over het Studenten Reis Product?", (), "herhaalt alleen de vraag"),
    ]
    removed = removed_sentences(answer)[1]
    assert RemovedSentence.from_json(removed.to_json()) == removed


def test_titles_are_the_first_question_shortened() -> None:
    assert short_title("  Wat is\nSRP? ") == "Wat is SRP?"
    long = "Hoeveel inkomsten loopt de OV-sector vanaf 2025 mis door de herijking van het Studenten Reis Product?"
    title = short_title(long)
    assert title.endswith("…") and len(title) <= 61 and long.startswith(title[:-1])


def test_a_follow_up_after_a_restart_leans_on_the_stored_history(tmp_path: Path, answerer: Answerer) -> None:
    path = tmp_path / "gesprekken.sqlite"
    anna = Request(user="anna")
    chat = ChatService(answerer, ConversationStore(path))
    conversation = chat.start(anna)
    first = chat.ask(anna, SRP_QUESTION, conversation)
    assert conversation.turn_ids and len(conversation.turns) == 1
    chat.rate(anna, conversation.turn_ids[0], useful=True, citation_n=first.citations[0].n)
    assert anna.audit.action == "feedback"

    restarted = ChatService(answerer, ConversationStore(path))
    resumed = restarted.conversation(conversation.id, Request(user="anna"))
    assert [t.question for t in resumed.turns] == [SRP_QUESTION] and resumed.turn_ids == conversation.turn_ids
    follow_up = restarted.ask(Request(user="anna"), FOLLOW_UP, resumed)
    assert "Studenten" in follow_up.standalone  # the condensed question used the stored history
    turns = restarted.turns(Request(user="anna"), conversation.id)
    assert [t.question for t in turns] == [SRP_QUESTION, FOLLOW_UP] and turns[
        1
    ].standalone == follow_up.standalone
    assert [c.id for c in restarted.conversations(Request(user="anna"))] == [conversation.id]
    assert restarted.conversations(Request(user="bram")) == []
    with pytest.raises(ConversationError):
        restarted.conversation(conversation.id, Request(user="bram"))
    with pytest.raises(ConversationError):
        list(restarted.stream(Request(user="bram"), resumed, FOLLOW_UP))


def test_without_a_store_conversations_stay_in_memory(answerer: Answerer) -> None:
    chat = ChatService(answerer)
    conversation = chat.start()
    chat.ask(Request(), SRP_QUESTION, conversation)
    assert chat.conversation(conversation.id) is conversation and conversation.turn_ids == []
    assert chat.conversations(Request()) == [] and chat.turns(Request(), conversation.id) == []
    with pytest.raises(ConversationError):
        chat.rate(Request(), 1, useful=True)
    with pytest.raises(LookupError):
        chat.conversation("bestaat-niet")


def test_concurrent_turns_are_all_kept_in_order(tmp_path: Path, answer: Answer) -> None:
    store = ConversationStore(tmp_path / "gesprekken.sqlite")
    conversations = [store.create("anna") for _ in range(2)]
    errors: list[BaseException] = []

    def add(conversation: str) -> None:
        try:
            for _ in range(5):
                store.add_turn(conversation, answer)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(conversations[i % 2],)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for conversation in conversations:
        turns = store.turns(conversation, "anna")
        assert [t.position for t in turns] == list(range(15))
    assert sum(c.turns for c in store.conversations("anna")) == 30


def test_the_web_app_chat_stores_and_the_cli_chat_does_not(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", embedding_model="fake", llm="extractive", reranker="identity")
    services = Services(settings)
    assert services.chat.store is None
    assert services.web_chat.store is services.conversations
    assert services.web_chat.answerer is services.chat.answerer  # one model per process
    assert (
        services.conversations.path == settings.home / "gesprekken.sqlite"
        and services.conversations.path.is_file()
    )
