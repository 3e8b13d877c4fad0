"""Sentence splitting for Dutch documents, shared by chunking, citation checking and quoting.

PDF extraction wraps sentences over several lines, slides and letters hold bullet lists, and Dutch
letters are full of abbreviations that end in a full stop ("dr. E.E.W. Bruins", "plm. 110 miljoen",
"d.d. 1/11/2024"). One splitter that knows all three keeps quotes whole everywhere.
"""

from __future__ import annotations

import re

# A sentence ends at . ! ? or ; followed by space and an upper-case letter, quote or bullet.
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[\"'“‘(\[A-ZÀ-Ý•>-])")
# Dutch abbreviations that end in a full stop but not a sentence ("dr. E.E.W. Bruins", "d.d. 1/11"),
# also right after an opening bracket or quote ("(Dhr. W. Mul)").
_ABBREVIATION = re.compile(
    r"(?:^|[\s(\[“‘\"'])(?:dr|drs|mr|ir|prof|mevr|dhr|plm|ca|bijv|bv|nr|o\.a|d\.d|t\.a\.v|i\.v\.m|m\.b\.t|n\.a\.v|e\.d|"
    r"z\.s\.m|m\.i\.v|(?:[A-Z]\.)*[A-Z])\.$",
    re.IGNORECASE,
)
# Citation markers at the start of a piece: they belong to the sentence before ("miljoen. [1] De ...").
_LEADING_MARKERS = re.compile(r"^((?:\[\d+(?:\s*[,;]\s*\d+)*\]\s*)+)")
# A line that starts a new item rather than continuing a wrapped sentence.
_ITEM_START = re.compile(r"^(?:[•▪●◦*>|–-]|\d{1,2}[.)]\s|[a-z][.)]\s)")
_LINE_END = re.compile(r"[.!?:;]$")


def is_item(line: str) -> bool:
    """True for a list item: a bullet ("•", "-", "–", ...) or a numbered or lettered item ("3. ", "b) ")."""
    return _ITEM_START.match(line.lstrip()) is not None


def logical_lines(paragraph: str) -> list[str]:
    """Re-join lines that a PDF wrapped mid-sentence; list items and table rows stay separate."""
    lines: list[str] = []
    for raw in paragraph.split("\n"):
        line = raw.strip()
        if not line:
            continue
        starts_item = is_item(line) or " | " in line
        ended = (
            _LINE_END.search(lines[-1]) is not None and not _ABBREVIATION.search(lines[-1]) if lines else True
        )
        if lines and not starts_item and not ended and " | " not in lines[-1]:
            lines[-1] = f"{lines[-1]} {line}"
        else:
            lines.append(line)
    return lines


def split_sentences(paragraph: str, *, lines: bool = False) -> list[str]:
    """Sentences of a paragraph; bullet items and table rows count as sentences too.

    Documents wrap sentences over lines, so by default wrapped lines are joined first; an answer is
    written line by line (``lines=True``): every line is its own unit. Citation markers that follow a
    full stop ("... miljoen. [1]") stay with the sentence before them.
    """
    units = [line.strip() for line in paragraph.splitlines()] if lines else logical_lines(paragraph)
    sentences: list[str] = []
    for line in units:
        merged: list[str] = []
        for part in (p.strip() for p in _SENTENCE_END.split(line)):
            if not part:
                continue
            markers = _LEADING_MARKERS.match(part)
            if merged and markers:
                merged[-1] = f"{merged[-1]} {markers.group(1).strip()}"
                part = part[markers.end() :].strip()
                if not part:
                    continue
            if merged and _ABBREVIATION.search(merged[-1]):
                merged[-1] = f"{merged[-1]} {part}"
            else:
                merged.append(part)
        sentences.extend(merged)
    return sentences


def sentences_of(text: str) -> list[str]:
    """All sentences of a multi-paragraph text (paragraphs are separated by blank lines)."""
    return [s for paragraph in re.split(r"\n\s*\n", text) for s in split_sentences(paragraph)]


def one_line(text: str, limit: int = 160, *, at_word: bool = False, ellipsis: str = "…") -> str:
    """``text`` on one line (whitespace collapsed) and at most ``limit`` characters.

    A longer text is cut and ends in ``ellipsis``; with ``at_word`` the cut falls on a word boundary
    (metadata values such as a long addressee are kept as whole words, without an ellipsis).
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    if at_word:
        return text[:limit].rsplit(" ", 1)[0] + ellipsis
    return text[: limit - len(ellipsis)] + ellipsis


def locate(quote: str, text: str) -> tuple[int, int] | None:
    """Character span of ``quote`` in ``text``, tolerant of differing whitespace; ``None`` if absent.

    Quotes are whitespace-normalised copies of source sentences, while the source keeps its line breaks;
    a UI needs the span in the original text to highlight it.
    """
    words = quote.split()
    if not words:
        return None
    pattern = r"\s+".join(re.escape(word) for word in words)
    match = re.search(pattern, text)
    return (match.start(), match.end()) if match else None
