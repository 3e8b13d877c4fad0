"""Answering: question (+ history) -> retrieval -> evidence gate -> generation -> citation check.

    follow-up? -> standalone question (LLM rewrite, or a heuristic without a model)
    retrieve (hybrid, filters) -> evidence gate: refuse before generating if the archive is silent
    numbered sources -> prompt (Dutch, from prompts/) -> chat model, streamed
                     or, without a model, the best supporting sentences (extractive)
    every sentence checked against the source it cites -> Answer with resolvable citations

A question about what IPO said over time ("wat zei IPO over X, en wanneer") is answered as a dated
account, newest first, with the points where amounts or positions changed.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from assistant.citations import CheckedSentence, check_answer, render, verified_share
from assistant.compose import (
    anchor_sentence,
    by_document,
    extractive_answer,
    extractive_timeline,
    focus,
    position_changes,
)
from assistant.gate import Evidence, Thresholds, content_terms, content_words, decide, measure
from assistant.prompts import PromptLibrary
from assistant.retrieval import Filters, Retriever
from assistant.schema import Hit
from assistant.text import format_date

log = logging.getLogger(__name__)

_TIMELINE = re.compile(
    r"\b(wanneer|standpunt(en)?|positie|in de loop van|door de (tijd|jaren)|ontwikkel\w*|veranderd|"
    r"verschoven|tijdlijn|wat (heeft|zei|zegt|vond|vindt) (het )?ipo|hoe (dacht|denkt) (het )?ipo)\b",
    re.IGNORECASE,
)
# Words that point back into the conversation ("daardoor", "erover", "dat", "die brief").
_ANAPHORA = re.compile(
    r"\b(daar(door|over|van|bij|mee|in|na|om|voor|aan|uit)?|hier(over|van|bij|mee|in|door|voor)|"
    r"er(over|van|bij|mee|door|in|voor|aan|uit)|dat|dit|die|deze|hij|zij|hun|hem|ze|dezelfde)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Turn:
    """One exchange of a conversation."""

    question: str
    answer: str


@dataclass(frozen=True, slots=True)
class Citation:
    """A verified citation: the numbered source, where it is, and the sentence that supports it."""

    n: int
    source: str
    title: str
    page: int | None
    slide: int | None
    date: str | None
    quote: str
    chunk_id: str
    also_in: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {
            "n": self.n,
            "source": self.source,
            "title": self.title,
            "page": self.page,
            "slide": self.slide,
            "date": self.date,
            "quote": self.quote,
            "chunk_id": self.chunk_id,
            "also_in": list(self.also_in),
        }


@dataclass(slots=True)
class Answer:
    """The outcome of one question: text with [n] markers, citations, refusal, and where time went."""

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


@dataclass(frozen=True, slots=True)
class AnswerOptions:
    """How many sources to use, the gate thresholds, and how strictly to check citations."""

    k: int = 5
    timeline_k: int = 8
    llm_sources: int = 4  # sources shown to a model (the extractive mode reads all k)
    source_words: int = 90  # words per source shown to a model
    thresholds: Thresholds = field(default_factory=lambda: Thresholds(min_dense=0.0, min_coverage=0.0))
    min_support: float = 0.6
    drop_unsupported: bool = True
    condense_with_llm: bool = False


def is_timeline_question(question: str) -> bool:
    """Whether the question asks how a position developed over time, or when IPO said something."""
    return _TIMELINE.search(question) is not None


def heuristic_standalone(question: str, history: Sequence[Turn]) -> str:
    """Without a model: a follow-up that leans on the previous question gets its topic words added.

    "En wanneer was dat?" after "Wat zei IPO over het SRP?" becomes "En wanneer was dat? (SRP)".
    A question that stands on its own (no pronoun reference, enough own content words) is unchanged.
    """
    if not history:
        return question
    own = content_words(question)
    leans_back = (_ANAPHORA.search(question) is not None and len(own) <= 4) or len(own) <= 1
    if not leans_back:
        return question
    topic = content_terms(history[-1].question)
    return f"{question} ({' '.join(topic)})" if topic else question


class Answerer:
    """Answers questions over the archive with verified citations, or refuses with what it found."""

    def __init__(
        self,
        retriever: Retriever,
        llm: BaseChatModel | None,
        *,
        prompts: PromptLibrary | None = None,
        options: AnswerOptions | None = None,
    ) -> None:
        self.retriever = retriever
        self.llm = llm
        self.prompts = prompts or PromptLibrary()
        self.options = options or AnswerOptions()

    def answer(self, question: str, history: Sequence[Turn] = (), filters: Filters | None = None) -> Answer:
        """The whole answer at once (consumes :meth:`stream`)."""
        result: Answer | None = None
        for event in self.stream(question, history, filters):
            if isinstance(event, Answer):
                result = event
        assert result is not None
        return result

    def stream(
        self, question: str, history: Sequence[Turn] = (), filters: Filters | None = None
    ) -> Iterator[str | Answer]:
        """Text deltas as they are generated, then the checked :class:`Answer` as the last item."""
        timings: dict[str, float] = {}
        started = time.perf_counter()
        standalone = self.standalone_question(question, history)
        timings["condense"] = time.perf_counter() - started

        timeline = is_timeline_question(standalone)
        k = self.options.timeline_k if timeline else self.options.k
        t0 = time.perf_counter()
        hits = self.retriever.search(standalone, k=k, filters=filters)
        timings["retrieve"] = time.perf_counter() - t0

        evidence = measure(standalone, hits, self.retriever.glossary, self.retriever.lexical.idf)
        if not hits or not decide(evidence, self.options.thresholds):
            text = self.refusal_text(standalone, evidence, hits)
            timings["total"] = time.perf_counter() - started
            yield text
            yield Answer(question, standalone, text, True, sources=hits, evidence=evidence, mode="refusal",
                         timings=timings)  # fmt: skip
            return

        sources = by_document(hits) if timeline else hits
        t0 = time.perf_counter()
        draft_parts: list[str] = []
        if self.llm is None:
            draft = (
                extractive_timeline(standalone, sources)
                if timeline
                else extractive_answer(standalone, sources)
            )
            timings["first_token"] = time.perf_counter() - t0
            draft_parts.append(draft)
            yield draft
        else:
            sources = sources[: self.options.llm_sources]
            template = "timeline" if timeline else "answer"
            prompt = self.prompts.render(
                template, sources=self.format_sources(sources, standalone), question=standalone
            )
            messages = [SystemMessage(self.prompts.raw("system").strip()), HumanMessage(prompt)]
            for chunk in self.llm.stream(messages):
                delta = str(chunk.content)
                if delta:
                    timings.setdefault("first_token", time.perf_counter() - t0)
                    draft_parts.append(delta)
                    yield delta
        timings["generate"] = time.perf_counter() - t0
        draft = "".join(draft_parts)

        t0 = time.perf_counter()
        checked = check_answer(draft, sources, min_coverage=self.options.min_support, question=standalone)
        text = render(checked, drop_unsupported=self.options.drop_unsupported)
        removed = sum(1 for c in checked if c.has_content and not c.supported)
        used = {n for c in checked for n in (*c.verified, *c.added)}
        top_document = {n for n, h in enumerate(sources, start=1) if h.title == sources[0].title}
        if self.llm is not None and not timeline and text.strip() and not used & top_document:
            # The model passed over the source retrieval trusts most: quote its best sentence too, so
            # the strongest evidence is never missing from the answer.
            anchor = check_answer(anchor_sentence(standalone, sources), sources)
            checked = [*anchor, *checked]
            text = render(checked, drop_unsupported=self.options.drop_unsupported)
        if timeline:
            text = "\n".join([text, *position_changes(standalone, sources)]).strip()
        if not text.strip():
            # Nothing the model said survived the check: fall back to the sources' own sentences.
            fallback = (
                extractive_timeline(standalone, sources)
                if timeline
                else extractive_answer(standalone, sources)
            )
            checked = check_answer(fallback, sources, min_coverage=self.options.min_support)
            text = render(checked, drop_unsupported=True)
        citations = self.citations(checked, sources)
        timings["verify"] = time.perf_counter() - t0
        timings["total"] = time.perf_counter() - started
        yield Answer(
            question, standalone, text, False, citations, list(sources), checked, evidence,
            "timeline" if timeline else "answer", removed, draft, timings,
        )  # fmt: skip

    def standalone_question(self, question: str, history: Sequence[Turn]) -> str:
        """A follow-up rewritten to stand alone (by the model if there is one, else heuristically)."""
        if not history:
            return question
        if self.llm is None or not self.options.condense_with_llm:
            return heuristic_standalone(question, history)
        lines = [f"Vraag: {t.question}\nAntwoord: {t.answer[:300]}" for t in history[-3:]]
        prompt = self.prompts.render("condense", history="\n".join(lines), question=question)
        rewritten = str(self.llm.invoke([HumanMessage(prompt)]).content).strip().splitlines()
        candidate = rewritten[0].strip().strip('"') if rewritten else ""
        # A small model sometimes answers instead of rewriting: accept only a question-like rewrite.
        if not candidate or len(candidate) > 300 or not candidate.endswith("?"):
            return heuristic_standalone(question, history)
        return candidate

    def format_sources(self, sources: Sequence[Hit], question: str = "") -> str:
        """Numbered sources for the prompt, with title, date, type and page/slide, focused on the question."""
        blocks = []
        for n, hit in enumerate(sources, start=1):
            blocks.append(
                self.prompts.render(
                    "source",
                    n=n,
                    title=hit.title,
                    date=format_date(hit.date),
                    doc_type=hit.metadata.get("doc_type", "document"),
                    location=hit.anchor or hit.source,
                    text=focus(hit.text, question, budget=self.options.source_words),
                )
            )
        return "\n\n".join(blocks)

    def refusal_text(self, question: str, evidence: Evidence, hits: Sequence[Hit]) -> str:
        """A refusal that says what was searched and lists the nearest documents."""
        searched = ", ".join(content_terms(question)) or question
        text = self.prompts.render("refusal", searched=searched, evidence=evidence.describe())
        nearest = by_document(hits)[:3]
        if nearest:
            listed = "\n".join(f"- {h.title} ({format_date(h.date)}; {h.source})" for h in nearest)
            text += f"\nDichtstbijzijnde documenten:\n{listed}"
        return text

    @staticmethod
    def citations(checked: Sequence[CheckedSentence], sources: Sequence[Hit]) -> list[Citation]:
        """One citation per source number used in the checked answer, with its best quote."""
        quotes: dict[int, str] = {}
        for sentence in checked:
            for n in (*sentence.verified, *sentence.added):
                quotes.setdefault(n, sentence.quotes.get(n, ""))
        result = []
        for n in sorted(quotes):
            hit = sources[n - 1]
            result.append(
                Citation(
                    n,
                    hit.source,
                    hit.title,
                    hit.page,
                    hit.slide,
                    hit.date,
                    quotes[n],
                    hit.chunk_id,
                    hit.alternates,
                )
            )
        return result
