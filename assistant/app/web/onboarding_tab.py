"""The onboarding tab for new staff: the lobby process, the glossary, starter questions, a timeline.

Everything here is drawn from the archive itself: the lobby process is the archive's own description
(each step a passage with its source, openable in the chat tab's panel), starter questions come from
the newest documents' titles, and the timeline is the assistant's dated account of IPO's statements on a
topic, checked like every answer.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import gradio as gr

from assistant.app.web.context import OnLoad, WebContext
from assistant.app.web.evidence import AnswerMemo
from assistant.app.web.render import answer_html
from assistant.core.dates import format_date
from assistant.core.records import Hit
from assistant.rag.evidence import evidence_sentences, is_furniture
from assistant.rag.retrieval import Filters
from assistant.services.conversations import StoredSource
from assistant.services.library import DocumentInfo

PROCESS_QUERY = "het lobbyproces van het IPO: de stappen van agenderen tot de Tweede Kamer"
MAX_STEPS = 12
GLOSSARY_COLUMNS = ["Afkorting", "Betekenis", "Toelichting"]


def _passage(hit: Hit, limit: int = 360) -> str:
    """A section's own words without its heading, cut at a word near ``limit`` characters."""
    heading = str(hit.metadata.get("section") or hit.metadata.get("heading") or "")
    lines = [line.strip(" -•#>_*") for line in hit.text.splitlines()]
    lines = [line for line in lines if line and not is_furniture(line)]
    if heading and lines and heading.lower() in lines[0].lower():
        lines = lines[1:]
    text = " · ".join(lines) or " ".join(evidence_sentences(hit.text))
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def process_html(hits: Sequence[Hit]) -> str:
    """The lobby process as the archive describes it: one step per section, with its source and a link."""
    if not hits:
        return "<p>Het archief beschrijft het lobbyproces (nog) niet.</p>"
    items = []
    for hit in hits:
        heading = str(hit.metadata.get("section") or hit.anchor or hit.title)
        source = f"{hit.title}, {format_date(hit.date) if hit.date else 'zonder datum'}" + (
            f", {hit.anchor}" if hit.anchor else ""
        )
        items.append(
            f"<li><b>{html.escape(heading)}</b><br>{html.escape(_passage(hit))}<br>"
            f'<a class="cite" href="#bron=c:{html.escape(hit.chunk_id)}">'
            f"Bron: {html.escape(source)}</a></li>"
        )
    return f'<ol class="process">{"".join(items)}</ol>'


def in_document_order(hits: Sequence[Hit]) -> list[Hit]:
    """Hits of one document in the order they stand in it (page, slide, then section ordinal)."""
    return sorted(hits, key=lambda h: (h.page or 0, h.slide or 0, int(str(h.metadata.get("ordinal", 0)))))


def starter_questions(documents: Sequence[DocumentInfo], count: int = 6) -> list[str]:
    """Questions a newcomer can click, one per recent document, from its title and type."""
    questions = []
    for document in documents[:count]:
        title = document.title.split(" — ")[0].strip()
        if document.doc_type == "brief" and document.addressee:
            questions.append(f"Wat vroeg het IPO in de brief '{title}'?")
        else:
            questions.append(f"Wat is de kern van '{title}'?")
    return list(dict.fromkeys(questions))


def build(ctx: WebContext, memo: AnswerMemo, question: gr.Textbox, tabs: gr.Tabs) -> OnLoad:
    """The tab's components and events; a starter question goes to the chat tab's question box."""
    gr.Markdown("### Het lobbyproces, zoals het archief het beschrijft")
    process = gr.HTML(elem_id="process")
    gr.Markdown("### Begin met een vraag")
    starters = gr.Radio(
        label="Klik een vraag om haar in het gesprek te stellen", choices=[], elem_id="starters"
    )
    gr.Markdown("### Woordenlijst")
    glossary = gr.Dataframe(
        headers=GLOSSARY_COLUMNS, interactive=False, show_search="search", wrap=True, elem_id="glossary",
        max_height=320,
    )  # fmt: skip
    gr.Markdown("### Tijdlijn: wat zei het IPO wanneer?")
    with gr.Row():
        topic = gr.Textbox(
            show_label=False,
            placeholder="Onderwerp, bv. financiële positie van de provincies",
            elem_id="timeline-topic",
            scale=4,
        )
        show = gr.Button("Toon tijdlijn", scale=1, elem_id="timeline-show")
    timeline = gr.HTML(elem_id="timeline")

    def load(http: gr.Request) -> tuple[str, gr.Radio, list[list[str]]]:
        request = ctx.request(http)
        best = ctx.services.search.search(request, PROCESS_QUERY, k=1)
        # The document that describes the process best, read section by section in its own order.
        steps = (
            ctx.services.search.search(
                ctx.request(http, Filters(doc_ids=(best[0].doc_id,))), PROCESS_QUERY, k=MAX_STEPS
            )
            if best
            else []
        )
        ordered = in_document_order(steps)
        documents = ctx.services.library.documents(request)
        terms = [[t.abbreviation, t.term, t.note] for t in ctx.services.search.glossary()]
        return process_html(ordered), gr.Radio(choices=starter_questions(documents), value=None), terms

    def timeline_for(subject: str, http: gr.Request) -> str:
        if not subject.strip():
            raise gr.Error("Geef een onderwerp.")
        answer = ctx.services.chat.ask(
            ctx.request(http),
            f"Hoe ontwikkelde het standpunt van het IPO over {subject.strip()} zich in de tijd?",
        )
        cited = [c.to_json() for c in answer.citations]
        # A refusal's links open its nearest documents, so those are what the markers' key remembers.
        nearest = [
            {**StoredSource.from_hit(h).to_json(), "n": n} for n, h in enumerate(answer.sources[:3], 1)
        ]
        key = memo.keep(nearest if answer.refused else cited)
        return answer_html(answer.text, cited, key, refused=answer.refused, nearest=nearest)

    def use(choice: str | None) -> tuple[str, gr.Tabs]:
        return choice or "", gr.Tabs(selected="chat")

    # The chosen question is asked at once, as if typed and sent in the chat tab.
    starters.input(use, [starters], [question, tabs], api_visibility="private").then(
        None, None, None, js="() => { setTimeout(() => document.querySelector('#send').click(), 300); }"
    )
    show.click(timeline_for, [topic], [timeline], api_visibility="private")
    topic.submit(timeline_for, [topic], [timeline], api_visibility="private")
    return OnLoad(load, [process, starters, glossary])
