"""The gold set: loading and validating ``eval/gold/*.jsonl`` (format in ``eval/gold/README.md``)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.core.answers import Turn
from ingest.loaders import SUPPORTED_SUFFIXES

GOLD_DIR = Path(__file__).resolve().parent / "gold"
KINDS = {"fact", "timeline", "followup", "refusal", "lookup"}
#: The question type of a case (optional): what the question asks for, finer than ``kind``.
TYPES = {"abbreviation", "who", "amount", "when", "why", "what", "lookup", "timeline", "followup"}
#: The two halves: everything is tuned on ``dev``; every figure is reported on ``test`` (``dev`` beside it).
SPLITS = ("dev", "test")


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
    split: str = ""
    type: str = ""
    #: Figures that must appear newest first (the archive's figure changed over time).
    newest: tuple[str, ...] = ()
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
    missing = [k for k in ("id", "question", "answerable", "kind", "split") if k not in data]
    if missing:
        raise GoldFormatError(f"{where}: missing field(s) {', '.join(missing)}")
    if data["kind"] not in KINDS:
        raise GoldFormatError(f"{where}: kind {data['kind']!r} is not one of {sorted(KINDS)}")
    if data["split"] not in SPLITS:
        raise GoldFormatError(f"{where}: split {data['split']!r} is not one of {list(SPLITS)}")
    if "type" in data and data["type"] not in TYPES:
        raise GoldFormatError(f"{where}: type {data['type']!r} is not one of {sorted(TYPES)}")
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
        split=str(data["split"]),
        type=str(data.get("type", "")),
        newest=tuple(str(f) for f in data.get("newest", [])),
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


def split_cases(cases: Iterable[GoldCase], split: str | None) -> list[GoldCase]:
    """The cases of one half (``"dev"`` or ``"test"``); ``None`` gives all cases."""
    if split is not None and split not in SPLITS:
        raise ValueError(f"split {split!r} is not one of {list(SPLITS)}")
    return [c for c in cases if split is None or c.split == split]


def assign_splits(cases: Sequence[GoldCase]) -> dict[str, str]:
    """The rule that gave every case its ``split`` (once, before any tuning; see ``gold/README.md``).

    Cases are grouped in strata by (answerable, root, kind, type). Within a stratum they are ordered by
    the SHA-256 of their id and assigned alternately to dev and test. Strata are taken in sorted order,
    and each stratum starts with the half that so far holds fewer cases with the same ``answerable``
    value (dev on a tie), so odd strata do not all tip the same way. The result depends only on the
    ids, ``answerable``, ``root``, ``kind`` and ``type``, never on evaluation results.
    """
    strata: dict[tuple[bool, str, str, str], list[str]] = {}
    for case in cases:
        strata.setdefault((case.answerable, case.root, case.kind, case.type), []).append(case.id)
    counts = {(answerable, split): 0 for answerable in (False, True) for split in SPLITS}
    assigned: dict[str, str] = {}
    for key in sorted(strata):
        answerable = key[0]
        first = 0 if counts[answerable, SPLITS[0]] <= counts[answerable, SPLITS[1]] else 1
        ordered = sorted(strata[key], key=lambda i: hashlib.sha256(i.encode("utf-8")).hexdigest())
        for position, case_id in enumerate(ordered):
            split = SPLITS[(first + position) % 2]
            assigned[case_id] = split
            counts[answerable, split] += 1
    return assigned
