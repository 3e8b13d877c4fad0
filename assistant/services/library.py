"""Library service: what is in the archive, and changing it.

* ingest folders or files, or store uploaded files in the archive folder and ingest them, with a result
  per file (added, updated, unchanged, removed, failed with the reason);
* list the documents with their metadata, files, chunk count and status;
* remove a document: its chunks leave the store and its files move to a recycle folder under
  ``LOBBY_HOME`` (nothing is deleted, and a folder's next ingest does not bring it back);
* open a cited or found passage: the file, its page, slide or section, that unit's text and where the
  quote sits in it.

Every call takes a :class:`Request`: nothing outside the request's access scope is listed or opened.
"""

from __future__ import annotations

import shutil
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from assistant.core.records import ACCESS_LEVELS, FileFailure, FileResult, Hit, IngestReport, Page
from assistant.core.text import locate
from assistant.index.lexical import LexicalIndex
from assistant.index.store import VectorStore
from assistant.services.audit import NO_AUDIT, AuditLog, audited
from assistant.services.requests import Request
from assistant.services.uploads import (
    UploadError,
    check_upload,
    shown_name,
    size_refusal,
    store_upload,
    upload_name,
)
from ingest.access import AccessError, parse_level
from ingest.loaders import LoadError, LoadOptions, load
from ingest.pipeline import Ingestor, write_lock

Progress = Callable[[int, int, str], None]


class LibraryError(ValueError):
    """A library request that cannot be done; the message is Dutch and says why."""


@dataclass(frozen=True, slots=True)
class Upload:
    """A file handed in by a user: its name (no folders) and its bytes."""

    name: str
    data: bytes


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """One document of the archive with its metadata, the files that hold it and its chunk count.

    ``status`` is ``volledig`` when every file's chunks are all in the store, else ``onvolledig`` (a run
    was interrupted; the next ingest completes it).
    """

    doc_id: str
    title: str
    date: str | None
    doc_type: str | None
    kenmerk: str | None
    addressee: str | None
    access: str
    files: tuple[str, ...]
    root: str
    chunks: int
    status: str

    def to_json(self) -> dict[str, object]:
        return {
            "doc_id": self.doc_id, "title": self.title, "date": self.date, "doc_type": self.doc_type,
            "kenmerk": self.kenmerk, "addressee": self.addressee, "access": self.access,
            "files": list(self.files), "root": self.root, "chunks": self.chunks, "status": self.status,
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class SourceView:
    """A passage opened in its file: where it is, the unit's text and the quote's span in that text."""

    hit: Hit
    path: Path
    exists: bool
    text: str
    span: tuple[int, int] | None
    location: str

    def to_json(self) -> dict[str, object]:
        return {
            "chunk_id": self.hit.chunk_id, "doc_id": self.hit.doc_id, "title": self.hit.title,
            "date": self.hit.date, "root": self.hit.root, "source": self.hit.source, "path": str(self.path),
            "exists": self.exists, "page": self.hit.page, "slide": self.hit.slide, "location": self.location,
            "text": self.text, "span": list(self.span) if self.span else None,
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class Removal:
    """A removed document: its id and where each of its files went."""

    doc_id: str
    moved: tuple[tuple[str, str], ...]


def safe_upload_name(name: str) -> str:
    """The name an upload is stored under: no folders, cleaned (:func:`~.uploads.upload_name`).

    :class:`LibraryError` (Dutch) for a name that cannot be made safe or a type the ingest does not read.
    """
    try:
        return upload_name(name)
    except UploadError as error:
        raise LibraryError(str(error)) from error


class LibraryService:
    """The archive as a collection of documents: ingest, upload, list, remove, open."""

    def __init__(
        self,
        ingestor: Ingestor,
        *,
        archive: Path,
        recycle: Path,
        audit: AuditLog = NO_AUDIT,
    ) -> None:
        self.audit = audit
        self.ingestor = ingestor
        self.archive = archive
        self.recycle = recycle

    @property
    def store(self) -> VectorStore:
        return self.ingestor.store

    @property
    def lexical(self) -> LexicalIndex:
        return self.ingestor.lexical

    @property
    def _viewing(self) -> LoadOptions:
        """How a file is read to show a passage: as ingest reads it, but never by OCR.

        OCR costs seconds a page and would run over the whole scan each time a passage is opened; a
        passage of a scanned page shows the text ingest recognised (the stored chunk) instead.
        """
        loading = self.ingestor.options.loading
        return replace(loading, ocr=replace(loading.ocr, enabled=False))

    @audited
    def ingest(
        self, request: Request, paths: Sequence[Path], *, progress: Progress | None = None
    ) -> IngestReport:
        """Bring the store up to date with these folders or files (only changes are embedded)."""
        missing = [str(p) for p in paths if not Path(p).exists()]
        if missing:
            raise LibraryError(f"bestaat niet: {', '.join(missing)}")
        request.audit.action = "ingest"
        request.audit.detail = ", ".join(str(p) for p in paths)
        report = self.ingestor.run(paths, progress=progress)
        request.audit.shown([f.doc_id for f in report.files if f.doc_id])
        return report

    @audited
    def upload(
        self,
        request: Request,
        files: Sequence[Upload],
        *,
        folder: str = "uploads",
        access: str | None = None,
        progress: Progress | None = None,
    ) -> IngestReport:
        """Store uploaded files in ``folder`` of the archive and ingest them (a result per file).

        With ``access`` the files go to ``folder/LEVEL``, whose ``.toegang`` (written first, before any
        file) gives them that level: a file is never in the archive, even for an instant, without it.
        Without, they get the level ``folder`` has (``LOBBY_DEFAULT_ACCESS`` unless a ``.toegang`` says).

        A file refused by :mod:`assistant.services.uploads` (name, type, size, content) is not written
        and comes back ``failed`` with the Dutch reason; the others are stored under safe names that
        never replace another file (a taken name gets ``-2``; the reason column says so).
        """
        target = (self.archive / folder).resolve()
        if not target.is_relative_to(self.archive.resolve()):
            raise LibraryError(f"map '{folder}' ligt buiten het archief")
        if access is not None:
            target = self._level_folder(target, access)
        refused: list[FileResult] = []
        paths: list[Path] = []
        renamed: dict[Path, str] = {}
        for upload in files:
            try:
                name = upload_name(upload.name)
                check_upload(name, upload.data, self.max_upload_bytes)
            except UploadError as error:
                refused.append(FileResult(shown_name(upload.name), str(target), "failed", reason=str(error)))
                continue
            path = store_upload(target, name, upload.data)
            if path.name != name:
                renamed[path] = f"opgeslagen als {path.name}: er stond al een ander bestand '{name}'"
            paths.append(path)
        request.audit.action = "upload"
        report = self.ingestor.run(paths, progress=progress, within=self.archive) if paths else IngestReport()
        report.files = [
            replace(f, reason=f.reason or renamed.get(target / Path(f.source).name, "")) for f in report.files
        ] + refused
        report.failed += [FileFailure(f.source, f.reason) for f in refused]
        named = [p.name for p in paths] + [f"geweigerd: {f.source}" for f in refused]
        request.audit.detail = ", ".join(named)
        request.audit.shown([f.doc_id for f in report.files if f.doc_id])
        return report

    def upload_refusal(self, name: str, size: int) -> str | None:
        """Why an upload of ``size`` bytes would be refused for its size (Dutch), or ``None``.

        The web app asks before reading a file Gradio holds, so an oversized one is never read.
        """
        try:
            size_refusal(name, size, self.max_upload_bytes)
        except UploadError as error:
            return str(error)
        return None

    @property
    def max_upload_bytes(self) -> int:
        """The largest upload stored: ``LOBBY_MAX_FILE_MB``, the limit the ingest applies to every file."""
        return int(self.ingestor.options.max_file_mb * 1_000_000)

    @staticmethod
    def _level_folder(parent: Path, access: str) -> Path:
        """``parent/LEVEL`` with its ``.toegang`` in place; refused if a ``.toegang`` there says otherwise."""
        if access not in ACCESS_LEVELS:
            raise LibraryError(f"onbekend toegangsniveau '{access}': kies uit {', '.join(ACCESS_LEVELS)}")
        folder = parent / access
        marker = folder / ".toegang"
        folder.mkdir(parents=True, exist_ok=True)
        if not marker.exists():
            tmp = folder / ".toegang.nieuw"
            tmp.write_text(f"{access}\n", encoding="utf-8")
            tmp.replace(marker)
        try:
            found = parse_level(marker.read_text(encoding="utf-8-sig"), where=f"{folder.name}/.toegang")
        except (AccessError, OSError, UnicodeDecodeError) as error:
            raise LibraryError(str(error)) from error
        if found != access:
            raise LibraryError(
                f"map {folder.name} heeft toegangsniveau {found}, niet {access}; pas .toegang aan"
            )
        return folder

    @audited
    def documents(self, request: Request) -> list[DocumentInfo]:
        """Every document the request may see, newest first (undated last), with files and status.

        The audit line of a listing gives the number of documents listed, not their ids: a listing shows
        titles and dates; what a user reads of a document (search, answer, open) is logged per document.
        """
        if not request.audit.action:
            request.audit.action = "documents"
        chunks: dict[str, list[dict[str, object]]] = defaultdict(list)
        for _, meta in self.store.metadatas(where=request.scope.where()):
            if request.scope.allows(meta.get("access")):
                chunks[str(meta.get("doc_id") or meta.get("source"))].append(meta)
        documents = []
        for doc_id, metas in chunks.items():
            first = metas[0]
            per_file: dict[str, list[dict[str, object]]] = defaultdict(list)
            for meta in metas:
                per_file[str(meta["source"])].append(meta)
            complete = all(len(ms) == int(str(ms[0].get("n_chunks", -1))) for ms in per_file.values())

            def text(key: str, meta: dict[str, object] = first) -> str | None:
                value = meta.get(key)
                return str(value) if value else None

            documents.append(
                DocumentInfo(
                    doc_id=doc_id,
                    title=str(first.get("title", "")),
                    date=text("date"),
                    doc_type=text("doc_type"),
                    kenmerk=text("kenmerk"),
                    addressee=text("addressee"),
                    access=str(first.get("access", "")),
                    files=tuple(sorted(per_file)),
                    root=str(first.get("root", "")),
                    chunks=len(metas),
                    status="volledig" if complete else "onvolledig",
                )
            )
        if request.audit.action == "documents":
            request.audit.detail = f"{len(documents)} documenten"
        return sorted(documents, key=lambda d: (d.date or "0000", d.title), reverse=True)

    @audited
    def remove(self, request: Request, doc_id: str) -> Removal:
        """Take a document out of the archive: chunks deleted, files moved to the recycle folder."""
        found = [d for d in self.documents(request) if d.doc_id == doc_id]
        if not found:
            raise LibraryError(f"document '{doc_id}' bestaat niet (of u mag het niet zien)")
        document = found[0]
        stamp = time.strftime("%Y%m%d-%H%M%S")
        moved: list[tuple[str, str]] = []
        with write_lock(self.store.name, self.lexical.directory):
            for source in document.files:
                original = Path(document.root) / source
                if original.exists():
                    destination = self.recycle / stamp / Path(document.root).name / source
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    shutil.move(original, destination)
                    moved.append((str(original), str(destination)))
            self.store.delete_document(doc_id)
            rows = self.store.all_rows()
            self.lexical.rebuild(*rows)
        request.audit.action = "remove"
        request.audit.detail = ", ".join(original for original, _ in moved) or doc_id
        request.audit.shown([doc_id])
        return Removal(doc_id, tuple(moved))

    @audited
    def open(self, request: Request, chunk_id: str, quote: str | None = None) -> SourceView:
        """The passage ``chunk_id`` in its file: its page, slide or section text and the quote's span.

        Without ``quote`` the whole chunk is the passage. When the file is gone or unreadable, the
        stored chunk text stands in for the page.
        """
        request.audit.action = request.audit.action or "open"
        request.audit.detail = chunk_id  # logged also when refused: probing for hidden ids shows up
        hits = self.store.get([chunk_id])
        if not hits or not request.scope.allows(hits[0].metadata.get("access")):
            raise LibraryError(f"fragment '{chunk_id}' bestaat niet (of u mag het niet zien)")
        hit = _with_twins(hits[0], self.store)
        path = Path(hit.path)
        text = hit.text
        exists = path.is_file()
        if exists:
            try:
                unit = _unit(load(path, self._viewing).pages, hit)
            except LoadError:
                unit = None
            if unit is not None:
                text = unit.text
        span = locate(quote, text) if quote else locate(hit.text, text)
        request.audit.shown([hit.doc_id])
        return SourceView(hit, path, exists, text, span, hit.anchor)


def _with_twins(hit: Hit, store: VectorStore) -> Hit:
    """``hit`` with the other files of its document as ``alternates`` (a chunk fetched by id has none).

    The evidence panel shows a slide from its deck's PDF export, whatever that file is called.
    """
    if hit.alternates or not hit.metadata.get("doc_id"):
        return hit
    files = {str(meta.get("source")) for _, meta in store.metadatas(where={"doc_id": hit.doc_id})}
    files.discard(hit.source)
    return replace(hit, alternates=tuple(sorted(files))) if files else hit


def _unit(pages: Sequence[Page], hit: Hit) -> Page | None:
    """The page, slide or section of ``pages`` that ``hit`` was cut from."""
    section = hit.metadata.get("section")
    for page in pages:
        if hit.page is not None and page.page == hit.page:
            return page
        if hit.slide is not None and page.slide == hit.slide:
            return page
        if hit.page is None and hit.slide is None and section and page.section == section:
            return page
    return None
