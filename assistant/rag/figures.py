"""Dated figures: when the archive gives different amounts on different dates, the newest leads.

Advisors quote amounts in letters; an answer that puts September's "€ 75 mln" above November's
"€ 200 miljoen" without saying which is newer invites quoting a superseded figure. When the supported
sentences of an answer name amounts from documents of different dates and the amounts differ, the
sentences are ordered newest document first and a derived line lists the amounts per date. Whether two
amounts are about the same thing (the whole OV-sector against decentral OV) is not something word
matching can decide, so the line says so instead of claiming that one figure replaced the other.
Pure functions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.core.answers import CheckedSentence
from assistant.core.dates import format_date
from assistant.core.records import Hit

#: An amount of money: "€ 75 mln", "€200 miljoen", "110 miljoen", "1,2 miljard euro".
AMOUNT = re.compile(
    r"€\s?\d+(?:[.,]\d+)*(?:\s*(?:mld|mln|miljoen|miljard)\b)?"
    r"|\b\d+(?:[.,]\d+)*\s*(?:mld|mln|miljoen|miljard)\b(?:\s*euro\b)?",
    re.IGNORECASE,
)


def amounts_in(text: str) -> list[str]:
    """The amounts of money named in ``text``, in order, whitespace-collapsed, without repeats."""
    return list(dict.fromkeys(" ".join(m.split()) for m in AMOUNT.findall(text)))


@dataclass(frozen=True)
class DatedFigure:
    """The amounts one dated source gives in the answer, and that source's number."""

    date: str
    n: int
    amounts: tuple[str, ...]


def _date_of(sentence: CheckedSentence, sources: Sequence[Hit]) -> str:
    numbers = sentence.verified or sentence.added
    dates = [sources[n - 1].date or "" for n in numbers if 0 < n <= len(sources)]
    return max(dates, default="")


def dated_figures(checked: Sequence[CheckedSentence], sources: Sequence[Hit]) -> list[DatedFigure]:
    """Per dated source, the amounts its supported answer sentences name (newest source first)."""
    found: dict[int, list[str]] = {}
    for sentence in checked:
        if not sentence.supported:
            continue
        amounts = amounts_in(sentence.text)
        for n in sentence.verified or sentence.added:
            if amounts and 0 < n <= len(sources) and sources[n - 1].date:
                found.setdefault(n, []).extend(a for a in amounts if a not in found.get(n, []))
    figures = [DatedFigure(str(sources[n - 1].date), n, tuple(a)) for n, a in found.items()]
    return sorted(figures, key=lambda f: (f.date, -f.n), reverse=True)


def figures_differ(figures: Sequence[DatedFigure]) -> bool:
    """True when at least two dates give amounts and the amounts are not the same."""
    by_date: dict[str, set[str]] = {}
    for figure in figures:
        by_date.setdefault(figure.date, set()).update(figure.amounts)
    return len(by_date) >= 2 and len({frozenset(a) for a in by_date.values()}) >= 2


def newest_first(checked: Sequence[CheckedSentence], sources: Sequence[Hit]) -> list[CheckedSentence]:
    """The sentences ordered by their source's date, newest first (stable; undated sentences last)."""
    return sorted(checked, key=lambda s: _date_of(s, sources) or "0000", reverse=True)


def figures_note(figures: Sequence[DatedFigure]) -> str:
    """One derived line listing the amounts per date, newest first ("" when they do not differ)."""
    if not figures_differ(figures):
        return ""
    parts = [f"{format_date(f.date)}: {', '.join(f.amounts)} [{f.n}]" for f in figures]
    return (
        "Bedragen naar datum (nieuwste eerst): " + "; ".join(parts)
        + ". Na te gaan of het om hetzelfde bedrag gaat; het nieuwste staat bovenaan."
    )  # fmt: skip
