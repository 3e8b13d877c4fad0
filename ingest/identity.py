"""Document identity: one ``doc_id`` for every file copy of one document, derived from its content.

The archive keeps letters as DOCX and as PDF, and decks as PPTX and as PDF. Their texts differ in page
furniture and line breaks, so a hash of the bytes or of the raw text would tell them apart. What the
copies share is what the letterhead says: kenmerk, date, title and document type, all read from the
text by the metadata extractor. A document without a date and kenmerk has no such identity; its id is
then a digest of its normalised words, so only an identical text under another name shares it.
"""

from __future__ import annotations

import hashlib

from assistant.core.records import DocMeta
from assistant.core.tokens import fold_accents


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:24]


def document_id(meta: DocMeta, text: str) -> str:
    """The content-derived id of the document that ``meta`` and ``text`` describe.

    * with a kenmerk: the kenmerk and the date (a kenmerk names one letter);
    * with a date: the title, the date and the document type;
    * otherwise: the document's words, accent-folded and whitespace-collapsed.
    """
    title = " ".join(fold_accents(meta.title).split())
    if meta.kenmerk:
        return "k-" + _digest(meta.kenmerk.strip().lower(), meta.date or "")
    if meta.date and title:
        return "t-" + _digest(title, meta.date, meta.doc_type)
    return "x-" + _digest(" ".join(fold_accents(text).split()))
