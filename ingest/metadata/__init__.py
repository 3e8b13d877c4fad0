"""Metadata from Dutch government documents: date, kenmerk, onderwerp, addressee, sender, type, title.

Everything here is a pure function over text that a loader already extracted (no I/O, no models;
only the lists of ministries and provinces are read, once, from data files), so it can be tested on
hand-made strings and on text pulled from real files.

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

One module per concern, each depending only on those listed before it:

* :mod:`~ingest.metadata.organisations`: the ministries and provinces (``resources/*.toml``);
* :mod:`~ingest.metadata.dates`: document dates (file name, format property, datelines); the Dutch
  date parser itself is :mod:`assistant.core.dates`;
* :mod:`~ingest.metadata.labels`: the letterhead labels and the field each fills;
* :mod:`~ingest.metadata.lines`: line normalisation, line kinds, wrapped phrases, :func:`tidy` values;
* :mod:`~ingest.metadata.fields`: reading labelled values (:func:`find_labelled`);
* :mod:`~ingest.metadata.addresses`: addressee and sender;
* :mod:`~ingest.metadata.doctype`: document type (:func:`classify_doc_type`);
* :mod:`~ingest.metadata.title`: titles (:func:`title_from_filename`);
* :mod:`~ingest.metadata.extract`: :func:`extract_metadata`, which combines them (its docstring
  states every precedence rule).

The public API is what this package exports: :func:`parse_dutch_date`, :func:`find_dates`,
:func:`find_labelled`, :func:`date_from_filename`, :func:`title_from_filename`,
:func:`classify_doc_type` and :func:`extract_metadata`.
"""

from __future__ import annotations

from assistant.core.dates import find_dates, parse_dutch_date

from .dates import date_from_filename
from .doctype import classify_doc_type
from .extract import extract_metadata
from .fields import find_labelled
from .title import title_from_filename

__all__ = [
    "classify_doc_type",
    "date_from_filename",
    "extract_metadata",
    "find_dates",
    "find_labelled",
    "parse_dutch_date",
    "title_from_filename",
]
