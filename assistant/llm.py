"""Chat model backends behind LangChain's ``BaseChatModel``.

* ``llamacpp`` (default): the offline Qwen2.5-Coder-1.5B GGUF, assembled and sha256-verified at set-up,
  run by llama-cpp-python on the CPU.
* ``openai``: any OpenAI-compatible endpoint (vLLM, Ollama, llama.cpp server, Azure OpenAI): base URL
  and model name from Settings, the key from an environment variable.
* ``extractive``: no model; the answerer composes the answer from source sentences (deterministic).
  :func:`make_chat_model` returns ``None`` for it.
* ``fake``: :class:`EchoChatModel`, deterministic, for tests and demos without a model.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from assistant.lexical import tokenize
from assistant.models import resolve

if TYPE_CHECKING:
    from assistant.config import Settings

_SOURCE_HEADER = re.compile(r"^Bron \[(\d+)\]: [^\n]*\n(.+?)(?=\n\nBron \[\d+\]|\n\nVraag:|\Z)", re.M | re.S)


class EchoChatModel(BaseChatModel):
    """Answers by quoting, from each numbered source in the prompt, the sentence closest to the question.

    What it says is computed from what it was given, so a test can assert which sources reached the
    prompt. Also rewrites follow-up questions by returning the question line unchanged.
    """

    max_sources: int = 3
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
        question = re.search(r"^Vraag: (.+)$", prompt, re.M)
        wanted = set(tokenize(question.group(1) if question else ""))
        sentences = []
        for n, body in _SOURCE_HEADER.findall(prompt)[: self.max_sources]:
            candidates = re.split(r"(?<=[.!?])\s+", " ".join(body.split()))
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


def make_chat_model(settings: Settings, backend: str | None = None) -> BaseChatModel | None:
    """The configured chat model, or ``None`` for the extractive (model-free) mode."""
    backend = backend or settings.llm
    if backend == "extractive":
        return None
    if backend == "fake":
        return EchoChatModel()
    if backend == "llamacpp":
        from langchain_community.chat_models import ChatLlamaCpp

        path = resolve(settings.llm_model, settings.model_cache)
        return ChatLlamaCpp(
            model_path=path,
            n_ctx=settings.llm_context,
            n_threads=settings.llm_threads,
            n_batch=512,
            max_tokens=settings.llm_max_tokens,
            temperature=settings.llm_temperature,
            repeat_penalty=1.0,
            seed=0,
            streaming=True,
            verbose=False,
        )
    if backend == "openai":
        from langchain_openai import ChatOpenAI

        if not settings.openai_base_url:
            raise ValueError("LOBBY_OPENAI_BASE_URL is required for the openai backend")
        key = os.environ.get(settings.openai_api_key_env, "") or "not-needed"
        return ChatOpenAI(  # type: ignore[call-arg]
            base_url=settings.openai_base_url,
            model=settings.llm_model,
            api_key=key,  # type: ignore[arg-type]
            temperature=settings.llm_temperature,
            max_tokens=settings.llm_max_tokens,
            streaming=True,
            timeout=120,
        )
    raise ValueError(f"unknown llm backend {backend!r}: choose llamacpp, openai, extractive or fake")
