"""The glossary of IPO and public-administration abbreviations, and query expansion with it.

Advisors write "SRP" where a letter says "Studenten Reis Product", and the reverse. Expanding the
query both ways lets both BM25 and the embedding find either form. The entries are data
(``assistant/resources/glossary.toml``), shown to users by ``lobby woordenlijst``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.core.tokens import fold_accents

GLOSSARY_FILE = Path(__file__).resolve().parent.parent / "resources" / "glossary.toml"


@dataclass(frozen=True, slots=True)
class Term:
    """One abbreviation with its full form, other spellings and an optional explanation."""

    abbreviation: str
    term: str
    aliases: tuple[str, ...] = ()
    note: str = ""

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.abbreviation, self.term, *self.aliases)


@dataclass(frozen=True, slots=True)
class Glossary:
    terms: tuple[Term, ...]

    def lookup(self, text: str) -> list[Term]:
        """Terms whose abbreviation, full form or alias matches ``text`` (case/accent-insensitive)."""
        key = fold_accents(text.strip())
        exact = [t for t in self.terms if any(fold_accents(f) == key for f in t.forms)]
        if exact:
            return exact
        return [t for t in self.terms if any(key in fold_accents(f) for f in t.forms)]

    def mentioned(self, text: str) -> list[Term]:
        """Terms any form of which occurs in ``text`` as whole words.

        Abbreviations match case-sensitively ("PS" is Provinciale Staten, "ps" is not), except those
        that are written in lower case in the glossary itself (e.g. "bbp").
        """
        folded = fold_accents(text)
        found: list[Term] = []
        for term in self.terms:
            if _contains(text, term.abbreviation, case=not term.abbreviation.islower()) or any(
                _contains(folded, fold_accents(form), case=False) for form in (term.term, *term.aliases)
            ):
                found.append(term)
        return found

    def expand(self, query: str) -> str:
        """The query plus the other forms of every term it mentions (the expansion goes both ways)."""
        extra: list[str] = []
        folded = fold_accents(query)
        for term in self.mentioned(query):
            for form in term.forms:
                if fold_accents(form) not in folded and form not in extra:
                    extra.append(form)
        return f"{query} ({'; '.join(extra)})" if extra else query


def _contains(haystack: str, needle: str, *, case: bool) -> bool:
    flags = 0 if case else re.IGNORECASE
    return re.search(rf"(?<![\w&]){re.escape(needle)}(?![\w&])", haystack, flags) is not None


def parse_glossary(data: dict[str, dict[str, object]]) -> Glossary:
    """Build a glossary from the TOML structure; raises ``ValueError`` naming a malformed entry."""
    terms: list[Term] = []
    for abbreviation, entry in data.items():
        term = entry.get("term")
        aliases = entry.get("aliases", [])
        if not isinstance(term, str) or not isinstance(aliases, list):
            raise ValueError(f"glossary entry {abbreviation!r} needs a string 'term' and a list 'aliases'")
        terms.append(Term(abbreviation, term, tuple(str(a) for a in aliases), str(entry.get("note", ""))))
    return Glossary(tuple(terms))


@lru_cache(maxsize=4)
def load_glossary(path: Path = GLOSSARY_FILE) -> Glossary:
    """The glossary from its TOML file (cached: it is read once per process)."""
    with path.open("rb") as fh:
        return parse_glossary(tomllib.load(fh))


def format_terms(terms: Iterable[Term]) -> list[str]:
    """One Dutch line per term for display."""
    lines = []
    for t in terms:
        aliases = f" (ook: {', '.join(t.aliases)})" if t.aliases else ""
        note = f" — {t.note}" if t.note else ""
        lines.append(f"{t.abbreviation}: {t.term}{aliases}{note}")
    return lines
