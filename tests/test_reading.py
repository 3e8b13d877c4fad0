"""The reader thread of ingest: file order, failures as reasons, early exit, errors handed over."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest

from assistant.core.settings import Settings
from assistant.services.wiring import Index, build_index
from assistant.testing import HashEmbeddings
from ingest.pipeline import IngestOptions, Ingestor
from ingest.reading import FileRead, Reader, RootDone, discover

from .conftest import FIXTURES

NAMES = ["brief.docx", "notitie.md", "beschadigd.pdf", "drie_dias.pptx", "pagina.html", "onbekend.xyz"]


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    folder = tmp_path / "archief"
    folder.mkdir()
    for name in NAMES:
        shutil.copy(FIXTURES / name, folder / name)
    return folder


@pytest.fixture
def index(tmp_path: Path) -> Index:
    return build_index(Settings(home=tmp_path / "home", embedding_model="fake"), embeddings=HashEmbeddings())


def test_reader_yields_every_file_in_order_then_the_root(archive: Path, index: Index) -> None:
    plans = [discover(archive)]
    with Reader(plans, index.store, IngestOptions(), ahead=2) as reader:
        items = list(reader)
    files = [i for i in items if isinstance(i, FileRead)]
    assert [f.source for f in files] == sorted(NAMES)
    assert isinstance(items[-1], RootDone) and items[-1].seen == frozenset(NAMES)
    by_name = {f.source: f for f in files}
    assert by_name["beschadigd.pdf"].failure and by_name["beschadigd.pdf"].chunks is None
    assert "niet ondersteund" in (by_name["onbekend.xyz"].failure or "")
    assert by_name["brief.docx"].chunks and by_name["brief.docx"].failure is None
    assert {"read", "metadata", "chunk"} <= set(by_name["brief.docx"].timings)


def test_leaving_early_stops_the_thread(archive: Path, index: Index) -> None:
    before = threading.active_count()
    with Reader([discover(archive)], index.store, IngestOptions(), ahead=1) as reader:
        next(iter(reader))
    deadline = time.monotonic() + 5
    while threading.active_count() > before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert threading.active_count() == before


def test_an_error_in_the_thread_reaches_the_consumer(archive: Path, index: Index) -> None:
    class BrokenStore:
        def files(self, root: str, sources: object = None) -> dict[str, object]:
            raise ConnectionError("Chroma-server niet bereikbaar")

    reader = Reader([discover(archive)], BrokenStore(), IngestOptions())  # type: ignore[arg-type]
    with pytest.raises(ConnectionError, match="niet bereikbaar"), reader:
        list(reader)


def test_ingest_reports_busy_time_per_stage(archive: Path, index: Index) -> None:
    report = Ingestor(index.store, index.lexical, index.embeddings, IngestOptions()).run([archive])
    assert {"hash", "read", "metadata", "chunk", "embed", "write", "lexical"} <= set(report.stage_seconds)
    assert all(seconds >= 0 for seconds in report.stage_seconds.values())
    assert report.added == 4 and len(report.failed) == 2
