"""The gold set: loading and validating ``eval/gold/*.jsonl`` (format in ``eval/gold/README.md``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.core.answers import Turn
from ingest.loaders import SUPPORTED_SUFFIXES

GOLD_DIR = Path(__file__).resolve().parent / "gold"
KINDS = {"fact", "timeline", "followup", "refusal", "lookup"}


class GoldFormatError(ValueError):
    """A malformed gold case; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class GoldCase:
    """One evaluation question with what a good answer must find and say."""

    id: str
    question: str
    answerable: bool
    sources: tuple[str, ...]
    facts: tuple[str, ...]
    kind: str
    root: str
    history: tuple[Turn, ...] = ()
    note: str = ""
    location: str = field(default="", compare=False)


def stem(source: str) -> str:
    """A source path without its document extension: the DOCX and PDF copy of a letter share a stem.

    Only known document extensions are removed, so names with dots of their own
    ("Tussenstand_RES_2.0_West") survive when a gold case writes them without extension.
    """
    lowered = source.lower()
    for suffix in SUPPORTED_SUFFIXES:
        if lowered.endswith(suffix):
            return source[: -len(suffix)]
    return source


def _case(data: Any, where: str) -> GoldCase:
    if not isinstance(data, dict):
        raise GoldFormatError(f"{where}: expected a JSON object")
    missing = [k for k in ("id", "question", "answerable", "kind") if k not in data]
    if missing:
        raise GoldFormatError(f"{where}: missing field(s) {', '.join(missing)}")
    if data["kind"] not in KINDS:
        raise GoldFormatError(f"{where}: kind {data['kind']!r} is not one of {sorted(KINDS)}")
    answerable = data["answerable"]
    if not isinstance(answerable, bool):
        raise GoldFormatError(f"{where}: 'answerable' must be true or false")
    sources, facts = data.get("sources", []), data.get("facts", [])
    if answerable and not sources:
        raise GoldFormatError(f"{where}: an answerable case needs at least one expected source")
    history = data.get("history", [])
    if data["kind"] == "followup" and not history:
        raise GoldFormatError(f"{where}: a followup case needs a history")
    try:
        turns = tuple(Turn(str(t["question"]), str(t.get("answer", ""))) for t in history)
    except (TypeError, KeyError) as exc:
        raise GoldFormatError(f"{where}: history items need a 'question'") from exc
    return GoldCase(
        id=str(data["id"]),
        question=str(data["question"]),
        answerable=answerable,
        sources=tuple(stem(str(s)) for s in sources),
        facts=tuple(str(f) for f in facts),
        kind=str(data["kind"]),
        root=str(data.get("root", "data")),
        history=turns,
        note=str(data.get("note", "")),
        location=where,
    )


def load_gold(path: Path = GOLD_DIR) -> list[GoldCase]:
    """All cases of a JSONL file, or of every ``*.jsonl`` in a folder; ids must be unique."""
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    cases: list[GoldCase] = []
    seen: dict[str, str] = {}
    for file in files:
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip() or line.lstrip().startswith("//"):
                continue
            where = f"{file}:{number}"
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                raise GoldFormatError(f"{where}: invalid JSON ({exc.msg})") from exc
            case = _case(data, where)
            if case.id in seen:
                raise GoldFormatError(f"{where}: duplicate id {case.id!r} (first at {seen[case.id]})")
            seen[case.id] = where
            cases.append(case)
    if not cases:
        raise GoldFormatError(f"{path}: no gold cases found")
    return cases
