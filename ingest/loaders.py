"""Turn one file into citable pages: PDF, DOCX, PPTX, plain text, Markdown and HTML.

Its :func:`load` dispatches on the file's suffix and returns a
:class:`~assistant.core.records.LoadedDocument` whose pages carry the anchors a citation needs (PDF
page, slide number, or the section heading a passage sits under). Every problem a user can fix or
should know about - an unsupported type, an empty, corrupt or encrypted file, a scan without a text
layer that cannot be read by OCR, a file that is not what its name says, a zip bomb - is raised as
:class:`LoadError` with a readable Dutch reason that the ingest report shows next to the file name.
Non-fatal problems (a text file that is not UTF-8, a PDF page that could not be read) become
``LoadedDocument.warnings`` instead, so the file is never dropped.

PDF pages without a text layer (scans) are read by text recognition (:mod:`ingest.ocr`) and marked
``Page.ocr``. Hostile files are bounded before a library opens them: a PDF's page count against
``LoadOptions.pdf_max_pages``, an Office file's zip members against declared sizes and compression
ratios (:func:`check_office_zip`).

The loaders only read the file; size limits, hashing and chunking belong to the pipeline.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import docx
from bs4 import BeautifulSoup
from bs4.dammit import EncodingDetector
from bs4.element import NavigableString, PreformattedString, Tag
from docx.text.paragraph import Paragraph
from pptx import Presentation
from pptx.shapes.group import GroupShape
from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, LimitReachedError
from pypdf.generic import ArrayObject, TextStringObject

from assistant.core.records import LoadedDocument, Page
from assistant.core.text import one_line
from ingest import ocr as ocr_engine
from ingest.ocr import OcrOptions

logger = logging.getLogger(__name__)


class LoadError(Exception):
    """A file that cannot be loaded; ``str(exc)`` is a readable Dutch reason for the user.

    The ingest report shows it next to the file name, so it says what is wrong in the user's terms
    ("PDF is versleuteld (wachtwoord vereist)") rather than in the library's.
    """


@dataclass(frozen=True, slots=True)
class LoadOptions:
    """Limits and OCR choices for loading (from Settings: ``LOBBY_PDF_MAX_PAGES``, ``LOBBY_OCR*``)."""

    pdf_max_pages: int = 5000
    ocr: OcrOptions = field(default_factory=OcrOptions)


# --------------------------------------------------------------------------------------------------------
# Shared text helpers
# --------------------------------------------------------------------------------------------------------

#: Characters PDF and Word extraction produce that mean something simpler: no-break and zero-width spaces,
#: soft hyphens, and Symbol/Wingdings bullets that land in the Unicode private use area.
_CHAR_FIXES = str.maketrans(
    {
        "\u00a0": " ",
        "\u2007": " ",
        "\u202f": " ",
        "\u200b": "",
        "\u00ad": "",
        "\ufeff": "",
        "\uf0b7": "•",  # Symbol bullet
        "\uf0a7": "▪",  # Wingdings square bullet
        "\uf06c": "●",  # Wingdings filled circle
        "\uf0d8": "➢",  # Wingdings arrow bullet
    }
)
_SPACES = re.compile(r"[^\S\n]+")
_MANY_NEWLINES = re.compile(r"\n{3,}")
#: A word broken at a line end with a hyphen: the letter before and the word after are captured
#: (look-arounds, so consecutive broken lines are all seen).
_LINE_END_HYPHEN = re.compile(r"(?<=(\w))-\n(?=(\w+))")
_VOWELS = frozenset("aeiouyáéíóúàèìòùäëïöüâêîôû")
#: "aan- en afvoer": a hyphen before a conjunction is an elided compound part, not a broken word.
_CONJUNCTIONS = frozenset({"en", "of", "tot", "noch", "dan", "and", "or"})


def _rejoin_hyphen(match: re.Match[str]) -> str:
    """Replacement for :data:`_LINE_END_HYPHEN`: decide if a hyphen at a line end broke a word.

    Lower-case on both sides means a word was hyphenated by the layout ("informa-/tie" -> "informatie"),
    except where Dutch writes the hyphen anyway: between two vowels ("zonne-energie") and before a
    conjunction ("aan- en afvoer"). Capitals and digits ("RES-regio", "Noordoost-Twente", "2000-plan")
    keep their hyphen, as do web addresses. In every case the line break goes, so the compound stays one
    word.
    """
    before, after = match.group(1), match.group(2)
    line_start = match.string.rfind("\n", 0, match.start()) + 1
    token = match.string[line_start : match.start()].rsplit(" ", 1)[-1]
    if "/" in token or "@" in token or token.lower().startswith("www."):
        return "-"  # a web or mail address wrapped at one of its own hyphens
    if after.lower() in _CONJUNCTIONS:
        return "- "
    if before.isalpha() and before.islower() and after[0].isalpha() and after[0].islower():
        if before in _VOWELS and after[0] in _VOWELS:
            return "-"
        return ""
    return "-"


def normalise_text(text: str, *, join_hyphens: bool = False) -> str:
    """Tidy extracted text: one space between words, paragraphs separated by exactly one blank line.

    Line breaks inside a paragraph are kept (they often carry list or address structure); spaces at line
    ends, runs of spaces and runs of blank lines are collapsed. ``join_hyphens`` also repairs words the
    layout hyphenated across lines, which only makes sense for PDF text.
    """
    text = text.translate(_CHAR_FIXES).replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    if join_hyphens:
        text = _LINE_END_HYPHEN.sub(_rejoin_hyphen, text)
    return _MANY_NEWLINES.sub("\n\n", text).strip()


def _join_paragraphs(paragraphs: Iterable[str]) -> str:
    """Join paragraphs with one blank line, dropping empty ones."""
    return "\n\n".join(p for p in (normalise_text(p) for p in paragraphs) if p)


def _iso_date(value: object) -> str | None:
    """``YYYY-MM-DD`` for a datetime/date, or ``None`` when there is no usable value."""
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y-%m-%d")
    return None


def _meaningful(value: str) -> bool:
    """False for blank or placeholder metadata such as ``"-"`` (no letter or digit at all)."""
    return any(ch.isalnum() for ch in value)


class _CoreProperties(Protocol):
    """The part of DOCX/PPTX ``core_properties`` the loaders read (python-docx and python-pptx agree)."""

    @property
    def title(self) -> str: ...
    @property
    def author(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def created(self) -> dt.datetime | None: ...


def _core_properties(core: _CoreProperties) -> dict[str, str]:
    """Title, author, subject and creation date from DOCX/PPTX core properties, where set."""
    props: dict[str, str] = {}
    for key, value in (("title", core.title), ("author", core.author), ("subject", core.subject)):
        if isinstance(value, str) and _meaningful(value):
            props[key] = " ".join(value.split())
    try:
        created = _iso_date(core.created)
    except (ValueError, TypeError):  # a malformed date in docProps/core.xml is not worth failing over
        created = None
    if created:
        props["created"] = created
    return props


class _Sections:
    """Collects paragraphs into pages that start at each heading (DOCX, Markdown, HTML).

    Text before the first heading goes into a page with ``section=None``. A heading's own text is the
    first paragraph of its page, so retrieval sees it together with the passage it introduces.
    """

    def __init__(self) -> None:
        self._pages: list[Page] = []
        self._heading: str | None = None
        self._paragraphs: list[str] = []

    def heading(self, text: str) -> None:
        """Close the current section and start a new one titled ``text`` (ignored when blank)."""
        text = normalise_text(text).replace("\n", " ")
        if not text:
            return
        self._flush()
        self._heading = text
        self._paragraphs = [text]

    def paragraph(self, text: str) -> None:
        """Add a paragraph to the current section (ignored when blank)."""
        if text.strip():
            self._paragraphs.append(text)

    def _flush(self) -> None:
        # A heading with nothing under it is kept as a page of its own: its words are still findable.
        body = _join_paragraphs(self._paragraphs)
        if body:
            self._pages.append(Page(text=body, section=self._heading, heading=self._heading))
        self._paragraphs = []

    def pages(self) -> tuple[Page, ...]:
        """All sections collected so far, in document order."""
        self._flush()
        return tuple(self._pages)


def _detail(exc: BaseException, limit: int = 160) -> str:
    """A one-line detail for a LoadError message: the library's message, or its type when it has none."""
    return one_line(str(exc), limit) or type(exc).__name__


def sniff(head: bytes) -> str | None:
    """What the first bytes of a file say it is, in words for a reason (``"een PDF"``), or ``None``.

    Used to tell a user that a file is not what its extension says (a PDF saved as ``.docx``), instead
    of a library's complaint about the format it expected; uploads are checked with it before storing.
    """
    start = head.lstrip()[:64].lower()
    if b"%PDF-" in head[:1024]:
        return "een PDF"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "een zip-bestand"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "een ouder Office-bestand (.doc/.ppt/.xls) of een met wachtwoord beveiligd Office-bestand"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return "een afbeelding"
    if start.startswith((b"<!doctype html", b"<html")):
        return "een HTML-pagina"
    return None


def _require_text(pages: tuple[Page, ...], kind: str) -> tuple[Page, ...]:
    """Raise when a format other than PDF yielded no text at all (a PDF has its own message)."""
    if not pages:
        raise LoadError(f"{kind} bevat geen tekst")
    return pages


# --------------------------------------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------------------------------------

_PDF_DATE = re.compile(r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?")


def _pdf_date(raw: object) -> str | None:
    """ISO date from a PDF date string such as ``D:20240528133420+02'00'``, or ``None``."""
    match = _PDF_DATE.match(str(raw).strip())
    if not match:
        return None
    year, month, day = match.group(1), match.group(2) or "01", match.group(3) or "01"
    try:
        return dt.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def _pdf_properties(reader: PdfReader) -> dict[str, str]:
    """Title, author, subject and creation date from the PDF document information dictionary."""
    try:
        info = reader.metadata
    except Exception as exc:  # a broken info dictionary only costs us the fallback metadata
        logger.debug("PDF-metadata niet leesbaar: %s", exc)
        return {}
    if not info:
        return {}
    props: dict[str, str] = {}
    for key, name in (("title", "/Title"), ("author", "/Author"), ("subject", "/Subject")):
        value = info.get(name)
        if value is not None and _meaningful(str(value)):
            props[key] = " ".join(str(value).split())
    created = _pdf_date(info.get("/CreationDate", ""))
    if created:
        props["created"] = created
    return props


def load_pdf(path: Path, options: LoadOptions | None = None) -> LoadedDocument:
    """Load a PDF with pypdf: one :class:`Page` per page that has text, numbered from 1.

    Encrypted files are opened with the empty password when that is allowed (owner-password-only PDFs).
    A page whose text cannot be extracted is skipped with a warning. Pages without a text layer are read
    by OCR where it is on and installed (see :func:`_recognise`); a PDF that ends up with no text at all
    is an error that says why. pypdf's own Python warnings (odd fonts, broken objects) are logged rather
    than shown; its log messages already go to the ``pypdf`` logger.
    """
    options = options or LoadOptions()
    with path.open("rb") as fh:
        head = fh.read(1024)
    if b"%PDF-" not in head:
        actual = sniff(head)
        but = f" maar {actual}; verkeerde extensie?" if actual else ""
        raise LoadError(f"PDF is beschadigd of onleesbaar: geen PDF-bestand (kop %PDF ontbreekt{but})")
    # catch_warnings changes process-wide state; fine for the sequential pipeline, and at worst a
    # concurrent caller would see a pypdf warning printed instead of logged.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            return _read_pdf(path, options)
        finally:
            for warning in caught:
                logger.info("%s: pypdf-waarschuwing: %s", path.name, warning.message)


def _too_many_pages(count: int | None, limit: int) -> LoadError:
    pages = f"{count} pagina's, meer" if count is not None else "meer pagina's"
    return LoadError(f"PDF heeft {pages} dan de limiet van {limit} (zie LOBBY_PDF_MAX_PAGES); niet ingelezen")


#: Nesting depth of a PDF page tree at most (pypdf's own limit too; real files nest 2-4 deep).
_PDF_MAX_TREE_DEPTH = 100


class _PageTreeTooBigError(Exception):
    """The page tree loops, nests too deep, or holds too many nodes (raised by :func:`_check_page_tree`)."""


def _check_page_tree(reader: PdfReader, limit: int) -> None:
    """Walk the page tree counting pages, stopping as soon as it holds more than ``limit`` pages.

    pypdf builds a page object for every leaf before it can say how many there are (up to 100,000 of
    them, ~10 s and ~300 MB for a tree that lies about its size), so the tree is counted first without
    building anything. The root's ``/Count`` is believed only when it is over the limit: a file claiming
    200,000 pages is refused without a walk. Raises :class:`LoadError` for too many pages and
    :class:`_PageTreeTooBigError` for a loop or a tree nested too deep; odd nodes are left for pypdf to judge.
    """
    root: Any = reader.trailer["/Root"]
    top = root["/Pages"]
    try:
        declared = int(top.get_object()["/Count"])
    except Exception:  # a missing or odd /Count: the walk decides
        declared = 0
    if declared > limit:
        raise _too_many_pages(declared, limit)
    pages = 0
    seen: set[int] = set()
    stack: list[tuple[Any, int]] = [(top, 0)]
    visits = 0
    while stack:
        item, depth = stack.pop()
        visits += 1
        if visits > 2 * limit + _PDF_MAX_TREE_DEPTH:  # empty /Pages nodes by the million
            raise _PageTreeTooBigError(f"over {visits} nodes")
        reference = getattr(item, "idnum", None)
        node = item.get_object() if hasattr(item, "get_object") else item
        if not isinstance(node, dict):
            continue
        kids: Any = node.get("/Kids")
        if node.get("/Type") == "/Pages" or (kids is not None and "/Type" not in node):
            if depth >= _PDF_MAX_TREE_DEPTH:
                raise _PageTreeTooBigError(f"depth over {_PDF_MAX_TREE_DEPTH}")
            if reference is not None:
                if reference in seen:
                    raise _PageTreeTooBigError(f"loop at object {reference}")
                seen.add(reference)
            kids = kids.get_object() if hasattr(kids, "get_object") else kids
            stack.extend((kid, depth + 1) for kid in kids or ())
            if len(stack) > limit + _PDF_MAX_TREE_DEPTH:
                raise _too_many_pages(None, limit)
        else:
            pages += 1
            if pages > limit:
                raise _too_many_pages(None, limit)


def _open_pdf(path: Path, max_pages: int) -> PdfReader:
    """Open and, where the empty password allows it, decrypt a PDF; translate failures to LoadError.

    A PDF with more than ``max_pages`` pages, or a page tree pypdf refuses to walk (too many entries,
    nested too deep), is refused with a reason: such files are hostile, or at least not worth the cost.
    """
    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            try:
                decrypted = reader.decrypt("")
            except DependencyError as exc:  # AES needs the optional 'cryptography' package
                raise LoadError(
                    "PDF is versleuteld met AES; ontsleutelen vereist het Python-pakket 'cryptography'"
                ) from exc
            if not decrypted:
                raise LoadError("PDF is versleuteld (wachtwoord vereist)")
        _check_page_tree(reader, max_pages)
        count = len(reader.pages)  # reads the page tree now, so a broken one is reported as damage
        if count > max_pages:
            raise _too_many_pages(count, max_pages)
    except LoadError:
        raise
    except (_PageTreeTooBigError, LimitReachedError, RecursionError) as exc:  # ours, and pypdf's own bounds
        logger.info("%s: PDF-limiet bereikt: %s", path.name, exc)
        raise LoadError(
            "PDF heeft een te grote of te diep geneste structuur (paginaboom); niet ingelezen"
        ) from exc
    except FileNotDecryptedError as exc:
        raise LoadError("PDF is versleuteld (wachtwoord vereist)") from exc
    except Exception as exc:  # pypdf raises many types (PdfReadError, KeyError, ...) on broken files
        raise LoadError(f"PDF is beschadigd of onleesbaar: {_detail(exc)}") from exc
    return reader


#: Text smaller than this (in points, after scaling) is not meant to be read: a planted instruction.
_PDF_MIN_FONT_SIZE = 2.0
_PDF_SHOW_TEXT = frozenset({b"Tj", b"TJ", b"'", b'"'})
_PDF_FILL = frozenset({b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"})
_PDF_FILL_COLOUR = {b"g": 1, b"rg": 3, b"k": 4, b"sc": 0, b"scn": 0}


class _PdfInk:
    """Which text a PDF page shows to a reader, followed operator by operator during extraction.

    pypdf extracts every string the page draws, including text no one can see: white text on the white
    page, text of a point or less, and text in render mode 3 or 7 (neither filled nor stroked). Such
    text is how instructions are planted for an AI reader, so it is blanked before pypdf reads it. White
    counts as invisible only while nothing coloured has been painted on the page (a filled shape, an
    image, a shading): white text on a dark banner is real text.
    """

    def __init__(self) -> None:
        self.fill: tuple[float, ...] = (0.0,)  # the fill colour's components (gray, RGB or CMYK)
        self.mode = 0  # text render mode (Tr)
        self.size = 0.0  # font size (Tf), before the text and transformation matrices
        self.painted = False  # something coloured was painted: white text may stand on it
        self.saved: list[tuple[tuple[float, ...], int, float]] = []
        self.hidden = 0  # text-showing operations blanked

    def _white(self) -> bool:
        if len(self.fill) == 4:  # CMYK: no ink at all
            return all(c <= 0.05 for c in self.fill)
        return len(self.fill) in (1, 3) and all(c >= 0.95 for c in self.fill)

    def _invisible(self, cm: list[float], tm: list[float]) -> bool:
        if self.mode in (3, 7):
            return True
        # The font size as drawn: Tf scaled by the vertical scale of the text matrix times the CTM.
        c = tm[2] * cm[0] + tm[3] * cm[2]
        d = tm[2] * cm[1] + tm[3] * cm[3]
        if 0 < abs(self.size) * (c * c + d * d) ** 0.5 < _PDF_MIN_FONT_SIZE:
            return True
        return self._white() and not self.painted

    def before(self, operator: bytes, operands: list[Any], cm: list[float], tm: list[float]) -> None:
        """Track the graphics state and blank a string no one can see (pypdf's ``visitor_operand_before``)."""
        try:
            if operator == b"q":
                self.saved.append((self.fill, self.mode, self.size))
            elif operator == b"Q" and self.saved:
                self.fill, self.mode, self.size = self.saved.pop()
            elif operator in _PDF_FILL_COLOUR:
                values = tuple(float(v) for v in operands if isinstance(v, (int, float)))
                wanted = _PDF_FILL_COLOUR[operator]
                self.fill = values if not wanted or len(values) == wanted else (0.0,)
            elif operator == b"cs":
                self.fill = (0.0,)
            elif operator == b"Tr" and operands:
                self.mode = int(operands[0])
            elif operator == b"Tf" and len(operands) >= 2:
                self.size = float(operands[1])
            elif operator in _PDF_FILL:
                self.painted = self.painted or not self._white()
            elif operator in (b"Do", b"BI", b"sh"):
                self.painted = True
            elif operator in _PDF_SHOW_TEXT and operands and self._invisible(cm, tm):
                # pypdf hands the same list on to its extractor: an empty string shows nothing.
                operands[-1] = ArrayObject() if operator == b"TJ" else TextStringObject("")
                self.hidden += 1
        except (TypeError, ValueError, IndexError):  # odd operands: extract as pypdf would
            return


def _visible_text(page: Any) -> str:
    """The text of a PDF page that a reader can see (see :class:`_PdfInk`)."""
    ink = _PdfInk()
    text = page.extract_text(visitor_operand_before=ink.before) or ""
    if ink.hidden:
        logger.info("pagina %s: %d onzichtbare tekstdelen niet opgenomen", page.page_number, ink.hidden)
    return str(text)


def _read_pdf(path: Path, options: LoadOptions) -> LoadedDocument:
    """The body of :func:`load_pdf`: pages with text, per-page problems as warnings."""
    reader = _open_pdf(path, options.pdf_max_pages)
    problems: list[str] = []
    pages: list[Page] = []
    without_text: list[int] = []
    page_count = len(reader.pages)
    for number in range(1, page_count + 1):
        try:
            raw = _visible_text(reader.pages[number - 1])
        except Exception as exc:  # one broken page should not cost the rest of the document
            logger.warning("%s: pagina %d niet leesbaar: %s", path.name, number, exc)
            problems.append(f"pagina {number} kon niet worden gelezen: {_detail(exc, 80)}")
            continue
        text = normalise_text(raw, join_hyphens=True)
        if text:
            pages.append(Page(text=text, page=number))
        else:
            without_text.append(number)
    unreadable = len(problems)

    why_no_text = "tekstherkenning (OCR) vond geen tekst"
    if without_text:
        recognised, why_no_text = _recognise(
            path, reader, without_text, options.ocr, problems, partial=bool(pages)
        )
        pages = sorted([*pages, *recognised], key=lambda p: p.page or 0)

    if not pages:
        if unreadable == page_count > 0:
            raise LoadError(f"PDF is beschadigd of onleesbaar: {problems[0]}")
        raise LoadError(f"PDF bevat geen tekstlaag (gescand document?); {why_no_text}")
    return LoadedDocument(pages=tuple(pages), properties=_pdf_properties(reader), warnings=tuple(problems))


def _image_pixels(node: Any, depth: int = 0) -> int:
    """Pixels of the images a page (or form) draws, summed from their declared sizes; nothing is decoded.

    Forms are followed a few levels deep (a scan is an image, at most wrapped in a form or two).
    """
    total = 0
    try:
        xobjects = node["/Resources"]["/XObject"]
    except (KeyError, TypeError):
        return 0
    for item in xobjects.values():
        xobject = item.get_object()
        subtype = xobject.get("/Subtype")
        if subtype == "/Image":
            total += int(xobject["/Width"]) * int(xobject["/Height"])
        elif subtype == "/Form" and depth < 4:
            total += _image_pixels(xobject, depth + 1)
    return total


def _recognise(
    path: Path,
    reader: PdfReader,
    numbers: list[int],
    options: OcrOptions,
    problems: list[str],
    *,
    partial: bool,
) -> tuple[list[Page], str]:
    """OCR the pages ``numbers`` (those without a text layer): the pages read, and why there is no text.

    Only pages without text are read, so a PDF with a partial text layer keeps its own text elsewhere.
    At most ``options.max_pages`` pages are read; pages beyond that, pages tesseract fails on, and (in a
    PDF that has text elsewhere) pages left unread because OCR is off or missing become warnings in
    ``problems``. So do pages whose images declare more than :data:`ingest.ocr.MAX_IMAGE_PIXELS` pixels:
    pdfium decodes an image whole to render it (a 45,000 pixel square took 28 s and 2.4 GB), so such a
    page is never rendered. The returned reason completes "PDF bevat geen tekstlaag ...;" when nothing
    was read.
    """
    if not options.enabled:
        return [], "tekstherkenning (OCR) staat uit (LOBBY_OCR=off)"
    missing = ocr_engine.unavailable_reason(options.language)
    if missing is not None:
        if partial:
            problems.append(
                f"{len(numbers)} pagina('s) zonder tekstlaag niet gelezen: OCR niet beschikbaar: {missing}"
            )
        return [], f"OCR niet beschikbaar: {missing}"
    todo, skipped = numbers[: options.max_pages], numbers[options.max_pages :]
    if skipped:
        problems.append(
            f"{len(skipped)} pagina('s) zonder tekstlaag niet gelezen (vanaf pagina {skipped[0]}): meer dan "
            f"{options.max_pages} pagina's OCR per bestand (zie LOBBY_OCR_MAX_PAGES)"
        )
    pages: list[Page] = []
    failures: list[str] = []
    for number in list(todo):
        try:
            pixels = _image_pixels(reader.pages[number - 1])
        except Exception:  # an odd resource dictionary: let pdfium judge the page
            continue
        if pixels > ocr_engine.MAX_IMAGE_PIXELS:
            todo.remove(number)
            failures.append(
                f"pagina {number}: afbeelding te groot voor tekstherkenning ({pixels / 1e6:,.0f} miljoen "
                f"pixels; limiet {ocr_engine.MAX_IMAGE_PIXELS / 1e6:,.0f} miljoen)"
            )
    try:
        for result in ocr_engine.recognise(path, todo, options):
            if result.problem is not None:
                failures.append(f"pagina {result.number}: {result.problem}")
                continue
            text = normalise_text(result.text, join_hyphens=True)
            if any(ch.isalnum() for ch in text):
                pages.append(Page(text=text, page=result.number, ocr=True))
    except Exception as exc:  # pdfium could not open what pypdf could: report it, keep the text layer
        logger.warning("%s: OCR niet mogelijk: %s", path.name, exc)
        failures.append(f"het hele bestand: {_detail(exc, 80)}")
    problems.extend(failures)
    if failures and not pages:
        return [], f"OCR mislukt op {failures[0]}"
    if not numbers[: options.max_pages]:
        return [], f"geen OCR: meer dan {options.max_pages} pagina's (zie LOBBY_OCR_MAX_PAGES)"
    return pages, "tekstherkenning (OCR) vond geen tekst"


# --------------------------------------------------------------------------------------------------------
# Office files (DOCX, PPTX) are zip archives: checked before a library opens them
# --------------------------------------------------------------------------------------------------------

#: Limits on the contents of an Office zip. python-docx and python-pptx read every member into memory,
#: so a member that inflates to gigabytes (a zip bomb) must be refused before they open it. Declared
#: sizes are checked first (free); then every member is inflated once in bounded pieces, because a
#: member can lie about its size: Python's zipfile returns no more than the declared size, but a whole-
#: member read() inflates all of it in memory first (a 256 MB lie cost 435 MB) before the CRC fails.
ZIP_MAX_MEMBERS = 10_000
ZIP_MAX_TOTAL_BYTES = 200_000_000
#: Compression ratio above which a member is a bomb rather than text (Apache POI uses the same 100x); only
#: checked for members over :data:`ZIP_RATIO_FROM_BYTES`, as tiny XML parts compress extremely well.
ZIP_MAX_RATIO = 100
ZIP_RATIO_FROM_BYTES = 1_000_000
#: Top-level folders that name the kind of Office file a zip holds.
_OFFICE_FOLDERS = {"word": "een Word-document (DOCX)", "ppt": "een PowerPoint-presentatie (PPTX)",
                   "xl": "een Excel-werkmap (XLSX)"}  # fmt: skip
_OFFICE_KIND = {"DOCX": "word", "PPTX": "ppt"}


def check_office_zip(path: Path, kind: str) -> None:
    """Refuse an Office file (``kind`` is ``DOCX`` or ``PPTX``) that is no zip, the wrong kind, or a bomb.

    Raises :class:`LoadError` ("DOCX is beschadigd of onleesbaar: ...") naming what the file is instead
    (a PDF saved as .docx, a presentation renamed to .docx) or which limit a member breaks. Members are
    inflated in pieces of 1 MB, so a member whose real size differs from its declared one is caught by
    its checksum at a memory cost of one piece; compression methods other than those Office uses (stored,
    deflate) are refused, as Python inflates them without a bound.
    """
    prefix = f"{kind} is beschadigd of onleesbaar"
    with path.open("rb") as fh:
        head = fh.read(1024)
    actual = sniff(head)
    if actual is not None and actual != "een zip-bestand":
        raise LoadError(f"{prefix}: geen Office-bestand maar {actual} (verkeerde extensie?)")
    broken = (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, NotImplementedError, zlib.error)
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            _check_members(members, prefix)
            for member in members:  # only after the declared sizes passed
                try:
                    with archive.open(member) as fh:
                        while fh.read(1 << 20):
                            pass
                except broken as exc:
                    raise LoadError(
                        f"{prefix}: onderdeel {one_line(member.filename, 60)} pakt anders uit dan het "
                        f"zip-archief opgeeft ({_detail(exc, 80)}; zip-bom?)"
                    ) from exc
    except LoadError:
        raise
    except broken as exc:
        raise LoadError(f"{prefix}: geen geldig zip-archief ({_detail(exc, 80)})") from exc
    folders = {m.filename.split("/", 1)[0] for m in members if "/" in m.filename}
    if _OFFICE_KIND[kind] not in folders:
        found = next((name for folder, name in _OFFICE_FOLDERS.items() if folder in folders), None)
        what = f"het is {found}" if found else f"geen {kind}-inhoud in het zip-archief"
        raise LoadError(f"{prefix}: {what} (verkeerde extensie?)")


def _check_members(members: list[zipfile.ZipInfo], prefix: str) -> None:
    """Refuse a zip by its directory alone: too many members, a bomb's ratio or size, odd compression."""
    if len(members) > ZIP_MAX_MEMBERS:
        raise LoadError(f"{prefix}: {len(members)} onderdelen in het zip-archief (limiet {ZIP_MAX_MEMBERS})")
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > ZIP_RATIO_FROM_BYTES and ratio > ZIP_MAX_RATIO:
            raise LoadError(
                f"{prefix}: onderdeel {one_line(member.filename, 60)} pakt uit tot "
                f"{member.file_size / 1e6:,.0f} MB ({ratio:,.0f}x gecomprimeerd; zip-bom?)"
            )
        if member.flag_bits & 0x1:
            raise LoadError(f"{prefix}: onderdeel {one_line(member.filename, 60)} is versleuteld")
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise LoadError(
                f"{prefix}: onderdeel {one_line(member.filename, 60)} gebruikt een compressie die Office "
                f"niet gebruikt (methode {member.compress_type})"
            )
    if total > ZIP_MAX_TOTAL_BYTES:
        raise LoadError(
            f"{prefix}: pakt uit tot {total / 1e6:,.0f} MB, meer dan de limiet van "
            f"{ZIP_MAX_TOTAL_BYTES / 1e6:,.0f} MB (zip-bom?)"
        )


# --------------------------------------------------------------------------------------------------------
# DOCX
# --------------------------------------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_HEADING_PREFIXES = ("heading", "kop")
_TITLE_STYLES = frozenset({"title", "titel"})


def _is_heading_style(name: str | None) -> bool:
    """True for Word heading and title styles, English or Dutch ("Heading 1", "Kop 2", "Titel")."""
    lowered = (name or "").strip().lower()
    return lowered.startswith(_HEADING_PREFIXES) or lowered in _TITLE_STYLES


def _docx_blocks(container: Any) -> Iterator[Any]:
    """Paragraph (``w:p``) and table (``w:tbl``) elements of a body or cell, in document order.

    Content controls (``w:sdt``, e.g. a table of contents or a template field) are opened up so their
    paragraphs are not lost.
    """
    for child in container.iterchildren():
        if child.tag in (f"{_W}p", f"{_W}tbl"):
            yield child
        elif child.tag == f"{_W}sdt":
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                yield from _docx_blocks(content)


def _docx_textboxes(paragraph: Any) -> Iterator[Any]:
    """The outermost text boxes (``w:txbxContent``) anchored in one paragraph.

    Word stores a modern text box twice, as DrawingML (``mc:Choice``) and as a VML fallback
    (``mc:Fallback``); only the first copy is read. Text boxes nested in a text box are reached when that
    box's own paragraphs are walked.
    """
    for box in paragraph.iter(f"{_W}txbxContent"):
        for ancestor in box.iterancestors():
            if ancestor is paragraph:
                yield box
                break
            if ancestor.tag in (_MC_FALLBACK, f"{_W}txbxContent"):
                break


def _docx_style_name(paragraph: Any) -> str | None:
    """The paragraph's style name, or ``None`` when the style cannot be resolved."""
    try:
        style = paragraph.style
    except (KeyError, ValueError, AttributeError):  # a dangling style id must not fail the file
        return None
    return style.name if style is not None else None


def _docx_items(container: Any, parent: Any) -> Iterator[tuple[bool, str]]:
    """``(is_heading, text)`` for each paragraph and table of a body, cell or text box, in order.

    A table is one item (its rows joined by newlines); the text boxes anchored in a paragraph follow that
    paragraph, because forms and letterheads put real content in them.
    """
    for block in _docx_blocks(container):
        if block.tag == f"{_W}tbl":
            yield False, "\n".join(_docx_table_rows(block, parent))
            continue
        paragraph = Paragraph(block, parent)
        yield _is_heading_style(_docx_style_name(paragraph)), paragraph.text
        for box in _docx_textboxes(block):
            yield from _docx_items(box, parent)


def _docx_table_rows(tbl: Any, parent: Any) -> list[str]:
    """One ``cell | cell`` line per table row; a cell's paragraphs and nested tables share its slot.

    Each ``w:tc`` element is read once, so a horizontally merged cell appears once, and the continuation
    of a vertically merged cell (``vMerge="continue"``) is left out instead of repeating the text above.
    Empty cells (layout spacers in letterheads) are dropped.
    """
    rows: list[str] = []
    for tr in tbl.iterchildren(f"{_W}tr"):
        cells: list[str] = []
        for tc in tr.iterchildren(f"{_W}tc"):
            v_merge = tc.find(f"{_W}tcPr/{_W}vMerge")
            if v_merge is not None and v_merge.get(f"{_W}val", "continue") == "continue":
                continue
            text = " ".join(" ".join(text for _, text in _docx_items(tc, parent)).split())
            if text:
                cells.append(text)
        if cells:
            rows.append(" | ".join(cells))
    return rows


def load_docx(path: Path) -> LoadedDocument:
    """Load a Word document: body paragraphs, tables and text boxes in order, split into pages at headings.

    Headers and footers are skipped (they repeat on every page and would drown the body). Tables become
    one ``cell | cell`` line per row, kept as one paragraph so a row never splits from its table.
    """
    check_office_zip(path, "DOCX")
    try:
        document = docx.Document(str(path))
        body = document.element.body
    except Exception as exc:  # BadZipFile, PackageNotFoundError, KeyError, XMLSyntaxError, ...
        raise LoadError(f"DOCX is beschadigd of onleesbaar: {_detail(exc)}") from exc

    sections = _Sections()
    for is_heading, text in _docx_items(body, document):
        if is_heading and text.strip():
            sections.heading(text)
        else:
            sections.paragraph(text)

    pages = _require_text(sections.pages(), "DOCX")
    return LoadedDocument(pages=pages, properties=_core_properties(document.core_properties))


# --------------------------------------------------------------------------------------------------------
# PPTX
# --------------------------------------------------------------------------------------------------------


def _pptx_shape_paragraphs(shape: Any) -> Iterator[str]:
    """Text of one shape: text-frame paragraphs, table rows as ``cell | cell``, group members in order."""
    if isinstance(shape, GroupShape):
        for member in shape.shapes:
            yield from _pptx_shape_paragraphs(member)
        return
    if getattr(shape, "has_table", False) and shape.has_table:
        rows: list[str] = []
        for row in shape.table.rows:
            cells = [
                " ".join(cell.text.split()) for cell in row.cells if not cell.is_spanned and cell.text.strip()
            ]
            if cells:
                rows.append(" | ".join(cells))
        if rows:
            yield "\n".join(rows)
        return
    if getattr(shape, "has_text_frame", False) and shape.has_text_frame:
        for paragraph in shape.text_frame.paragraphs:
            yield paragraph.text


def load_pptx(path: Path) -> LoadedDocument:
    """Load a PowerPoint file: one :class:`Page` per slide with text, numbered from 1.

    A page holds the slide title, then the text of the other shapes in order, then the speaker notes as a
    final paragraph starting with ``Notities:``. Slides without any text are skipped; the numbering of the
    others stays that of the deck, so "dia 3" is the third slide the user sees.
    """
    check_office_zip(path, "PPTX")
    try:
        presentation = Presentation(str(path))
        slides = list(presentation.slides)
    except Exception as exc:  # BadZipFile, PackageNotFoundError, KeyError, XMLSyntaxError, ...
        raise LoadError(f"PPTX is beschadigd of onleesbaar: {_detail(exc)}") from exc

    pages: list[Page] = []
    for number, slide in enumerate(slides, start=1):
        title_shape = slide.shapes.title
        title = " ".join(title_shape.text.split()) if title_shape is not None else ""
        paragraphs = [title]
        for shape in slide.shapes:
            if title_shape is not None and shape.shape_id == title_shape.shape_id:
                continue
            paragraphs.extend(_pptx_shape_paragraphs(shape))
        if slide.has_notes_slide:
            notes_frame = slide.notes_slide.notes_text_frame
            notes = normalise_text(notes_frame.text) if notes_frame is not None else ""
            if notes:
                paragraphs.append(f"Notities: {notes}")
        text = _join_paragraphs(paragraphs)
        if text:
            pages.append(Page(text=text, slide=number, heading=title or None))

    return LoadedDocument(
        pages=_require_text(tuple(pages), "PPTX"),
        properties=_core_properties(presentation.core_properties),
    )


# --------------------------------------------------------------------------------------------------------
# Plain text and Markdown
# --------------------------------------------------------------------------------------------------------


def decode_text(data: bytes) -> tuple[str, list[str]]:
    """Decode bytes of unknown encoding, never failing; return the text and Dutch warnings.

    UTF-8 (with or without BOM) and BOM-marked UTF-16 are read silently. Anything else is read as cp1252
    (the usual Windows encoding of Dutch files), or latin-1 as a last resort, with a warning so the user
    knows accented letters may be wrong.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), []
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), ["tekst is geen geldige UTF-8; gelezen als cp1252"]
    except UnicodeDecodeError:
        return data.decode("latin-1"), ["tekst is geen geldige UTF-8; gelezen als latin-1"]


#: ATX headings of level 1-3. The space after the hashes is optional because real corpus files
#: (the wetgeving Markdown) write "##Circulaire ..." without one.
_MD_HEADING = re.compile(r"^ {0,3}(#{1,3})(?!#)[ \t]*(.+?)[ \t]*#*[ \t]*$")
_MD_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_LONE_TAG = re.compile(r"^\s*<[^>]+>\s*$")


def _markdown_sections(text: str) -> tuple[Page, ...]:
    """Split Markdown into pages at level 1-3 headings, outside fenced code blocks.

    Links keep only their text, and lines that are nothing but an HTML tag (the corpus files start with a
    ``<meta>`` line) are dropped; other Markdown syntax is left in place, as it reads fine.
    """
    sections = _Sections()
    block: list[str] = []
    in_fence = False

    def flush() -> None:
        sections.paragraph("\n".join(block))
        block.clear()

    for line in text.split("\n"):
        if _MD_FENCE.match(line):
            in_fence = not in_fence
            block.append(line)
            continue
        if in_fence:
            block.append(line)
            continue
        heading = _MD_HEADING.match(line)
        if heading:
            flush()
            sections.heading(_MD_LINK.sub(r"\1", heading.group(2)))
        elif not line.strip():
            flush()
        elif not _MD_LONE_TAG.match(line):
            block.append(_MD_LINK.sub(r"\1", line))
    flush()
    return sections.pages()


def load_text(path: Path) -> LoadedDocument:
    """Load a ``.txt`` (one page) or Markdown file (one page per level 1-3 heading).

    The encoding is detected leniently (see :func:`decode_text`): a text file is never dropped for its
    encoding, only flagged.
    """
    text, problems = decode_text(path.read_bytes())
    if not text.strip():
        raise LoadError("bestand is leeg")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if path.suffix.lower() in {".md", ".markdown"}:
        pages = _markdown_sections(text)
    else:
        body = normalise_text(text)
        pages = (Page(text=body),) if body else ()
    return LoadedDocument(pages=_require_text(pages, "Tekstbestand"), warnings=tuple(problems))


# --------------------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------------------

_HTML_DROP = ["script", "style", "nav", "noscript", "template", "iframe", "svg"]
_WHITESPACE = re.compile(r"\s+")
_HTML_SECTION_HEADINGS = frozenset({"h1", "h2", "h3"})
_HTML_BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "caption", "dd", "details", "dialog", "div",
        "dl", "dt", "fieldset", "figcaption", "figure", "form", "h4", "h5", "h6", "hr", "html", "li",
        "main", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead",
        "ul",
    }
)  # fmt: skip


def _decode_html(data: bytes) -> tuple[str, list[str]]:
    """Decode HTML bytes: UTF-8 first, then the charset the page declares, then :func:`decode_text`."""
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    declared = EncodingDetector.find_declared_encoding(data, is_html=True, search_entire_document=False)
    if declared:
        try:
            return data.decode(declared), []
        except (LookupError, UnicodeDecodeError):
            logger.debug("opgegeven tekenset %r past niet; val terug", declared)
    return decode_text(data)


#: Inline styles that hide an element from every reader (``display:none``, ``font-size:0``, ...).
_HTML_HIDDEN_STYLE = re.compile(
    r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse)|font-size\s*:\s*0(?:\.0*)?"
    r"(?:px|pt|em|rem|%)?\s*(?:!important)?\s*(?:;|$)|opacity\s*:\s*0(?:\.0*)?\s*(?:!important)?\s*(?:;|$))",
    re.IGNORECASE,
)


def _html_hidden(tag: Tag) -> bool:
    """Whether a browser shows ``tag`` to no one: text planted there is for machines, not readers.

    The ``hidden`` attribute, ``aria-hidden="true"`` (hidden from screen readers, so not content for
    them either), an inline style that hides it, and ``<input type="hidden">``. Style sheets are not
    evaluated: a class that hides an element is not seen.
    """
    if tag.has_attr("hidden") or str(tag.get("aria-hidden", "")).strip().lower() == "true":
        return True
    if tag.name == "input" and str(tag.get("type", "")).strip().lower() == "hidden":
        return True
    return _HTML_HIDDEN_STYLE.search(str(tag.get("style", ""))) is not None


class _HtmlWalker:
    """Walks the parsed HTML in document order, turning blocks into paragraphs and h1-h3 into sections."""

    def __init__(self) -> None:
        self.sections = _Sections()
        self._inline: list[str] = []

    def _flush(self) -> None:
        lines = (" ".join(line.split()) for line in "".join(self._inline).split("\n"))
        self.sections.paragraph("\n".join(line for line in lines if line))
        self._inline = []

    def walk(self, node: Any) -> None:
        """Visit ``node``'s children; call once with the document, then :meth:`pages`."""
        for child in node.children:
            if isinstance(child, NavigableString):
                if not isinstance(child, PreformattedString):  # comments, CDATA, doctype
                    self._inline.append(_WHITESPACE.sub(" ", str(child)))
                continue
            if not isinstance(child, Tag):
                continue
            name = child.name
            if name in _HTML_SECTION_HEADINGS:
                self._flush()
                self.sections.heading(child.get_text(" "))
            elif name == "tr":
                self._flush()
                cells = [
                    " ".join(c.get_text(" ").split()) for c in child.find_all(["td", "th"], recursive=False)
                ]
                self.sections.paragraph(" | ".join(c for c in cells if c))
            elif name == "br":
                self._inline.append("\n")
            elif name in _HTML_BLOCKS:
                self._flush()
                self.walk(child)
                self._flush()
            else:
                self.walk(child)

    def pages(self) -> tuple[Page, ...]:
        """The collected sections."""
        self._flush()
        return self.sections.pages()


def load_html(path: Path) -> LoadedDocument:
    """Load an HTML page: visible text split into pages at ``h1``-``h3``, title from ``<title>``.

    Scripts, styles, navigation and the page-wide header and footer are dropped as boilerplate; a
    ``<header>``/``<footer>`` inside an ``<article>`` or ``<main>`` belongs to the content and is kept.
    Paragraphs, list items and table rows (``cell | cell``) become separate paragraphs. Elements a browser
    hides (:func:`_html_hidden`) are dropped too: what no reader sees is no content, and it is where
    instructions for an AI reader are planted.
    """
    text, problems = _decode_html(path.read_bytes())
    if not text.strip():
        raise LoadError("bestand is leeg")
    try:
        soup = BeautifulSoup(text, "lxml")
    except Exception as exc:  # lxml copes with nearly anything; this is for the truly unparseable
        raise LoadError(f"HTML is onleesbaar: {_detail(exc)}") from exc

    properties: dict[str, str] = {}
    if soup.title is not None:
        title = " ".join(soup.title.get_text(" ").split())
        if title:
            properties["title"] = title
    for tag in soup.find_all(_HTML_DROP):
        tag.decompose()
    for tag in soup.find_all(_html_hidden):
        if not tag.decomposed:
            tag.decompose()
    for tag in soup.find_all(["header", "footer"]):
        if not tag.decomposed and tag.find_parent(["article", "main"]) is None:
            tag.decompose()
    if soup.head is not None:
        soup.head.decompose()

    walker = _HtmlWalker()
    walker.walk(soup)
    return LoadedDocument(
        pages=_require_text(walker.pages(), "HTML-pagina"), properties=properties, warnings=tuple(problems)
    )


# --------------------------------------------------------------------------------------------------------
# Dispatch
# --------------------------------------------------------------------------------------------------------

_LOADERS: dict[str, Callable[[Path], LoadedDocument]] = {
    ".pdf": load_pdf,
    ".docx": load_docx,
    ".pptx": load_pptx,
    ".txt": load_text,
    ".md": load_text,
    ".markdown": load_text,
    ".html": load_html,
    ".htm": load_html,
}

SUPPORTED_SUFFIXES: frozenset[str] = frozenset(_LOADERS)


def _refuse_binary(path: Path, suffix: str) -> None:
    """Refuse a PDF, Office file or image saved under a text suffix: decoding it would index garbage."""
    with path.open("rb") as fh:
        actual = sniff(fh.read(1024))
    if actual is not None and actual != "een HTML-pagina":
        raise LoadError(f"bestand met extensie {suffix} is geen tekst maar {actual} (verkeerde extensie?)")


def _is_blank(path: Path) -> bool:
    """True when the file is empty or holds only whitespace, read in blocks so big files cost little."""
    with path.open("rb") as fh:
        while block := fh.read(65536):
            if block.strip():
                return False
    return True


#: Suffixes read as text (plain, Markdown, HTML): a binary file under such a name is refused.
_TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm"})


def load(path: Path, options: LoadOptions | None = None) -> LoadedDocument:
    """Load one file, choosing the loader by suffix (case-insensitive, so ``.PDF`` works too).

    Raises :class:`LoadError` with a Dutch reason for an unsupported suffix, an empty or unreadable file,
    a file that is not what its suffix says, a corrupt, encrypted or hostile file, a PDF without a text
    layer that OCR could not read, or a file with no text at all. ``options`` bound PDF pages and OCR.
    """
    suffix = path.suffix.lower()
    loader = _LOADERS.get(suffix)
    if loader is None:
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        shown = suffix or "zonder extensie"
        raise LoadError(f"bestandstype {shown} wordt niet ondersteund (ondersteund: {supported})")
    try:
        if _is_blank(path):
            raise LoadError("bestand is leeg")
        if suffix in _TEXT_SUFFIXES:
            _refuse_binary(path, suffix)
        document = load_pdf(path, options) if loader is load_pdf else loader(path)
    except LoadError:
        raise
    except OSError as exc:
        raise LoadError(f"bestand kan niet worden gelezen: {exc.strerror or _detail(exc)}") from exc
    except Exception as exc:
        # The loaders turn the failures they know into LoadError; anything else is a library choking on
        # an odd file. Keep the traceback in the log, but give the pipeline the one exception type it
        # handles per file, so one bad file never stops an ingest run.
        logger.exception("%s: onverwachte fout bij het laden", path)
        raise LoadError(f"bestand kon niet worden gelezen: {type(exc).__name__}: {_detail(exc)}") from exc
    logger.debug("%s: %d pagina's/secties geladen", path.name, len(document.pages))
    return document
