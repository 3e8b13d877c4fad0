"""The one place that builds real parts from Settings; edges and the evaluation call only these builders.

:class:`Services` holds the services one process serves requests with. Its parts are built on first
use and shared: the search, chat and library services read and write the same store and BM25 index, so
a document added or removed through the library is seen by the next search without a restart.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cached_property

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel

from assistant.core.records import Scope
from assistant.core.settings import Settings
from assistant.index.embeddings import embedding_model_id, make_embeddings
from assistant.index.lexical import LexicalIndex
from assistant.index.store import VectorStore, open_store
from assistant.rag.answering import Answerer, AnswerOptions
from assistant.rag.draft_templates import DEFAULT_DIR as DEFAULT_TEMPLATES
from assistant.rag.drafting import Drafter, DraftOptions
from assistant.rag.fact_check import FactCheck
from assistant.rag.gate import Thresholds
from assistant.rag.glossary import load_glossary
from assistant.rag.llm import make_chat_model
from assistant.rag.retrieval import (
    CoverageReranker,
    CrossEncoderReranker,
    IdentityReranker,
    Reranker,
    RetrievalOptions,
    Retriever,
)
from assistant.services.audit import AuditLog
from assistant.services.chat import ChatService
from assistant.services.conversations import ConversationStore
from assistant.services.drafting import DraftService
from assistant.services.library import LibraryService
from assistant.services.search import SearchService
from ingest.pipeline import IngestOptions, Ingestor


@dataclass(frozen=True, slots=True)
class Index:
    """The stores one embedding model reads and writes: vectors in Chroma, BM25 beside them."""

    store: VectorStore
    lexical: LexicalIndex
    embeddings: Embeddings


def build_embeddings(settings: Settings) -> Embeddings:
    """The configured embedding model; ``fake`` is the deterministic hash embedder of tests and demos."""
    if settings.embedding_model == "fake":
        from assistant.testing import HashEmbeddings

        return HashEmbeddings()
    return make_embeddings(settings)


def build_chat_model(settings: Settings, backend: str | None = None) -> BaseChatModel | None:
    """The configured chat model, ``None`` for the extractive mode; ``fake`` quotes its prompt."""
    if (backend or settings.llm) == "fake":
        from assistant.testing import EchoChatModel

        return EchoChatModel()
    return make_chat_model(settings, backend)


def build_index(settings: Settings, *, embeddings: Embeddings | None = None) -> Index:
    """Open the collection and lexical index that belong to the configured embedding model."""
    embeddings = embeddings if embeddings is not None else build_embeddings(settings)
    store = open_store(settings, embedding_model_id(embeddings))
    lexical = LexicalIndex(settings.lexical_dir / store.name)
    return Index(store=store, lexical=lexical, embeddings=embeddings)


def build_ingestor(settings: Settings, *, index: Index | None = None) -> Ingestor:
    """The ingestion job over the configured index."""
    index = index if index is not None else build_index(settings)
    return Ingestor(index.store, index.lexical, index.embeddings, IngestOptions.from_settings(settings))


def build_reranker(settings: Settings) -> Reranker:
    """The configured second stage (see ``LOBBY_RERANKER``)."""
    if settings.reranker == "identity":
        return IdentityReranker()
    if settings.reranker == "coverage":
        return CoverageReranker()
    return CrossEncoderReranker(settings.reranker)


def build_retriever(settings: Settings, *, index: Index | None = None) -> Retriever:
    """Hybrid retriever with the glossary and the configured reranker."""
    index = index if index is not None else build_index(settings)
    return Retriever(
        index.store,
        index.lexical,
        index.embeddings,
        glossary=load_glossary(),
        reranker=build_reranker(settings),
        options=RetrievalOptions(
            candidates=settings.retrieval_candidates,
            filtered_candidates=settings.retrieval_filtered_candidates,
            duplicate_containment=settings.duplicate_containment,
            rrf_k=settings.rrf_k,
            lexical_weight=settings.lexical_weight,
            expand=settings.glossary_expansion,
        ),
    )


def answer_options(settings: Settings, *, backend: str | None = None) -> AnswerOptions:
    """How answers are made, from Settings."""
    return AnswerOptions(
        k=settings.answer_k,
        timeline_k=settings.timeline_k,
        depth=settings.retrieval_depth,
        llm_sources=settings.llm_sources,
        source_words=settings.llm_source_words,
        thresholds=Thresholds(
            settings.gate_min_dense, settings.gate_min_coverage, settings.gate_min_sentence
        ),
        min_support=settings.citation_min_support,
        drop_unsupported=settings.drop_unsupported,
        condense_with_llm=settings.condense == "llm",
        serialize_llm=(backend or settings.llm) == "llamacpp",
        shape=settings.answer_shape,
        lead_sources=settings.lead_sources,
        lead_words=settings.lead_source_words,
        lead_header=settings.lead_source_header,
    )


def build_answerer(
    settings: Settings,
    *,
    index: Index | None = None,
    llm: str | None = None,
    retriever: Retriever | None = None,
) -> Answerer:
    """The answerer users get: the configured retriever, chat model, prompts and thresholds."""
    retriever = retriever if retriever is not None else build_retriever(settings, index=index)
    chat = build_chat_model(settings, llm)
    answerer = Answerer(retriever, chat, options=answer_options(settings, backend=llm))
    if settings.answer_check == "llm":
        # The chat model reads (one lock for both with llama.cpp); the extractive mode borrows the local one.
        reader = chat if chat is not None else build_chat_model(settings, "llamacpp")
        assert reader is not None
        lock = answerer.generator.lock if answerer.generator is not None else None
        answerer.fact_check = FactCheck(reader, answerer.prompts, lock=lock)
    return answerer


class Services:
    """The services of one process, built on first use and sharing one index.

    ``llm`` overrides the configured answer backend (``--llm`` on the command line). Building the chat
    service loads the chat model; the library and search services never do.

    Two chat services share one answerer (one model per process): :attr:`chat` keeps conversations in
    memory (``lobby chat``), :attr:`web_chat` stores them, their turns and feedback in
    :attr:`conversations` (``gesprekken.sqlite`` in the home folder), so they survive a restart.
    """

    def __init__(self, settings: Settings, *, llm: str | None = None, index: Index | None = None) -> None:
        self.settings = settings
        self.backend = llm
        self._index = index
        self._lock = threading.RLock()
        self.audit = AuditLog(settings.audit_path)

    @property
    def index(self) -> Index:
        with self._lock:
            if self._index is None:
                self._index = build_index(self.settings)
            return self._index

    @cached_property
    def retriever(self) -> Retriever:
        return build_retriever(self.settings, index=self.index)

    @cached_property
    def library(self) -> LibraryService:
        return LibraryService(
            build_ingestor(self.settings, index=self.index),
            archive=self.settings.archive,
            recycle=self.settings.home / "verwijderd",
            audit=self.audit,
        )

    @cached_property
    def search(self) -> SearchService:
        return SearchService(self.retriever, self.retriever.glossary or load_glossary(), audit=self.audit)

    @cached_property
    def drafting(self) -> DraftService:
        """Drafts share the chat service's model (one llama.cpp instance per process), built on first use."""

        def make_drafter() -> Drafter:
            options = DraftOptions(min_support=self.settings.citation_min_support)
            return Drafter(self.retriever, self.chat.answerer.generator, options=options)

        user = [self.settings.draft_templates] if self.settings.draft_templates else []
        return DraftService(
            make_drafter,
            lambda request: self.library.documents(request),
            template_dirs=[DEFAULT_TEMPLATES, *user],
            audit=self.audit,
        )

    @cached_property
    def chat(self) -> ChatService:
        return ChatService(
            build_answerer(self.settings, llm=self.backend, retriever=self.retriever), audit=self.audit
        )

    def warm_up(self) -> None:
        """Load the index, the embedding model and the chat model, and prime the model's prompt prefix.

        ``lobby serve`` runs this at start, so the first question waits for neither a model load nor the
        reading of the fixed instructions every prompt opens with.
        """
        self.retriever.search("provincies", k=1, scope=Scope.full())  # not a user's search: no audit line
        self.chat.answerer.prime()

    @cached_property
    def conversations(self) -> ConversationStore:
        """The stored conversations, turns and feedback (the file is created on first use)."""
        path = self.settings.conversations_file
        return ConversationStore(path if path is not None else self.settings.home / "gesprekken.sqlite")

    @cached_property
    def web_chat(self) -> ChatService:
        """The chat service of the web app: :attr:`chat`'s answerer, conversations kept per user."""
        return ChatService(self.chat.answerer, store=self.conversations, audit=self.audit)
