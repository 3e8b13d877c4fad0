"""Run the gold set through the factory-built retriever and answerer that users get.

The evaluation archive is ``data/`` plus, where ``../shared`` is present, three folders of real
government documents. It is ingested (incrementally) into its own store under ``LOBBY_HOME/eval``, so
the user's own store is untouched and a rerun only embeds what changed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from assistant.core.answers import Evidence
from assistant.core.records import IngestReport, Scope
from assistant.core.settings import Settings
from assistant.rag.answering import Answerer
from assistant.rag.gate import Thresholds, calibrate_for_new_questions
from assistant.rag.steps import retrieve
from assistant.services.wiring import Index, build_answerer, build_index, build_ingestor
from eval.gold import GoldCase, stem
from eval.metrics import (
    citation_precision,
    fact_coverage,
    hit_at_k,
    in_order,
    median,
    mrr_at_k,
    ndcg_at_k,
    recall_at_k,
    refusal_rates,
)
from eval.modes import apply_mode, default_mode

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parent.parent
SHARED_FOLDERS = ("provincie_overijssel_woo", "rijksoverheid_kamerbrieven", "kamervragen_antwoorden")


def eval_roots(shared: Path | None) -> dict[str, list[Path]]:
    """The archive parts gold cases refer to (``root`` field): ``data`` always, ``shared`` if present."""
    roots: dict[str, list[Path]] = {"data": [REPO / "data"]}
    if shared is not None and (shared / "corpus").is_dir():
        roots["shared"] = [shared / "corpus" / name for name in SHARED_FOLDERS]
    return roots


def eval_settings(settings: Settings) -> Settings:
    """The user's settings with the evaluation store in its own home."""
    return settings.model_copy(update={"home": settings.home / "eval"})


def prepare_index(
    settings: Settings,
    roots: dict[str, list[Path]],
    embeddings: Embeddings | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> tuple[Index, IngestReport]:
    """Open the evaluation store and bring it up to date with the evaluation archive."""
    index = build_index(settings, embeddings=embeddings)
    paths = [p for paths in roots.values() for p in paths]
    # The evaluation archive is exactly these folders: chunks of any other root (an earlier checkout
    # in another place, a folder no longer evaluated) would compete in every search.
    stale = index.store.roots() - {str(p.resolve()) for p in paths}
    for root in sorted(stale):
        log.info("removing %s from the evaluation store: not part of the evaluation archive", root)
        index.store.delete_root(root)
    report = build_ingestor(settings, index=index).run(paths, progress=progress)
    if stale:
        index.lexical.rebuild(*index.store.all_rows())
    return index, report


@dataclass(slots=True)
class CaseResult:
    """Everything measured for one gold case."""

    case: GoldCase
    retrieved: list[str]
    evidence: Evidence
    refused: bool | None = None
    answer: str = ""
    facts: float | None = None
    newest_first: bool | None = None
    sentences: int = 0
    supported: int = 0
    cited: int = 0
    verified: int = 0
    timings: dict[str, float] = field(default_factory=dict)

    def hit(self, k: int = 5) -> float:
        return hit_at_k(self.retrieved, set(self.case.sources), k)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.case.id,
            "kind": self.case.kind,
            "answerable": self.case.answerable,
            "question": self.case.question,
            "expected": list(self.case.sources),
            "retrieved": self.retrieved[:5],
            "hit@5": self.hit(5) if self.case.answerable else None,
            "ndcg@10": ndcg_at_k(self.retrieved, set(self.case.sources), 10)
            if self.case.answerable
            else None,
            "refused": self.refused,
            "facts": self.facts,
            "newest_first": self.newest_first,
            "split": self.case.split,
            "type": self.case.type,
            "evidence": {
                "dense": round(self.evidence.dense, 4),
                "coverage": round(self.evidence.coverage, 4),
                "sentence": round(self.evidence.sentence, 4),
                "asked": self.evidence.asked,
                "read": self.evidence.read,
                "missing": list(self.evidence.missing),
            },
            "answer": self.answer,
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
        }


def run_cases(
    answerer: Answerer,
    cases: Sequence[GoldCase],
    *,
    answers: bool = True,
    progress: Callable[[int, int, str], None] | None = None,
) -> list[CaseResult]:
    """Run every case through the product's pipeline once; evidence and ranking are always recorded.

    With ``answers`` the whole pipeline runs (:meth:`Answerer.answer`) and its recorded steps give every
    figure: the ranking from the retrieve step's hits, the gate's evidence, the answer. Without, only the
    steps before generation run (condense, retrieve, gate), as the calibration needs.
    """
    results: list[CaseResult] = []
    scope = Scope.full()
    for number, case in enumerate(cases, start=1):
        if answers:
            answer = answerer.answer(case.question, case.history, scope=scope)
            hits, evidence, refused, timings = (
                answer.retrieved,
                answer.evidence,
                answer.refused,
                answer.timings,
            )
        else:
            started = time.perf_counter()
            standalone = answerer.standalone_question(case.question, case.history)
            found = retrieve(
                answerer.retriever, standalone, scope=scope, k=answerer.options.k,
                timeline_k=answerer.options.timeline_k, depth=answerer.options.depth,
            )  # fmt: skip
            evidence, answerable = answerer.decide(standalone, found.top, scope=scope, wider=found.hits)
            hits, refused, timings = found.hits, not answerable, {"retrieve": time.perf_counter() - started}
        # A hit counts for every file it stands for (the DOCX it was found in and the PDF copy).
        retrieved = list(dict.fromkeys(s for h in hits for s in (stem(h.source), *map(stem, h.alternates))))
        assert evidence is not None
        result = CaseResult(case, retrieved, evidence, refused=refused, timings=timings)
        if answers:
            result.answer = answer.text
        if answers and not answer.refused:
            result.facts = fact_coverage(answer.text, case.facts) if case.answerable else None
            if case.newest:
                result.newest_first = in_order(answer.text, case.newest)
            content = [c for c in answer.checked if c.has_content]
            result.sentences = len(content)
            result.supported = sum(1 for c in content if c.supported)
            result.cited = sum(len(c.cited) for c in content)
            result.verified = sum(len(c.verified) for c in content)
        results.append(result)
        if progress:
            progress(number, len(cases), case.id)
    return results


def summarize(results: Sequence[CaseResult], *, k: int = 5) -> dict[str, Any]:
    """Headline figures over all cases (retrieval on answerable cases only)."""
    answerable = [r for r in results if r.case.answerable]
    answered = [r for r in results if r.refused is False]
    rates = refusal_rates([(r.case.answerable, bool(r.refused)) for r in results])
    sentences = sum(r.sentences for r in answered)
    facts = [r.facts for r in answered if r.facts is not None]
    newest = [r.newest_first for r in answered if r.newest_first is not None]
    stages = sorted({stage for r in results for stage in r.timings})

    def mean(metric: Callable[[list[str], set[str]], float]) -> float | None:
        if not answerable:
            return None
        return sum(metric(r.retrieved, set(r.case.sources)) for r in answerable) / len(answerable)

    return {
        "cases": len(results),
        "answerable": len(answerable),
        f"hit@{k}": mean(lambda ranked, relevant: hit_at_k(ranked, relevant, k)),
        f"recall@{k}": mean(lambda ranked, relevant: recall_at_k(ranked, relevant, k)),
        "mrr@10": mean(mrr_at_k),
        "ndcg@10": mean(ndcg_at_k),
        **rates,
        "fact_coverage": sum(facts) / len(facts) if facts else None,
        # Cases whose figures changed over time: the newest figure is given before the older one.
        "newest_first": sum(newest) / len(newest) if newest else None,
        # Citation recall: the share of answer sentences that carry a citation which checks out.
        "citation_recall": sum(r.supported for r in answered) / sentences if sentences else None,
        "citation_precision": citation_precision(
            sum(r.verified for r in answered), sum(r.cited for r in answered)
        ),
        # Median seconds per stage (retrieve, first_token, total, ...) over the cases that had the stage.
        "latency_s": {
            stage: round(median(r.timings[stage] for r in results if stage in r.timings) or 0.0, 3)
            for stage in stages
        },
    }


def calibrate_thresholds(results: Sequence[CaseResult]) -> tuple[Thresholds, float, int]:
    """Gate thresholds from the evidence of every case, held to 5% false refusals on new questions.

    See :func:`assistant.rag.gate.calibrate_for_new_questions`; also returns how many false refusals
    the cross-validation allowed among the calibration questions.
    """
    return calibrate_for_new_questions([(r.evidence, r.case.answerable) for r in results])


def calibration_cases(cases: Sequence[GoldCase], roots: dict[str, list[Path]]) -> tuple[list[GoldCase], str]:
    """The cases the gate is calibrated on, and which: the development half, or all when none is marked."""
    runnable = [c for c in cases if c.root in roots]
    dev = [c for c in runnable if c.split == "dev"]
    return (dev, "dev") if dev else (runnable, "all")


def evaluate(
    settings: Settings,
    cases: Sequence[GoldCase],
    *,
    shared: Path | None,
    llm: str | None = None,
    answers: bool = True,
    calibrate_gate: bool = False,
    mode: str | None = None,
    embeddings: Embeddings | None = None,
    ingest_progress: Callable[[int, int, str], None] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    tuning_cases: Sequence[GoldCase] | None = None,
) -> dict[str, Any]:
    """Index the evaluation archive, run the cases, and return summary, calibration and per-case rows.

    ``mode`` switches the retriever to one of :data:`eval.modes.MODES` (default: as configured);
    ``embeddings`` is an already loaded model for ``settings.embedding_model`` (else one is loaded).
    ``tuning_cases`` are the cases the gate is calibrated on (their development half): pass the whole
    gold set when ``cases`` is one half, or a run of the test half would calibrate on the test half.
    """
    settings = eval_settings(settings)
    roots = eval_roots(shared)
    runnable = [c for c in cases if c.root in roots]
    skipped = [c.id for c in cases if c.root not in roots]
    started = time.perf_counter()
    index, report = prepare_index(settings, roots, embeddings, ingest_progress)
    ingest_seconds = time.perf_counter() - started
    answerer = build_answerer(settings, index=index, llm=llm)
    mode = mode or default_mode(settings)
    apply_mode(answerer.retriever, mode)
    calibration: dict[str, Any] | None = None
    if calibrate_gate:
        # Thresholds are tuned on the development half only; the test half never informs them.
        tuning, tuned_on = calibration_cases(tuning_cases if tuning_cases is not None else cases, roots)
        probe = run_cases(answerer, tuning, answers=False)
        thresholds, accuracy, allowed = calibrate_thresholds(probe)
        calibration = {"min_dense": thresholds.min_dense, "min_coverage": thresholds.min_coverage,
                       "min_sentence": thresholds.min_sentence, "gate_accuracy_dev": round(accuracy, 4),
                       "false_refusals_allowed": allowed,
                       "tuned_on": tuned_on}  # fmt: skip
        answerer.options = replace(answerer.options, thresholds=thresholds)
    results = run_cases(answerer, runnable, answers=answers, progress=progress)
    halves = {split: [r for r in results if r.case.split == split] for split in ("dev", "test")}
    return {
        "summary": summarize(results),
        "splits": {split: summarize(rows) for split, rows in halves.items() if rows},
        "thresholds": {
            "min_dense": answerer.options.thresholds.min_dense,
            "min_coverage": answerer.options.thresholds.min_coverage,
            "min_sentence": answerer.options.thresholds.min_sentence,
        },
        "calibration": calibration,
        "skipped": skipped,
        "index": {
            "chunks": index.store.count(),
            "ingest_seconds": round(ingest_seconds, 1),
            "failed": [f.source for f in report.failed],
        },
        "llm": llm or settings.llm,
        "embedding_model": settings.embedding_model,
        "mode": mode,
        "cases": [r.to_json() for r in results],
    }
