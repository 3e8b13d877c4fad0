"""Faults users meet, and what they see: a Chroma server that is down, a chat or embedding endpoint that is
down or too slow, a disk that is full during ingest.

For each: a clear Dutch message (the CLI's exit code, the service's specific error), the extractive
answer where only the model is missing, nothing half-written in the store, and recovery once the
service is back, without restarting the process that noticed the fault.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from assistant.app.cli import app
from assistant.app.web.chat_tab import failure_text
from assistant.core.settings import Settings
from assistant.index.lexical import LexicalIndex
from assistant.index.store import DiskFullError, StoreUnavailableError
from assistant.rag.llm import MODEL_UNREACHABLE, MODEL_UNREACHABLE_PARAGRAPH
from assistant.services.requests import Request
from assistant.services.wiring import Services

from .archive_helpers import write_archive
from .conftest import REPO

QUESTION = "Hoeveel minder inkomsten krijgt de OV-sector door de herijkingsmetingen?"
LOOSE_GATE = {"gate_min_dense": 0.05, "gate_min_coverage": 0.5}  # the calibrated gate is for the real model


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_http(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"server exited with {process.returncode}"
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(url)


def _services(tmp_path: Path, **settings: Any) -> Services:
    values: dict[str, Any] = {
        "home": tmp_path / "home", "embedding_model": "fake", "llm": "extractive",
        "archive": tmp_path / "archief", **LOOSE_GATE, **settings,
    }  # fmt: skip
    return Services(Settings(**values))


def _rows(services: Services) -> list[tuple[str, str, str]]:
    """The store's chunks (id, text, metadata) in comparable form; asserts every file is complete."""
    store = services.index.store
    ids, texts, metadatas = store.all_rows()
    assert len(ids) == len(set(ids)) == store.count()
    for root in store.roots():
        for source, state in store.files(root).items():
            assert state.complete_hash() is not None, f"{source} is stored incomplete: {state}"
    return sorted(zip(ids, texts, [json.dumps(m, sort_keys=True) for m in metadatas], strict=True))


# --- 1. the Chroma server down -------------------------------------------------------------------


class ChromaServer:
    """``chroma run`` on loopback, stopped and started again on the same port and data folder."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        exe = Path(sys.executable).parent / "chroma"
        self.process = subprocess.Popen(
            [str(exe), "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_http(f"{self.url}/api/v2/heartbeat", self.process)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)


@pytest.fixture
def chroma(tmp_path: Path) -> Iterator[ChromaServer]:
    server = ChromaServer(tmp_path / "chroma-data")
    server.start()
    yield server
    server.kill()


@pytest.mark.integration
def test_chroma_server_down_is_reported_in_dutch_and_work_resumes_when_it_is_back(
    tmp_path: Path, chroma: ChromaServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = write_archive(tmp_path / "archief")
    services = _services(tmp_path, chroma_url=chroma.url)
    services.library.ingest(Request(), [archive])
    assert services.search.search(Request(), "Studenten Reis Product", k=1)
    before = _rows(services)

    chroma.kill()
    # The services raise one specific error (the web app shows its message); search and ask alike.
    with pytest.raises(
        StoreUnavailableError, match=r"niet bereikbaar.*Chroma-server op http://127\.0\.0\.1"
    ) as raised:
        services.search.search(Request(), "Studenten Reis Product", k=1)
    assert failure_text(raised.value) == str(raised.value)  # what the web page shows
    with pytest.raises(StoreUnavailableError):
        services.chat.ask(Request(), QUESTION)
    (archive / "nieuw.md").write_text("# Nieuw\n\nDatum: 1 maart 2025\n\nOver de NDS.\n", encoding="utf-8")
    with pytest.raises(StoreUnavailableError):
        services.library.ingest(Request(), [archive])
    # The command line: a Dutch message and exit code 4, no traceback.
    monkeypatch.setenv("LOBBY_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LOBBY_CHROMA_URL", chroma.url)
    monkeypatch.setenv("LOBBY_EMBEDDING_MODEL", "fake")
    monkeypatch.setenv("LOBBY_LLM", "extractive")
    monkeypatch.setenv("LOBBY_PORT", "0")
    commands = [["search", "SRP"], ["ask", QUESTION], ["ingest", str(archive), "--no-progress"], ["serve"]]
    for args in commands:
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 4, (args, result.output)
        assert "De zoekindex is niet bereikbaar" in result.stderr and chroma.url in result.stderr
        assert "Traceback" not in result.output

    chroma.start()  # the same data, the same port: the running services carry on
    assert services.search.search(Request(), "Studenten Reis Product", k=1)
    assert _rows(services) == before  # the failed ingest stored nothing
    report = services.library.ingest(Request(), [archive])
    assert report.added == 1 and not report.failed
    assert not services.chat.ask(Request(), QUESTION).refused
    assert CliRunner().invoke(app, ["search", "NDS"]).exit_code == 0


@pytest.mark.integration
def test_chroma_server_killed_during_ingest_leaves_only_complete_files(
    tmp_path: Path, chroma: ChromaServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = tmp_path / "archief"
    shutil.copytree(REPO / "data", archive)
    clean = _services(tmp_path / "clean")  # the same archive, embedded store, never interrupted
    clean.library.ingest(Request(), [archive])
    services = _services(tmp_path, chroma_url=chroma.url, home=tmp_path / "home")
    store = services.index.store
    real_upsert = store.upsert
    calls = [0]

    def upsert_then_server_dies(chunks: Any, vectors: Any) -> None:
        calls[0] += 1
        if calls[0] == 5:
            chroma.kill()  # the server goes away between two files' writes
        real_upsert(chunks, vectors)

    monkeypatch.setattr(store, "upsert", upsert_then_server_dies)
    with pytest.raises(StoreUnavailableError):
        services.library.ingest(Request(), [archive])
    chroma.start()
    partial = _rows(services)  # asserts that every stored file is complete
    assert 0 < len(partial) < len(_rows(clean))
    monkeypatch.setattr(store, "upsert", real_upsert)
    report = services.library.ingest(Request(), [archive])
    assert report.unchanged >= 1 and report.added >= 1 and not report.failed
    assert _rows(services) == _rows(clean)


# --- 2. the model endpoints down or slow ---------------------------------------------------------


class FakeChatEndpoint:
    """An OpenAI-compatible chat endpoint on loopback: answers, or sleeps past the client's timeout."""

    def __init__(self) -> None:
        self.delay = 0.0
        self.requests = 0
        self.reply = "De OV-sector krijgt ruim €200 miljoen minder inkomsten [1]."
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                endpoint.requests += 1
                time.sleep(endpoint.delay)
                chunk = {
                    "id": "x", "object": "chat.completion.chunk", "created": 0, "model": body["model"],
                    "choices": [{"index": 0, "delta": {"role": "assistant", "content": endpoint.reply},
                                 "finish_reason": None}],
                }  # fmt: skip
                with contextlib.suppress(OSError):  # the client may have given up already
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    self.end_headers()
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\ndata: [DONE]\n\n".encode())

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoint() -> Iterator[FakeChatEndpoint]:
    fake = FakeChatEndpoint()
    yield fake
    fake.close()


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    return write_archive(tmp_path / "archief")


def _openai_services(tmp_path: Path, url: str, archive: Path) -> Services:
    services = _services(tmp_path, llm="openai", openai_base_url=url, llm_model="fake", llm_timeout=1.0)
    services.library.ingest(Request(), [archive])
    return services


def test_chat_endpoint_down_answers_from_the_sources_with_a_notice(tmp_path: Path, archive: Path) -> None:
    nothing = f"http://127.0.0.1:{_free_port()}/v1"  # nothing listens there
    services = _openai_services(tmp_path, nothing, archive)
    started = time.monotonic()
    answer = services.chat.ask(Request(), QUESTION)
    assert time.monotonic() - started < 10
    assert not answer.refused and answer.notice == MODEL_UNREACHABLE
    assert answer.text.startswith(MODEL_UNREACHABLE) and "200 miljoen" in answer.text
    assert answer.citations and answer.to_json()["notice"] == MODEL_UNREACHABLE


def test_slow_chat_endpoint_falls_back_and_is_used_again_when_it_answers(
    tmp_path: Path, archive: Path, endpoint: FakeChatEndpoint
) -> None:
    services = _openai_services(tmp_path, endpoint.url, archive)
    endpoint.delay = 6.0  # past LOBBY_LLM_TIMEOUT (1 s)
    started = time.monotonic()
    slow = services.chat.ask(Request(), QUESTION)
    assert time.monotonic() - started < 5  # waited for the timeout, not for the endpoint
    assert slow.notice == MODEL_UNREACHABLE and "200 miljoen" in slow.text and slow.citations
    draft = services.drafting.draft(Request(), "kernboodschappen", "Studenten Reis Product")
    paragraphs = draft.paragraphs()
    assert paragraphs and MODEL_UNREACHABLE_PARAGRAPH in paragraphs[0].notes
    assert all(p.origin == "bronnen" for p in paragraphs)
    assert endpoint.requests == 2  # one try per answer, one per draft: not one per paragraph

    endpoint.delay = 0.0  # the endpoint is back: the same services use the model again
    fast = services.chat.ask(Request(), QUESTION)
    assert fast.notice == "" and endpoint.reply.split(" [")[0] in fast.draft
    assert not fast.text.startswith("Let op")
    draft = services.drafting.draft(Request(), "kernboodschappen", "Studenten Reis Product")
    assert not any(MODEL_UNREACHABLE_PARAGRAPH in p.notes for p in draft.paragraphs())
    assert endpoint.requests > 3


def test_cli_ask_with_the_chat_endpoint_down_prints_the_notice_and_exits_0(
    tmp_path: Path, archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _openai_services(tmp_path, "http://127.0.0.1:9/v1", archive)  # ingest once
    for key, value in {
        "HOME": tmp_path / "home", "EMBEDDING_MODEL": "fake", "LLM": "openai", "LLM_MODEL": "fake",
        "OPENAI_BASE_URL": f"http://127.0.0.1:{_free_port()}/v1", "LLM_TIMEOUT": 1,
        "GATE_MIN_DENSE": LOOSE_GATE["gate_min_dense"], "GATE_MIN_COVERAGE": LOOSE_GATE["gate_min_coverage"],
    }.items():  # fmt: skip
        monkeypatch.setenv(f"LOBBY_{key}", str(value))
    result = CliRunner().invoke(app, ["ask", QUESTION])
    assert result.exit_code == 0, result.output
    assert "het taalmodel was niet bereikbaar" in result.stdout and "Bronnen:" in result.stdout
    as_json = json.loads(CliRunner().invoke(app, ["ask", QUESTION, "--json"]).stdout)
    assert as_json["notice"] == MODEL_UNREACHABLE and as_json["citations"]


def test_embedding_endpoint_down_during_ingest_is_reported_and_writes_nothing(
    tmp_path: Path, archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"http://127.0.0.1:{_free_port()}/v1"
    services = _services(tmp_path, embedding_model="fake-remote", embedding_url=url)
    from assistant.index.models import ModelError

    with pytest.raises(ModelError, match="is the server running at LOBBY_EMBEDDING_URL"):
        services.library.ingest(Request(), [archive])
    assert services.index.store.count() == 0 and services.index.lexical.ids == []
    for key, value in {
        "HOME": tmp_path / "home",
        "EMBEDDING_MODEL": "fake-remote",
        "EMBEDDING_URL": url,
    }.items():
        monkeypatch.setenv(f"LOBBY_{key}", str(value))
    result = CliRunner().invoke(app, ["ingest", str(archive), "--no-progress"])
    assert result.exit_code == 3 and "embedding-server" in result.stderr and url in result.stderr
    assert "niets half opgeslagen" in result.stderr
    assert "Traceback" not in result.output


# --- 3. a full disk during ingest ----------------------------------------------------------------

#: Prints what a store holds, from a fresh process (no client of this process keeps files open on the
#: small disk or caches what another process wrote): rows, whether every file is complete, BM25 ids.
_DUMP = r"""
import json, sys
from pathlib import Path
from assistant.core.settings import Settings
from assistant.services.wiring import build_index

index = build_index(Settings(home=Path(sys.argv[1]), embedding_model="fake"))
ids, texts, metas = index.store.all_rows()
incomplete = [s for r in index.store.roots() for s, st in index.store.files(r).items() if st.complete_hash() is None]
rows = sorted([i, t, json.dumps(m, sort_keys=True)] for i, t, m in zip(ids, texts, metas))
print(json.dumps({"rows": rows, "incomplete": incomplete, "lexical": sorted(index.lexical.ids)}))
"""


def _dump(home: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", _DUMP, str(home)], cwd=REPO, capture_output=True, text=True, check=True
    )
    return dict(json.loads(done.stdout))


def _lobby_ingest(archive: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOBBY_")}
    env.update(LOBBY_HOME=str(home), LOBBY_EMBEDDING_MODEL="fake", HF_HUB_OFFLINE="1")
    lobby = [sys.executable, "-c", "from assistant.app.cli import app; app()"]
    return subprocess.run(
        [*lobby, "ingest", str(archive), "--json", "--no-progress"], env=env, cwd=REPO, capture_output=True,
        text=True, timeout=300,
    )  # fmt: skip


@contextlib.contextmanager
def _small_disk(folder: Path, size: str) -> Iterator[Any]:
    """A tmpfs of ``size`` mounted at ``folder`` (root only); yields a function that grows it."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({mounted.stderr.strip() or 'not root'})")

    def grow(new_size: str) -> None:
        subprocess.run(["mount", "-o", f"remount,size={new_size}", str(folder)], check=True)

    try:
        yield grow
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


@pytest.fixture(scope="module")
def clean_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """A copy of the sample archive and what an uninterrupted ingest of it stores."""
    folder = tmp_path_factory.mktemp("disk")
    archive = folder / "archief"
    shutil.copytree(REPO / "data", archive)
    done = _lobby_ingest(archive, folder / "home")
    assert done.returncode == 0, done.stderr
    return archive, _dump(folder / "home")


@pytest.mark.parametrize(("where", "size"), [("chroma", "1m"), ("bm25", "100k")])
def test_disk_full_stops_ingest_with_a_message_and_the_next_run_completes(
    tmp_path: Path, clean_store: tuple[Path, dict[str, Any]], where: str, size: str
) -> None:
    """A real small disk (tmpfs) under the Chroma store or the BM25 index fills up during ingest."""
    archive, clean = clean_store
    home = tmp_path / "home"
    with _small_disk(home / where, size) as grow:
        full = _lobby_ingest(archive, home)
        assert full.returncode == 5, full.stderr[-2000:]
        assert (
            "De schijf is vol: onvoldoende schijfruimte" in full.stderr and str(home / where) in full.stderr
        )
        assert "Traceback" not in full.stderr
        if where == "bm25":  # the store is complete; the index failed as a whole, nothing half-saved
            assert not list((home / "bm25").rglob("v-*")) and not list((home / "bm25").rglob(".current-*"))
        grow("64m")  # space is back
        partial = _dump(home)  # (Chroma reads nothing while its disk is full: it first applies its log)
        assert partial["incomplete"] == []  # no file recorded without all its chunks
        if where == "chroma":
            assert 0 < len(partial["rows"]) < len(clean["rows"])
        else:
            assert partial["rows"] == clean["rows"] and partial["lexical"] == []
        again = _lobby_ingest(archive, home)
        assert again.returncode == 0, again.stderr[-2000:]
        assert _dump(home) == clean


def test_disk_full_while_saving_bm25_keeps_the_previous_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ENOSPC injected at the lexical save (runs without root): an error naming the disk, the old index."""
    lexical = LexicalIndex(tmp_path / "bm25")
    lexical.rebuild(["a", "b"], ["zoutwinning in Friesland", "bodemdaling"], [{"access": "openbaar"}] * 2)

    def no_space(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("assistant.index.facets.Facets.save", no_space)
    with pytest.raises(DiskFullError, match="schijfruimte"):
        lexical.rebuild(["a", "b", "c"], ["zoutwinning", "bodemdaling", "gas"], [{"access": "openbaar"}] * 3)
    assert LexicalIndex(tmp_path / "bm25").ids == ["a", "b"]
    assert len(list((tmp_path / "bm25").glob("v-*"))) == 1 and not list(
        (tmp_path / "bm25").glob(".current-*")
    )
