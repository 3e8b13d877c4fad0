"""Typed records of answering: conversation turns, the gate's evidence, checked sentences, citations, answers.

They are produced by the answering steps in :mod:`assistant.rag` and read by every edge (CLI, web app),
the services and the evaluation, so they live in the core and import nothing but the core.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

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

    def to_json(self) -> dict[str, object]:
        """One citation of the ``lobby ask --json`` contract."""
        return {
            "n": self.n,
            "source": self.source,
            "title": self.title,
            "page": self.page,
            "slide": self.slide,
            "section": self.section,
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
            "evidence": None
            if self.evidence is None
            else {"dense": round(self.evidence.dense, 4), "coverage": round(self.evidence.coverage, 4)},
        }


#: What :meth:`assistant.rag.answering.Answerer.stream` yields: progress, draft text, then the answer.
AnswerEvent = Stage | Delta | Answer
