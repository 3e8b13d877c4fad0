"""Draft export: a sourced :class:`~assistant.core.drafts.Draft` as Markdown or as a Word document.

An advisor takes a draft out of the assistant to finish it in Word or paste it elsewhere, so both forms
carry the whole draft: a heading block (for letters the archive's ``Aan / Datum / Onderwerp / Kenmerk``,
with the kenmerk left for the advisor), the sections with their paragraphs and ``[n]`` markers, the
numbered source list the markers point to, and an appendix of what no source supports. The Word file
adds one margin comment per cited paragraph holding the quoted passage of each of its sources, so a
reviewer checks the evidence inside Word without opening the archive.

Both functions only read the draft; :func:`write_docx` writes the one file it is given.
"""

from __future__ import annotations

import re
from pathlib import Path

import docx
from docx.document import Document as DocxDocument
from docx.shared import Pt
from docx.text.paragraph import Paragraph as DocxParagraph

from assistant.core.answers import Citation
from assistant.core.dates import format_date
from assistant.core.drafts import Draft, Paragraph
from assistant.core.records import anchor_label

#: The line under the heading block that says what the reader holds.
CONCEPT_LINE = "Concept, gegenereerd uit het archief; elke alinea verwijst naar de bronnen onderaan."
#: Added in Word, where the quotes sit in the margin.
COMMENTS_LINE = "De opmerkingen in de kantlijn tonen per alinea de aangehaalde bronpassages."
SOURCES_HEADING = "Bronnen"
#: A letter ends as the archive's letters do; name and function are the advisor's to fill in.
LETTER_CLOSING = ("Hoogachtend,", "[naam en functie ondertekenaar]")
GAPS_HEADING = "Bijlage: ontbrekende onderbouwing"
NO_GAPS = "Alle secties zijn onderbouwd met bronnen uit het archief."
EMPTY_SECTION = "Geen onderbouwde tekst voor deze sectie; zie de bijlage met ontbrekende onderbouwing."
KENMERK_PLACEHOLDER = "[in te vullen]"
DATE_PLACEHOLDER = "[datum]"
ADDRESSEE_PLACEHOLDER = "[in te vullen]"
COMMENT_AUTHOR = "Lobby-archief"
COMMENT_INITIALS = "LA"

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
# Characters XML 1.0 does not allow; lxml refuses them, and PDF text sometimes holds them (form feeds).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def write_draft(draft: Draft, path: Path, *, today: str | None = None) -> Path:
    """The draft written to ``path``: Word for ``.docx``, Markdown for anything else; folders are made."""
    if path.suffix.lower() == ".docx":
        return write_docx(draft, path, today=today)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_markdown(draft, today=today), encoding="utf-8")
    return path


def render_markdown(draft: Draft, *, today: str | None = None) -> str:
    """The draft as Markdown: heading block, sections, ``## Bronnen`` and the gap appendix.

    ``today`` is the letter's date, ISO (written out in Dutch) or as the caller wants it printed; without
    it a letter shows ``[datum]`` and another genre shows no date.
    """
    lines: list[str] = []
    if not draft.template.letter:
        lines += [f"# {draft.template.title}: {draft.subject}", ""]
    block = _heading_block(draft, today)
    if block:
        # Two trailing spaces: a line break inside one Markdown paragraph.
        lines += [f"{label}: {value}  " for label, value in block[:-1]]
        label, value = block[-1]
        lines += [f"{label}: {value}", ""]
    lines += [f"*{CONCEPT_LINE}*", ""]

    for section in draft.sections:
        lines += [f"## {section.title}", ""]
        if not section.paragraphs:
            lines += [f"*{EMPTY_SECTION}*", ""]
        for paragraph in section.paragraphs:
            lines += [paragraph.text.strip(), ""]
            for note in paragraph.notes:
                lines += [f"*{note}*", ""]
    if draft.template.letter:
        lines += [LETTER_CLOSING[0], "", LETTER_CLOSING[1], ""]

    lines += [f"## {SOURCES_HEADING}", ""]
    lines += [f"- {source_line(c)}" for c in draft.sources]
    lines += ["", f"## {GAPS_HEADING}", ""]
    lines += [f"- {g.section}: {g.text}" for g in draft.gaps] or [NO_GAPS]
    return "\n".join(lines).rstrip() + "\n"


def write_docx(draft: Draft, path: Path, *, today: str | None = None) -> Path:
    """Write the draft as a Word document at ``path`` (folders made as needed) and return ``path``.

    The content is that of :func:`render_markdown`; every paragraph with citations also gets one Word
    comment (author ``Lobby-archief``) quoting the passage of each source it cites.
    """
    document: DocxDocument = docx.Document()
    properties = document.core_properties
    properties.title = _clean(f"{draft.template.title}: {draft.subject}")
    properties.subject = _clean(draft.subject)
    properties.author = COMMENT_AUTHOR
    properties.comments = "Concept, gegenereerd uit het archief"

    if not draft.template.letter:
        document.add_heading(_clean(f"{draft.template.title}: {draft.subject}"), level=0)
    block = _heading_block(draft, today)
    if draft.template.letter:
        table = document.add_table(rows=0, cols=2)
        for label, value in block:
            cells = table.add_row().cells
            cells[0].paragraphs[0].add_run(label).bold = True
            cells[1].paragraphs[0].add_run(_clean(value))
    else:
        for label, value in block:
            line = document.add_paragraph()
            line.add_run(f"{label}: ").bold = True
            line.add_run(_clean(value))
    _italic(document.add_paragraph(), f"{CONCEPT_LINE} {COMMENTS_LINE}")

    by_number = {c.n: c for c in draft.sources}
    for section in draft.sections:
        document.add_heading(_clean(section.title), level=1)
        if not section.paragraphs:
            _italic(document.add_paragraph(), EMPTY_SECTION)
        for paragraph in section.paragraphs:
            body = document.add_paragraph()
            run = body.add_run(_clean(paragraph.text.strip()))
            if paragraph.citations:
                document.add_comment(
                    run,
                    text=comment_text(paragraph, by_number),
                    author=COMMENT_AUTHOR,
                    initials=COMMENT_INITIALS,
                )
            for note in paragraph.notes:
                _italic(document.add_paragraph(), note)
    if draft.template.letter:
        for closing in LETTER_CLOSING:
            document.add_paragraph(closing)

    document.add_heading(SOURCES_HEADING, level=1)
    for citation in draft.sources:
        entry = document.add_paragraph()
        entry.paragraph_format.left_indent = Pt(18)
        entry.paragraph_format.first_line_indent = Pt(-18)
        entry.add_run(_clean(source_line(citation)))

    document.add_heading(GAPS_HEADING, level=1)
    if draft.gaps:
        for gap in draft.gaps:
            document.add_paragraph(_clean(f"{gap.section}: {gap.text}"), style="List Bullet")
    else:
        document.add_paragraph(NO_GAPS)

    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


def source_line(citation: Citation) -> str:
    """One entry of the source list: ``[n] titel, 5 november 2024, kenmerk X, p. 3, pad``.

    Whatever is missing (date, kenmerk, place in the file, path) is left out.
    """
    parts = [citation.title or citation.source]
    if citation.date and _ISO.fullmatch(citation.date):
        parts.append(format_date(citation.date))
    if citation.kenmerk:
        parts.append(f"kenmerk {citation.kenmerk}")
    anchor = anchor_label(citation.page, citation.slide, citation.section, ocr=citation.ocr)
    if anchor:
        parts.append(anchor)
    file = citation.path or citation.source
    if file and file != parts[0]:
        parts.append(file)
    return f"[{citation.n}] " + ", ".join(p for p in parts if p)


def comment_text(paragraph: Paragraph, sources: dict[int, Citation]) -> str:
    """The Word comment of a cited paragraph: per source ``[n] titel (datum): “passage”``, one a line."""
    lines = []
    for n in dict.fromkeys(paragraph.citations):
        citation = sources.get(n)
        if citation is None:
            lines.append(f"[{n}] bron staat niet in de bronnenlijst")
            continue
        title = citation.title or citation.source
        when = f" ({format_date(citation.date)})" if citation.date and _ISO.fullmatch(citation.date) else ""
        # This paragraph's own supporting passages where the check recorded them, else the source's quote.
        own = [c.quotes[n] for c in paragraph.checked if c.quotes.get(n)]
        quote = " … ".join(dict.fromkeys(" ".join(q.split()) for q in own)) or " ".join(
            citation.quote.split()
        )
        lines.append(
            f"[{n}] {title}{when}: “{quote}”" if quote else f"[{n}] {title}{when}: geen citaat bewaard"
        )
    return _clean("\n".join(lines))


def _heading_block(draft: Draft, today: str | None) -> list[tuple[str, str]]:
    """The labelled lines under the title: all four for a letter, else ``Aan``/``Datum`` when given."""
    date = _date_text(today)
    if draft.template.letter:
        return [
            ("Aan", draft.addressee.strip() or ADDRESSEE_PLACEHOLDER),
            ("Datum", date or DATE_PLACEHOLDER),
            ("Onderwerp", draft.subject),
            ("Kenmerk", KENMERK_PLACEHOLDER),
        ]
    block = []
    if draft.addressee.strip():
        block.append(("Aan", draft.addressee.strip()))
    if date:
        block.append(("Datum", date))
    return block


def _date_text(today: str | None) -> str:
    """An ISO date written out in Dutch; any other text as given; empty for none."""
    if not today or not today.strip():
        return ""
    today = today.strip()
    return format_date(today) if _ISO.fullmatch(today) else today


def _italic(paragraph: DocxParagraph, text: str) -> None:
    paragraph.add_run(_clean(text)).italic = True


def _clean(text: str) -> str:
    """Text Word can store: characters XML does not allow are dropped."""
    return _NOT_XML.sub("", text)
