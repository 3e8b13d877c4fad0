"""The library tab: the archive's documents in a sortable, searchable table; upload; removal.

Uploads and removals go through the library service, which updates the index the chat searches, so
the next question sees the change without a restart.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import gradio as gr

from assistant.app.web.context import OnLoad, WebContext
from assistant.core.dates import format_date
from assistant.core.records import ACCESS_LEVELS
from assistant.index.store import StoreError
from assistant.services.library import DocumentInfo, LibraryError, Upload

COLUMNS = ["Titel", "Datum", "Type", "Kenmerk", "Geadresseerde", "Toegang", "Fragmenten", "Bestand"]
PROGRESS = gr.Progress()  # Gradio injects the live tracker where a handler's default is a Progress
RESULT_COLUMNS = ["Bestand", "Resultaat", "Fragmenten", "Reden"]
#: Ingest outcomes in Dutch, as users read them.
OUTCOMES = {
    "added": "toegevoegd",
    "updated": "bijgewerkt",
    "unchanged": "ongewijzigd",
    "removed": "verwijderd",
    "failed": "mislukt",
    "duplicate": "dubbel",
}


def document_rows(documents: Sequence[DocumentInfo]) -> list[list[object]]:
    """One table row per document (the date ISO, so sorting the column sorts by time)."""
    return [
        [
            d.title,
            d.date or "",
            d.doc_type or "",
            d.kenmerk or "",
            d.addressee or "",
            d.access,
            d.chunks,
            ", ".join(d.files),
        ]
        for d in documents
    ]


def document_choices(documents: Sequence[DocumentInfo]) -> list[tuple[str, str]]:
    """Dropdown choices (label, doc_id) for picking a document."""
    return [(f"{d.title} ({format_date(d.date) if d.date else 'zonder datum'})", d.doc_id) for d in documents]


def build(ctx: WebContext) -> OnLoad:
    """The tab's components and events (inside a ``gr.Blocks`` context)."""
    library = ctx.services.library
    gr.Markdown(
        "Alle documenten in het archief. Klik op een kolomkop om te sorteren; zoek met het veld boven "
        "de tabel. Nieuwe bestanden (PDF, DOCX, PPTX, Markdown, tekst, HTML; tot "
        f"{library.max_upload_bytes / 1_000_000:g} MB per bestand) worden meteen ingelezen."
    )
    table = gr.Dataframe(
        headers=COLUMNS, interactive=False, show_search="search", wrap=True, elem_id="library-table",
        max_height=460, column_widths=["30%", "9%", "9%", "10%", "13%", "8%", "7%", "14%"],
    )  # fmt: skip
    with gr.Row():
        with gr.Column():
            # No file_types: Gradio would refuse other types itself, in English; the library service
            # refuses them with a Dutch reason in the result table, and writes nothing.
            uploads = gr.File(label="Bestanden toevoegen", file_count="multiple", elem_id="library-upload")
            level = gr.Radio(
                list(ACCESS_LEVELS),
                value=ctx.services.settings.default_access,
                label="Toegangsniveau",
                info="Wie de nieuwe bestanden mag zien: openbaar (iedereen), intern (medewerkers en "
                "beheerders) of vertrouwelijk (alleen beheerders).",
                elem_id="library-upload-level",
            )
            add = gr.Button("Toevoegen aan het archief", variant="primary", elem_id="library-add")
            results = gr.Dataframe(headers=RESULT_COLUMNS, interactive=False, label="Resultaat per bestand")
        with gr.Column():
            chosen = gr.Dropdown(label="Document verwijderen", choices=[], elem_id="library-remove-choice")
            remove = gr.Button("Verwijderen", variant="stop", elem_id="library-remove")
            status = gr.Markdown()

    def refresh(http: gr.Request) -> tuple[list[list[object]], gr.Dropdown]:
        documents = library.documents(ctx.request(http))
        return document_rows(documents), gr.Dropdown(choices=document_choices(documents), value=None)

    def upload(
        files: list[str] | None, access: str | None, http: gr.Request, progress: gr.Progress = PROGRESS
    ) -> tuple[list[list[object]], list[list[object]], gr.Dropdown, str]:
        if not files:
            raise gr.Error("Kies eerst een of meer bestanden.")
        ctx.require_manager(http)
        request = ctx.request(http)
        handed: list[Upload] = []
        refused: list[list[object]] = []
        for f in files:
            # Gradio already cut off anything over its limit; a file over ours is not even read.
            reason = library.upload_refusal(Path(f).name, Path(f).stat().st_size)
            if reason:
                refused.append([Path(f).name, "geweigerd", 0, reason])
            else:
                handed.append(Upload(Path(f).name, Path(f).read_bytes()))

        def report(done: int, total: int, name: str) -> None:
            progress((done, total), desc=f"inlezen: {name}")

        try:
            result = library.upload(request, handed, access=access or None, progress=report)
        except (LibraryError, StoreError) as error:  # both carry a Dutch message for the user
            raise gr.Error(str(error)) from error
        rows: list[list[object]] = [
            [f.source, OUTCOMES.get(f.status, f.status), f.chunks, f.reason] for f in result.files
        ]
        rows += [
            [f.source, "mislukt", 0, f.reason] for f in result.failed if f.source not in {r[0] for r in rows}
        ]
        rows += refused
        table_rows, dropdown = refresh(http)
        added = result.added + result.updated
        failed = len(result.failed) + len(refused)
        return rows, table_rows, dropdown, f"{added} bestand(en) ingelezen, {failed} mislukt of geweigerd."

    def delete(doc_id: str | None, http: gr.Request) -> tuple[list[list[object]], gr.Dropdown, str]:
        if not doc_id:
            raise gr.Error("Kies eerst een document.")
        ctx.require_manager(http)
        try:
            removal = library.remove(ctx.request(http), doc_id)
        except (LibraryError, StoreError) as error:  # both carry a Dutch message for the user
            raise gr.Error(str(error)) from error
        rows, dropdown = refresh(http)
        return (
            rows,
            dropdown,
            f"Verwijderd: {removal.doc_id} ({len(removal.moved)} bestand(en) naar de prullenbak).",
        )

    add.click(upload, [uploads, level], [results, table, chosen, status], api_visibility="private")
    remove.click(delete, [chosen], [table, chosen, status], api_visibility="private")
    return OnLoad(refresh, [table, chosen])
