"""The vector store against real Chroma: embedded (temp dir) and a real `chroma run` server."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.core.records import Chunk, DocMeta
from assistant.core.settings import Settings
from assistant.index.store import VectorStore, collection_name, open_store
from assistant.services.wiring import build_index
from assistant.testing import HashEmbeddings
from ingest.pipeline import Ingestor

from .conftest import FIXTURES


def _chunk(i: int, source: str = "a.pdf", file_hash: str = "h", n: int = 2) -> Chunk:
    meta = DocMeta(title="T", doc_type="brief", date="2024-11-05")
    return Chunk(
        f"id{i}-{file_hash}",
        f"tekst {i}",
        source,
        "/root",
        i,
        meta,
        page=i + 1,
        file_hash=file_hash,
        n_chunks=n,
    )


def test_collection_name_is_valid_per_model() -> None:
    assert collection_name("lobby", "embeddinggemma-300m") == "lobby-embeddinggemma-300m"
    assert collection_name("lobby", "/home/x/models/My Model") == "lobby-My-Model"


def test_store_contract_embedded(tmp_path: Path) -> None:
    store = open_store(Settings(home=tmp_path), "hash-4")
    _exercise(store)


def test_a_store_searches_wide_enough_and_an_older_store_is_brought_up_to_it(tmp_path: Path) -> None:
    """Chroma's default HNSW breadth (100) missed true neighbours of gold questions, per process."""
    import chromadb

    old = Settings(home=tmp_path, dense_ef_search=100)
    open_store(old, "hash-4").upsert([_chunk(0), _chunk(1)], [[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]])
    store = open_store(Settings(home=tmp_path), "hash-4")
    assert store.count() == 2 and store.query([0.9, 0.1, 0.0, 0.0], 1)[0].chunk_id == "id0-h"
    client = chromadb.PersistentClient(path=str(old.chroma_dir))
    hnsw = client.get_collection(collection_name("lobby", "hash-4")).configuration["hnsw"]
    assert hnsw["ef_search"] == Settings().dense_ef_search == 500 and hnsw["space"] == "cosine"


def _exercise(store: VectorStore) -> None:
    chunks = [_chunk(0), _chunk(1)]
    store.upsert(chunks, [[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]])
    store.upsert(chunks, [[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]])  # idempotent
    assert store.count() == 2
    hits = store.query([0.9, 0.1, 0.0, 0.0], 2)
    assert [h.chunk_id for h in hits] == ["id0-h", "id1-h"]
    assert hits[0].score > hits[1].score and hits[0].page == 1
    assert hits[0].metadata["date_int"] == 20241105 and "kenmerk" not in hits[0].metadata
    state = store.files("/root")["a.pdf"]
    assert state.complete_hash() == "h"
    store.upsert([_chunk(0, file_hash="h2", n=1)], [[0.0, 0.0, 1.0, 0.0]])
    assert store.files("/root")["a.pdf"].complete_hash() is None  # two versions: incomplete
    store.delete_file("/root", "a.pdf", keep_hash="h2")
    assert store.files("/root")["a.pdf"].complete_hash() == "h2"
    store.delete_file("/root", "a.pdf")
    assert store.count() == 0 and store.query([1.0, 0, 0, 0], 3) == []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Chroma server (`chroma run`) on loopback, for the HttpClient path."""
    exe = Path(sys.executable).parent / "chroma"
    if not exe.exists():
        pytest.fail(f"{exe} not found: chromadb's CLI is part of the pinned install")
    port = _free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen(
        [str(exe), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("chroma run did not start within 30 s")
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)


@pytest.mark.integration
def test_store_contract_against_chroma_server(chroma_server: str, tmp_path: Path) -> None:
    store = open_store(
        Settings(home=tmp_path, chroma_url=chroma_server, dense_ef_search=100), "hash-4-server"
    )
    _exercise(store)
    open_store(
        Settings(home=tmp_path, chroma_url=chroma_server), "hash-4-server"
    )  # the breadth applies there too


@pytest.mark.integration
def test_ingest_into_chroma_server(chroma_server: str, tmp_path: Path) -> None:
    folder = tmp_path / "archief"
    folder.mkdir()
    for name in ["brief.docx", "drie_dias.pptx"]:
        shutil.copy(FIXTURES / name, folder / name)
    settings = Settings(home=tmp_path / "home", chroma_url=chroma_server, embedding_model="fake")
    index = build_index(settings, embeddings=HashEmbeddings())
    assert not settings.chroma_dir.exists()  # server mode: no embedded store written locally
    report = Ingestor(index.store, index.lexical, index.embeddings).run([folder])
    assert report.added == 2 and not report.failed
    again = Ingestor(index.store, index.lexical, index.embeddings).run([folder])
    assert again.unchanged == 2
