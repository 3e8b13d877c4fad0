"""Typed records passed between the stages of ingestion and retrieval.

Every stage takes and returns these plain, immutable records, so each stage can be tested on its own
with hand-made values. Nothing here imports a model, a store or a UI library.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath

#: Document types the metadata extractor can assign (Dutch, as users name them).
DOC_TYPES = (
    "brief",
    "presentatie",
    "persbericht",
    "verslag",
    "nota",
    "position paper",
    "inbreng",
    "reactie",
    "statenvoorstel",
    "kamerbrief",
    "beantwoording kamervragen",
    "beleidsregel",
    "circulaire",
    "formulier",
    "document",
)


#: Access levels, least restricted first. A document's level comes from a ``.toegang`` file (issue work
#: to come); today every document is ``openbaar`` unless configured otherwise (``LOBBY_DEFAULT_ACCESS``).
ACCESS_LEVELS = ("openbaar", "intern", "vertrouwelijk")


@dataclass(frozen=True, slots=True)
class Scope:
    """The access levels one request may see. Every retrieval call takes one; nothing is unscoped.

    ``Scope.full()`` sees every level (the CLI, and every user until roles exist); ``Scope.upto(level)``
    sees that level and the ones below it.
    """

    levels: frozenset[str]

    @classmethod
    def full(cls) -> Scope:
        return cls(frozenset(ACCESS_LEVELS))

    @classmethod
    def upto(cls, level: str) -> Scope:
        if level not in ACCESS_LEVELS:
            raise ValueError(f"onbekend toegangsniveau '{level}': kies uit {', '.join(ACCESS_LEVELS)}")
        return cls(frozenset(ACCESS_LEVELS[: ACCESS_LEVELS.index(level) + 1]))

    @property
    def is_full(self) -> bool:
        return self.levels >= set(ACCESS_LEVELS)

    def allows(self, level: object) -> bool:
        """Whether a chunk or document of ``level`` may be shown.

        Full access sees everything, including chunks stored before levels existed; any narrower scope
        sees only chunks whose level it names (an unknown or missing level is never shown).
        """
        return self.is_full or level in self.levels

    def where(self) -> dict[str, object] | None:
        """The Chroma clause for this scope; ``None`` when every level is allowed."""
        if self.is_full:
            return None
        if not self.levels:
            # Matches no chunk: Chroma refuses an empty ``$in``.
            return {"access": {"$eq": "\u2205 geen toegang"}}
        return {"access": {"$in": sorted(self.levels)}}


def anchor_label(page: int | None, slide: int | None, section: str | None, *, ocr: bool = False) -> str:
    """Where a passage sits, as users read it: ``p. 3``, ``dia 2``, the section name, or empty.

    A page read by text recognition says so (``p. 3 (OCR)``): its words may be misread, so a reader
    should check the quote against the page image before relying on a figure or a name.
    """
    if page is not None:
        return f"p. {page} (OCR)" if ocr else f"p. {page}"
    if slide is not None:
        return f"dia {slide}"
    return section or ""


@dataclass(frozen=True, slots=True)
class Page:
    """One citable unit of a loaded file: a PDF page, a slide, or a section of a text document.

    ``text`` holds the unit's text with paragraphs separated by blank lines. Exactly one of
    ``page`` / ``slide`` is set for paginated formats; ``section`` names the heading a DOCX, Markdown
    or HTML passage sits under (``None`` before the first heading). ``heading`` is the unit's own
    title where the format has one (a slide title, a section heading). ``ocr`` marks a PDF page without
    a text layer whose text was recognised from its image (a scan), so citations can say so.
    """

    text: str
    page: int | None = None
    slide: int | None = None
    section: str | None = None
    heading: str | None = None
    ocr: bool = False

    @property
    def anchor(self) -> str:
        """Human-readable location used in citations: ``p. 3``, ``p. 3 (OCR)``, ``dia 2`` or the section."""
        return anchor_label(self.page, self.slide, self.section, ocr=self.ocr)


@dataclass(frozen=True, slots=True)
class LoadedDocument:
    """The result of loading one file: its pages plus what the file itself says about it.

    ``properties`` carries format metadata (DOCX/PPTX core properties, PDF info, HTML ``<title>``)
    such as ``title``, ``author`` and ``created``; the metadata extractor prefers text evidence and
    uses these as fallbacks. ``warnings`` are non-fatal problems (e.g. a non-UTF-8 text decoded with a
    fallback encoding) that the ingest report shows to the user.
    """

    pages: tuple[Page, ...]
    properties: dict[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """All page texts joined, for metadata extraction over the whole document."""
        return "\n\n".join(p.text for p in self.pages)


@dataclass(frozen=True, slots=True)
class DocMeta:
    """Metadata extracted from a document. Unknown fields stay ``None``.

    ``date`` is ISO ``YYYY-MM-DD``; ``doc_type`` is one of :data:`DOC_TYPES`.
    """

    title: str
    doc_type: str = "document"
    date: str | None = None
    kenmerk: str | None = None
    onderwerp: str | None = None
    addressee: str | None = None
    sender: str | None = None


@dataclass(frozen=True, slots=True)
class Chunk:
    """A piece of one document small enough to embed, with everything a citation needs.

    ``chunk_id`` is derived from the source, the position and the text, so re-ingesting the same file
    yields the same ids (idempotent upserts) and a changed passage yields a new id. ``doc_id`` names the
    document the chunk belongs to, derived from its content (see :func:`ingest.identity.document_id`):
    the DOCX and the PDF copy of one letter share it. ``access`` is the document's access level.
    ``ocr`` says the chunk's page was read by text recognition (see :attr:`Page.ocr`).
    """

    chunk_id: str
    text: str
    source: str
    root: str
    ordinal: int
    meta: DocMeta
    doc_id: str = ""
    access: str = "openbaar"
    page: int | None = None
    slide: int | None = None
    section: str | None = None
    heading: str | None = None
    file_hash: str = ""
    n_chunks: int = 0
    ocr: bool = False

    def store_metadata(self) -> dict[str, str | int | float | bool]:
        """Flat metadata as vector stores accept it (no ``None`` values: absent keys mean unknown)."""
        raw: dict[str, str | int | float | bool | None] = {
            "source": self.source,
            "root": self.root,
            "doc_id": self.doc_id,
            "access": self.access,
            "folder": self.source.rsplit("/", 1)[0] if "/" in self.source else "",
            "ordinal": self.ordinal,
            "page": self.page,
            "slide": self.slide,
            "section": self.section,
            "heading": self.heading,
            # Only set on recognised pages: an absent key reads as "not OCR" (and older chunks lack it).
            "ocr": True if self.ocr else None,
            "file_hash": self.file_hash,
            # With n_chunks the store can tell a completely written file from one cut off midway.
            "n_chunks": self.n_chunks,
            "title": self.meta.title,
            "doc_type": self.meta.doc_type,
            "date": self.meta.date,
            # Chroma compares numbers only: an integer form of the date makes range filters possible.
            "date_int": int(self.meta.date.replace("-", "")) if self.meta.date else None,
            "kenmerk": self.meta.kenmerk,
            "onderwerp": self.meta.onderwerp,
            "addressee": self.meta.addressee,
            "sender": self.meta.sender,
        }
        return {k: v for k, v in raw.items() if v is not None}


@dataclass(frozen=True, slots=True)
class Hit:
    """A retrieved chunk with its score (higher is better) and the stored metadata.

    ``dense`` (cosine similarity) and ``lexical`` (BM25) keep the raw evidence of each retriever for
    the evidence gate; ``alternates`` lists other files holding the same passage (the same letter kept
    as DOCX and as PDF), collapsed into this hit.
    """

    chunk_id: str
    text: str
    score: float
    metadata: dict[str, str | int | float | bool]
    dense: float | None = None
    lexical: float | None = None
    alternates: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        return str(self.metadata.get("title", ""))

    @property
    def date(self) -> str | None:
        value = self.metadata.get("date")
        return str(value) if value else None

    @property
    def anchor(self) -> str:
        """``p. 3``, ``p. 3 (OCR)``, ``dia 2``, the section name, or empty."""
        section = self.metadata.get("section")
        return anchor_label(self.page, self.slide, str(section) if section else None, ocr=self.ocr)

    @property
    def ocr(self) -> bool:
        """Whether the chunk's text was recognised from a scanned page (and may hold misread words)."""
        return bool(self.metadata.get("ocr", False))

    @property
    def source(self) -> str:
        """The file, relative to the ingested root it was found under."""
        return str(self.metadata.get("source", ""))

    @property
    def root(self) -> str:
        """The ingested folder (absolute) that :attr:`source` is relative to."""
        return str(self.metadata.get("root", ""))

    @property
    def path(self) -> str:
        """The file to open: root and source joined (absolute)."""
        return str(PurePosixPath(self.root, self.source)) if self.root else self.source

    @property
    def doc_id(self) -> str:
        """The document this chunk belongs to (the same for every file copy of one document)."""
        return str(self.metadata.get("doc_id", "")) or self.source

    @property
    def access(self) -> str:
        return str(self.metadata.get("access", ""))

    @property
    def page(self) -> int | None:
        return self._int("page")

    @property
    def slide(self) -> int | None:
        return self._int("slide")

    def _int(self, key: str) -> int | None:
        value = self.metadata.get(key)
        return int(value) if value is not None else None

    def to_json(self) -> dict[str, object]:
        """One hit of the ``lobby search --json`` contract, with the file to open (``root``, ``path``)."""
        meta = self.metadata
        return {
            "chunk_id": self.chunk_id,
            "doc_id": self.doc_id,
            "source": self.source,
            "root": self.root,
            "path": self.path,
            "title": meta.get("title"),
            "page": self.page,
            "slide": self.slide,
            "section": meta.get("section"),
            "ocr": self.ocr,
            "date": meta.get("date"),
            "doc_type": meta.get("doc_type"),
            "kenmerk": meta.get("kenmerk"),
            "access": self.access,
            "score": round(self.score, 6),
            "text": self.text,
            "also_in": list(self.alternates),
        }


@dataclass(frozen=True, slots=True)
class FileFailure:
    """A file that could not be ingested and the readable reason why."""

    source: str
    reason: str


@dataclass(frozen=True, slots=True)
class FileResult:
    """What one ingest run did with one file.

    ``status`` is ``added``, ``updated``, ``unchanged``, ``removed``, ``failed`` (with ``reason``) or
    ``duplicate`` (the same content as another file of the run, named in ``reason``; not stored).
    """

    source: str
    root: str
    status: str
    chunks: int = 0
    reason: str = ""
    doc_id: str = ""

    def to_json(self) -> dict[str, object]:
        return {"source": self.source, "root": self.root, "status": self.status, "chunks": self.chunks,
                "reason": self.reason, "doc_id": self.doc_id}  # fmt: skip


@dataclass(slots=True)
class IngestReport:
    """What one ingest run did: file counts per outcome, chunks written, failures and warnings."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    chunks: int = 0
    failed: list[FileFailure] = field(default_factory=list)
    warnings: list[FileFailure] = field(default_factory=list)
    #: Files not stored because another file of the run has the same content (the reason names it).
    duplicates: list[FileFailure] = field(default_factory=list)
    seconds: float = 0.0
    embed_seconds: float = 0.0
    files: list[FileResult] = field(default_factory=list)
    #: Busy seconds per stage (read, metadata, chunk, embed, write, lexical). Reading runs in a thread
    #: beside encoding, so the stages add up to more than ``seconds`` when they overlap.
    stage_seconds: dict[str, float] = field(default_factory=dict)

    def add_stage(self, stage: str, seconds: float) -> None:
        self.stage_seconds[stage] = self.stage_seconds.get(stage, 0.0) + seconds

    def to_json(self) -> dict[str, object]:
        """The ``lobby ingest --json`` contract: one flat object."""
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "chunks": self.chunks,
            "failed": [{"source": f.source, "reason": f.reason} for f in self.failed],
            "warnings": [{"source": w.source, "reason": w.reason} for w in self.warnings],
            "duplicates": [{"source": d.source, "reason": d.reason} for d in self.duplicates],
            "seconds": round(self.seconds, 3),
            "files": [f.to_json() for f in self.files],
        }
