"""OCR of scanned PDF pages: read in Dutch, page numbers kept, marked as OCR up to the citation.

Scans are made in the test: a PDF with text (fpdf2) is rendered to images and saved as an image-only
PDF (Pillow), which is what a scanner produces. The real tesseract reads them; where it is absent the
tests that need it skip with the reason (``make test`` installs it with apt, like the browser).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pypdfium2 as pdfium
import pytesseract
import pytest
from fpdf import FPDF
from PIL import Image
from pypdf import PdfReader, PdfWriter

from assistant.core.answers import Citation
from assistant.core.records import DocMeta, Hit, Page, anchor_label
from assistant.core.settings import Settings
from ingest import ocr as ocr_engine
from ingest.chunking import chunk_document
from ingest.loaders import LoadError, LoadOptions, load
from ingest.ocr import MAX_PIXELS, OcrOptions, _scale
from ingest.reading import IngestOptions

from .conftest import shared_path

FIRST = "Verslag van het bestuurlijk overleg over windenergie in Overijssel"
SECOND = "De gemeenten vragen zes weken extra voor het tijdvak van de subsidie"

needs_tesseract = pytest.mark.skipif(
    ocr_engine.unavailable_reason("nld") is not None,
    reason=f"tesseract with Dutch data is not usable here ({ocr_engine.unavailable_reason('nld')}); "
    "`make test` installs tesseract-ocr and tesseract-ocr-nld with apt",
)


@pytest.fixture(autouse=True)
def _fresh_availability() -> Iterator[None]:
    """Each test asks anew whether tesseract is there (some simulate its absence)."""
    ocr_engine.unavailable_reason.cache_clear()
    yield
    ocr_engine.unavailable_reason.cache_clear()


def _text_pdf(path: Path, pages: list[str]) -> Path:
    pdf = FPDF()
    for text in pages:
        pdf.add_page()
        pdf.set_font("Helvetica", size=16)
        pdf.multi_cell(0, 10, text)
    pdf.output(str(path))
    return path


def _scan_pdf(path: Path, pages: list[str], dpi: int = 200) -> Path:
    """An image-only PDF of ``pages``: each page rendered to a greyscale image, as a scanner would."""
    source = _text_pdf(path.with_suffix(".tekst.pdf"), pages)
    document = pdfium.PdfDocument(str(source))
    images: list[Image.Image] = []
    for index in range(len(document)):
        images.append(document[index].render(scale=dpi / 72, grayscale=True).to_pil().convert("L"))
    document.close()
    images[0].save(path, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    source.unlink()
    return path


def _words(text: str) -> set[str]:
    return {w.strip(".,;:").lower() for w in text.split()}


# ------------------------------------------------------------------------------------------ the OCR label


def test_ocr_pages_are_labelled_in_every_citation_form() -> None:
    assert anchor_label(3, None, None, ocr=True) == "p. 3 (OCR)"
    assert anchor_label(3, None, None) == "p. 3"
    assert Page(text="x", page=3, ocr=True).anchor == "p. 3 (OCR)"
    meta = DocMeta(title="Verslag")
    pages = [Page(text="Tekst van de scan.", page=2, ocr=True), Page(text="Gewone tekst.", page=3)]
    chunks = chunk_document(pages, meta, source="v.pdf", root="/a", file_hash="h")
    assert [c.ocr for c in chunks] == [True, False]
    stored = [c.store_metadata() for c in chunks]
    assert stored[0]["ocr"] is True and "ocr" not in stored[1]  # absent means "not OCR" (older chunks too)
    hit = Hit(chunks[0].chunk_id, chunks[0].text, 1.0, stored[0])
    assert hit.ocr and hit.anchor == "p. 2 (OCR)"
    assert hit.to_json()["ocr"] is True
    assert Hit("c", "t", 1.0, stored[1]).to_json()["ocr"] is False


def test_citation_json_carries_ocr_and_reads_it_back() -> None:
    citation = Citation(n=1, source="v.pdf", title="Verslag", page=2, slide=None, date=None, quote="q",
                        chunk_id="c", ocr=True)  # fmt: skip
    data = citation.to_json()
    assert data["ocr"] is True
    assert Citation.from_json(data) == citation
    older = {k: v for k, v in data.items() if k != "ocr"}  # stored conversations from before the flag
    assert Citation.from_json(older).ocr is False


def test_cli_web_and_draft_show_the_ocr_label() -> None:
    from assistant.app.cli import _location
    from assistant.app.web.render import source_line
    from assistant.services.draft_export import source_line as draft_source_line

    assert _location(1, "v.pdf", 2, None, ocr=True) == "[1] v.pdf, p. 2 (OCR)"
    assert _location(1, "v.pdf", 2, None) == "[1] v.pdf, p. 2"
    assert "p. 2 (OCR)" in source_line({"title": "Verslag", "page": 2, "ocr": True})
    assert "(OCR)" not in source_line({"title": "Verslag", "page": 2, "ocr": False})
    cited = Citation(n=1, source="v.pdf", title="Verslag", page=2, slide=None, date=None, quote="q",
                     chunk_id="c", ocr=True)  # fmt: skip
    assert draft_source_line(cited) == "[1] Verslag, p. 2 (OCR), v.pdf"


def test_settings_reach_the_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOBBY_OCR", "off")
    monkeypatch.setenv("LOBBY_OCR_MAX_PAGES", "7")
    monkeypatch.setenv("LOBBY_OCR_PAGE_TIMEOUT", "9.5")
    monkeypatch.setenv("LOBBY_PDF_MAX_PAGES", "123")
    loading = IngestOptions.from_settings(Settings()).loading
    assert loading == LoadOptions(
        pdf_max_pages=123, ocr=OcrOptions(enabled=False, max_pages=7, page_timeout=9.5)
    )


def test_unsure_lines_are_left_out_of_the_recognised_text() -> None:
    from ingest.ocr import _confident_text

    rows = [  # (block, paragraph, line, word, confidence): what image_to_data returns, plus a layout row
        (1, 1, 1, "Verslag", 96), (1, 1, 1, "bestuurlijk", 94), (1, 1, 1, "overleg", 95),
        (1, 1, 2, "Datum:", 96), (1, 1, 2, "20", 95), (1, 1, 2, "juni", 96),
        (1, 2, 1, "Besluit:", 90), (1, 2, 1, "vastgesteld", 91), (1, 2, 0, "", -1),
        (2, 1, 1, "KR", 0), (2, 1, 1, "Gemeente", 96), (2, 1, 1, "ee", 21), (2, 1, 1, "-", 34),
    ]  # fmt: skip
    data = {
        "page_num": [1] * len(rows), "block_num": [r[0] for r in rows], "par_num": [r[1] for r in rows],
        "line_num": [r[2] for r in rows], "text": [r[3] for r in rows], "conf": [r[4] for r in rows],
    }  # fmt: skip
    assert _confident_text(data) == "Verslag bestuurlijk overleg\nDatum: 20 juni\n\nBesluit: vastgesteld"


def test_a_huge_page_is_rendered_within_the_pixel_bound() -> None:
    scale = _scale(14_400, 14_400, 300)  # 200 by 200 inches, PDF's largest page size
    assert (14_400 * scale) ** 2 <= MAX_PIXELS * 1.001
    assert _scale(595, 842, 300) == pytest.approx(300 / 72)  # A4 keeps its 300 dpi


# ----------------------------------------------------------------------------------- reading a scan


@needs_tesseract
def test_scan_is_read_in_dutch_with_its_page_numbers_marked_ocr(tmp_path: Path) -> None:
    path = _scan_pdf(tmp_path / "scan.pdf", [FIRST, SECOND])
    assert not any((p.extract_text() or "").strip() for p in PdfReader(path).pages)  # truly no text layer
    doc = load(path)
    assert [(p.page, p.ocr) for p in doc.pages] == [(1, True), (2, True)]
    assert {"bestuurlijk", "overleg", "windenergie", "overijssel"} <= _words(doc.pages[0].text)
    assert {"gemeenten", "weken", "tijdvak", "subsidie"} <= _words(doc.pages[1].text)
    assert [p.anchor for p in doc.pages] == ["p. 1 (OCR)", "p. 2 (OCR)"]


@needs_tesseract
def test_only_pages_without_text_layer_are_read_by_ocr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = PdfReader(
        _text_pdf(tmp_path / "tekst.pdf", ["Eerste pagina met een echte tekstlaag.", "Ook tekst."])
    )
    scan = PdfReader(_scan_pdf(tmp_path / "scan.pdf", [SECOND]))
    writer = PdfWriter()
    writer.add_page(text.pages[0])
    writer.add_page(scan.pages[0])
    writer.add_page(text.pages[1])
    mixed = tmp_path / "gemengd.pdf"
    writer.write(mixed)

    asked: list[list[int]] = []
    real = ocr_engine.recognise

    def spy(path: Path, numbers: list[int], options: OcrOptions) -> Iterator[ocr_engine.PageText]:
        asked.append(list(numbers))
        return real(path, numbers, options)

    monkeypatch.setattr(ocr_engine, "recognise", spy)
    doc = load(mixed)
    assert asked == [[2]]
    assert [(p.page, p.ocr) for p in doc.pages] == [(1, False), (2, True), (3, False)]
    assert doc.pages[0].text.startswith("Eerste pagina")
    assert "tijdvak" in _words(doc.pages[1].text)


def test_missing_tesseract_is_the_reason_a_scan_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Simulated absence: pytesseract runs this command, which does not exist.
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", str(tmp_path / "geen" / "tesseract"))
    path = _scan_pdf(tmp_path / "scan.pdf", [FIRST])
    with pytest.raises(LoadError) as info:
        load(path)
    message = str(info.value)
    assert message.startswith(
        "PDF bevat geen tekstlaag (gescand document?); OCR niet beschikbaar: tesseract ontbreekt"
    )


def test_missing_tesseract_in_a_pdf_with_text_is_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", str(tmp_path / "geen" / "tesseract"))
    text = PdfReader(_text_pdf(tmp_path / "tekst.pdf", ["Een pagina met tekst."]))
    writer = PdfWriter()
    writer.add_page(text.pages[0])
    writer.add_page(PdfReader(_scan_pdf(tmp_path / "scan.pdf", [SECOND])).pages[0])
    mixed = tmp_path / "gemengd.pdf"
    writer.write(mixed)
    doc = load(mixed)
    assert [p.page for p in doc.pages] == [1]
    assert any("OCR niet beschikbaar: tesseract ontbreekt" in w for w in doc.warnings)


@needs_tesseract
def test_missing_language_data_is_the_reason(tmp_path: Path) -> None:
    path = _scan_pdf(tmp_path / "scan.pdf", [FIRST])
    with pytest.raises(LoadError, match=r"OCR niet beschikbaar: taaldata 'xx' .*ontbreekt"):
        load(path, LoadOptions(ocr=OcrOptions(language="xx")))


def test_ocr_off_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    monkeypatch.setattr(pytesseract, "image_to_string", lambda *a, **k: calls.append(a) or "")
    path = _scan_pdf(tmp_path / "scan.pdf", [FIRST])
    with pytest.raises(LoadError, match=r"geen tekstlaag.*\(OCR\) staat uit \(LOBBY_OCR=off\)"):
        load(path, LoadOptions(ocr=OcrOptions(enabled=False)))
    assert calls == []


@needs_tesseract
def test_ocr_page_limit_reads_the_first_pages_and_warns_about_the_rest(tmp_path: Path) -> None:
    path = _scan_pdf(tmp_path / "scan.pdf", [FIRST, SECOND, SECOND])
    doc = load(path, LoadOptions(ocr=OcrOptions(max_pages=1)))
    assert [(p.page, p.ocr) for p in doc.pages] == [(1, True)]
    assert any(
        "2 pagina('s)" in w and "vanaf pagina 2" in w and "LOBBY_OCR_MAX_PAGES" in w for w in doc.warnings
    )
    with pytest.raises(LoadError, match="LOBBY_OCR_MAX_PAGES"):
        load(path, LoadOptions(ocr=OcrOptions(max_pages=0)))


@needs_tesseract
def test_a_page_over_the_timeout_is_skipped_with_the_reason(tmp_path: Path) -> None:
    path = _scan_pdf(tmp_path / "scan.pdf", [FIRST])
    started = time.perf_counter()
    with pytest.raises(
        LoadError, match=r"OCR mislukt op pagina 1: tekstherkenning duurde te lang .*PAGE_TIMEOUT"
    ):
        load(path, LoadOptions(ocr=OcrOptions(page_timeout=0.01)))
    assert time.perf_counter() - started < 10


@needs_tesseract
def test_a_blank_page_never_reaches_tesseract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    monkeypatch.setattr(pytesseract, "image_to_string", lambda *a, **k: calls.append(a) or "")
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    path = tmp_path / "leeg.pdf"
    writer.write(path)
    with pytest.raises(LoadError, match=r"geen tekstlaag.*OCR\) vond geen tekst"):
        load(path)
    assert calls == []  # a blank page never reaches tesseract


@needs_tesseract
def test_ingested_scan_is_searchable_and_cited_as_ocr(tmp_path: Path) -> None:
    from assistant.core.records import Scope
    from assistant.services.wiring import build_index
    from assistant.testing import HashEmbeddings
    from ingest.pipeline import Ingestor

    folder = tmp_path / "archief"
    folder.mkdir()
    _scan_pdf(folder / "verslag.pdf", [FIRST, SECOND])
    index = build_index(Settings(home=tmp_path / "home", embedding_model="fake"), embeddings=HashEmbeddings())
    report = Ingestor(index.store, index.lexical, index.embeddings).run([folder])
    assert (report.added, report.failed) == (1, [])
    hits = index.store.get(index.store.all_ids())
    assert sorted((h.page, h.ocr, h.anchor) for h in hits) == [
        (1, True, "p. 1 (OCR)"),
        (2, True, "p. 2 (OCR)"),
    ]
    found = index.lexical.search("tijdvak subsidie", k=1, scope=Scope.full())
    assert found and found[0][0] in {h.chunk_id for h in hits if h.page == 2}


@needs_tesseract
def test_opening_an_ocr_passage_shows_the_stored_text_without_ocr_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.services.requests import Request
    from assistant.services.wiring import Services

    archive = tmp_path / "archief"
    archive.mkdir()
    _scan_pdf(archive / "verslag.pdf", [FIRST])
    settings = Settings(home=tmp_path / "home", embedding_model="fake", llm="extractive", archive=archive)
    services = Services(settings)
    assert services.library.ingest(Request(), [archive]).added == 1
    chunk_id = services.library.store.all_ids()[0]

    calls: list[object] = []  # the loader turns any exception into a reason: count calls instead
    monkeypatch.setattr(pytesseract, "image_to_string", lambda *a, **k: calls.append(a) or "")
    view = services.library.open(Request(), chunk_id)
    assert calls == []  # opening a passage never runs OCR over the scan again
    assert view.location == "p. 1 (OCR)"
    assert "windenergie" in _words(view.text)


# ----------------------------------------------------------------------------------------- the corpus


@pytest.mark.corpus
@needs_tesseract
def test_corpus_scan_is_read_by_ocr_in_dutch() -> None:
    path = shared_path("corpus", "provincie_overijssel_woo", "240620_Verslag_BO_ATT.pdf")
    started = time.perf_counter()
    doc = load(path)
    seconds = time.perf_counter() - started
    print(
        f"\n{path.name}: {len(doc.pages)} pagina's met OCR in {seconds:.1f} s ({seconds / 2:.1f} s per pagina)"
    )
    assert [(p.page, p.ocr) for p in doc.pages] == [(1, True), (2, True)]
    first, second = (_words(p.text) for p in doc.pages)
    assert {
        "bestuurlijk",
        "overleg",
        "energiegebied",
        "almelo",
        "tubbergen",
        "twenterand",
        "gedeputeerde",
    } <= first
    assert {"tijdvak", "gemeenten", "provincie", "samenwerking", "compensatie"} <= second
    assert "Verslag bestuurlijk overleg ATT 21 mei 2024" in doc.pages[0].text
    assert seconds < 120  # a safety net: about 5 s per page on 2 shared cores
