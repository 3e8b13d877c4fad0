"""Anchors: the names, abbreviations and years a question hinges on, and whether the archive has them.

A near miss often shares its topic with the archive and differs in one specific word: "Hoeveel
windturbines staan er in Drenthe?" (the archive is about Overijssel), "de eigen begroting van het IPO
voor 2025", "de motie Krul". Topical similarity and word coverage stay high, so the gate answers with
loosely related quotes. A question whose anchor appears in none of the retrieved documents cannot be
answered from them, whatever else they share; this check costs a string search.

Anchors are years, abbreviations (two or more capitals: "NPLG", "H3b" is not, "OC&W" is) and
capitalised words inside the sentence (names, places, laws). Words that are capitalised in every
question about this archive (IPO, Rijk, Kamer, minister...) are not anchors, nor are the capitalised
parts of compounds ("NDS-brief" anchors on "NDS" only). Adjectives of places ("Overijsselse") anchor
on the place. The rules were set on the development half of the gold set. Pure functions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.core.records import Hit
from assistant.core.tokens import fold_accents
from assistant.rag.glossary import Glossary

#: Capitalised in questions about this archive without naming anything specific.
GENERIC = frozenset(
    {
        "IPO",
        "Rijk",
        "Rijksoverheid",
        "Kamer",
        "Tweede",
        "Eerste",
        "Kabinet",
        "Provincies",
        "Provincie",
        "Gedeputeerde",
        "Staten",
        "Provinciale",
        "Minister",
        "Staatssecretaris",
        "Nederland",
        "Den",
        "Haag",
    }
)
#: Parliamentary genre nouns written with a capital ("Kamerbrief", "Commissievoorstel").
_GENRE_PREFIXES = ("Kamer", "Commissie")
_YEAR = re.compile(r"(?:19|20)\d\d")
_WORD = re.compile(r"[\w&]+(?:-[\w&]+)*")


def _is_abbreviation(part: str) -> bool:
    letters = [c for c in part if c.isalpha()]
    return len(letters) >= 2 and sum(c.isupper() for c in letters) >= 2


def anchors(question: str) -> list[str]:
    """The question's anchors, in order, without repeats."""
    found: list[str] = []
    for match in _WORD.finditer(question):
        word, before = match.group(), question[: match.start()].rstrip()
        # A sentence's first word is capitalised for that reason alone ("Noem de momenten.").
        starts_sentence = not before or before[-1] in ".?!:;\"'(“‘"
        parts = word.split("-")
        for index, part in enumerate(parts):
            if _YEAR.fullmatch(part) or (_is_abbreviation(part) and part not in GENERIC):
                found.append(part)
            elif (
                not starts_sentence
                and index == 0
                and len(parts) == 1
                and len(part) > 2
                and part[0].isupper()
                and part not in GENERIC
                and not part.startswith(_GENRE_PREFIXES)
            ):
                found.append(part[:-2] if len(part) > 7 and part.endswith("se") else part)
    return list(dict.fromkeys(found))


def _normal(text: str) -> str:
    return fold_accents(text).lower()


_JOINERS = re.compile(r"[&.\-]")


def _compact(text: str) -> str:
    """Lower case without the joiners abbreviations are spelled with: "OC&W", "O.C.W." and "OCW" agree."""
    return _JOINERS.sub("", _normal(text))


def missing_anchors(question: str, hits: Sequence[Hit], glossary: Glossary | None = None) -> tuple[str, ...]:
    """The anchors of ``question`` that no hit holds in its title or text.

    An abbreviation is found in any of its spellings ("OCW" in "OC&W") and, with ``glossary``, in any of
    its forms ("OCW" in "Onderwijs, Cultuur en Wetenschap").
    """
    wanted = anchors(question)
    if not wanted or not hits:
        return ()
    text = _normal(" ".join(f"{h.title} {h.text}" for h in hits))
    compact = _JOINERS.sub("", text)

    def present(anchor: str) -> bool:
        if _normal(anchor) in text:
            return True
        if not _is_abbreviation(anchor):
            return False
        if _compact(anchor) in compact:
            return True
        forms = [f for t in (glossary.lookup(anchor) if glossary else []) for f in t.forms]
        return any(_compact(anchor) == _compact(t) for t in forms) and any(_normal(f) in text for f in forms)

    return tuple(a for a in wanted if not present(a))
