from pathlib import Path

import numpy as np

from assistant.core.tokens import fold_accents, tokenize
from assistant.index.lexical import LexicalIndex, fingerprint, top_positive


def test_fold_accents() -> None:
    assert fold_accents("Financiële één Beïnvloeding") == "financiele een beinvloeding"


def test_tokenize_lowercases_stems_and_drops_stopwords() -> None:
    assert tokenize("De provincies en het Studenten Reis Product") == [
        "provincie",
        "student",
        "reis",
        "product",
    ]


def test_tokenize_keeps_identifiers_and_splits_compounds_with_hyphen() -> None:
    tokens = tokenize("Kenmerk 11812/2024 over OV-voorzieningenniveau, datum 21.05.2024")
    assert "11812/2024" in tokens and "21.05.2024" in tokens
    assert "ov" in tokens and tokenize("voorzieningenniveau")[0] in tokens


def test_fingerprint_is_order_independent() -> None:
    assert fingerprint(["b", "a"]) == fingerprint(["a", "b"]) != fingerprint(["a"])


def test_index_search_rebuild_and_reload(tmp_path: Path) -> None:
    index = LexicalIndex(tmp_path / "bm25")
    assert index.search("iets", 3) == []
    index.rebuild(["c1", "c2", "c3"], ["studenten reizen met het OV", "digitalisering strategie", "stikstof"])
    assert [i for i, _ in index.search("studentenreis OV", 3)] == ["c1"]
    reloaded = LexicalIndex(tmp_path / "bm25")
    assert reloaded.ids == ["c1", "c2", "c3"]
    assert reloaded.current_fingerprint == fingerprint(["c1", "c2", "c3"])
    assert [i for i, _ in reloaded.search("digitalisering", 3)] == ["c2"]
    reloaded.rebuild([], [])
    assert LexicalIndex(tmp_path / "bm25").search("stikstof", 3) == []


def test_idf_is_highest_for_absent_terms(tmp_path: Path) -> None:
    index = LexicalIndex(tmp_path / "bm25")
    index.rebuild(["a", "b", "c"], ["stikstof natuur", "stikstof water", "digitalisering"])
    assert index.idf("gelderland") > index.idf("digitaliser") > index.idf("stikstof") > 0


def test_top_positive_is_a_full_sort_of_the_positive_scores() -> None:
    rng = np.random.default_rng(7)
    for _ in range(200):
        # Few distinct values: many ties, also at the k-th place; zeros are never ranked.
        scores = rng.integers(0, 6, size=int(rng.integers(1, 300))).astype(np.float32) / 3
        k = int(rng.integers(1, 40))
        expected = sorted((i for i in range(len(scores)) if scores[i] > 0), key=lambda i: (-scores[i], i))[:k]
        assert top_positive(scores, k) == expected
    assert top_positive(np.zeros(5, dtype=np.float32), 3) == []
    assert top_positive(np.array([0.5, 2.0, 0.0, 2.0], dtype=np.float32), 10) == [1, 3, 0]
