"""Ingestion killed with SIGKILL at random moments, then run again, ends in the store of an uninterrupted run.

Each trial is a real ``lobby`` process (the CLI entry point, in a child Python) over a copy of the sample
archive with its own ``LOBBY_HOME``. The child prints a marker line on stderr when ingest, an encoder call,
a Chroma write (upsert, delete) or the BM25 save begins and ends; it changes nothing else. The parent
kills the child with SIGKILL a seeded random delay after one of those markers (or after the process
start), so kills are spread over the whole run and land inside Chroma writes and the lexical save too.
After each kill ``lobby ingest`` runs again to the end, and the store is compared with a clean run's:
chunk ids, count, texts, metadata, BM25 results for fixed queries and every file complete.

The same is done for an upload through :meth:`LibraryService.upload`, the code path of the web app's
upload: killed while the file is written, renamed or ingested. The web app's upload endpoint is Gradio's
private API, so the child drives the service the web app calls instead of a browser (the web layer adds
nothing between the bytes received and this call). After a restart (``lobby ingest`` of the archive, what
``lobby start`` runs) no partial file may be in the archive under the uploaded name, a leftover
``.NAME.upload`` temp file must not be ingested, and the store must equal a clean run over the same files.

The web app itself is killed too: ``lobby serve`` in its own process, the file sent over HTTP as the
library tab sends it (Gradio's upload route, then the tab's handler on the queue with the chosen level),
SIGKILL at random moments while the handler stores and ingests it, then the restart's ingest.

Most trials use the deterministic hash embedder (``LOBBY_EMBEDDING_MODEL=fake``) for speed; two run the
real offline embedding model (marker ``integration``).
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from .conftest import FIXTURES, REPO

PYTHON = sys.executable

#: The child: the ``lobby`` command with marker lines around the phases a kill should be able to hit.
#: Markers go to stderr, flushed, before and after each call; behaviour is otherwise the CLI's own.
_CHILD = r"""
import sys

from assistant.app.cli import app
from assistant.index.embeddings import SentenceTransformerEmbeddings
from assistant.index.lexical import LexicalIndex
from assistant.index.store import VectorStore
from assistant.services.library import LibraryService
from assistant.testing import HashEmbeddings
from ingest.pipeline import Ingestor


def _mark(owner, name, phase):
    real = getattr(owner, name)

    def marked(*args, **kwargs):
        sys.stderr.write(f"@{phase}:begin\n")
        sys.stderr.flush()
        result = real(*args, **kwargs)
        sys.stderr.write(f"@{phase}:end\n")
        sys.stderr.flush()
        return result

    setattr(owner, name, marked)


_mark(Ingestor, "run", "ingest")
_mark(HashEmbeddings, "embed_documents", "embed")
_mark(SentenceTransformerEmbeddings, "embed_documents", "embed")
_mark(VectorStore, "upsert", "upsert")
_mark(VectorStore, "delete_file", "delete")
_mark(LexicalIndex, "rebuild", "lexical")

if sys.argv[1] == "upload":
    # The web app's upload: the bytes of one file handed to the library service of a served process.
    from pathlib import Path

    from assistant.core.settings import load_settings
    from assistant.services.library import Upload
    from assistant.services.requests import Request
    from assistant.services.wiring import Services

    original = LibraryService.upload

    def upload(self, request, files, **kwargs):
        sys.stderr.write("@upload:begin\n")
        sys.stderr.flush()
        return original(self, request, files, **kwargs)

    LibraryService.upload = upload
    source = Path(sys.argv[2])
    report = Services(load_settings()).library.upload(Request(user="web"), [Upload(source.name, source.read_bytes())])
    sys.stderr.write("@upload:end\n")
    print(report.added + report.updated)
else:
    sys.argv = ["lobby", *sys.argv[1:]]
    app()
"""

#: Queries whose BM25 results are compared (kenmerken, abbreviations, ordinary words).
QUERIES = ("studentenreisproduct", "SRP", "NDS digitalisering", "OV tekort 2025", "provincies", "energie")


def _environment(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOBBY_")}
    env.update(
        LOBBY_HOME=str(home), HF_HUB_OFFLINE="1", ANONYMIZED_TELEMETRY="False", PYTHONUNBUFFERED="1", **extra
    )
    return env


@dataclass
class Run:
    """One child process: its exit code, the markers it printed (seconds since start) and its output."""

    returncode: int
    markers: list[tuple[float, str]] = field(default_factory=list)
    stdout: str = ""
    stderr: str = ""
    killed_in: str | None = None  # the phase the last marker before the kill opened (None: not killed)

    def phase_span(self, phase: str, nth: int = 1) -> tuple[float, float]:
        """Start and end (seconds since process start) of the ``nth`` run of ``phase``."""
        begins = [t for t, m in self.markers if m == f"@{phase}:begin"]
        ends = [t for t, m in self.markers if m == f"@{phase}:end"]
        return begins[nth - 1], ends[nth - 1]

    def count(self, phase: str) -> int:
        return sum(1 for _, m in self.markers if m == f"@{phase}:begin")


def _run_child(
    args: list[str], env: dict[str, str], *, kill: tuple[str, int, float] | None = None, timeout: float = 600
) -> Run:
    """Run the child; with ``kill=(anchor, nth, delay)``, SIGKILL it ``delay`` s after the nth anchor marker.

    ``anchor`` is a phase name (its ``begin`` marker) or ``start`` (the process start).
    """
    started = time.monotonic()
    process = subprocess.Popen(
        [PYTHON, "-c", _CHILD, *args],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[tuple[float, str] | None] = queue.Queue()
    other: list[str] = []

    def read_stderr() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            if line.startswith("@"):
                lines.put((time.monotonic() - started, line.strip()))
            else:
                other.append(line)
        lines.put(None)

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    run = Run(returncode=0)
    seen: Counter[str] = Counter()
    deadline: float | None = None
    if kill is not None and kill[0] == "start":
        deadline = started + kill[2]
    while True:
        wait = timeout if deadline is None else max(0.0, deadline - time.monotonic())
        try:
            item = lines.get(timeout=wait)
        except queue.Empty:
            pass
        else:
            if item is None:  # the child closed stderr: it ended
                break
            run.markers.append(item)
            seen[item[1]] += 1
            if (
                kill is not None
                and deadline is None
                and item[1] == f"@{kill[0]}:begin"
                and seen[item[1]] == kill[1]
            ):
                deadline = time.monotonic() + kill[2]
        if deadline is not None and time.monotonic() >= deadline and process.poll() is None:
            process.send_signal(signal.SIGKILL)
            deadline, kill = None, None
            run.killed_in = "kill"  # named below, from every marker the child wrote before it died
    process.wait(timeout=timeout)
    reader.join(timeout=10)
    while True:
        try:
            item = lines.get_nowait()
        except queue.Empty:
            break
        if item is not None:
            run.markers.append(item)
    run.returncode = process.returncode
    assert process.stdout is not None
    run.stdout = process.stdout.read()
    run.stderr = "".join(other)
    if run.killed_in is not None:
        run.killed_in = _phase_at_end(run.markers) if run.returncode == -signal.SIGKILL else None
    return run


def _phase_at_end(markers: list[tuple[float, str]]) -> str:
    """The innermost phase still open at the last marker: where the process was when it died."""
    open_phases: list[str] = []
    for _, marker in markers:
        phase, edge = marker[1:].split(":")
        if edge == "begin":
            open_phases.append(phase)
        elif phase in open_phases:
            open_phases.remove(phase)
    if open_phases:
        return open_phases[-1]
    return "after ingest" if any(m == "@ingest:end" for _, m in markers) else "start-up"


# --- the store compared --------------------------------------------------------------------------


def _snapshot(home: Path, **settings: Any) -> dict[str, Any]:
    """Everything a user of the store sees, in comparable form; asserts the store is consistent.

    Opened in this process after the child exited (one embedded client per home).
    """
    from assistant.core.settings import Settings
    from assistant.services.wiring import build_index

    values: dict[str, Any] = {"home": home, **settings}
    index = build_index(Settings(**values))
    ids, texts, metadatas = index.store.all_rows()
    assert len(ids) == len(set(ids)) == index.store.count(), "duplicate chunk ids"
    files = {}
    for root in sorted(index.store.roots()):
        for source, state in index.store.files(root).items():
            assert state.complete_hash() is not None, f"{source} recorded incomplete: {state}"
            files[source] = state.complete_hash()
    assert sorted(index.lexical.ids) == sorted(ids), "BM25 index does not cover exactly the store"
    snapshot: dict[str, Any] = {
        "count": index.store.count(),
        "rows": sorted(zip(ids, texts, [json.dumps(m, sort_keys=True) for m in metadatas], strict=True)),
        "files": files,
        "bm25": {q: [(i, round(s, 5)) for i, s in index.lexical.search(q, 10)] for q in QUERIES},
    }
    if settings.get("embedding_model") == "fake":  # the hash embedder answers queries without a model
        snapshot["dense"] = {
            q: [h.chunk_id for h in index.store.query(index.embeddings.embed_query(q), 10)] for q in QUERIES
        }
    return snapshot


def _diff(got: dict[str, Any], want: dict[str, Any]) -> str:
    """A short account of where two snapshots differ (for the assertion message)."""
    parts = []
    for key in want:
        if got.get(key) != want[key]:
            if key == "rows":
                g, w = {r[0] for r in got[key]}, {r[0] for r in want[key]}
                parts.append(
                    f"rows: {len(g - w)} extra, {len(w - g)} missing, metadata/text differ otherwise"
                )
            else:
                parts.append(f"{key}: {str(got.get(key))[:200]} != {str(want[key])[:200]}")
    return "; ".join(parts)


def _ingest_args(archive: Path) -> list[str]:
    return ["ingest", str(archive), "--json", "--no-progress"]


def _complete(archive: Path, env: dict[str, str]) -> dict[str, Any]:
    """Run ``lobby ingest`` to the end and return its report."""
    run = _run_child(_ingest_args(archive), env)
    assert run.returncode == 0, run.stderr[-2000:]
    return dict(json.loads(run.stdout))


@dataclass
class Trial:
    """One kill: where it was aimed, where it landed, and whether the recovered store matched."""

    scenario: str
    anchor: tuple[str, int, float]
    landed: str | None = None
    diverged: str = ""


def _print_trials(trials: list[Trial]) -> None:
    landed = Counter(t.landed or "not killed (finished first)" for t in trials)
    print(f"\n{len(trials)} trials; kills landed in: {dict(landed)}")
    for t in trials:
        print(f"  {t.scenario:8} {t.anchor[0]}#{t.anchor[1]}+{t.anchor[2] * 1000:.1f}ms -> {t.landed}")


def _archive(tmp_path: Path, files: list[Path] | None = None) -> Path:
    """A copy of the sample archive (or of ``files``) that the trials ingest."""
    folder = tmp_path / "archief"
    if files is None:
        shutil.copytree(REPO / "data", folder)
    else:
        folder.mkdir()
        for path in files:
            shutil.copy(path, folder / path.name)
    return folder


def _change(archive: Path) -> None:
    """A second version of the archive: one file changed, one removed, one added."""
    notes = sorted(archive.rglob("*.md"))
    notes[0].write_text(
        notes[0].read_text(encoding="utf-8") + "\n\nAanvulling: de provincies vragen om compensatie.\n",
        encoding="utf-8",
    )
    sorted(archive.rglob("*.pdf"))[0].unlink()
    (archive / "nieuw.md").write_text("# Nieuwe notitie\n\nDatum: 3 maart 2025\n\nOver het SRP en de NDS.\n")


def _crash_trials(
    tmp_path: Path,
    archive: Path,
    settings: dict[str, str],
    *,
    plans: list[tuple[str, str, int, float]],
    base: Path | None = None,
) -> list[Trial]:
    """Run each planned kill on a fresh home (a copy of ``base`` when given), then ingest to the end.

    ``plans`` holds (scenario, anchor phase, nth, delay). Returns the trials; their ``diverged`` is empty
    when the recovered store equals a clean run's.
    """
    env_settings = {f"LOBBY_{k.upper()}": v for k, v in settings.items()}
    reference_home = tmp_path / f"reference-{plans[0][0]}"
    _complete(archive, _environment(reference_home, **env_settings))
    want = _snapshot(reference_home, **settings)
    trials = []
    for n, (scenario, phase, nth, delay) in enumerate(plans):
        home = tmp_path / f"trial-{scenario}-{n}"
        if base is not None:
            shutil.copytree(base, home)
        env = _environment(home, **env_settings)
        killed = _run_child(_ingest_args(archive), env, kill=(phase, nth, delay))
        trial = Trial(scenario, (phase, nth, delay), killed.killed_in)
        report = _complete(archive, env)
        assert not report["failed"], report["failed"]
        got = _snapshot(home, **settings)
        trial.diverged = "" if got == want else _diff(got, want)
        trials.append(trial)
        shutil.rmtree(home, ignore_errors=True)
    return trials


def _plans(
    rng: random.Random, scenario: str, reference: Run, counts: dict[str, int]
) -> list[tuple[str, str, int, float]]:
    """Seeded kill moments: ``counts`` per anchor, delays drawn over that anchor's span in ``reference``."""
    plans = []
    total = reference.phase_span("ingest")[1] + 0.2
    for anchor, how_many in counts.items():
        for _ in range(how_many):
            if anchor == "start":
                plans.append((scenario, "start", 1, rng.uniform(0, total)))
                continue
            nth = rng.randint(1, reference.count(anchor))
            begin, end = reference.phase_span(anchor, nth)
            plans.append((scenario, anchor, nth, rng.uniform(0, (end - begin) * 1.2)))
    return plans


def _reference_run(archive: Path, home: Path, settings: dict[str, str]) -> Run:
    env = _environment(home, **{f"LOBBY_{k.upper()}": v for k, v in settings.items()})
    run = _run_child(_ingest_args(archive), env)
    assert run.returncode == 0, run.stderr[-2000:]
    return run


# --- the trials ----------------------------------------------------------------------------------


def test_sigkill_during_ingest_recovers_to_the_clean_store(tmp_path: Path) -> None:
    """26 seeded SIGKILLs over first ingests and an update run; every recovered store equals a clean one."""
    rng = random.Random(20261201)
    settings = {"embedding_model": "fake"}
    archive = _archive(tmp_path)
    # Timings of an uninterrupted run place the kills: spread over the run, and inside writes and saves.
    first = _reference_run(archive, tmp_path / "timing", settings)
    base = tmp_path / "base"  # the store of version 1 of the archive, for the update trials
    shutil.copytree(tmp_path / "timing", base)
    plans = _plans(rng, "first", first, {"start": 6, "ingest": 5, "embed": 1, "upsert": 5, "lexical": 3})
    trials = _crash_trials(tmp_path, archive, settings, plans=plans)

    _change(archive)
    update_home = tmp_path / "timing-update"
    shutil.copytree(base, update_home)
    update = _reference_run(archive, update_home, settings)
    assert update.count("delete") >= 1 and update.count("upsert") >= 2
    plans = _plans(rng, "update", update, {"ingest": 2, "upsert": 2, "delete": 2, "lexical": 1})
    trials += _crash_trials(tmp_path, archive, settings, plans=plans, base=base)

    _print_trials(trials)
    assert len(trials) >= 20
    killed = [t for t in trials if t.landed is not None]
    assert len(killed) >= 18, "most planned kills must land before the run ends"
    landed = {t.landed for t in killed}
    assert {"upsert", "lexical"} <= landed, f"kills must hit Chroma writes and the BM25 save: {landed}"
    assert [t for t in trials if t.diverged] == [], "\n".join(f"{t}" for t in trials if t.diverged)


UPLOADED = (
    "brieven/2024-11-05_brief-ocw-studenten-reis-product.pdf"  # taken out of the archive copy, uploaded
)


def test_sigkill_during_upload_leaves_no_half_file_and_recovers(tmp_path: Path) -> None:
    """Kills during an upload (file write, rename, ingest); after a restart the store is a clean run's."""
    rng = random.Random(7)
    settings = {"embedding_model": "fake"}
    archive = _archive(tmp_path)
    upload = tmp_path / Path(UPLOADED).name
    shutil.move(archive / UPLOADED, upload)
    env_settings = {"LOBBY_EMBEDDING_MODEL": "fake", "LOBBY_ARCHIVE": str(archive)}

    # The two clean stores a restart may end in: without the uploaded file, or with it in uploads/.
    base = tmp_path / "base"
    _complete(archive, _environment(base, **env_settings))
    without = _snapshot(base, **settings)
    with_file = archive.parent / "archief-met-upload"
    shutil.copytree(archive, with_file)
    (with_file / "uploads").mkdir()
    shutil.copy(upload, with_file / "uploads" / upload.name)
    shutil.move(archive, tmp_path / "archief-zonder")
    shutil.move(with_file, archive)  # the same root path, so chunk ids and roots compare
    _complete(archive, _environment(tmp_path / "clean-with", **env_settings))
    with_upload = _snapshot(tmp_path / "clean-with", **settings)
    shutil.rmtree(archive)
    shutil.move(tmp_path / "archief-zonder", archive)

    # The timing of an uninterrupted upload places the kills.
    timing = tmp_path / "timing"
    shutil.copytree(base, timing)
    run = _run_child(["upload", str(upload)], _environment(timing, **env_settings))
    assert run.returncode == 0 and run.stdout.strip() == "1", run.stderr[-2000:]
    # An upload stores the file as the archive's ingest does: a restart then finds nothing to add.
    assert _snapshot(timing, **settings) == with_upload
    begin, end = run.phase_span("upload")
    shutil.rmtree(archive / "uploads")

    trials = []
    delays = [0.0, 0.0005, *(rng.uniform(0, (end - begin) * 1.1) for _ in range(8))]
    for n, delay in enumerate(delays):
        home = tmp_path / f"upload-{n}"
        shutil.copytree(base, home)
        env = _environment(home, **env_settings)
        killed = _run_child(["upload", str(upload)], env, kill=("upload", 1, delay))
        trial = Trial("upload", ("upload", 1, delay), killed.killed_in)
        stored = archive / "uploads" / upload.name
        leftovers = (
            sorted(p.name for p in (archive / "uploads").glob(".*")) if (archive / "uploads").exists() else []
        )
        # Restart: what ``lobby start`` does first is ingest the archive folder.
        report = _complete(archive, env)
        assert not report["failed"], report["failed"]
        if stored.exists():
            assert stored.read_bytes() == upload.read_bytes(), "a half-written file under the uploaded name"
        want = with_upload if stored.exists() else without
        got = _snapshot(home, **settings)
        trial.diverged = "" if got == want else _diff(got, want)
        trial.landed = (
            f"{trial.landed}; file {'complete' if stored.exists() else 'absent'}; temp left: {leftovers}"
        )
        trials.append(trial)
        assert all(name.startswith(".") for name in leftovers), leftovers  # never under a visible name
        shutil.rmtree(archive / "uploads", ignore_errors=True)
        shutil.rmtree(home, ignore_errors=True)

    # What a kill during the write leaves, made on purpose (a random kill hits the ~1 ms write rarely):
    # half the bytes in the temp file. The restart ignores it.
    home = tmp_path / "upload-torn"
    shutil.copytree(base, home)
    (archive / "uploads").mkdir()
    (archive / "uploads" / ".upload-torn.tmp").write_bytes(upload.read_bytes()[: upload.stat().st_size // 2])
    report = _complete(archive, _environment(home, **env_settings))
    assert not report["failed"] and report["added"] == 0
    assert _snapshot(home, **settings) == without

    _print_trials(trials)
    assert {"complete", "absent"} <= {t.landed.split("file ")[1].split(";")[0] for t in trials if t.landed}
    assert [t for t in trials if t.diverged] == [], "\n".join(f"{t}" for t in trials if t.diverged)


@pytest.mark.integration
def test_sigkill_with_the_real_embedding_model_recovers(tmp_path: Path) -> None:
    """Two kills with the offline embedding model: while it encodes, and during a Chroma write."""
    rng = random.Random(11)
    files = [*sorted((REPO / "data").rglob("*.md")), FIXTURES / "notitie.md"]
    archive = _archive(tmp_path, files)
    first = _reference_run(archive, tmp_path / "timing", {})
    # The encoder call (model load included) takes 8-20 s depending on load: aim into its first half.
    begin, end = first.phase_span("embed")
    plans = [("model", "embed", 1, rng.uniform(0.1, 0.5) * (end - begin))]
    plans += _plans(rng, "model", first, {"upsert": 1})
    trials = _crash_trials(tmp_path, archive, {}, plans=plans)
    _print_trials(trials)
    assert all(t.landed is not None for t in trials)
    assert [t for t in trials if t.diverged] == [], "\n".join(f"{t}" for t in trials if t.diverged)


def test_a_pointer_file_left_by_a_killed_rebuild_is_removed_by_the_next(tmp_path: Path) -> None:
    """A kill between writing a version's pointer file and switching to it leaves that file; it goes."""
    from assistant.index.lexical import LexicalIndex

    lexical = LexicalIndex(tmp_path / "bm25")
    lexical.rebuild(["a"], ["zoutwinning"], [{"access": "openbaar"}])
    stale = tmp_path / "bm25" / ".current-v-0123456789abcdef-1-1.json"
    stale.write_text("{}")
    (tmp_path / "bm25" / "v-0123456789abcdef-1-1").mkdir()  # its version folder, half-written
    lexical.rebuild(["a", "b"], ["zoutwinning", "bodemdaling"], [{"access": "openbaar"}] * 2)
    left = sorted(p.name for p in (tmp_path / "bm25").iterdir())
    assert len(left) == 2 and left[0] == "current.json" and left[1].startswith("v-"), left
    assert LexicalIndex(tmp_path / "bm25").ids == ["a", "b"]


def _served(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    """``lobby serve`` on a free loopback port, in its own process group, once it answers."""
    from eval.processes import free_port, lobby_command, wait_http

    port = free_port()
    process = subprocess.Popen(
        [*lobby_command(), "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    wait_http(f"{url}config", timeout=120, process=process, name="lobby serve")
    return process, url


def _upload_over_http(url: str, upload: Path) -> tuple[Any, dict[str, Any]]:
    """Send ``upload`` as the library tab does: Gradio's upload route, then the tab's handler on the queue
    (files and the chosen level). Returns the open event stream's client and the join request."""
    import httpx

    http = httpx.Client(base_url=url, timeout=60)
    sent = http.post("gradio_api/upload", files={"files": (upload.name, upload.read_bytes())})
    assert sent.status_code == 200, sent.text
    config = http.get("config").json()
    field = next(c["id"] for c in config["components"] if c["props"].get("elem_id") == "library-upload")
    fn_index = next(d["id"] for d in config["dependencies"] if field in d["inputs"] and len(d["inputs"]) == 2)
    payload = [{"path": sent.json()[0], "orig_name": upload.name, "meta": {"_type": "gradio.FileData"}}]
    session = "crash-" + upload.stem
    job = {"data": [payload, "openbaar"], "fn_index": fn_index, "session_hash": session, "event_data": None}
    return http, job


def test_sigkill_of_the_served_app_during_an_upload_over_http(tmp_path: Path) -> None:
    """The web app itself killed while it stores and ingests an upload sent over HTTP; the restart's store
    is a clean run's, with the file complete at its level or absent, never half."""
    from eval.bench_load import queue_messages

    rng = random.Random(31)
    settings = {"embedding_model": "fake"}
    archive = _archive(tmp_path)
    upload = tmp_path / Path(UPLOADED).name
    shutil.move(archive / UPLOADED, upload)
    env_settings = {"LOBBY_EMBEDDING_MODEL": "fake", "LOBBY_LLM": "extractive", "LOBBY_ARCHIVE": str(archive)}
    base = tmp_path / "base"
    _complete(archive, _environment(base, **env_settings))
    without = _snapshot(base, **settings)
    # The clean store with the upload where the tab puts it: uploads/openbaar/, under its .toegang.
    level_folder = archive / "uploads" / "openbaar"
    level_folder.mkdir(parents=True)
    (level_folder / ".toegang").write_text("openbaar\n")
    shutil.copy(upload, level_folder / upload.name)
    _complete(archive, _environment(tmp_path / "clean-with", **env_settings))
    with_upload = _snapshot(tmp_path / "clean-with", **settings)
    shutil.rmtree(archive / "uploads")

    def attempt(home: Path, delay: float | None) -> float:
        """Serve, send the upload, kill the server ``delay`` s after the handler was queued (or let it
        finish); the seconds the upload took when not killed."""
        process, url = _served(_environment(home, **env_settings))
        try:
            http, job = _upload_over_http(url, upload)
            done: queue.Queue[float] = queue.Queue()

            def listen() -> None:  # the page's event stream: the queue runs the handler for a listener
                with contextlib.suppress(Exception):
                    for message in queue_messages(http, job["session_hash"]):
                        if message.get("msg") == "process_completed":
                            done.put(time.monotonic() - started if message.get("success") else -1.0)
                            return

            started = time.monotonic()
            assert http.post("gradio_api/queue/join", json=job).status_code == 200
            listener = threading.Thread(target=listen, daemon=True)
            listener.start()
            if delay is not None:
                time.sleep(delay)
                os.killpg(process.pid, signal.SIGKILL)
                return 0.0
            took = done.get(timeout=120)
            assert took > 0, "the upload failed"
            return took
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    timing = tmp_path / "timing"
    shutil.copytree(base, timing)
    took = attempt(timing, None)
    assert _snapshot(timing, **settings) == with_upload  # served upload = the archive's own ingest
    shutil.rmtree(archive / "uploads")

    trials = []
    print(f"an uninterrupted served upload took {took:.2f} s")
    for n, delay in enumerate([0.0, *(rng.uniform(0.3 * took, took * 1.1) for _ in range(8)), took * 3]):
        home = tmp_path / f"served-{n}"
        shutil.copytree(base, home)
        attempt(home, delay)
        stored = level_folder / upload.name
        visible = sorted(p.name for p in level_folder.iterdir() if not p.name.startswith(".")) if (
            level_folder.exists()
        ) else []  # fmt: skip
        report = _complete(archive, _environment(home, **env_settings))  # the restart's ingest
        assert not report["failed"], report["failed"]
        assert visible in ([], [upload.name]), visible  # never a partial file under another name
        if stored.exists():
            assert stored.read_bytes() == upload.read_bytes(), "a half-written file under the uploaded name"
        want = with_upload if stored.exists() else without
        got = _snapshot(home, **settings)
        trial = Trial("served", ("upload", 1, delay), f"file {'complete' if stored.exists() else 'absent'}")
        trial.diverged = "" if got == want else _diff(got, want)
        trials.append(trial)
        shutil.rmtree(archive / "uploads", ignore_errors=True)
        shutil.rmtree(home, ignore_errors=True)
    _print_trials(trials)
    assert {"file complete", "file absent"} <= {t.landed for t in trials}  # kills before and after the store
    assert [t for t in trials if t.diverged] == [], "\n".join(f"{t}" for t in trials if t.diverged)
