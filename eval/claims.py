"""The claim-level citation check measured on ``eval/claims`` (``lobby eval --claims``).

Each case is an answer sentence with the passage it cites and that document's metadata; the check must
reject the wrong-but-plausible sentences (a name, role, amount, date or place swapped between two real
source sentences) and accept the true quotes and paraphrases. Figures are per half: the rules of
:class:`assistant.rag.claims.Rules` were chosen on ``dev``; ``test`` is what they are reported on.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.core.records import Hit
from assistant.rag.citations import document_facts
from assistant.rag.claims import MIN_COVERAGE, Support, support
from assistant.rag.glossary import load_glossary

CLAIMS_FILE = Path(__file__).resolve().parent / "claims" / "claims.jsonl"


@dataclass(frozen=True, slots=True)
class ClaimCase:
    """One sentence of the claims set (see ``eval/claims/README.md`` for the fields)."""

    id: str
    source: str
    passage: str
    meta: dict[str, str]
    sentence: str
    supported: bool
    kind: str
    split: str


def load_claims(path: Path = CLAIMS_FILE) -> list[ClaimCase]:
    """Every case of the claims set, in file order; a malformed line raises ``ValueError`` naming it."""
    fields = ("id", "source", "passage", "meta", "sentence", "supported", "kind", "split")
    cases: list[ClaimCase] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            cases.append(ClaimCase(**{f: row[f] for f in fields}))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{number}: no JSON ({exc.msg})") from exc
        except KeyError as exc:
            raise ValueError(f"{path}:{number}: missing field {exc}") from exc
    return cases


def check(case: ClaimCase) -> Support:
    """What the product's check says of the case's sentence, given its passage and document metadata."""
    meta: dict[str, Any] = {"source": case.source, **{k: v for k, v in case.meta.items() if v}}
    hit = Hit("claim", case.passage, 1.0, meta)
    return support(case.sentence, hit.text, document_facts(hit), glossary=load_glossary())


def _why(found: Support) -> str:
    """Which rule decided, in a few words (for the failure list)."""
    if not found.ok(MIN_COVERAGE):
        reasons = [
            *([] if found.numbers_ok else ["getal niet in de bronzin"]),
            *([] if found.anchors_ok else ["naam, rol of actor niet in de bronzin"]),
            *([f"woorden uit een andere zin: {', '.join(found.borrowed)}"] if found.borrowed else []),
            *([f"dekking {found.coverage:.2f}"] if found.coverage < MIN_COVERAGE else []),
        ]
        return "; ".join(reasons)
    return f"aanvaard op: {found.quote[:160]}"


def evaluate_claims(cases: list[ClaimCase]) -> dict[str, Any]:
    """Per half: the share of wrong sentences rejected, of true ones accepted, and every miss."""
    halves: dict[str, Any] = {}
    for split in sorted({c.split for c in cases}):
        rows = [(c, check(c)) for c in cases if c.split == split]
        wrong = [(c, f) for c, f in rows if not c.supported]
        true = [(c, f) for c, f in rows if c.supported]
        misses = [(c, f) for c, f in rows if f.ok(MIN_COVERAGE) != c.supported]
        halves[split] = {
            "wrong": len(wrong),
            "wrong_rejected": sum(not f.ok(MIN_COVERAGE) for _, f in wrong) / len(wrong) if wrong else None,
            "true": len(true),
            "true_accepted": sum(f.ok(MIN_COVERAGE) for _, f in true) / len(true) if true else None,
            "missed_by_kind": dict(Counter(c.kind for c, _ in misses)),
            "failures": [
                {"id": c.id, "kind": c.kind, "sentence": c.sentence, "why": _why(f)} for c, f in misses
            ],
        }
    return {"claims": len(cases), "splits": halves, "min_coverage": MIN_COVERAGE}
