"""Draft export: Markdown and DOCX hold the heading block, sections, sources, gaps and (Word) quote comments."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import docx
import pytest

from assistant.core.answers import Citation
from assistant.core.drafts import Draft, DraftSection, DraftTemplate, Gap, Paragraph, SectionSpec
from assistant.services.draft_export import (
    COMMENT_AUTHOR,
    COMMENT_INITIALS,
    CONCEPT_LINE,
    GAPS_HEADING,
    NO_GAPS,
    render_markdown,
    write_docx,
)

QUOTES = {
    1: "De provincies vragen het Rijk om structureel 300 miljoen euro voor het regionaal openbaar vervoer.",
    2: "Het IPO pleit voor een brede doeluitkering vanaf 2026.",
    3: "De herijking leidt tot 40 miljoen euro minder inkomsten voor de OV-sector.",
}
SOURCES = [
    Citation(
        n=1, source="brieven/ov-brief.pdf", title="Brief over het regionaal ov", page=3, slide=None,
        date="2024-11-05", quote=QUOTES[1], chunk_id="c1", doc_id="d1", path="/archief/brieven/ov-brief.pdf",
        kenmerk="IPO-2024-113",
    ),
    Citation(
        n=2, source="presentaties/bdu.pptx", title="Presentatie BDU", page=None, slide=4, date="2025-02-14",
        quote=QUOTES[2], chunk_id="c2", doc_id="d2", path="/archief/presentaties/bdu.pptx",
    ),
    Citation(
        n=3, source="notities/herijking.docx", title="Notitie herijking", page=None, slide=None, date=None,
        quote=QUOTES[3], chunk_id="c3", doc_id="d3", section="Financiële gevolgen",
        path="/archief/notities/herijking.docx",
    ),
]  # fmt: skip
NOTE = "Bedragen naar datum van de bron; nieuwere cijfers kunnen afwijken."


def _template(letter: bool) -> DraftTemplate:
    sections = (
        SectionSpec("Standpunt van de provincies", ("het standpunt van de provincies",), 150),
        SectionSpec("Financiële gevolgen", ("de financiële gevolgen", "de gevolgen voor de reiziger"), 150),
    )
    if letter:
        return DraftTemplate(
            "brief", "Brief", "Een brief aan de Kamer", "Kamerleden", "formeel", 300, sections, True
        )
    return DraftTemplate(
        "notitie", "Notitie", "Een interne notitie", "bestuurders", "zakelijk", 300, sections
    )


def _draft(letter: bool) -> Draft:
    sections = [
        DraftSection(
            "Standpunt van de provincies",
            (
                Paragraph(
                    "De provincies vragen structureel 300 miljoen euro [1]. Zij willen een brede doeluitkering [2].",
                    (1, 2),
                ),
                Paragraph("Dit is een verbindende zin zonder bron.", ()),
            ),
        ),
        DraftSection(
            "Financiële gevolgen",
            (Paragraph("De OV-sector krijgt 40 miljoen euro minder inkomsten [3].", (3,), notes=(NOTE,)),),
            (Gap("Financiële gevolgen", "de gevolgen voor de reiziger"),),
        ),
    ]
    return Draft(
        _template(letter),
        "Financiering regionaal ov",
        "Tweede Kamer, vaste commissie IenW",
        sections,
        SOURCES,
        "extractive",
    )


def _cited(draft: Draft) -> set[int]:
    return {n for p in draft.paragraphs() for n in p.citations}


def _numbers(lines: list[str]) -> list[int]:
    return [int(re.match(r"\[(\d+)\]", line).group(1)) for line in lines]  # type: ignore[union-attr]


# -- Markdown ---------------------------------------------------------------------------------------


def test_markdown_letter_has_heading_block_sections_sources_and_gaps() -> None:
    draft = _draft(letter=True)
    md = render_markdown(draft, today="2025-03-01")
    assert "Aan: Tweede Kamer, vaste commissie IenW" in md
    assert "Datum: 1 maart 2025" in md
    assert "Onderwerp: Financiering regionaal ov" in md
    assert "Kenmerk: [in te vullen]" in md
    assert f"*{CONCEPT_LINE}*" in md
    assert not md.startswith("# ")  # a letter opens with its heading block, not a title
    assert md.index("Hoogachtend,") < md.index("## Bronnen")  # and closes as the archive's letters do
    assert "Hoogachtend," not in render_markdown(_draft(letter=False))
    for section in draft.sections:
        assert f"## {section.title}" in md
        for paragraph in section.paragraphs:
            assert paragraph.text in md
    assert "[1]" in md and "[2]" in md and "[3]" in md
    assert f"*{NOTE}*" in md

    sources = md.split("## Bronnen", 1)[1].split(f"## {GAPS_HEADING}", 1)[0]
    entries = [line[2:] for line in sources.splitlines() if line.startswith("- ")]
    assert set(_numbers(entries)) == _cited(draft) and len(entries) == len(SOURCES)
    assert entries[0] == (
        "[1] Brief over het regionaal ov, 5 november 2024, kenmerk IPO-2024-113, p. 3, /archief/brieven/ov-brief.pdf"
    )
    assert entries[1] == "[2] Presentatie BDU, 14 februari 2025, dia 4, /archief/presentaties/bdu.pptx"
    assert entries[2] == "[3] Notitie herijking, Financiële gevolgen, /archief/notities/herijking.docx"

    appendix = md.split(f"## {GAPS_HEADING}", 1)[1]
    assert "- Financiële gevolgen: geen bron gevonden voor: de gevolgen voor de reiziger" in appendix
    # Order: heading block, sections, sources, appendix.
    assert (
        md.index("Onderwerp:") < md.index("## Standpunt") < md.index("## Financiële") < md.index("## Bronnen")
    )


def test_markdown_other_genre_has_a_title_and_only_the_given_heading_lines() -> None:
    draft = _draft(letter=False)
    md = render_markdown(draft)
    assert md.startswith("# Notitie: Financiering regionaal ov\n")
    assert "Aan: Tweede Kamer, vaste commissie IenW" in md
    assert "Datum:" not in md and "Kenmerk:" not in md
    draft.addressee = ""
    assert "Aan:" not in render_markdown(draft)


def test_markdown_letter_without_date_and_without_gaps() -> None:
    draft = _draft(letter=True)
    draft.sections = [DraftSection(s.title, s.paragraphs) for s in draft.sections]
    md = render_markdown(draft)
    assert "Datum: [datum]" in md
    assert md.rstrip().endswith(NO_GAPS)


# -- DOCX -------------------------------------------------------------------------------------------


def _paragraph_texts(document: docx.document.Document) -> list[str]:
    return [p.text for p in document.paragraphs]


def _section(texts: list[str], start: str, end: str | None) -> list[str]:
    i = texts.index(start) + 1
    return texts[i : texts.index(end)] if end else texts[i:]


@pytest.fixture
def letter_docx(tmp_path: Path) -> tuple[Draft, docx.document.Document]:
    draft = _draft(letter=True)
    path = write_docx(draft, tmp_path / "nieuw" / "map" / "brief.docx", today="2025-03-01")
    assert path == tmp_path / "nieuw" / "map" / "brief.docx" and path.is_file()
    return draft, docx.Document(str(path))


def test_docx_letter_heading_block_sections_sources_and_gaps(
    letter_docx: tuple[Draft, docx.document.Document],
) -> None:
    draft, document = letter_docx
    block = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert block == {
        "Aan": "Tweede Kamer, vaste commissie IenW",
        "Datum": "1 maart 2025",
        "Onderwerp": "Financiering regionaal ov",
        "Kenmerk": "[in te vullen]",
    }
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [s.title for s in draft.sections] + ["Bronnen", GAPS_HEADING]

    texts = _paragraph_texts(document)
    assert any(t.startswith(CONCEPT_LINE) for t in texts)
    for paragraph in draft.paragraphs():
        assert paragraph.text in texts
    note = next(p for p in document.paragraphs if p.text == NOTE)
    assert all(run.italic for run in note.runs)

    sources = _section(texts, "Bronnen", GAPS_HEADING)
    assert len(sources) == len(SOURCES) and set(_numbers(sources)) == _cited(draft)
    assert sources[0].startswith(
        "[1] Brief over het regionaal ov, 5 november 2024, kenmerk IPO-2024-113, p. 3"
    )
    gaps = _section(texts, GAPS_HEADING, None)
    assert gaps == ["Financiële gevolgen: geen bron gevonden voor: de gevolgen voor de reiziger"]


def test_docx_has_one_comment_per_cited_paragraph_with_its_quotes(
    letter_docx: tuple[Draft, docx.document.Document],
) -> None:
    draft, document = letter_docx
    cited = [p for p in draft.paragraphs() if p.citations]
    comments = {c.comment_id: c for c in document.comments}
    assert len(comments) == len(cited) == 2

    # Which body paragraph each comment is anchored to, from the comment range in the document XML.
    anchored: dict[str, int] = {}
    for paragraph in document.paragraphs:
        for comment_id in paragraph._p.xpath("./w:commentRangeStart/@w:id"):
            anchored[paragraph.text] = int(comment_id)
    assert set(anchored) == {p.text for p in cited}

    for paragraph in cited:
        comment = comments[anchored[paragraph.text]]
        assert comment.author == COMMENT_AUTHOR and comment.initials == COMMENT_INITIALS
        lines = comment.text.split("\n")
        assert len(lines) == len(paragraph.citations)
        for n, line in zip(paragraph.citations, lines, strict=True):
            assert line.startswith(f"[{n}] {SOURCES[n - 1].title}")
            assert f"“{QUOTES[n]}”" in line
    first = comments[anchored[cited[0].text]].text
    assert first.startswith("[1] Brief over het regionaal ov (5 november 2024): “De provincies vragen")
    assert "[3] Notitie herijking: “" in comments[anchored[cited[1].text]].text  # no date: left out


def test_docx_other_genre_title_and_no_gaps(tmp_path: Path) -> None:
    draft = _draft(letter=False)
    draft.sections = [DraftSection(s.title, s.paragraphs) for s in draft.sections]
    document = docx.Document(str(write_docx(draft, tmp_path / "notitie.docx")))
    assert not document.tables
    title = document.paragraphs[0]
    assert title.style.name == "Title" and title.text == "Notitie: Financiering regionaal ov"
    texts = _paragraph_texts(document)
    assert "Aan: Tweede Kamer, vaste commissie IenW" in texts
    assert not any(t.startswith(("Datum:", "Kenmerk:")) for t in texts)
    assert _section(texts, GAPS_HEADING, None) == [NO_GAPS]
    assert len(document.comments) == 2


def test_docx_drops_characters_xml_cannot_hold(tmp_path: Path) -> None:
    draft = _draft(letter=False)
    draft.sources = [
        replace(SOURCES[0], quote="Pagina\x0cgrens\x00 in de tekst", title="Brief\x01"),
        *SOURCES[1:],
    ]
    document = docx.Document(str(write_docx(draft, tmp_path / "x.docx")))
    assert any("[1] Brief (5 november 2024): “Pagina grens in de tekst”" in c.text for c in document.comments)
    assert any(p.text.startswith("[1] Brief, 5 november 2024") for p in document.paragraphs)
