"""Incremental, crash-safe ingest with the fake embedder and a real embedded Chroma in a temp dir."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from assistant.core.settings import Settings
from assistant.services.wiring import Index, build_index
from assistant.testing import HashEmbeddings
from ingest.pipeline import IngestOptions, Ingestor

from .conftest import FIXTURES

GOOD = ["brief.docx", "notitie.md", "drie_dias.pptx", "cp1252.txt", "twee_paginas.pdf", "pagina.html"]
BAD = ["beschadigd.pdf", "leeg.txt", "onbekend.xyz", "versleuteld.pdf", "scan.pdf"]


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    folder = tmp_path / "archief"
    (folder / "sub").mkdir(parents=True)
    for name in GOOD[:3] + BAD:
        shutil.copy(FIXTURES / name, folder / name)
    for name in GOOD[3:]:
        shutil.copy(FIXTURES / name, folder / "sub" / name)
    (folder / ".verborgen.md").write_text("# niet inlezen")
    return folder


@pytest.fixture
def index(tmp_path: Path) -> Index:
    settings = Settings(home=tmp_path / "home", embedding_model="fake")
    return build_index(settings, embeddings=HashEmbeddings())


def _ingestor(index: Index, **options: object) -> Ingestor:
    return Ingestor(index.store, index.lexical, index.embeddings, IngestOptions(**options))  # type: ignore[arg-type]


def _assert_consistent(index: Index) -> None:
    """No duplicates or orphans: every stored file is complete, and BM25 covers exactly the store."""
    ids = index.store.all_ids()
    assert len(ids) == len(set(ids)) == index.store.count()
    for root_files in [index.store.files(r) for r in {str(h.metadata["root"]) for h in index.store.get(ids)}]:
        for source, state in root_files.items():
            assert state.complete_hash() is not None, f"{source} incomplete: {state}"
    assert sorted(index.lexical.ids) == sorted(ids)


def test_first_ingest_reports_every_outcome(archive: Path, index: Index) -> None:
    report = _ingestor(index).run([archive])
    assert report.added == len(GOOD)
    assert (report.updated, report.unchanged, report.removed) == (0, 0, 0)
    failed = {f.source: f.reason for f in report.failed}
    assert set(failed) == set(BAD)
    assert "beschadigd" in failed["beschadigd.pdf"]
    assert "leeg" in failed["leeg.txt"]
    assert ".xyz" in failed["onbekend.xyz"] and "niet ondersteund" in failed["onbekend.xyz"]
    assert "versleuteld" in failed["versleuteld.pdf"]
    assert "tekstlaag" in failed["scan.pdf"]
    assert [w.source for w in report.warnings] == ["sub/cp1252.txt"]
    assert report.chunks == index.store.count() > 0
    sources = {h.source for h in index.store.get(index.store.all_ids())}
    assert sources == {*GOOD[:3], *(f"sub/{n}" for n in GOOD[3:])}
    _assert_consistent(index)


def test_unchanged_archive_does_no_embedding_work(archive: Path, index: Index) -> None:
    _ingestor(index).run([archive])
    embeddings = index.embeddings
    assert isinstance(embeddings, HashEmbeddings)
    calls_before, ids_before = embeddings.calls, sorted(index.store.all_ids())
    report = _ingestor(index).run([archive])
    assert report.unchanged == len(GOOD)
    assert (report.added, report.updated, report.removed, report.chunks) == (0, 0, 0, 0)
    assert embeddings.calls == calls_before
    assert sorted(index.store.all_ids()) == ids_before


def test_changed_file_replaces_its_chunks(archive: Path, index: Index) -> None:
    _ingestor(index).run([archive])
    before = {h.chunk_id for h in index.store.get(index.store.all_ids()) if h.source == "notitie.md"}
    (archive / "notitie.md").write_text("# Nieuwe notitie\n\nVolledig nieuwe inhoud over stikstof.\n")
    report = _ingestor(index).run([archive])
    assert (report.updated, report.unchanged) == (1, len(GOOD) - 1)
    after = [h for h in index.store.get(index.store.all_ids()) if h.source == "notitie.md"]
    assert before.isdisjoint(h.chunk_id for h in after)
    assert all("stikstof" in h.text or "Nieuwe" in h.text for h in after)
    hits = index.lexical.search("stikstof", 5)
    assert hits and all(index.store.get([i])[0].source == "notitie.md" for i, _ in hits)
    _assert_consistent(index)


def test_deleted_file_is_removed(archive: Path, index: Index) -> None:
    _ingestor(index).run([archive])
    (archive / "sub" / "pagina.html").unlink()
    report = _ingestor(index).run([archive])
    assert report.removed == 1
    assert "sub/pagina.html" not in {h.source for h in index.store.get(index.store.all_ids())}
    _assert_consistent(index)


def test_single_file_path_does_not_remove_siblings(archive: Path, index: Index) -> None:
    _ingestor(index).run([archive])
    count = index.store.count()
    report = _ingestor(index).run([archive / "notitie.md"])
    # a single file's root is its folder: the same file, recognised as unchanged; siblings stay
    assert (report.removed, report.added, report.unchanged) == (0, 0, 1)
    assert index.store.count() == count


def test_size_limit_is_reported_and_rest_ingested(archive: Path, index: Index) -> None:
    report = _ingestor(index, max_file_mb=0.005).run([archive])
    too_big = [f for f in report.failed if "limiet" in f.reason]
    assert too_big and report.added >= 1


class _CrashError(RuntimeError):
    pass


def test_killed_midway_is_completed_without_duplicates(
    archive: Path, index: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Crash 1: while writing, after some files were upserted (small buffer: one file per flush).
    real_upsert = index.store.upsert
    writes = Counter[str]()

    def flaky_upsert(chunks, vectors):  # type: ignore[no-untyped-def]
        writes["n"] += 1
        if writes["n"] == 3:
            raise _CrashError("killed")
        real_upsert(chunks, vectors)

    monkeypatch.setattr(index.store, "upsert", flaky_upsert)
    with pytest.raises(_CrashError):
        _ingestor(index, embed_buffer=1).run([archive])
    monkeypatch.setattr(index.store, "upsert", real_upsert)

    report = _ingestor(index).run([archive])
    assert report.added + report.unchanged == len(GOOD)
    _assert_consistent(index)

    # Crash 2: a changed file whose new chunks were written but whose old version was not yet deleted.
    (archive / "notitie.md").write_text("# Notitie\n\nGewijzigd: andere tekst over de NDS.\n")
    real_delete = index.store.delete_file

    def crash_on_cleanup(root, source, *, keep_hash=None):  # type: ignore[no-untyped-def]
        if keep_hash is not None:
            raise _CrashError("killed before cleanup")
        real_delete(root, source, keep_hash=keep_hash)

    monkeypatch.setattr(index.store, "delete_file", crash_on_cleanup)
    with pytest.raises(_CrashError):
        _ingestor(index).run([archive])
    monkeypatch.setattr(index.store, "delete_file", real_delete)
    report = _ingestor(index).run([archive])
    assert report.updated == 1
    _assert_consistent(index)
    texts = [h.text for h in index.store.get(index.store.all_ids()) if h.source == "notitie.md"]
    assert texts and all("Gewijzigd" in t or "Notitie" in t for t in texts)


def test_stale_lexical_index_is_rebuilt(archive: Path, index: Index) -> None:
    _ingestor(index).run([archive])
    index.lexical.rebuild([], [])  # e.g. a crash between store write and index write
    report = _ingestor(index).run([archive])
    assert report.unchanged == len(GOOD)
    assert sorted(index.lexical.ids) == sorted(index.store.all_ids())


def test_changed_chunk_settings_reingest_unchanged_files(archive: Path, index: Index) -> None:
    _ingestor(index).run([archive])
    report = _ingestor(index, chunk_tokens=120, chunk_overlap=20).run([archive])
    assert report.updated == len(GOOD) and report.unchanged == 0
    _assert_consistent(index)


def test_a_second_process_waits_for_the_one_writing_the_store(archive: Path, index: Index) -> None:
    """``lobby ingest`` while ``lobby serve`` ingests an upload: the writes take turns, never interleave."""
    import subprocess
    import sys
    import time

    hold = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from ingest.pipeline import write_lock\n"
        "with write_lock('any', Path(sys.argv[1])):\n"
        "    print('held', flush=True)\n"
        "    time.sleep(2.0)\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", hold, str(index.lexical.directory)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        report = _ingestor(index).run([archive])
        waited = time.monotonic() - started
        assert holder.wait(timeout=30) == 0
    finally:
        holder.kill()
        holder.wait()
    assert report.added and waited >= 1.0  # it could not write until the other process let go (2 s)
    _assert_consistent(index)
