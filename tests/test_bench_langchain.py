"""`lobby bench langchain`: ours against a plain LangChain set-up, on tiny inputs with the hash embedder."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from langchain_chroma import Chroma
from langchain_text_splitters import RecursiveCharacterTextSplitter

import eval.bench_langchain as bench
from assistant.core.settings import Settings
from assistant.testing import HashEmbeddings
from eval.beir import load_beir
from eval.bench_langchain import bench_langchain, passage_documents, percentile, plain_load

from .conftest import FIXTURES, shared_path

ARCHIVE_FILES = ("brief.docx", "notitie.md", "pagina.html", "twee_paginas.pdf", "drie_dias.pptx", "scan.pdf")


class SpySplitter(RecursiveCharacterTextSplitter):
    made: list[dict[str, Any]] = []  # noqa: RUF012 - shared record of every construction

    def __init__(self, **kwargs: Any) -> None:
        SpySplitter.made.append(kwargs)
        super().__init__(**kwargs)


class SpyChroma(Chroma):
    built: list[int] = []  # noqa: RUF012 - chunks per from_documents call
    searches = 0

    @classmethod
    def from_documents(cls, documents: Any, embedding: Any = None, **kwargs: Any) -> Chroma:  # type: ignore[override]
        SpyChroma.built.append(len(documents))
        return super().from_documents(documents, embedding, **kwargs)

    def similarity_search(self, query: str, k: int = 4, **kwargs: Any) -> Any:
        SpyChroma.searches += 1
        return super().similarity_search(query, k=k, **kwargs)


@pytest.fixture
def spies(monkeypatch: pytest.MonkeyPatch) -> None:
    SpySplitter.made.clear()
    SpyChroma.built.clear()
    SpyChroma.searches = 0
    monkeypatch.setattr(bench, "RecursiveCharacterTextSplitter", SpySplitter)
    monkeypatch.setattr(bench, "Chroma", SpyChroma)


def _archive(tmp_path: Path) -> Path:
    folder = tmp_path / "archief"
    folder.mkdir()
    for name in ARCHIVE_FILES:
        shutil.copy(FIXTURES / name, folder / name)
    return folder


def _gold(tmp_path: Path) -> Path:
    cases = [
        {"id": "brief", "question": "Wat vragen de provincies over de consultatie windenergie op land?",
         "answerable": True, "sources": ["brief.docx"], "kind": "fact", "split": "dev"},
        {"id": "dias", "question": "Welk budget per thema voor wind en zon staat in de presentatie?",
         "answerable": True, "sources": ["drie_dias"], "kind": "fact", "split": "test"},
        {"id": "participatie", "question": "Hoeveel trekt de provincie uit voor participatie bij windenergie?",
         "answerable": True, "sources": ["twee_paginas"], "kind": "fact", "split": "test"},
        {"id": "vervolg", "question": "En wat kost dat?", "answerable": True, "sources": ["pagina"],
         "kind": "followup", "split": "dev",
         "history": [{"question": "Wat vragen de provincies over netcongestie en transformatorstations?"}]},
        {"id": "elders", "question": "Wat staat er in het verslag dat hier niet is?", "answerable": True,
         "sources": ["ergens/anders"], "kind": "fact", "split": "dev"},
        {"id": "weiger", "question": "Wat is de hoofdstad van Peru?", "answerable": False, "kind": "refusal",
         "split": "test"},
    ]  # fmt: skip
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in cases) + "\n", encoding="utf-8")
    return path


def _beir(
    folder: Path, passages: dict[str, tuple[str, str]], queries: dict[str, tuple[str, set[str]]]
) -> Path:
    (folder / "qrels").mkdir(parents=True)
    (folder / "corpus.jsonl").write_text(
        "\n".join(json.dumps({"_id": i, "title": t, "text": x}) for i, (t, x) in passages.items()),
        encoding="utf-8",
    )
    (folder / "queries.jsonl").write_text(
        "\n".join(json.dumps({"_id": q, "text": text}) for q, (text, _) in queries.items()), encoding="utf-8"
    )
    rows = ["query-id\tcorpus-id\tscore"] + [
        f"{q}\t{p}\t1" for q, (_, rel) in queries.items() for p in sorted(rel)
    ]
    (folder / "qrels" / "test.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


def _benchmarks(tmp_path: Path) -> list[Path]:
    mini = tmp_path / "mini"
    shutil.copytree(FIXTURES / "beir_mini", mini)
    # Passages longer than one plain chunk (1,000 characters): the plain side must map chunks back to passages.
    long = {
        f"L{n}": (f"Onderwerp {word}", " ".join([f"De provincie werkt aan {word} en {word}beleid."] * 40))
        for n, word in enumerate(["wind", "stikstof", "water", "wonen", "bus", "natuur", "energie", "zon",
                                  "fiets", "dijk", "bodem", "erfgoed"])
    }  # fmt: skip
    queries = {"a": ("Wat doet de provincie aan wind?", {"L0"}), "b": ("Hoe zit het met stikstofbeleid?", {"L1"}),
               "c": ("Werkt de provincie aan wonen?", {"L3", "L4"})}  # fmt: skip
    return [mini, _beir(tmp_path / "lang", long, queries)]


def test_percentile_interpolates_like_numpy() -> None:
    assert percentile([], 95) is None
    assert percentile([5.0], 95) == 5.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile([float(x) for x in range(1, 101)], 95) == pytest.approx(95.05)


def test_plain_setup_names_the_real_parts() -> None:
    setup = bench.plain_setup()
    assert setup["splitter"] == "RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)"
    assert setup["vectorstore"].startswith("langchain_chroma.vectorstores.Chroma.from_documents")
    assert setup["loaders"][".pdf"] == "PyPDFLoader" and setup["loaders"][".docx"] == "Docx2txtLoader"
    assert setup["loaders"][".html"] == "BSHTMLLoader" and setup["loaders"][".md"] == "TextLoader"
    assert ".pptx" not in setup["loaders"]


def test_plain_loaders_lose_pptx_and_load_a_scan_as_empty_text(tmp_path: Path) -> None:
    folder = _archive(tmp_path)
    files = [(folder / n, n) for n in ARCHIVE_FILES]
    documents, stats = plain_load(files)
    assert stats["files_loaded"] == 5
    assert [f["source"] for f in stats["not_loaded"]] == ["drie_dias.pptx"]
    assert "unstructured" in stats["not_loaded"][0]["reason"]
    assert stats["empty_text"] == ["scan.pdf"]
    assert {Path(d.metadata["source"]).name for d in documents} >= {
        "brief.docx",
        "twee_paginas.pdf",
        "scan.pdf",
    }


def test_compares_both_sides_and_caches_the_plain_benchmark_index(tmp_path: Path, spies: None) -> None:
    settings = Settings(home=tmp_path / "home", embedding_model="fake")
    archive, gold, benchmarks = _archive(tmp_path), _gold(tmp_path), _benchmarks(tmp_path)

    result = bench_langchain(
        settings, paths=[archive], benchmarks=benchmarks, gold=gold, embeddings=HashEmbeddings()
    )

    assert {"ours", "langchain", "ratios", "ndcg_ratio", "notes"} <= set(result)
    ours, plain, ratios = result["ours"], result["langchain"], result["ratios"]
    # The plain side really is RecursiveCharacterTextSplitter(1000, 200) and Chroma.from_documents.
    assert SpySplitter.made and all(m == {"chunk_size": 1000, "chunk_overlap": 200} for m in SpySplitter.made)
    assert len(SpyChroma.built) == 3  # the archive and each benchmark
    assert SpyChroma.built[0] == plain["ingest"]["chunks"] > 0
    assert SpyChroma.searches > 0
    assert plain["setup"]["splitter"].endswith("(chunk_size=1000, chunk_overlap=200)")
    assert "Chroma.from_documents" in plain["setup"]["vectorstore"]

    # Ingest: the same six files; the plain side loses the PPTX and loads the scan as empty text.
    assert plain["ingest"]["files"] == ours["ingest"]["files"] == 6
    assert plain["ingest"]["files_loaded"] == 5
    assert [f["source"] for f in plain["ingest"]["not_loaded"]] == ["drie_dias.pptx"]
    assert plain["ingest"]["empty_text_sources"] == ["scan.pdf"]
    assert plain["ingest"]["empty_text_files"] == 1
    assert plain["ingest"]["files_indexed"] == 4
    assert ours["ingest"]["files_loaded"] == 5
    assert [f["source"] for f in ours["ingest"]["not_loaded"]] == ["scan.pdf"]
    assert ours["ingest"]["empty_text_files"] == 0
    assert ours["ingest"]["chunks"] > 0
    assert any("PPTX" in n and "unstructured" in n for n in result["notes"])
    assert any("empty text" in n and "scan.pdf" in n for n in result["notes"])

    # Gold: five answerable cases, one of which refers to a file outside the archive.
    assert result["gold"]["skipped"] == ["elders"]
    assert result["gold"]["questions"] == 6
    assert ours["gold"]["cases"] == plain["gold"]["cases"] == 4
    rows = {r["id"]: r for r in result["gold"]["per_case"]}
    assert rows["dias"]["langchain_hit@5"] == 0.0, "the plain side never loaded the PPTX"
    assert rows["dias"]["ours_hit@5"] == 1.0
    for side in (ours, plain):
        latency = side["query_latency_ms"]
        assert latency["queries"] == 6 and latency["over"] == "gold questions"
        assert 0 < latency["p50"] <= latency["p95"]

    # Benchmarks: nDCG@10 on both sides, chunks of long passages mapped back to passages.
    assert set(ours["benchmarks"]) == set(plain["benchmarks"]) == {"mini", "lang"}
    lang = plain["benchmarks"]["lang"]
    assert lang["chunks"] > lang["passages"] == 12
    assert lang["cached"] is False and ours["benchmarks"]["lang"]["cached"] is False
    assert Path(lang["cache"]).parent == settings.home / "bench"
    assert Path(lang["cache"]).name.startswith("langchain-lang-")
    for side in (ours, plain):
        for row in side["benchmarks"].values():
            assert 0.0 <= row["ndcg@10"] <= 1.0 and row["queries"] > 0

    # Ratios are ours / plain; ndcg_ratio is the lowest benchmark ratio.
    assert set(ratios) == {"ingest_time", "query_p95", "ndcg_mini", "ndcg_lang", "hit_at_5"}
    assert ratios["ingest_time"] == round(ours["ingest"]["seconds"] / plain["ingest"]["seconds"], 3)
    assert ratios["query_p95"] == round(ours["query_latency_ms"]["p95"] / plain["query_latency_ms"]["p95"], 3)
    assert ratios["hit_at_5"] == round(ours["gold"]["hit@5"] / plain["gold"]["hit@5"], 3)
    for name in ("mini", "lang"):
        expected = round(ours["benchmarks"][name]["ndcg@10"] / plain["benchmarks"][name]["ndcg@10"], 3)
        assert ratios[f"ndcg_{name}"] == expected
    assert result["ndcg_ratio"] == min(ratios["ndcg_mini"], ratios["ndcg_lang"])
    assert result["ndcg_ratio_benchmark"] in {"mini", "lang"}

    assert lang["search_k"] == min(lang["chunks"], 10 * lang["max_chunks_per_passage"])

    # A rerun embeds no benchmark again (either side), and says so.
    SpyChroma.built.clear()
    SpyChroma.searches = 0
    embeddings = HashEmbeddings()
    again = bench_langchain(settings, paths=[], benchmarks=benchmarks, gold=None, embeddings=embeddings)
    assert SpyChroma.built == []
    assert embeddings.calls == 1  # the warm-up only
    for side in ("ours", "langchain"):
        assert all(row["cached"] for row in again[side]["benchmarks"].values())
    assert again["langchain"]["benchmarks"]["lang"]["ndcg@10"] == lang["ndcg@10"]
    assert any("cached" in n for n in again["notes"])
    # One similarity_search per benchmark query (6 + 3), then the k=5 latency run over mini's 6 queries.
    assert SpyChroma.searches == 6 + 3 + 6
    # Without gold questions latency is measured on the first benchmark's queries; no hit@5.
    assert again["ours"]["query_latency_ms"]["over"] == "mini queries"
    assert again["ratios"]["hit_at_5"] is None and again["ratios"]["ingest_time"] is None
    assert "ingest" not in again["ours"] and again["gold"] is None


@pytest.mark.corpus
def test_plain_split_of_rijksoverheid_vac_matches_the_earlier_measurement() -> None:
    beir = load_beir(shared_path("benchmarks", "rijksoverheid_vac"))
    chunks = bench.make_splitter().split_documents(passage_documents(beir))
    assert len(chunks) == 410  # "410 chunks indexed in 87 s" in the earlier plain measurement
    assert {c.metadata["passage_id"] for c in chunks} == set(beir.corpus)
