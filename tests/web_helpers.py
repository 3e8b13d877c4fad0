"""The web app over the sample archive (fake embedder, extractive answers), started the way `lobby serve` does."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from assistant.app.web.serve import serve
from assistant.core.settings import Settings
from assistant.services.requests import Request
from assistant.services.wiring import Services

from .conftest import REPO


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def web_services(tmp_path: Path, **overrides: Any) -> Services:
    """Services over a copy of the sample archive (uploads and removals change the copy, not data/)."""
    archive = tmp_path / "archief"
    shutil.copytree(REPO / "data", archive)
    settings = Settings(
        home=tmp_path / "home", embedding_model="fake", llm="extractive", archive=archive,
        gate_min_dense=0.05, gate_min_coverage=0.5, **overrides,
    )  # fmt: skip
    services = Services(settings)
    report = services.library.ingest(Request(), [archive])
    assert not report.failed, report.failed
    return services


@contextmanager
def running(services: Services, *, host: str = "127.0.0.1") -> Iterator[str]:
    """The app served on a free port (as `lobby serve` starts it); yields its address, closes it after."""
    lines: list[str] = []
    app: Any = serve(services, host=host, port=free_port(), announce=lines.append, block=False)
    try:
        assert lines and lines[0].startswith("De assistent draait op http://")
        yield f"http://127.0.0.1:{app.server_port}/"
    finally:
        app.close()
