"""Evaluation metrics as pure functions over ranked ids and sets of relevant ids.

Relevance is binary. Ranked lists are de-duplicated first (the same document retrieved twice, e.g. as
two chunks, counts once, at its best rank), so a metric scores documents, not chunks.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence

from assistant.rag.citations import normalise_for_match

#: The quality figures of a gold run, in the order reports and comparisons show them.
GOLD_METRICS = (
    "hit@5",
    "recall@5",
    "mrr@10",
    "ndcg@10",
    "refusal_accuracy",
    "false_refusal_rate",
    "citation_precision",
    "citation_recall",
    "fact_coverage",
    "newest_first",
)


def dedupe(ranked: Iterable[str]) -> list[str]:
    """Keep the first occurrence of every id, in order."""
    return list(dict.fromkeys(ranked))


def hit_at_k(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    """1.0 when any relevant id is among the first ``k``."""
    return 1.0 if relevant & set(dedupe(ranked)[:k]) else 0.0


def recall_at_k(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    """Share of the relevant ids found among the first ``k``."""
    if not relevant:
        return 0.0
    return len(relevant & set(dedupe(ranked)[:k])) / len(relevant)


def mrr_at_k(ranked: Sequence[str], relevant: set[str], k: int = 10) -> float:
    """1 / rank of the first relevant id within the first ``k`` (0 if none)."""
    for rank, item in enumerate(dedupe(ranked)[:k], start=1):
        if item in relevant:
            return 1.0 / rank
    return 0.0


def ndcg_at_k(ranked: Sequence[str], relevant: set[str], k: int = 10) -> float:
    """Normalised discounted cumulative gain with binary relevance."""
    gains = [1.0 if item in relevant else 0.0 for item in dedupe(ranked)[:k]]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(relevant), k)))
    return dcg / ideal if ideal else 0.0


def fact_coverage(answer: str, facts: Sequence[str]) -> float:
    """Share of key facts present in the answer (accent/case-insensitive, whitespace-normalised)."""
    if not facts:
        return 1.0
    text = normalise_for_match(answer)
    return sum(1 for f in facts if normalise_for_match(f) in text) / len(facts)


def in_order(answer: str, figures: Sequence[str]) -> bool:
    """Whether every figure is in the answer, each first named before the next (newest before older)."""
    text = normalise_for_match(answer)
    positions = [text.find(normalise_for_match(f)) for f in figures]
    return all(p >= 0 for p in positions) and positions == sorted(positions)


def refusal_rates(outcomes: Sequence[tuple[bool, bool]]) -> dict[str, float | None]:
    """From (answerable, refused) pairs: refusal accuracy on unanswerable, false refusals on answerable."""
    unanswerable = [refused for answerable, refused in outcomes if not answerable]
    answerable = [refused for answerable, refused in outcomes if answerable]
    return {
        "refusal_accuracy": sum(unanswerable) / len(unanswerable) if unanswerable else None,
        "false_refusal_rate": sum(answerable) / len(answerable) if answerable else None,
    }


def citation_precision(verified: int, cited: int) -> float | None:
    """Share of the model's own citations whose cited chunk supports the sentence."""
    return verified / cited if cited else None


def median(values: Iterable[float]) -> float | None:
    data = list(values)
    return statistics.median(data) if data else None
