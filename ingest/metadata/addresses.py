"""Addressee and sender: address blocks, known addressees, letterhead organisations, signatures.

A letter names its addressee in an address block (name lines above a street or post box and a
postcode) or after 'Aan'/'> Retouradres', and its sender in a letterhead block followed by contact
details, in an organisation line, in the signature or only in an e-mail address.
:func:`find_addressee` and :func:`find_sender` state the precedence. The ministries and provinces a
sender is recognised by are data (see :mod:`ingest.metadata.organisations`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .fields import Field
from .labels import line_start_label, starts_with_label
from .lines import (
    POSTBUS_RE,
    POSTCODE_RE,
    SALUTATION_RE,
    continues,
    is_address_line,
    is_contact_line,
    is_placeholder,
    next_nonempty,
    take_text,
    tidy,
)
from .organisations import ministries, province_domains, province_names

#: The address part at the end of a one-line name: a post box, or a (street and) postcode.
_ADDRESS_TAIL_RE = re.compile(
    r"\s+(?:(?:Postbus|Antwoordnummer)\s+\d+"
    r"|(?:[A-Z][^\W\d_]{2,}[\w'’.-]*(?:\s+[\w'’.-]+){0,3}\s+\d{1,4}[a-zA-Z]?\s+)?[1-9]\d{3}\s?[A-Z]{2}\b).*$"
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
#: Any name of a province ('Overijssel', 'Fryslân' or 'Friesland'; see resources/provinces.toml).
_PROVINCE_ALT = "|".join(re.escape(p) for p in province_names())
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
#: The domain of an e-mail address: a province's e-mail domain is the last resort for a province's
#: letter without a letterhead.
_EMAIL_DOMAIN_RE = re.compile(r"@([\w.-]+\.\w+)")


@dataclass(frozen=True, slots=True)
class AddressBlock:
    """Name lines above an address (street/postbus/postcode) and whether it is the sender's."""

    names: tuple[str, ...]
    first_line: int
    last_line: int
    is_sender: bool


def address_blocks(lines: Sequence[str]) -> list[AddressBlock]:
    """Address blocks in letterhead order.

    A block is a run of address lines holding a postcode or post box, with the (up to four) name lines
    right above it. It is the sender's letterhead when contact lines (telephone, website, e-mail, KvK,
    IBAN) follow within three lines; otherwise it is an addressee.
    """
    blocks: list[AddressBlock] = []
    i = 0
    n = len(lines)
    while i < n:
        if not is_address_line(lines[i]):
            i += 1
            continue
        start = i
        end = i
        anchored = False
        while end < n and (
            is_address_line(lines[end]) or _ADDRESS_HEADING_RE.match(lines[end]) or not lines[end]
        ):
            if POSTCODE_RE.match(lines[end]) or POSTBUS_RE.match(lines[end]):
                anchored = True
            if not lines[end] and not (end + 1 < n and is_address_line(lines[end + 1])):
                break
            end += 1
        if not anchored or starts_with_label(lines[start]):
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
            if POSTCODE_RE.match(cand) or cand.startswith(">") or "retouradres" in cand.lower():
                break
            if is_address_line(cand) or is_contact_line(cand):
                break
            label = line_start_label(cand)
            if label is not None and label[0] != "aan":
                break
            names.insert(0, cand)
            j -= 1
        after = [ln for ln in lines[end : end + 6] if ln][:3]
        is_sender = any(is_contact_line(ln) for ln in after)
        blocks.append(AddressBlock(tuple(names), j + 1, end - 1, is_sender))
        i = end + 1
    return blocks


def _logical_lines(names: Sequence[str]) -> list[str]:
    """Name lines with wrapped phrases joined ('Ministerie van' + 'Infrastructuur en' + 'Waterstaat')."""
    out: list[str] = []
    for line in names:
        if out and continues(out[-1], line):
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
    label = line_start_label(line)
    if label is not None and label[0] == "aan":
        return line[label[1] :].strip()
    return line


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
            return tidy(line)
    return tidy(logical[0])


def _letterhead_end(lines: Sequence[str]) -> int:
    """Index of the salutation line, or of a line ~1500 characters in when there is none."""
    total = 0
    for i, line in enumerate(lines):
        if SALUTATION_RE.match(line):
            return i
        total += len(line) + 1
        if total > 1500:
            return i
    return len(lines)


def find_addressee(
    lines: Sequence[str], fields: Sequence[Field], blocks: Sequence[AddressBlock]
) -> str | None:
    """Addressee as one short line, or ``None``.

    Precedence: an 'Aan' label; the line after '> Retouradres'; an address block that is not the
    sender's (see :func:`_addressee_from_block`); a known addressee line at the top ('Provinciale
    Staten van Overijssel'); the organisation above an attention ('t.a.v.') line.
    """
    for f in fields:
        if f.name == "aan" and f.value:
            return tidy(_strip_address(f.value))
    top = _letterhead_end(lines)
    for i, line in enumerate(lines[:top]):
        if "retouradres" in line.lower():
            j = next_nonempty(lines, i, limit=3)
            if j is not None and not is_address_line(lines[j]) and not starts_with_label(lines[j]):
                value, _ = take_text(lines, j, lines[j])
                return tidy(_strip_address(_strip_aan(value)))
    for block in blocks:
        if not block.is_sender and block.names:
            found = _addressee_from_block(block.names)
            if found:
                return found
    for i, line in enumerate(lines[:top]):
        if _KNOWN_ADDRESSEE_RE.match(line):
            value, _ = take_text(lines, i, line)
            return tidy(value)
    for i, line in enumerate(lines[:top]):
        if _TAV_RE.match(line) and len(line) < 80:
            j = i - 1
            while j >= 0 and not lines[j]:
                j -= 1
            if j >= 0 and not starts_with_label(lines[j]) and not is_address_line(lines[j]):
                return tidy(lines[j])
            return tidy(_TAV_RE.sub("", line))
    return None


def _ministry_from_site(text: str) -> str | None:
    for m in _RIJK_SITE_RE.finditer(text):
        ministry = ministries().get(m.group(1).lower())
        if ministry:
            return ministry
    return None


def find_sender(
    lines: Sequence[str], all_lines: Sequence[str], fields: Sequence[Field], blocks: Sequence[AddressBlock]
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
            if f.name == name and f.value and not is_placeholder(f.value):
                return tidy(f.value)
    head_text = "\n".join(lines)
    site_ministry = _ministry_from_site(head_text)
    for block in blocks:
        if block.is_sender and block.names:
            names = _logical_lines(block.names)
            ministry = next((x for x in names if _MINISTRY_LINE_RE.match(x)), None)
            if ministry:
                return tidy(ministry)
            return tidy(site_ministry or names[0])
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
            return tidy(m.group(0))
        if _MINISTRY_LINE_RE.match(line):
            value, _ = take_text(lines, i, line)
            return tidy(value)
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
            for known, org in province_domains().items():
                if domain == known or domain.endswith("." + known):
                    return org
    return None
