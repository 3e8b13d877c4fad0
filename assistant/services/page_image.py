"""A cited passage shown where it stands: the rendered PDF page with the quote marked on it.

The evidence panel shows the passage's text (:meth:`LibraryService.open`); this module adds the picture a
reader trusts more: the page as printed, with the quoted characters highlighted like a marker pen would.

* :func:`render_marked_page` renders one page with PDFium, finds the quote among the page's characters and
  paints a yellow band over each line the quote runs through;
* :func:`pdf_page_for` picks what to render for a hit: the PDF itself, or for a slide the PDF export of the
  deck (a twin listed in ``Hit.alternates`` or a same-named ``.pdf`` beside the ``.pptx``);
* :func:`mark_hit` does both.

The quote was extracted at ingest by pypdf and the page text here comes from PDFium, so the two rarely agree
character for character: matching compares a key without whitespace and hyphens (see :func:`match_key`).
The pure parts (keys, finding the quote, merging character boxes into line bands) are functions of their
own so they can be tested without a PDF.
"""

from __future__ import annotations

import ctypes
import io
import logging
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image, ImageChops, ImageDraw

from assistant.core.records import Hit
from ingest.ocr import PDFIUM_LOCK

log = logging.getLogger(__name__)

#: A rectangle in image pixels: left, top, right, bottom (origin top left, as PIL draws).
Box = tuple[int, int, int, int]

#: The highlighter colour; multiplied into the page, so white paper turns this yellow and ink stays dark.
MARK_COLOUR = (255, 226, 60)

#: A partial match must cover at least this many key characters (no spaces or hyphens): shorter runs are
#: too likely to be a common phrase found somewhere else on the page.
MIN_RUN = 40

#: PDFium is not thread-safe and the web app serves requests on threads: every PDFium call holds this lock,
#: the one OCR holds too (it renders scanned pages in the ingest thread of an upload).
_PDFIUM_LOCK = PDFIUM_LOCK

#: Characters left out of the match key: whitespace is handled by ``str.isspace``; these are the hyphens a
#: layout adds or an extractor keeps or drops at a line end (hyphen-minus, hyphen, non-breaking hyphen,
#: soft hyphen) and the code PDFium gives a hyphen it took for a word break at a line end: U+0002 per
#: character, U+FFFE in its extracted text (it then also leaves out the line break).
_IGNORED = frozenset("-\u2010\u2011\u00ad\u0002\ufffe")

#: Typographic quotes and apostrophes that one extractor keeps and another straightens.
_FOLD = str.maketrans(
    {"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2018": "'", "\u2019": "'", "\u201a": "'"}
)


@dataclass(frozen=True, slots=True)
class MarkedPage:
    """A rendered page as PNG, whether (and how much of) the quote was found, and the marked bands.

    ``found`` is true when any part of the quote is marked; ``partial`` when only a long enough start
    and/or end of it was found (the quote left something out, or the PDF's text differs). ``boxes`` are
    the painted bands in image pixels (left, top, right, bottom), one per line run; ``size`` is the
    image's width and height.
    """

    png: bytes
    found: bool
    partial: bool
    boxes: list[Box]
    size: tuple[int, int]


# --------------------------------------------------------------------------------------------------------
# Pure parts: match keys, finding the quote, line bands
# --------------------------------------------------------------------------------------------------------


def match_key(chars: Sequence[str]) -> tuple[str, list[int]]:
    """The text used for matching, and for each of its characters the index in ``chars`` it came from.

    Each character is NFKC-normalised (ligatures such as "ﬁ" become "fi", no-break spaces plain spaces)
    and case-folded; typographic quotes are straightened; whitespace and hyphens are dropped. Dropping
    rather than collapsing whitespace also absorbs the spaces one extractor inserts or loses inside a
    word; dropping hyphens absorbs words broken at a line end ("digitali-" + "sering"), whether or not the
    other side rejoined them. ``chars`` may be a string (a quote) or a page's character list.
    """
    key: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(chars):
        for out in unicodedata.normalize("NFKC", char).casefold().translate(_FOLD):
            if out.isspace() or out in _IGNORED:
                continue
            key.append(out)
            origin.append(index)
    return "".join(key), origin


def _longest_run(text: str, quote: str, *, prefix: bool) -> int:
    """Length of the longest prefix (or suffix) of ``quote`` that occurs in ``text``.

    If a prefix occurs, every shorter one does too, so the length is found by binary search.
    """
    low, high = 0, len(quote)
    while low < high:
        middle = (low + high + 1) // 2
        part = quote[:middle] if prefix else quote[len(quote) - middle :]
        if part in text:
            low = middle
        else:
            high = middle - 1
    return low


def find_quote(text: str, quote: str, *, min_run: int = MIN_RUN) -> tuple[list[tuple[int, int]], bool]:
    """Where ``quote`` sits in ``text`` (both match keys): spans ``[start, end)`` and whether it is partial.

    The first occurrence of the whole quote wins. Otherwise the longest start and the longest end of the
    quote found on the page are taken, each only if at least ``min_run`` characters long (a quote with
    an omission "..." in the middle gets both its halves marked). Nothing found gives ``([], False)``.
    """
    if not quote or not text:
        return [], False
    start = text.find(quote)
    if start >= 0:
        return [(start, start + len(quote))], False
    spans: list[tuple[int, int]] = []
    head = _longest_run(text, quote, prefix=True)
    if head >= min_run:
        begin = text.find(quote[:head])
        spans.append((begin, begin + head))
    tail = _longest_run(text, quote, prefix=False)
    if tail >= min_run:
        ending = quote[len(quote) - tail :]
        after = spans[0][1] if spans else 0
        begin = text.find(ending, after)
        if begin < 0:
            begin = text.find(ending)
        spans.append((begin, begin + tail))
    return _merged_spans(spans), bool(spans)


def _merged_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching spans joined, in text order."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def line_boxes(boxes: Sequence[Box], *, vertical: bool = False) -> list[Box]:
    """Character boxes in reading order merged into one band per line run.

    A character continues the current band when it overlaps the band across the line by at least half
    its own height and lies within twice its height of the band along the line (a word space is far less;
    a wrap to the next line, a jump to another column or a wide table gap is not); otherwise it starts a
    new band. A band spans from its first to its last character, so the spaces between words are marked
    too. ``vertical`` is for pages turned a quarter (``/Rotate`` 90 or 270): their lines run down or up
    the image.
    """
    if vertical:
        flipped = line_boxes([(y0, x0, y1, x1) for x0, y0, x1, y1 in boxes])
        return [(x0, y0, x1, y1) for y0, x0, y1, x1 in flipped]
    bands: list[Box] = []
    for box in boxes:
        x0, y0, x1, y1 = box
        if bands:
            b0, t0, b1, t1 = bands[-1]
            height = max(1, y1 - y0)
            overlap = min(y1, t1) - max(y0, t0)
            gap = max(0, x0 - b1, b0 - x1)
            if overlap >= 0.5 * height and gap <= 2 * height:
                bands[-1] = (min(b0, x0), min(t0, y0), max(b1, x1), max(t1, y1))
                continue
        bands.append(box)
    return bands


def padded(box: Box, pad: int, size: tuple[int, int]) -> Box:
    """``box`` grown by ``pad`` pixels on every side, kept inside an image of ``size``."""
    x0, y0, x1, y1 = box
    width, height = size
    return (max(0, x0 - pad), max(0, y0 - pad), min(width, x1 + pad), min(height, y1 + pad))


def highlight(
    image: Image.Image, boxes: Sequence[Box], colour: tuple[int, int, int] = MARK_COLOUR
) -> Image.Image:
    """``image`` with ``boxes`` marked as a highlighter would: the colour multiplied into the page.

    Multiplying keeps black text black and turns white paper ``colour``, so the marked words stay as
    readable as the rest (a plain semi-transparent fill would grey the text).
    """
    base = image.convert("RGB")
    if not boxes:
        return base
    # Only the region the boxes span is blended (a whole page takes several times longer); one overlay
    # for all boxes, so where two bands overlap the page is not marked twice.
    left, top = min(b[0] for b in boxes), min(b[1] for b in boxes)
    right, bottom = max(b[2] for b in boxes), max(b[3] for b in boxes)
    region = base.crop((left, top, right, bottom))
    overlay = Image.new("RGB", region.size, (255, 255, 255))
    draw = ImageDraw.Draw(overlay)
    for x0, y0, x1, y1 in boxes:
        draw.rectangle((x0 - left, y0 - top, x1 - left - 1, y1 - top - 1), fill=colour)
    base.paste(ImageChops.multiply(region, overlay), (left, top))
    return base


# --------------------------------------------------------------------------------------------------------
# PDFium: render a page and mark the quote on it
# --------------------------------------------------------------------------------------------------------


def _page_chars(textpage: pdfium.PdfTextPage) -> list[str]:
    """Every character of the page's text layer, in PDFium's order (line breaks it generated included)."""
    return [chr(pdfium_c.FPDFText_GetUnicode(textpage, i)) for i in range(textpage.count_chars())]


def _char_box(
    page: pdfium.PdfPage, textpage: pdfium.PdfTextPage, index: int, size: tuple[int, int]
) -> Box | None:
    """Pixel box of character ``index`` on the page rendered at ``size``; ``None`` if generated or empty.

    The loose box (the font's full height) gives every character of a line the same band height. Page
    coordinates go to pixels through PDFium itself, so crop boxes and page rotation are accounted for.
    """
    if pdfium_c.FPDFText_IsGenerated(textpage, index):
        return None
    try:
        left, bottom, right, top = textpage.get_charbox(index, loose=True)
    except pdfium.PdfiumError:
        return None
    if right <= left or top <= bottom:
        return None
    xs, ys = [], []
    for px, py in ((left, top), (right, bottom)):
        x, y = ctypes.c_int(), ctypes.c_int()
        pdfium_c.FPDF_PageToDevice(page, 0, 0, size[0], size[1], 0, px, py, x, y)
        xs.append(x.value)
        ys.append(y.value)
    return (min(xs), min(ys), max(xs), max(ys))


def _text_upright(page: pdfium.PdfPage) -> pdfium.PdfTextPage:
    """The page's text layer in reading order, also on a page turned by ``/Rotate``.

    On a turned page PDFium lists the lines in reverse order, which splits any quote that runs over a
    line break; so the text is read with the page set upright (in memory only, the file is not written)
    and the rotation is restored for mapping character boxes to the rendered image. Character boxes are
    in page space and do not depend on the rotation.
    """
    rotation = page.get_rotation()
    if not rotation:
        return page.get_textpage()
    page.set_rotation(0)
    try:
        return page.get_textpage()
    finally:
        page.set_rotation(rotation)


def render_marked_page(
    pdf_path: Path, page_number: int, quote: str, *, scale: float = 1.5
) -> MarkedPage | None:
    """Page ``page_number`` (1-based) of ``pdf_path`` as PNG with ``quote`` marked on it.

    A quote that is not on the page still gives the image (``found`` false, no boxes). ``None`` when the
    file is missing or not a readable PDF, or has no such page: the reason is logged, never raised, so an
    evidence panel can fall back to the passage's text.
    """
    try:
        with _PDFIUM_LOCK:
            image, boxes, partial = _render(pdf_path, page_number, quote, scale)
    except Exception as exc:  # PdfiumError, OSError, and whatever else a damaged file brings
        log.warning("cannot show page %s of %s: %s", page_number, pdf_path, exc)
        return None
    if image is None:
        return None
    image = highlight(image, boxes)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)  # level 6 takes twice as long for a larger file
    return MarkedPage(buffer.getvalue(), bool(boxes), partial, boxes, image.size)


def _render(
    pdf_path: Path, page_number: int, quote: str, scale: float
) -> tuple[Image.Image | None, list[Box], bool]:
    """The page image, the bands to mark and whether the match is partial (caller holds the PDFium lock)."""
    pdf = pdfium.PdfDocument(pdf_path)
    try:
        if not 1 <= page_number <= len(pdf):
            log.warning("%s has no page %s (it has %s)", pdf_path, page_number, len(pdf))
            return None, [], False
        page = pdf[page_number - 1]
        bitmap = page.render(scale=scale)
        # A copy: for some pixel formats PIL shares PDFium's buffer, which is freed with the document.
        image = bitmap.to_pil().convert("RGB")
        size = (bitmap.width, bitmap.height)
        textpage = _text_upright(page)
        page_key, origin = match_key(_page_chars(textpage))
        spans, partial = find_quote(page_key, match_key(quote)[0])
        indices = sorted({origin[i] for start, end in spans for i in range(start, end)})
        chars = [box for i in indices if (box := _char_box(page, textpage, i, size)) is not None]
        pad = max(1, round(scale))
        vertical = page.get_rotation() in (90, 270)
        boxes = [padded(band, pad, size) for band in line_boxes(chars, vertical=vertical)]
        return image, boxes, partial if boxes else False
    finally:
        pdf.close()


# --------------------------------------------------------------------------------------------------------
# Which PDF and page show a hit
# --------------------------------------------------------------------------------------------------------


def pdf_page_for(hit: Hit) -> tuple[Path, int] | None:
    """The PDF file and 1-based page that show ``hit``, or ``None`` when there is none to render.

    A PDF hit is its own file at its page. A slide is shown from the deck's PDF export at the slide's
    number: a ``.pdf`` among the hit's ``alternates`` (other files of the same document, relative to the
    same archive root; only set on retrieved hits, not on a chunk fetched by id), else a same-named
    ``.pdf`` next to the deck. Section-based hits (DOCX, Markdown, HTML) have no page to show.
    """
    path = Path(hit.path)
    if path.suffix.lower() == ".pdf":
        return (path, hit.page) if hit.page is not None and path.is_file() else None
    if hit.slide is None:
        return None
    twins = [
        Path(hit.root, alt) if hit.root else Path(alt)
        for alt in hit.alternates
        if alt.lower().endswith(".pdf")
    ]
    twins += [path.with_suffix(".pdf"), path.with_suffix(".PDF")]
    for twin in twins:
        if twin.is_file():
            return twin, hit.slide
    return None


def mark_hit(hit: Hit, quote: str | None = None, *, scale: float = 1.5) -> MarkedPage | None:
    """The rendered page of ``hit`` with ``quote`` (by default the hit's own text) marked on it.

    ``None`` when the hit has no PDF page to show or the PDF cannot be read.
    """
    target = pdf_page_for(hit)
    if target is None:
        return None
    path, page = target
    return render_marked_page(path, page, quote if quote is not None else hit.text, scale=scale)
