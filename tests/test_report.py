"""Evaluation reports: the same blocks rendered as Markdown and HTML, plots written, failures listed."""

from __future__ import annotations

import json
from pathlib import Path

from eval.report import (
    Heading,
    Image,
    Paragraph,
    Table,
    fmt,
    gold_failures,
    render_html,
    render_markdown,
    write_report,
)


def _case(case_id: str, *, answerable: bool, hit: float | None, refused: bool, facts: float | None) -> dict:
    return {
        "id": case_id,
        "kind": "feit",
        "answerable": answerable,
        "question": f"Vraag {case_id}?",
        "expected": ["brief"],
        "retrieved": ["nota", "brief"],
        "hit@5": hit,
        "ndcg@10": hit,
        "refused": refused,
        "facts": facts,
        "answer": "Antwoord | met pijp",
        "timings": {},
    }


COMPARISON = {
    "seconds": 12.5,
    "user_configuration": {"model": "m", "mode": "hybrid+glossary"},
    "comparison": [
        {
            "benchmark": "set",
            "model": "-",
            "mode": "bm25",
            "ndcg@10": 0.5,
            "recall@10": 0.6,
            "mrr@10": 0.4,
            "queries": 3,
        },
        {
            "benchmark": "set",
            "model": "m",
            "mode": "hybrid",
            "ndcg@10": 0.8,
            "recall@10": 0.9,
            "mrr@10": 0.7,
            "queries": 3,
        },
        {
            "benchmark": "gold",
            "model": "m",
            "mode": "hybrid",
            "hit@5": 0.95,
            "refusal_accuracy": 0.5,
            "queries": 4,
        },
    ],
    "indexing": [{"benchmark": "set", "model": "m", "seconds": 0.0}],
    "benchmarks": {
        "set": {
            "model": "m",
            "mode": "hybrid",
            "per_query": [
                {"id": "q1", "query": "goed", "relevant": ["a"], "retrieved": ["a"], "ndcg@10": 1.0},
                {"id": "q2", "query": "mis", "relevant": ["b"], "retrieved": ["c", "d"], "ndcg@10": 0.0},
            ],
        }
    },
    "gold": {
        "summary": {"cases": 4, "hit@5": 0.5, "latency_s": {"retrieve": 0.1, "total": 0.2}},
        "llm": "extractive",
        "embedding_model": "m",
        "mode": "hybrid",
        "index": {"chunks": 10},
        "cases": [
            _case("g1", answerable=True, hit=1.0, refused=False, facts=1.0),
            _case("g2", answerable=True, hit=0.0, refused=False, facts=0.0),
            _case("g3", answerable=False, hit=None, refused=False, facts=None),
            _case("g4", answerable=False, hit=None, refused=True, facts=None),
        ],
    },
}


def test_cells_are_formatted_for_reading() -> None:
    assert fmt(None) == "-"
    assert fmt(0.12345) == "0.123"
    assert fmt(True) == "ja"
    assert fmt(["a", "b"]) == "a, b"


def test_markdown_and_html_say_the_same() -> None:
    blocks = [
        Heading("Titel", 1),
        Paragraph("Tekst <b>"),
        Table(("a", "b"), (("1|2", "x"),)),
        Image("p.png", "plot"),
    ]
    md = render_markdown(blocks)
    assert md.startswith("# Titel")
    assert "| 1\\|2 | x |" in md
    assert "![plot](p.png)" in md
    page = render_html(blocks)
    assert "<h1>Titel</h1>" in page and "Tekst &lt;b&gt;" in page
    assert "<td>1|2</td>" in page and '<img src="p.png" alt="plot">' in page


def test_failures_say_what_went_wrong() -> None:
    reasons = {case["id"]: why for case, why in gold_failures(COMPARISON["gold"]["cases"])}
    assert reasons == {"g2": "bron niet in top 5", "g3": "beantwoord, niet in archief"}


def test_write_report_produces_markdown_html_plots_and_json(tmp_path: Path) -> None:
    path = write_report(COMPARISON, tmp_path / "rapport", configuration={"llm": "extractive"})
    folder = path.parent
    assert {p.name for p in folder.iterdir()} == {
        "report.md",
        "report.html",
        "run.json",
        "comparison.png",
        "per_question.png",
    }
    assert (folder / "comparison.png").read_bytes()[:4] == b"\x89PNG"
    md = path.read_text()
    for expected in (
        "## Configuratie",
        "## Vergelijking",
        "hybrid+glossary",
        "set: per vraag",
        "| mis | b | c, d |",
        "## Gold set",
        "Mislukt (2)",
        "bron niet in top 5",
        "Antwoord \\| met pijp",
    ):
        assert expected in md, expected
    assert "<h2>Gold set</h2>" in (folder / "report.html").read_text()
    assert json.loads((folder / "run.json").read_text())["seconds"] == 12.5


def test_a_single_beir_run_is_reported(tmp_path: Path) -> None:
    run = {
        "benchmark": "set",
        "model": "m",
        "mode": "dense",
        "ndcg@10": 0.7,
        "recall@10": 0.8,
        "mrr@10": 0.6,
        "queries": 1,
        "per_query": [{"id": "q", "query": "vraag", "relevant": ["a"], "retrieved": ["b"], "ndcg@10": 0.0}],
    }
    md = write_report(run, tmp_path).read_text()
    assert "## BEIR: set" in md and "| vraag | a | b |" in md
    assert (tmp_path / "per_question.png").exists()


def test_targets_are_judged_for_the_user_configuration() -> None:
    from eval.report import target_rows

    run = {
        "user_configuration": {"model": "m", "mode": "hybrid"},
        "comparison": [
            {"benchmark": "legalqa_nl", "model": "-", "mode": "bm25", "ndcg@10": 0.65},
            {"benchmark": "legalqa_nl", "model": "m", "mode": "dense", "ndcg@10": 0.80},
            {"benchmark": "legalqa_nl", "model": "m", "mode": "hybrid", "ndcg@10": 0.86},
            {"benchmark": "legalqa_nl", "model": "other", "mode": "hybrid", "ndcg@10": 0.10},
            {"benchmark": "gold", "model": "m", "mode": "hybrid", "hit@5": 0.9, "false_refusal_rate": 0.04},
        ],
    }
    rows = {(r[0], r[1]): (r[3], r[4]) for r in target_rows(run)}
    assert rows[("legalqa_nl", "ndcg@10")] == (0.86, True)
    assert rows[("legalqa_nl", "ndcg@10 boven bm25 en dense")] == (0.86, True)
    assert rows[("gold", "hit@5")] == (0.9, False)
    assert rows[("gold", "false_refusal_rate")] == (0.04, True)
    assert ("rijksoverheid_vac", "ndcg@10") not in rows


def test_failures_without_incomplete_answers() -> None:
    cases = [*COMPARISON["gold"]["cases"], _case("g5", answerable=True, hit=1.0, refused=False, facts=0.5)]
    assert [c["id"] for c, _ in gold_failures(cases)] == ["g2", "g3", "g5"]
    assert [c["id"] for c, _ in gold_failures(cases, facts=False)] == ["g2", "g3"]


def test_several_beir_runs_are_each_reported(tmp_path: Path) -> None:
    run = {
        "benchmark": "b",
        "ndcg@10": 0.5,
        "per_query": [{"id": "q", "query": "v", "relevant": ["a"], "retrieved": ["a"], "ndcg@10": 1.0}],
    }
    md = write_report(
        {"runs": [{**run, "benchmark": "een"}, {**run, "benchmark": "twee"}]}, tmp_path
    ).read_text()
    assert "## BEIR: een" in md and "## BEIR: twee" in md
