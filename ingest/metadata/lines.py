"""Letterhead lines: normalised, classified by kind, and re-joined where a phrase wraps.

Loaders hand over text with pypdf's quirks (split words such as 'P agina', odd spaces, placeholder
rows of '_____'); every other module works on the lines :func:`normalise_lines` makes of it. The line
kinds recognised here (label, address, contact, salutation, dateline) decide where a wrapped value
ends (:func:`continues`), which the field reader, the address blocks and the title all need.
:func:`tidy` turns a found value into one short line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.core.text import one_line

from .dates import dateline_date
from .labels import LABEL_RE, starts_with_label

#: Single capitals that pypdf splits off letterhead words ('P agina', 'P ostbus').
_SPLIT_CAPITAL_RE = re.compile(r"\b([PDKBO]) (agina|ostbus|atum|enmerk|etreft|nderwerp|ijlagen?)\b")
#: Runs of horizontal whitespace (incl. no-break and thin spaces) collapse to one space.
_HSPACE_RE = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f]+")
#: A value or line that holds nothing but separators and blanks-to-fill ('_____', '|', '-').
_PLACEHOLDER_RE = re.compile(r"[\s_|:.\-–—]*")

#: Words ending a line whose phrase continues on the next one ('Ministerie van' / 'Waterstaat').
_CONNECTOR_END_RE = re.compile(
    r"(?:\b(?:van|de|der|den|het|en|voor|op|in|aan|met|over|bij|te|tot|of|om|incl\.|inzake|tussen|"
    r"naar|uit|t\.a\.v\.|Tweede|Eerste)|[-,&/])$"
)
#: Salutations: where the letterhead ends and the body begins.
SALUTATION_RE = re.compile(r"^(?:Geachte|Hooggeachte|Zeer geachte|Beste|L\.S\.|Dear)\b", re.I)

#: Dutch postcode line ('2500 BJ 's-GRAVENHAGE', '7640 AA Wierden').
POSTCODE_RE = re.compile(r"^[1-9]\d{3}\s?[A-Z]{2}\b(?:\s+['A-Za-z].*)?$")
#: Post box line ('Postbus 20018', 'Postbus 20018 2500 EA').
POSTBUS_RE = re.compile(r"^(?:Postbus|Antwoordnummer)\s+\d+", re.IGNORECASE)
#: Street and number ('Luttenbergstraat 2', 'Prinses Irenestraat 6'): counts only next to a postcode.
_STREET_RE = re.compile(
    r"^[A-Z][^\W\d_]{2,}[\w'’.-]*(?:\s+[\w'’.-]+){0,3}\s+\d{1,4}(?:\s?[a-zA-Z])?(?:-\d{1,4})?$"
)
#: Contact lines that mark an address block as the *sender's* letterhead.
_CONTACT_RE = re.compile(
    r"^(?:(?:T|F|Tel\.?|Telefoon|Fax)\b\s*[:.]?\s*[\d+(]|www\.|https?://|KvK\b|IBAN\b|"
    r"Overheidsidentificatienr|E-?mail\b|\S+@\S+\.\w+)",
    re.IGNORECASE,
)


def normalise_lines(text: str) -> list[str]:
    """Lines with collapsed whitespace, placeholder-only lines blanked, split labels re-joined.

    pypdf breaks letterhead labels over two lines ('Uw' / 'kenmerk', 'Bij' / 'lagen'); re-joining them
    matters, or the recipient's 'kenmerk' would read as ours.
    """
    lines: list[str] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = _HSPACE_RE.sub(" ", _SPLIT_CAPITAL_RE.sub(r"\1\2", raw)).strip()
        lines.append("" if _PLACEHOLDER_RE.fullmatch(line) else line)
    merged: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.lower() in {"uw", "ons", "bij"} and i + 1 < len(lines) and lines[i + 1]:
            for joined in (f"{line} {lines[i + 1]}", f"{line}{lines[i + 1]}"):
                m = LABEL_RE.match(joined)
                if m and m.end() > len(line) + 1:
                    merged.append(joined)
                    i += 2
                    break
            else:
                merged.append(line)
                i += 1
            continue
        merged.append(line)
        i += 1
    return merged


def is_placeholder(value: str) -> bool:
    return bool(_PLACEHOLDER_RE.fullmatch(value))


def is_address_line(line: str) -> bool:
    """Postcode, post box or street line ('Datum 3 mei 2023' and 'T 070 ...' look like streets)."""
    if POSTCODE_RE.match(line) or POSTBUS_RE.match(line):
        return True
    return bool(_STREET_RE.match(line)) and not is_contact_line(line) and not starts_with_label(line)


def is_contact_line(line: str) -> bool:
    return bool(_CONTACT_RE.match(line))


def continues(current: str, following: str) -> bool:
    """Whether ``following`` continues the phrase on ``current`` (a wrapped subject or name)."""
    if not following or starts_with_label(following) or SALUTATION_RE.match(following):
        return False
    if is_address_line(following) or is_contact_line(following) or following.startswith(">"):
        return False
    if dateline_date(following):
        return False
    if _CONNECTOR_END_RE.search(current):
        return True
    return following[0].islower() or following[0] == "("


def take_text(lines: Sequence[str], index: int, first: str) -> tuple[str, int]:
    """A text value starting with ``first`` on line ``index`` plus its continuation lines."""
    parts = [first]
    j = index + 1
    while j < len(lines) and len(" ".join(parts)) < 200 and continues(parts[-1], lines[j]):
        parts.append(lines[j])
        j += 1
    return " ".join(parts), j


def next_nonempty(lines: Sequence[str], index: int, limit: int = 5) -> int | None:
    """Index of the first non-empty line after ``index`` within ``limit`` lines."""
    for j in range(index + 1, min(len(lines), index + 1 + limit)):
        if lines[j]:
            return j
    return None


def tidy(value: str, limit: int = 120) -> str:
    """One tidy line: collapsed whitespace, no trailing separators, at most ``limit`` characters.

    The separators are stripped after the whitespace is collapsed, so a value ending in ', ' and a
    line break loses all three, and before the value is cut, at a word boundary, to ``limit``.
    """
    return one_line(" ".join(value.split()).strip(" ,;:|"), limit, at_word=True, ellipsis="")
