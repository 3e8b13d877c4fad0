"""The drafting tab: a sourced first version of a Kamer contribution, over the drafting service.

The advisor picks a template, a subject and options, and may pin or exclude sources found with a
search. The draft is made in a worker thread so the page can show progress per section; the result is
the draft as Markdown with its sources and gap report, and a Word file to download.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator

import gradio as gr

from assistant.app.web.context import OnLoad, WebContext, scratch_file
from assistant.core.dates import format_date
from assistant.core.drafts import Draft
from assistant.services.draft_export import render_markdown, write_docx
from assistant.services.drafting import SourceNotFoundError

Outputs = tuple[str, str, gr.DownloadButton]


def build(ctx: WebContext) -> OnLoad:
    """The tab's components and events (inside a ``gr.Blocks`` context)."""
    drafting = ctx.services.drafting
    with gr.Row():
        with gr.Column(scale=1):
            template = gr.Dropdown(label="Soort stuk", elem_id="draft-template")
            subject = gr.Textbox(
                label="Onderwerp", placeholder="bv. Studentenreisproduct", elem_id="draft-subject"
            )
            addressee = gr.Textbox(label="Aan (voor een brief)", placeholder="bv. de minister van OCW")
            minutes = gr.Number(
                label="Spreektijd in minuten (spreektekst; 0 = standaardlengte)", value=0, precision=1
            )
            points = gr.Textbox(label="Eigen punten (één per regel)", lines=3)
            with gr.Accordion("Bronnen vastzetten of uitsluiten", open=False):
                query = gr.Textbox(label="Zoek bronnen", placeholder="bv. tekort studenten-ov")
                find = gr.Button("Zoeken", size="sm")
                pinned = gr.CheckboxGroup(label="Vastzetten (altijd gebruiken)", choices=[])
                excluded = gr.CheckboxGroup(label="Uitsluiten (nooit gebruiken)", choices=[])
            make = gr.Button("Concept maken", variant="primary", elem_id="draft-make")
        with gr.Column(scale=2):
            status = gr.Markdown(elem_id="draft-status")
            result = gr.Markdown(elem_id="draft-result")
            download = gr.DownloadButton("Download als Word (.docx)", visible=False, elem_id="draft-download")

    def templates() -> gr.Dropdown:
        choices = [(f"{t.title} ({t.name})", t.name) for t in drafting.templates()]
        return gr.Dropdown(choices=choices, value=choices[0][1] if choices else None)

    def search(
        text: str, chosen_pins: list[str], chosen_outs: list[str], http: gr.Request
    ) -> tuple[gr.CheckboxGroup, gr.CheckboxGroup]:
        hits = ctx.services.search.search(ctx.request(http), text, k=8) if text.strip() else []
        found: dict[str, str] = {}
        for hit in hits:
            found.setdefault(
                hit.doc_id, f"{hit.title} ({format_date(hit.date) if hit.date else 'zonder datum'})"
            )
        keep = set(chosen_pins) | set(chosen_outs)
        choices = [(label, doc_id) for doc_id, label in found.items()]
        choices += [(doc_id, doc_id) for doc_id in keep if doc_id not in found]
        return (
            gr.CheckboxGroup(choices=choices, value=chosen_pins),
            gr.CheckboxGroup(choices=choices, value=chosen_outs),
        )

    def draft(
        name: str | None, about: str, to: str, spoken: float | None, own: str,
        pins: list[str], outs: list[str],
        http: gr.Request,
    ) -> Iterator[Outputs]:  # fmt: skip
        if not name or not about.strip():
            raise gr.Error("Kies een soort stuk en geef een onderwerp.")
        request = ctx.request(http)
        events: queue.Queue[tuple[int, int, str, str] | Draft | Exception] = queue.Queue()

        def work() -> None:
            try:
                made = drafting.draft(
                    request, name, about.strip(), addressee=to.strip(), minutes=spoken or None,
                    pinned=pins, excluded=outs, points=[p.strip() for p in own.splitlines() if p.strip()],
                    progress=lambda done, total, section, stage: events.put((done, total, section, stage)),
                )  # fmt: skip
                events.put(made)
            except Exception as error:  # reported to the user below, not lost in the thread
                events.put(error)

        threading.Thread(target=work, daemon=True).start()
        hidden = gr.DownloadButton(visible=False)
        steps: dict[str, str] = {}  # section -> its latest stage, in the order the sections began
        while True:
            event = events.get()
            if isinstance(event, tuple):
                done, total, section, stage = event
                steps[section] = f"[{done}/{total}] {stage}"
                yield "\n".join(f"- **{name}**: {what} …" for name, what in steps.items()), "", hidden
                continue
            if isinstance(event, SourceNotFoundError | ValueError):
                raise gr.Error(str(event))
            if isinstance(event, Exception):
                raise event
            text = render_markdown(event)
            path = write_docx(event, scratch_file(f"concept-{name}.docx"))
            gaps = len(event.gaps)
            summary = f"Klaar: {len(event.sections)} onderdelen, {len(event.used)} bronnen" + (
                f", {gaps} punt(en) zonder bron (zie de bijlage)." if gaps else "."
            )
            yield summary, text, gr.DownloadButton(value=str(path), visible=True)
            return

    find.click(search, [query, pinned, excluded], [pinned, excluded], api_visibility="private")
    make.click(
        draft, [template, subject, addressee, minutes, points, pinned, excluded], [status, result, download],
        api_visibility="private",
    )  # fmt: skip
    return OnLoad(templates, [template])
