"""The chat tab: questions and follow-ups with live progress, checked answers and one-click evidence.

While an answer is made the message shows the stage (searching, N documents found, writing, checking);
model text appears inside a "Concept — wordt nog gecontroleerd" box, and the final message holds only
the verified sentences, their clickable markers, the source list and the removed sentences (collapsed,
each with why). Every finished turn is stored (SQLite) and the page restores the user's latest
conversation on load, so a reload or a server restart loses nothing.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Iterator, Sequence
from typing import Any

import gradio as gr

from assistant.app.web.context import OnLoad, WebContext
from assistant.app.web.evidence import AnswerMemo, open_target, resolve
from assistant.app.web.render import answer_html, draft_html, filters_summary, progress_html, stage_text
from assistant.core.answers import Delta, Stage
from assistant.core.dates import InvalidDateError
from assistant.rag.retrieval import Filters
from assistant.services.conversations import StoredTurn

Message = dict[str, str]
DOC_TYPES = ["brief", "position paper", "presentatie", "reactie", "inbreng", "nota", "kamerbrief"]


def turn_messages(turn: StoredTurn) -> list[Message]:
    """A stored turn as the two chat messages it was shown as."""
    return [
        {"role": "user", "content": html.escape(turn.question)},
        {
            "role": "assistant",
            "content": answer_html(
                turn.answer,
                [c.to_json() for c in turn.citations],
                f"t{turn.id}",
                refused=turn.refused,
                nearest=[s.to_json() for s in turn.sources],
                removed=[r.to_json() for r in turn.removed],
            ),
        },
    ]


def failure_text(error: Exception) -> str:
    """What the page says when answering fails: a missing model by name, anything else with its cause."""
    from assistant.index.models import ModelError
    from assistant.index.store import StoreError

    if isinstance(error, StoreError):  # the store's own Dutch message says what happened and what to do
        return str(error)
    if isinstance(error, ModelError):
        return (
            f"Het taalmodel is niet beschikbaar: {error}. Voer `lobby models fetch` uit of kies een andere "
            "LOBBY_LLM."
        )
    return (
        f"Er ging iets mis bij het beantwoorden ({type(error).__name__}: {error}). Het gesprek is bewaard; "
        "probeer het opnieuw."
    )


def make_filters(
    date_from: str | None, date_to: str | None, types: Sequence[str] | None, addressee: str | None,
    folder: str | None,
) -> Filters:  # fmt: skip
    """The filters set in the page (``gr.Error`` for a date that is not a date; empty fields are unset)."""
    try:
        return Filters(
            date_from=(date_from or "").strip() or None, date_to=(date_to or "").strip() or None,
            doc_types=tuple(types or ()), addressee=(addressee or "").strip() or None,
            folder=(folder or "").strip() or None,
        )  # fmt: skip
    except (InvalidDateError, ValueError) as error:
        raise gr.Error(f"Filter: {error}") from error


def build(ctx: WebContext, memo: AnswerMemo, tabs: gr.Tabs) -> tuple[OnLoad, gr.Textbox]:
    """The tab's components and events; returns what to fill on load and the question box."""
    store = ctx.conversations
    with gr.Row():
        with gr.Column(scale=3):
            with gr.Row():
                history = gr.Dropdown(label="Eerdere gesprekken", choices=[], scale=4, elem_id="history")
                new = gr.Button("Nieuw gesprek", scale=1, elem_id="new-conversation")
            with gr.Accordion("Filters", open=False, elem_id="filters"):
                with gr.Row():
                    date_from = gr.Textbox(label="Vanaf (datum)", placeholder="bv. 1-9-2024")
                    date_to = gr.Textbox(label="Tot en met (datum)", placeholder="bv. 31-12-2024")
                with gr.Row():
                    types = gr.Dropdown(label="Documenttype", choices=DOC_TYPES, multiselect=True)
                    addressee = gr.Textbox(label="Geadresseerde", placeholder="bv. minister van OCW")
                    folder = gr.Textbox(label="Map", placeholder="bv. brieven")
            active = gr.Markdown(filters_summary({}), elem_id="active-filters")
            chatbot = gr.Chatbot(
                label="Gesprek", height=520, elem_id="chat", sanitize_html=True, feedback_options=None,
                placeholder="Stel een vraag over het archief, bv. *Wat vroeg het IPO aan de minister van OCW "
                "over "
                "het studentenreisproduct?*",
            )  # fmt: skip
            with gr.Row():
                question = gr.Textbox(
                    show_label=False, placeholder="Uw vraag…", scale=5, elem_id="question", autofocus=True
                )
                send = gr.Button("Vraag", variant="primary", scale=1, elem_id="send")
            with gr.Row():
                useful = gr.Button("Nuttig antwoord", size="sm", elem_id="answer-useful")
                useless = gr.Button("Niet nuttig", size="sm", elem_id="answer-useless")
                comment = gr.Textbox(
                    show_label=False, placeholder="Opmerking bij het antwoord (optioneel)", scale=3
                )
            thanks = gr.Markdown(elem_id="feedback-status")
        with gr.Column(scale=2):
            gr.Markdown("### Bron")
            evidence = gr.HTML(
                "<p>Klik op een [n] in een antwoord om de bron hier te openen, met de passage "
                "gemarkeerd.</p>",
                elem_id="evidence",
            )
            page = gr.Image(
                label="Pagina", visible=False, elem_id="evidence-page", type="pil", interactive=False
            )
            original = gr.DownloadButton(
                "Download het originele bestand", visible=False, elem_id="evidence-download"
            )
            with gr.Row():
                cite_useful = gr.Button("Bron klopt", size="sm", visible=False, elem_id="cite-useful")
                cite_useless = gr.Button("Bron klopt niet", size="sm", visible=False, elem_id="cite-useless")
    cite_key = gr.Textbox(visible="hidden", elem_id="cite-target")
    cite_open = gr.Button("open", visible="hidden", elem_id="cite-open")
    conversation = gr.State("")  # the conversation id
    last_turn = gr.State(0)  # the id of the latest stored turn (for feedback on the answer)
    opened = gr.State("")  # the marker key shown in the evidence panel (for feedback on the citation)

    def choices(user: str) -> list[tuple[str, str]]:
        return [
            (f"{c.title or '(leeg)'} — {c.updated[:16].replace('T', ' ')}", c.id)
            for c in store.conversations(user)
        ]

    def restore(conversation_id: str, user: str) -> tuple[list[Message], int]:
        turns = store.turns(conversation_id, user) if conversation_id else []
        return [m for t in turns for m in turn_messages(t)], (turns[-1].id if turns else 0)

    def on_load(http: gr.Request) -> tuple[gr.Dropdown, list[Message], str, int]:
        user = ctx.user(http)
        listed = store.conversations(user)
        latest = listed[0].id if listed else ""
        messages, turn = restore(latest, user)
        return gr.Dropdown(choices=choices(user), value=latest or None), messages, latest, turn

    def pick(conversation_id: str | None, http: gr.Request) -> tuple[list[Message], str, int]:
        messages, turn = restore(conversation_id or "", ctx.user(http))
        return messages, conversation_id or "", turn

    def start_new(http: gr.Request) -> tuple[gr.Dropdown, list[Message], str, int, str]:
        user = ctx.user(http)
        created = store.create(user)
        return gr.Dropdown(choices=choices(user), value=created), [], created, 0, ""

    def chat_turn(
        text: str, messages: list[Message], conversation_id: str, date_from: str, date_to: str,
        types: list[str], addressee: str, folder: str, http: gr.Request,
    ) -> Iterator[tuple[list[Message], str, int, gr.Dropdown]]:  # fmt: skip
        text = text.strip()
        if not text:
            return
        filters = make_filters(date_from, date_to, types or [], addressee, folder)
        request = ctx.request(http, filters)
        shown = messages[:-1]  # the question as received; its placeholder answer is replaced below
        try:
            chat = ctx.services.web_chat  # the first question builds the chat model
            if conversation_id:
                conversation = chat.conversation(conversation_id, request)
            else:
                conversation = chat.start(request)
                conversation_id = conversation.id
            yield from _answer_events(chat.stream(request, conversation, text), shown, conversation, request)
        except Exception as error:  # the page says what went wrong, in Dutch, and stays usable
            logging.getLogger(__name__).exception("answering failed")
            message = {"role": "assistant", "content": progress_html([failure_text(error)])}
            yield [*shown, message], conversation_id, 0, gr.Dropdown()

    def _answer_events(
        events: Iterator[Any], shown: list[Message], conversation: Any, request: Any
    ) -> Iterator[tuple[list[Message], str, int, gr.Dropdown]]:
        """The chat messages while one answer is made: progress, the draft under check, the answer."""
        lines: list[str] = []
        draft = ""
        keep = gr.Dropdown()
        for event in events:
            if isinstance(event, Stage):
                lines.append(stage_text(event.name, event.detail if event.name == "found" else ""))
                content = draft_html(draft, lines[-1]) if draft else progress_html(lines)
            elif isinstance(event, Delta):
                draft += event.text
                content = draft_html(draft, lines[-1] if lines else "")
            else:
                turn_id = conversation.turn_ids[-1]
                final = [*shown, turn_messages(store.turn(turn_id, request.user))[1]]
                listing = gr.Dropdown(choices=choices(request.user), value=conversation.id)
                yield final, conversation.id, turn_id, listing
                return
            yield [*shown, {"role": "assistant", "content": content}], conversation.id, 0, keep

    def open_cite(key: str, http: gr.Request) -> tuple[str, Any, Any, Any, Any, str, Any]:
        request = ctx.request(http)
        try:
            target = resolve(key, user=request.user, store=store, memo=memo)
            shown = open_target(target, request, ctx.services.library)
        except ValueError as error:
            raise gr.Error(str(error)) from error
        from_chat = key.startswith("t")  # a chat turn's marker: in the chat tab, and rateable
        return (
            shown.html,
            gr.Image(value=shown.image, visible=shown.image is not None),
            gr.DownloadButton(value=shown.download, visible=shown.download is not None),
            gr.Button(visible=from_chat),
            gr.Button(visible=from_chat),
            key,
            # A source linked from another tab opens here, in view. A chat marker leaves the tabs alone:
            # the user may have moved to another tab while the source loaded, and is not pulled back.
            gr.skip() if from_chat else gr.Tabs(selected="chat"),
        )

    def rate_answer(good: bool) -> Any:
        def rate(turn_id: int, note: str, http: gr.Request) -> tuple[str, str]:
            if not turn_id:
                raise gr.Error("Er is nog geen antwoord om te beoordelen.")
            store.add_feedback(turn_id, ctx.user(http), good, note.strip())
            return "Dank u, uw oordeel over het antwoord is opgeslagen.", ""

        return rate

    def rate_cite(good: bool) -> Any:
        def rate(key: str, http: gr.Request) -> str:
            where, _, number = key.partition(":")
            if not where.startswith("t"):
                raise gr.Error("Deze bron hoort niet bij een opgeslagen antwoord.")
            store.add_feedback(int(where[1:]), ctx.user(http), good, "", citation_n=int(number))
            return f"Dank u, uw oordeel over bron [{number}] is opgeslagen."

        return rate

    filter_inputs: list[Any] = [date_from, date_to, types, addressee, folder]

    def show_filters(*values: Any) -> str:
        names = ("date_from", "date_to", "doc_types", "addressee", "folder")
        given = dict(zip(names, values, strict=True))
        texts = {k: (v or "").strip() for k, v in given.items() if k != "doc_types"}
        return filters_summary({**texts, "doc_types": given["doc_types"] or []})

    for component in filter_inputs:
        component.change(show_filters, filter_inputs, [active], api_visibility="private")
    pending = gr.State("")  # the question between showing it and answering it

    def receive(text: str, messages: list[Message]) -> tuple[list[Message], str, str]:
        """The question shows at once, before the queue: answering may wait for another user's turn."""
        if not (text or "").strip():
            return messages, "", text
        received = progress_html(["Vraag ontvangen; bij drukte wacht u even op uw beurt…"])
        waiting = {"role": "assistant", "content": received}
        return [*messages, {"role": "user", "content": html.escape(text.strip())}, waiting], text.strip(), ""

    ask_inputs = [pending, chatbot, conversation, *filter_inputs]
    ask_outputs = [chatbot, conversation, last_turn, history]
    limit = 1 if ctx.serial_answers else None
    for trigger in (send.click, question.submit):
        trigger(receive, [question, chatbot], [chatbot, pending, question], queue=False,
                api_visibility="private").then(
            chat_turn, ask_inputs, ask_outputs, api_visibility="private", concurrency_limit=limit,
            concurrency_id="answers",
        )  # fmt: skip
    new.click(start_new, None, [history, chatbot, conversation, last_turn, thanks], api_visibility="private")
    history.input(pick, [history], [chatbot, conversation, last_turn], api_visibility="private")
    cite_open.click(
        open_cite, [cite_key], [evidence, page, original, cite_useful, cite_useless, opened, tabs],
        api_visibility="private",
    )  # fmt: skip
    useful.click(rate_answer(True), [last_turn, comment], [thanks, comment], api_visibility="private")
    useless.click(rate_answer(False), [last_turn, comment], [thanks, comment], api_visibility="private")
    cite_useful.click(rate_cite(True), [opened], [thanks], api_visibility="private")
    cite_useless.click(rate_cite(False), [opened], [thanks], api_visibility="private")
    return OnLoad(on_load, [history, chatbot, conversation, last_turn]), question
