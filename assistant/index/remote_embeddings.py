"""Embeddings from an OpenAI-compatible endpoint: the scale-out path instead of the local encoder.

Any server that speaks ``POST {url}/embeddings`` the OpenAI way (vLLM, Text Embeddings Inference,
Ollama, llama.cpp's server) can embed the archive; ``LOBBY_EMBEDDING_URL`` switches it on. The client is
plain httpx: LangChain's ``OpenAIEmbeddings`` would count tokens with tiktoken, which downloads its
encodings from the internet.

A server gets raw text. The local sentence-transformers model adds its query and document prompts itself
(EmbeddingGemma: "task: search result | query: " vs "title: none | text: "); here the client must, so
:func:`known_prompts` knows the prompts of common retrieval models and Settings can override them.

Vectors are L2-normalised here (servers differ: llama.cpp returns raw pooled vectors), put in input order
by the response's ``index`` field, and checked (count, dimension, finite, non-zero) before they reach
the store. The model's id starts with ``endpoint:``, so its collection is never the local encoder's.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import httpx
from langchain_core.embeddings import Embeddings

from assistant.index.models import ModelError

if TYPE_CHECKING:
    from assistant.core.settings import Settings

log = logging.getLogger(__name__)

#: Query and document prompts of retrieval models that need them, by a part of the model's name
#: (matched case-insensitively, so "embeddinggemma", "embeddinggemma:300m" and
#: "google/embeddinggemma-300m" all match).
_PROMPTS: tuple[tuple[str, tuple[str, str]], ...] = (
    ("embeddinggemma", ("task: search result | query: ", "title: none | text: ")),
    ("nomic-embed-text", ("search_query: ", "search_document: ")),
    ("multilingual-e5", ("query: ", "passage: ")),
)

#: HTTP statuses worth another try: the server is busy or briefly broken.
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class EndpointError(ModelError):
    """The embedding endpoint cannot be used; the message names the URL and the reason."""


def known_prompts(model: str) -> tuple[str, str]:
    """The (query, document) prompts of a known retrieval model, else no prompts."""
    name = model.lower()
    for part, prompts in _PROMPTS:
        # multilingual-e5-*-instruct takes an instruction for queries, not "query: ".
        if part in name and not (part == "multilingual-e5" and "instruct" in name):
            return prompts
    return ("", "")


def endpoint_model_id(model: str) -> str:
    """The id of a model behind an endpoint, distinct from every local encoder's.

    The store names collections after the part of the id behind the last ``/`` (for hub ids), so the
    ``/`` of a name like ``google/embeddinggemma-300m`` is replaced: the id stays ``endpoint:...``.
    """
    return "endpoint:" + model.replace("/", "--")


def _excerpt(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "..."


class EndpointEmbeddings(Embeddings):
    """Embeddings from an OpenAI-compatible ``/embeddings`` endpoint, with query and document prompts.

    ``url`` is the API's base URL (``http://127.0.0.1:8080/v1``); requests go to ``{url}/embeddings``
    with at most ``batch_size`` texts each. Connection errors and busy or failing servers (429, 5xx)
    are retried ``retries`` times with exponential backoff; anything else fails at once with an
    :class:`EndpointError`. One instance may be shared by threads (httpx's client is thread-safe).
    """

    def __init__(
        self,
        url: str,
        model: str,
        *,
        api_key: str | None = None,
        api_key_env: str | None = None,
        query_prefix: str = "",
        document_prefix: str = "",
        batch_size: int = 16,
        timeout: float = 120.0,
        retries: int = 2,
        backoff: float = 0.5,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.url = url.rstrip("/")
        self.endpoint = f"{self.url}/embeddings"
        self.api_model = model
        self.model_name = endpoint_model_id(model)
        self.api_key = api_key
        self.api_key_env = api_key_env
        self.query_prefix = query_prefix
        self.document_prefix = document_prefix
        self.batch_size = batch_size
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = backoff
        self.dimension: int | None = None  # known after the first answer
        self._transport = transport
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> EndpointEmbeddings:
        """The endpoint configured by ``LOBBY_EMBEDDING_URL`` and its neighbours."""
        if not settings.embedding_url:
            raise ValueError("LOBBY_EMBEDDING_URL is required for embeddings from an endpoint")
        model = settings.embedding_api_model or settings.embedding_model
        query, document = known_prompts(model)
        if settings.embedding_query_prefix is not None:
            query = settings.embedding_query_prefix
        if settings.embedding_document_prefix is not None:
            document = settings.embedding_document_prefix
        return cls(
            settings.embedding_url,
            model,
            api_key=os.environ.get(settings.embedding_api_key_env) or None,
            api_key_env=settings.embedding_api_key_env,
            query_prefix=query,
            document_prefix=document,
            batch_size=settings.embedding_batch_size,
        )

    @property
    def client(self) -> httpx.Client:
        with self._lock:
            if self._client is None:
                headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
                self._client = httpx.Client(timeout=self.timeout, headers=headers, transport=self._transport)
            return self._client

    def close(self) -> None:
        """Close the HTTP connections (a later call opens new ones)."""
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        rows: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            batch = texts[start : start + self.batch_size]
            rows.extend(self._embed([self.document_prefix + t for t in batch]))
        return rows

    def embed_query(self, text: str) -> list[float]:
        return self._embed([self.query_prefix + text])[0]

    # -- one request ---------------------------------------------------------------------------------

    def _fail(self, reason: str) -> EndpointError:
        return EndpointError(f"embedding endpoint {self.endpoint} (model {self.api_model!r}): {reason}")

    def _post(self, texts: list[str]) -> Any:
        """POST one batch and return the decoded JSON, retrying what may pass on another try."""
        payload = {"model": self.api_model, "input": texts}
        attempts = self.retries + 1
        for attempt in range(1, attempts + 1):
            retry_reason: str
            try:
                response = self.client.post(self.endpoint, json=payload)
            except httpx.ConnectError as exc:
                refused = "refused" in str(exc).lower()
                retry_reason = f"{'connection refused' if refused else 'cannot connect'} ({exc})"
            except httpx.ConnectTimeout as exc:
                retry_reason = f"connecting timed out ({exc})"
            except httpx.TimeoutException as exc:
                raise self._fail(
                    f"no answer within {self.timeout:g} s for {len(texts)} texts ({type(exc).__name__}); "
                    "a smaller LOBBY_EMBEDDING_BATCH_SIZE sends fewer texts per request"
                ) from exc
            except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
                retry_reason = f"connection broke off ({type(exc).__name__}: {exc})"
            except httpx.HTTPError as exc:
                raise self._fail(f"request failed: {type(exc).__name__}: {exc}") from exc
            else:
                if response.is_success:
                    try:
                        return response.json()
                    except ValueError as exc:
                        raise self._fail(
                            f"answered HTTP {response.status_code} without JSON: {_excerpt(response.text)!r}"
                        ) from exc
                status = f"HTTP {response.status_code}: {_excerpt(response.text)!r}"
                if response.status_code not in _RETRY_STATUSES:
                    raise self._fail(self._hint(response.status_code, status))
                retry_reason = status
            if attempt == attempts:
                tries = f" after {attempts} attempts" if attempts > 1 else ""
                raise self._fail(f"{retry_reason}{tries}; is the server running at LOBBY_EMBEDDING_URL?")
            wait = self.backoff * 2 ** (attempt - 1)
            log.warning("embedding endpoint %s: %s; retrying in %.1f s", self.endpoint, retry_reason, wait)
            time.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def _hint(self, status: int, reason: str) -> str:
        if status in {401, 403}:
            where = f" in ${self.api_key_env}" if self.api_key_env else ""
            key = f"the API key{where} was refused" if self.api_key else f"no API key was sent{where}"
            return f"{reason} ({key})"
        if status in {404, 405}:
            return f"{reason} (no embeddings API here: the base URL usually ends in /v1)"
        return reason

    def _embed(self, texts: list[str]) -> list[list[float]]:
        """Embed one batch: checked, in input order, L2-normalised."""
        body = self._post(texts)
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, list):
            raise self._fail(f"the answer has no 'data' list: {_excerpt(str(body))!r}")
        if len(data) != len(texts):
            raise self._fail(f"returned {len(data)} vectors for {len(texts)} texts")
        ordered: list[Sequence[Any] | None] = [None] * len(texts)
        for position, item in enumerate(data):
            index = item.get("index", position) if isinstance(item, dict) else None
            vector = item.get("embedding") if isinstance(item, dict) else None
            if not isinstance(index, int) or not 0 <= index < len(texts) or ordered[index] is not None:
                raise self._fail(f"item {position} of the answer has a missing, duplicate or bad index")
            if isinstance(vector, str):
                raise self._fail("returned base64 vectors; only float vectors are read")
            if not isinstance(vector, list) or not vector:
                raise self._fail(f"item {position} of the answer holds no vector")
            if isinstance(vector[0], list):
                raise self._fail(
                    "returned one vector per token instead of one per text: the server does not pool "
                    "(llama.cpp: give the model a pooling type, e.g. --pooling mean)"
                )
            ordered[index] = vector
        vectors = [v for v in ordered if v is not None]
        return [self._normalise(v, i) for i, v in enumerate(vectors)]

    def _normalise(self, vector: Sequence[Any], index: int) -> list[float]:
        try:
            values = [float(x) for x in vector]
        except (TypeError, ValueError) as exc:
            raise self._fail(f"vector {index} holds something other than numbers") from exc
        with self._lock:
            if self.dimension is None:
                self.dimension = len(values)
            expected = self.dimension
        if len(values) != expected:
            raise self._fail(
                f"inconsistent dimensions: vector {index} has {len(values)} values, earlier ones {expected}"
            )
        norm = math.sqrt(math.fsum(x * x for x in values))
        if not math.isfinite(norm) or norm == 0.0:
            raise self._fail(f"vector {index} is zero or not finite and cannot be normalised")
        return [x / norm for x in values]
