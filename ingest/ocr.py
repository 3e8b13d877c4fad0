"""Text recognition (OCR) for PDF pages without a text layer: scanned letters and reports.

A page is rendered to a greyscale image with pdfium (:mod:`pypdfium2`) and read by Debian's
``tesseract`` with its Dutch language data, through :mod:`pytesseract`. Cost is bounded per page: the
rendered image has at most :data:`MAX_PIXELS` pixels (a hostile page of 200 by 200 inches would
otherwise need gigabytes), tesseract is killed after ``page_timeout`` seconds, and a page that renders
to one flat colour (a blank page) is never sent to tesseract at all.

Whether OCR can run at all is asked once per process (:func:`unavailable_reason`): without the
``tesseract`` program or its ``nld`` data the loader reports the scan with that reason instead.
"""

from __future__ import annotations

import functools
import logging
import math
import subprocess
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytesseract

log = logging.getLogger(__name__)

#: PDFium is not thread-safe: every PDFium call in the process holds this lock (OCR renders pages in the
#: ingest reader thread while the web app renders page images on its request threads).
PDFIUM_LOCK = threading.Lock()

#: Pixels of one rendered page at most: an A4 page at 300 dpi is 8.7 million, so this allows A3 at
#: 300 dpi and shrinks anything larger (20 million greyscale pixels are 20 MB in memory).
MAX_PIXELS = 20_000_000
#: Pixels the images of one page may declare before the page is left unread: pdfium decodes every image
#: whole to render it. A4 scanned in colour at 600 dpi is 35 million; 100 million is about 300 MB.
MAX_IMAGE_PIXELS = 100_000_000


@dataclass(frozen=True, slots=True)
class OcrOptions:
    """Whether and how far scanned pages are read (from Settings: ``LOBBY_OCR*``)."""

    enabled: bool = True
    max_pages: int = 50
    page_timeout: float = 120.0
    language: str = "nld"
    #: 300 dpi is what tesseract is tuned for; 200 dpi read the corpus scan slower, not faster.
    dpi: int = 300


@dataclass(frozen=True, slots=True)
class PageText:
    """The outcome of reading one page: its text (possibly empty), or why it could not be read."""

    number: int
    text: str = ""
    problem: str | None = None
    seconds: float = 0.0


@functools.cache
def unavailable_reason(language: str = "nld") -> str | None:
    """Why OCR cannot run here (a Dutch reason), or ``None`` when tesseract and ``language`` are installed.

    Asked once per process and language: the answer only changes when packages are installed, and a
    tesseract call costs a process start. Tests that simulate an absent tesseract clear the cache.
    """
    try:
        pytesseract.get_tesseract_version()
        languages = pytesseract.get_languages(config="")
    except pytesseract.TesseractNotFoundError:
        return "tesseract ontbreekt (installeer tesseract-ocr en tesseract-ocr-nld, bijv. met make ocr)"
    except (OSError, subprocess.SubprocessError, pytesseract.TesseractError) as exc:
        return f"tesseract werkt niet: {' '.join(str(exc).split())[:120]}"
    if language not in languages:
        return f"taaldata '{language}' voor tesseract ontbreekt (installeer tesseract-ocr-{language})"
    return None


def _scale(width_pt: float, height_pt: float, dpi: int) -> float:
    """Render scale for ``dpi``, reduced so the image stays within :data:`MAX_PIXELS`."""
    scale = dpi / 72
    area = max(width_pt, 1.0) * max(height_pt, 1.0) * scale * scale
    if area > MAX_PIXELS:
        scale *= math.sqrt(MAX_PIXELS / area)
    return scale


def recognise(path: Path, numbers: Sequence[int], options: OcrOptions) -> Iterator[PageText]:
    """Read the 1-based pages ``numbers`` of the PDF at ``path`` by OCR, one :class:`PageText` each.

    A page that cannot be rendered or that tesseract fails on (or takes longer than ``page_timeout``
    on) yields a ``problem`` instead of text, so one bad page never costs the others. Call
    :func:`unavailable_reason` first: this function assumes tesseract is there.
    """
    with PDFIUM_LOCK:
        document = pdfium.PdfDocument(str(path))
    try:
        for number in numbers:
            started = time.perf_counter()
            try:
                text = _read_page(document, number, options)
            except RuntimeError as exc:  # pytesseract's timeout, and pdfium's render errors
                if "timeout" in str(exc).lower():
                    reason = (
                        f"tekstherkenning duurde te lang (meer dan {options.page_timeout:g} s; "
                        "zie LOBBY_OCR_PAGE_TIMEOUT)"
                    )
                else:
                    reason = f"tekstherkenning mislukt: {_detail(exc)}"
                yield PageText(number, problem=reason, seconds=time.perf_counter() - started)
            except (pytesseract.TesseractError, pdfium.PdfiumError, OSError, ValueError) as exc:
                problem = f"tekstherkenning mislukt: {_detail(exc)}"
                yield PageText(number, problem=problem, seconds=time.perf_counter() - started)
            else:
                seconds = time.perf_counter() - started
                log.info(
                    "%s: pagina %d met OCR gelezen in %.1f s (%d tekens)",
                    path.name,
                    number,
                    seconds,
                    len(text),
                )
                yield PageText(number, text=text, seconds=seconds)
    finally:
        with PDFIUM_LOCK:
            document.close()


def _detail(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:100] or type(exc).__name__


def _read_page(document: pdfium.PdfDocument, number: int, options: OcrOptions) -> str:
    """Render one page and run tesseract on it; empty for a page of one flat colour."""
    with PDFIUM_LOCK:
        page = document[number - 1]
        try:
            width, height = page.get_size()
            bitmap = page.render(scale=_scale(width, height, options.dpi), grayscale=True)
            image = bitmap.to_pil().convert("L")
            bitmap.close()
        finally:
            page.close()
    low, high = image.getextrema()
    # A blank (or uniformly grey) page has nothing to read: skip the tesseract start.
    if isinstance(low, int) and isinstance(high, int) and high - low < 16:
        return ""
    data = pytesseract.image_to_data(
        image, lang=options.language, timeout=options.page_timeout, output_type=pytesseract.Output.DICT
    )
    return _confident_text(data)


#: A recognised line whose words average a lower confidence (0-100) is dropped: on the corpus scan those
#: were the letterhead logos read as "KR Gemeente ee -", while real lines averaged 75-96.
MIN_LINE_CONFIDENCE = 50.0


def _confident_text(data: dict[str, list[Any]]) -> str:
    """Tesseract's words (``image_to_data``) as text: lines in paragraphs, unsure lines left out.

    Words keep tesseract's reading order; a line break ends each line and a blank line each paragraph,
    as ``image_to_string`` writes them. Lines of noise (logos, stamps, specks) get a low confidence, so a
    line below :data:`MIN_LINE_CONFIDENCE` on average is dropped rather than indexed as words.
    """
    paragraphs: dict[tuple[int, int, int], dict[int, list[tuple[str, float]]]] = {}
    for index, word in enumerate(data["text"]):
        confidence = float(data["conf"][index])
        if not str(word).strip() or confidence < 0:  # layout rows (block, line) carry no word
            continue
        paragraph = (int(data["page_num"][index]), int(data["block_num"][index]), int(data["par_num"][index]))
        line = paragraphs.setdefault(paragraph, {}).setdefault(int(data["line_num"][index]), [])
        line.append((str(word), confidence))
    kept: list[str] = []
    for lines in paragraphs.values():
        text = [
            " ".join(word for word, _ in words)
            for words in lines.values()
            if sum(c for _, c in words) / len(words) >= MIN_LINE_CONFIDENCE
        ]
        if text:
            kept.append("\n".join(text))
    return "\n\n".join(kept)
