"""Reciprocal rank fusion: combine ranked lists without comparing their incomparable scores.

BM25 scores and cosine similarities live on different scales; RRF uses only ranks. Each list gives an
item ``weight / (k + rank)`` (rank from 1); an item's fused score is the sum over the lists it is in.
``k = 60`` is the constant of Cormack et al. (2009); smaller k lets the top ranks dominate more.
"""

from __future__ import annotations

from collections.abc import Sequence


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[str]],
    *,
    k: int = 60,
    weights: Sequence[float] | None = None,
) -> list[tuple[str, float]]:
    """Fuse ranked id lists into one, best first; ties keep first-seen order (stable, deterministic)."""
    if weights is not None and len(weights) != len(rankings):
        raise ValueError("one weight per ranking is required")
    scores: dict[str, float] = {}
    for index, ranking in enumerate(rankings):
        weight = 1.0 if weights is None else weights[index]
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda pair: -pair[1])
