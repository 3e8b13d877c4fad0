"""``lobby bench load`` for real, kept small: a served app, a few sessions, a few seconds, extractive."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.app.cli import app as cli
from assistant.core.settings import Settings
from assistant.services.requests import Request
from assistant.services.wiring import Services

from .conftest import REPO


@pytest.mark.integration
def test_bench_load_runs_sessions_against_lobby_serve_and_reports_per_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    environment = {
        "LOBBY_HOME": str(tmp_path / "home"), "LOBBY_ARCHIVE": str(REPO / "data"),
        "LOBBY_EMBEDDING_MODEL": "fake", "LOBBY_GATE_MIN_DENSE": "0.05", "LOBBY_GATE_MIN_COVERAGE": "0.5",
    }  # fmt: skip
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
    services = Services(Settings())
    assert not services.library.ingest(Request(), [REPO / "data"]).failed
    home_before = sorted(p.name for p in (tmp_path / "home").iterdir())

    result = CliRunner().invoke(
        cli, ["bench", "load", "--llm", "extractive", "--sessions", "3", "--seconds", "3", "--json"]
    )

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["sessions"] == 3 and report["targets"] == {"errors": 0}
    (mode,) = report["modes"]
    assert mode["backend"] == "extractive" and mode["errors"] == 0, mode["error_samples"]
    assert mode["completed"] >= 3 and mode["unfinished"] == 0
    latency = mode["latency_s"]
    assert 0 < latency["p50"] <= latency["p95"] <= latency["max"]
    assert 1 <= mode["max_answering_at_once"] <= mode["max_in_flight"] <= 3
    assert mode["max_queue_position"] is not None  # the sessions saw Gradio's queue estimates
    # The sessions' conversations and audit lines did not go into the archive's home.
    assert sorted(p.name for p in (tmp_path / "home").iterdir()) == home_before


def test_questions_during_the_warm_up_share_one_load_of_the_embedding_model(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys
    import threading
    import time
    import types

    from assistant.index.embeddings import SentenceTransformerEmbeddings

    loads: list[str] = []

    class SlowModel:
        max_seq_length = 512

        def __init__(self, path: str, **kwargs: object) -> None:
            loads.append(path)
            time.sleep(0.3)  # a load takes seconds; the other threads arrive meanwhile

    monkeypatch.setitem(
        sys.modules, "sentence_transformers", types.SimpleNamespace(SentenceTransformer=SlowModel)
    )
    embeddings = SentenceTransformerEmbeddings("model-dir", dtype="float32")
    seen: list[object] = []
    threads = [threading.Thread(target=lambda: seen.append(embeddings.model)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert loads == ["model-dir"] and len(seen) == 4 and len({id(m) for m in seen}) == 1
