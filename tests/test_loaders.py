"""Behaviour of ingest.loaders on small real fixture files, plus the real corpus under ../shared."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from pptx import Presentation
from pypdf import PdfReader, PdfWriter

from assistant.core.records import LoadedDocument
from ingest.loaders import (
    SUPPORTED_SUFFIXES,
    LoadError,
    LoadOptions,
    decode_text,
    load,
    load_docx,
    load_html,
    load_pdf,
    load_pptx,
    load_text,
    normalise_text,
)
from ingest.ocr import OcrOptions

from .conftest import FIXTURES, SHARED, shared_path


def _copy(name: str, tmp_path: Path, new_name: str) -> Path:
    target = tmp_path / new_name
    shutil.copyfile(FIXTURES / name, target)
    return target


def _paragraphs(text: str) -> list[str]:
    return text.split("\n\n")


# ------------------------------------------------------------------------------------------------ dispatch


def test_supported_suffixes_are_the_documented_set() -> None:
    assert {".pdf", ".docx", ".pptx", ".txt", ".md", ".markdown", ".html", ".htm"} == SUPPORTED_SUFFIXES


@pytest.mark.parametrize(
    ("fixture", "new_name"),
    [
        ("twee_paginas.pdf", "RAPPORT.PDF"),
        ("brief.docx", "Brief.DOCX"),
        ("drie_dias.pptx", "dias.PpTx"),
        ("notitie.md", "NOTITIE.MD"),
        ("pagina.html", "pagina.HTM"),
        ("cp1252.txt", "oud.TXT"),
    ],
)
def test_suffix_is_case_insensitive(fixture: str, new_name: str, tmp_path: Path) -> None:
    assert load(_copy(fixture, tmp_path, new_name)) == load(FIXTURES / fixture)


def test_unsupported_suffix_names_the_type_and_the_supported_ones() -> None:
    with pytest.raises(LoadError) as info:
        load(FIXTURES / "onbekend.xyz")
    message = str(info.value)
    assert ".xyz" in message
    assert "niet ondersteund" in message
    assert ".docx" in message and ".pdf" in message and ".htm" in message


def test_file_without_suffix_is_unsupported(tmp_path: Path) -> None:
    path = tmp_path / "LEESMIJ"
    path.write_text("tekst", encoding="utf-8")
    with pytest.raises(LoadError, match="zonder extensie"):
        load(path)


@pytest.mark.parametrize("content", [b"", b"  \r\n\t \n"])
@pytest.mark.parametrize("suffix", [".txt", ".pdf", ".docx", ".md"])
def test_empty_or_blank_file_is_reported_as_empty(content: bytes, suffix: str, tmp_path: Path) -> None:
    path = tmp_path / f"leeg{suffix}"
    path.write_bytes(content)
    with pytest.raises(LoadError, match="bestand is leeg"):
        load(path)


def test_empty_fixture_is_reported_as_empty() -> None:
    with pytest.raises(LoadError, match="bestand is leeg"):
        load(FIXTURES / "leeg.txt")


def test_missing_file_is_a_load_error(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="kan niet worden gelezen"):
        load(tmp_path / "bestaat_niet.pdf")


# ------------------------------------------------------------------------------------------------ PDF


def test_pdf_has_one_page_per_pdf_page_with_its_own_text() -> None:
    doc = load(FIXTURES / "twee_paginas.pdf")
    assert [p.page for p in doc.pages] == [1, 2]
    assert all(p.slide is None and p.section is None for p in doc.pages)
    first, second = doc.pages
    assert first.text.startswith("Pagina een: windenergie in Overijssel.")
    assert "€ 2,5 miljoen" in first.text
    assert "Pagina twee" not in first.text
    assert second.text == "Pagina twee: zonne-energie op daken.\nKenmerk D2024-01-000123."
    assert [p.anchor for p in doc.pages] == ["p. 1", "p. 2"]
    assert doc.warnings == ()


def test_pdf_rejoins_a_word_hyphenated_across_lines() -> None:
    first = load(FIXTURES / "twee_paginas.pdf").pages[0]
    assert "Deze informatie is bestemd voor Provinciale Staten." in first.text


def test_pdf_properties_come_from_the_info_dictionary() -> None:
    props = load(FIXTURES / "twee_paginas.pdf").properties
    assert props == {
        "title": "Twee pagina's over windenergie",
        "author": "Provincie Testland",
        "created": "2024-03-12",
    }


def test_pdf_page_without_text_is_skipped_but_numbering_is_kept(tmp_path: Path) -> None:
    reader = PdfReader(FIXTURES / "twee_paginas.pdf")
    writer = PdfWriter()
    writer.add_page(reader.pages[0])
    writer.add_blank_page()
    writer.add_page(reader.pages[1])
    path = tmp_path / "met_lege_pagina.pdf"
    writer.write(path)
    doc = load_pdf(path)
    assert [p.page for p in doc.pages] == [1, 3]
    assert doc.pages[1].text.startswith("Pagina twee")


def test_pdf_with_only_an_owner_password_opens_with_the_empty_password(tmp_path: Path) -> None:
    writer = PdfWriter(clone_from=PdfReader(FIXTURES / "twee_paginas.pdf"))
    writer.encrypt(user_password="", owner_password="eigenaar", algorithm="RC4-128")
    path = tmp_path / "alleen_eigenaar.pdf"
    writer.write(path)
    assert [p.page for p in load(path).pages] == [1, 2]


def test_encrypted_pdf_asks_for_a_password() -> None:
    with pytest.raises(LoadError) as info:
        load(FIXTURES / "versleuteld.pdf")
    assert str(info.value) == "PDF is versleuteld (wachtwoord vereist)"


def test_corrupt_pdf_is_reported_as_damaged() -> None:
    with pytest.raises(LoadError, match=r"^PDF is beschadigd of onleesbaar: \S"):
        load(FIXTURES / "beschadigd.pdf")


def test_truncated_pdf_is_reported_as_damaged(tmp_path: Path) -> None:
    data = (FIXTURES / "twee_paginas.pdf").read_bytes()
    path = tmp_path / "afgebroken.pdf"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(LoadError, match="PDF is beschadigd of onleesbaar"):
        load(path)


def test_file_that_is_not_a_pdf_at_all_says_so(tmp_path: Path) -> None:
    path = _copy("brief.docx", tmp_path, "eigenlijk_word.pdf")
    with pytest.raises(LoadError, match=r"beschadigd.*geen PDF-bestand"):
        load(path)


def test_pdf_without_text_layer_mentions_scan_and_ocr() -> None:
    with pytest.raises(LoadError) as info:
        load(FIXTURES / "scan.pdf")
    message = str(info.value)
    assert "geen tekstlaag" in message
    assert "OCR" in message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("informa-\ntie", "informatie"),
        ("zonne-\nenergie", "zonne-energie"),  # vowel clash: Dutch keeps the hyphen
        ("RES-\nregio", "RES-regio"),
        ("Noordoost-\nTwente", "Noordoost-Twente"),
        ("aan-\nen afvoer", "aan- en afvoer"),
        ("2000-\nbeheerplannen", "2000-beheerplannen"),
        ("https://www.noord-\nholland.nl/wind", "https://www.noord-holland.nl/wind"),
        ("volgen-\nde en pro-\nvinciaal", "volgende en provinciaal"),
        ("lijst -\nvolgende", "lijst -\nvolgende"),  # a dash after a space is no hyphenation
    ],
)
def test_normalise_text_repairs_line_end_hyphens_the_dutch_way(raw: str, expected: str) -> None:
    assert normalise_text(raw, join_hyphens=True) == expected


def test_normalise_text_collapses_spaces_and_blank_lines() -> None:
    raw = " Eerste  regel \u00a0 \r\nTweede\tregel\n \n \n\n\nNieuwe alinea\uf0b7 punt "
    assert normalise_text(raw) == "Eerste regel\nTweede regel\n\nNieuwe alinea• punt"
    assert normalise_text("informa-\ntie") == "informa-\ntie"  # hyphens only repaired when asked


# ------------------------------------------------------------------------------------------------ DOCX


def test_docx_splits_into_sections_at_headings() -> None:
    doc = load(FIXTURES / "brief.docx")
    assert [p.section for p in doc.pages] == [None, "Aanleiding", "Kosten en financiering"]
    assert [p.heading for p in doc.pages] == [None, "Aanleiding", "Kosten en financiering"]
    assert all(p.page is None and p.slide is None for p in doc.pages)
    assert doc.pages[1].text.startswith("Aanleiding\n\nDe provincies hebben")


def test_docx_letterhead_table_becomes_cell_rows_before_the_first_heading() -> None:
    first = load(FIXTURES / "brief.docx").pages[0]
    assert "ons kenmerk | datum\nIPO-2024/0815 | 12 maart 2024" in first.text
    assert "Onderwerp: Reactie op de consultatie windenergie op land" in _paragraphs(first.text)
    # the merged top row spans both columns but is read once
    assert first.text.count("Interprovinciaal Overleg") == 1
    assert "Interprovinciaal Overleg | Interprovinciaal Overleg" not in first.text


def test_docx_keeps_paragraphs_and_tables_in_body_order() -> None:
    costs = load(FIXTURES / "brief.docx").pages[2]
    assert _paragraphs(costs.text) == [
        "Kosten en financiering",
        "De geraamde kosten staan in de tabel hieronder.",
        "Post | Bedrag\nParticipatie | € 1.250.000\nNetcongestie | € 800.000",
        "Na de tabel volgt de afsluiting van deze brief.",
        "Met vriendelijke groet,",
    ]


def test_docx_skips_header_and_footer_and_reads_core_properties() -> None:
    doc = load(FIXTURES / "brief.docx")
    assert "KOPTEKST" not in doc.text and "VOETTEKST" not in doc.text
    assert doc.properties == {
        "title": "Reactie op consultatie windenergie",
        "author": "IPO Den Haag",
        "created": "2024-03-12",
    }


def test_docx_dutch_heading_styles_and_vertical_merges(tmp_path: Path) -> None:
    document = docx.Document()
    document.styles.add_style("Kop 1", WD_STYLE_TYPE.PARAGRAPH)
    document.styles.add_style("Titel", WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("Samenwerkingsovereenkomst", style="Titel")
    document.add_paragraph("Artikel 1", style="Kop 1")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).merge(table.cell(1, 0)).text = "Partijen"
    table.cell(0, 1).text = "Provincie"
    table.cell(1, 1).text = "Gemeente"
    path = tmp_path / "overeenkomst.docx"
    document.save(str(path))

    doc = load_docx(path)
    assert [p.section for p in doc.pages] == ["Samenwerkingsovereenkomst", "Artikel 1"]
    assert doc.pages[1].text == "Artikel 1\n\nPartijen | Provincie\nGemeente"


def test_corrupt_docx_is_reported_as_damaged(tmp_path: Path) -> None:
    path = tmp_path / "kapot.docx"
    path.write_bytes(b"PK\x03\x04 dit is geen zip-archief meer")
    with pytest.raises(LoadError, match=r"^DOCX is beschadigd of onleesbaar: \S"):
        load(path)


def test_pptx_renamed_to_docx_is_reported_as_damaged(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="DOCX is beschadigd of onleesbaar"):
        load(_copy("drie_dias.pptx", tmp_path, "dias.docx"))


def test_docx_without_text_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "leeg_document.docx"
    docx.Document().save(str(path))
    with pytest.raises(LoadError, match="bevat geen tekst"):
        load(path)


# ------------------------------------------------------------------------------------------------ PPTX


def test_pptx_has_one_page_per_slide_titled_by_the_slide_title() -> None:
    doc = load(FIXTURES / "drie_dias.pptx")
    assert [p.slide for p in doc.pages] == [1, 2, 3]
    assert [p.heading for p in doc.pages] == [
        "Lobby namens de provincies",
        "Onze speerpunten",
        "Budget per thema",
    ]
    assert all(p.page is None for p in doc.pages)
    assert [p.anchor for p in doc.pages] == ["dia 1", "dia 2", "dia 3"]
    assert doc.properties == {"title": "Lobby namens de provincies", "author": "IPO", "created": "2024-03-12"}


def test_pptx_slide_text_is_title_then_body_then_notes() -> None:
    slide = load(FIXTURES / "drie_dias.pptx").pages[1]
    assert _paragraphs(slide.text) == [
        "Onze speerpunten",
        "Energietransitie",
        "Netcongestie oplossen",
        "Woningbouw versnellen",
        "Notities: Benadruk de rol van de provincies.",
    ]


def test_pptx_reads_tables_and_grouped_shapes() -> None:
    slide = load(FIXTURES / "drie_dias.pptx").pages[2]
    assert _paragraphs(slide.text) == [
        "Budget per thema",
        "Thema | Bedrag\nWind | € 3 mln\nZon | € 2 mln",
        "Bron: begroting 2024",
    ]
    assert "Notities" not in slide.text


def test_pptx_skips_empty_slides_but_keeps_deck_numbering(tmp_path: Path) -> None:
    presentation = Presentation(str(FIXTURES / "drie_dias.pptx"))
    presentation.slides.add_slide(presentation.slide_layouts[6])  # blank layout: no text at all
    last = presentation.slides.add_slide(presentation.slide_layouts[5])
    last.shapes.title.text = "Vragen?"
    path = tmp_path / "vijf_dias.pptx"
    presentation.save(str(path))

    doc = load_pptx(path)
    assert [p.slide for p in doc.pages] == [1, 2, 3, 5]
    assert doc.pages[-1].text == "Vragen?"


def test_corrupt_pptx_is_reported_as_damaged(tmp_path: Path) -> None:
    data = (FIXTURES / "drie_dias.pptx").read_bytes()
    path = tmp_path / "afgebroken.pptx"
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(LoadError, match="PPTX is beschadigd of onleesbaar"):
        load(path)


# ------------------------------------------------------------------------------------------------ text


def test_markdown_splits_at_level_one_to_three_headings() -> None:
    doc = load(FIXTURES / "notitie.md")
    assert [p.section for p in doc.pages] == [None, "Notitie windenergie", "Achtergrond", "Zonder spatie"]
    assert doc.pages[0].text == "Tekst vóór de eerste kop."
    assert doc.pages[1].text == "Notitie windenergie\n\nInleidende alinea met een link."
    background = doc.pages[2].text
    assert "#### Een kleine kop blijft tekst" in background  # level 4 does not split
    assert "# geen kop: dit staat in een codeblok" in background  # nor does a hash in a code block
    assert doc.warnings == ()


def test_plain_text_is_one_page_without_section(tmp_path: Path) -> None:
    path = tmp_path / "notitie.txt"
    path.write_bytes("\ufeff# geen kop in platte tekst\r\n\r\n\r\n\r\nTweede  alinea.\r\n".encode())
    doc = load_text(path)
    assert len(doc.pages) == 1
    assert doc.pages[0].section is None
    assert doc.pages[0].text == "# geen kop in platte tekst\n\nTweede alinea."  # BOM stripped
    assert doc.warnings == ()


def test_cp1252_text_is_read_with_a_warning() -> None:
    doc = load(FIXTURES / "cp1252.txt")
    assert doc.pages[0].text == "Notitie over één loket.\nKosten: € 100."
    assert doc.warnings == ("tekst is geen geldige UTF-8; gelezen als cp1252",)


def test_decode_text_falls_back_to_latin1_and_reads_utf16() -> None:
    text, problems = decode_text(b"caf\xe9 \x81")  # 0x81 is undefined in cp1252
    assert text == "café \x81"
    assert problems == ["tekst is geen geldige UTF-8; gelezen als latin-1"]
    assert decode_text("één".encode("utf-16")) == ("één", [])


# ------------------------------------------------------------------------------------------------ HTML


def test_html_splits_at_h1_to_h3_and_takes_the_title() -> None:
    doc = load(FIXTURES / "pagina.html")
    assert doc.properties == {"title": "Position paper netcongestie"}
    assert [p.section for p in doc.pages] == [None, "Netcongestie", "Kosten"]
    assert doc.pages[0].text == "Inleiding vóór de eerste kop over één loket."
    assert _paragraphs(doc.pages[1].text) == [
        "Netcongestie",
        "De provincies vragen om snelle uitbreiding van het net.",
        "Meer transformatorstations",
        "Flexibele contracten",
    ]
    assert _paragraphs(doc.pages[2].text) == [
        "Kosten",
        "Maatregel | Bedrag",
        "Stations | € 40 mln",
        "Regel een\nRegel twee",
    ]


def test_html_drops_boilerplate_scripts_and_comments() -> None:
    text = load(FIXTURES / "pagina.html").text
    for dropped in ("niet opnemen", "console.log", "font-family", "Home", "JavaScript", "commentaar"):
        assert dropped not in text


def test_html_keeps_header_inside_an_article(tmp_path: Path) -> None:
    path = tmp_path / "artikel.html"
    path.write_text(
        "<header>Site</header><article><header><h1>Persbericht</h1></header><p>Tekst.</p></article>",
        encoding="utf-8",
    )
    doc = load_html(path)
    assert [p.section for p in doc.pages] == ["Persbericht"]
    assert "Site" not in doc.text


def test_html_encoding_declared_or_guessed(tmp_path: Path) -> None:
    body = "<p>Eén loket, € 5.</p>"
    declared = tmp_path / "declared.html"
    declared.write_bytes(f'<meta charset="windows-1252">{body}'.encode("cp1252"))
    undeclared = tmp_path / "undeclared.html"
    undeclared.write_bytes(body.encode("cp1252"))

    with_charset = load(declared)
    assert with_charset.text == "Eén loket, € 5."
    assert with_charset.warnings == ()
    guessed = load(undeclared)
    assert guessed.text == "Eén loket, € 5."
    assert guessed.warnings == ("tekst is geen geldige UTF-8; gelezen als cp1252",)


def test_html_without_visible_text_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "alleen_script.html"
    path.write_text("<html><head><title>Leeg</title><script>x = 1</script></head><body></body></html>")
    with pytest.raises(LoadError, match="bevat geen tekst"):
        load(path)


# ------------------------------------------------------------------------------------------------ corpus

WOO = ("corpus", "provincie_overijssel_woo")


@pytest.mark.corpus
def test_corpus_letter_to_ps_has_its_kenmerk_on_page_one() -> None:
    doc = load(shared_path(*WOO, "240528_Brief_aan_PS_Definitief windbeleid.pdf"))
    assert [p.page for p in doc.pages] == list(range(1, 8))
    first = doc.pages[0].text
    assert "Kenmerk\nD2024-03-011394" in first
    assert "Onderwerp: Brief aan PS Definitief windbeleid" in first
    assert doc.properties["created"] == "2024-05-28"


@pytest.mark.corpus
def test_corpus_scan_without_text_layer_is_refused_when_ocr_is_off() -> None:
    # With OCR on (the default) the scan is read: see tests/test_ocr.py.
    off = LoadOptions(ocr=OcrOptions(enabled=False))
    with pytest.raises(LoadError, match=r"geen tekstlaag.*OCR\) staat uit"):
        load(shared_path(*WOO, "240620_Verslag_BO_ATT.pdf"), off)


@pytest.mark.corpus
def test_corpus_docx_answer_to_parliamentary_questions() -> None:
    folder = shared_path("corpus", "kamervragen_antwoorden")
    path = next(folder.glob("Beantwoording Kamervragen leden Mutluer*.docx"))
    doc = load(path)
    assert doc.text.strip()
    assert "Wolvega" in doc.text
    assert doc.properties["created"] == "2024-07-15"


@pytest.mark.corpus
def test_corpus_docx_form_text_boxes_are_read() -> None:
    doc = load(shared_path(*WOO, "241017_Format_Aanvraagformulier.docx"))
    assert "Indieningsvereisten zoals opgenomen" in doc.text  # only present inside a text box
    assert doc.text.count("Indieningsvereisten zoals opgenomen") == 1  # DrawingML + VML copy read once


def _corpus_files() -> list[str]:
    """Every file of the two PDF folders as ``folder/name``; a bare ``folder/`` when ../shared is absent."""
    names: list[str] = []
    for folder in ("provincie_overijssel_woo", "rijksoverheid_kamerbrieven"):
        directory = SHARED / "corpus" / folder
        if directory.is_dir():
            names.extend(f"{folder}/{p.name}" for p in sorted(directory.iterdir()) if p.is_file())
        else:
            names.append(f"{folder}/")
    return names


@pytest.mark.corpus
@pytest.mark.parametrize("relative", _corpus_files())
def test_corpus_file_loads_or_fails_with_a_reason(relative: str) -> None:
    path = shared_path("corpus", *relative.split("/"))
    started = time.perf_counter()
    try:
        doc = load(path)
    except LoadError as exc:
        assert str(exc).strip()
        return
    assert isinstance(doc, LoadedDocument)
    assert doc.pages and all(p.text.strip() for p in doc.pages)
    numbers = [p.page for p in doc.pages if p.page is not None]
    assert numbers == sorted(set(numbers))
    assert time.perf_counter() - started < 30
