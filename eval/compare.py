"""One run that compares retrieval configurations and embedding models on every benchmark and the gold set.

For each embedding model, each BEIR set is indexed once (cached, see :mod:`eval.beir`) and searched in
every mode of :data:`eval.modes.MODES`; the gold set is run through the user's answerer in every mode
with the deterministic extractive backend (retrieval, evidence gate and citation check are the real
ones; only the wording of the answer is not a model's). BM25 does not depend on the embedding model,
so it is measured once, with the first model.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from assistant.core.settings import Settings
from assistant.services.wiring import build_embeddings
from eval.beir import index_beir, load_beir, query_rows, retriever_for, run_queries, summarize_queries
from eval.gold import GoldCase
from eval.metrics import GOLD_METRICS
from eval.modes import MODES, default_mode
from eval.runner import evaluate

Progress = Callable[[str], None]


def _label(model: str, mode: str) -> str:
    """The model column of a row: BM25 rows stand for every model."""
    return "-" if mode == "bm25" else model


def _gold_row(model: str, mode: str, result: dict[str, Any], calibrated: bool) -> dict[str, Any]:
    summary = result["summary"]
    row: dict[str, Any] = {"benchmark": "gold", "model": _label(model, mode), "mode": mode}
    row["queries"] = summary["cases"]
    row.update({key: summary.get(key) for key in GOLD_METRICS})
    row["gate"] = "calibrated for this model" if calibrated else "configured"
    return row


def compare(
    settings: Settings,
    *,
    models: Sequence[str],
    modes: Sequence[str] = tuple(MODES),
    benchmarks: Sequence[Path] = (),
    cases: Sequence[GoldCase] = (),
    shared: Path | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Measure every (model, mode) on every benchmark; per-query rows for the user's configuration."""
    say = progress or (lambda _message: None)
    started = time.perf_counter()
    user_model, user_mode = settings.embedding_model, default_mode(settings)
    # Per-query rows are kept for the configured model, or the first one compared if it is not among them.
    detail_model = user_model if user_model in models else models[0]
    rows: list[dict[str, Any]] = []
    details: dict[str, Any] = {}
    indexing: list[dict[str, Any]] = []
    gold: dict[str, Any] | None = None
    sets = [load_beir(path) for path in benchmarks]
    for number, model in enumerate(models):
        model_settings = settings.model_copy(update={"embedding_model": model})
        embeddings = build_embeddings(model_settings)
        model_modes = [mode for mode in modes if mode != "bm25" or number == 0]
        for beir in sets:
            say(f"{beir.name}: index for {model} ({len(beir.corpus)} passages)")
            t0 = time.perf_counter()

            def embedded(done: int, total: int, name: str) -> None:
                say(f"{name}: {done}/{total} passages embedded")

            index = index_beir(model_settings, beir, embeddings, progress=embedded)
            indexing.append(
                {"benchmark": beir.name, "model": model, "seconds": round(time.perf_counter() - t0, 1)}
            )
            for mode in model_modes:
                say(f"{beir.name}: {model} / {mode}")
                results = run_queries(retriever_for(model_settings, index, mode), beir)
                rows.append(
                    {
                        "benchmark": beir.name,
                        "model": _label(model, mode),
                        "mode": mode,
                        **summarize_queries(results),
                    }
                )
                if model == detail_model and mode == user_mode:
                    details[beir.name] = {"model": model, "mode": mode, "per_query": query_rows(results)}
        if cases:
            # Similarity scales differ between models: the gate's thresholds were calibrated for the
            # configured one, so another model gets its own (where the cases allow a calibration).
            kinds = {case.answerable for case in cases}
            calibrated = model != user_model and kinds == {True, False}
            for mode in model_modes:
                say(f"gold: {model} / {mode}")
                result = evaluate(
                    model_settings,
                    cases,
                    shared=shared,
                    llm="extractive",
                    mode=mode,
                    calibrate_gate=calibrated,
                    embeddings=embeddings,
                )
                rows.append(_gold_row(model, mode, result, calibrated))
                if model == detail_model and mode == user_mode:
                    gold = result
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "user_configuration": {"model": user_model, "mode": user_mode},
        "detailed": {"model": detail_model, "mode": user_mode},
        "comparison": rows,
        "indexing": indexing,
        "benchmarks": details,
        "gold": gold,
    }
