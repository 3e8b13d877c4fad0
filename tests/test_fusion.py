import pytest

from assistant.core.settings import Settings
from assistant.index.fusion import reciprocal_rank_fusion
from assistant.rag.retrieval import RetrievalOptions


def test_rrf_hand_computed() -> None:
    # a: 1/(60+1) + 1/(60+2); b: 1/(60+2) + 1/(60+1); c: 1/(60+3); d: 1/(60+3)
    fused = dict(reciprocal_rank_fusion([["a", "b", "c"], ["b", "a", "d"]], k=60))
    assert fused["a"] == pytest.approx(1 / 61 + 1 / 62)
    assert fused["b"] == pytest.approx(1 / 61 + 1 / 62)
    assert fused["c"] == pytest.approx(1 / 63)


def test_rrf_item_in_both_lists_beats_top_of_one() -> None:
    ranked = [item for item, _ in reciprocal_rank_fusion([["x", "both"], ["y", "z", "both"]], k=1)]
    # x: 1/2 = .5 ; both: 1/3 + 1/4 = .583 ; y: .5
    assert ranked[0] == "both"


def test_rrf_weights_and_ties_are_stable() -> None:
    assert [i for i, _ in reciprocal_rank_fusion([["a"], ["b"]])] == ["a", "b"]
    assert [i for i, _ in reciprocal_rank_fusion([["a"], ["b"]], weights=[1.0, 2.0])] == ["b", "a"]
    with pytest.raises(ValueError):
        reciprocal_rank_fusion([["a"]], weights=[1.0, 2.0])


def test_rrf_empty() -> None:
    assert reciprocal_rank_fusion([[], []]) == []


def test_the_shipped_fusion_lets_bm25_reorder_neighbours_but_not_overrule_a_clear_dense_lead() -> None:
    """Why k=10, w=0.1 (chosen on the benchmarks' development halves, see docs/PERFORMANCE.md).

    With the former k=60, w=0.3 a passage first on BM25 jumped from dense rank 4 over dense rank 1: the
    BM25 bonus (0.3/61) was larger than the gap between those dense ranks (1/61 - 1/64).
    """
    options = RetrievalOptions()
    assert (options.rrf_k, options.lexical_weight) == (Settings().rrf_k, Settings().lexical_weight)

    def fused(dense: list[str], lexical: list[str], k: int, weight: float) -> list[str]:
        return [i for i, _ in reciprocal_rank_fusion([dense, lexical], k=k, weights=[1.0, weight])]

    dense = ["lead", "second", "third", "fourth"]
    assert fused(dense, ["fourth"], options.rrf_k, options.lexical_weight)[0] == "lead"
    assert fused(dense, ["second"], options.rrf_k, options.lexical_weight)[0] == "second"  # a near tie
    assert fused(dense, ["fourth"], 60, 0.3)[0] == "fourth"  # the former setting overruled the lead
