"""Document dates: the date that a file name, a format property or a dateline gives a document.

The Dutch date parser itself is shared (:mod:`assistant.core.dates`: filters, answers and metadata
must read '5 november 2024' and '5-11-2024' alike); this module adds what dating a *document* needs:
the archive's file-name conventions ('240528_Brief...'), the date forms of format properties
('D:20240528133420+02'), *datelines* (a line that is just a date, optionally after a place or a
weekday) and the first date near the top that is not the recipient's ('uw brief van ...').
:func:`~ingest.metadata.extract.extract_metadata` decides which of them wins.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePath

# DATE_RE is the shared parser's pattern. Besides valid dates (iter_dates) the letterhead parsing
# needs to know whether a value is *printed* as a date at all and where a date starts at a given
# position, which only the pattern tells.
from assistant.core.dates import DATE_RE, iter_dates, parse_dutch_date, valid_iso

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
            iso = valid_iso(int(m.group("y8")), int(m.group("m8")), int(m.group("d8")))
        else:
            iso = valid_iso(2000 + int(m.group("y6")), int(m.group("m6")), int(m.group("d6")))
        if iso:
            return iso
    return parse_dutch_date(stem.replace("_", " "))


def date_from_property(value: str) -> str | None:
    """Date from a format property such as ``created`` (ISO or PDF ``D:YYYYMMDD...`` form)."""
    m = _PROPERTY_DATE_RE.search(value)
    if m:
        return valid_iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    return parse_dutch_date(value)


def is_date_text(value: str) -> bool:
    """Whether ``value`` is printed as a date and nothing more (valid or not: '31-02-2024' is one)."""
    return DATE_RE.fullmatch(value) is not None


def valid_date_value(value: str) -> bool:
    """A value that starts with a date (after an optional weekday) and says little else (a time)."""
    m = _DATELINE_PREFIX_RE.match(value)
    if not m:
        return False
    d = DATE_RE.match(value, m.end())
    if not d or parse_dutch_date(d.group()) is None:
        return False
    rest = value[d.end() :]
    # a second date makes it a period ('1 mei 2024 tot en met 1 juni 2025'), not a date
    return len(rest) <= 25 and parse_dutch_date(rest) is None


def dateline_date(line: str) -> str | None:
    """The date of a *dateline*, else ``None``.

    A dateline is a short line that is just a date, optionally after 'd.d.', a place or a weekday
    ('Zwolle, 12 oktober 2023', 'Woensdag 20 maart 2024 09:00 - 10:30 uur').
    """
    prefix = _DATELINE_PREFIX_RE.match(line)
    if prefix is None or len(line) > 80 or not valid_date_value(line[prefix.end() :]):
        return None
    return parse_dutch_date(line[prefix.end() :])


def top_dates(lines: Sequence[str], skip: set[int]) -> tuple[str | None, str | None]:
    """``(dateline, prose)`` dates within the top ~1500 characters.

    ``dateline`` is the first date standing on its own line (see :func:`dateline_date`), ``prose`` the
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
            dateline = dateline_date(line)
        if prose is None:
            for start, _, iso in iter_dates(line):
                if not _FOREIGN_DATE_CONTEXT_RE.search(line[:start]):
                    prose = iso
                    break
        if dateline and prose:
            break
    return dateline, prose
