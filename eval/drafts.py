"""Drafting evaluation: sourced paragraphs, gap-report recall, the newest line, wall time per draft.

Each subject (``eval/drafts/subjects.jsonl``) names a template and a subject, points the archive
supports (``supported``: they must be drafted, not reported as gaps), points it does not (``missing``:
each must land in the gap report; they come from the gold set's near misses, whose absence was checked),
and, where the archive's figure changed, ``newest``: figures that must appear newest first. The points
are passed as the advisor's own points (``lobby draft --punt``). Subjects carry a ``split`` like the gold
set: the drafting thresholds are set on ``dev``, figures are reported on ``test``.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.core.drafts import Draft
from assistant.core.records import Scope
from assistant.core.settings import Settings
from assistant.rag.citations import normalise_for_match
from assistant.rag.draft_templates import find_template
from assistant.rag.drafting import POINTS_TITLE, Drafter, DraftOptions
from assistant.rag.retrieval import Retriever
from assistant.services.wiring import build_answerer
from eval.runner import eval_roots, eval_settings, prepare_index

SUBJECTS = Path(__file__).resolve().parent / "drafts" / "subjects.jsonl"


@dataclass(frozen=True, slots=True)
class Subject:
    """One drafting case."""

    id: str
    split: str
    root: str
    template: str
    subject: str
    supported: tuple[str, ...]
    missing: tuple[str, ...]
    newest: tuple[str, ...] = ()
    addressee: str = ""
    minutes: float | None = None


def load_subjects(path: Path = SUBJECTS) -> list[Subject]:
    """The drafting cases of a JSONL file."""
    subjects = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        data = json.loads(line)
        try:
            subjects.append(
                Subject(
                    id=str(data["id"]),
                    split=str(data["split"]),
                    root=str(data["root"]),
                    template=str(data["template"]),
                    subject=str(data["subject"]),
                    supported=tuple(data.get("supported", ())),
                    missing=tuple(data.get("missing", ())),
                    newest=tuple(data.get("newest", ())),
                    addressee=str(data.get("addressee", "")),
                    minutes=float(data["minutes"]) if data.get("minutes") else None,
                )
            )
        except KeyError as exc:
            raise ValueError(f"{path}:{number}: missing field {exc}") from exc
    return subjects


def body_text(draft: Draft) -> str:
    """The draft's paragraphs and notes, in order (what a reader reads as the draft's claims)."""
    return "\n".join(f"{p.text}\n" + "\n".join(p.notes) for p in draft.paragraphs())


def newest_line(draft: Draft, figures: Sequence[str]) -> bool:
    """Whether the draft follows the newest line on a figure that changed (newest = ``figures[0]``).

    The newest figure is in the draft, and every paragraph that gives an older one names the newer one
    too: before it, or in a note (amounts per date, a "Let op" flag).
    """
    newest, older = normalise_for_match(figures[0]), [normalise_for_match(f) for f in figures[1:]]
    if newest not in normalise_for_match(body_text(draft)):
        return False
    for paragraph in draft.paragraphs():
        text, notes = normalise_for_match(paragraph.text), normalise_for_match(" ".join(paragraph.notes))
        for figure in older:
            if figure in text and not (newest in notes or -1 < text.find(newest) < text.find(figure)):
                return False
    return True


def score(subject: Subject, draft: Draft) -> dict[str, Any]:
    """The figures of one draft against its subject."""
    gaps = {g.ask for g in draft.gaps if g.section == POINTS_TITLE}
    found = [a for a in subject.missing if a in gaps]
    lost = [a for a in subject.supported if a in gaps]
    return {
        "id": subject.id,
        "split": subject.split,
        "template": subject.template,
        "paragraphs": len(draft.paragraphs()),
        "verified_share": draft.verified_share(),
        # With a model: the share of paragraphs in its own words (the rest fell back to quoted sentences).
        "model_share": (
            sum(p.origin == "model" for p in draft.paragraphs()) / len(draft.paragraphs())
            if draft.paragraphs()
            else None
        ),
        "gap_recall": len(found) / len(subject.missing) if subject.missing else None,
        "false_gaps": len(lost) / len(subject.supported) if subject.supported else None,
        "newest_first": newest_line(draft, subject.newest) if subject.newest else None,
        "sources": len(draft.sources),
        "gaps": [g.to_json() for g in draft.gaps],
        "seconds": round(draft.timings.get("total", 0.0), 2),
    }


def _mean(values: Sequence[float | bool | None]) -> float | None:
    present = [float(v) for v in values if v is not None]
    return sum(present) / len(present) if present else None


def summarize(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Averages over drafts (each draft weighs the same); wall time as median seconds per draft."""
    return {
        "drafts": len(rows),
        "verified_paragraph_share": _mean([r["verified_share"] for r in rows]),
        "model_paragraph_share": _mean([r["model_share"] for r in rows]),
        "gap_recall": _mean([r["gap_recall"] for r in rows]),
        "false_gap_rate": _mean([r["false_gaps"] for r in rows]),
        "newest_first": _mean([r["newest_first"] for r in rows]),
        "median_seconds": statistics.median(r["seconds"] for r in rows) if rows else None,
    }


def evaluate_drafts(
    settings: Settings,
    subjects: Sequence[Subject],
    *,
    shared: Path | None,
    llm: str | None = None,
    options: DraftOptions | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> dict[str, Any]:
    """Index the evaluation archive, draft every subject whose root is present, and score the drafts."""
    settings = eval_settings(settings)
    roots = eval_roots(shared)
    runnable = [s for s in subjects if s.root in roots]
    index, _ = prepare_index(settings, roots)
    answerer = build_answerer(settings, index=index, llm=llm)
    retriever: Retriever = answerer.retriever
    drafter = Drafter(retriever, answerer.generator, options=options or DraftOptions())
    rows = []
    for number, subject in enumerate(runnable, start=1):
        template = find_template(subject.template).scaled(subject.minutes)
        points = subject.supported + subject.missing
        draft = drafter.draft(
            template, subject.subject, scope=Scope.full(), addressee=subject.addressee, points=points
        )
        rows.append(score(subject, draft))
        if progress:
            progress(number, len(runnable), subject.id)
    return {
        "backend": drafter.backend if llm is None else llm,
        "summary": summarize(rows),
        "splits": {split: summarize([r for r in rows if r["split"] == split]) for split in ("test", "dev")},
        "drafts": rows,
        "skipped": [s.id for s in subjects if s.root not in roots],
    }
