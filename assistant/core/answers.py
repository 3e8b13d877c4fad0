"""Typed records of answering: conversation turns, the gate's evidence, checked sentences, citations, answers.

They are produced by the answering steps in :mod:`assistant.rag` and read by every edge (CLI, web app),
the services and the evaluation, so they live in the core and import nothing but the core.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assistant.core.tokens import tokenize

if TYPE_CHECKING:
    from assistant.core.records import Hit


@dataclass(frozen=True, slots=True)
class Turn:
    """One exchange of a conversation."""

    question: str
    answer: str


@dataclass(frozen=True, slots=True)
class Evidence:
    """What retrieval found for a question, reduced to the evidence gate's signals.

    ``dense``: best cosine similarity; ``coverage``: share of the question's concepts in the best chunk;
    ``sentence``: the same in the best evidence sentence that holds an answer of the ``asked`` kind
    (amount, date, person, ...), which is ``quote``.
    """

    dense: float
    coverage: float
    content_words: tuple[str, ...]
    sentence: float = 0.0
    asked: str = "other"
    quote: str = ""
    quote_chunk: str = ""  # the chunk the quote was found in
    read: str | None = None  # what the model's fact check copied out of the evidence (None: not run)
    missing: tuple[str, ...] = ()  # the question's names, abbreviations or years no retrieved document has

    def describe(self) -> str:
        kind = f" met {_ASKED_NL[self.asked]}" if self.asked in _ASKED_NL else ""
        signals = (
            f"gelijkenis {self.dense:.2f}, dekking zoektermen {self.coverage:.0%}, "
            f"in één zin{kind} {self.sentence:.0%}"
        )
        if self.missing:
            named = ", ".join(f"'{m}'" for m in self.missing)
            return f"{signals}; geen van de gevonden documenten noemt {named}"
        return signals


_ASKED_NL = {
    "amount": "een bedrag",
    "date": "een datum",
    "year": "een jaartal",
    "person": "een persoon of organisatie",
    "place": "een plaats",
    "role": "een functie",
    "percentage": "een percentage",
    "reason": "een reden",
    "count": "een aantal",
    "abbreviation": "de betekenis van de afkorting",
}


@dataclass(frozen=True, slots=True)
class CheckedSentence:
    """An answer sentence after checking: its text without markers, the verified source numbers."""

    text: str
    cited: tuple[int, ...]
    verified: tuple[int, ...]
    added: tuple[int, ...] = ()
    quotes: dict[int, str] = field(default_factory=dict)

    @property
    def supported(self) -> bool:
        return bool(self.verified or self.added)

    @property
    def has_content(self) -> bool:
        """False for connective sentences too short to need a source ("Samengevat:")."""
        return len(tokenize(self.text)) >= 3


def verified_share(checked: list[CheckedSentence] | tuple[CheckedSentence, ...]) -> float:
    """Share of content sentences that carry a verified citation (1.0 for an empty answer)."""
    content = [c for c in checked if c.has_content]
    return sum(1 for c in content if c.supported) / len(content) if content else 1.0


@dataclass(frozen=True, slots=True)
class Citation:
    """A verified citation: the numbered source, where it is, what to open, and the supporting quote.

    ``root`` and ``source`` locate the file (``path`` is both joined); ``quote_start``/``quote_end`` are
    the quote's character offsets in the chunk text (``None`` where the quote could not be placed).
    ``ocr`` says the cited page was read by text recognition from a scan (shown as ``p. 3 (OCR)``).
    """

    n: int
    source: str
    title: str
    page: int | None
    slide: int | None
    date: str | None
    quote: str
    chunk_id: str
    doc_id: str = ""
    root: str = ""
    path: str = ""
    section: str | None = None
    doc_type: str | None = None
    kenmerk: str | None = None
    quote_start: int | None = None
    quote_end: int | None = None
    also_in: tuple[str, ...] = ()
    ocr: bool = False

    def to_json(self) -> dict[str, object]:
        """One citation of the ``lobby ask --json`` contract."""
        return {
            "n": self.n,
            "source": self.source,
            "title": self.title,
            "page": self.page,
            "slide": self.slide,
            "section": self.section,
            "ocr": self.ocr,
            "date": self.date,
            "doc_type": self.doc_type,
            "kenmerk": self.kenmerk,
            "quote": self.quote,
            "quote_start": self.quote_start,
            "quote_end": self.quote_end,
            "chunk_id": self.chunk_id,
            "doc_id": self.doc_id,
            "root": self.root,
            "path": self.path,
            "also_in": list(self.also_in),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Citation:
        """The citation :meth:`to_json` wrote (stored conversations read their citations back with it)."""
        return cls(
            n=int(data["n"]),
            source=str(data["source"]),
            title=str(data["title"]),
            page=_optional_int(data.get("page")),
            slide=_optional_int(data.get("slide")),
            date=_optional_str(data.get("date")),
            quote=str(data["quote"]),
            chunk_id=str(data["chunk_id"]),
            doc_id=str(data.get("doc_id", "")),
            root=str(data.get("root", "")),
            path=str(data.get("path", "")),
            section=_optional_str(data.get("section")),
            doc_type=_optional_str(data.get("doc_type")),
            kenmerk=_optional_str(data.get("kenmerk")),
            quote_start=_optional_int(data.get("quote_start")),
            quote_end=_optional_int(data.get("quote_end")),
            also_in=tuple(str(a) for a in data.get("also_in", ())),
            ocr=bool(data.get("ocr", False)),
        )


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _optional_str(value: Any) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True, slots=True)
class RemovedSentence:
    """A sentence of the draft that no source supported, so it left the answer, and why in Dutch.

    ``cited`` are the source numbers the draft gave it (none: it came without a source).
    """

    text: str
    cited: tuple[int, ...]
    why: str

    def to_json(self) -> dict[str, object]:
        return {"text": self.text, "cited": list(self.cited), "why": self.why}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RemovedSentence:
        return cls(str(data["text"]), tuple(int(n) for n in data.get("cited", ())), str(data.get("why", "")))


def removed_sentences(answer: Answer) -> list[RemovedSentence]:
    """The content sentences the citation check took out of ``answer`` (or flagged), each with its reason.

    They are the checked sentences with content and no verified source; an edge shows them beside the
    answer so a user sees what was left out and why.
    """
    asked = set(tokenize(answer.standalone))
    return [
        RemovedSentence(s.text, s.cited, _why_removed(s, asked))
        for s in answer.checked
        if s.has_content and not s.supported
    ]


def _why_removed(sentence: CheckedSentence, asked: set[str]) -> str:
    """The check's reason in words: an echo of the question, no source given, or sources saying otherwise."""
    cited, markers = sentence.cited, "".join(f"[{n}]" for n in sentence.cited)
    if asked and set(tokenize(sentence.text)) <= asked:
        return "herhaalt alleen de vraag"
    if not cited:
        return "zonder bron; geen van de gevonden bronnen zegt dit"
    if len(cited) == 1:
        return f"de aangehaalde bron {markers} zegt dit niet"
    return f"geen van de aangehaalde bronnen {markers} zegt dit"


@dataclass(frozen=True, slots=True)
class Stage:
    """A progress event while an answer is made: ``condense``, ``retrieve``, ``generate``, ``verify``."""

    name: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Delta:
    """A piece of draft text as it is generated (not yet checked)."""

    text: str


@dataclass(slots=True)
class Answer:
    """The outcome of one question: text with [n] markers, citations, refusal, and where time went.

    ``sources`` are the hits the answer was made from (numbered from 1), ``retrieved`` every hit the
    retrieval step returned (a deeper list, for the evaluation's ranking metrics).
    """

    question: str
    standalone: str
    text: str
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    sources: list[Hit] = field(default_factory=list)
    checked: list[CheckedSentence] = field(default_factory=list)
    evidence: Evidence | None = None
    mode: str = "answer"
    removed: int = 0
    draft: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    retrieved: list[Hit] = field(default_factory=list)
    #: Why the answer is not what was configured (the chat model did not answer); also its first line.
    notice: str = ""

    @property
    def verified_share(self) -> float:
        return verified_share(self.checked)

    def to_json(self) -> dict[str, object]:
        """The ``lobby ask --json`` contract."""
        return {
            "answer": self.text,
            "refused": self.refused,
            "citations": [c.to_json() for c in self.citations],
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
            "standalone_question": self.standalone,
            "mode": self.mode,
            "removed_sentences": self.removed,
            "notice": self.notice,
            "evidence": None
            if self.evidence is None
            else {"dense": round(self.evidence.dense, 4), "coverage": round(self.evidence.coverage, 4)},
        }


#: What :meth:`assistant.rag.answering.Answerer.stream` yields: progress, draft text, then the answer.
AnswerEvent = Stage | Delta | Answer
