"""``extract_metadata``: every field of a document's :class:`~assistant.core.records.DocMeta`.

This is where the evidence is combined: it takes the letterhead part of the document, reads its
labelled fields once, and applies the precedence rules that :func:`extract_metadata`'s docstring
states for each field, using the other modules of this package for the parts.
"""

from __future__ import annotations

from assistant.core.dates import parse_dutch_date
from assistant.core.records import DocMeta, LoadedDocument

from .addresses import address_blocks, find_addressee, find_sender
from .dates import date_from_filename, date_from_property, top_dates
from .doctype import classify_doc_type
from .fields import first_value, parse_fields, valid_kenmerk
from .labels import KENMERK_FIELDS
from .lines import SALUTATION_RE, normalise_lines, tidy
from .title import SUBJECT_TITLED, first_heading, meaningful_property_title, title_from_filename


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
    * **addressee**: one short line; see :func:`~ingest.metadata.addresses.find_addressee` (an
      'Aan' label, the line after '> Retouradres', the non-sender address block's office holder or
      first line, a known addressee such as 'Provinciale Staten van Overijssel', the organisation
      above a 't.a.v.').
    * **sender**: see :func:`~ingest.metadata.addresses.find_sender` (Afzender/Van label, the
      letterhead block, an organisation named in the letterhead, the signature, contact details).
    * **doc_type**: see :func:`classify_doc_type`; an explicit 'Documenttype:' line wins.
    * **title**: (1) a 'Titel:' line; (2) the onderwerp for letters, notes and proposals; (3) the
      first slide title or the opening heading (replaced by ``properties['title']`` when that is the
      same heading in full); (4) the onderwerp for other types; (5) a meaningful
      ``properties['title']``; (6) :func:`title_from_filename`.
    """
    head_lines = normalise_lines(_head_text(doc))
    fields = parse_fields(head_lines)
    all_lines = normalise_lines(doc.text) if doc.pages else []

    # Date
    iso: str | None = None
    for name in ("datum", "verzonden"):
        for f in fields:
            if f.name == name and iso is None:
                iso = parse_dutch_date(f.value)
    if iso is None:
        skip = {f.line for f in fields if f.name == "_uw_brief"}
        dateline, prose = top_dates(all_lines or head_lines, skip)
        created = doc.properties.get("created", "")
        iso = (
            dateline
            or date_from_filename(filename)
            or prose
            or (date_from_property(created) if created else None)
        )

    # Kenmerk
    kenmerk: str | None = None
    for name in KENMERK_FIELDS:
        for f in fields:
            if f.name == name and valid_kenmerk(f.value):
                kenmerk = tidy(f.value, 60)
                break
        if kenmerk:
            break

    onderwerp_raw = first_value(fields, "onderwerp")
    onderwerp = tidy(onderwerp_raw, 300) if onderwerp_raw else None
    blocks = address_blocks(head_lines)
    addressee = find_addressee(head_lines, fields, blocks)
    sender = find_sender(head_lines, all_lines, fields, blocks)

    has_salutation = any(SALUTATION_RE.match(x) for x in head_lines)
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
        explicit=first_value(fields, "documenttype"),
        slides=slides,
        letterhead=letterhead,
        addressee=addressee,
        onderwerp=onderwerp,
        page_lengths=[len(p.text) for p in doc.pages] if doc.pages and doc.pages[0].page is not None else (),
    )

    # Title
    property_title = meaningful_property_title(doc.properties)
    title = first_value(fields, "titel")
    if not title and onderwerp and doc_type in SUBJECT_TITLED:
        title = onderwerp
    if not title:
        heading = doc.pages[0].heading if slides and doc.pages[0].heading else first_heading(all_lines)
        if heading and property_title and property_title.lower().startswith(heading.lower()):
            heading = property_title  # the heading was cut short by the layout; the property has it all
        title = heading or onderwerp or property_title or title_from_filename(filename)

    return DocMeta(
        title=tidy(title, 300),
        doc_type=doc_type,
        date=iso,
        kenmerk=kenmerk,
        onderwerp=onderwerp,
        addressee=addressee,
        sender=sender,
    )
