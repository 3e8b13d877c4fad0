"""Filters evaluated on the lexical index's columns select exactly what Chroma's own ``where`` selects."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from assistant.core.records import ACCESS_LEVELS, Scope
from assistant.core.settings import Settings
from assistant.index.facets import Facets
from assistant.rag.glossary import load_glossary
from assistant.rag.retrieval import Filters, Retriever
from assistant.services.wiring import Index, build_index
from assistant.testing import HashEmbeddings
from ingest.pipeline import Ingestor

TYPES = ["brief", "position paper", "presentatie", "notitie"]
MONTHS = ["januari", "maart", "mei", "juli", "september", "november"]
WORDS = [
    "provincies",
    "stikstof",
    "natuur",
    "studenten",
    "reizen",
    "OV",
    "digitalisering",
    "wonen",
    "water",
    "energie",
    "geld",
    "begroting",
]

META = [
    {"date_int": 20240105, "doc_type": "brief", "doc_id": "a", "access": "openbaar"},
    {"date_int": 20230610, "doc_type": "notitie", "doc_id": "b", "access": "intern"},
    {"doc_type": "brief", "doc_id": "c", "access": "vertrouwelijk"},  # no date
]


def _rows(facets: Facets, where: dict[str, object]) -> list[int] | None:
    mask = facets.select(where)
    return None if mask is None else [int(i) for i in np.flatnonzero(mask)]


def test_clauses_select_rows_like_chroma() -> None:
    facets = Facets.build(["a", "b", "c"], META)
    assert _rows(facets, {"doc_type": "brief"}) == [0, 2]
    assert _rows(facets, {"date_int": {"$gte": 20240101}}) == [0]
    assert _rows(facets, {"date_int": {"$lte": 20240101}}) == [1]  # a chunk without a date never matches
    assert _rows(facets, {"$and": [{"doc_type": {"$in": ["brief"]}}, {"access": {"$in": ["openbaar"]}}]}) == [
        0
    ]
    assert _rows(facets, {"$or": [{"doc_id": "b"}, {"doc_id": {"$eq": "c"}}]}) == [1, 2]
    assert _rows(facets, {"doc_id": {"$nin": ["a"]}}) == [1, 2]
    assert _rows(facets, {"access": {"$eq": "\u2205 geen toegang"}}) == []


def test_clauses_not_understood_are_left_to_chroma() -> None:
    facets = Facets.build(["a", "b", "c"], META)
    assert facets.select({"addressee": "minister"}) is None  # not a column
    assert facets.select({"doc_type": {"$contains": "bri"}}) is None  # not an operator here
    assert facets.select({"$and": [{"doc_type": "brief"}, {"title": "x"}]}) is None  # one part unknown
    assert facets.select({"date_int": {"$ne": 20240105}}) is None  # $ne where a chunk lacks the field


def test_columns_survive_a_save_and_load(tmp_path: Path) -> None:
    facets = Facets.build(["a", "b", "c"], META)
    facets.save(tmp_path)
    loaded = Facets.load(tmp_path, ["a", "b", "c"])
    assert loaded is not None and _rows(loaded, {"doc_type": "notitie"}) == [1]
    assert Facets.load(tmp_path, ["a", "b"]) is None  # not the ids it was built for


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    """80 short documents of varied date, type and access level, ingested with the fake embedder."""
    rng = random.Random(7)
    root = tmp_path_factory.mktemp("facets")
    folder = root / "archief"
    folder.mkdir()
    for n in range(80):
        date = f"{rng.randint(1, 28)} {rng.choice(MONTHS)} {rng.choice([2022, 2023, 2024])}"
        dated = f"Datum: {date}\n" if n % 10 else ""  # some documents have no date
        text = " ".join(rng.choice(WORDS) for _ in range(40))
        (folder / f"doc{n:03d}.md").write_text(
            f"# Stuk {n}\n\n{dated}Documenttype: {rng.choice(TYPES)}\n\n{text}.\n", encoding="utf-8"
        )
    index = build_index(Settings(home=root / "home", embedding_model="fake"), embeddings=HashEmbeddings())
    Ingestor(index.store, index.lexical, index.embeddings).run([folder])
    ids, _, metas = index.store.all_rows()
    index.store.update_metadata(ids, [{**m, "access": rng.choice(ACCESS_LEVELS)} for m in metas])
    index.lexical.rebuild(*index.store.all_rows())
    assert index.lexical.has_facets
    return index


def test_filtered_search_finds_the_same_hits_as_chroma_where(
    index: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(11)
    retriever = Retriever(index.store, index.lexical, index.embeddings, glossary=load_glossary())
    cases = []
    for _ in range(30):
        start = rng.choice([None, "2022-06-01", "2023-01-01", "2024-03-01"])
        filters = Filters(
            date_from=start,
            date_to=rng.choice([None, "2024-12-31"]) if start else rng.choice([None, "2023-06-30"]),
            doc_types=tuple(rng.sample(TYPES, rng.randint(0, 2))),
        )
        scope = rng.choice([Scope.full(), Scope.upto("openbaar"), Scope.upto("intern")])
        query = " ".join(rng.sample(WORDS, 3))
        cases.append((query, filters, scope))
    with_columns = [[h.chunk_id for h in retriever.search(q, k=8, filters=f, scope=s)] for q, f, s in cases]
    monkeypatch.setattr(type(index.lexical), "matching", lambda self, where: None)  # Chroma's where only
    with_chroma = [[h.chunk_id for h in retriever.search(q, k=8, filters=f, scope=s)] for q, f, s in cases]
    assert with_columns == with_chroma
    assert sum(bool(hits) for hits in with_columns) > 20  # the filters leave something to find
