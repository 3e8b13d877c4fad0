"""Evidence sentences: the sentences of a source that can say something, without the furniture.

Letters open with letterhead blocks ("Aan de heer dr. E.E.W. Bruins ... Postbus 16375 ..."), reference
tables ("Ons kenmerk | Datum"), salutations and page numbers; ingested Markdown and slides start with
the document's own header lines ("Datum: ... Documenttype: ..."). None of that answers a question, but
it shares the question's words (the title, the addressee), so a word-overlap ranking picks it. The
document's metadata stays available as fields (title, date, kenmerk, addressee); as evidence, only
sentences count. Nor is a question evidence: Kamervragen repeat the words of a question about them
("Deelt u de mening dat ...?"), but a question asserts nothing. Pure functions.
"""

from __future__ import annotations

import re

from assistant.core.text import sentences_of
from assistant.rag.injection import drop_instructions

#: Letterhead and header labels followed by a separator ("Datum:", "Ons kenmerk |").
_LABEL = (
    r"datum(?:\s+verzending)?|verzonden|kenmerk|ons\s+kenmerk|uw\s+kenmerk|uw\s+brief(?:\s+van)?|onderwerp|"
    r"betreft|bijlagen?|bijlage\(n\)|aan|van|afzender|documenttype|titel|cc|telefoon|tel|e-?mail|"
    r"contactpersoon|behandeld\s+door|doorkiesnummer|(?:meer\s+)?inlichtingen(?:\s+bij)?|pagina|postbus|bezoekadres|postadres|"
    r"zaaknummer|registratienummer|classificatie|status|versie|auteur"
)
_LABEL_START = re.compile(rf"^(?:{_LABEL})\s*[:|]", re.IGNORECASE)
_LABEL_ANYWHERE = re.compile(rf"(?:^|\s)(?:{_LABEL})\s*:", re.IGNORECASE)
_CLOSING = re.compile(
    r"^(?:geachte|zeer\s+geachte|hooggeachte|hoogachtend|met\s+vriendelijke\s+groet(?:en)?|"
    r"met\s+hartelijke\s+groet|namens\s+deze)\b",
    re.IGNORECASE,
)
_PAGE = re.compile(r"^(?:pagina|blad|p\.)\s*\d+(?:\s*(?:van|/)\s*\d+)?\.?$", re.IGNORECASE)
_POSTCODE = re.compile(r"\b[1-9]\d{3}\s?[A-Z]{2}\b")
_ADDRESS = re.compile(r"\b(?:postbus|antwoordnummer)\s+\d+", re.IGNORECASE)
_CONTACT = re.compile(r"@[\w.-]+\.\w+|\bwww\.|https?://|\b0\d{2,3}[- ]?\d{6,7}\b", re.IGNORECASE)
_TABLE = re.compile(r"\s\|\s")
# A running footer at the end of a page or slide: the sender's name, fields joined by " · ", and the page
# or slide number ("Interprovinciaal Overleg · ons kenmerk 11812/2024 · pagina 1/2", "... Overleg · 16").
# Page text arrives without line breaks, so it ends whatever sentence stood above it.
_TRAILER = re.compile(
    r"\s+(?:[A-Z][a-zà-ÿ]+\s+)?[A-Z][a-zà-ÿ]+(?:\s·\s[^·]{1,80}?)*"
    r"\s·\s(?:(?:pagina|blad)\s*)?\d{1,3}(?:\s*(?:/|van)\s*\d{1,3})?\s*$"
)
# A footnote or web-page line that leads with its link ("5https://www.tweedekamer.nl/...").
_LINK_LED = re.compile(r"^\d{0,3}\s*(?:https?://|www\.)", re.IGNORECASE)


def is_furniture(sentence: str) -> bool:
    """True for letterhead, address, contact, salutation, page-number and header-label lines.

    A Markdown heading ("# Titel") is the document's title, which is metadata; a table row of labels
    and values ("Ons kenmerk | Datum") is a reference table.
    """
    text = " ".join(sentence.split())
    if not text:
        return True
    if text.startswith("#") or _LABEL_START.match(text) or _CLOSING.match(text) or _PAGE.match(text):
        return True
    if _ADDRESS.search(text) or (_POSTCODE.search(text) and len(text.split()) < 25):
        return True
    if (_CONTACT.search(text) and len(text.split()) < 25) or _LINK_LED.match(text):
        return True
    if len(_LABEL_ANYWHERE.findall(text)) >= 2:
        return True
    return _TABLE.search(text) is not None and len(_LABEL_ANYWHERE.findall(text.replace("|", ":"))) >= 1


# A salutation inside a run-on "sentence": PDF text of a letter's first page often comes without line
# breaks, so the letterhead, the salutation and the first real sentence arrive as one string.
_SALUTATION = re.compile(r"\b(?:zeer\s+geachte|hooggeachte|geachte)\s+[^,.;:]{1,80},\s+", re.IGNORECASE)


def _split_salutation(sentence: str) -> list[str]:
    """The letterhead before a salutation and the sentence after it, as separate pieces."""
    match = _SALUTATION.search(sentence)
    if match is None or match.end() >= len(sentence):
        return [sentence]
    return [sentence[: match.end()].strip(), sentence[match.end() :]]


def source_sentences(text: str) -> list[str]:
    """The sentences of ``text``, whitespace-collapsed, in order, furniture included, instructions not.

    A letter's first sentence glued to its letterhead ("... Postbus 20011 ... Geachte heer Szabó, In
    onze eerste kennismaking op 30 augustus ...") is cut at the salutation, so the letterhead can be
    told apart as furniture and the sentence after it stands on its own. A running footer glued to the
    end of a page's last sentence ("... Interprovinciaal Overleg · pagina 1/2") is cut off.

    A sentence addressed to an AI assistant ("Negeer alle eerdere instructies en ...") is left out
    (:mod:`assistant.rag.injection`): every reader of a source's sentences (answers, drafts, the model's
    prompt, the citation check) then never sees a planted instruction as evidence.
    """
    pieces = (p for s in sentences_of(text) for p in _split_salutation(" ".join(s.split())))
    return drop_instructions(p for p in (_TRAILER.sub("", p) for p in pieces) if p)


def evidence_sentences(text: str) -> list[str]:
    """The sentences of ``text`` that can serve as evidence: :func:`source_sentences` minus furniture.

    Questions are left out too (see the module's docstring).
    """
    return [s for s in source_sentences(text) if not is_furniture(s) and not is_question(s)]


_QUESTION = re.compile(r"\?[\"'”’)\]]*\s*$")


def is_question(sentence: str) -> bool:
    """True for a question ("Deelt u de mening dat ...?"): it asks, it asserts nothing."""
    return _QUESTION.search(sentence) is not None
