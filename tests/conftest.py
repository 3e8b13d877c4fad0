"""Shared test set-up: network guard, paths to ../shared, and small helpers."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
SHARED = Path(os.environ.get("LOBBY_SHARED", REPO.parent / "shared"))

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


#: The keys every citation of ``lobby ask --json`` carries (the contract other tools rely on).
CITATION_KEYS = frozenset(
    {"n", "source", "title", "page", "slide", "ocr", "date", "quote", "chunk_id", "doc_id", "root", "path"}
)


def shared_path(*parts: str) -> Path:
    """Path under ../shared, skipping the calling test with a reason when it is absent.

    A user's clone has no ../shared (CI does); those tests carry the ``corpus`` marker.
    """
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: ../shared (corpus, seeds, benchmarks) is only present in CI")
    return path


_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address: object) -> object:
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and (host in {"localhost", "::1"} or host.startswith("127.")):
        return _real_connect(self, address)  # type: ignore[arg-type]
    if self.family == socket.AF_UNIX:
        return _real_connect(self, address)  # type: ignore[arg-type]
    raise RuntimeError(f"network access blocked in tests: {address!r}")


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests never leave the machine: any socket connect outside loopback fails loudly."""
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    yield


@pytest.fixture(scope="session")
def real_index(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The sample archive ingested once per test session with the real offline embedding model."""
    from assistant.core.settings import Settings
    from assistant.services.wiring import build_index
    from ingest.pipeline import IngestOptions, Ingestor

    settings = Settings(home=tmp_path_factory.mktemp("real-index"))
    index = build_index(settings)
    report = Ingestor(
        index.store, index.lexical, index.embeddings, IngestOptions.from_settings(settings)
    ).run([REPO / "data"])
    assert not report.failed and report.chunks > 0
    return settings, index
