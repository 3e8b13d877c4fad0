"""BEIR benchmarks: loading with precise errors, cached indexing, the four modes, and the CLI contract."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.app.cli import app
from assistant.core.settings import Settings
from assistant.testing import HashEmbeddings
from eval.beir import BeirFormatError, index_beir, load_beir, retriever_for, run_queries, summarize_queries
from eval.modes import MODES

from .conftest import FIXTURES, shared_path

MINI = FIXTURES / "beir_mini"


def test_load_keeps_judged_queries_only() -> None:
    beir = load_beir(MINI)
    assert beir.name == "beir_mini"
    assert len(beir.corpus) == 10
    assert set(beir.queries) == {"q1", "q2", "q3", "q4", "q5", "q6"}  # q9 has no judgement
    assert beir.qrels["q4"] == {"P09", "P01"}
    assert beir.corpus["P08"][0] == "Provinciefonds"


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "set"
    shutil.copytree(MINI, target)
    return target


@pytest.mark.parametrize(
    ("file", "line", "message"),
    [
        ("corpus.jsonl", "{not json", "corpus.jsonl:11: not JSON"),
        ("corpus.jsonl", '{"title": "x", "text": "y"}', "corpus.jsonl:11: a JSON object with an '_id'"),
        ("queries.jsonl", "[1, 2]", "queries.jsonl:8: a JSON object"),
        ("qrels/test.tsv", "q1\tP01", "test.tsv:9: expected query-id, corpus-id, score"),
        ("qrels/test.tsv", "q1\tNOPE\t1", "test.tsv:9: corpus-id 'NOPE' is not in corpus.jsonl"),
        ("qrels/test.tsv", "q1\tP01\thigh", "test.tsv:9: score 'high' is not a number"),
    ],
)
def test_malformed_lines_are_named_by_file_and_line(
    tmp_path: Path, file: str, line: str, message: str
) -> None:
    folder = _copy(tmp_path)
    with (folder / file).open("a") as handle:
        handle.write(line + "\n")
    with pytest.raises(BeirFormatError, match=message.replace("[", r"\[").replace("(", r"\(")):
        load_beir(folder)


def test_missing_file_is_named(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "queries.jsonl").unlink()
    with pytest.raises(BeirFormatError, match=r"queries\.jsonl: file not found"):
        load_beir(folder)


def test_index_is_cached_by_model_and_content(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", embedding_model="fake")
    beir = load_beir(MINI)
    first = HashEmbeddings()
    index = index_beir(settings, beir, first, batch=4)
    assert index.store.count() == 10
    assert first.calls == 3  # 4 + 4 + 2 passages
    again = HashEmbeddings()
    index_beir(settings, beir, again)
    assert again.calls == 0, "an unchanged corpus is not embedded again"
    other_model = HashEmbeddings(dimension=128)
    index_beir(settings, beir, other_model)
    assert other_model.calls == 1, "another model gets its own collection"
    changed = tmp_path / "changed"
    shutil.copytree(MINI, changed)
    with (changed / "corpus.jsonl").open("a") as handle:
        handle.write(json.dumps({"_id": "P11", "title": "Nieuw", "text": "Een nieuwe passage."}) + "\n")
    fresh = HashEmbeddings()
    assert index_beir(settings, load_beir(changed), fresh).store.count() == 11
    assert fresh.calls == 1, "changed content is a new index"


def test_an_interrupted_index_embeds_only_what_is_missing(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", embedding_model="fake")
    beir = load_beir(MINI)

    class Dies(HashEmbeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            if self.calls == 1:
                raise KeyboardInterrupt
            return super().embed_documents(texts)

    with pytest.raises(KeyboardInterrupt):
        index_beir(settings, beir, Dies(), batch=4)
    resumed = HashEmbeddings()
    seen: list[int] = []
    original = resumed.embed_documents
    resumed.embed_documents = lambda texts: seen.append(len(texts)) or original(texts)  # type: ignore[method-assign]
    index = index_beir(settings, beir, resumed)
    assert seen == [6]
    assert index.store.count() == 10


def test_modes_switch_the_parts_of_the_user_retriever(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", embedding_model="fake")
    beir = load_beir(MINI)
    index = index_beir(settings, beir, HashEmbeddings())
    for mode, switches in MODES.items():
        retriever = retriever_for(settings, index, mode)
        assert (retriever.options.dense, retriever.options.lexical, retriever.options.expand) == (
            switches["dense"],
            switches["lexical"],
            switches["expand"],
        )
        summary = summarize_queries(run_queries(retriever, beir))
        assert summary["queries"] == 6
        assert 0.5 <= float(summary["ndcg@10"]) <= 1.0, mode
    lexical = run_queries(retriever_for(settings, index, "bm25"), beir)
    assert lexical[4].retrieved[0] == "P08"  # "Wat is het Provinciefonds?"


def test_cli_beir_json_contract_and_rerun_from_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOBBY_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LOBBY_EMBEDDING_MODEL", "fake")
    runner = CliRunner()
    result = runner.invoke(app, ["eval", "--beir", str(MINI), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"ndcg@10", "recall@10", "mrr@10", "queries"} <= set(data)
    assert data["queries"] == 6 and data["mode"] == "hybrid+glossary"
    assert len(data["per_query"]) == 6
    bm25 = json.loads(runner.invoke(app, ["eval", "--beir", str(MINI), "--json", "--mode", "bm25"]).stdout)
    assert bm25["mode"] == "bm25"


def test_cli_rejects_unknown_mode_and_bad_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOBBY_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LOBBY_EMBEDDING_MODEL", "fake")
    result = CliRunner().invoke(app, ["eval", "--beir", str(MINI), "--mode", "magic"])
    assert result.exit_code == 2 and "magic" in result.output
    result = CliRunner().invoke(app, ["eval", "--beir", str(tmp_path)])
    assert result.exit_code == 2 and "corpus.jsonl: file not found" in result.output


@pytest.mark.integration
def test_real_model_ranks_the_mini_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """EmbeddingGemma through the CLI on the small fixture: dense alone gets every first passage right."""
    monkeypatch.setenv("LOBBY_HOME", str(tmp_path / "home"))
    result = CliRunner().invoke(app, ["eval", "--beir", str(MINI), "--json", "--mode", "dense"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["mrr@10"] == 1.0


@pytest.mark.corpus
def test_rijksoverheid_benchmark_loads_with_its_qrels() -> None:
    beir = load_beir(shared_path("benchmarks", "rijksoverheid_vac"))
    assert len(beir.corpus) == 179
    assert len(beir.queries) == 179  # every query has one judged passage
    assert all(doc in beir.corpus for docs in beir.qrels.values() for doc in docs)
