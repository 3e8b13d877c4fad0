"""Labelled letterhead fields: the values printed after 'Datum', 'Ons kenmerk', 'Betreft', 'Aan', ...

Reads every labelled value in a letterhead's lines, in all the shapes the package docstring lists
(label and value on one line or on two, rows of labels over rows of values, several pairs on one
line), and decides what a reference (kenmerk) looks like. :func:`find_labelled` is the public entry;
:func:`parse_fields` feeds :func:`~ingest.metadata.extract.extract_metadata`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from assistant.core.dates import iter_dates

from .dates import is_date_text, valid_date_value
from .labels import (
    ALL_LABELS,
    DATE_FIELDS,
    KENMERKISH_FIELDS,
    LABEL_RE,
    LABEL_SEP_RE,
    SEPARATOR_ONLY,
    TEXT_FIELDS,
    label_field,
    line_start_label,
    starts_with_label,
)
from .lines import is_placeholder, next_nonempty, normalise_lines, take_text

#: A kenmerk-like token: has a digit, starts with a letter or digit ('11812/2024', 'D2024-03-011394').
_KENMERK_TOKEN_RE = re.compile(r"(?=[^\s]*\d)[A-Za-z0-9][\w./&-]*")
#: A word that can be part of a reference: starts with a capital or digit, or is a lone dash/slash.
_CODE_TOKEN_RE = re.compile(r"[A-Z0-9][\w./&:-]*|[-–/]")


@dataclass(frozen=True, slots=True)
class Field:
    """One labelled value found in the text: its field name, the value and its line number."""

    name: str
    value: str
    line: int


def valid_kenmerk(value: str) -> bool:
    """A plausible reference: short (at most six words), contains a digit, and is not just a date."""
    value = value.strip()
    if not value or len(value) > 60 or len(value.split()) > 6 or not re.search(r"\d", value):
        return False
    return not is_date_text(value.strip(" .,"))


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


def _split_labelled(line: str) -> tuple[str, list[tuple[str, str]]]:
    """Split a line into the text before its first label and ``(field, value)`` pairs.

    A line that starts with a label may hold more ('Datum 21 mei 2024 Kenmerk 123',
    'onderwerp _____ ons kenmerk 11813/2024'); a further label is accepted when it directly follows a
    blank value (a row of labels) or when its own value is valid for it (a date after 'datum', a
    reference after 'kenmerk'). In a line that does *not* start with a label only the second kind is
    accepted, which reads 'Inbreng provincies voor de NDS datum 1 november 2024' as a subject plus a
    date while leaving prose ('de datum en ons kenmerk vermelden') alone.
    """
    first = line_start_label(line)
    # (field, label start, value start, value when only the start of the text up to the next label is it)
    labels: list[tuple[str, int, int, str | None]] = []
    if first is not None:
        labels.append((first[0], 0, first[1], None))
        pos = first[1]
    else:
        pos = 0
    candidates = [m for m in LABEL_RE.finditer(line, pos) if m.start() >= pos]
    for idx, m in enumerate(candidates):
        field = label_field(m.group())
        weak = field == "_weak" or m.group().lower() in SEPARATOR_ONLY
        if weak and not (labels and first is not None and is_placeholder(line[labels[-1][2] : m.start()])):
            continue  # weak labels only inside a row of labels
        sep = LABEL_SEP_RE.match(line, m.end())
        value_start = sep.end() if sep else m.end()
        following = candidates[idx + 1].start() if idx + 1 < len(candidates) else len(line)
        own_value = line[value_start:following].strip()
        prev_blank = bool(labels) and is_placeholder(line[labels[-1][2] : m.start()])
        if (first is not None and prev_blank) or (field in DATE_FIELDS and valid_date_value(own_value)):
            labels.append((field, m.start(), value_start, None))
        elif field in KENMERKISH_FIELDS and not line[: m.start()].rstrip().endswith("("):
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
        pairs.append((field, "" if is_placeholder(value) else value.strip(" |_")))
    return prefix, pairs


def _map_value_row(label_line: str, fields: Sequence[str], value_line: str, line_no: int) -> list[Field]:
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
            out: list[Field] = []
            for cell, value in zip(label_cells, value_cells, strict=True):
                m = LABEL_RE.fullmatch(cell)
                if m and value and not is_placeholder(value):
                    out.append(Field(label_field(m.group()), value, line_no))
            return out
    out = []
    dates = list(iter_dates(value_line))
    date_fields = [f for f in fields if f in DATE_FIELDS]
    for field, (start, end, _) in zip(reversed(date_fields), reversed(dates), strict=False):
        out.append(Field(field, value_line[start:end], line_no))
    rest = value_line
    for start, end, _ in reversed(dates):
        rest = rest[:start] + " " + rest[end:]
    tokens = [t for t in re.split(r"[\s|]+", rest) if _KENMERK_TOKEN_RE.fullmatch(t)]
    kenmerk_fields = [f for f in fields if f in KENMERKISH_FIELDS]
    for field, token in zip(reversed(kenmerk_fields), reversed(tokens), strict=False):
        out.append(Field(field, token, line_no))
    return out


def parse_fields(lines: Sequence[str]) -> list[Field]:
    """All labelled values in ``lines``, in document order (see the package docstring for the shapes)."""
    fields: list[Field] = []
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
                    if name in TEXT_FIELDS and not pairs:
                        value, next_i = take_text(lines, i, value)
                    fields.append(Field(name, value, i))
                pending = []
                if not pairs:
                    i = next_i
                    continue
        if not pairs:
            i += 1
            continue
        if not prefix and len(pairs) >= 2 and all(not v for _, v in pairs):
            j = next_nonempty(lines, i, limit=3)
            if j is not None and not starts_with_label(lines[j]):
                fields.extend(_map_value_row(line, [n for n, _ in pairs], lines[j], j))
                i = j + 1
                continue
        next_i = i + 1
        for name, value in pairs:
            if not value:
                pending.append(name)
            elif name in TEXT_FIELDS and (name, value) == pairs[-1]:
                full, next_i = take_text(lines, i, value)
                fields.append(Field(name, full, i))
            else:
                fields.append(Field(name, value, i))
        if pending:
            # Look ahead past blank lines only; the loop picks the value up on the next line.
            j = next_nonempty(lines, i)
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
    fields = parse_fields(normalise_lines(text))
    for label in labels:
        name = ALL_LABELS.get(re.sub(r"\s+", " ", label.lower().strip().rstrip(":")))
        if name is None:
            continue
        for f in fields:
            if f.name == name and f.value:
                return f.value
    return None


def first_value(fields: Sequence[Field], name: str) -> str | None:
    for f in fields:
        if f.name == name and f.value and not is_placeholder(f.value):
            return f.value
    return None
