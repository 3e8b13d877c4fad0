"""Drafting: a sourced first version of a Kamer contribution, section by section.

Each section of a template lists what it asks for; every ask is searched for on its own ("<subject>:
<ask>"), so a section on the financial consequences is built from the passages about money, not from
whatever matched the subject best once. Per ask:

1. retrieve (pinned documents first, excluded ones never), and decide from the evidence whether the
   archive supports the ask at all; if not, the ask goes to the gap report instead of being padded;
2. select the sentences that answer it (the same evidence sentences answers use: no letterhead), newest
   document first, because the draft must follow IPO's latest line;
3. write the paragraph: the sentences themselves with their markers (extractive, deterministic), or a
   model's paragraph written from exactly those sentences;
4. check it with the answers' claim-level citation check; unsupported sentences are removed, and a
   paragraph with nothing left becomes a gap (the extractive paragraph stands in for a model's).

Where the section's sources give different amounts on different dates, the paragraph gets a note with
the amounts per date, and a paragraph that cites an older amount while a newer document names another
is flagged. Sources are numbered once for the whole draft, in order of first use.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial

from langchain_core.messages import HumanMessage, SystemMessage

from assistant.core.answers import CheckedSentence, Citation
from assistant.core.dates import format_date
from assistant.core.drafts import Draft, DraftSection, DraftTemplate, Gap, Paragraph, SectionSpec
from assistant.core.records import Hit, Scope
from assistant.rag.citations import render
from assistant.rag.claims import MIN_COVERAGE
from assistant.rag.compose import overlap, question_terms
from assistant.rag.evidence import evidence_sentences
from assistant.rag.figures import amounts_in, dated_figures, figures_note
from assistant.rag.gate import measure
from assistant.rag.llm import MODEL_UNREACHABLE_PARAGRAPH, endpoint_unreachable
from assistant.rag.prompts import PromptLibrary
from assistant.rag.retrieval import Filters, Retriever
from assistant.rag.steps import Generate, cite, verify

log = logging.getLogger(__name__)

#: Called per section and stage: (section number, number of sections, section title, stage).
Progress = Callable[[int, int, str, str], None]

_MARKER = re.compile(r"\[(\d+)\]")
POINTS_TITLE = "Aanvullende punten"


@dataclass(frozen=True, slots=True)
class DraftOptions:
    """How much to search and keep per ask, and when an ask counts as supported."""

    per_ask: int = 4  # chunks retrieved per ask
    sentences: int = 3  # sentences per paragraph (extractive; the model is shown these)
    min_dense: float = 0.5  # topical closeness of the best chunk to "<subject>: <ask>"
    min_share: float = 0.5  # IDF-weighted share of the ask's and subject's words in one passage
    #: For the advisor's own points (specific facts, not a template's rhetorical roles): the share of
    #: the point's own words in one sentence (with a neighbour) of the hits. Set on eval/drafts' dev half.
    min_point_share: float = 0.525
    min_support: float = MIN_COVERAGE


def _place(hit: Hit) -> tuple[str, object, object, object]:
    """Where a passage stands for a reader: document, page, slide, section."""
    return (hit.doc_id, hit.page, hit.slide, hit.metadata.get("section"))


@dataclass(slots=True)
class _Registry:
    """Sources numbered in order of first use across the whole draft, one number per page or slide.

    Two chunks of one page (a page cut in two) are one source for a reviewer: they share a number, and
    the numbered hit holds both texts so the check sees either passage.
    """

    hits: list[Hit]
    chunks: dict[str, int] = field(default_factory=dict)  # chunk id -> number
    merged: set[int] = field(default_factory=set)  # numbers whose text joins several chunks

    def number(self, hit: Hit) -> int:
        if hit.chunk_id in self.chunks:
            return self.chunks[hit.chunk_id]
        for n, known in enumerate(self.hits, start=1):
            if _place(known) == _place(hit):
                self.hits[n - 1] = replace(known, text=f"{known.text}\n\n{hit.text}")
                self.merged.add(n)
                self.chunks[hit.chunk_id] = n
                return n
        self.hits.append(hit)
        self.chunks[hit.chunk_id] = len(self.hits)
        return len(self.hits)


def _merge(*rankings: Sequence[Hit]) -> list[Hit]:
    seen: dict[str, Hit] = {}
    for ranking in rankings:
        for hit in ranking:
            seen.setdefault(hit.chunk_id, hit)
    return list(seen.values())


def pick_sentences(
    query: str, hits: Sequence[Hit], *, limit: int, used: set[str], pinned: Sequence[str] = ()
) -> list[tuple[Hit, str]]:
    """The ``limit`` sentences of ``hits`` that share most words with ``query``, newest document first.

    Sentences used earlier in the draft are skipped (a draft says a thing once); a pinned document
    contributes its best sentence even when others score higher. Pure.
    """
    wanted = question_terms(query)
    scored: list[tuple[float, Hit, str]] = []
    for rank, hit in enumerate(hits):
        for sentence in evidence_sentences(hit.text):
            if sentence in used or len(sentence.split()) < 5:
                continue
            score = overlap(wanted, sentence) - 0.01 * rank
            if score > 0:
                scored.append((score, hit, sentence))
    scored.sort(key=lambda x: -x[0])
    chosen: list[tuple[Hit, str]] = []
    for doc_id in pinned:
        best = next(((h, s) for _, h, s in scored if h.doc_id == doc_id), None)
        if best:
            chosen.append(best)
    for _, hit, sentence in scored:
        if len(chosen) >= limit:
            break
        if all(sentence != known for _, known in chosen):  # the same passage in two documents: once
            chosen.append((hit, sentence))
    return sorted(chosen, key=lambda x: x[0].date or "0000", reverse=True)


def newer_statements(
    query: str, kept: Sequence[CheckedSentence], hits: Sequence[Hit], sources: Sequence[Hit]
) -> list[str]:
    """Flags for amounts the paragraph cites while a newer document found for the same ask names others.

    Only statements retrieved for the same ask and sharing at least two of its words count: an amount
    anywhere in a newer document (the € 300 mln Bikkermiddelen in a deck about lobbying) is not a newer
    position on this point. The flag quotes the newer sentence with its document and date and asks the
    advisor to check whether both are about the same thing, which word matching cannot tell. Pure.
    """
    figures = dated_figures(kept, sources)
    if not figures:
        return []
    wanted = question_terms(query)
    oldest = min(f.date for f in figures)
    cited = {sources[f.n - 1].doc_id for f in figures}
    notes: list[str] = []
    for hit in hits:
        if not hit.date or hit.date <= oldest or hit.doc_id in cited:
            continue
        for sentence in evidence_sentences(hit.text):
            amounts = amounts_in(sentence)
            if not amounts or overlap(wanted, sentence) < 2:
                continue
            for figure in figures:
                if figure.date < hit.date and not set(amounts) & set(figure.amounts):
                    older = ", ".join(figure.amounts)
                    notes.append(
                        f"Let op: [{figure.n}] ({format_date(figure.date)}) noemt {older}; het nieuwere stuk "
                        f"'{hit.title}' ({format_date(hit.date)}) zegt: \u201c{sentence}\u201d "
                        "Ga na of het om hetzelfde gaat en volg dan het nieuwste."
                    )
            break  # one sentence per newer document
    return list(dict.fromkeys(notes))


def _renumbered(sentence: CheckedSentence, order: dict[int, int]) -> CheckedSentence:
    def new(n: int) -> int:
        return order.get(n, n)

    return replace(
        sentence,
        cited=tuple(map(new, sentence.cited)),
        verified=tuple(map(new, sentence.verified)),
        added=tuple(map(new, sentence.added)),
        quotes={new(n): q for n, q in sentence.quotes.items()},
    )


def renumber(
    sections: Sequence[DraftSection], citations: Sequence[Citation]
) -> tuple[list[DraftSection], list[Citation]]:
    """Sources numbered 1..n in order of first citation; markers, notes and citations follow. Pure."""
    order: dict[int, int] = {}
    for section in sections:
        for paragraph in section.paragraphs:
            for n in (
                *paragraph.citations,
                *(int(m) for note in paragraph.notes for m in _MARKER.findall(note)),
            ):
                order.setdefault(n, len(order) + 1)
    by_old = {c.n: c for c in citations}

    def swap(text: str) -> str:
        return _MARKER.sub(lambda m: f"[{order.get(int(m.group(1)), int(m.group(1)))}]", text)

    renumbered = [
        replace(
            section,
            paragraphs=tuple(
                replace(
                    p,
                    text=swap(p.text),
                    citations=tuple(order[n] for n in p.citations),
                    notes=tuple(swap(note) for note in p.notes),
                    checked=tuple(_renumbered(c, order) for c in p.checked),
                )
                for p in section.paragraphs
            ),
        )
        for section in sections
    ]
    sources = [
        replace(by_old[old], n=new) for old, new in sorted(order.items(), key=lambda x: x[1]) if old in by_old
    ]
    return renumbered, sources


@dataclass(slots=True)
class _Model:
    """Whether the chat model stopped answering during this draft (the rest is then made without it)."""

    down: bool = False


class Drafter:
    """Drafts a template's sections from the archive, with a model or without."""

    def __init__(
        self,
        retriever: Retriever,
        generator: Generate | None = None,
        *,
        prompts: PromptLibrary | None = None,
        options: DraftOptions | None = None,
    ) -> None:
        self.retriever = retriever
        self.generator = generator
        self.prompts = prompts or PromptLibrary()
        self.options = options or DraftOptions()
        self.glossary = retriever.glossary

    @property
    def backend(self) -> str:
        return "extractive" if self.generator is None else "model"

    def supported(self, query: str, hits: Sequence[Hit], *, scope: Scope, point: str | None = None) -> bool:
        """Whether the archive covers the ask: close enough, and its words together in one passage.

        A template's ask ("het verzoek aan de Kamer") is measured with the subject's words; an advisor's
        ``point`` ("gevolgen voor de provincie Utrecht") by its own words, since the subject alone
        would cover it, and no name, abbreviation or year of either may be missing from the hits.
        """
        if not hits:
            return False
        idf = self.retriever.idf(scope)
        evidence = measure(query, hits, self.retriever.glossary, idf)
        if evidence.dense < self.options.min_dense or evidence.missing:
            return False
        if point is not None:
            share = measure(point, hits, self.retriever.glossary, idf).sentence
            return bool(share >= self.options.min_point_share)
        return max(evidence.coverage, evidence.sentence) >= self.options.min_share

    def draft(
        self,
        template: DraftTemplate,
        subject: str,
        *,
        scope: Scope,
        addressee: str = "",
        filters: Filters | None = None,
        pinned: Sequence[str] = (),
        excluded: Sequence[str] = (),
        points: Sequence[str] = (),
        progress: Progress | None = None,
    ) -> Draft:
        """The draft: sections with checked paragraphs, gaps, and the numbered sources it used.

        ``points`` are the advisor's own points the draft must cover; they form a last section
        ("Aanvullende punten") and, where the archive lacks them, appear in the gap report.
        """
        started = time.perf_counter()
        if points:
            extra = SectionSpec(POINTS_TITLE, tuple(points), 40 * len(points))
            template = replace(template, sections=(*template.sections, extra))
        base = replace(filters or Filters(), exclude_doc_ids=tuple(excluded))
        registry = _Registry([])
        used: set[str] = set()
        sections: list[DraftSection] = []
        checked_all: list[CheckedSentence] = []
        timings: dict[str, float] = {}
        model = _Model()  # one unreachable model is waited for once per draft, not once per paragraph
        for number, spec in enumerate(template.sections, start=1):
            t0 = time.perf_counter()
            stage = partial(progress, number, len(template.sections), spec.title) if progress else None
            if stage:
                stage("zoeken")
            section, checked = self._section(
                template, spec, subject, scope=scope, filters=base, pinned=pinned, registry=registry,
                used=used, progress=stage, model=model,
            )  # fmt: skip
            sections.append(section)
            checked_all.extend(checked)
            timings[f"section {number}"] = time.perf_counter() - t0
        citations = [
            # A quote's offsets are into one chunk's text; a merged source's text joins several.
            replace(c, quote_start=None, quote_end=None) if c.n in registry.merged else c
            for c in cite(checked_all, registry.hits)
        ]
        sections, sources = renumber(sections, citations)
        timings["total"] = time.perf_counter() - started
        return Draft(
            template,
            subject,
            addressee,
            sections,
            sources,
            self.backend,
            tuple(pinned),
            tuple(excluded),
            timings,
        )

    def _section(
        self,
        template: DraftTemplate,
        spec: SectionSpec,
        subject: str,
        *,
        scope: Scope,
        filters: Filters,
        pinned: Sequence[str],
        registry: _Registry,
        used: set[str],
        progress: Callable[[str], None] | None,
        model: _Model | None = None,
    ) -> tuple[DraftSection, list[CheckedSentence]]:
        model = model or _Model()
        paragraphs: list[Paragraph] = []
        gaps: list[Gap] = []
        checked_all: list[CheckedSentence] = []
        share = max(1, len(spec.asks))
        per_paragraph = max(1, min(self.options.sentences, round(spec.words / share / 30) or 1))
        for ask in spec.asks:
            query = f"{subject}: {ask}"
            found = self.retriever.search(query, scope=scope, k=self.options.per_ask, filters=filters)
            pinned_hits: list[Hit] = []
            if pinned:
                pinned_hits = self.retriever.search(
                    query, scope=scope, k=2, filters=replace(filters, doc_ids=tuple(pinned))
                )
            hits = _merge(pinned_hits, found)
            point = ask if spec.title == POINTS_TITLE else None
            if not pinned_hits and not self.supported(query, found, scope=scope, point=point):
                gaps.append(Gap(spec.title, ask))
                continue
            picked = pick_sentences(
                query, hits, limit=per_paragraph, used=used,
                pinned=[d for d in pinned if any(h.doc_id == d for h in pinned_hits)],
            )  # fmt: skip
            if not picked:
                gaps.append(Gap(spec.title, ask))
                continue
            lines = [f"{sentence} [{registry.number(hit)}]" for hit, sentence in picked]
            extractive = "\n".join(lines)
            text = extractive
            if self.generator is not None and not model.down:
                if progress:
                    progress("schrijven")
                try:
                    text = self._write(template, spec, subject, ask, picked, registry)
                except Exception as exc:
                    if not endpoint_unreachable(exc):
                        raise
                    log.warning("chat model unreachable, drafting from the sources: %s", exc)
                    model.down = True
            unreachable = self.generator is not None and model.down
            if progress:
                progress("controleren")
            # Only this ask's sources can support its paragraph: a number from another section (which the
            # registry knows) must not verify a sentence the model was not shown evidence for here.
            shown = {registry.number(hit) for hit, _ in picked}
            visible = [h if n in shown else replace(h, text="") for n, h in enumerate(registry.hits, start=1)]
            checked = verify(
                text, visible, question=query, min_support=self.options.min_support, glossary=self.glossary
            )
            origin = "bronnen" if text is extractive else "model"
            if not any(c.supported for c in checked.checked) and text is not extractive:
                origin = "bronnen"  # nothing the model wrote holds: the sources' own sentences stand in
                checked = verify(
                    extractive, visible, question=query, min_support=self.options.min_support,
                    glossary=self.glossary,
                )  # fmt: skip
            kept = [c for c in checked.checked if c.supported]
            if not kept:
                gaps.append(Gap(spec.title, ask))
                continue
            used.update(sentence for _, sentence in picked)
            numbers = tuple(dict.fromkeys(n for c in kept for n in (c.verified or c.added)))
            body = render(kept)
            notes = [note for note in (figures_note(dated_figures(kept, registry.hits)),) if note]
            notes += newer_statements(query, kept, hits, registry.hits)
            if unreachable:
                notes.insert(0, MODEL_UNREACHABLE_PARAGRAPH)
            paragraphs.append(Paragraph(body, numbers, tuple(kept), tuple(notes), origin))
            checked_all.extend(kept)
        return DraftSection(spec.title, tuple(paragraphs), tuple(gaps)), checked_all

    def _write(
        self,
        template: DraftTemplate,
        spec: SectionSpec,
        subject: str,
        ask: str,
        picked: Sequence[tuple[Hit, str]],
        registry: _Registry,
    ) -> str:
        """A model's paragraph written from exactly the picked sentences, numbered as in the draft."""
        assert self.generator is not None
        evidence = "\n".join(
            f"[{registry.number(hit)}] ({format_date(hit.date)}, {hit.title}) {sentence}"
            for hit, sentence in picked
        )
        prompt = self.prompts.render(
            "draft_section",
            genre=template.title,
            audience=template.audience,
            tone=template.tone,
            subject=subject,
            section=spec.title,
            ask=ask,
            instruction=spec.instruction or "",
            words=max(30, spec.words // max(1, len(spec.asks))),
            evidence=evidence,
        )
        messages = [SystemMessage(self.prompts.raw("system").strip()), HumanMessage(prompt)]
        with self.generator.lock:
            return str(self.generator.llm.invoke(messages).content)
