"""Imports point one way: edges (cli, ui) -> services (ingest, eval) -> core (assistant)."""

from __future__ import annotations

import ast
from pathlib import Path

from .conftest import REPO

EDGES = {"assistant/cli.py", "assistant/ui.py"}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _modules(package: str) -> list[Path]:
    return sorted((REPO / package).rglob("*.py"))


def test_core_imports_neither_services_nor_edges_nor_ui_libraries() -> None:
    for path in _modules("assistant"):
        rel = path.relative_to(REPO).as_posix()
        if rel in EDGES:
            continue
        bad = {
            name
            for name in _imports(path)
            if name.split(".")[0] in {"ingest", "eval", "gradio", "typer", "click"}
            or name in {"assistant.cli", "assistant.ui"}
        }
        assert not bad, f"{rel} imports {bad}"


def test_services_do_not_import_edges() -> None:
    for package in ("ingest", "eval"):
        for path in _modules(package):
            bad = {
                n for n in _imports(path) if n in {"assistant.cli", "assistant.ui"} or n.startswith("gradio")
            }
            assert not bad, f"{path.relative_to(REPO)} imports {bad}"


def test_only_store_imports_chromadb() -> None:
    users = [
        p.relative_to(REPO).as_posix()
        for p in _modules("assistant") + _modules("ingest") + _modules("eval")
        if any(n.split(".")[0] == "chromadb" for n in _imports(p))
    ]
    assert users == ["assistant/store.py"]
