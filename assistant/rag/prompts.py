"""Prompt templates are data: Dutch text files in ``prompts/``, loaded by name and rendered.

Templates use ``$name`` placeholders (:class:`string.Template`), so braces and brackets in prompts
(``[1]``) need no escaping. A missing placeholder value is an error, not a silent blank.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from string import Template

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "prompts"


@dataclass(frozen=True, slots=True)
class PromptLibrary:
    """The templates in one directory (``<name>.md``)."""

    directory: Path = DEFAULT_DIR

    def raw(self, name: str) -> str:
        return _read(self.directory / f"{name}.md")

    def render(self, name: str, **values: object) -> str:
        """The template ``name`` with every ``$placeholder`` filled; ``KeyError`` names a missing one."""
        try:
            return Template(self.raw(name)).substitute({k: str(v) for k, v in values.items()}).strip()
        except KeyError as exc:
            raise KeyError(f"prompt '{name}' needs a value for {exc}") from exc


@cache
def _read(path: Path) -> str:
    if not path.exists():
        raise FileNotFoundError(f"prompt template {path} does not exist")
    return path.read_text(encoding="utf-8")
