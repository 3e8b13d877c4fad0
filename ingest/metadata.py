"""Metadata from Dutch government documents: date, kenmerk, onderwerp, addressee, sender, type, title.

Everything here is a pure function over text that a loader already extracted (no I/O, no models), so
it can be tested on hand-made strings and on text pulled from real files.

The input is messy in known ways, and the parsing is built around them:

* Letterheads are *labelled fields*: a label (``Datum``, ``Ons kenmerk``, ``Onderwerp``/``Betreft``, ...)
  followed by its value after a colon, a tab, a ``|`` table separator, or on the next line.
* Letterhead *tables* come out as a row of labels followed by a row of values
  (``uw brief van uw kenmerk ons kenmerk datum`` / ``11812/2024 5 november 2024``), as ``cell | cell``
  rows from DOCX tables, or with several label/value pairs on one line
  (``onderwerp _____ ons kenmerk 11813/2024``).
* pypdf splits words and orders columns oddly: ``Uw`` / ``kenmerk`` on two lines, ``P agina``,
  ``Datum 21 mei 2024 Kenmerk ...`` on one line, and the right-hand column of a Rijksoverheid
  letterhead (Datum, Betreft, Ons kenmerk) before or after the addressee.
* ``Uw kenmerk`` and ``Uw brief (van)`` are the *recipient's* references: they are recognised (so
  their values are never mistaken for ours) and then ignored.

The public API: :func:`parse_dutch_date`, :func:`find_dates`, :func:`find_labelled`,
:func:`date_from_filename`, :func:`title_from_filename`, :func:`classify_doc_type` and
:func:`extract_metadata` (which combines them; its docstring states every precedence rule).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import PurePath

from assistant.schema import DOC_TYPES, DocMeta, LoadedDocument

# --------------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------------

#: Month names and abbreviations (Dutch first; the English ones occur in exports and templates).
_MONTHS: dict[str, int] = {
    "januari": 1, "jan": 1, "january": 1,
    "februari": 2, "febr": 2, "feb": 2, "february": 2,
    "maart": 3, "mrt": 3, "mar": 3, "march": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "augustus": 8, "aug": 8, "august": 8,
    "september": 9, "sept": 9, "sep": 9,
    "oktober": 10, "okt": 10, "october": 10, "oct": 10,
    "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip
_MONTH_ALT = "|".join(sorted(_MONTHS, key=len, reverse=True))

#: One date in any of the printed forms. Day-first always (Dutch); a year is required, because a
#: date without one ('1 oktober') cannot be placed. The guards keep dates out of longer tokens such
#: as kenmerken ('D2024-03-011394', '11812/2024') and version numbers.
_DATE_RE = re.compile(
    rf"""
    (?<![\w./-])
    (?:
        (?P<d1>\d{{1,2}})(?:e|ste|de)?\.?\s*        # '5', '1e', '1ste'
        (?P<mon>{_MONTH_ALT})\.?                    # 'november', 'nov.', 'SEP'
        ,?\s+(?P<y1>\d{{4}})                        # '2024'
      | (?P<d2>\d{{1,2}})(?P<s2>[./-])(?P<m2>\d{{1,2}})(?P=s2)(?P<y2>\d{{4}})     # 21.05.2024, 1/11/2024
      | (?P<y3>\d{{4}})(?P<s3>[-/])(?P<m3>\d{{1,2}})(?P=s3)(?P<d3>\d{{1,2}})      # 2024-11-05 (ISO)
    )
    (?![\w/]|[.-]\d)
    """,
    re.IGNORECASE | re.VERBOSE,
)

#: A date prefix in a file name: '240528_Brief...' (yymmdd, the Woo publication convention),
#: '20240528...' or '2024-05-28...'.
_FILENAME_DATE_RE = re.compile(
    r"^(?:(?P<y8>(?:19|20)\d{2})-?(?P<m8>\d{2})-?(?P<d8>\d{2})|(?P<y6>\d{2})(?P<m6>\d{2})(?P<d6>\d{2}))(?!\d)"
)

#: A date inside a format property: ISO ('2024-07-15T08:45:00') or PDF ('D:20240528133420+02').
_PROPERTY_DATE_RE = re.compile(r"(?:^|D:|\b)((?:19|20)\d{2})-?(\d{2})-?(\d{2})")

#: Weekday names that may precede a date ('maandag 3 juni 2024', 'Woensdag 20 maart 2024').
_WEEKDAYS = r"maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|ma|di|wo|do|vr|za|zo"

#: The start of a *dateline*: a line that is essentially a date, optionally after 'd.d.', a place
#: ('Zwolle, 12 oktober 2023') and/or a weekday. The date itself must start where this ends.
_DATELINE_PREFIX_RE = re.compile(
    rf"^(?:d\.d\.\s*|[A-Z][\w'’ -]{{1,30}},\s*)?(?:(?:{_WEEKDAYS})\.?,?\s+)?(?=\d)", re.IGNORECASE
)

#: Words just before a date that make it the recipient's date ('uw brief van 5 juli 2024').
_FOREIGN_DATE_CONTEXT_RE = re.compile(r"(?:uw brief|brief van|schrijven van|uw e-?mail van)\W*$", re.I)


def _valid_iso(year: int, month: int, day: int) -> str | None:
    """ISO string for a real calendar date in a plausible range, else ``None`` (31-02 is rejected)."""
    if not 1900 <= year <= 2100:
        return None
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _iter_dates(text: str) -> Iterator[tuple[int, int, str]]:
    """Every valid date in ``text`` as ``(start, end, iso)``, in order of appearance."""
    for m in _DATE_RE.finditer(text):
        if m.group("d1"):
            iso = _valid_iso(int(m.group("y1")), _MONTHS[m.group("mon").lower()], int(m.group("d1")))
        elif m.group("d2"):
            iso = _valid_iso(int(m.group("y2")), int(m.group("m2")), int(m.group("d2")))
        else:
            iso = _valid_iso(int(m.group("y3")), int(m.group("m3")), int(m.group("d3")))
        if iso:
            yield m.start(), m.end(), iso


def find_dates(text: str) -> list[str]:
    """All valid dates in ``text`` as ISO strings, in order of appearance (duplicates kept)."""
    return [iso for _, _, iso in _iter_dates(text)]


def parse_dutch_date(text: str) -> str | None:
    """First date in ``text`` as ISO ``YYYY-MM-DD``, or ``None``.

    Understands the forms Dutch documents print: '5 november 2024', '5 nov. 2024', '14 SEP 2024',
    'maandag 3 juni 2024', '1e november 2024', '21.05.2024', '21-05-2024', '1/11/2024',
    'd.d. 1/11/2024' and ISO '2024-11-05'. Numeric dates are always read day-first (Dutch), and only
    with a four-digit year (two-digit years clash with section and phone numbers). A date without a
    year ('1 oktober') or a period ('1e kwartaal', 'november 2024') is not a date; impossible dates
    (31-02-2024) are skipped and the search goes on.
    """
    for _, _, iso in _iter_dates(text):
        return iso
    return None


def date_from_filename(filename: str) -> str | None:
    """Date encoded at the start of a file name ('240528_Brief...' = 2024-05-28), else one in the name.

    The six-digit prefix is read as ``yymmdd`` (how the Woo publications in the archive are named);
    eight digits or ``YYYY-MM-DD`` as ISO. Failing a prefix, a printed date anywhere in the name
    ('Brief d.d. 12 januari 2024.pdf') is used.
    """
    stem = PurePath(filename).stem
    m = _FILENAME_DATE_RE.match(stem)
    if m:
        if m.group("y8"):
            iso = _valid_iso(int(m.group("y8")), int(m.group("m8")), int(m.group("d8")))
        else:
            iso = _valid_iso(2000 + int(m.group("y6")), int(m.group("m6")), int(m.group("d6")))
        if iso:
            return iso
    return parse_dutch_date(stem.replace("_", " "))


def _date_from_property(value: str) -> str | None:
    """Date from a format property such as ``created`` (ISO or PDF ``D:YYYYMMDD...`` form)."""
    m = _PROPERTY_DATE_RE.search(value)
    if m:
        return _valid_iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    return parse_dutch_date(value)


# --------------------------------------------------------------------------------------------------
# Lines and labels
# --------------------------------------------------------------------------------------------------

#: Single capitals that pypdf splits off letterhead words ('P agina', 'P ostbus').
_SPLIT_CAPITAL_RE = re.compile(r"\b([PDKBO]) (agina|ostbus|atum|enmerk|etreft|nderwerp|ijlagen?)\b")
#: Runs of horizontal whitespace (incl. no-break and thin spaces) collapse to one space.
_HSPACE_RE = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f]+")
#: A value or line that holds nothing but separators and blanks-to-fill ('_____', '|', '-').
_PLACEHOLDER_RE = re.compile(r"[\s_|:.\-–—]*")

#: Letterhead labels as printed (case-insensitive; a space matches any whitespace) and the field each
#: fills. Fields starting with '_' are recognised only so that their values are not taken for ours
#: (the recipient's references) or so that they end another label's value (weak labels).
_LABEL_FIELDS: dict[str, str] = {
    # the recipient's references: recognised, never used
    "uw brief van": "_uw_brief", "uw brief d.d.": "_uw_brief", "uw brief": "_uw_brief",
    "uw schrijven van": "_uw_brief", "uw e-mail van": "_uw_brief", "uw datum": "_uw_brief",
    "uw kenmerk": "_uw_kenmerk", "uw referentie": "_uw_kenmerk", "uw nummer": "_uw_kenmerk",
    # our reference, most specific first (see _KENMERK_FIELDS for the preference)
    "ons kenmerk": "ons_kenmerk", "onze referentie": "ons_kenmerk", "ons nummer": "ons_kenmerk",
    "kenmerk": "kenmerk", "gs-kenmerk": "gs_kenmerk", "registratiekenmerk": "registratiekenmerk",
    "documentnummer": "documentnummer", "documentnr.": "documentnummer", "referentie": "referentie",
    "zaaknummer": "zaaknummer", "zaaknr.": "zaaknummer",
    # dates
    "datum": "datum", "datum verzending": "verzonden", "verzenddatum": "verzonden",
    "verzonden": "verzonden", "verzonden op": "verzonden", "gs-datum": "_other",
    # subject, parties, explicit overrides
    "onderwerp": "onderwerp", "betreft": "onderwerp",
    "aan": "aan", "van": "van", "afzender": "afzender",
    "titel": "titel", "documenttype": "documenttype", "soort document": "documenttype",
    "cc": "_other", "kopie aan": "_other",
}  # fmt: skip

#: Weak labels: letterhead fields we do not keep, but which end the value of the label before them.
#: At the start of a line they count only when followed by ':', '|', a digit or nothing, so a
#: sentence starting with 'Locatie' or 'Telefoon' is not taken for a label.
_WEAK_LABELS: tuple[str, ...] = (
    "bijlage(n)", "bijlagen", "bijlage", "pagina", "inlichtingen bij", "inlichtingen", "telefoon",
    "telefoonnummer", "doorkiesnummer", "e-mail", "email", "contactpersoon", "projectnaam",
    "behandeld door", "locatie", "tijd", "aanwezig", "afwezig", "gedeputeerde(n)", "bezoekadres",
    "postadres", "openbaar", "auteur", "afgestemd met", "overheidsidentificatienr",
)  # fmt: skip

#: Labels that count only with an explicit separator after them (common words otherwise).
_SEPARATOR_ONLY = frozenset({"aan", "van", "titel", "documenttype", "afzender", "cc"})
_ALL_LABELS: dict[str, str] = {**_LABEL_FIELDS, **dict.fromkeys(_WEAK_LABELS, "_weak")}

#: Any label, at word boundaries, longest first ('datum verzending' before 'datum').
_LABEL_RE = re.compile(
    r"(?<![\w-])(?:"
    + "|".join(re.escape(lab).replace(r"\ ", r"\s+") for lab in sorted(_ALL_LABELS, key=len, reverse=True))
    + r")(?![\w-])",
    re.IGNORECASE,
)
#: What may follow a label before its value: a colon, a table bar, or just spaces.
_LABEL_SEP_RE = re.compile(r"\s*(?:[:|]\s*)?")
#: 'Aan' without a colon is the addressee label only when an addressee follows
#: ('Aan de heer ...', 'Aan Provinciale Staten'); 'Aan de hand van' is prose.
_AAN_ADDRESSEE_RE = re.compile(
    r"(?:(?:de|het)\s+)?(?:heer|mevrouw|voorzitter|leden|minister|staatssecretaris|directeur|"
    r"gemeenteraad|raad|colleges?|provinciale staten|gedeputeerde staten|ministerie|gemeente|"
    r"burgemeester|commissie|dagelijks bestuur|algemeen bestuur)\b",
    re.IGNORECASE,
)

#: Fields whose values are dates / kenmerken (used to validate a label found mid-line).
_DATE_FIELDS = frozenset({"datum", "verzonden", "_uw_brief"})
_KENMERK_FIELDS: tuple[str, ...] = (
    "ons_kenmerk", "kenmerk", "documentnummer", "registratiekenmerk", "gs_kenmerk", "referentie",
    "zaaknummer",
)  # fmt: skip
_KENMERKISH_FIELDS = frozenset({*_KENMERK_FIELDS, "_uw_kenmerk"})
#: Fields whose value may run on over the next lines ('Betreft ... \n(NPCE) incl. ...').
_TEXT_FIELDS = frozenset({"onderwerp", "aan", "afzender", "titel"})

#: A kenmerk-like token: has a digit, starts with a letter or digit ('11812/2024', 'D2024-03-011394').
_KENMERK_TOKEN_RE = re.compile(r"(?=[^\s]*\d)[A-Za-z0-9][\w./&-]*")
#: A word that can be part of a reference: starts with a capital or digit, or is a lone dash/slash.
_CODE_TOKEN_RE = re.compile(r"[A-Z0-9][\w./&:-]*|[-–/]")
#: Words ending a line whose phrase continues on the next one ('Ministerie van' / 'Waterstaat').
_CONNECTOR_END_RE = re.compile(
    r"(?:\b(?:van|de|der|den|het|en|voor|op|in|aan|met|over|bij|te|tot|of|om|incl\.|inzake|tussen|"
    r"naar|uit|t\.a\.v\.|Tweede|Eerste)|[-,&/])$"
)
#: Salutations: where the letterhead ends and the body begins.
_SALUTATION_RE = re.compile(r"^(?:Geachte|Hooggeachte|Zeer geachte|Beste|L\.S\.|Dear)\b", re.I)


@dataclass(frozen=True, slots=True)
class _Field:
    """One labelled value found in the text: its field name, the value and its line number."""

    name: str
    value: str
    line: int


def _normalise_lines(text: str) -> list[str]:
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
                m = _LABEL_RE.match(joined)
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


def _label_field(label_text: str) -> str:
    """Field name for a matched label text ('Ons  kenmerk' -> 'ons_kenmerk')."""
    return _ALL_LABELS[re.sub(r"\s+", " ", label_text.lower())]


def _is_placeholder(value: str) -> bool:
    return bool(_PLACEHOLDER_RE.fullmatch(value))


def _valid_kenmerk(value: str) -> bool:
    """A plausible reference: short (at most six words), contains a digit, and is not just a date."""
    value = value.strip()
    if not value or len(value) > 60 or len(value.split()) > 6 or not re.search(r"\d", value):
        return False
    return not _DATE_RE.fullmatch(value.strip(" .,"))


def _leading_kenmerk(value: str) -> str | None:
    """The reference at the start of ``value`` ('5401166 Bij beantwoording ...' -> '5401166').

    Takes the code-like words (starting with a capital or digit, or a lone dash or slash) among the
    first four, up to the last one holding a digit: 'DGBI – I&K/ 26844711 Geachte' -> 'DGBI – I&K/
    26844711'. ``None`` when no digit comes before the first ordinary word.
    """
    code: list[str] = []
    for token in value.split()[:4]:
        if not _CODE_TOKEN_RE.fullmatch(token):
            break
        code.append(token)
    while code and not re.search(r"\d", code[-1]):
        code.pop()
    return " ".join(code) if code else None


def _valid_date_value(value: str) -> bool:
    """A value that starts with a date (after an optional weekday) and says little else (a time)."""
    m = _DATELINE_PREFIX_RE.match(value)
    if not m:
        return False
    d = _DATE_RE.match(value, m.end())
    if not d or parse_dutch_date(d.group()) is None:
        return False
    rest = value[d.end() :]
    # a second date makes it a period ('1 mei 2024 tot en met 1 juni 2025'), not a date
    return len(rest) <= 25 and parse_dutch_date(rest) is None


def _dateline(line: str) -> str | None:
    """The date of a *dateline*, else ``None``.

    A dateline is a short line that is just a date, optionally after 'd.d.', a place or a weekday
    ('Zwolle, 12 oktober 2023', 'Woensdag 20 maart 2024 09:00 - 10:30 uur').
    """
    prefix = _DATELINE_PREFIX_RE.match(line)
    if prefix is None or len(line) > 80 or not _valid_date_value(line[prefix.end() :]):
        return None
    return parse_dutch_date(line[prefix.end() :])


def _line_start_label(line: str) -> tuple[str, int] | None:
    """``(field, value_start)`` when ``line`` begins with a label, else ``None``."""
    start = len(line) - len(line.lstrip("| "))
    m = _LABEL_RE.match(line, start)
    if not m:
        return None
    field = _label_field(m.group())
    sep = _LABEL_SEP_RE.match(line, m.end())
    value_start = sep.end() if sep else m.end()
    rest = line[m.end() :]
    has_sep = bool(re.match(r"\s*[:|]", rest))
    low = m.group().lower()
    if low in _SEPARATOR_ONLY:
        if low == "aan" and not has_sep:
            return (field, value_start) if _AAN_ADDRESSEE_RE.match(line, value_start) else None
        if not has_sep and rest.strip():
            return None
    if field == "_weak" and rest.strip() and not has_sep and not re.match(r"\s*[\d_]", rest):
        return None
    if m.group()[0].islower() and low in {"aan", "van"}:
        return None  # a lowercase 'van:' is prose, not the mail header
    return field, value_start


def _split_labelled(line: str) -> tuple[str, list[tuple[str, str]]]:
    """Split a line into the text before its first label and ``(field, value)`` pairs.

    A line that starts with a label may hold more ('Datum 21 mei 2024 Kenmerk 123',
    'onderwerp _____ ons kenmerk 11813/2024'); a further label is accepted when it directly follows a
    blank value (a row of labels) or when its own value is valid for it (a date after 'datum', a
    reference after 'kenmerk'). In a line that does *not* start with a label only the second kind is
    accepted, which reads 'Inbreng provincies voor de NDS datum 1 november 2024' as a subject plus a
    date while leaving prose ('de datum en ons kenmerk vermelden') alone.
    """
    first = _line_start_label(line)
    # (field, label start, value start, value when only the start of the text up to the next label is it)
    labels: list[tuple[str, int, int, str | None]] = []
    if first is not None:
        labels.append((first[0], 0, first[1], None))
        pos = first[1]
    else:
        pos = 0
    candidates = [m for m in _LABEL_RE.finditer(line, pos) if m.start() >= pos]
    for idx, m in enumerate(candidates):
        field = _label_field(m.group())
        weak = field == "_weak" or m.group().lower() in _SEPARATOR_ONLY
        if weak and not (labels and first is not None and _is_placeholder(line[labels[-1][2] : m.start()])):
            continue  # weak labels only inside a row of labels
        sep = _LABEL_SEP_RE.match(line, m.end())
        value_start = sep.end() if sep else m.end()
        following = candidates[idx + 1].start() if idx + 1 < len(candidates) else len(line)
        own_value = line[value_start:following].strip()
        prev_blank = bool(labels) and _is_placeholder(line[labels[-1][2] : m.start()])
        if (first is not None and prev_blank) or (field in _DATE_FIELDS and _valid_date_value(own_value)):
            labels.append((field, m.start(), value_start, None))
        elif field in _KENMERKISH_FIELDS and not line[: m.start()].rstrip().endswith("("):
            # '(kenmerk 2022/0109)' cites another letter; 'Ons kenmerk 5401166 Bij beantwoording ...'
            # is a flattened letterhead column whose reference is the code right after the label
            code = _leading_kenmerk(own_value)
            if code:
                labels.append((field, m.start(), value_start, code))
    if not labels:
        return line, []
    prefix = line[: labels[0][1]].strip() if first is None else ""
    pairs: list[tuple[str, str]] = []
    for k, (field, _, value_start, override) in enumerate(labels):
        end = labels[k + 1][1] if k + 1 < len(labels) else len(line)
        value = override or line[value_start:end].strip()
        pairs.append((field, "" if _is_placeholder(value) else value.strip(" |_")))
    return prefix, pairs


def _starts_with_label(line: str) -> bool:
    return _line_start_label(line) is not None


def _continues(current: str, following: str) -> bool:
    """Whether ``following`` continues the phrase on ``current`` (a wrapped subject or name)."""
    if not following or _starts_with_label(following) or _SALUTATION_RE.match(following):
        return False
    if _is_address_line(following) or _is_contact_line(following) or following.startswith(">"):
        return False
    if _dateline(following):
        return False
    if _CONNECTOR_END_RE.search(current):
        return True
    return following[0].islower() or following[0] == "("


def _take_text(lines: Sequence[str], index: int, first: str) -> tuple[str, int]:
    """A text value starting with ``first`` on line ``index`` plus its continuation lines."""
    parts = [first]
    j = index + 1
    while j < len(lines) and len(" ".join(parts)) < 200 and _continues(parts[-1], lines[j]):
        parts.append(lines[j])
        j += 1
    return " ".join(parts), j


def _next_nonempty(lines: Sequence[str], index: int, limit: int = 5) -> int | None:
    """Index of the first non-empty line after ``index`` within ``limit`` lines."""
    for j in range(index + 1, min(len(lines), index + 1 + limit)):
        if lines[j]:
            return j
    return None


def _map_value_row(label_line: str, fields: Sequence[str], value_line: str, line_no: int) -> list[_Field]:
    """Values of a row of labels from the row under it.

    DOCX rows that keep their empty cells ('uw brief van | uw kenmerk | ons kenmerk | datum' over
    '| | 11812/2024 | 5 november 2024') align cell by cell. Rows that do not (space-separated PDF text,
    or a loader dropping empty cells: '11812/2024 | 5 november 2024') are matched by kind: dates go to
    the date labels and reference-like tokens to the kenmerk labels, aligned from the right, because
    the recipient's fields ('uw brief van', 'uw kenmerk') come first and are the ones usually empty.
    """
    if "|" in label_line and "|" in value_line:
        label_cells = [c.strip() for c in label_line.strip().strip("|").split("|")]
        value_cells = [c.strip() for c in value_line.split("|")]  # a leading '|' is an empty cell
        if len(label_cells) == len(value_cells):
            out: list[_Field] = []
            for cell, value in zip(label_cells, value_cells, strict=True):
                m = _LABEL_RE.fullmatch(cell)
                if m and value and not _is_placeholder(value):
                    out.append(_Field(_label_field(m.group()), value, line_no))
            return out
    out = []
    dates = list(_iter_dates(value_line))
    date_fields = [f for f in fields if f in _DATE_FIELDS]
    for field, (start, end, _) in zip(reversed(date_fields), reversed(dates), strict=False):
        out.append(_Field(field, value_line[start:end], line_no))
    rest = value_line
    for start, end, _ in reversed(dates):
        rest = rest[:start] + " " + rest[end:]
    tokens = [t for t in re.split(r"[\s|]+", rest) if _KENMERK_TOKEN_RE.fullmatch(t)]
    kenmerk_fields = [f for f in fields if f in _KENMERKISH_FIELDS]
    for field, token in zip(reversed(kenmerk_fields), reversed(tokens), strict=False):
        out.append(_Field(field, token, line_no))
    return out


def _parse_fields(lines: Sequence[str]) -> list[_Field]:
    """All labelled values in ``lines``, in document order (see the module docstring for the shapes)."""
    fields: list[_Field] = []
    pending: list[str] = []  # labels whose value is on the next non-empty line
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line:
            i += 1
            continue
        prefix, pairs = _split_labelled(line)
        if pending:
            if pairs and not prefix:
                pending = []  # the next line is itself a label: those labels were empty
            else:
                value = prefix if pairs else line
                next_i = i + 1
                for name in pending:
                    if name in _TEXT_FIELDS and not pairs:
                        value, next_i = _take_text(lines, i, value)
                    fields.append(_Field(name, value, i))
                pending = []
                if not pairs:
                    i = next_i
                    continue
        if not pairs:
            i += 1
            continue
        if not prefix and len(pairs) >= 2 and all(not v for _, v in pairs):
            j = _next_nonempty(lines, i, limit=3)
            if j is not None and not _starts_with_label(lines[j]):
                fields.extend(_map_value_row(line, [n for n, _ in pairs], lines[j], j))
                i = j + 1
                continue
        next_i = i + 1
        for name, value in pairs:
            if not value:
                pending.append(name)
            elif name in _TEXT_FIELDS and (name, value) == pairs[-1]:
                full, next_i = _take_text(lines, i, value)
                fields.append(_Field(name, full, i))
            else:
                fields.append(_Field(name, value, i))
        if pending:
            # Look ahead past blank lines only; the loop picks the value up on the next line.
            j = _next_nonempty(lines, i)
            if j is None:
                pending = []
                i += 1
            else:
                i = j
            continue
        i = next_i
    return fields


def find_labelled(text: str, labels: Iterable[str]) -> str | None:
    """Value of the first of ``labels`` present in ``text`` (label order is the preference).

    Labels are named as printed ('Datum', 'Ons kenmerk', 'Betreft', 'Aan'); a label stands for its
    field, so 'Betreft' and 'Onderwerp' find the same value. Values of the recipient's references
    ('Uw kenmerk', 'Uw brief van') are only returned when asked for by those names.
    """
    fields = _parse_fields(_normalise_lines(text))
    for label in labels:
        name = _ALL_LABELS.get(re.sub(r"\s+", " ", label.lower().strip().rstrip(":")))
        if name is None:
            continue
        for f in fields:
            if f.name == name and f.value:
                return f.value
    return None


# --------------------------------------------------------------------------------------------------
# Addresses: addressee and sender blocks
# --------------------------------------------------------------------------------------------------

#: Dutch postcode line ('2500 BJ 's-GRAVENHAGE', '7640 AA Wierden').
_POSTCODE_RE = re.compile(r"^[1-9]\d{3}\s?[A-Z]{2}\b(?:\s+['A-Za-z].*)?$")
#: Post box line ('Postbus 20018', 'Postbus 20018 2500 EA').
_POSTBUS_RE = re.compile(r"^(?:Postbus|Antwoordnummer)\s+\d+", re.IGNORECASE)
#: Street and number ('Luttenbergstraat 2', 'Prinses Irenestraat 6'): counts only next to a postcode.
_STREET_RE = re.compile(
    r"^[A-Z][^\W\d_]{2,}[\w'’.-]*(?:\s+[\w'’.-]+){0,3}\s+\d{1,4}(?:\s?[a-zA-Z])?(?:-\d{1,4})?$"
)
#: The address part at the end of a one-line name: a post box, or a (street and) postcode.
_ADDRESS_TAIL_RE = re.compile(
    r"\s+(?:(?:Postbus|Antwoordnummer)\s+\d+"
    r"|(?:[A-Z][^\W\d_]{2,}[\w'’.-]*(?:\s+[\w'’.-]+){0,3}\s+\d{1,4}[a-zA-Z]?\s+)?[1-9]\d{3}\s?[A-Z]{2}\b).*$"
)
#: Contact lines that mark an address block as the *sender's* letterhead.
_CONTACT_RE = re.compile(
    r"^(?:(?:T|F|Tel\.?|Telefoon|Fax)\b\s*[:.]?\s*[\d+(]|www\.|https?://|KvK\b|IBAN\b|"
    r"Overheidsidentificatienr|E-?mail\b|\S+@\S+\.\w+)",
    re.IGNORECASE,
)
#: 'Bezoekadres' / 'Postadres' headings inside a sender's address column.
_ADDRESS_HEADING_RE = re.compile(r"^(?:Bezoekadres|Postadres|Adres)$", re.IGNORECASE)
#: An attention line: the person inside the addressed organisation.
_TAV_RE = re.compile(r"^t\.?\s?a\.?\s?v\.?\s*", re.IGNORECASE)
#: Office holders and bodies that are addressed (preferred over a bare organisation name).
_OFFICE_RE = re.compile(
    r"^(?:(?:de|het)\s+)?(?:heer|mevrouw|voorzitter|minister|staatssecretaris|college|colleges|"
    r"provinciale staten|gedeputeerde staten|gemeenteraad|leden|directeur|dagelijks bestuur|"
    r"algemeen bestuur|burgemeester|commissaris)\b",
    re.IGNORECASE,
)
#: Addressees recognisable from the line alone, at the top of a letter (no address needed). The line
#: must hold only the addressee: 'Gedeputeerde Staten hebben besloten ...' is prose.
_KNOWN_ADDRESSEE_RE = re.compile(
    r"^(?:Aan\s+)?(?:Provinciale Staten|Gedeputeerde Staten|"
    r"De (?:voorzitter|leden) van de (?:Tweede|Eerste) Kamer|"
    r"(?:Het )?College van (?:burgemeester en wethouders|B\s?&\s?W|Gedeputeerde Staten)|"
    r"(?:De )?(?:gemeenteraad|leden van de gemeenteraad)|(?:Het )?(?:Algemeen|Dagelijks) Bestuur)"
    r"(?:\s+(?:van|der|de)\s+[^.,;:]{2,45})?,?$",
    re.IGNORECASE,
)

#: Rijksoverheid web addresses name the ministry ('www.rijksoverheid.nl/jenv').
_RIJK_SITE_RE = re.compile(r"rijksoverheid\.nl/(\w+)", re.IGNORECASE)
#: The ministries by the short name in their Rijksoverheid web address.
_MINISTRIES: dict[str, str] = {
    "az": "Ministerie van Algemene Zaken",
    "bz": "Ministerie van Buitenlandse Zaken",
    "bzk": "Ministerie van Binnenlandse Zaken en Koninkrijksrelaties",
    "def": "Ministerie van Defensie",
    "ezk": "Ministerie van Economische Zaken en Klimaat",
    "ez": "Ministerie van Economische Zaken",
    "kgg": "Ministerie van Klimaat en Groene Groei",
    "fin": "Ministerie van Financiën",
    "ienw": "Ministerie van Infrastructuur en Waterstaat",
    "jenv": "Ministerie van Justitie en Veiligheid",
    "lnv": "Ministerie van Landbouw, Natuur en Voedselkwaliteit",
    "lvvn": "Ministerie van Landbouw, Visserij, Voedselzekerheid en Natuur",
    "ocw": "Ministerie van Onderwijs, Cultuur en Wetenschap",
    "szw": "Ministerie van Sociale Zaken en Werkgelegenheid",
    "vws": "Ministerie van Volksgezondheid, Welzijn en Sport",
    "vro": "Ministerie van Volkshuisvesting en Ruimtelijke Ordening",
}
#: The twelve provinces (Fryslân also as Friesland), for 'Provincie X' / 'Gedeputeerde Staten van X'.
_PROVINCES = (
    "Groningen", "Fryslân", "Friesland", "Drenthe", "Overijssel", "Flevoland", "Gelderland", "Utrecht",
    "Noord-Holland", "Zuid-Holland", "Zeeland", "Noord-Brabant", "Limburg",
)  # fmt: skip
_PROVINCE_ALT = "|".join(re.escape(p) for p in _PROVINCES)
#: Organisation names in a letterhead (outside the addressee block, before the salutation).
_IPO_RE = re.compile(r"\bInterprovinciaal Overleg\b", re.IGNORECASE)
_GS_RE = re.compile(rf"^(?:College van )?Gedeputeerde Staten van ({_PROVINCE_ALT})\b", re.IGNORECASE)
_PROVINCE_RE = re.compile(rf"^Provincie ({_PROVINCE_ALT})\b", re.IGNORECASE)
_MINISTRY_LINE_RE = re.compile(r"^Ministerie van\b")
#: Signature lines at the end of a letter ('Gedeputeerde Staten van Overijssel,',
#: 'De minister van Justitie en Veiligheid').
_SIGNATURE_GS_RE = re.compile(rf"^Gedeputeerde Staten van ({_PROVINCE_ALT}),?$")
_SIGNATURE_MINISTER_RE = re.compile(r"^De (?:minister|staatssecretaris) (van|voor) ([^,]{3,80}?),?$", re.I)
#: Contact details naming the organisation ('... (IPO)', 'HvdBaan@ipo.nl').
_IPO_CONTACT_RE = re.compile(r"\(IPO\)|@ipo\.nl\b", re.IGNORECASE)
#: The provinces' e-mail domains, the last resort for a province's letter without a letterhead.
_PROVINCE_DOMAINS: dict[str, str] = {
    "provinciegroningen.nl": "Provincie Groningen", "fryslan.frl": "Provincie Fryslân",
    "drenthe.nl": "Provincie Drenthe", "overijssel.nl": "Provincie Overijssel",
    "flevoland.nl": "Provincie Flevoland", "gelderland.nl": "Provincie Gelderland",
    "provincie-utrecht.nl": "Provincie Utrecht", "noord-holland.nl": "Provincie Noord-Holland",
    "pzh.nl": "Provincie Zuid-Holland", "zuid-holland.nl": "Provincie Zuid-Holland",
    "zeeland.nl": "Provincie Zeeland", "brabant.nl": "Provincie Noord-Brabant",
    "prvlimburg.nl": "Provincie Limburg", "limburg.nl": "Provincie Limburg",
}  # fmt: skip
_EMAIL_DOMAIN_RE = re.compile(r"@([\w.-]+\.\w+)")


def _is_address_line(line: str) -> bool:
    """Postcode, post box or street line ('Datum 3 mei 2023' and 'T 070 ...' look like streets)."""
    if _POSTCODE_RE.match(line) or _POSTBUS_RE.match(line):
        return True
    return bool(_STREET_RE.match(line)) and not _is_contact_line(line) and not _starts_with_label(line)


def _is_contact_line(line: str) -> bool:
    return bool(_CONTACT_RE.match(line))


@dataclass(frozen=True, slots=True)
class _AddressBlock:
    """Name lines above an address (street/postbus/postcode) and whether it is the sender's."""

    names: tuple[str, ...]
    first_line: int
    last_line: int
    is_sender: bool


def _address_blocks(lines: Sequence[str]) -> list[_AddressBlock]:
    """Address blocks in letterhead order.

    A block is a run of address lines holding a postcode or post box, with the (up to four) name lines
    right above it. It is the sender's letterhead when contact lines (telephone, website, e-mail, KvK,
    IBAN) follow within three lines; otherwise it is an addressee.
    """
    blocks: list[_AddressBlock] = []
    i = 0
    n = len(lines)
    while i < n:
        if not _is_address_line(lines[i]):
            i += 1
            continue
        start = i
        end = i
        anchored = False
        while end < n and (
            _is_address_line(lines[end]) or _ADDRESS_HEADING_RE.match(lines[end]) or not lines[end]
        ):
            if _POSTCODE_RE.match(lines[end]) or _POSTBUS_RE.match(lines[end]):
                anchored = True
            if not lines[end] and not (end + 1 < n and _is_address_line(lines[end + 1])):
                break
            end += 1
        if not anchored or _starts_with_label(lines[start]):
            i = end + 1
            continue
        names: list[str] = []
        j = start - 1
        while j >= 0 and _ADDRESS_HEADING_RE.match(lines[j]):
            j -= 1
        if j >= 0 and not lines[j]:
            j -= 1  # a sender column may leave one blank line between name and address
        while j >= 0 and lines[j] and len(names) < 4:
            cand = lines[j]
            if _POSTCODE_RE.match(cand) or cand.startswith(">") or "retouradres" in cand.lower():
                break
            if _is_address_line(cand) or _is_contact_line(cand):
                break
            label = _line_start_label(cand)
            if label is not None and label[0] != "aan":
                break
            names.insert(0, cand)
            j -= 1
        after = [ln for ln in lines[end : end + 6] if ln][:3]
        is_sender = any(_is_contact_line(ln) for ln in after)
        blocks.append(_AddressBlock(tuple(names), j + 1, end - 1, is_sender))
        i = end + 1
    return blocks


def _logical_lines(names: Sequence[str]) -> list[str]:
    """Name lines with wrapped phrases joined ('Ministerie van' + 'Infrastructuur en' + 'Waterstaat')."""
    out: list[str] = []
    for line in names:
        if out and _continues(out[-1], line):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return out


def _strip_address(value: str) -> str:
    """A name without the address that a flattened table cell appends to it.

    'de Voorzitter van de Tweede Kamer der Staten-Generaal Postbus 20018 2500 EA DEN HAAG'
    -> 'de Voorzitter van de Tweede Kamer der Staten-Generaal'.
    """
    return _ADDRESS_TAIL_RE.sub("", value).strip() or value


def _strip_aan(line: str) -> str:
    label = _line_start_label(line)
    if label is not None and label[0] == "aan":
        return line[label[1] :].strip()
    return line


def _short(value: str, limit: int = 120) -> str:
    """One tidy line: collapsed whitespace, no trailing separators, at most ``limit`` characters."""
    value = re.sub(r"\s+", " ", value).strip(" ,;:|")
    if len(value) > limit:
        value = value[:limit].rsplit(" ", 1)[0]
    return value


def _addressee_from_block(names: Sequence[str]) -> str | None:
    """The addressee of a block: its first office holder, else its first (organisation) line.

    An attention line ('T.a.v. College van B&W', 't.a.v. M. Kremer') names a person inside the
    organisation and is skipped, so 'Gemeente Wierden / T.a.v. College van B&W' gives 'Gemeente
    Wierden'; 'Ministerie van BZK / Staatssecretaris Digitalisering ... / Drs. F.Z. Szabó' gives the
    office holder 'Staatssecretaris Digitalisering en Koninkrijksrelaties'.
    """
    logical = [_strip_aan(x) for x in _logical_lines(names) if not _TAV_RE.match(x)]
    if not logical:
        return None
    for line in logical:
        if _OFFICE_RE.match(line):
            return _short(line)
    return _short(logical[0])


def _letterhead_end(lines: Sequence[str]) -> int:
    """Index of the salutation line, or of a line ~1500 characters in when there is none."""
    total = 0
    for i, line in enumerate(lines):
        if _SALUTATION_RE.match(line):
            return i
        total += len(line) + 1
        if total > 1500:
            return i
    return len(lines)


def _find_addressee(
    lines: Sequence[str], fields: Sequence[_Field], blocks: Sequence[_AddressBlock]
) -> str | None:
    """Addressee as one short line, or ``None``.

    Precedence: an 'Aan' label; the line after '> Retouradres'; an address block that is not the
    sender's (see :func:`_addressee_from_block`); a known addressee line at the top ('Provinciale
    Staten van Overijssel'); the organisation above an attention ('t.a.v.') line.
    """
    for f in fields:
        if f.name == "aan" and f.value:
            return _short(_strip_address(f.value))
    top = _letterhead_end(lines)
    for i, line in enumerate(lines[:top]):
        if "retouradres" in line.lower():
            j = _next_nonempty(lines, i, limit=3)
            if j is not None and not _is_address_line(lines[j]) and not _starts_with_label(lines[j]):
                value, _ = _take_text(lines, j, lines[j])
                return _short(_strip_address(_strip_aan(value)))
    for block in blocks:
        if not block.is_sender and block.names:
            found = _addressee_from_block(block.names)
            if found:
                return found
    for i, line in enumerate(lines[:top]):
        if _KNOWN_ADDRESSEE_RE.match(line):
            value, _ = _take_text(lines, i, line)
            return _short(value)
    for i, line in enumerate(lines[:top]):
        if _TAV_RE.match(line) and len(line) < 80:
            j = i - 1
            while j >= 0 and not lines[j]:
                j -= 1
            if j >= 0 and not _starts_with_label(lines[j]) and not _is_address_line(lines[j]):
                return _short(lines[j])
            return _short(_TAV_RE.sub("", line))
    return None


def _ministry_from_site(text: str) -> str | None:
    for m in _RIJK_SITE_RE.finditer(text):
        ministry = _MINISTRIES.get(m.group(1).lower())
        if ministry:
            return ministry
    return None


def _find_sender(
    lines: Sequence[str], all_lines: Sequence[str], fields: Sequence[_Field], blocks: Sequence[_AddressBlock]
) -> str | None:
    """Sender, by precedence.

    1. an 'Afzender:' or mail 'Van:' label;
    2. the sender's letterhead block ('Ministerie van Infrastructuur en Waterstaat',
       'Provincie Overijssel'); a Rijksoverheid sub-unit ('Directoraat-generaal ...') is named by its
       ministry when the letterhead's web address says which ('rijksoverheid.nl/jenv');
    3. an organisation named in the letterhead, outside the addressee block ('Interprovinciaal
       Overleg', 'Gedeputeerde Staten van Overijssel', 'Provincie Overijssel', 'Ministerie van ...');
    4. the signature ('Gedeputeerde Staten van Overijssel,', 'De minister van X' -> 'Ministerie van X');
    5. contact details: '(IPO)' or an '@ipo.nl' address, or a province's e-mail domain.
    """
    for name in ("afzender", "van"):
        for f in fields:
            if f.name == name and f.value and not _is_placeholder(f.value):
                return _short(f.value)
    head_text = "\n".join(lines)
    site_ministry = _ministry_from_site(head_text)
    for block in blocks:
        if block.is_sender and block.names:
            names = _logical_lines(block.names)
            ministry = next((x for x in names if _MINISTRY_LINE_RE.match(x)), None)
            if ministry:
                return _short(ministry)
            return _short(site_ministry or names[0])
    if site_ministry:
        return site_ministry
    addressee_lines = {i for b in blocks if not b.is_sender for i in range(b.first_line, b.last_line + 1)}
    top = _letterhead_end(lines)
    for i, line in enumerate(lines[:top]):
        if i in addressee_lines or _KNOWN_ADDRESSEE_RE.match(line):
            continue
        if _IPO_RE.search(line):
            return "Interprovinciaal Overleg"
        m = _GS_RE.match(line) or _PROVINCE_RE.match(line)
        if m:
            return _short(m.group(0))
        if _MINISTRY_LINE_RE.match(line):
            value, _ = _take_text(lines, i, line)
            return _short(value)
    for line in all_lines:
        m = _SIGNATURE_GS_RE.match(line)
        if m:
            return f"Gedeputeerde Staten van {m.group(1)}"
        m = _SIGNATURE_MINISTER_RE.match(line)
        if m:
            if m.group(1).lower() == "van":
                return f"Ministerie van {m.group(2).strip()}"
            return f"Minister voor {m.group(2).strip()}"
    for line in all_lines:
        if _IPO_CONTACT_RE.search(line):
            return "Interprovinciaal Overleg"
    for line in lines:
        for dm in _EMAIL_DOMAIN_RE.finditer(line):
            domain = dm.group(1).lower()
            for known, org in _PROVINCE_DOMAINS.items():
                if domain == known or domain.endswith("." + known):
                    return org
    return None


# --------------------------------------------------------------------------------------------------
# Document type
# --------------------------------------------------------------------------------------------------

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
    """Document type (one of :data:`~assistant.schema.DOC_TYPES`) from the file name and the text.

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
    top = [ln for ln in _normalise_lines(text[:3000]) if ln and not re.fullmatch(r"[\d\s.]+", ln)][:6]
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


# --------------------------------------------------------------------------------------------------
# Title
# --------------------------------------------------------------------------------------------------

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
_SUBJECT_TITLED = frozenset(
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
    if (
        _BANNER_RE.match(line)
        or _starts_with_label(line)
        or _POSTCODE_RE.match(line)
        or _POSTBUS_RE.match(line)
    ):
        return False  # (a street-like line may be a title: 'Burgerlijk Wetboek Boek 1')
    if "|" in line or line.endswith(":"):
        return False  # a table row or a form field
    if _is_contact_line(line) or line.startswith((">", "[", "•", "-")) or _SALUTATION_RE.match(line):
        return False
    if line.endswith(",") or _INITIALS_RE.match(line):
        return False  # a signature ('De minister van ...,', 'D.M. van Weel')
    if _dateline(line):
        return False
    letters = sum(ch.isalpha() for ch in line)
    return letters >= 0.5 * len(line) and not line[0].islower()


def _first_heading(lines: Sequence[str]) -> str | None:
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
            if not (_continues(parts[-1], nxt) or short_pair or re.fullmatch(r"(?:19|20)\d{2}", nxt)):
                break
            parts.append(nxt)
        heading = " ".join(parts).strip()
        if _SENTENCE_END_RE.search(heading) or len(heading) > 150:
            return None
        return heading
    return None


def _meaningful_property_title(properties: dict[str, str]) -> str | None:
    title = re.sub(r"\s+", " ", properties.get("title", "")).strip()
    if not title or _BAD_PROPERTY_TITLE_RE.match(title) or sum(ch.isalpha() for ch in title) < 3:
        return None
    return title


# --------------------------------------------------------------------------------------------------
# Putting it together
# --------------------------------------------------------------------------------------------------


def _head_text(doc: LoadedDocument) -> str:
    """The part of a document that holds its letterhead.

    That is the first page of a paginated file (two when the first is nearly empty), else the first
    4000 characters. Rijksoverheid letterheads put their right-hand column anywhere on page 1, so the
    whole page is searched.
    """
    if not doc.pages:
        return ""
    first = doc.pages[0]
    if first.page is not None or first.slide is not None:
        text = first.text
        if len(text.strip()) < 200 and len(doc.pages) > 1:
            text = f"{text}\n{doc.pages[1].text}"
        return text[:6000]
    return doc.text[:4000]


def _top_dates(lines: Sequence[str], skip: set[int]) -> tuple[str | None, str | None]:
    """``(dateline, prose)`` dates within the top ~1500 characters.

    ``dateline`` is the first date standing on its own line (see :func:`_dateline`), ``prose`` the
    first date in running text; dates of the recipient's letter ('uw brief van ...') are skipped.
    """
    dateline: str | None = None
    prose: str | None = None
    total = 0
    for i, line in enumerate(lines):
        if total > 1500:
            break
        total += len(line) + 1
        if not line or i in skip:
            continue
        if dateline is None:
            dateline = _dateline(line)
        if prose is None:
            for start, _, iso in _iter_dates(line):
                if not _FOREIGN_DATE_CONTEXT_RE.search(line[:start]):
                    prose = iso
                    break
        if dateline and prose:
            break
    return dateline, prose


def _first_value(fields: Sequence[_Field], name: str) -> str | None:
    for f in fields:
        if f.name == name and f.value and not _is_placeholder(f.value):
            return f.value
    return None


def extract_metadata(doc: LoadedDocument, *, filename: str) -> DocMeta:
    """Title, document type, date, kenmerk, onderwerp, addressee and sender of a loaded document.

    All evidence comes from the letterhead part of the text (the first page, see ``_head_text``),
    the whole text for signatures, the format ``properties`` and ``filename``. Precedence per field:

    * **date**: (1) a labelled 'Datum' (also in a label row or as 'datum <date>' within a line);
      (2) 'Verzonden' / 'Datum verzending'; (3) a *dateline* in the top ~1500 characters, a line
      that is just a date, optionally after 'd.d.', a place or a weekday ('Zwolle, 12 oktober
      2023', 'Woensdag 20 maart 2024 09:00 uur'); (4) a date prefix in the file name
      ('240528_...'); (5) the first date in running text near the top, except the recipient's
      ('uw brief van ...'); (6) ``properties['created']``. The file name comes before dates in prose
      because those mostly refer to *other* events ('verslag overleg 10 januari 2024' at the top of
      the 8 February report), while the archive names its files by document date; the format's
      creation date comes last because exports and templates make it unreliable.
    * **kenmerk**: 'Ons kenmerk' > 'Kenmerk' > 'Documentnummer' > 'Registratiekenmerk' >
      'GS-kenmerk' > 'Referentie' > 'Zaaknummer'; never 'Uw kenmerk'. Values must look like a
      reference (a digit, at most six words).
    * **onderwerp**: 'Onderwerp' or 'Betreft', including wrapped continuation lines.
    * **addressee**: one short line; see ``_find_addressee`` (an 'Aan' label, the line after
      '> Retouradres', the non-sender address block's office holder or first line, a known
      addressee such as 'Provinciale Staten van Overijssel', the organisation above a 't.a.v.').
    * **sender**: see ``_find_sender`` (Afzender/Van label, the letterhead block, an organisation
      named in the letterhead, the signature, contact details).
    * **doc_type**: see :func:`classify_doc_type`; an explicit 'Documenttype:' line wins.
    * **title**: (1) a 'Titel:' line; (2) the onderwerp for letters, notes and proposals; (3) the
      first slide title or the opening heading (replaced by ``properties['title']`` when that is the
      same heading in full); (4) the onderwerp for other types; (5) a meaningful
      ``properties['title']``; (6) :func:`title_from_filename`.
    """
    head_lines = _normalise_lines(_head_text(doc))
    fields = _parse_fields(head_lines)
    all_lines = _normalise_lines(doc.text) if doc.pages else []

    # Date
    iso: str | None = None
    for name in ("datum", "verzonden"):
        for f in fields:
            if f.name == name and iso is None:
                iso = parse_dutch_date(f.value)
    if iso is None:
        skip = {f.line for f in fields if f.name == "_uw_brief"}
        dateline, prose = _top_dates(all_lines or head_lines, skip)
        created = doc.properties.get("created", "")
        iso = (
            dateline
            or date_from_filename(filename)
            or prose
            or (_date_from_property(created) if created else None)
        )

    # Kenmerk
    kenmerk: str | None = None
    for name in _KENMERK_FIELDS:
        for f in fields:
            if f.name == name and _valid_kenmerk(f.value):
                kenmerk = _short(f.value, 60)
                break
        if kenmerk:
            break

    onderwerp_raw = _first_value(fields, "onderwerp")
    onderwerp = _short(onderwerp_raw, 300) if onderwerp_raw else None
    blocks = _address_blocks(head_lines)
    addressee = _find_addressee(head_lines, fields, blocks)
    sender = _find_sender(head_lines, all_lines, fields, blocks)

    has_salutation = any(_SALUTATION_RE.match(x) for x in head_lines)
    labelled = sum(
        (
            any(f.name in {"datum", "verzonden"} for f in fields),
            kenmerk is not None,
            onderwerp is not None,
        )
    )
    letterhead = (has_salutation and labelled >= 1) or (labelled >= 2 and addressee is not None)
    slides = bool(doc.pages) and doc.pages[0].slide is not None
    doc_type = classify_doc_type(
        filename,
        doc.text[:3000],
        explicit=_first_value(fields, "documenttype"),
        slides=slides,
        letterhead=letterhead,
        addressee=addressee,
        onderwerp=onderwerp,
        page_lengths=[len(p.text) for p in doc.pages] if doc.pages and doc.pages[0].page is not None else (),
    )

    # Title
    property_title = _meaningful_property_title(doc.properties)
    title = _first_value(fields, "titel")
    if not title and onderwerp and doc_type in _SUBJECT_TITLED:
        title = onderwerp
    if not title:
        heading = doc.pages[0].heading if slides and doc.pages[0].heading else _first_heading(all_lines)
        if heading and property_title and property_title.lower().startswith(heading.lower()):
            heading = property_title  # the heading was cut short by the layout; the property has it all
        title = heading or onderwerp or property_title or title_from_filename(filename)

    return DocMeta(
        title=_short(title, 300),
        doc_type=doc_type,
        date=iso,
        kenmerk=kenmerk,
        onderwerp=onderwerp,
        addressee=addressee,
        sender=sender,
    )
