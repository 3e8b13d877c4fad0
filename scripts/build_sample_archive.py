"""Build the sample IPO lobby archive under ``data/`` from the seed extractions of one IPO presentation.

The seeds are two text extractions of the IPO presentation "Lobby namens de provincies in Den Haag"
(``000_*.txt``: cleaner text incl. the embedded letters and press clippings; ``001_*.txt``: the slide
order). The archive's content is data in ``scripts/sample_archive/`` (format: its README.md): one TOML
file per document naming the seed passages it uses and its editorial text, plus ``archive.toml`` (typo
fixes, house style). This script reads the seeds and the content files, checks that every seed passage
is in the seeds (the build fails naming the content file and the passage otherwise) and renders the
documents as DOCX, PDF, PPTX, Markdown and HTML, plus ``docs/sample-archive.md`` (outside data/ so it
is not ingested as an archive document).

Usage (from the repository root)::

    .venv/bin/python scripts/build_sample_archive.py [--seeds ../shared/seeds] [--out data]

Needs the DejaVu Sans TrueType fonts (Debian/Ubuntu package ``fonts-dejavu-core``) for the PDFs, for
€ and ë; pass ``--font-dir`` if they live elsewhere. Output is deterministic: fixed creation dates,
and DOCX/PPTX zip entries are rewritten with fixed timestamps, so a rebuild is byte-identical.
"""

from __future__ import annotations

import argparse
import html
import io
import re
import string
import sys
import tomllib
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, cast

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt, RGBColor
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from lxml import etree
from pptx import Presentation
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches
from pptx.util import Pt as PptPt

from assistant.core.dates import format_date

REPO = Path(__file__).resolve().parent.parent
CONTENT = REPO / "scripts" / "sample_archive"
README = REPO / "docs" / "sample-archive.md"
DEFAULT_SEEDS = REPO.parent / "shared" / "seeds"
SEED_FULL = "000_c3277b4c3cb96f35.txt"
SEED_SLIDES = "001_58738fa6074fde0d.txt"
FONT_REGULAR = "DejaVuSans.ttf"
FONT_BOLD = "DejaVuSans-Bold.ttf"
FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/usr/local/share/fonts"),
    Path("/Library/Fonts"),
)
GREY = RGBColor(0x55, 0x55, 0x55)


class SeedError(RuntimeError):
    """A passage the archive needs is not (or no longer) in the seed text, or a content file is malformed."""


def nl_date(d: date) -> str:
    return format_date(d.isoformat())


def _tidy(raw: str) -> str:
    """One seed paragraph as clean text: emphasis markers dropped, whitespace collapsed."""
    return re.sub(r"\s+", " ", raw.replace("**", "").replace("*", "")).strip()


_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "„": '"'})


def _norm(text: str) -> str:
    """Comparison form: case, quote style, list glyphs, emphasis and line wrapping do not matter."""
    text = re.sub(r"[\ue000-\uf8ff]", " ", text).replace("*", "").translate(_QUOTES)
    text = re.sub(r" ([:;,.?!)])", r"\1", re.sub(r"\s+", " ", text))
    return text.casefold().strip()


class Seeds:
    """The two seed extractions, with typo fixes applied, and checks that text comes from them."""

    def __init__(self, seed_dir: Path, fixes: Sequence[Sequence[str]]) -> None:
        paths = (seed_dir / SEED_FULL, seed_dir / SEED_SLIDES)
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            raise SeedError(f"seed file(s) not found: {', '.join(missing)} (pass --seeds DIR)")
        full, slides = (p.read_text(encoding="utf-8") for p in paths)
        for old, new in fixes:
            if old not in full and old not in slides:
                raise SeedError(f"typo fix {old!r} matches nothing in the seeds")
            full, slides = full.replace(old, new), slides.replace(old, new)
        self.full, self.slides = full, slides
        self._norm_full, self._norm_slides = _norm(full), _norm(slides)
        self.checked = 0

    def check(self, text: str) -> None:
        """Raise unless ``text`` (editorial ``[...]`` parts ignored) occurs in one of the seeds."""
        key = _norm(re.sub(r"\[[^\]]*\]", " ", text))
        if key and key not in self._norm_full and key not in self._norm_slides:
            raise SeedError(f"text not found in the seeds: {text!r}")
        self.checked += 1

    def _span(self, start: str, end: str) -> str:
        i = self.full.find(start)
        if i < 0:
            raise SeedError(f"start anchor not in {SEED_FULL}: {start!r}")
        j = self.full.find(end, i)
        if j < 0:
            raise SeedError(f"end anchor not in {SEED_FULL} after {start!r}: {end!r}")
        self.checked += 1
        return self.full[i : j + len(end)]

    def paragraphs(self, start: str, end: str) -> list[str]:
        """The blank-line separated paragraphs of the full seed from ``start`` through ``end``."""
        parts = (_tidy(p) for p in re.split(r"\n[ \t]*\n", self._span(start, end)))
        return [p for p in parts if p]

    def lines(self, start: str, end: str) -> list[str]:
        """The non-empty lines of the full seed from ``start`` through ``end``."""
        parts = (_tidy(line) for line in self._span(start, end).splitlines())
        return [p for p in parts if p]

    def check_slide_order(self, titles: Iterable[str]) -> None:
        """The slide titles must occur in this order in the slide-order extraction (001_*.txt)."""
        pos = 0
        for title in titles:
            pattern = r"(?<!\w)" + re.escape(_norm(title)) + r"(?!\w)"
            match = re.compile(pattern).search(self._norm_slides, pos)
            if match is None:
                raise SeedError(f"slide {title!r} not found in {SEED_SLIDES} after position {pos}")
            pos = match.end()


# --------------------------------------------------------------------------------------------------
# Content files
# --------------------------------------------------------------------------------------------------

Item = tuple[str, str]
"""(kind, text). Kinds: h2/h3 headings, p paragraph, b/bb bullets (level 1/2), bh bold bullet, n numbered,
h label (bold, no bullet; slides), note (archive note), quote."""
KINDS = {"h2", "h3", "p", "b", "bb", "bh", "n", "h", "note", "quote"}
FIELDS = {
    "doc": {"subtitle", "blocks"},
    "letter": {"onderwerp", "kenmerk", "addressee", "salutation", "body", "trailer"},
    "deck": {"pptx_subject", "pdf_subject", "slides"},
}
REQUIRED = {"kind", "outputs", "date", "doc_type", "title", "readme"}
OPTIONAL = {"passages"}


@dataclass
class Slide:
    title: str
    kind: str = "content"  # title | section | content
    body: list[Item] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Document:
    """One content file, its text specs resolved: a doc, a letter or the deck."""

    source: str
    kind: str
    outputs: list[str]
    when: date
    doc_type: str
    title: str
    readme: dict[str, str]
    subtitle: str = ""
    blocks: list[Item] = field(default_factory=list)  # a doc's blocks, a letter's body
    text: dict[str, str] = field(default_factory=dict)  # onderwerp, kenmerk, salutation, *_subject
    lists: dict[str, list[str]] = field(default_factory=dict)  # addressee, trailer
    slides: list[Slide] = field(default_factory=list)


class Resolver:
    """Resolves the text specs of one content file against the seeds; errors name file and place."""

    def __init__(self, seeds: Seeds, source: str, passages: dict[str, Any]) -> None:
        self.seeds, self.source, self.passages = seeds, source, passages

    def text(self, spec: Any, where: str) -> str:
        try:
            return self._text(spec)
        except SeedError as exc:
            raise SeedError(f"{self.source}, {where}: {exc}") from None

    def many(self, spec: Any, where: str) -> list[str]:
        try:
            if isinstance(spec, dict) and "paragraphs" in spec:
                self._keys(spec, {"paragraphs"}, {"count"})
                found = self.seeds.paragraphs(*spec["paragraphs"])
                if "count" in spec and len(found) != spec["count"]:
                    raise SeedError(f"expected {spec['count']} paragraphs in {spec}, got {len(found)}")
                return found
            if isinstance(spec, dict) and "lines" in spec:
                self._keys(spec, {"lines"})
                return self.seeds.lines(*spec["lines"])
            return [self._text(spec)]
        except SeedError as exc:
            raise SeedError(f"{self.source}, {where}: {exc}") from None

    def items(self, blocks: list[Any], where: str) -> list[Item]:
        out: list[Item] = []
        for i, block in enumerate(blocks):
            if not (isinstance(block, list) and len(block) == 2 and block[0] in KINDS):
                raise SeedError(f"{self.source}, {where}[{i}]: expected [kind, text], got {block!r}")
            out += [(block[0], text) for text in self.many(block[1], f"{where}[{i}]")]
        return out

    def texts(self, specs: list[Any], where: str) -> list[str]:
        return [text for i, spec in enumerate(specs) for text in self.many(spec, f"{where}[{i}]")]

    @staticmethod
    def _keys(spec: dict[str, Any], required: set[str], optional: Iterable[str] = ()) -> None:
        if not required <= set(spec) <= required | set(optional):
            raise SeedError(f"malformed text spec {spec!r}")

    def _text(self, spec: Any) -> str:
        if isinstance(spec, str):
            self.seeds.check(spec)
            return spec
        if not isinstance(spec, dict):
            raise SeedError(f"malformed text spec {spec!r}")
        if "ed" in spec:
            self._keys(spec, {"ed"})
            return str(spec["ed"])
        if "fmt" in spec:
            self._keys(spec, {"fmt", "parts"})
            parts = [self._text(part) for part in spec["parts"]]
            if spec["fmt"].count("{}") != len(parts):
                raise SeedError(f"template {spec['fmt']!r} does not take {len(parts)} parts")
            return str(spec["fmt"].format(*parts))
        if "ref" in spec:
            self._keys(spec, {"ref"})
            if spec["ref"] not in self.passages:
                raise SeedError(f"no [passages.{spec['ref']}]")
            return self._text(self.passages[spec["ref"]])
        self._keys(spec, {"seed"}, {"clip"})
        paras = self.seeds.paragraphs(*spec["seed"])
        if len(paras) != 1:
            raise SeedError(f"expected one paragraph from {spec['seed'][0]!r} to {spec['seed'][1]!r}")
        text = paras[0]
        for old, new in spec.get("clip", ()):
            if text.count(old) != 1:
                raise SeedError(f"clip mark target {old!r} occurs {text.count(old)}x, expected once")
            text = text.replace(old, new)
        return text


def load_document(path: Path, seeds: Seeds) -> Document:
    """Read one content file and resolve its text specs; raises :class:`SeedError` naming the file."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    kind = raw.get("kind")
    if kind not in FIELDS or not REQUIRED <= set(raw) <= REQUIRED | OPTIONAL | FIELDS[kind]:
        raise SeedError(
            f"{path.name}: kind {kind!r} with keys {sorted(raw)}: see scripts/sample_archive/README.md"
        )
    when = raw["date"]
    for output in raw["outputs"]:
        if not isinstance(when, date) or not Path(output).name.startswith(when.isoformat()):
            raise SeedError(f"{path.name}: output {output} does not start with the date {when}")
    r = Resolver(seeds, path.name, raw.get("passages", {}))
    doc = Document(path.name, kind, raw["outputs"], when, raw["doc_type"], r.text(raw["title"], "title"),
                   raw["readme"])  # fmt: skip
    doc.subtitle = r.text(raw.get("subtitle", {"ed": ""}), "subtitle")
    doc.blocks = r.items(raw.get("blocks", raw.get("body", [])), "blocks" if kind == "doc" else "body")
    keys = ("onderwerp", "kenmerk", "salutation", "pptx_subject", "pdf_subject")
    doc.text = {k: r.text(raw[k], k) for k in keys if k in raw}
    doc.lists = {k: r.texts(raw[k], k) for k in ("addressee", "trailer") if k in raw}
    ordered = []
    for i, s in enumerate(raw.get("slides", [])):
        where = f"slides[{i}]"
        slide = Slide(r.text(s["title"], f"{where}.title"), s.get("kind", "content"))
        slide.body = r.items(s.get("body", []), f"{where}.body")
        slide.notes = r.texts(s.get("notes", []), f"{where}.notes")
        doc.slides.append(slide)
        if s.get("order_check", True) and isinstance(s["title"], str):
            ordered.append(s["title"])
    if ordered:
        try:
            seeds.check_slide_order(ordered)
        except SeedError as exc:
            raise SeedError(f"{path.name}: {exc}") from None
    return doc


def load_archive(content: Path, seed_dir: Path) -> tuple[dict[str, Any], Seeds, list[Document]]:
    """The house style, the seeds and every document of the content directory."""
    settings = tomllib.loads((content / "archive.toml").read_text(encoding="utf-8"))
    seeds = Seeds(seed_dir, settings["fixes"])
    docs = [load_document(path, seeds) for path in sorted((content / "documents").glob("*.toml"))]
    return settings, seeds, docs


# --------------------------------------------------------------------------------------------------
# Renderers
# --------------------------------------------------------------------------------------------------


class House:
    """The house style of archive.toml [editorial], filled in for one document."""

    def __init__(self, editorial: dict[str, Any], doc: Document) -> None:
        self.ed, self.author = editorial, editorial["author"]
        self.values = {"datum": nl_date(doc.when), "doc_type": doc.doc_type, "title": doc.title,
                       "page": "%PAGE%", "pages": "{nb}", **doc.text}  # fmt: skip

    def __call__(self, key: str, **extra: Any) -> Any:
        value = self.ed[key]
        if isinstance(value, list):
            return [item.format(**self.values, **extra) for item in value]
        return value.format(**self.values, **extra)


def _stamp(d: date) -> datetime:
    """Fixed creation timestamp for a document date (noon UTC, so no time zone shifts the day)."""
    return datetime(d.year, d.month, d.day, 12, 0, 0, tzinfo=UTC)


def _stabilise_zip(path: Path, d: date) -> None:
    """Rewrite an OOXML package with fixed entry timestamps so rebuilds are byte-identical."""
    with zipfile.ZipFile(path) as zin:
        entries = [(info.filename, zin.read(info.filename)) for info in zin.infolist()]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=(d.year, d.month, d.day, 12, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zout.writestr(info, data)
    path.write_bytes(buf.getvalue())


def _core_props(props: Any, author: str, title: str, doc: Document, subject: str, keywords: str = "") -> None:
    stamp = _stamp(doc.when).replace(tzinfo=None)
    props.title, props.author, props.last_modified_by = title, author, author
    props.created, props.modified, props.revision = stamp, stamp, 1
    props.category, props.subject, props.keywords = doc.doc_type, subject, keywords
    props.language, props.comments = "nl-NL", ""


# ---- DOCX -----------------------------------------------------------------------------------------


def _docx_new() -> Any:
    document = docx.Document()
    for section in document.sections:
        section.page_height, section.page_width = Cm(29.7), Cm(21.0)
        section.left_margin = section.right_margin = Cm(2.5)
        section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    document.styles["Normal"].font.name = "Calibri"
    document.styles["Normal"].font.size = Pt(10.5)
    return document


def _docx_line(document: Any, text: str, size: float = 10.5, bold: bool = False, grey: bool = False,
               after: float = 0) -> None:  # fmt: skip
    para = document.add_paragraph()
    para.paragraph_format.space_after = Pt(after)
    run = para.add_run(text)
    run.font.size = Pt(size)
    run.bold = bold
    if grey:
        run.font.color.rgb = GREY


def _docx_blocks(document: Any, blocks: Iterable[Item], letter: bool = False) -> None:
    styles = {"bb": "List Bullet 2", "n": "List Number", "quote": "Quote"}
    for kind, text in blocks:
        if letter and kind == "h3":
            document.add_paragraph().add_run(text).bold = True
        elif kind in ("h2", "h3"):
            document.add_heading(text, level=1 if kind == "h2" else 2)
        elif kind in ("b", "bh"):
            document.add_paragraph(style="List Bullet").add_run(text).bold = kind == "bh"
        elif kind in styles:
            document.add_paragraph(text, style=styles[kind])
        elif kind == "note":
            run = document.add_paragraph().add_run(text)
            run.italic = True
            run.font.color.rgb = GREY
        elif letter:
            document.add_paragraph(text).alignment = WD_ALIGN_PARAGRAPH.LEFT
        else:
            document.add_paragraph(text)


def letter_docx(doc: Document, path: Path, house: House) -> None:
    document = _docx_new()
    head = house("letterhead")
    _docx_line(document, head[0], size=16, bold=True)
    _docx_line(document, head[1], size=9, grey=True, after=24)
    addressee = doc.lists["addressee"]
    for i, line in enumerate(addressee):
        _docx_line(document, line, after=18 if i == len(addressee) - 1 else 0)
    table = document.add_table(rows=2, cols=4)
    values = ("", "", doc.text["kenmerk"], nl_date(doc.when))
    for col, (label, value) in enumerate(zip(house("letter_reference_labels"), values, strict=True)):
        for row, (text, size) in enumerate(((label, 8), (value, 10))):
            cell = table.cell(row, col)
            cell.width = Cm(4.0)
            run = cell.paragraphs[0].add_run(text)
            run.font.size = Pt(size)
            if row == 0:
                run.font.color.rgb = GREY
    document.add_paragraph().paragraph_format.space_after = Pt(0)
    _docx_line(document, house("letter_onderwerp"), bold=True)
    _docx_line(document, house("letter_kenmerk"))
    _docx_line(document, house("letter_datum"), after=18)
    document.add_paragraph(doc.text["salutation"])
    _docx_blocks(document, doc.blocks, letter=True)
    closing = house("letter_closing")
    document.add_paragraph(closing[0]).paragraph_format.space_before = Pt(12)
    _docx_line(document, closing[1], after=18)
    for line in doc.lists.get("trailer", []):
        _docx_line(document, line, size=9, grey=True)
    keywords = f"ons kenmerk {doc.text['kenmerk']}"
    _core_props(document.core_properties, house.author, doc.text["onderwerp"], doc, doc.title, keywords)
    document.save(str(path))
    _stabilise_zip(path, doc.when)


def doc_docx(doc: Document, path: Path, house: House) -> None:
    document = _docx_new()
    document.add_heading(doc.title, level=0)
    if doc.subtitle:
        document.add_paragraph(doc.subtitle, style="Subtitle")
    meta = house("meta")
    for i, line in enumerate(meta):
        _docx_line(document, line, after=12 if i == len(meta) - 1 else 0)
    _docx_blocks(document, doc.blocks)
    _core_props(document.core_properties, house.author, doc.title, doc, doc.subtitle)
    document.save(str(path))
    _stabilise_zip(path, doc.when)


# ---- PDF ------------------------------------------------------------------------------------------


class _Pdf(FPDF):
    footer_text = ""

    def footer(self) -> None:
        if not self.footer_text:
            return
        self.set_y(-12)
        self.set_font("DejaVu", "", 8)
        self.set_text_color(110, 110, 110)
        self.cell(0, 5, self.footer_text.replace("%PAGE%", str(self.page_no())), align="R")
        self.set_text_color(0, 0, 0)


def _pdf_new(fonts: tuple[Path, Path], house: House, title: str, doc: Document, subject: str,
             keywords: str = "", landscape: bool = False) -> _Pdf:  # fmt: skip
    if landscape:
        pdf = _Pdf(orientation="L", unit="mm", format=(190.5, 338.667))
    else:
        pdf = _Pdf(orientation="P", unit="mm", format="A4")
    pdf.add_font("DejaVu", "", str(fonts[0]))
    pdf.add_font("DejaVu", "B", str(fonts[1]))
    pdf.set_title(title)
    pdf.set_author(house.author)
    pdf.set_creator("scripts/build_sample_archive.py")
    pdf.set_subject(subject)
    pdf.set_keywords(keywords)
    pdf.set_lang("nl-NL")
    pdf.set_creation_date(_stamp(doc.when))
    pdf.set_margins(25, 20, 25)
    pdf.set_auto_page_break(True, margin=20)
    pdf.alias_nb_pages()
    return pdf


def _pdf_text(pdf: _Pdf, text: str, size: float = 10.5, bold: bool = False, indent: float = 0,
              after: float = 2.0, grey: bool = False) -> None:  # fmt: skip
    pdf.set_font("DejaVu", "B" if bold else "", size)
    if grey:
        pdf.set_text_color(90, 90, 90)
    pdf.set_x(pdf.l_margin + indent)
    pdf.multi_cell(pdf.epw - indent, size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)
    pdf.ln(after)


def _pdf_bullet(pdf: _Pdf, text: str, level: int, bold: bool = False, glyph: str = "") -> None:
    indent, size = 4 + 6 * level, 10.5
    pdf.set_font("DejaVu", "", size)
    pdf.set_x(pdf.l_margin + indent)
    pdf.cell(5, size * 0.5, glyph or ("•" if level == 0 else "–"))
    pdf.set_font("DejaVu", "B" if bold else "", size)
    pdf.multi_cell(pdf.epw - indent - 5, size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1.2)


def _pdf_blocks(pdf: _Pdf, blocks: Iterable[Item], letter: bool = False) -> None:
    number = 0
    for kind, text in blocks:
        number = number + 1 if kind == "n" else 0
        if letter and kind == "h3":
            _pdf_text(pdf, text, bold=True, after=2)
        elif kind == "h2":
            pdf.ln(2)
            _pdf_text(pdf, text, size=13, bold=True)
        elif kind == "h3":
            _pdf_text(pdf, text, size=11, bold=True, after=1.5)
        elif kind in ("b", "bh", "bb"):
            _pdf_bullet(pdf, text, 1 if kind == "bb" else 0, bold=kind == "bh")
        elif kind == "n":
            _pdf_bullet(pdf, text, 0, glyph=f"{number}.")
        elif kind == "quote":
            _pdf_text(pdf, text, indent=8, after=3)
        elif kind == "note":
            _pdf_text(pdf, text, size=9, grey=True, after=3)
        else:
            _pdf_text(pdf, text, after=3)


def _pdf_one_line(pdf: _Pdf, text: str, bold: bool = False) -> None:
    """A labelled line kept on one line (smaller type if needed), so "Label: value" stays parseable."""
    size, style = 10.5, "B" if bold else ""
    pdf.set_font("DejaVu", style, size)
    while size > 7 and pdf.get_string_width(text) > pdf.epw - 2 * pdf.c_margin:
        size -= 0.25
        pdf.set_font("DejaVu", style, size)
    pdf.cell(pdf.epw, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(0.5)


def letter_pdf(doc: Document, path: Path, house: House, fonts: tuple[Path, Path]) -> None:
    keywords = f"ons kenmerk {doc.text['kenmerk']}"
    pdf = _pdf_new(fonts, house, doc.text["onderwerp"], doc, doc.title, keywords)
    pdf.footer_text = house("letter_footer")
    pdf.add_page()
    head = house("letterhead")
    _pdf_text(pdf, head[0], size=16, bold=True, after=0.5)
    _pdf_text(pdf, head[1], size=9, grey=True, after=10)
    for line in doc.lists["addressee"]:
        _pdf_text(pdf, line, after=0.5)
    pdf.ln(8)
    _pdf_one_line(pdf, house("letter_kenmerk"))
    _pdf_one_line(pdf, house("letter_datum"))
    _pdf_one_line(pdf, house("letter_onderwerp"), bold=True)
    pdf.ln(7.5)
    _pdf_text(pdf, doc.text["salutation"], after=3)
    _pdf_blocks(pdf, doc.blocks, letter=True)
    pdf.ln(3)
    closing = house("letter_closing")
    _pdf_text(pdf, closing[0], after=1)
    _pdf_text(pdf, closing[1], after=8)
    for line in doc.lists.get("trailer", []):
        _pdf_text(pdf, line, size=9, grey=True, after=0.5)
    pdf.output(str(path))


def doc_pdf(doc: Document, path: Path, house: House, fonts: tuple[Path, Path]) -> None:
    pdf = _pdf_new(fonts, house, doc.title, doc, doc.subtitle)
    pdf.footer_text = house("doc_footer")
    pdf.add_page()
    _pdf_text(pdf, doc.title, size=17, bold=True, after=1.5)
    if doc.subtitle:
        _pdf_text(pdf, doc.subtitle, size=12, after=3)
    for line in house("meta"):
        _pdf_text(pdf, line, size=10, after=0.5)
    pdf.ln(2)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(4)
    _pdf_blocks(pdf, doc.blocks)
    pdf.output(str(path))


def _slide_indent(kind: str) -> float:
    return {"bb": 16.0, "p": 0.0, "h": 0.0}.get(kind, 8.0)


def _slide_block_height(pdf: _Pdf, body: Sequence[Item], size: float, width: float) -> float:
    total = 0.0
    for kind, text in body:
        pdf.set_font("DejaVu", "B" if kind in ("h", "bh") else "", size)
        height = pdf.multi_cell(width - _slide_indent(kind), size * 0.45, text, dry_run=True, output="HEIGHT")
        total += cast(float, height) + size * 0.18
    return total


def deck_pdf(doc: Document, path: Path, house: House, fonts: tuple[Path, Path]) -> None:
    pdf = _pdf_new(fonts, house, doc.title, doc, doc.text["pdf_subject"], landscape=True)
    pdf.set_auto_page_break(False)
    pdf.set_margins(18, 14, 18)
    for number, slide in enumerate(doc.slides, start=1):
        pdf.add_page()
        pdf.set_fill_color(0, 84, 135)
        pdf.rect(0, 0, pdf.w, 6, style="F")
        if slide.kind in ("title", "section"):
            pdf.set_y(58 if slide.kind == "title" else 80)
            pdf.set_font("DejaVu", "B", 32 if slide.kind == "title" else 30)
            pdf.multi_cell(pdf.epw, 14, slide.title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(6)
            for _, text in slide.body:
                pdf.set_font("DejaVu", "", 16)
                pdf.multi_cell(pdf.epw, 9, text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        else:
            pdf.set_y(14)
            pdf.set_font("DejaVu", "B", 24)
            pdf.multi_cell(pdf.epw, 11, slide.title, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(5)
            room = pdf.h - pdf.get_y() - 14
            size = 20.0
            while size > 7 and _slide_block_height(pdf, slide.body, size, pdf.epw) > room:
                size -= 0.5
            for kind, text in slide.body:
                indent = _slide_indent(kind)
                pdf.set_font("DejaVu", "B" if kind in ("h", "bh") else "", size)
                if kind in ("b", "bb", "bh"):
                    pdf.set_x(pdf.l_margin + indent - 6)
                    pdf.cell(6, size * 0.45, "•" if kind != "bb" else "–")
                pdf.set_x(pdf.l_margin + indent)
                pdf.multi_cell(
                    pdf.epw - indent, size * 0.45, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
                )
                pdf.ln(size * 0.18)
        pdf.set_font("DejaVu", "", 9)
        pdf.set_text_color(110, 110, 110)
        pdf.set_xy(pdf.l_margin, pdf.h - 10)
        pdf.cell(pdf.epw, 5, house("slide_footer", number=number), align="R")
        pdf.set_text_color(0, 0, 0)
    pdf.output(str(path))


# ---- PPTX -----------------------------------------------------------------------------------------


def _pptx_size(body: Sequence[Item]) -> int:
    chars = sum(len(text) for _, text in body) + 40 * len(body)
    for limit, size in ((450, 24), (750, 20), (1000, 18), (1400, 16), (1900, 13), (2500, 11)):
        if chars <= limit:
            return size
    return 10


def _place(shape: Any, left: float, top: float, width: int, height: float) -> None:
    shape.left, shape.top, shape.width, shape.height = Inches(left), Inches(top), width, Inches(height)


def deck_pptx(doc: Document, path: Path, house: House) -> None:
    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(12192000), Emu(6858000)
    width = prs.slide_width - Inches(1.2)
    layouts = {"title": 0, "section": 5, "content": 1}
    for slide_def in doc.slides:
        slide = prs.slides.add_slide(prs.slide_layouts[layouts[slide_def.kind]])
        title = slide.shapes.title
        title.text = slide_def.title
        if slide_def.kind == "section":
            _place(title, 0.6, 2.6, width, 1.6)
        elif slide_def.kind == "title":
            _place(title, 0.6, 1.6, width, 1.5)
            subtitle = slide.placeholders[1]
            _place(subtitle, 0.6, 3.3, width, 2.8)
            for i, (_, text) in enumerate(slide_def.body):
                para = subtitle.text_frame.paragraphs[0] if i == 0 else subtitle.text_frame.add_paragraph()
                para.add_run().text = text
                para.runs[0].font.size = PptPt(24 if i == 0 else 18)
        else:
            _place(title, 0.6, 0.3, width, 1.1)
            for run in title.text_frame.paragraphs[0].runs:
                run.font.size = PptPt(32 if len(slide_def.title) < 45 else 26)
            body = slide.placeholders[1]
            _place(body, 0.6, 1.5, width, 5.6)
            frame = body.text_frame
            frame.word_wrap = True
            size = _pptx_size(slide_def.body)
            for i, (kind, text) in enumerate(slide_def.body):
                para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
                run = para.add_run()
                run.text = text
                run.font.size = PptPt(size)
                run.font.bold = kind in ("h", "bh")
                para.level = 1 if kind == "bb" else 0
                if kind in ("h", "p"):  # no bullet
                    ppr = para._p.get_or_add_pPr()
                    ppr.set("marL", "0")
                    ppr.set("indent", "0")
                    etree.SubElement(ppr, qn("a:buNone"))
        if slide_def.notes:
            slide.notes_slide.notes_text_frame.text = "\n".join(slide_def.notes)
    _core_props(prs.core_properties, house.author, doc.title, doc, doc.text["pptx_subject"])
    prs.save(str(path))
    _stabilise_zip(path, doc.when)


# ---- Markdown / HTML ------------------------------------------------------------------------------

LIST_KINDS = ("b", "bb", "bh", "n")


def doc_md(doc: Document, path: Path, house: House) -> None:
    out = [f"# {doc.title}", ""]
    if doc.subtitle:
        out += [f"_{doc.subtitle}_", ""]
    for line in house("meta"):
        out += [line, ""]
    number, previous = 0, ""
    for kind, text in doc.blocks:
        if previous in LIST_KINDS and kind not in LIST_KINDS:
            out.append("")
        number = number + 1 if kind == "n" else 0
        if kind in ("h2", "h3"):
            out += [f"{'#' * int(kind[1])} {text}", ""]
        elif kind in ("b", "bh"):
            out.append(f"- **{text}**" if kind == "bh" else f"- {text}")
        elif kind == "bb":
            out.append(f"  - {text}")
        elif kind == "n":
            out.append(f"{number}. {text}")
        else:
            out += [f"> {text}" if kind == "quote" else text, ""]
        previous = kind
    path.write_text("\n".join(out).rstrip("\n") + "\n", encoding="utf-8", newline="\n")


def _html_list(items: Sequence[Item]) -> list[str]:
    """A run of bullets as a <ul>, sub-bullets (bb) nested under the bullet before them."""
    e = html.escape
    out, i = ["<ul>"], 0
    while i < len(items):
        kind, text = items[i]
        label = f"<strong>{e(text)}</strong>" if kind == "bh" else e(text)
        j = i + 1
        while j < len(items) and items[j][0] == "bb":
            j += 1
        if j > i + 1:
            out += [f"<li>{label}", "<ul>", *(f"<li>{e(sub)}</li>" for _, sub in items[i + 1 : j])]
            out += ["</ul>", "</li>"]
        else:
            out.append(f"<li>{label}</li>")
        i = j
    return [*out, "</ul>"]


def doc_html(doc: Document, path: Path, house: House) -> None:
    e, day = html.escape, doc.when.isoformat()
    out = [
        "<!DOCTYPE html>", '<html lang="nl">', "<head>", '<meta charset="utf-8">',
        f"<title>{e(doc.title)}</title>", f'<meta name="author" content="{e(house.author)}">',
        f'<meta name="date" content="{day}">', f'<meta name="dcterms.created" content="{day}">',
        f'<meta name="dcterms.type" content="{e(doc.doc_type)}">', "</head>", "<body>", "<article>",
        f"<h1>{e(doc.title)}</h1>",
    ]  # fmt: skip
    if doc.subtitle:
        out.append(f'<p class="subtitle">{e(doc.subtitle)}</p>')
    out += [f'<p class="meta">{e(line)}</p>' for line in house("meta")]
    blocks, i = doc.blocks, 0
    tags = {"h2": "h2", "h3": "h3", "quote": "blockquote"}
    while i < len(blocks):
        kind, text = blocks[i]
        if kind in ("b", "bh", "bb"):
            j = i
            while j < len(blocks) and blocks[j][0] in ("b", "bh", "bb"):
                j += 1
            out += _html_list(blocks[i:j])
            i = j
            continue
        tag = tags.get(kind, "p")
        out.append(f"<{tag}>{e(text)}</{tag}>")
        i += 1
    out += ["</article>", "</body>", "</html>", ""]
    path.write_text("\n".join(out), encoding="utf-8", newline="\n")


RENDERERS: dict[tuple[str, str], Any] = {
    ("letter", "docx"): letter_docx,
    ("letter", "pdf"): letter_pdf,
    ("deck", "pptx"): deck_pptx,
    ("deck", "pdf"): deck_pdf,
    ("doc", "docx"): doc_docx,
    ("doc", "pdf"): doc_pdf,
    ("doc", "md"): doc_md,
    ("doc", "html"): doc_html,
}


# --------------------------------------------------------------------------------------------------
# docs/sample-archive.md
# --------------------------------------------------------------------------------------------------


def render_readme(content: Path, settings: dict[str, Any], docs: Sequence[Document], out: Path,
                  built: Sequence[Path]) -> str:  # fmt: skip
    owner = {output: doc for doc in docs for output in doc.outputs}
    rows, details, seen = [], [], set()
    for path in built:
        rel = path.relative_to(out).as_posix()
        doc = owner[rel]
        size = f"{path.stat().st_size / 1024:.0f} kB"
        rows.append(
            f"| `{rel}` | {nl_date(doc.when)} | {doc.readme['date_source']} | {doc.doc_type} | {size} |"
        )
        stem = rel.rsplit(".", 1)[0]
        if stem not in seen:
            seen.add(stem)
            exts = sorted(p.suffix.lstrip(".") for p in built if p.with_suffix("") == path.with_suffix(""))
            details.append(f"- **`{stem}`** ({' + '.join(exts)}) — {doc.readme['description']}")
    fixes = [f'  - "{old}" → "{new}"' for old, new in settings["fixes"] if old.strip(" :") != new.strip(" :")]
    template = string.Template((content / "sample-archive.md.in").read_text(encoding="utf-8"))
    return template.substitute(
        fixes="\n".join(fixes),
        count=len(built),
        total_kb=f"{sum(p.stat().st_size for p in built) / 1024:.0f}",
        rows="\n".join(rows),
        details="\n".join(details),
        unplaced="\n".join(f"- {item}" for item in settings["readme"]["unplaced"]),
    )


# --------------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------------


def find_fonts(font_dir: Path | None) -> tuple[Path, Path]:
    dirs = (font_dir,) if font_dir else FONT_DIRS
    for directory in dirs:
        regular, bold = directory / FONT_REGULAR, directory / FONT_BOLD
        if regular.is_file() and bold.is_file():
            return regular, bold
    where = font_dir or ", ".join(str(d) for d in FONT_DIRS)
    raise SystemExit(
        f"error: the PDFs need the TrueType fonts {FONT_REGULAR} and {FONT_BOLD} (DejaVu Sans, for € and ë), "
        f"not found in {where}. Install them (Debian/Ubuntu: apt-get install fonts-dejavu-core) or pass "
        "--font-dir DIR."
    )


def build(seed_dir: Path, out: Path, fonts: tuple[Path, Path], readme: Path = README,
          content: Path = CONTENT) -> list[Path]:  # fmt: skip
    """Render every content file into ``out`` and write the archive description to ``readme``."""
    settings, seeds, docs = load_archive(content, seed_dir)
    built: list[Path] = []
    for doc in docs:
        house = House(settings["editorial"], doc)
        for rel in doc.outputs:
            path = out / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            renderer = RENDERERS[doc.kind, path.suffix.lstrip(".")]
            if path.suffix == ".pdf":
                renderer(doc, path, house, fonts)
            else:
                renderer(doc, path, house)
            built.append(path)
    built.sort(key=lambda p: p.relative_to(out).as_posix())
    readme.parent.mkdir(parents=True, exist_ok=True)
    readme.write_text(render_readme(content, settings, docs, out, built), encoding="utf-8", newline="\n")
    print(f"checked {seeds.checked} seed passages; wrote {len(built)} files to {out} and {readme.name}")
    return built


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    add = parser.add_argument
    add("--seeds", type=Path, default=DEFAULT_SEEDS, help="seed extractions (default: ../shared/seeds)")
    add("--out", type=Path, default=REPO / "data", help="output directory (default: data/)")
    add(
        "--font-dir", type=Path, help=f"directory with {FONT_REGULAR} and {FONT_BOLD} (default: system fonts)"
    )
    add("--readme", type=Path, default=README, help="archive description (default: docs/sample-archive.md)")
    add("--content", type=Path, default=CONTENT, help="content files (default: scripts/sample_archive)")
    args = parser.parse_args(argv)
    fonts = find_fonts(args.font_dir)
    out = args.out.resolve()
    try:
        built = build(args.seeds.resolve(), out, fonts, args.readme, args.content)
    except SeedError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path in built:
        print(f"{path.stat().st_size:>8}  {path.relative_to(out).as_posix()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
