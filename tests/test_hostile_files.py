"""Hostile and broken files: each is handled within bounded time and memory, with a Dutch reason.

Every file is generated here: truncated and corrupt PDFs, encrypted ones (RC4 and AES-256, with a user
password or only an owner password), PDFs with 200,000 pages or a page tree that lies or nests 100,000
deep, a scan whose page image has 144 million pixels, zip bombs as DOCX and PPTX (one that declares its size and one that lies about it), files that are
not what their extension says, empty files, a file over the size limit, links out of and within the
folder (and a linked folder, never entered), text that is not UTF-8 and the same content under two names.

The first test reads each file the way the ingest reader does (:func:`ingest.reading.read_file`),
measuring its wall time and peak memory, and prints the table; the others run them all, with good
files between them, through the real pipeline (fake embedder, embedded Chroma).
"""

from __future__ import annotations

import re
import resource
import shutil
import time
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from assistant.core.settings import Settings
from assistant.services.wiring import Index, build_index
from assistant.testing import HashEmbeddings
from ingest.pipeline import IngestOptions, Ingestor
from ingest.reading import FileRead, discover, read_file

from .conftest import FIXTURES

GB = 1 << 30
MAX_SECONDS = 30.0  # safety nets per file, not benchmarks
MAX_EXTRA_MB = 500.0
#: The size limit of these runs: above every generated file but the one that must break it.
LIMIT_MB = 30.0
OPTIONS = IngestOptions(max_file_mb=LIMIT_MB)


# ------------------------------------------------------------------------------------------ generators


def _raw_pdf(objects: dict[int, bytes]) -> bytes:
    """A PDF of the numbered ``objects`` (1 is the catalog) with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    xref, size = len(out), max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    out += b"".join(b"%010d 00000 n \n" % offsets[i] for i in range(1, size))
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return bytes(out)


_CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
_PAGE = b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] >>"


def _many_pages(path: Path, *, pages: int = 200_000, fanout: int = 100, claimed: int | None = None) -> None:
    """A balanced page tree of ``pages`` distinct pages; the root claims ``claimed`` (default: the truth)."""
    nodes = pages // fanout
    first_node, first_page = 3, 3 + nodes
    kids = b" ".join(b"%d 0 R" % (first_node + i) for i in range(nodes))
    objects = {1: _CATALOG, 2: b"<< /Type /Pages /Count %d /Kids [%s] >>" % (claimed or pages, kids)}
    for i in range(nodes):
        leaves = b" ".join(b"%d 0 R" % (first_page + i * fanout + j) for j in range(fanout))
        objects[first_node + i] = b"<< /Type /Pages /Parent 2 0 R /Count %d /Kids [%s] >>" % (fanout, leaves)
        for j in range(fanout):
            objects[first_page + i * fanout + j] = _PAGE % (first_node + i)
    path.write_bytes(_raw_pdf(objects))


def _deep_tree(path: Path, depth: int = 100_000) -> None:
    """/Pages nodes nested ``depth`` deep, one page at the bottom."""
    objects = {1: _CATALOG}
    for number in range(2, depth + 2):
        objects[number] = b"<< /Type /Pages /Count 1 /Kids [%d 0 R] >>" % (number + 1)
    objects[depth + 2] = _PAGE % (depth + 1)
    path.write_bytes(_raw_pdf(objects))


def _image_scan(path: Path, side: int = 12_000) -> None:
    """A scan whose one page is a ``side`` x ``side`` grey image (144 million pixels), truthfully stored."""
    compressor = zlib.compressobj(1)
    rows = bytes(side * 100)
    data = b"".join(compressor.compress(rows) for _ in range(side // 100)) + compressor.flush()
    content = b"q 595 0 0 842 0 0 cm /Im0 Do Q"
    image = b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray" % (side, side)
    image += b" /BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream" % (
        len(data),
        data,
    )
    resources = b"/Resources << /XObject << /Im0 5 0 R >> >>"
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] %s /Contents 4 0 R >>" % resources
    objects = {
        1: _CATALOG,
        2: b"<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
        3: page,
        4: b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        5: image,
    }
    path.write_bytes(_raw_pdf(objects))


def _encrypted(path: Path, algorithm: str, user_password: str) -> None:
    writer = PdfWriter(clone_from=PdfReader(FIXTURES / "twee_paginas.pdf"))
    writer.encrypt(user_password=user_password, owner_password="eigenaar", algorithm=algorithm)
    writer.write(path)


def _zip_bomb(path: Path, base: str, member: str, size: int) -> None:
    """An Office file (``base`` fixture) plus ``member``: ``size`` zero bytes, truthfully declared."""
    with (
        zipfile.ZipFile(FIXTURES / base) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out,
    ):
        for info in source.infolist():
            out.writestr(info, source.read(info.filename))
        block = bytes(1 << 24)
        with out.open(member, "w", force_zip64=True) as fh:
            for _ in range(size // len(block)):
                fh.write(block)


def _lying_zip_bomb(path: Path, padding: int = 256 << 20) -> None:
    """brief.docx whose document.xml inflates to ``padding`` more bytes than its declared size."""
    member = "word/document.xml"
    with zipfile.ZipFile(FIXTURES / "brief.docx") as source:
        parts = {info.filename: source.read(info.filename) for info in source.infolist()}
    honest = len(parts[member])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        for name, data in parts.items():
            out.writestr(name, data + b" " * padding if name == member else data)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        local = archive.getinfo(member).header_offset
        central = archive.start_dir  # type: ignore[attr-defined]
    data[local + 22 : local + 26] = honest.to_bytes(4, "little")  # the local header's uncompressed size
    while data[central + 46 : central + 46 + len(member)] != member.encode():  # walk the central directory
        lengths = [int.from_bytes(data[central + i : central + i + 2], "little") for i in (28, 30, 32)]
        central += 46 + sum(lengths)
    data[central + 24 : central + 28] = honest.to_bytes(4, "little")  # and its entry there
    path.write_bytes(bytes(data))


def _copy(name: str) -> Callable[[Path], None]:
    return lambda path: shutil.copyfile(FIXTURES / name, path)


def _truncated(path: Path) -> None:
    data = (FIXTURES / "twee_paginas.pdf").read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _zip_of_text(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notitie.txt", "Dit is een zip-archief, geen PDF.")


def _sparse(path: Path, size: int) -> None:
    with path.open("wb") as fh:
        fh.truncate(size)
        fh.seek(0)
        fh.write(b"Een tekstbestand groter dan de limiet. ")


def _link(target: Path) -> Callable[[Path], None]:
    return lambda path: path.symlink_to(target)


@dataclass(frozen=True)
class Case:
    """One generated file and what must become of it: ``added``, ``failed`` or ``duplicate``."""

    name: str
    make: Callable[[Path], None]
    outcome: str
    reason: str = ""  # a regular expression the reason must match (failed, duplicate)


def _cases(outside: Path) -> list[Case]:
    notitie = (FIXTURES / "notitie.md").read_bytes()
    secret = outside / "geheim.txt"
    secret.write_text("Vertrouwelijke tekst buiten het archief.")
    versleuteld = r"^PDF is versleuteld \(wachtwoord vereist\)$"
    return [
        # Good files, which must get through whatever else the batch holds.
        Case("brief.docx", _copy("brief.docx"), "added"),
        Case("twee_paginas.pdf", _copy("twee_paginas.pdf"), "added"),
        Case("notitie.md", lambda p: p.write_bytes(notitie), "added"),
        Case("eigenaar_rc4.pdf", lambda p: _encrypted(p, "RC4-128", ""), "added"),
        Case("eigenaar_aes256.pdf", lambda p: _encrypted(p, "AES-256", ""), "added"),
        Case("windows_tekst.txt", _copy("cp1252.txt"), "added"),
        Case("latin1_tekst.txt", lambda p: p.write_bytes(b"Caf\xe9 \x81 over windenergie in Overijssel."), "added"),
        # The same content again, under another name and as a link: stored once.
        Case("notitie_kopie.md", lambda p: p.write_bytes(notitie), "duplicate", r"^zelfde inhoud als notitie\.md;"),
        Case("snelkoppeling.md", _link(Path("notitie.md")), "duplicate", r"^zelfde inhoud als notitie\.md;"),
        # Broken, locked and hostile PDFs.
        Case("afgebroken.pdf", _truncated, "failed", r"^PDF is beschadigd of onleesbaar: "),
        Case("kapot.pdf", lambda p: p.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40), "failed",
             r"^PDF is beschadigd of onleesbaar: "),
        Case("wachtwoord_rc4.pdf", lambda p: _encrypted(p, "RC4-128", "geheim"), "failed", versleuteld),
        Case("wachtwoord_aes256.pdf", lambda p: _encrypted(p, "AES-256", "geheim"), "failed", versleuteld),
        Case("200000_paginas.pdf", _many_pages, "failed",
             r"^PDF heeft 200000 pagina's, meer dan de limiet van 5000 \(zie LOBBY_PDF_MAX_PAGES\)"),
        Case("liegende_paginaboom.pdf", lambda p: _many_pages(p, claimed=3), "failed",
             r"^PDF heeft meer pagina's dan de limiet van 5000 \(zie LOBBY_PDF_MAX_PAGES\)"),
        Case("diepe_paginaboom.pdf", _deep_tree, "failed", r"^PDF heeft een te grote of te diep geneste structuur"),
        Case("enorme_scan.pdf", _image_scan, "failed",
             r"^PDF bevat geen tekstlaag .*OCR mislukt op pagina 1: afbeelding te groot voor tekstherkenning "
             r"\(144 miljoen pixels; limiet 100 miljoen\)"),
        # Zip bombs as Office files.
        Case("zipbom.docx", lambda p: _zip_bomb(p, "brief.docx", "word/media/bom.bin", 2 * GB), "failed",
             r"^DOCX is beschadigd of onleesbaar: onderdeel word/media/bom\.bin pakt uit tot 2,147 MB .*zip-bom"),
        Case("zipbom.pptx", lambda p: _zip_bomb(p, "drie_dias.pptx", "ppt/media/bom.bin", GB), "failed",
             r"^PPTX is beschadigd of onleesbaar: onderdeel ppt/media/bom\.bin pakt uit tot 1,074 MB .*zip-bom"),
        Case("zipbom_liegt.docx", _lying_zip_bomb, "failed", r"^DOCX is beschadigd of onleesbaar: onderdeel word/document\.xml pakt anders uit dan het zip-archief opgeeft"),
        # Not what the extension says.
        Case("eigenlijk_pdf.docx", _copy("twee_paginas.pdf"), "failed",
             r"^DOCX is beschadigd of onleesbaar: geen Office-bestand maar een PDF \(verkeerde extensie\?\)"),
        Case("eigenlijk_zip.pdf", _zip_of_text, "failed",
             r"^PDF is beschadigd of onleesbaar: geen PDF-bestand \(kop %PDF ontbreekt maar een zip-bestand"),
        Case("eigenlijk_html.pptx", _copy("pagina.html"), "failed",
             r"^PPTX is beschadigd of onleesbaar: geen Office-bestand maar een HTML-pagina"),
        Case("eigenlijk_pdf.txt", _copy("twee_paginas.pdf"), "failed",
             r"^bestand met extensie \.txt is geen tekst maar een PDF \(verkeerde extensie\?\)"),
        Case("eigenlijk_dias.docx", _copy("drie_dias.pptx"), "failed",
             r"^DOCX is beschadigd of onleesbaar: het is een PowerPoint-presentatie \(PPTX\)"),
        # Empty, too big, and a way out of the folder.
        Case("leeg.pdf", lambda p: p.write_bytes(b""), "failed", r"^bestand is leeg$"),
        Case("leeg.docx", lambda p: p.write_bytes(b""), "failed", r"^bestand is leeg$"),
        Case("te_groot.txt", lambda p: _sparse(p, int((LIMIT_MB + 1) * 1_000_000)), "failed",
             r"^bestand is groter dan de limiet \(31\.0 MB > 30 MB; zie LOBBY_MAX_FILE_MB\)"),
        Case("naar_buiten.txt", _link(secret), "failed", r"^koppeling \(symlink\) naar een bestand buiten de ingelezen map"),
    ]  # fmt: skip


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Case]]:
    """The folder with every case, made once for the module (the bombs take seconds to write)."""
    base = tmp_path_factory.mktemp("vijandig")
    folder, outside = base / "archief", base / "elders"
    folder.mkdir()
    outside.mkdir()
    cases = _cases(outside)
    for case in cases:
        case.make(folder / case.name)
    # A linked folder leading out of the archive is not entered at all (not even listed as a file).
    (outside / "map").mkdir()
    (outside / "map" / "geheim.md").write_text("# Geheim\n\nBuiten het archief.\n")
    (folder / "gekoppelde_map").symlink_to(outside / "map", target_is_directory=True)
    return folder, cases


@pytest.fixture
def index(tmp_path: Path) -> Index:
    return build_index(Settings(home=tmp_path / "home", embedding_model="fake"), embeddings=HashEmbeddings())


def _outcome(item: FileRead) -> tuple[str, str]:
    if item.failure is not None:
        return "failed", item.failure
    if item.duplicate_of is not None:
        return "duplicate", f"zelfde inhoud als {item.duplicate_of}; niet nogmaals opgenomen"
    return ("added", "") if item.chunks else ("unknown", "")


def _reset_peak() -> bool:
    """Reset this process's peak RSS (Linux: VmHWM), so the next reading is one case's peak."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ------------------------------------------------------------------------------------------------ tests


def test_each_file_is_handled_in_bounded_time_and_memory_with_a_reason(
    hostile: tuple[Path, list[Case]], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, cases = hostile
    root, files, _ = discover(folder)
    assert sorted(p.name for p in files) == sorted(c.name for c in cases)
    by_name = {c.name: c for c in cases}
    contents: dict[str, tuple[str, str]] = {}
    rows: list[tuple[str, str, float, float]] = []
    for path in files:  # in the reader's order, as read_file sees them in a run
        case = by_name[path.name]
        before = _rss_mb()
        exact = _reset_peak()
        peak_before = before if exact else _peak_mb()
        started = time.perf_counter()
        item = read_file(path, str(root), path.name, None, OPTIONS, contents)
        seconds = time.perf_counter() - started
        extra = max(0.0, _peak_mb() - peak_before)
        if item.failure is None and item.duplicate_of is None and item.file_hash:
            contents.setdefault(item.file_hash, (str(root), path.name))
        status, reason = _outcome(item)
        rows.append((path.name, f"{status}: {reason}" if reason else status, seconds, extra))
        assert status == case.outcome, (path.name, status, reason)
        assert re.search(case.reason, reason), (path.name, reason)
        assert seconds < MAX_SECONDS, (path.name, seconds)
        assert extra < MAX_EXTRA_MB, (path.name, extra)
    width = max(len(r[0]) for r in rows)
    table = [f"{'bestand':<{width}}  {'s':>6}  {'+MB':>6}  afhandeling"]
    table += [f"{name:<{width}}  {s:6.2f}  {mb:6.0f}  {how}" for name, how, s, mb in rows]
    with capsys.disabled():
        print("\n" + "\n".join(table))


def test_a_batch_of_hostile_files_still_ingests_the_good_ones(
    hostile: tuple[Path, list[Case]], index: Index
) -> None:
    folder, cases = hostile
    ingestor = Ingestor(index.store, index.lexical, index.embeddings, OPTIONS)
    report = ingestor.run([folder])

    expected = {c.name: c for c in cases}
    status = {f.source: f.status for f in report.files}
    assert status == {name: c.outcome for name, c in expected.items()}
    reasons = {f.source: f.reason for f in [*report.failed, *report.duplicates]}
    for name, case in expected.items():
        if case.outcome != "added":
            assert re.search(case.reason, reasons[name]), (name, reasons[name])
    good = {name for name, c in expected.items() if c.outcome == "added"}
    stored = {h.source for h in index.store.get(index.store.all_ids())}
    assert stored == good
    assert report.added == len(good)
    assert {w.source for w in report.warnings} == {"windows_tekst.txt", "latin1_tekst.txt"}
    assert report.to_json()["duplicates"] == [
        {"source": "notitie_kopie.md", "reason": "zelfde inhoud als notitie.md; niet nogmaals opgenomen"},
        {"source": "snelkoppeling.md", "reason": "zelfde inhoud als notitie.md; niet nogmaals opgenomen"},
    ]

    again = ingestor.run([folder])  # nothing flip-flops: the same copy is kept, the others stay duplicates
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, len(good))
    assert {f.source for f in again.duplicates} == {"notitie_kopie.md", "snelkoppeling.md"}
    assert {h.source for h in index.store.get(index.store.all_ids())} == good


def test_a_copy_stored_by_an_earlier_run_is_removed_and_stays_out(tmp_path: Path, index: Index) -> None:
    folder = tmp_path / "archief"
    folder.mkdir()
    shutil.copyfile(FIXTURES / "notitie.md", folder / "notitie_kopie.md")
    ingestor = Ingestor(index.store, index.lexical, index.embeddings)
    assert ingestor.run([folder]).added == 1  # alone, the copy is the document

    shutil.copyfile(FIXTURES / "notitie.md", folder / "notitie.md")  # the original arrives, sorting first
    report = ingestor.run([folder])
    assert (report.added, [d.source for d in report.duplicates]) == (1, ["notitie_kopie.md"])
    assert {h.source for h in index.store.get(index.store.all_ids())} == {"notitie.md"}
    assert sorted(index.lexical.ids) == sorted(index.store.all_ids())  # BM25 lost the copy too

    for _ in range(2):
        later = ingestor.run([folder])
        assert (later.added, later.updated, later.unchanged, len(later.duplicates)) == (0, 0, 1, 1)
    assert {h.source for h in index.store.get(index.store.all_ids())} == {"notitie.md"}
