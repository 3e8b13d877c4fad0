"""The web app served for real (Gradio, embedded Chroma, fake embedder) and driven with gradio_client."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from gradio_client import Client
from gradio_client.exceptions import AuthenticationError
from typer.testing import CliRunner

from assistant.app.cli import app as cli
from assistant.services.users import ExposureError, user_store
from assistant.services.wiring import Services

from .conftest import CITATION_KEYS
from .web_helpers import running, web_services

QUESTION = "Wat vroeg het IPO aan de minister van OCW over het Studenten Reis Product?"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Services]]:
    services = web_services(tmp_path_factory.mktemp("web"))
    with running(services) as url:
        yield url, services


def test_the_ask_api_answers_like_lobby_ask_json_and_keeps_the_conversation(
    served: tuple[str, Services],
) -> None:
    url, services = served
    client = Client(url, verbose=False, download_files=False)
    first = client.predict(QUESTION, api_name="/ask")
    assert set(first) >= {"answer", "refused", "citations", "conversation"}
    assert first["refused"] is False and first["citations"]
    assert all(set(c) >= CITATION_KEYS for c in first["citations"])
    assert any("Studenten" in c["title"] or "SRP" in c["quote"] for c in first["citations"])
    follow = client.predict("En welk tekort dreigt er vanaf 2025?", first["conversation"], api_name="/ask")
    assert follow["conversation"] == first["conversation"]
    assert "2025" in follow["standalone_question"] or "Studenten" in follow["standalone_question"]
    stored = services.conversations.turns(first["conversation"], "lokaal")
    assert [t.question for t in stored] == [QUESTION, "En welk tekort dreigt er vanaf 2025?"]
    assert [c.to_json() for c in stored[0].citations] == first["citations"]


def test_the_ask_api_refuses_what_the_archive_does_not_hold_and_takes_filters(
    served: tuple[str, Services],
) -> None:
    url, _ = served
    client = Client(url, verbose=False, download_files=False)
    refused = client.predict("Wat is het recept voor appeltaart van de Efteling?", api_name="/ask")
    assert refused["refused"] is True and refused["citations"] == []
    only_2023 = client.predict(QUESTION, "", "2023-01-01", "2023-12-31", api_name="/ask")
    assert only_2023["citations"] == []  # nothing in the sample archive is from 2023


def test_the_page_loads_nothing_from_outside_the_machine(served: tuple[str, Services]) -> None:
    url, _ = served
    with urllib.request.urlopen(url) as response:
        page = response.read().decode()
    assert "fonts.googleapis" not in page and "cdn." not in page and "googletagmanager" not in page


def test_an_exposed_server_without_users_does_not_start(tmp_path: Path) -> None:
    services = web_services(tmp_path)
    with pytest.raises(ExposureError, match="lobby users add"), running(services, host="0.0.0.0"):
        pass


def test_lobby_serve_on_an_open_address_without_users_exits_2_and_says_how(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOBBY_HOME", str(tmp_path / "home"))
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--port", "0"])
    assert result.exit_code == 2
    assert "lobby users add" in result.output


def test_with_sign_in_on_only_users_in_the_file_get_in(tmp_path: Path) -> None:
    services = web_services(tmp_path, require_login=True)
    user_store(services.settings).add("adviseur", "geheim-wachtwoord-1", "medewerker")
    with running(services) as url:
        with pytest.raises(AuthenticationError, match="credentials were not provided"):
            Client(url, verbose=False, download_files=False).predict(QUESTION, api_name="/ask")
        with pytest.raises(ValueError, match="Could not login"):
            Client(url, auth=("adviseur", "fout-wachtwoord-1"), verbose=False, download_files=False)
        signed_in = Client(url, auth=("adviseur", "geheim-wachtwoord-1"), verbose=False, download_files=False)
        answer = signed_in.predict(QUESTION, api_name="/ask")
    assert answer["refused"] is False
    assert services.conversations.conversations("adviseur")  # stored under the signed-in user


def test_only_a_manager_may_change_the_archive_when_sign_in_is_on(tmp_path: Path) -> None:
    import gradio as gr

    from assistant.app.web.context import WebContext

    services = web_services(tmp_path, require_login=True)
    users = user_store(services.settings)
    users.add("lezer1", "geheim-wachtwoord-1", "lezer")
    users.add("baas", "geheim-wachtwoord-2", "beheerder")
    ctx = WebContext(services, services.conversations, users)

    class Http:
        def __init__(self, username: str) -> None:
            self.username = username

    with pytest.raises(gr.Error, match="Alleen een beheerder"):
        ctx.require_manager(Http("lezer1"))  # type: ignore[arg-type]
    ctx.require_manager(Http("baas"))  # type: ignore[arg-type]
    assert ctx.request(Http("lezer1")).scope.levels == frozenset({"openbaar"})  # type: ignore[arg-type]
    WebContext(services, services.conversations).require_manager(None)  # no sign-in: the local user


def test_with_the_local_model_answers_queue_one_at_a_time_in_chat_and_api(tmp_path: Path) -> None:
    from assistant.app.web.app import build_app
    from assistant.app.web.context import WebContext

    services = web_services(tmp_path)
    serial = build_app(WebContext(services, services.conversations, serial_answers=True))
    answering = [fn for fn in serial.fns.values() if fn.name in {"chat_turn", "ask"}]
    assert len(answering) == 3  # the send button, Enter in the question box, and the API
    assert {(fn.concurrency_limit, fn.concurrency_id) for fn in answering} == {(1, "answers")}
    parallel = build_app(WebContext(services, services.conversations))
    assert {fn.concurrency_limit for fn in parallel.fns.values() if fn.name in {"chat_turn", "ask"}} == {None}


def test_a_failing_model_gives_a_dutch_reason_not_a_bare_error(
    served: tuple[str, Services], monkeypatch: pytest.MonkeyPatch
) -> None:
    from gradio_client.exceptions import AppError

    from assistant.index.models import ModelError

    url, services = served

    def broken(*args: object, **kwargs: object) -> None:
        raise ModelError("qwen2.5-coder-1.5b ontbreekt in de modelmap")

    monkeypatch.setattr(services.web_chat.answerer, "stream", broken)
    with pytest.raises(AppError, match=r"Het taalmodel is niet beschikbaar: qwen2\.5-coder-1\.5b ontbreekt"):
        Client(url, verbose=False, download_files=False).predict(QUESTION, api_name="/ask")
