"""The README is the front door: its settings table and commands must match the code."""

from __future__ import annotations

import re
import shlex

from assistant.core.settings import Settings

from .conftest import REPO

README = (REPO / "README.md").read_text()


def test_every_setting_is_documented_in_the_readme() -> None:
    missing = [
        f"LOBBY_{name.upper()}" for name in Settings.model_fields if f"`LOBBY_{name.upper()}`" not in README
    ]
    assert not missing, f"README settings table lacks {missing}"


def test_readme_documents_no_settings_that_do_not_exist() -> None:
    documented = set(re.findall(r"`LOBBY_([A-Z_]+)`", README)) - {"SHARED"}
    assert documented <= {name.upper() for name in Settings.model_fields}


def test_ci_runs_the_readme_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text()
    assert "make test" in README and re.search(r"^make test$", ci, re.M)


def test_readme_lobby_commands_exist() -> None:
    from typer.main import get_command

    from assistant.app.cli import app

    root = get_command(app)
    commands = {
        shlex.split(line)[1] for line in re.findall(r"^\s*(?:\.venv/bin/)?lobby [a-z].*$", README, re.M)
    }
    assert commands, "README shows no lobby commands"
    assert commands <= set(root.commands), commands - set(root.commands)  # type: ignore[attr-defined]
