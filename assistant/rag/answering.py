"""Answering: the steps of :mod:`assistant.rag.steps` run in order, with progress and timings.

    condense -> retrieve -> gate --(weak evidence)--> refusal
                                 `--> generate (model) or compose (extractive) -> verify -> cite -> Answer

A question about what IPO said over time ("wat zei IPO over X, en wanneer") is answered as a dated
account, newest first, with the points where amounts or positions changed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace

from langchain_core.language_models import BaseChatModel

from assistant.core.answers import Answer, AnswerEvent, Delta, Evidence, Stage, Turn
from assistant.core.records import Hit, Scope
from assistant.rag.citations import render
from assistant.rag.claims import MIN_COVERAGE
from assistant.rag.compose import anchor_sentence, by_document, position_changes
from assistant.rag.fact_check import FactCheck, accepts
from assistant.rag.figures import dated_figures, figures_differ, figures_note, newest_first
from assistant.rag.gate import Thresholds
from assistant.rag.llm import MODEL_UNREACHABLE, endpoint_unreachable
from assistant.rag.prompts import PromptLibrary
from assistant.rag.retrieval import Filters, Retriever
from assistant.rag.steps import (
    Generate,
    Verified,
    cite,
    compose,
    condense,
    gate,
    refusal_text,
    retrieve,
    verify,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AnswerOptions:
    """How many sources to use, the gate thresholds, and how strictly to check citations."""

    k: int = 5
    timeline_k: int = 8
    depth: int = 10  # hits retrieved per question (the evaluation's ranking metrics read all of them)
    llm_sources: int = 4  # sources shown to a model (the extractive mode reads all k)
    source_words: int = 90  # words per source shown to a model
    thresholds: Thresholds = field(default_factory=lambda: Thresholds(min_dense=0.0, min_coverage=0.0))
    min_support: float = MIN_COVERAGE
    drop_unsupported: bool = True
    condense_with_llm: bool = False
    serialize_llm: bool = True  # one request at a time through the model (llama.cpp)
    shape: str = "lead+quotes"  # with a model: one model sentence then quotes, or "model" (its sentences)
    lead_sources: int = 3  # sources the model reads for its lead sentence
    lead_words: int = 60  # words per source it reads for it
    # How each source is headed for it: "full" (title, date, type, place) or "date" (number and date: about
    # 30 prompt tokens less per source, a sooner first token, but a lower citation precision: see README).
    lead_header: str = "full"


class Answerer:
    """Answers questions over the archive with verified citations, or refuses with what it found."""

    def __init__(
        self,
        retriever: Retriever,
        llm: BaseChatModel | None,
        *,
        prompts: PromptLibrary | None = None,
        options: AnswerOptions | None = None,
        fact_check: FactCheck | None = None,
    ) -> None:
        self.retriever = retriever
        self.llm = llm
        self.prompts = prompts or PromptLibrary()
        self.options = options or AnswerOptions()
        self.fact_check = fact_check
        self.generator = (
            None
            if llm is None
            else Generate(
                llm,
                self.prompts,
                max_sources=self.options.llm_sources,
                source_words=self.options.source_words,
                serialize=self.options.serialize_llm,
                glossary=retriever.glossary,
            )
        )

    def answer(
        self,
        question: str,
        history: Sequence[Turn] = (),
        filters: Filters | None = None,
        *,
        scope: Scope,
    ) -> Answer:
        """The whole answer at once (consumes :meth:`stream`, so both give the same :class:`Answer`)."""
        result: Answer | None = None
        for event in self.stream(question, history, filters, scope=scope):
            if isinstance(event, Answer):
                result = event
        assert result is not None
        return result

    def standalone_question(self, question: str, history: Sequence[Turn]) -> str:
        """A follow-up rewritten to stand alone (by the model if configured, else heuristically)."""
        use_llm = self.llm is not None and self.options.condense_with_llm
        lock = self.generator.lock if self.generator else None
        try:
            return condense(
                question, history, llm=self.llm if use_llm else None, prompts=self.prompts, lock=lock
            )
        except Exception as exc:
            if not (use_llm and endpoint_unreachable(exc)):
                raise
            log.warning("chat model unreachable, condensing heuristically: %s", exc)
            return condense(question, history, llm=None, prompts=self.prompts, lock=lock)

    def prime(self) -> None:
        """Have a local model read its fixed prompt prefix before the first question (``Generate.prime``)."""
        if self.generator is not None:
            self.generator.prime("lead" if self.options.shape == "lead+quotes" else "answer")

    def stream(
        self,
        question: str,
        history: Sequence[Turn] = (),
        filters: Filters | None = None,
        *,
        scope: Scope,
    ) -> Iterator[AnswerEvent]:
        """Progress stages and draft text as they happen, then the checked :class:`Answer` last."""
        timings: dict[str, float] = {}
        started = time.perf_counter()
        if history:
            yield Stage("condense")
        standalone = self.standalone_question(question, history)
        timings["condense"] = time.perf_counter() - started

        yield Stage("retrieve", standalone)
        t0 = time.perf_counter()
        found = retrieve(
            self.retriever, standalone, scope=scope, filters=filters,
            k=self.options.k, timeline_k=self.options.timeline_k, depth=self.options.depth,
        )  # fmt: skip
        hits = found.top
        timings["retrieve"] = time.perf_counter() - t0

        evidence, answerable = self.decide(standalone, hits, scope=scope, wider=found.hits)
        if not answerable:
            text = refusal_text(standalone, evidence, hits, self.prompts)
            timings["total"] = time.perf_counter() - started
            yield Delta(text)
            yield Answer(question, standalone, text, True, sources=hits, evidence=evidence, mode="refusal",
                         timings=timings, retrieved=found.hits)  # fmt: skip
            return
        yield Stage("found", str(len({h.doc_id for h in hits})))

        timeline = found.timeline
        sources = by_document(hits) if timeline else hits
        t0 = time.perf_counter()
        parts: list[str] = []
        notice = ""  # set when the model did not answer and the sources' sentences stand in
        yield Stage("generate")
        if self.generator is None:
            draft = compose(
                standalone, sources, timeline=timeline, evidence=evidence, glossary=self.retriever.glossary
            )
            timings["first_token"] = time.perf_counter() - t0
            parts.append(draft)
            yield Delta(draft)
        else:
            lead = self.options.shape == "lead+quotes" and not timeline
            if lead:
                # One sentence needs little reading: the first sources, few words each. Prompt tokens are
                # what the first token waits for (~100/s on two cores); the quotes below use every source.
                shown = list(sources[: self.options.lead_sources])
                words: int | None = self.options.lead_words
            else:
                shown = sources = self.generator.sources(sources)
                words = None
            template = "lead" if lead else None
            # The lead's sources are headed without their place (page, slide, file): one sentence needs
            # the document, not where in it, and every header token is read before the first answer token.
            header = (
                ("lead_source" if self.options.lead_header == "date" else "lead_source_title")
                if lead
                else "source"
            )
            stream = self.generator.stream(
                standalone, shown, timeline=timeline, template=template, words=words, source_template=header
            )
            try:
                for delta in stream:
                    timings.setdefault("first_token", time.perf_counter() - t0)
                    parts.append(delta)
                    yield Delta(delta)
            except Exception as exc:
                if not endpoint_unreachable(exc):
                    raise
                # The endpoint is down or too slow: the answer is the extractive one, and says why.
                log.warning("chat model unreachable, answering from the sources: %s", exc)
                notice = MODEL_UNREACHABLE
                lead = False
                parts = [
                    compose(
                        standalone,
                        sources,
                        timeline=timeline,
                        evidence=evidence,
                        glossary=self.retriever.glossary,
                    )
                ]
                timings["first_token"] = time.perf_counter() - t0
                yield Delta(f"\n{notice}\n{parts[0]}")
            if lead:
                # The model's sentence leads; the sources' own best sentences carry the facts.
                quotes = "\n" + compose(
                    standalone, sources, timeline=False, evidence=evidence, glossary=self.retriever.glossary
                )
                parts.append(quotes)
                yield Delta(quotes)
        timings["generate"] = time.perf_counter() - t0
        draft = "".join(parts)

        yield Stage("verify")
        t0 = time.perf_counter()
        checked = self._verify(draft, standalone, sources, timeline=timeline, asked=evidence.asked)
        citations = cite(checked.checked, sources)
        timings["verify"] = time.perf_counter() - t0
        timings["total"] = time.perf_counter() - started
        text = f"{notice}\n{checked.text}" if notice else checked.text
        yield Answer(
            question, standalone, text, False, citations, list(sources), checked.checked, evidence,
            "timeline" if timeline else "answer", checked.removed, draft, timings, found.hits, notice,
        )  # fmt: skip

    def decide(
        self, question: str, hits: Sequence[Hit], *, scope: Scope, wider: Sequence[Hit] | None = None
    ) -> tuple[Evidence, bool]:
        """The evidence gate, then (where configured) the model's reading check of the asked fact."""
        evidence, answerable = gate(
            question, hits, self.retriever, self.options.thresholds, scope=scope, wider=wider
        )
        if not answerable or self.fact_check is None:
            return evidence, answerable
        sentences = self.fact_check.evidence(question, hits, evidence.quote)
        read = self.fact_check.extract(question, sentences)
        found = accepts(read, sentences, evidence.asked, glossary=self.retriever.glossary, question=question)
        return replace(evidence, read=read), found

    def _verify(
        self, draft: str, question: str, sources: list[Hit], *, timeline: bool, asked: str = "other"
    ) -> Verified:
        """The citation check, with the answer-level repairs around it.

        * A model that passed over the top-ranked document gets that document's best sentence quoted
          first, so the strongest evidence is never missing from the answer.
        * A timeline gets "Verschil:" lines where amounts changed between documents.
        * An amount question whose sources give different amounts on different dates gets its sentences
          newest first and a line with the amounts per date (:mod:`assistant.rag.figures`).
        * When nothing the model said survives the check, the answer falls back to the sources' own
          sentences (the extractive composition).
        """
        options = self.options
        glossary = self.retriever.glossary
        checked = verify(
            draft, sources, question=question, min_support=options.min_support,
            drop_unsupported=options.drop_unsupported, glossary=glossary,
        )  # fmt: skip
        top_document = {n for n, h in enumerate(sources, start=1) if h.doc_id == sources[0].doc_id}
        if (
            self.generator is not None
            and not timeline
            and checked.text.strip()
            and not checked.used & top_document
        ):
            anchor = verify(
                anchor_sentence(question, sources, glossary), sources,
                drop_unsupported=options.drop_unsupported, glossary=glossary,
            )  # fmt: skip
            merged = [*anchor.checked, *checked.checked]
            text = render(merged, drop_unsupported=options.drop_unsupported, lines="\n" in draft.strip())
            checked = Verified(merged, text, checked.removed)
        figures = dated_figures(checked.checked, sources) if asked == "amount" and not timeline else []
        if figures_differ(figures):
            ordered = newest_first(checked.checked, sources)
            body = render(ordered, drop_unsupported=options.drop_unsupported, lines=True)
            checked = Verified(ordered, f"{body}\n{figures_note(figures)}", checked.removed)
        text = checked.text
        if timeline:
            text = "\n".join([text, *position_changes(question, sources)]).strip()
        if not text.strip():
            fallback = verify(
                compose(question, sources, timeline=timeline, glossary=glossary), sources,
                min_support=options.min_support, glossary=glossary,
            )  # fmt: skip
            return Verified(fallback.checked, fallback.text, checked.removed)
        return Verified(checked.checked, text, checked.removed)
