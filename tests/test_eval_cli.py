"""`lobby eval` end to end on a small subset, so the harness cannot rot (the full run is a command, not CI).

The fast tests use the fake embedder; the integration test runs the real embedding model on the first
gold questions over ``data/`` with the extractive answerer, and holds retrieval to the level measured.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.app.cli import app

from .conftest import FIXTURES


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LOBBY_HOME", str(tmp_path / "home"))
    return tmp_path


def _run(*args: str) -> dict:
    result = CliRunner().invoke(app, ["eval", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_gold_subset_with_report(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOBBY_EMBEDDING_MODEL", "fake")
    data = _run(
        "--limit", "8", "--llm", "extractive", "--shared", str(home / "absent"), "--report", str(home / "r")
    )
    summary = data["summary"]
    assert summary["cases"] == 8
    for key in (
        "hit@5",
        "recall@5",
        "mrr@10",
        "ndcg@10",
        "refusal_accuracy",
        "false_refusal_rate",
        "fact_coverage",
        "citation_precision",
        "citation_recall",
        "latency_s",
    ):
        assert key in summary, key
    assert {"retrieve", "total"} <= set(summary["latency_s"])
    assert data["mode"] == "hybrid+glossary" and data["embedding_model"] == "fake"
    report = (home / "r" / "report.md").read_text()
    assert "## Gold set" in report and "## Configuratie" in report
    assert (home / "r" / "report.html").exists() and (home / "r" / "per_question.png").exists()


def test_compare_covers_every_mode_on_benchmark_and_gold(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = _run("--compare", "--model", "fake", "--beir", str(FIXTURES / "beir_mini"), "--limit", "6",
                "--shared", str(home / "absent"), "--report", str(home / "r"))  # fmt: skip
    table = {(row["benchmark"], row["mode"]) for row in data["comparison"]}
    modes = ("bm25", "dense", "hybrid", "hybrid+glossary")
    assert table == {(bench, mode) for bench in ("beir_mini", "gold") for mode in modes}
    assert data["benchmarks"]["beir_mini"]["per_query"]
    report = (home / "r" / "report.md").read_text()
    assert (
        "## Vergelijking" in report and "![nDCG@10 per benchmark en configuratie](comparison.png)" in report
    )


@pytest.mark.integration
def test_real_model_on_the_first_gold_questions(home: Path) -> None:
    data = _run("--limit", "12", "--llm", "extractive", "--shared", str(home / "absent"))
    summary = data["summary"]
    assert summary["cases"] == 12
    assert summary["hit@5"] >= 0.9, summary
    assert summary["false_refusal_rate"] <= 0.1, summary
