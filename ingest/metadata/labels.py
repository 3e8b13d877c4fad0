"""Letterhead labels: which printed labels there are, which field each fills, and how one opens a line.

Dutch letters print their metadata as labelled fields ('Datum', 'Ons kenmerk', 'Betreft', 'Aan',
...). This is that vocabulary, in one place, so that normalising lines, reading field values and
telling a label line from a name, address or title line all agree on what a label is.
"""

from __future__ import annotations

import re

#: Letterhead labels as printed (case-insensitive; a space matches any whitespace) and the field each
#: fills. Fields starting with '_' are recognised only so that their values are not taken for ours
#: (the recipient's references) or so that they end another label's value (weak labels).
_LABEL_FIELDS: dict[str, str] = {
    # the recipient's references: recognised, never used
    "uw brief van": "_uw_brief", "uw brief d.d.": "_uw_brief", "uw brief": "_uw_brief",
    "uw schrijven van": "_uw_brief", "uw e-mail van": "_uw_brief", "uw datum": "_uw_brief",
    "uw kenmerk": "_uw_kenmerk", "uw referentie": "_uw_kenmerk", "uw nummer": "_uw_kenmerk",
    # our reference, most specific first (see KENMERK_FIELDS for the preference)
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
SEPARATOR_ONLY = frozenset({"aan", "van", "titel", "documenttype", "afzender", "cc"})
ALL_LABELS: dict[str, str] = {**_LABEL_FIELDS, **dict.fromkeys(_WEAK_LABELS, "_weak")}

#: Any label, at word boundaries, longest first ('datum verzending' before 'datum').
LABEL_RE = re.compile(
    r"(?<![\w-])(?:"
    + "|".join(re.escape(lab).replace(r"\ ", r"\s+") for lab in sorted(ALL_LABELS, key=len, reverse=True))
    + r")(?![\w-])",
    re.IGNORECASE,
)
#: What may follow a label before its value: a colon, a table bar, or just spaces.
LABEL_SEP_RE = re.compile(r"\s*(?:[:|]\s*)?")
#: 'Aan' without a colon is the addressee label only when an addressee follows
#: ('Aan de heer ...', 'Aan Provinciale Staten'); 'Aan de hand van' is prose.
_AAN_ADDRESSEE_RE = re.compile(
    r"(?:(?:de|het)\s+)?(?:heer|mevrouw|voorzitter|leden|minister|staatssecretaris|directeur|"
    r"gemeenteraad|raad|colleges?|provinciale staten|gedeputeerde staten|ministerie|gemeente|"
    r"burgemeester|commissie|dagelijks bestuur|algemeen bestuur)\b",
    re.IGNORECASE,
)

#: Fields whose values are dates / kenmerken (used to validate a label found mid-line).
DATE_FIELDS = frozenset({"datum", "verzonden", "_uw_brief"})
KENMERK_FIELDS: tuple[str, ...] = (
    "ons_kenmerk", "kenmerk", "documentnummer", "registratiekenmerk", "gs_kenmerk", "referentie",
    "zaaknummer",
)  # fmt: skip
KENMERKISH_FIELDS = frozenset({*KENMERK_FIELDS, "_uw_kenmerk"})
#: Fields whose value may run on over the next lines ('Betreft ... \n(NPCE) incl. ...').
TEXT_FIELDS = frozenset({"onderwerp", "aan", "afzender", "titel"})


def label_field(label_text: str) -> str:
    """Field name for a matched label text ('Ons  kenmerk' -> 'ons_kenmerk')."""
    return ALL_LABELS[re.sub(r"\s+", " ", label_text.lower())]


def line_start_label(line: str) -> tuple[str, int] | None:
    """``(field, value_start)`` when ``line`` begins with a label, else ``None``."""
    start = len(line) - len(line.lstrip("| "))
    m = LABEL_RE.match(line, start)
    if not m:
        return None
    field = label_field(m.group())
    sep = LABEL_SEP_RE.match(line, m.end())
    value_start = sep.end() if sep else m.end()
    rest = line[m.end() :]
    has_sep = bool(re.match(r"\s*[:|]", rest))
    low = m.group().lower()
    if low in SEPARATOR_ONLY:
        if low == "aan" and not has_sep:
            return (field, value_start) if _AAN_ADDRESSEE_RE.match(line, value_start) else None
        if not has_sep and rest.strip():
            return None
    if field == "_weak" and rest.strip() and not has_sep and not re.match(r"\s*[\d_]", rest):
        return None
    if m.group()[0].islower() and low in {"aan", "van"}:
        return None  # a lowercase 'van:' is prose, not the mail header
    return field, value_start


def starts_with_label(line: str) -> bool:
    return line_start_label(line) is not None
