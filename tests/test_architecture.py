"""Imports point one way; the rules are import-linter contracts in pyproject.toml, checked here too.

`make test` runs ``lint-imports`` before pytest; this test runs the same contracts so that a plain
``pytest`` run catches a broken layer as well, and states which layers the contracts must name.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from .conftest import REPO

LAYERS = [
    "assistant.app",
    "eval",
    "assistant.services",
    "ingest | assistant.rag",
    "assistant.index | assistant.testing",
    "assistant.core",
]


def test_contracts_name_every_layer_and_exempt_nothing() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = [c for c in config["contracts"] if c["type"] == "layers"]
    assert [c["layers"] for c in layers] == [LAYERS]
    assert not any("ignore_imports" in c for c in config["contracts"]), "no module is whitelisted"
    packages = {p.name for p in (REPO / "assistant").iterdir() if (p / "__init__.py").exists()}
    named = {part.strip().split(".")[1] for layer in LAYERS for part in layer.split("|") if "." in part}
    modules = {p.stem for p in (REPO / "assistant").glob("*.py")} - {"__init__"}
    assert packages | modules <= named, f"assistant parts outside every layer: {(packages | modules) - named}"


def test_import_contracts_are_kept() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint)], cwd=REPO, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout
