"""Deterministic fakes for tests and demos: a hash embedder and a chat model that quotes its prompt.

Settings select them with ``LOBBY_EMBEDDING_MODEL=fake`` and ``LOBBY_LLM=fake`` (see
:mod:`assistant.services.wiring`); tests import them from here. Both compute their output from their
input, so a test can predict rankings and assert which sources reached a prompt.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterator
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from assistant.core.tokens import tokenize

# A source is "Bron [n]: header" with its text on the next lines, or (lead prompt) "Bron [n] (date): text".
_SOURCE_HEADER = re.compile(
    r"^Bron \[(\d+)\](?:: [^\n]*\n| \([^)\n]*\): )(.+?)(?=\n\nBron \[\d+\]|\n\nVraag:|\Z)", re.M | re.S
)


class HashEmbeddings(Embeddings):
    """Deterministic bag-of-stems vectors: texts sharing (stemmed) words are close.

    Each token of :func:`assistant.index.lexical.tokenize` is hashed to a dimension; the vector is
    L2-normalised term counts. Rankings are predictable by hand (more shared words = higher cosine),
    which is what unit tests need, and no model or network is involved.
    """

    def __init__(self, dimension: int = 256) -> None:
        self.dimension = dimension
        self.model_name = f"hash-{dimension}"
        self.calls = 0

    def _vector(self, text: str) -> list[float]:
        vec = [0.0] * self.dimension
        for token in tokenize(text):
            slot = int.from_bytes(hashlib.blake2b(token.encode(), digest_size=4).digest(), "big")
            vec[slot % self.dimension] += 1.0
        norm = math.sqrt(sum(v * v for v in vec)) or 1.0
        return [v / norm for v in vec]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.calls += 1
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


class EchoChatModel(BaseChatModel):
    """Answers by quoting, from each numbered source in the prompt, the sentence closest to the question.

    What it says is computed from what it was given, so a test can assert which sources reached the
    prompt. Also rewrites follow-up questions by returning the question line unchanged.
    """

    max_sources: int = 3
    #: A fixed reply instead of quoting (a model that invents: the checks must catch it).
    reply: str | None = None
    #: Every prompt the model received, newest last (for assertions in tests).
    prompts: list[str] = []  # noqa: RUF012 - pydantic copies the default per instance

    @property
    def _llm_type(self) -> str:
        return "echo-fake"

    def _reply(self, messages: list[BaseMessage]) -> str:
        prompt = str(messages[-1].content)
        self.prompts.append(prompt)
        if "Zelfstandige vraag:" in prompt:
            match = re.search(r"^Vervolgvraag: (.+)$", prompt, re.M)
            return match.group(1) if match else ""
        if self.reply is not None:
            return self.reply
        question = re.search(r"^Vraag: (.+)$", prompt, re.M)
        wanted = set(tokenize(question.group(1) if question else ""))
        sentences = []
        for n, body in _SOURCE_HEADER.findall(prompt)[: self.max_sources]:
            # The prompt shows one source sentence per line.
            candidates = [" ".join(line.split()) for line in body.splitlines() if line.strip()] or [body]
            best = max(candidates, key=lambda c: len(wanted & set(tokenize(c))))
            sentences.append(f"{best} [{n}]")
        return " ".join(sentences) or "Dat staat niet in de gevonden documenten."

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=self._reply(messages)))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for token in re.findall(r"\S+\s*", self._reply(messages)):
            yield ChatGenerationChunk(message=AIMessageChunk(content=token))
