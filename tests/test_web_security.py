"""Web app security over real HTTP: upload names, sizes and types; sign-in, session expiry and sign-out;
one user never sees or continues another's conversations or feedback."""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import httpx
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from assistant.app.web.app import SIGN_OUT
from assistant.app.web.serve import serve
from assistant.app.web.sessions import SessionTokens
from assistant.services.library import LibraryError, Upload, safe_upload_name
from assistant.services.requests import Request
from assistant.services.uploads import MAX_NAME_BYTES, store_upload
from assistant.services.users import user_store
from assistant.services.wiring import Services

from .web_helpers import free_port, web_services

QUESTION = "Wat vroeg het IPO aan de minister van OCW over het Studenten Reis Product?"
ANNA = ("anna", "wachtwoord-van-anna")
BOB = ("bob", "wachtwoord-van-bob-1")
LIMIT_MB = 0.2  # every file of the sample archive is smaller; the upload tests send larger ones
UPLOAD_MB = 1.0  # what one upload request may hold in all
MARKDOWN = b"# Zoutwinning\n\nDatum: 3 maart 2025\n\nDe provincie vraagt een onderzoek naar zoutwinning.\n"


# -- upload names ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("/etc/passwd.txt", "passwd.txt"),
        ("..\\..\\x.pdf", "x.pdf"),
        ("C:\\Windows\\system32\\x.pdf", "x.pdf"),
        ("..／..／x.pdf", "x.pdf"),  # fullwidth solidus: a slash once normalised
        ("map\u2215x.md", "x.md"),  # division slash
        ("rapport\u202egnp.pdf", "rapportgnp.pdf"),  # right-to-left override removed
        ("brief\u200b.docx", "brief.docx"),  # zero-width space removed
        ("ｂｒｉｅｆ.ｐｄｆ", "brief.pdf"),  # fullwidth letters
        ("nota.pdf. . ", "nota.pdf"),  # trailing dots and spaces (Windows drops them)
        ('a:b?"c".md', "a_b__c_.md"),
        ("CON.txt", "_CON.txt"),
        ("Verslag overleg.PDF", "Verslag overleg.PDF"),
    ],
)
def test_an_upload_name_keeps_only_a_safe_file_name(name: str, stored: str) -> None:
    assert safe_upload_name(name) == stored


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("a\x00.pdf", "stuurtekens"),
        ("evil.sh\x00.pdf", "stuurtekens"),
        ("regel\nnieuw.md", "stuurtekens"),
        ("..", "ongeldige bestandsnaam"),
        ("...", "ongeldige bestandsnaam"),
        ("....pdf", "ongeldige bestandsnaam"),
        ("../..", "ongeldige bestandsnaam"),
        (".verborgen.md", "ongeldige bestandsnaam"),
        ("", "ongeldige bestandsnaam"),
        ("map/", "ongeldige bestandsnaam"),
        ("script.sh", "niet ondersteund"),
        ("rapport\u202efdp.exe", "niet ondersteund"),  # shows as "rapportexe.pdf", is an .exe
        ("x.pdf.exe", "niet ondersteund"),
        ("pdf", "niet ondersteund"),
    ],
)
def test_an_upload_name_that_cannot_be_made_safe_is_refused_in_dutch(name: str, reason: str) -> None:
    with pytest.raises(LibraryError, match=reason):
        safe_upload_name(name)


def test_a_very_long_name_is_cut_keeping_its_extension() -> None:
    for long in ("a" * 300 + ".pdf", "é" * 200 + ".md", "文" * 120 + ".docx"):
        stored = safe_upload_name(long)
        assert len(stored.encode()) <= MAX_NAME_BYTES
        assert stored.endswith(Path(long).suffix) and stored[0] == long[0]
        stored.encode().decode()  # never cut inside a character


# -- uploads through the library service -----------------------------------------------------------------


@pytest.fixture(scope="module")
def library_services(tmp_path_factory: pytest.TempPathFactory) -> Services:
    return web_services(tmp_path_factory.mktemp("upload"), max_file_mb=LIMIT_MB, max_upload_mb=UPLOAD_MB)


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_uploads_stay_inside_the_archive_folder(library_services: Services, tmp_path: Path) -> None:
    archive = library_services.settings.archive
    outside = _files(archive.parent)
    names = ["../../buiten-1.md", "/tmp/buiten-2.md", "..\\..\\buiten-3.md", "..／buiten-4.md"]
    report = library_services.library.upload(Request(), [Upload(n, MARKDOWN + n.encode()) for n in names])
    assert not report.failed, report.failed
    uploads = archive / "uploads"
    assert sorted(p.name for p in uploads.iterdir()) == [f"buiten-{i}.md" for i in range(1, 5)]
    changed = {k for k, v in _files(archive.parent).items() if outside.get(k) != v}
    home = library_services.settings.home.name  # the index changes too, of course
    assert {k for k in changed if not k.startswith(f"{home}/")} == {
        f"{archive.name}/uploads/buiten-{i}.md" for i in range(1, 5)
    }
    assert not list(Path("/tmp").glob("buiten-2.md"))


def test_too_large_wrong_type_or_fake_content_is_refused_and_not_written(library_services: Services) -> None:
    uploads = library_services.settings.archive / "uploads"
    before = _files(uploads) if uploads.exists() else {}
    big = MARKDOWN + b"x" * int(LIMIT_MB * 1_000_000)
    report = library_services.library.upload(
        Request(),
        [
            Upload("groot.md", big),
            Upload("script.sh", b"#!/bin/sh\nrm -rf /\n"),
            Upload("nep.pdf", b"MZ\x90\x00 dit is een programma"),
            Upload("nep.docx", b"%PDF-1.4 geen zip"),
            Upload("leeg.txt", b""),
            Upload("a\x00.md", MARKDOWN),
            Upload("goed-bestand.md", MARKDOWN + b"goed\n"),
        ],
    )
    reasons = {f.source: f.reason for f in report.files if f.status == "failed"}
    assert "te groot" in reasons["groot.md"] and "LOBBY_MAX_FILE_MB" in reasons["groot.md"]
    assert "niet ondersteund" in reasons["script.sh"]
    assert "geen PDF-bestand" in reasons["nep.pdf"] and "geen DOCX-bestand" in reasons["nep.docx"]
    assert "leeg" in reasons["leeg.txt"]
    assert "stuurtekens" in reasons["a.md"]  # shown without the NUL
    assert {f.source for f in report.failed} == set(reasons)
    # Stored as the archive's own ingest stores it: under the archive's root, in its uploads folder.
    assert [f.source for f in report.files if f.status == "added"] == ["uploads/goed-bestand.md"]
    assert set(_files(uploads)) - set(before) == {"goed-bestand.md"}  # only the accepted one was written


def test_an_upload_never_replaces_another_file(library_services: Services, tmp_path: Path) -> None:
    library = library_services.library
    uploads = library_services.settings.archive / "uploads"
    first = library.upload(Request(), [Upload("zelfde.md", MARKDOWN + b"eerste versie\n")])
    assert [f.status for f in first.files] == ["added"]
    second = library.upload(Request(), [Upload("zelfde.md", MARKDOWN + b"tweede versie\n")])
    assert [(f.source, f.status) for f in second.files] == [("uploads/zelfde-2.md", "added")]
    assert "opgeslagen als zelfde-2.md" in second.files[0].reason
    assert (uploads / "zelfde.md").read_bytes().endswith(b"eerste versie\n")
    again = library.upload(Request(), [Upload("zelfde.md", MARKDOWN + b"eerste versie\n")])
    assert [(f.source, f.status) for f in again.files] == [("uploads/zelfde.md", "unchanged")]
    assert not (uploads / "zelfde-3.md").exists()
    # A link planted under the name is neither followed nor replaced.
    target = tmp_path / "buiten.md"
    target.write_bytes(b"buiten het archief")
    (uploads / "link.md").symlink_to(target)
    library.upload(Request(), [Upload("link.md", MARKDOWN + b"via link\n")])
    assert target.read_bytes() == b"buiten het archief"
    assert (uploads / "link-2.md").read_bytes().endswith(b"via link\n")
    assert not list(uploads.glob(".upload-*"))  # no temporary file left behind


def test_without_hard_links_an_upload_still_never_replaces_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(*args: object) -> None:
        raise PermissionError(1, "Operation not permitted")  # what FAT or an SMB share answers

    monkeypatch.setattr(os, "link", no_links)
    (tmp_path / "brief.md").write_bytes(b"van een ander")
    stored = store_upload(tmp_path, "brief.md", MARKDOWN)
    assert stored.name == "brief-2.md" and stored.read_bytes() == MARKDOWN
    assert (tmp_path / "brief.md").read_bytes() == b"van een ander"
    assert store_upload(tmp_path, "brief.md", MARKDOWN) == stored  # the same bytes again: reused
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brief-2.md", "brief.md"]


# -- the served app: upload limit, sign-in, sessions -------------------------------------------------------


@contextmanager
def serving(services: Services, host: str = "127.0.0.1") -> Iterator[tuple[str, Any]]:
    """The app as `lobby serve` starts it, on a free port: its address and the Gradio app (its handlers)."""
    app: Any = serve(services, host=host, port=free_port(), announce=lambda _: None, block=False)
    try:
        yield f"http://127.0.0.1:{app.server_port}/", app
    finally:
        app.close()


@pytest.fixture(scope="module")
def served_app(library_services: Services) -> Iterator[tuple[str, Any]]:
    """Listening on every address (0.0.0.0), so sign-in is on; anna manages, bob reads."""
    users = user_store(library_services.settings)
    for name, password in (ANNA, BOB):
        users.add(name, password, "beheerder" if name == "anna" else "medewerker")
    with serving(library_services, host="0.0.0.0") as started:
        yield started


@pytest.fixture
def served(served_app: tuple[str, Any]) -> str:
    return served_app[0]


@contextmanager
def _sign_in(url: str, user: tuple[str, str]) -> Iterator[httpx.Client]:
    """An HTTP client signed in as ``user`` through Gradio's login form (the session cookie kept)."""
    with httpx.Client(base_url=url, timeout=30) as http:
        response = http.post("login", data={"username": user[0], "password": user[1]})
        assert response.status_code == 200, response.text
        yield http


def test_on_every_address_the_server_demands_sign_in_over_http(served: str) -> None:
    assert httpx.get(f"{served}gradio_api/login_check").status_code == 401
    assert (
        httpx.post(f"{served}login", data={"username": "anna", "password": "fout-wachtwoord"}).status_code
        == 400
    )
    with _sign_in(served, ANNA) as http:
        assert http.get("gradio_api/login_check").status_code == 200
        components = http.get("config").json()["components"]
        shown = [c["props"].get("value") for c in components if c["props"].get("elem_id") == "sign-out"]
        assert shown == [SIGN_OUT] and 'href="logout"' in SIGN_OUT and "Afmelden" in SIGN_OUT


def _post_upload(served: str, blocks: Iterator[bytes], *, declared: int | None) -> tuple[bytes, int]:
    """POST ``blocks`` to Gradio's upload route as anna over a raw socket, stopping at the first answer.

    With ``declared`` the request announces that Content-Length, else it is sent chunked. Returns the
    answer's first bytes and how many body bytes were sent before it came.
    """
    with _sign_in(served, ANNA) as http:
        cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
    port = int(served.rstrip("/").rsplit(":", 1)[1])
    length = f"Content-Length: {declared}" if declared is not None else "Transfer-Encoding: chunked"
    head = (
        f"POST /gradio_api/upload HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n{length}\r\n\r\n"
    ).encode()
    sent = 0
    answer = b""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall(head)
        conn.settimeout(0.05)
        for block in blocks:
            with suppress(TimeoutError):
                answer = conn.recv(4096)  # answered already?
            if answer:
                break
            try:
                conn.sendall(block if declared is not None else b"%x\r\n%s\r\n" % (len(block), block))
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(block)
        conn.settimeout(10)
        with suppress(OSError):
            answer = answer or conn.recv(4096)
    return answer, sent


BOUNDARY = uuid.uuid4().hex


def _file_part(name: str, size: int) -> Iterator[bytes]:
    """One file of a multipart body, in 64 KiB blocks."""
    yield (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    data = b"%PDF-" + os.urandom(size - 5)
    for start in range(0, size, 64 * 1024):
        yield data[start : start + 64 * 1024]
    yield b"\r\n"


def test_a_post_announcing_2_gb_is_refused_before_anything_is_read(served: str) -> None:
    answer, sent = _post_upload(served, _file_part("groot.pdf", 10_000_000), declared=2 * 1024**3)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert "LOBBY_MAX_UPLOAD_MB" in answer.decode(errors="replace")
    assert sent < 2 * 64 * 1024  # refused on its headers


def test_a_file_over_the_limit_is_cut_off_by_gradio_at_the_limit(served: str) -> None:
    size = int(3 * LIMIT_MB * 1_000_000)  # within the request limit, over the file limit
    answer, sent = _post_upload(served, _file_part("groot.pdf", size), declared=size + 1000)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"File size exceeded" in answer
    assert sent < size  # answered before the file was all sent


def test_many_files_each_under_the_limit_are_stopped_at_the_request_limit(served: str) -> None:
    """A chunked POST (no length to judge) of files of 0.15 MB each: stopped once 1 MB has arrived."""

    def files() -> Iterator[bytes]:
        for n in range(1000):  # 150 MB if it were all read
            yield from _file_part(f"deel-{n}.pdf", int(0.75 * LIMIT_MB * 1_000_000))

    answer, sent = _post_upload(served, files(), declared=None)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert "LOBBY_MAX_UPLOAD_MB" in answer.decode(errors="replace")
    assert sent < 5 * UPLOAD_MB * 1_000_000  # not the 150 MB: stopped soon after the limit


def test_a_session_ends_after_lobby_session_hours(tmp_path: Path) -> None:
    services = web_services(tmp_path, require_login=True, session_hours=3 / 3600)  # three seconds
    user_store(services.settings).add(*ANNA, "lezer")
    with serving(services) as (url, _), _sign_in(url, ANNA) as http:
        client = Client(url, auth=ANNA, verbose=False, download_files=False)
        assert client.predict(QUESTION, api_name="/ask")["refused"] is False
        assert http.get("gradio_api/login_check").status_code == 200
        time.sleep(3.5)
        assert http.get("gradio_api/login_check").status_code == 401  # the next request needs sign-in
        with pytest.raises(Exception, match=r"401|credentials|Unauthorized|login"):
            client.predict(QUESTION, api_name="/ask")
        with _sign_in(url, ANNA) as again:
            assert again.get("gradio_api/login_check").status_code == 200


def test_afmelden_ends_the_session(served: str) -> None:
    with _sign_in(served, BOB) as http:
        assert http.get("gradio_api/login_check").status_code == 200
        cookies = dict(http.cookies.items())
        assert http.get("logout").status_code in (200, 302, 307)
    with httpx.Client(base_url=served, cookies=cookies) as stale:  # the old cookie, kept by an attacker
        assert stale.get("gradio_api/login_check").status_code == 401


def test_session_tokens_expire_and_stay_few() -> None:
    now = [0.0]
    tokens = SessionTokens(10, clock=lambda: now[0])
    tokens["a"] = "anna"
    now[0] = 5
    tokens["b"] = "bob"
    assert tokens.get("a") == "anna" and "b" in tokens and len(tokens) == 2
    now[0] = 10
    assert tokens.get("a") is None and "a" not in tokens and list(tokens) == ["b"]
    now[0] = 100
    tokens["c"] = "anna"
    assert tokens._entries.keys() == {"c"}  # expired ones are dropped when a new one comes


# -- one user's conversations and feedback are not another's ----------------------------------------------


def _call(http: httpx.Client, app: Any, fn_name: str, data: list[Any], session: str) -> dict[str, Any]:
    """Call one of the page's own (private) handlers over the queue as the browser does; its last message."""
    fn_index = next(i for i, fn in app.fns.items() if fn.name == fn_name)
    joined = http.post(
        "gradio_api/queue/join",
        json={"data": data, "fn_index": fn_index, "session_hash": session, "event_data": None},
    )
    assert joined.status_code == 200, joined.text
    last: dict[str, Any] = {}
    with http.stream("GET", "gradio_api/queue/data", params={"session_hash": session}) as events:
        for line in events.iter_lines():
            if line.startswith("data:"):
                last = json.loads(line[5:])
                if last.get("msg") == "process_completed":
                    break
    return last


def test_a_user_never_sees_or_continues_another_users_conversation(
    served_app: tuple[str, Any], library_services: Services
) -> None:
    url, app = served_app
    anna = Client(url, auth=ANNA, verbose=False, download_files=False)
    bob = Client(url, auth=BOB, verbose=False, download_files=False)
    first = anna.predict(QUESTION, api_name="/ask")
    conversation = first["conversation"]
    with pytest.raises(AppError, match=f"Gesprek {conversation} bestaat niet of is niet van bob"):
        bob.predict("En welk tekort dreigt er vanaf 2025?", conversation, api_name="/ask")
    store = library_services.conversations
    assert len(store.turns(conversation, "anna")) == 1  # bob's question was not added to it
    # Over the page's own calls: bob's list and chat do not show it, and picking its id opens nothing.
    with _sign_in(url, BOB) as http:
        session = uuid.uuid4().hex
        loaded = _call(http, app, "on_load", [], session)
        assert loaded["success"] is True
        assert conversation not in json.dumps(loaded) and "Studenten Reis" not in json.dumps(loaded)
        picked = _call(http, app, "pick", [conversation], session)
        assert picked["success"] is False and "Studenten Reis" not in json.dumps(picked)
    with _sign_in(url, ANNA) as http:
        session = uuid.uuid4().hex
        loaded = _call(http, app, "on_load", [], session)
        assert conversation in json.dumps(loaded)
        picked = _call(http, app, "pick", [conversation], session)
        assert picked["success"] is True and "Studenten Reis" in json.dumps(picked)


def test_feedback_is_only_on_and_of_ones_own_answers(
    served_app: tuple[str, Any], library_services: Services
) -> None:
    url, app = served_app
    anna = Client(url, auth=ANNA, verbose=False, download_files=False)
    answer = anna.predict(QUESTION, api_name="/ask")
    store = library_services.conversations
    turn_id = store.turns(answer["conversation"], "anna")[-1].id
    assert answer["refused"] is False, answer
    n = answer["citations"][0]["n"]
    with _sign_in(url, BOB) as http:  # bob opens anna's citation marker (the step before rating it)
        opened = _call(http, app, "open_cite", [f"t{turn_id}:{n}"], uuid.uuid4().hex)
    assert opened["success"] is False and f"Antwoord {turn_id} bestaat niet of is niet van bob" in json.dumps(
        opened
    )
    with _sign_in(url, ANNA) as http:
        assert _call(http, app, "open_cite", [f"t{turn_id}:{n}"], uuid.uuid4().hex)["success"] is True
    library_services.web_chat.rate(Request(user="anna"), turn_id, True, "klopt")
    with pytest.raises(LookupError, match="niet van bob"):
        library_services.web_chat.rate(Request(user="bob"), turn_id, False, "sabotage")
    assert [r["comment"] for r in store.export_feedback("anna")] == ["klopt"]
    assert list(store.export_feedback("bob")) == []


def test_the_library_tab_refuses_in_dutch_and_only_managers_may_upload(
    served_app: tuple[str, Any], library_services: Services
) -> None:
    """Files sent as the page sends them (Gradio's upload route, then the tab's handler)."""
    url, app = served_app
    assert httpx.post(f"{url}gradio_api/upload", files={"files": ("a.md", MARKDOWN)}).status_code == 401
    uploads = library_services.settings.archive / "uploads"
    with _sign_in(url, ANNA) as http:
        sent = http.post(
            "gradio_api/upload",
            files=[
                ("files", ("nep.pdf", b"MZ geen pdf")),
                ("files", ("script.sh", b"#!/bin/sh\n")),
                ("files", ("tab-bestand.md", MARKDOWN + b"tab\n")),
            ],
        )
        assert sent.status_code == 200, sent.text
        payload = [
            {"path": path, "orig_name": Path(path).name, "meta": {"_type": "gradio.FileData"}}
            for path in sent.json()
        ]
        done = _call(http, app, "upload", [payload, "intern"], uuid.uuid4().hex)  # files and their level
        assert done["success"] is True, done
        rows = {row[0]: row for row in done["output"]["data"][0]["data"]}
        assert rows["nep.pdf"][1] == "mislukt" and "is geen PDF-bestand" in rows["nep.pdf"][3]
        assert rows["script.sh"][1] == "mislukt" and "wordt niet ondersteund" in rows["script.sh"][3]
        assert rows["uploads/intern/tab-bestand.md"][1] == "toegevoegd"
        assert "2 mislukt of geweigerd" in done["output"]["data"][3]
    assert not (uploads / "nep.pdf").exists() and not (uploads / "script.sh").exists()
    assert (uploads / "intern" / "tab-bestand.md").is_file()
    levels = {m["source"]: m["access"] for _, m in library_services.index.store.metadatas()}
    assert levels["uploads/intern/tab-bestand.md"] == "intern"
    with _sign_in(url, BOB) as http:  # a medewerker may read, not add
        sent = http.post("gradio_api/upload", files={"files": ("bob.md", MARKDOWN + b"bob\n")})
        payload = [{"path": sent.json()[0], "orig_name": "bob.md", "meta": {"_type": "gradio.FileData"}}]
        refused = _call(http, app, "upload", [payload, "openbaar"], uuid.uuid4().hex)
    assert refused["success"] is False and "Alleen een beheerder" in json.dumps(refused)
    assert not (uploads / "bob.md").exists()


def test_temporary_files_of_a_killed_upload_are_removed_once_stale(tmp_path: Path) -> None:
    from assistant.services.uploads import STALE_SECONDS, remove_stale_temporaries

    old, fresh = tmp_path / ".upload-oud.tmp", tmp_path / ".upload-bezig.tmp"
    old.write_bytes(b"half")
    fresh.write_bytes(b"nog bezig")
    os.utime(old, (time.time() - STALE_SECONDS - 60,) * 2)
    store_upload(tmp_path, "nieuw.md", b"# Nieuw\n")  # every upload first clears what killed ones left
    assert not old.exists() and fresh.exists()  # a fresh one may belong to an upload still writing
    assert remove_stale_temporaries(tmp_path, now=time.time() + STALE_SECONDS + 60) == [fresh]
