"""`lobby users` and `lobby feedback export` on a temporary home, and `lobby start` serving the archive."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.app.cli import app as cli
from assistant.core.answers import Answer, Citation
from assistant.core.settings import Settings
from assistant.services.conversations import ConversationStore
from assistant.services.users import user_store


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LOBBY_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def test_users_add_list_remove_keep_only_a_hash(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOBBY_NEW_PASSWORD", "een-lang-wachtwoord")
    added = CliRunner().invoke(cli, ["users", "add", "anna", "--rol", "medewerker"])
    assert added.exit_code == 0, added.output
    assert "ziet t/m intern" in added.output
    path = home / "gebruikers.json"
    assert "een-lang-wachtwoord" not in path.read_text() and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert user_store(Settings(home=home)).authenticate("anna", "een-lang-wachtwoord") is not None
    listed = CliRunner().invoke(cli, ["users", "list"])
    assert listed.output.startswith("anna\tmedewerker\tintern\t")
    again = CliRunner().invoke(cli, ["users", "add", "anna", "--rol", "baas"])
    assert again.exit_code == 2 and "lezer, medewerker, beheerder" in again.output
    assert CliRunner().invoke(cli, ["users", "remove", "anna"]).exit_code == 0
    assert CliRunner().invoke(cli, ["users", "remove", "anna"]).exit_code == 2


def test_users_add_asks_the_password_twice_at_a_hidden_prompt(home: Path) -> None:
    result = CliRunner().invoke(cli, ["users", "add", "bert"], input="geheim-genoeg-1\ngeheim-genoeg-1\n")
    assert result.exit_code == 0, result.output
    assert "geheim-genoeg-1" not in result.output  # hidden input is not echoed
    assert user_store(Settings(home=home)).authenticate("bert", "geheim-genoeg-1") is not None


def test_feedback_export_writes_a_json_line_per_rating(home: Path, tmp_path: Path) -> None:
    store = ConversationStore(home / "gesprekken.sqlite")
    conversation = store.create("lokaal")
    citation = Citation(
        1, "brieven/srp.pdf", "Contract SRP", 1, None, "2024-11-05", "Wij vragen een gesprek.", "c1"
    )
    answer = Answer(
        "Wat vroeg het IPO?", "Wat vroeg het IPO?", "Wij vragen een gesprek. [1]", False, [citation]
    )
    turn = store.add_turn(conversation, answer)
    store.add_feedback(turn, "lokaal", True, "klopt")
    store.add_feedback(turn, "lokaal", False, "", citation_n=1)
    out = tmp_path / "oordelen.jsonl"
    result = CliRunner().invoke(cli, ["feedback", "export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["useful"], r["comment"]) for r in lines] == [(True, "klopt"), (False, "")]
    assert (
        lines[0]["question"] == "Wat vroeg het IPO?" and lines[1]["citation"]["source"] == "brieven/srp.pdf"
    )
    stdout = CliRunner().invoke(cli, ["feedback", "export"])
    assert len(stdout.output.splitlines()) == 2
