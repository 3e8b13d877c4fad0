"""The gold set loads, has the promised composition, and malformed cases are named by file and line."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from assistant.rag.citations import normalise_for_match
from eval.gold import (
    SPLITS,
    GoldCase,
    GoldFormatError,
    assign_splits,
    load_gold,
    split_cases,
    stem,
)
from eval.metrics import fact_coverage, hit_at_k, mrr_at_k, ndcg_at_k, recall_at_k, refusal_rates
from ingest.loaders import SUPPORTED_SUFFIXES, load

from .conftest import REPO, shared_path

#: The question types the issue asks for; each needs at least three answerable cases in each half.
REQUIRED_TYPES = ("abbreviation", "who", "amount", "when", "why")
#: The folders of the ``shared`` root, under ../shared/corpus.
SHARED_FOLDERS = ("provincie_overijssel_woo", "rijksoverheid_kamerbrieven", "kamervragen_antwoorden")


def test_gold_set_composition() -> None:
    cases = load_gold()
    kinds = [c.kind for c in cases]
    assert sum(c.answerable for c in cases) >= 100
    assert sum(not c.answerable for c in cases) >= 40
    assert kinds.count("followup") >= 5 and kinds.count("timeline") >= 5
    assert all(c.history for c in cases if c.kind == "followup")
    assert all(not c.sources and not c.facts and c.kind == "refusal" for c in cases if not c.answerable)
    assert all(c.note for c in cases if not c.answerable), "every refusal says why it is unanswerable"


def test_every_case_is_in_one_half_and_the_halves_balance() -> None:
    cases = load_gold()
    assert all(c.split in SPLITS for c in cases)
    for answerable in (True, False):
        halves = Counter(c.split for c in cases if c.answerable is answerable)
        assert abs(halves["dev"] - halves["test"]) <= 3, (answerable, halves)
        for root in ("data", "shared"):
            per_root = Counter(c.split for c in cases if c.answerable is answerable and c.root == root)
            assert abs(per_root["dev"] - per_root["test"]) <= 3, (answerable, root, per_root)


def test_each_required_question_type_in_each_half() -> None:
    counts = Counter((c.type, c.split) for c in load_gold() if c.answerable)
    short = {(t, s): counts[t, s] for t in REQUIRED_TYPES for s in SPLITS if counts[t, s] < 3}
    assert not short, short


def test_split_cases_selects_one_half_or_all() -> None:
    cases = load_gold()
    dev, test = split_cases(cases, "dev"), split_cases(cases, "test")
    assert dev and test and len(dev) + len(test) == len(cases)
    assert {c.split for c in dev} == {"dev"} and {c.split for c in test} == {"test"}
    assert split_cases(cases, None) == cases
    with pytest.raises(ValueError, match="split 'train'"):
        split_cases(cases, "train")


def _stub(case_id: str, answerable: bool = True, root: str = "data") -> GoldCase:
    return GoldCase(case_id, "q", answerable, (), (), "fact" if answerable else "refusal", root, type="what")


def test_the_gate_is_calibrated_on_the_development_half_whichever_half_is_run() -> None:
    """`lobby eval --split test --calibrate` once calibrated on the test half itself: the cases it ran."""
    from dataclasses import replace

    from eval.runner import calibration_cases

    cases = [replace(_stub(f"c{i}"), split=SPLITS[i % 2]) for i in range(6)]
    roots = {"data": [REPO / "data"]}
    tuning, tuned_on = calibration_cases(cases, roots)
    assert tuned_on == "dev" and {c.split for c in tuning} == {"dev"} and len(tuning) == 3
    only_test = [c for c in cases if c.split == "test"]
    assert calibration_cases(only_test, roots)[1] == "all"  # why the CLI passes the whole set to tune on
    assert calibration_cases([*cases, _stub("s", root="shared")], roots)[0] == tuning  # absent root: skipped


def test_assign_splits_alternates_within_strata_and_balances() -> None:
    cases = [_stub(f"a{i}") for i in range(5)] + [_stub(f"s{i}", root="shared") for i in range(3)]
    cases += [_stub(f"r{i}", answerable=False) for i in range(4)]
    assigned = assign_splits(cases)
    assert assigned == assign_splits(list(reversed(cases))), "depends on the ids, not on the order"
    for answerable in (True, False):
        halves = Counter(assigned[c.id] for c in cases if c.answerable is answerable)
        assert abs(halves["dev"] - halves["test"]) <= 1, halves
    # The odd data stratum (5 cases) tips one way, the odd shared stratum (3) the other.
    assert Counter(assigned[c.id] for c in cases if c.answerable) == {"dev": 4, "test": 4}


def test_gold_sources_exist_in_the_sample_archive() -> None:
    stems = {stem(p.relative_to(REPO / "data").as_posix()) for p in (REPO / "data").rglob("*.*")}
    for case in load_gold():
        if case.root == "data":
            missing = [s for s in case.sources if s not in stems]
            assert not missing, f"{case.location}: {missing}"


@cache
def _root_texts(root: str) -> dict[str, str]:
    """Normalised extracted text per source stem of one root (the DOCX and PDF copy of a stem joined)."""
    folders = [REPO / "data"] if root == "data" else [shared_path("corpus", f) for f in SHARED_FOLDERS]
    files: dict[str, list[Path]] = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix.lower() in SUPPORTED_SUFFIXES:
                files.setdefault(stem(path.relative_to(folder).as_posix()), []).append(path)
    needed = {s for c in load_gold() if c.root == root for s in c.sources}
    return {s: " ".join(normalise_for_match(load(p).text) for p in files[s]) for s in needed if s in files}


@pytest.mark.parametrize("root", ["data", pytest.param("shared", marks=pytest.mark.corpus)])
def test_every_fact_occurs_in_a_listed_source(root: str) -> None:
    """Facts are copied literally: each occurs, normalised, in the extracted text of a listed source."""
    texts = _root_texts(root)
    problems = []
    for case in (c for c in load_gold() if c.answerable and c.root == root):
        missing = [s for s in case.sources if s not in texts]
        if missing:
            problems.append(f"{case.location} ({case.id}): no file for {missing}")
            continue
        for fact in case.facts:
            if not any(normalise_for_match(fact) in texts[s] for s in case.sources):
                problems.append(f"{case.location} ({case.id}): fact {fact!r} in none of its sources")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "invalid JSON"),
        (
            '{"id": "a", "question": "q", "answerable": true, "kind": "fact", "split": "dev"}',
            "at least one expected source",
        ),
        ('{"id": "a", "question": "q", "answerable": false, "kind": "raar", "split": "dev"}', "kind 'raar'"),
        (
            '{"id": "a", "question": "q", "answerable": true, "kind": "followup", "sources": ["x"], "split": "dev"}',
            "needs a history",
        ),
        ('{"question": "q"}', "missing field(s) id, answerable, kind, split"),
        ('{"id": "a", "question": "q", "answerable": false, "kind": "refusal"}', "missing field(s) split"),
        (
            '{"id": "a", "question": "q", "answerable": false, "kind": "refusal", "split": "train"}',
            "split 'train'",
        ),
        (
            '{"id": "a", "question": "q", "answerable": false, "kind": "refusal", "split": "dev", "type": "hoe"}',
            "type 'hoe'",
        ),
    ],
)
def test_malformed_case_names_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    good = '{"id": "ok", "question": "q", "answerable": false, "kind": "refusal", "split": "test"}'
    path = tmp_path / "gold.jsonl"
    path.write_text(f"{good}\n\n{line}\n")
    with pytest.raises(GoldFormatError, match=f"gold.jsonl:3: .*{re.escape(message)}"):
        load_gold(path)


def test_duplicate_ids_are_rejected(tmp_path: Path) -> None:
    case = '{"id": "ok", "question": "q", "answerable": false, "kind": "refusal", "split": "dev"}'
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
