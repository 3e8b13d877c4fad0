"""What kind of answer a question asks for, and whether a sentence holds one.

A near miss ("Welk bedrag heeft het kabinet toegekend?" where the archive discusses the topic but never
names the amount) retrieves the right topic; what it lacks is the asked fact. So the gate also asks:
does a sentence that matches the question hold an answer of the asked kind: an amount, a date, a
person or organisation, a role, a place, a reason, a number or percentage, or the full form of an
abbreviation? Pure
functions over text, with the glossary for abbreviations.
"""

from __future__ import annotations

import re

from assistant.core.dates import MONTH_NAMES
from assistant.rag.glossary import Glossary


def _any(*patterns: str, flags: int = 0) -> re.Pattern[str]:
    """One pattern matching any of ``patterns`` (each a regular expression)."""
    return re.compile("|".join(f"(?:{p})" for p in patterns), flags)


_MONEY_NOUNS = r"bedrag|tekort|budget|kosten|bijdrage|compensatie|subsidie|investering|geld|euro|inkomsten"

#: Question patterns, first match wins (Dutch; matched on the lower-cased question).
_ASKED: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("abbreviation", _any(
        r"\bwaar staat\b.*\bvoor\b", r"\bwat betekent\b", r"\bvoluit\b", r"\bwat is de afkorting\b",
        r"\been afkorting\b",
    )),
    ("percentage", _any(
        r"\bhoeveel procent\b", r"\bwelk percentage\b", r"\bwelk deel\b.*%", r"\bwelk aandeel\b",
    )),
    ("amount", _any(
        rf"\b(welk|welke|wat is het|hoe ?groot is het|hoe hoog is het)\s+({_MONEY_NOUNS})\b",
        r"\bhoeveel (geld|euro|miljoen|miljard|middelen|kost|kosten|inkomsten|minder|meer|subsidie|tekort)\b",
        rf"\bhoe(veel| hoog)\b.*\b({_MONEY_NOUNS})\b",
    )),
    ("year", _any(r"\bin welk jaar\b", r"\bvanaf welk jaar\b", r"\btot welk jaar\b")),
    ("date", _any(
        r"\bwanneer\b", r"\bop welke datum\b", r"\bwelke datum\b", r"\bper wanneer\b",
        r"\bvan welke datum\b",
    )),
    ("reason", _any(
        r"\bwaarom\b", r"\bom welke reden\b", r"\bwat is de reden\b", r"\bwaardoor\b", r"\bhoe komt het\b",
        r"\bwat is de aanleiding\b",
    )),
    ("person", _any(
        r"\bwie\b", r"\bnamens wie\b",
        r"\bwelke (minister|staatssecretaris|persoon|gedeputeerde|organisatie|partij|bewindspersoon)\b",
    )),
    # "Welke functie heeft X?": a role, standing next to the name; "wie ... en in welke functie" is a person.
    ("role", _any(r"\bwelke (functie|rol)\b", r"\bwat is (de|zijn|haar) (functie|rol)\b", r"\bwat doet\b")),
    ("place", _any(r"\bwaar\b(?!.*\bvoor\b)", r"\b(in )?welke (provincie|gemeente|plaats|stad|regio)\b")),
    ("count", _any(r"\bhoeveel\b")),
)  # fmt: skip

_MONTH = "|".join(MONTH_NAMES)
_NUMBER_WORDS = r"twee|drie|vier|vijf|zes|zeven|acht|negen|tien|twaalf|honderd|duizend"
_HAS: dict[str, re.Pattern[str]] = {
    # Money: a euro sign, "euro", or millions and billions. A percentage is no answer to "hoeveel geld".
    "amount": _any(r"€\s?\d", r"\d+(?:[.,]\d+)?\s*(?:miljoen|miljard|mln|mld|euro)", r"\beuro\b",
                   flags=re.IGNORECASE),
    "percentage": _any(r"\d+(?:[.,]\d+)?\s*(?:%|procent)", flags=re.IGNORECASE),
    "role": _any(
        r"\b(?:wethouder|burgemeester|gedeputeerde|minister|staatssecretaris|directeur|voorzitter|secretaris|"
        r"adviseur|medewerker|raadslid|statenlid|kamerlid|ambtenaar|projectleider|programmamanager|manager|"
        r"strateeg|woordvoerder|griffier|commissaris|coördinator|hoofd|lid|bestuurder|portefeuillehouder)",
        flags=re.IGNORECASE,
    ),
    # A day or a month: "wanneer" asks for more than a year, and a bare year is in almost every sentence
    # ("Werkplan 2024-2027"). "In welk jaar" asks for a year (kind ``year``).
    "date": _any(rf"\b\d{{1,2}}\s+(?:{_MONTH})\b", rf"\b(?:{_MONTH})\s+(?:19|20)\d{{2}}\b",
                 r"\b\d{1,2}[-/.]\d{1,2}[-/.](?:19|20)\d{2}\b", flags=re.IGNORECASE),
    "year": _any(r"\b(?:19|20)\d{2}\b"),
    "reason": _any(
        r"\b(omdat|doordat|want|daardoor|vanwege|reden|zodat|waardoor|oorzaak|dankzij|noodzakelijk|nodig)\b",
        r"\b(als|ten) gevolge van\b", r"\bom\s+\w+(?:\s+\w+){0,6}\s+te\b",
        r"(?:^|[,;:]\s*)gezien\b",  # causal "gezien" ("Trend keren, gezien het leed"), not "heeft gezien"
        flags=re.IGNORECASE,
    ),
    "person": _any(
        r"\b[A-Z][a-zà-ÿ]+\s+(?:(?:van|de|der|den|ter|ten)\s+)*[A-Z][a-zà-ÿ]+\b",
        r"\b(?:[A-Z]\.){1,4}\s?[A-Z][a-zà-ÿ]+",
        r"\b(?:minister|staatssecretaris|gedeputeerde|voorzitter|directeur|kabinet|provincies?|gemeenten?)\b",
        r"\b(?:ministerie|IPO|Rijk|Tweede Kamer|Eerste Kamer|Gedeputeerde Staten|Provinciale Staten)\b",
    ),
    "place": _any(r"\b(?:in|te|bij|naar|uit)\s+[A-Z][a-zà-ÿ]+", r"\b(?:provincie|gemeente)\s+[A-Z]"),
    "count": _any(r"\b\d+\b", rf"\b(?:{_NUMBER_WORDS})\b", flags=re.IGNORECASE),
}  # fmt: skip


def asked_type(question: str) -> str:
    """The kind of answer ``question`` asks for: one of the keys above, or ``other``."""
    lowered = question.lower()
    for kind, pattern in _ASKED:
        if pattern.search(lowered):
            return kind
    return "other"


#: Where a question's second part starts: ", en wanneer ...", "en welk aandeel ...".
_SECOND_PART = re.compile(
    r",?\s+en\s+(?=(?:welk|welke|wanneer|hoeveel|wie|waar|waarom|hoe|wat|in welke|op welke|van welke)\b)"
)


def asked_types(question: str) -> list[str]:
    """Every kind of answer a question asks for, the whole question's first, then each part's.

    "Om hoeveel geld gaat het, en welk aandeel van de omzet is dat?" asks for a percentage and an amount.
    ``other`` only when nothing else is asked.
    """
    kinds = [asked_type(question), *(asked_type(part) for part in _SECOND_PART.split(question.lower()))]
    specific = [k for k in dict.fromkeys(kinds) if k != "other"]
    return specific or ["other"]


def abbreviation_asked(question: str, glossary: Glossary | None) -> str | None:
    """The abbreviation an "waar staat X voor?" question asks about, if the question names one."""
    for word in re.findall(r"[A-Za-z][\w&-]*", question):
        word = str(word)
        letters = [c for c in word if c.isalpha()]
        if len(letters) >= 2 and sum(c.isupper() for c in letters) >= 2:
            return word
    if glossary is not None:
        terms = glossary.mentioned(question)
        if terms:
            return str(terms[0].abbreviation)
    return None


def holds_answer(
    sentence: str, kind: str, *, abbreviation: str | None = None, glossary: Glossary | None = None
) -> bool:
    """Whether ``sentence`` holds an answer of ``kind`` (``other`` always does).

    For an abbreviation, the sentence must spell out what it stands for: the glossary's full form, or
    the abbreviation next to words in brackets ("Studenten Reis Product (SRP)").
    """
    if kind == "other":
        return True
    if kind == "abbreviation":
        if not abbreviation:
            return False
        if glossary is not None:
            for term in glossary.lookup(abbreviation):
                if term.abbreviation.lower() == abbreviation.lower():
                    forms = (term.term, *term.aliases)
                    if any(form.lower() in sentence.lower() for form in forms):
                        return True
        escaped = re.escape(abbreviation)
        return (
            re.search(rf"\({escaped}\)|{escaped}\s*\((?:[^)]{{6,}})\)|{escaped}\s*[:=-]\s*[A-Z]", sentence)
            is not None
        )
    return _HAS[kind].search(sentence) is not None
