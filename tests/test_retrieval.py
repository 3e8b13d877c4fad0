"""Hybrid retrieval with the fake embedder and a real embedded Chroma: filters, de-duplication, glossary."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.core.records import Hit, Scope
from assistant.rag.glossary import load_glossary
from assistant.rag.retrieval import CoverageReranker, Filters, Retriever, collapse_duplicates
from assistant.services.wiring import Index

from .archive_helpers import ingested_index

FULL = Scope.full()


@pytest.fixture
def index(tmp_path: Path) -> Index:
    return ingested_index(tmp_path)


def _retriever(index: Index, **kwargs: object) -> Retriever:
    return Retriever(index.store, index.lexical, index.embeddings, glossary=load_glossary(), **kwargs)  # type: ignore[arg-type]


def test_duplicate_letter_is_collapsed_with_both_files_listed(index: Index) -> None:
    hits = _retriever(index).search("herijkingsmetingen Studenten Reis Product", k=3, scope=FULL)
    assert hits[0].source.startswith("brieven/2024-11-05_srp")
    assert len(hits[0].alternates) == 1 and hits[0].alternates[0].startswith("brieven/2024-11-05_srp")
    assert sum(h.source.startswith("brieven/2024-11-05_srp") for h in hits) == 1


def test_glossary_expansion_finds_full_term_from_abbreviation(index: Index) -> None:
    plain = Retriever(index.store, index.lexical, index.embeddings)
    assert plain.lexical.search("SRP", 5) == []  # the abbreviation itself occurs nowhere
    hits = _retriever(index).search("Wat is er mis met het SRP?", k=2, scope=FULL)
    assert hits[0].source.startswith("brieven/2024-11-05_srp")


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(date_from="2024-11-02"), {"brieven/2024-11-05_srp.md"}),
        (Filters(date_to="2024-09-30"), {"positions/2024-09-02_h3b.md"}),
        (Filters(doc_types=("position paper",)), {"positions/2024-09-02_h3b.md"}),
        (Filters(addressee="staatssecretaris"), {"brieven/2024-11-01_nds.md"}),
        (Filters(folder="positions"), {"positions/2024-09-02_h3b.md"}),
        (
            Filters(folder="archief", date_from="2024-11-01", date_to="2024-11-01"),
            {"brieven/2024-11-01_nds.md"},
        ),
    ],
)
def test_filters(index: Index, filters: Filters, expected: set[str]) -> None:
    hits = _retriever(index).search("studenten OV tekort digitalisering", k=10, filters=filters, scope=FULL)
    assert {h.source for h in hits} - {"brieven/2024-11-05_srp_kopie.md"} == expected


def test_hits_carry_raw_evidence(index: Index) -> None:
    hit = _retriever(index).search("Nationale Digitaliseringsstrategie informatiepositie", k=1, scope=FULL)[0]
    assert hit.dense is not None and hit.dense > 0.2
    assert hit.lexical is not None and hit.lexical > 0


def test_collapse_keeps_distinct_texts_and_same_file_overlaps() -> None:
    text = "provincies vragen compensatie voor het tekort in het studenten openbaar vervoer"
    a = Hit("1", text + " en meer tekst op deze pagina", 1.0, {"source": "a.pdf", "doc_id": "brief"})
    b = Hit(
        "2", text, 0.9, {"source": "a.docx", "doc_id": "brief"}
    )  # contained in a: same letter, other file
    c = Hit(
        "3",
        "heel andere tekst over digitalisering en de overheid hier",
        0.8,
        {"source": "c.pdf", "doc_id": "c"},
    )
    d = Hit("4", text, 0.7, {"source": "a.pdf", "doc_id": "brief"})  # same file: an overlapping chunk, kept
    e = Hit("5", text, 0.6, {"source": "dia.pdf", "doc_id": "deck"})  # another document quoting it: kept
    out = collapse_duplicates([a, b, c, d, e])
    assert [h.chunk_id for h in out] == ["1", "3", "4", "5"] and out[0].alternates == ("a.docx",)


def test_coverage_reranker_prefers_chunks_with_the_query_words() -> None:
    hits = [Hit("x", "algemene tekst", 0.02, {}), Hit("y", "studenten reisproduct tekort", 0.019, {})]
    assert [h.chunk_id for h in CoverageReranker().rerank("tekort studenten", hits)] == ["y", "x"]


def test_filters_where_clause() -> None:
    assert Filters().where() is None
    assert Filters(date_from="2024-01-01", doc_types=("brief",)).where() == {
        "$and": [{"date_int": {"$gte": 20240101}}, {"doc_type": {"$in": ["brief"]}}]
    }


def test_lexical_weight_sets_how_much_bm25_moves_the_fused_order(index: Index) -> None:
    from assistant.rag.retrieval import RetrievalOptions

    query = "Wat is er mis met het SRP?"
    dense_only = _retriever(index, options=RetrievalOptions(lexical=False)).search(query, k=5, scope=FULL)
    muted = _retriever(index, options=RetrievalOptions(lexical_weight=0.0)).search(query, k=5, scope=FULL)
    assert [h.chunk_id for h in muted] == [h.chunk_id for h in dense_only], "weight 0 leaves the dense order"
    lexical_only = _retriever(index, options=RetrievalOptions(dense=False)).search(query, k=5, scope=FULL)
    loud = _retriever(index, options=RetrievalOptions(lexical_weight=100.0, rrf_k=1)).search(
        query, k=5, scope=FULL
    )
    assert loud[0].chunk_id == lexical_only[0].chunk_id, "a dominant BM25 weight puts its first hit first"
