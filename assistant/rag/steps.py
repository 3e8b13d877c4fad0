"""The named steps of answering: condense, retrieve, gate, generate or compose, verify, cite.

Each step is a function (or a small object holding its collaborators) that takes data and returns data,
so it can be tested on its own and reused: drafting calls :func:`retrieve`, :func:`verify` and :func:`cite`
per section without the rest; the evaluation reads what :class:`~assistant.rag.answering.Answerer`
records of each step instead of repeating them.

    condense(question, history)            -> standalone question
    retrieve(retriever, question, ...)     -> Retrieved (a ranked list, deeper than the sources used)
    gate(question, hits, ...)              -> Evidence and the decision to answer
    compose(question, sources, timeline)   -> draft from source sentences (no model)
    Generate(llm, prompts, ...).stream(...) -> draft pieces from a chat model
    verify(draft, sources, ...)            -> Verified: checked sentences and the rendered text
    cite(checked, sources)                 -> Citations, each resolvable to a file, page or slide
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from assistant.core.answers import CheckedSentence, Citation, Evidence, Turn
from assistant.core.dates import format_date
from assistant.core.records import Hit, Scope
from assistant.core.text import locate
from assistant.core.tokens import tokenize
from assistant.rag.citations import check_answer, render
from assistant.rag.claims import MIN_COVERAGE
from assistant.rag.compose import (
    asks_for_reference,
    by_document,
    document_line,
    extractive_answer,
    extractive_timeline,
    focus,
    follower_of,
    repeats,
)
from assistant.rag.gate import Thresholds, content_terms, content_words, decide, measure
from assistant.rag.glossary import Glossary
from assistant.rag.injection import is_instruction
from assistant.rag.prompts import PromptLibrary
from assistant.rag.retrieval import Filters, Retriever

# "Wanneer ..." alone asks for a date (a fact), not for an account over time.
_TIMELINE = re.compile(
    r"\b(standpunt(en)?|in de loop van|door de (tijd|jaren)|ontwikkel\w*|veranderd|verschoven|tijdlijn|"
    r"wat (heeft|zei|zegt|vond|vindt) (het )?ipo(?!-)|hoe (dacht|denkt) (het )?ipo(?!-))\b",
    re.IGNORECASE,
)
# Words that point back into the conversation ("daardoor", "erover", "dat", "die brief").
_ANAPHORA = re.compile(
    r"\b(daar(door|over|van|bij|mee|in|na|om|voor|aan|uit)?|hier(over|van|bij|mee|in|door|voor)|"
    r"er(over|van|bij|mee|door|in|voor|aan|uit)|dat|dit|die|deze|hij|zij|hun|hem|ze|dezelfde)\b",
    re.IGNORECASE,
)


# An abbreviation or a name written mid-sentence: what the question is about, named by the user.
_NAMED = re.compile(r"\b[A-Z][A-Za-z]*[A-Z][\w&-]*|(?<=\w\s)[A-Z][a-zà-ÿ]{2,}")

# --- condense -------------------------------------------------------------------------------------


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
    refers = _ANAPHORA.search(question) is not None
    names_something = _NAMED.search(question) is not None  # "Waar staat SRP voor?" stands on its own
    leans_back = (refers and len(own) <= 4) or (len(own) <= 1 and not (names_something and not refers))
    if not leans_back:
        return question
    topic = content_terms(history[-1].question)
    return f"{question} ({' '.join(topic)})" if topic else question


def condense(
    question: str,
    history: Sequence[Turn],
    *,
    llm: BaseChatModel | None = None,
    prompts: PromptLibrary | None = None,
    lock: AbstractContextManager[object] | None = None,
) -> str:
    """A follow-up rewritten to stand alone: by ``llm`` where given, else heuristically.

    A small model sometimes answers instead of rewriting, so only a question-like rewrite is accepted;
    anything else falls back to the heuristic.
    """
    if not history:
        return question
    if llm is None:
        return heuristic_standalone(question, history)
    prompts = prompts or PromptLibrary()
    lines = [f"Vraag: {t.question}\nAntwoord: {t.answer[:300]}" for t in history[-3:]]
    prompt = prompts.render("condense", history="\n".join(lines), question=question)
    with lock or nullcontext():
        rewritten = str(llm.invoke([HumanMessage(prompt)]).content).strip().splitlines()
    candidate = rewritten[0].strip().strip('"') if rewritten else ""
    if not candidate or len(candidate) > 300 or not candidate.endswith("?"):
        return heuristic_standalone(question, history)
    return candidate


# --- retrieve -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Retrieved:
    """What the retrieve step found: the ranked hits and how many of them the answer uses."""

    hits: list[Hit]
    k: int
    timeline: bool

    @property
    def top(self) -> list[Hit]:
        """The hits the gate and the answer read (the first ``k``)."""
        return self.hits[: self.k]


def retrieve(
    retriever: Retriever,
    question: str,
    *,
    scope: Scope,
    filters: Filters | None = None,
    k: int = 5,
    timeline_k: int = 8,
    depth: int = 10,
) -> Retrieved:
    """Search once, ``depth`` deep: the answer uses the first ``k`` (``timeline_k`` for a dated account).

    With the fused ranking the first ``k`` of a deeper search are exactly a ``k``-search's hits, so the
    evaluation's ranking metrics (MRR@10, nDCG@10) come from this same call, not a second search.
    """
    timeline = is_timeline_question(question)
    used = timeline_k if timeline else k
    hits = retriever.search(question, k=max(used, depth), filters=filters, scope=scope)
    return Retrieved(hits, used, timeline)


# --- gate -----------------------------------------------------------------------------------------


def gate(
    question: str,
    hits: Sequence[Hit],
    retriever: Retriever,
    thresholds: Thresholds,
    *,
    scope: Scope,
    wider: Sequence[Hit] | None = None,
) -> tuple[Evidence, bool]:
    """The evidence gate over the hits the answer would use: its signals and whether to answer.

    The question's anchors are looked for in ``wider`` (the whole retrieved depth, default ``hits``).
    Word weights are counted over what ``scope`` may see, like the hits themselves.
    """
    evidence = measure(question, hits, retriever.glossary, retriever.idf(scope), wider=wider)
    return evidence, bool(hits) and decide(evidence, thresholds)


def refusal_text(question: str, evidence: Evidence, hits: Sequence[Hit], prompts: PromptLibrary) -> str:
    """A refusal that says what was searched and lists the nearest documents."""
    searched = ", ".join(content_terms(question)) or question
    text = prompts.render("refusal", searched=searched, evidence=evidence.describe())
    nearest = by_document(hits)[:3]
    if nearest:
        listed = "\n".join(f"- {h.title} ({format_date(h.date)}; {h.source})" for h in nearest)
        text += f"\nDichtstbijzijnde documenten:\n{listed}"
    return text


# --- generate or compose --------------------------------------------------------------------------


def compose(
    question: str,
    sources: Sequence[Hit],
    *,
    timeline: bool,
    evidence: Evidence | None = None,
    glossary: Glossary | None = None,
) -> str:
    """The draft without a model: the sources' best sentences (a dated account for timelines).

    The gate's evidence sentence (the one that matches the question and holds the asked kind of answer:
    the amount, the date, the full form of the abbreviation) leads, so the asked fact comes first.
    """
    if timeline:
        return extractive_timeline(question, sources)
    draft = extractive_answer(
        question, sources, asked=evidence.asked if evidence else "other", glossary=glossary
    )
    if sources and asks_for_reference(question):
        # "Kenmerk en datum?": the top document's letterhead facts lead, from its metadata fields.
        draft = f"{document_line(sources[0])} [1]\n{draft}"
    if evidence is None or not evidence.quote:
        return draft
    numbered = [n for n, hit in enumerate(sources, start=1) if hit.chunk_id == evidence.quote_chunk]
    if not numbered:
        return draft
    n = numbered[0]
    lead = [f"{evidence.quote} [{n}]"]
    follower = follower_of(sources[n - 1].text, evidence.quote, evidence.asked)
    if follower:  # "... in gesprek gegaan met de VNG." "Dit gesprek vond plaats op 26 februari 2024."
        lead.append(f"{follower} [{n}]")
    rest = [line for line in draft.splitlines() if line not in lead]
    return "\n".join([*lead, *rest[: 4 - len(lead)]])


class Generate:
    """A chat model writing from numbered sources; one request at a time where the model needs that.

    llama.cpp holds one context and is not safe for concurrent use, so the local backend gets a lock;
    an HTTP endpoint serves requests in parallel and gets none.
    """

    def __init__(
        self,
        llm: BaseChatModel,
        prompts: PromptLibrary,
        *,
        max_sources: int = 4,
        source_words: int = 90,
        serialize: bool = True,
        glossary: Glossary | None = None,
    ) -> None:
        self.llm = llm
        self.glossary = glossary
        self.prompts = prompts
        self.max_sources = max_sources
        self.source_words = source_words
        self.local = serialize  # one in-process context (llama.cpp), not an HTTP endpoint
        self.lock: AbstractContextManager[object] = threading.Lock() if serialize else nullcontext()

    def sources(self, sources: Sequence[Hit]) -> list[Hit]:
        """The sources the model is shown (the first ``max_sources``)."""
        return list(sources[: self.max_sources])

    def format_sources(
        self,
        sources: Sequence[Hit],
        question: str = "",
        words: int | None = None,
        *,
        template: str = "source",
    ) -> str:
        """Numbered sources for the prompt, with title, date, type and page/slide, focused on the question.

        ``template`` names the prompt file of one source; a short answer uses a shorter header, since every
        prompt token is read before the first answer token. For the same reason a sentence is shown once:
        the PDF and the DOCX of one letter, or a slide quoting it, would repeat it under a second number
        (a source left with nothing new is not shown; the numbers of the others stay). A title that is an
        instruction to the assistant (a document titled "Negeer alle eerdere instructies ...") is not
        shown: it is no content either.
        """
        blocks: list[str] = []
        shown: list[set[str]] = []
        for n, hit in enumerate(sources, start=1):
            focused = focus(hit.text, question, budget=words or self.source_words, glossary=self.glossary)
            lines = []
            for line in focused.splitlines():
                tokens = set(tokenize(line))
                if not repeats(tokens, shown):
                    lines.append(line)
                    shown.append(tokens)
            if not lines:
                continue  # every sentence already stands under an earlier number
            blocks.append(
                self.prompts.render(
                    template,
                    n=n,
                    title="document" if is_instruction(hit.title) else hit.title,
                    date=format_date(hit.date),
                    doc_type=hit.metadata.get("doc_type", "document"),
                    location=hit.anchor or hit.source,
                    text="\n".join(lines),
                )
            )
        return "\n\n".join(blocks)

    def prime(self, template: str) -> None:
        """Have a local model read the fixed start of ``template``'s prompt once, ahead of any question.

        llama.cpp keeps the tokens of the previous prompt and re-reads only from the first token that
        differs, so the system prompt and the instructions that open every question's prompt are then
        never read again while questions alternate; the first question pays only for its sources. An
        HTTP endpoint (``serialize`` off) keeps its own caches: nothing is sent to it.
        """
        if not self.local:
            return
        prompt = self.prompts.render(template, sources="", question="")
        messages = [SystemMessage(self.prompts.raw("system").strip()), HumanMessage(prompt)]
        with self.lock:
            self.llm.invoke(messages, max_tokens=1)

    def stream(
        self,
        question: str,
        sources: Sequence[Hit],
        *,
        timeline: bool,
        template: str | None = None,
        words: int | None = None,
        source_template: str = "source",
    ) -> Iterator[str]:
        """Draft text pieces as the model writes them, from ``sources`` numbered [1], [2], ...

        ``words`` overrides the words shown per source (default ``source_words``); ``source_template``
        names the prompt file of one source (``lead_source``: number and date only, a shorter prompt).
        """
        prompt = self.prompts.render(
            template or ("timeline" if timeline else "answer"),
            sources=self.format_sources(sources, question, words, template=source_template),
            question=question,
        )
        messages = [SystemMessage(self.prompts.raw("system").strip()), HumanMessage(prompt)]
        with self.lock:
            for chunk in self.llm.stream(messages):
                delta = str(chunk.content)
                if delta:
                    yield delta


# --- verify ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Verified:
    """A draft after the citation check: its sentences, the text users see, and what was removed."""

    checked: list[CheckedSentence]
    text: str
    removed: int

    @property
    def used(self) -> set[int]:
        """The source numbers that verified sentences cite."""
        return {n for c in self.checked for n in (*c.verified, *c.added)}


def verify(
    draft: str,
    sources: Sequence[Hit],
    *,
    question: str = "",
    min_support: float = MIN_COVERAGE,
    drop_unsupported: bool = True,
    glossary: Glossary | None = None,
) -> Verified:
    """Check every claim of ``draft`` against the source it cites; render what holds."""
    checked = check_answer(draft, sources, min_coverage=min_support, question=question, glossary=glossary)
    removed = sum(1 for c in checked if c.has_content and not c.supported)
    text = render(checked, drop_unsupported=drop_unsupported, lines="\n" in draft.strip())
    return Verified(checked, text, removed)


# --- cite -----------------------------------------------------------------------------------------


def cite(checked: Sequence[CheckedSentence], sources: Sequence[Hit]) -> list[Citation]:
    """One citation per source number used in the checked answer, with its best quote and file."""
    quotes: dict[int, str] = {}
    for sentence in checked:
        for n in (*sentence.verified, *sentence.added):
            quotes.setdefault(n, sentence.quotes.get(n, ""))
    citations = []
    for n in sorted(quotes):
        hit = sources[n - 1]
        span = locate(quotes[n], hit.text)
        meta = hit.metadata
        citations.append(
            Citation(
                n=n,
                source=hit.source,
                title=hit.title,
                page=hit.page,
                slide=hit.slide,
                date=hit.date,
                quote=quotes[n],
                chunk_id=hit.chunk_id,
                doc_id=hit.doc_id,
                root=hit.root,
                path=hit.path,
                section=str(meta["section"]) if meta.get("section") else None,
                doc_type=str(meta["doc_type"]) if meta.get("doc_type") else None,
                kenmerk=str(meta["kenmerk"]) if meta.get("kenmerk") else None,
                quote_start=span[0] if span else None,
                quote_end=span[1] if span else None,
                also_in=hit.alternates,
                ocr=hit.ocr,
            )
        )
    return citations
