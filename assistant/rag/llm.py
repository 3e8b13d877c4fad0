"""Chat model backends behind LangChain's ``BaseChatModel``.

* ``llamacpp`` (default): the offline Qwen2.5-Coder-1.5B GGUF, assembled and sha256-verified at set-up,
  run by llama-cpp-python on the CPU.
* ``openai``: any OpenAI-compatible endpoint (vLLM, Ollama, llama.cpp server, Azure OpenAI): base URL
  and model name from Settings, the key from an environment variable.
* ``extractive``: no model; the answerer composes the answer from source sentences (deterministic).
  :func:`make_chat_model` returns ``None`` for it.
* ``fake``: :class:`EchoChatModel`, deterministic, for tests and demos without a model.

An endpoint that is down or slower than ``LOBBY_LLM_TIMEOUT`` is not an error for users: answers and
drafts then fall back to the sources' own sentences with :data:`MODEL_UNREACHABLE` (see
:func:`endpoint_unreachable`), and the next question tries the endpoint again.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from langchain_core.language_models import BaseChatModel

from assistant.index.models import resolve

if TYPE_CHECKING:
    from assistant.core.settings import Settings

#: Shown with an answer made without the model because its endpoint did not answer (Dutch: users read it).
MODEL_UNREACHABLE = (
    "Let op: het taalmodel was niet bereikbaar (het antwoordde niet of niet op tijd). Dit antwoord bestaat "
    "daarom uit letterlijke zinnen uit de bronnen."
)
#: The same for one paragraph of a draft.
MODEL_UNREACHABLE_PARAGRAPH = (
    "Let op: het taalmodel was niet bereikbaar; deze alinea bestaat uit letterlijke zinnen uit de bronnen."
)

#: Errors of the HTTP clients that mean "no answer from the endpoint": refused, reset, timed out.
_UNREACHABLE = {"openai.APIConnectionError", "httpx.TransportError"}


def endpoint_unreachable(error: BaseException) -> bool:
    """Whether ``error`` (or one it was raised from) says the model endpoint did not answer in time.

    The OpenAI client's connection and timeout errors, httpx's transport errors and the builtin
    connection and timeout errors count; an error the endpoint answered with (a 4xx or 5xx) does not.
    """
    seen: BaseException | None = error
    while seen is not None:
        names = {f"{c.__module__}.{c.__name__}" for c in type(seen).__mro__}
        if names & _UNREACHABLE or isinstance(seen, ConnectionError | TimeoutError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def make_chat_model(settings: Settings, backend: str | None = None) -> BaseChatModel | None:
    """The configured chat model, or ``None`` for the extractive (model-free) mode."""
    backend = backend or settings.llm
    if backend == "extractive":
        return None
    if backend == "llamacpp":
        from langchain_community.chat_models import ChatLlamaCpp

        path = resolve(settings.llm_model, settings.model_cache)
        return ChatLlamaCpp(
            model_path=path,
            n_ctx=settings.llm_context,
            n_threads=settings.llm_threads,
            n_batch=settings.llm_batch,
            model_kwargs={"flash_attn": settings.llm_flash_attn},
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
            # Connect and each streamed read wait at most this long; no retries: the answer falls back to
            # the sources at once, and the next question tries again (retries tripled the wait).
            timeout=settings.llm_timeout,
            max_retries=0,
        )
    raise ValueError(f"unknown llm backend {backend!r}: choose llamacpp, openai, extractive or fake")
