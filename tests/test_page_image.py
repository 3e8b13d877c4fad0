"""A cited passage on its rendered page: match keys, line bands, the marked PNG and which PDF shows a hit."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from fpdf import FPDF
from PIL import Image

from assistant.core.records import Hit
from assistant.services.page_image import (
    MarkedPage,
    find_quote,
    highlight,
    line_boxes,
    mark_hit,
    match_key,
    pdf_page_for,
    render_marked_page,
)

from .conftest import FIXTURES, REPO

# matplotlib (a dependency) ships DejaVuSans, so the ligature test needs no system font.
TTF = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
LETTER = REPO / "data" / "brieven" / "2024-11-01_brief-bzk-nationale-digitaliseringsstrategie.pdf"
DECKS = REPO / "data" / "presentaties"
DECK = "2024-11-19_presentatie-lobby-namens-de-provincies-in-den-haag"

FIRST = [
    "Eerste alinea: de provincies werken samen aan windenergie op land.",
    "Zij vragen het Rijk om duidelijke afspraken over de netcapaciteit.",
]
SECOND = [
    "Tweede alinea: het kabinet trekt 2,5 miljoen euro uit voor de regionale",
    "energiestrategie. De provincies vragen om structurele digitali-",
    "sering van de informatievoorziening in de regio.",
]


def _two_paragraphs(path: Path, *, ligature: bool = False) -> Path:
    """An A4 page: the first paragraph at the top, the second well below the middle."""
    pdf = FPDF(format="A4")
    font = "Helvetica"
    if ligature:
        pdf.add_font("DejaVu", fname=str(TTF))
        font = "DejaVu"
    pdf.add_page()
    pdf.set_font(font, size=12)
    pdf.set_y(30)
    for line in FIRST:
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(190)
    for line in SECOND:
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    if ligature:
        pdf.cell(
            0,
            8,
            "De \ufb01nanciering van de \ufb02exibele regeling volgt later.",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.output(str(path))
    return path


@pytest.fixture
def page_pdf(tmp_path: Path) -> Path:
    return _two_paragraphs(tmp_path / "twee_alineas.pdf")


def _yellow(image: Image.Image) -> np.ndarray:
    pixels = np.asarray(image.convert("RGB")).astype(int)
    red, green, blue = pixels[..., 0], pixels[..., 1], pixels[..., 2]
    return (red > 200) & (green > 170) & (blue < 140)


def _inside(marked: MarkedPage) -> np.ndarray:
    width, height = marked.size
    mask = np.zeros((height, width), dtype=bool)
    for x0, y0, x1, y1 in marked.boxes:
        mask[y0:y1, x0:x1] = True
    return mask


def _image(marked: MarkedPage) -> Image.Image:
    image = Image.open(io.BytesIO(marked.png))
    image.load()
    return image


# --------------------------------------------------------------------------------------------------------
# Pure parts
# --------------------------------------------------------------------------------------------------------


def test_match_key_drops_whitespace_and_hyphens_and_unfolds_ligatures() -> None:
    key, origin = match_key("De \ufb01nan-\r\nciering\u00ad  van “Den Haag”")
    assert key == 'definanciering van"denhaag"'.replace(" ", "")
    # Both letters of the ligature point back at the one ligature character.
    assert origin[2] == origin[3] == 3
    assert len(origin) == len(key)


def test_find_quote_whole_partial_and_absent() -> None:
    text = match_key("Het kabinet trekt 2,5 miljoen euro uit voor de regionale energiestrategie in 2025.")[0]
    whole = match_key("2,5 miljoen euro uit voor de regionale")[0]
    spans, partial = find_quote(text, whole)
    assert spans == [(text.index(whole), text.index(whole) + len(whole))] and not partial

    # The quote goes on with words the page does not have: the long start is marked, as partial.
    longer = match_key("Het kabinet trekt 2,5 miljoen euro uit voor de regionale aanpak van de netcongestie")[
        0
    ]
    spans, partial = find_quote(text, longer)
    assert partial and len(spans) == 1 and spans[0][0] == 0 and spans[0][1] - spans[0][0] >= 40

    # An omission in the middle: both the start and the end are marked.
    page = match_key(
        "De provincies vragen het Rijk om duidelijke afspraken over de netcapaciteit. Daarnaast willen zij "
        "dat de regionale energiestrategie het vertrekpunt blijft voor alle nieuwe plannen."
    )[0]
    elided = match_key(
        "De provincies vragen het Rijk om duidelijke afspraken over de netcapaciteit ... "
        "dat de regionale energiestrategie het vertrekpunt blijft voor alle nieuwe plannen."
    )[0]
    spans, partial = find_quote(page, elided)
    assert partial and len(spans) == 2 and spans[1][1] == len(page)

    # A short shared start is not enough to mark anything.
    assert find_quote(text, match_key("Het kabinet trekt zich terug")[0]) == ([], False)
    assert find_quote(text, "") == ([], False)


def test_line_boxes_merge_per_line_and_split_at_a_wrap() -> None:
    first_line = [(100, 200, 110, 220), (110, 201, 120, 219), (125, 200, 135, 220)]
    second_line = [(100, 222, 110, 242), (110, 222, 118, 242)]
    assert line_boxes([*first_line, *second_line]) == [(100, 200, 135, 220), (100, 222, 118, 242)]
    # Far to the left or right on the same height (another column, a table cell) starts a new band.
    assert line_boxes([(300, 200, 310, 220), (100, 200, 110, 220)]) == [
        (300, 200, 310, 220),
        (100, 200, 110, 220),
    ]
    assert line_boxes([(100, 200, 110, 220), (400, 200, 410, 220)]) == [
        (100, 200, 110, 220),
        (400, 200, 410, 220),
    ]
    assert line_boxes([]) == []
    # A page turned a quarter: the line runs down the image.
    down = [(500, 100, 520, 110), (501, 110, 519, 120), (500, 124, 520, 134)]
    assert line_boxes(down, vertical=True) == [(500, 100, 520, 134)]
    assert len(line_boxes(down)) == 3


def test_highlight_turns_paper_yellow_and_keeps_ink_dark() -> None:
    image = Image.new("RGB", (40, 20), (255, 255, 255))
    image.putpixel((5, 5), (0, 0, 0))
    marked = highlight(image, [(0, 0, 20, 20)])
    assert _yellow(marked)[10, 10] and not _yellow(marked)[10, 30]
    assert marked.getpixel((5, 5)) == (0, 0, 0)


# --------------------------------------------------------------------------------------------------------
# Rendering a page with the quote marked
# --------------------------------------------------------------------------------------------------------


def test_quote_from_the_second_paragraph_is_marked_in_the_lower_part(page_pdf: Path) -> None:
    marked = render_marked_page(page_pdf, 1, "het kabinet trekt 2,5 miljoen euro uit")
    assert marked is not None and marked.found and not marked.partial
    assert len(marked.boxes) == 1
    width, height = marked.size
    assert all(y0 > height / 2 and 0 <= x0 < x1 <= width for x0, y0, x1, y1 in marked.boxes)
    image = _image(marked)
    assert image.format == "PNG" and image.size == marked.size
    yellow, inside = _yellow(image), _inside(marked)
    assert yellow[inside].mean() > 0.3
    assert not yellow[~inside].any()


def test_quote_over_a_line_break_with_other_whitespace_is_found(page_pdf: Path) -> None:
    quote = "voor de   regionale\nenergiestrategie.  De provincies"
    marked = render_marked_page(page_pdf, 1, quote)
    assert marked is not None and marked.found and not marked.partial
    (x0, _, _, bottom0), (x1, top1, _, _) = marked.boxes
    assert top1 >= bottom0 - 4  # one band per line, the second below the first
    assert x1 < x0 and x1 < marked.size[0] / 4  # the second band starts at the left margin


def test_word_hyphenated_at_the_line_end_is_found(page_pdf: Path) -> None:
    marked = render_marked_page(
        page_pdf, 1, "vragen om structurele digitalisering van de informatievoorziening"
    )
    assert marked is not None and marked.found and not marked.partial and len(marked.boxes) == 2


def test_ligatures_match_plain_letters(tmp_path: Path) -> None:
    # The page is written with ligature characters (PDFium may already spell them out from the font's
    # ToUnicode map); a quote with or without them is found either way.
    pdf = _two_paragraphs(tmp_path / "ligatuur.pdf", ligature=True)
    for quote in (
        "De financiering van de flexibele regeling",
        "De \ufb01nanciering van de \ufb02exibele regeling",
    ):
        marked = render_marked_page(pdf, 1, quote)
        assert marked is not None and marked.found and not marked.partial


def test_quote_on_a_page_turned_a_quarter(page_pdf: Path, tmp_path: Path) -> None:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(page_pdf)
    document[0].set_rotation(90)
    turned = tmp_path / "gedraaid.pdf"
    document.save(turned)
    document.close()
    marked = render_marked_page(
        turned, 1, "vragen om structurele digitalisering van de informatievoorziening"
    )
    assert marked is not None and marked.found and len(marked.boxes) == 2
    width, height = marked.size
    assert width > height  # the portrait page lies on its side
    assert all(y1 - y0 > x1 - x0 for x0, y0, x1, y1 in marked.boxes)  # bands run down the image
    image = _image(marked)
    assert not _yellow(image)[~_inside(marked)].any()


def test_partly_matching_quote_is_marked_as_partial(page_pdf: Path) -> None:
    marked = render_marked_page(
        page_pdf, 1, "Eerste alinea: de provincies werken samen aan windenergie op zee en in de havens."
    )
    assert marked is not None and marked.found and marked.partial
    assert all(y1 < marked.size[1] / 2 for _, _, _, y1 in marked.boxes)


def test_quote_not_on_the_page_still_gives_the_image(page_pdf: Path) -> None:
    marked = render_marked_page(page_pdf, 1, "Deze zin staat nergens in het document, ook niet in stukjes.")
    assert marked is not None and not marked.found and not marked.partial and marked.boxes == []
    image = _image(marked)
    assert not _yellow(image).any()


def test_unreadable_file_or_missing_page_gives_none(page_pdf: Path, tmp_path: Path) -> None:
    garbage = tmp_path / "kapot.pdf"
    garbage.write_bytes(b"%PDF-1.4\nthis is not really a pdf")
    assert render_marked_page(garbage, 1, "iets") is None
    assert render_marked_page(FIXTURES / "beschadigd.pdf", 1, "iets") is None
    assert render_marked_page(tmp_path / "bestaat-niet.pdf", 1, "iets") is None
    assert render_marked_page(page_pdf, 2, "iets") is None
    assert render_marked_page(page_pdf, 0, "iets") is None


def test_real_letter_first_page() -> None:
    marked = render_marked_page(
        LETTER, 1, "In onze eerste kennismaking op 30 augustus 2024 heb ik met genoegen kennisgenomen"
    )
    assert marked is not None and marked.found and not marked.partial
    assert len(marked.boxes) == 2  # the sentence wraps after "genoegen"
    Path("/tmp/page_image_example.png").write_bytes(marked.png)


# --------------------------------------------------------------------------------------------------------
# Which PDF and page show a hit
# --------------------------------------------------------------------------------------------------------


def _hit(source: str, root: Path, *, alternates: tuple[str, ...] = (), **where: object) -> Hit:
    metadata = {"source": source, "root": str(root), **where}
    return Hit("c1", "tekst", 1.0, metadata, alternates=alternates)  # type: ignore[arg-type]


def test_a_pdf_hit_is_its_own_page() -> None:
    assert pdf_page_for(_hit(LETTER.name, LETTER.parent, page=2)) == (LETTER, 2)
    assert pdf_page_for(_hit("weg.pdf", LETTER.parent, page=1)) is None
    assert pdf_page_for(_hit(LETTER.with_suffix(".docx").name, LETTER.parent, section="Aanleiding")) is None


def test_a_slide_is_shown_from_the_decks_pdf_twin(tmp_path: Path) -> None:
    # The sample archive keeps the deck and its PDF export side by side under one name.
    assert pdf_page_for(_hit(f"{DECK}.pptx", DECKS, slide=25)) == (DECKS / f"{DECK}.pdf", 25)

    # A twin with another name is found through the hit's alternates, relative to the same root.
    (tmp_path / "dia").mkdir()
    (tmp_path / "export").mkdir()
    shutil.copy(DECKS / f"{DECK}.pptx", tmp_path / "dia" / "deck.pptx")
    shutil.copy(DECKS / f"{DECK}.pdf", tmp_path / "export" / "deck-als-pdf.pdf")
    hit = _hit("dia/deck.pptx", tmp_path, slide=25, alternates=("export/deck-als-pdf.pdf",))
    assert pdf_page_for(hit) == (tmp_path / "export" / "deck-als-pdf.pdf", 25)
    assert pdf_page_for(_hit("dia/deck.pptx", tmp_path, slide=25)) is None

    marked = mark_hit(
        hit,
        "Hoofdlijnen digitaliseringsbeleid voor komende jaren vaststellen als één overheid en gezamenlijk "
        "werken aan overstijgende opgaven.",
    )
    assert marked is not None and marked.found and not marked.partial and len(marked.boxes) == 2
