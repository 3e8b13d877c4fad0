"""The gold set loads, has the promised composition, and malformed cases are named by file and line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from eval.gold import GoldFormatError, load_gold, stem
from eval.metrics import fact_coverage, hit_at_k, mrr_at_k, ndcg_at_k, recall_at_k, refusal_rates

from .conftest import REPO


def test_gold_set_composition() -> None:
    cases = load_gold()
    kinds = [c.kind for c in cases]
    assert len(cases) >= 50
    assert sum(not c.answerable for c in cases) >= 10
    assert kinds.count("followup") >= 5 and kinds.count("timeline") >= 5
    assert all(c.history for c in cases if c.kind == "followup")


def test_gold_sources_exist_in_the_sample_archive() -> None:
    stems = {stem(p.relative_to(REPO / "data").as_posix()) for p in (REPO / "data").rglob("*.*")}
    for case in load_gold():
        if case.root == "data":
            missing = [s for s in case.sources if s not in stems]
            assert not missing, f"{case.location}: {missing}"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "invalid JSON"),
        ('{"id": "a", "question": "q", "answerable": true, "kind": "fact"}', "at least one expected source"),
        ('{"id": "a", "question": "q", "answerable": false, "kind": "raar"}', "kind 'raar'"),
        (
            '{"id": "a", "question": "q", "answerable": true, "kind": "followup", "sources": ["x"]}',
            "needs a history",
        ),
        ('{"question": "q"}', "missing field(s) id, answerable, kind"),
    ],
)
def test_malformed_case_names_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    good = '{"id": "ok", "question": "q", "answerable": false, "kind": "refusal"}'
    path = tmp_path / "gold.jsonl"
    path.write_text(f"{good}\n\n{line}\n")
    with pytest.raises(GoldFormatError, match=f"gold.jsonl:3: .*{re.escape(message)}"):
        load_gold(path)


def test_duplicate_ids_are_rejected(tmp_path: Path) -> None:
    case = '{"id": "ok", "question": "q", "answerable": false, "kind": "refusal"}'
    (tmp_path / "gold.jsonl").write_text(f"{case}\n{case}\n")
    with pytest.raises(GoldFormatError, match="duplicate id 'ok'"):
        load_gold(tmp_path)


def test_stem_ignores_the_extension_only() -> None:
    assert stem("brieven/2024-11-05_brief.docx") == "brieven/2024-11-05_brief"
    assert (
        stem("240528_Brief_aan_PS_Definitief windbeleid.pdf") == "240528_Brief_aan_PS_Definitief windbeleid"
    )
    assert stem("map.v2/bestand") == "map.v2/bestand"


def test_retrieval_metrics_hand_computed() -> None:
    ranked = ["a", "b", "a", "c", "d"]  # duplicate 'a' counts once: [a, b, c, d]
    relevant = {"b", "d"}
    assert hit_at_k(ranked, relevant, 1) == 0.0 and hit_at_k(ranked, relevant, 2) == 1.0
    assert recall_at_k(ranked, relevant, 3) == 0.5 and recall_at_k(ranked, relevant, 4) == 1.0
    assert mrr_at_k(ranked, relevant) == 0.5
    # DCG = 1/log2(3) + 1/log2(5); IDCG = 1 + 1/log2(3)
    import math

    assert ndcg_at_k(ranked, relevant) == pytest.approx(
        (1 / math.log2(3) + 1 / math.log2(5)) / (1 + 1 / math.log2(3))
    )
    assert ndcg_at_k(ranked, set()) == 0.0


def test_answer_metrics() -> None:
    assert fact_coverage("Het tekort is €200  miljoen.", ["200 miljoen", "11812/2024"]) == 0.5
    assert fact_coverage("Financiële zaken", ["financiele"]) == 1.0
    rates = refusal_rates([(False, True), (False, False), (True, False), (True, True)])
    assert rates == {"refusal_accuracy": 0.5, "false_refusal_rate": 0.5}


def test_stem_keeps_dots_inside_names() -> None:
    assert stem("230701_Tussenstand_RES_2.0_West_juli_2023") == "230701_Tussenstand_RES_2.0_West_juli_2023"
    assert (
        stem("230701_Tussenstand_RES_2.0_West_juli_2023.pdf") == "230701_Tussenstand_RES_2.0_West_juli_2023"
    )
