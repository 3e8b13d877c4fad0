"""The web app as one ``gr.Blocks``: chat, library, drafting and onboarding tabs, and the ``ask`` API.

Built from a :class:`~assistant.app.web.context.WebContext` (services, conversation store, users), so
tests build it over fakes. Nothing in the page reaches outside the machine: the theme uses the
system's fonts (Gradio's default loads Google Fonts), analytics are off, and no CDN is named.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from assistant.app.web import chat_tab, draft_tab, library_tab, onboarding_tab
from assistant.app.web.chat_tab import failure_text, make_filters
from assistant.app.web.context import OnLoad, WebContext
from assistant.app.web.evidence import AnswerMemo
from assistant.app.web.render import CITE_SCRIPT, CSS

TITLE = "Lobby-archief IPO"
#: The sign-out link shown while sign-in is on.
SIGN_OUT = '<a href="logout" id="sign-out-link">Afmelden</a>'
_SYSTEM_FONTS = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"]
_MONO_FONTS = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"]


def theme() -> gr.themes.Base:
    """Gradio's default look with the system's fonts, so the page loads nothing from the internet."""
    return gr.themes.Default(
        font=[gr.themes.Font(name) for name in _SYSTEM_FONTS],
        font_mono=[gr.themes.Font(name) for name in _MONO_FONTS],
    )


def launch_options() -> dict[str, Any]:
    """What :meth:`gr.Blocks.launch` needs besides host and port (Gradio 6's app-level options).

    Theme, CSS, the marker script, and no footer links (they point at gradio.app).
    """
    return {"theme": theme(), "css": CSS, "head": CITE_SCRIPT, "footer_links": []}


def build_app(ctx: WebContext) -> gr.Blocks:
    """The whole app; event handlers call the services through ``ctx``."""
    memo = AnswerMemo()
    loads: list[OnLoad] = []
    app: gr.Blocks
    # Gradio's copies of downloads (drafts, sources) are removed after a day, checked hourly.
    with gr.Blocks(title=TITLE, analytics_enabled=False, delete_cache=(3600, 86400)) as app:
        gr.Markdown(f"## {TITLE}\nAntwoorden uit het archief van het Interprovinciaal Overleg, met bronnen.")
        if ctx.users is not None:
            # Gradio's /logout ends the session (all of this user's) and deletes the cookie. Relative, so
            # it also works behind a proxy that serves the app under a sub-path.
            gr.HTML(SIGN_OUT, elem_id="sign-out")
        with gr.Tabs(elem_id="tabs") as tabs:
            with gr.Tab("Gesprek", id="chat", elem_id="tab-chat"):
                on_load, question = chat_tab.build(ctx, memo, tabs)
                loads.append(on_load)
            with gr.Tab("Bibliotheek", id="library", elem_id="tab-library"):
                loads.append(library_tab.build(ctx))
            with gr.Tab("Concept schrijven", id="draft", elem_id="tab-draft"):
                loads.append(draft_tab.build(ctx))
            with gr.Tab("Wegwijs", id="onboarding", elem_id="tab-onboarding"):
                loads.append(onboarding_tab.build(ctx, memo, question, tabs))
        for load in loads:
            app.load(load.fn, None, list(load.outputs), api_visibility="private")
        _api(ctx)
    return app


def _api(ctx: WebContext) -> None:
    """``api_name="ask"``: a question (and optional filters) in, the ``lobby ask --json`` object out."""

    def ask(
        question: str,
        conversation: str = "",
        date_from: str = "",
        date_to: str = "",
        doc_types: str = "",
        addressee: str = "",
        folder: str = "",
        request: gr.Request | None = None,
    ) -> dict[str, Any]:
        """Answer ``question`` from the archive: ``answer``, ``refused``, ``citations`` (as ``ask --json``).

        ``conversation`` continues a stored conversation (follow-ups lean on it); the reply names the
        conversation it was added to. ``doc_types`` is comma-separated; dates as users type them or ISO.
        """
        types = [t.strip() for t in doc_types.split(",") if t.strip()]
        filters = make_filters(date_from, date_to, types, addressee, folder)
        service_request = ctx.request(request, filters)
        try:
            chat = ctx.services.web_chat  # the first question builds the chat model
            talk = (
                chat.conversation(conversation, service_request)
                if conversation
                else chat.start(service_request)
            )
        except LookupError as error:  # an unknown conversation, or another user's
            raise gr.Error(str(error)) from error
        except Exception as error:  # a Dutch reason for the caller instead of Gradio's bare "Error"
            raise gr.Error(failure_text(error)) from error
        try:
            answer = chat.ask(service_request, question, talk)
        except Exception as error:
            raise gr.Error(failure_text(error)) from error
        return {**answer.to_json(), "conversation": talk.id}

    limit = 1 if ctx.serial_answers else None
    # gr.api is exported at run time but missing from gradio's __all__.
    gr.api(ask, api_name="ask", concurrency_limit=limit, concurrency_id="answers")  # type: ignore[attr-defined]
