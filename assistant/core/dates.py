"""Dutch dates: one month table, one parser for printed dates, one formatter, one filter-date check.

Metadata extraction, filters, answers and the sample-archive builder all read or write Dutch dates;
they share this module so that "5 november 2024", "5-11-2024" and "2024-11-05" mean the same date
everywhere, and an impossible date (2024-13-45) is an error everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

#: The twelve Dutch month names, January first (for writing dates).
MONTH_NAMES = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip

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
#: Alternation of every month spelling, longest first (for regular expressions).
MONTH_PATTERN = "|".join(sorted(_MONTHS, key=len, reverse=True))

#: One date in any of the printed forms. Day-first always (Dutch); a year is required, because a
#: date without one ('1 oktober') cannot be placed. The guards keep dates out of longer tokens such
#: as kenmerken ('D2024-03-011394', '11812/2024') and version numbers.
DATE_RE = re.compile(
    rf"""
    (?<![\w./-])
    (?:
        (?P<d1>\d{{1,2}})(?:e|ste|de)?\.?\s*        # '5', '1e', '1ste'
        (?P<mon>{MONTH_PATTERN})\.?                    # 'november', 'nov.', 'SEP'
        ,?\s+(?P<y1>\d{{4}})                        # '2024'
      | (?P<d2>\d{{1,2}})(?P<s2>[./-])(?P<m2>\d{{1,2}})(?P=s2)(?P<y2>\d{{4}})     # 21.05.2024, 1/11/2024
      | (?P<y3>\d{{4}})(?P<s3>[-/])(?P<m3>\d{{1,2}})(?P=s3)(?P<d3>\d{{1,2}})      # 2024-11-05 (ISO)
    )
    (?![\w/]|[.-]\d)
    """,
    re.IGNORECASE | re.VERBOSE,
)


def valid_iso(year: int, month: int, day: int) -> str | None:
    """ISO string for a real calendar date in a plausible range, else ``None`` (31-02 is rejected)."""
    if not 1900 <= year <= 2100:
        return None
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def iter_dates(text: str) -> Iterator[tuple[int, int, str]]:
    """Every valid date in ``text`` as ``(start, end, iso)``, in order of appearance."""
    for m in DATE_RE.finditer(text):
        if m.group("d1"):
            iso = valid_iso(int(m.group("y1")), _MONTHS[m.group("mon").lower()], int(m.group("d1")))
        elif m.group("d2"):
            iso = valid_iso(int(m.group("y2")), int(m.group("m2")), int(m.group("d2")))
        else:
            iso = valid_iso(int(m.group("y3")), int(m.group("m3")), int(m.group("d3")))
        if iso:
            yield m.start(), m.end(), iso


def find_dates(text: str) -> list[str]:
    """All valid dates in ``text`` as ISO strings, in order of appearance (duplicates kept)."""
    return [iso for _, _, iso in iter_dates(text)]


def parse_dutch_date(text: str) -> str | None:
    """First date in ``text`` as ISO ``YYYY-MM-DD``, or ``None``.

    Understands the forms Dutch documents print: '5 november 2024', '5 nov. 2024', '14 SEP 2024',
    'maandag 3 juni 2024', '1e november 2024', '21.05.2024', '21-05-2024', '1/11/2024',
    'd.d. 1/11/2024' and ISO '2024-11-05'. Numeric dates are always read day-first (Dutch), and only
    with a four-digit year (two-digit years clash with section and phone numbers). A date without a
    year ('1 oktober') or a period ('1e kwartaal', 'november 2024') is not a date; impossible dates
    (31-02-2024) are skipped and the search goes on.
    """
    for _, _, iso in iter_dates(text):
        return iso
    return None


def format_date(iso: str | None) -> str:
    """'2024-11-05' -> '5 november 2024' (the form Dutch readers expect); 'datum onbekend' otherwise."""
    if not iso or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", iso):
        return "datum onbekend"
    year, month, day = iso.split("-")
    return f"{int(day)} {MONTH_NAMES[int(month) - 1]} {year}"


class InvalidDateError(ValueError):
    """A date a user typed that is not a real calendar date; the message is Dutch and names the value."""


def parse_user_date(value: str) -> str:
    """A date typed by a user (filters): ISO, day-first numeric or written out, as ISO ``YYYY-MM-DD``.

    "2024-11-05", "5-11-2024", "5/11/2024" and "5 november 2024" are all 5 November 2024. Anything else,
    including impossible dates such as "2024-13-45", raises :class:`InvalidDateError`.
    """
    text = value.strip()
    found = list(iter_dates(text))
    if len(found) == 1 and found[0][0] == 0 and found[0][1] == len(text):
        return found[0][2]
    raise InvalidDateError(
        f"ongeldige datum '{value}': gebruik JJJJ-MM-DD (bv. 2024-11-05), DD-MM-JJJJ of '5 november 2024'"
    )
