"""Title: the opening heading of a document, a meaningful format title, or one made from the file name.

Many documents open with page numbers, banners ('PERSBERICHT'), datelines and letterhead labels
before (or instead of) a heading, and format properties hold template titles ('PowerPoint-
presentatie'); these helpers find a title a person would give the document. Which source wins is
decided in :func:`~ingest.metadata.extract.extract_metadata`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePath

from .dates import dateline_date
from .labels import starts_with_label
from .lines import POSTBUS_RE, POSTCODE_RE, SALUTATION_RE, continues, is_contact_line

#: Page markers and numbers that open many pages ('1', 'Pagina 1 van 7', '1 van 6', '2 | AI ...').
_PAGE_MARKER_RE = re.compile(r"^(?:pagina\s*)?\d{1,3}(?:\s*(?:van|/)\s*\d{1,3})?$", re.IGNORECASE)
#: A banner printed with spaced letters ('P E R S B E R I C H T').
_SPACED_BANNER_RE = re.compile(r"^(?:\w ){3,}\w$")
#: Banners that name a type rather than the document ('PERSBERICHT', 'NOTA GS-MANDAAT', 'Concept'), and
#: generic section headings that open a part, not the document ('Inhoud', 'Toelichting').
_BANNER_RE = re.compile(
    r"^(?:persbericht|nota\b.*|concept|vertrouwelijk|openbaar|bijlage\s*\w*|inhoud|inhoudsopgave|"
    r"toelichting|inleiding|samenvatting|voorwoord|colofon|agenda)\W*$",
    re.IGNORECASE,
)
#: Meaningless format titles ('-', 'PowerPoint-presentatie', 'Microsoft Word - x.docx', 'x.xlsx').
_BAD_PROPERTY_TITLE_RE = re.compile(
    r"^(?:[-_.\s]*|untitled|naamloos|document\d*|presentatie\d*|powerpoint[- ]presentatie|titel|title|"
    r"microsoft (?:word|powerpoint|excel).*|.*\.(?:docx?|pptx?|xlsx?|pdf|odt|txt))$",
    re.IGNORECASE,
)
#: Document types whose subject line is their title.
SUBJECT_TITLED = frozenset(
    {"brief", "kamerbrief", "beantwoording kamervragen", "nota", "statenvoorstel", "reactie", "inbreng"}
)
#: A sentence boundary inside a candidate heading: a word of two or more letters and a period, or
#: a period followed by a new capitalised word ('... 3.3.2. Rangschikking'); 'd.d.' and 'E.E.W.
#: Bruins' are not.
_SENTENCE_END_RE = re.compile(r"[^\W\d_]{2,}\.(?:\s|$)|(?<![A-Z])\.\s+[A-Z][a-z]|\.$")
#: A name with initials ('D.M. van Weel', 'Drs. F.Z. Szabó'): a signature, not a title.
_INITIALS_RE = re.compile(r"^(?:(?:Drs|Dr|Mr|Ir|Prof)\.\s*)?(?:[A-Z]\.){1,5}\s")
#: A leading date prefix in a file name ('240528_', '2024-11-05_', '240320_240328_').
_FILENAME_PREFIX_RE = re.compile(r"^(?:(?:\d{6}|\d{8}|\d{4}-\d{2}-\d{2})[_\s-]+)+")


def title_from_filename(filename: str) -> str:
    """A readable title from a file name: '240528_Brief_aan_PS.pdf' -> 'Brief aan PS'.

    The date prefix is dropped and underscores read as spaces; dashes too, but only in names without
    spaces, where they separate words rather than join compounds ('OV-voorzieningenniveau').
    """
    stem = PurePath(filename).stem
    stripped = _FILENAME_PREFIX_RE.sub("", stem) or stem
    words = stripped.replace("_", " ")
    if " " not in words.strip():
        words = words.replace("-", " ")
    return re.sub(r"\s+", " ", words).strip() or stem


def _is_title_line(line: str) -> bool:
    """Whether a line could open a title (not a number, date, label, address, banner or fragment)."""
    if len(line) < 4 or _PAGE_MARKER_RE.match(line) or _SPACED_BANNER_RE.match(line):
        return False
    if _BANNER_RE.match(line) or starts_with_label(line) or POSTCODE_RE.match(line) or POSTBUS_RE.match(line):
        return False  # (a street-like line may be a title: 'Burgerlijk Wetboek Boek 1')
    if "|" in line or line.endswith(":"):
        return False  # a table row or a form field
    if is_contact_line(line) or line.startswith((">", "[", "•", "-")) or SALUTATION_RE.match(line):
        return False
    if line.endswith(",") or _INITIALS_RE.match(line):
        return False  # a signature ('De minister van ...,', 'D.M. van Weel')
    if dateline_date(line):
        return False
    letters = sum(ch.isalpha() for ch in line)
    return letters >= 0.5 * len(line) and not line[0].islower()


def first_heading(lines: Sequence[str]) -> str | None:
    """The document's opening heading, or ``None`` when the document opens with prose.

    Only the first title-like line counts (page numbers, banners, datelines, labels and generic
    section words such as 'Inhoud' are passed over): a heading found after skipping prose is as likely
    a section or a table caption as the title, and the file name or format title does better.
    Wrapped headings are re-joined (continuation lines, a short second line, a year line:
    'Provinciaal Programma' + 'Energiestrategie' + '2023'); a candidate that reads as a sentence is
    prose.
    """
    for i, line in enumerate(lines[:40]):
        if not line:
            continue
        if not _is_title_line(line):
            if len(line) > 80 or _SENTENCE_END_RE.search(line):
                return None  # the document opens with prose
            continue
        parts = [line]
        for nxt in lines[i + 1 :]:
            if not nxt or nxt.startswith("[") or len(" ".join(parts)) >= 120:
                break
            short_pair = len(" ".join(parts)) <= 25 and len(nxt) <= 25 and _is_title_line(nxt)
            if not (continues(parts[-1], nxt) or short_pair or re.fullmatch(r"(?:19|20)\d{2}", nxt)):
                break
            parts.append(nxt)
        heading = " ".join(parts).strip()
        if _SENTENCE_END_RE.search(heading) or len(heading) > 150:
            return None
        return heading
    return None


def meaningful_property_title(properties: dict[str, str]) -> str | None:
    title = re.sub(r"\s+", " ", properties.get("title", "")).strip()
    if not title or _BAD_PROPERTY_TITLE_RE.match(title) or sum(ch.isalpha() for ch in title) < 3:
        return None
    return title
