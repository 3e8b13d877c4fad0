"""Document type: brief, kamerbrief, nota, verslag, presentatie, ... (one of ``DOC_TYPES``).

The type lets users filter and decides how a document is titled. The evidence a person left comes
first (an explicit 'Documenttype:' line, the file name), then banners and opening words, then the
shape of the document (a letter, slides); :func:`classify_doc_type` states the precedence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePath

from assistant.core.records import DOC_TYPES

from .lines import normalise_lines

#: File-name keywords, first match wins (the name is a deliberate human label). Matched on the
#: lower-cased stem with '_', '-' and '.' read as spaces. 'circulaire economie' is a topic, not a type.
_FILENAME_TYPE_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bformat\b|formulier\b|\bsjabloon\b|\btemplate\b"), "formulier"),
    (re.compile(r"\bpersbericht"), "persbericht"),
    (re.compile(r"\b(?:beantwoording|antwoorden?)\b.*\bkamervragen\b|\bkamervragen\b.*\bantwoord"),
     "beantwoording kamervragen"),
    (re.compile(r"\bkamerbrie(?:f|ven)\b"), "kamerbrief"),
    (re.compile(r"\bstatenvoorstel"), "statenvoorstel"),
    (re.compile(r"\bverslag|\bnotulen\b|\bbesluitenlijst\b"), "verslag"),
    (re.compile(r"\bposition ?papers?\b"), "position paper"),
    (re.compile(r"\b(?:advies|gs )?nota\b|\bmemo\b"), "nota"),
    (re.compile(r"\bbeleidsregels?\b"), "beleidsregel"),
    (re.compile(r"\bcirculaire\b(?! economie)"), "circulaire"),
    (re.compile(r"\binbreng\b"), "inbreng"),
    (re.compile(r"\b(?:consultatie)?reactie\b"), "reactie"),
    (re.compile(r"\bpresentatie|\bslides?\b|\bdeck\b"), "presentatie"),
    (re.compile(r"\bbrie(?:f|ven)\b"), "brief"),
)  # fmt: skip

#: Answers to parliamentary questions, by their opening words or subject line.
_ANSWERS_RE = re.compile(r"^(?:Beantwoording|Antwoord(?:en)?)\b.*\b(?:kamer)?vragen\b", re.IGNORECASE)
#: Banners and opening words at the top of a document that name its type.
_TOP_TYPE_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^P\s?E\s?R\s?S\s?B\s?E\s?R\s?I\s?C\s?H\s?T\b", re.I), "persbericht"),
    (re.compile(r"^Statenvoorstel\b", re.I), "statenvoorstel"),
    (_ANSWERS_RE, "beantwoording kamervragen"),
    (re.compile(r"^(?:Verslag|Notulen|Besluitenlijst)\b", re.I), "verslag"),
    (re.compile(r"^Beleidsregels?\b", re.I), "beleidsregel"),
    (re.compile(r"^Circulaire\b", re.I), "circulaire"),
    (re.compile(r"^(?:Advies)?nota\b|^Memo\b", re.I), "nota"),
    (re.compile(r"^Position ?paper\b", re.I), "position paper"),
)  # fmt: skip
#: Opening words of a non-letter that name a lobby product (checked after the letter test, because a
#: letter's subject may well start with 'Inbreng ...').
_TOP_PRODUCT_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(?:IPO[- ])?Inbreng\b", re.I), "inbreng"),
    (re.compile(r"^(?:IPO[- ])?(?:Consultatie)?reactie\b", re.I), "reactie"),
    (re.compile(r"\bposition ?paper\b", re.I), "position paper"),
)
#: Aliases accepted in an explicit 'Documenttype:' line.
_TYPE_ALIASES: dict[str, str] = {
    "adviesnota": "nota", "notitie": "nota", "memo": "nota", "e-mail": "brief", "mail": "brief",
    "kamervragen": "beantwoording kamervragen", "antwoorden kamervragen": "beantwoording kamervragen",
    "presentation": "presentatie", "slides": "presentatie", "notulen": "verslag",
    "positionpaper": "position paper", "consultatiereactie": "reactie", "format": "formulier",
    "sjabloon": "formulier", "template": "formulier",
}  # fmt: skip
_KAMER_RE = re.compile(r"\b(?:Tweede|Eerste) Kamer\b|\bKamer der Staten-Generaal\b", re.IGNORECASE)
_SLIDE_EXTENSIONS = frozenset({".pptx", ".ppt", ".pptm", ".odp", ".key"})


def _normalise_type(value: str) -> str | None:
    low = re.sub(r"\s+", " ", value.lower()).strip(" .:")
    if low in DOC_TYPES:
        return low
    return _TYPE_ALIASES.get(low)


def _filename_words(filename: str) -> str:
    stem = PurePath(filename).stem.lower()
    return re.sub(r"\s+", " ", re.sub(r"[_\-.]+", " ", stem)).strip()


def classify_doc_type(
    filename: str,
    text: str,
    *,
    explicit: str | None = None,
    slides: bool = False,
    letterhead: bool = False,
    addressee: str | None = None,
    onderwerp: str | None = None,
    page_lengths: Sequence[int] = (),
) -> str:
    """Document type (one of :data:`~assistant.core.records.DOC_TYPES`) from the file name and the text.

    Precedence, first hit wins:

    1. ``explicit``: a 'Documenttype: X' line in the text.
    2. Slides: a ``.pptx``-like file or a loader that produced slides -> presentatie.
    3. File-name keywords (Format_ -> formulier, PERSBERICHT, Beantwoording Kamervragen, Kamerbrief,
       Statenvoorstel, Verslag, position paper, (advies)nota, beleidsregel, circulaire, inbreng,
       reactie, presentatie, brief/brieven); a 'brief' addressed to the Kamer is a kamerbrief.
    4. A banner or opening word in the first lines of ``text`` (PERSBERICHT, Statenvoorstel nr.,
       Antwoorden ... op Kamervragen, Verslag, Beleidsregel, Circulaire, NOTA, Position paper).
    5. An onderwerp 'Beantwoording (van) Kamervragen ...' -> beantwoording kamervragen.
    6. Addressed to the Tweede or Eerste Kamer -> kamerbrief.
    7. ``letterhead`` (a salutation or labelled date/kenmerk/onderwerp, see :func:`extract_metadata`)
       -> brief.
    8. Opening words naming a lobby product ('Inbreng ...', 'Reactie ...', 'position paper').
    9. A deck exported to PDF: four or more pages of little text each -> presentatie.
    10. Otherwise 'document'.
    """
    if explicit:
        normalised = _normalise_type(explicit)
        if normalised:
            return normalised
    if slides or PurePath(filename).suffix.lower() in _SLIDE_EXTENSIONS:
        return "presentatie"
    words = _filename_words(filename)
    kamer = bool(addressee and _KAMER_RE.search(addressee))
    for pattern, doc_type in _FILENAME_TYPE_RULES:
        if pattern.search(words):
            return "kamerbrief" if doc_type == "brief" and kamer else doc_type
    top = [ln for ln in normalise_lines(text[:3000]) if ln and not re.fullmatch(r"[\d\s.]+", ln)][:6]
    for line in top:
        for pattern, doc_type in _TOP_TYPE_RULES:
            if pattern.search(line):
                return doc_type
    if onderwerp and _ANSWERS_RE.search(onderwerp):
        return "beantwoording kamervragen"
    if kamer:
        return "kamerbrief"
    if letterhead:
        return "brief"
    for line in top[:3]:
        for pattern, doc_type in _TOP_PRODUCT_RULES:
            if pattern.search(line):
                return doc_type
    if len(page_lengths) >= 4:
        ordered = sorted(page_lengths)
        if ordered[len(ordered) // 2] < 600:
            return "presentatie"
    return "document"
