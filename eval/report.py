"""Evaluation reports: one folder per run with ``report.md``, ``report.html``, the plots and ``run.json``.

A report is first built as a list of blocks (headings, paragraphs, tables, images), which two pure
renderers turn into Markdown and HTML, so both always say the same thing. Plots are drawn with
matplotlib's file-only backend. Every kind of result ``lobby eval`` produces can be reported: a gold
run, a BEIR run, or a comparison (which holds a gold run and per-query BEIR rows).
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from assistant.core.text import one_line
from eval.metrics import GOLD_METRICS


@dataclass(frozen=True, slots=True)
class Heading:
    text: str
    level: int = 2


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str


@dataclass(frozen=True, slots=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class Image:
    path: str
    alt: str


Block = Heading | Paragraph | Table | Image

COMPARISON_COLUMNS = (
    "benchmark",
    "model",
    "mode",
    "ndcg@10",
    "recall@10",
    "mrr@10",
    "hit@5",
    "refusal_accuracy",
    "false_refusal_rate",
    "citation_precision",
    "queries",
)
BEIR_KEYS = ("ndcg@10", "recall@10", "mrr@10", "queries", "median_query_s")
GOLD_SUMMARY_KEYS = ("cases", "answerable", *GOLD_METRICS)


def fmt(value: Any) -> str:
    """A table cell: floats with three decimals, missing values as a dash."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, list | tuple):
        return ", ".join(fmt(v) for v in value)
    return str(value)


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> Table:
    return Table(tuple(headers), tuple(tuple(fmt(cell) for cell in row) for row in rows))


# -- building blocks from results -------------------------------------------------------------------


def comparison_blocks(result: dict[str, Any]) -> list[Block]:
    rows = result.get("comparison") or []
    if not rows:
        return []
    columns = [c for c in COMPARISON_COLUMNS if any(r.get(c) is not None for r in rows)]
    user = result.get("user_configuration", {})
    blocks: list[Block] = [
        Heading("Vergelijking"),
        Paragraph(
            f"Zoekwijzen en embeddingmodellen in één run ({fmt(result.get('seconds'))} s). De configuratie "
            f"van gebruikers is model `{user.get('model')}` met zoekwijze `{user.get('mode')}`. BM25 hangt "
            "niet af van het embeddingmodel en is één keer gemeten. Gold-rijen: het extractieve antwoord "
            "(geen taalmodel); in zoekwijze bm25 heeft de bewijspoort geen dense-score en weigert alles."
        ),
        _table(columns, [[r.get(c) for c in columns] for r in rows]),
    ]
    if result.get("indexing"):
        blocks += [
            Paragraph("Indexeren (0 s = uit de cache):"),
            _table(
                ("benchmark", "model", "seconds"),
                [[i["benchmark"], i["model"], i["seconds"]] for i in result["indexing"]],
            ),
        ]
    return blocks


#: The issue's targets for the user's configuration: (benchmark, metric, at least (True) or at most, value).
TARGETS = (
    ("legalqa_nl", "ndcg@10", True, 0.85),
    ("rijksoverheid_vac", "ndcg@10", True, 0.975),
    ("gold", "hit@5", True, 0.95),
    ("gold", "citation_precision", True, 0.95),
    ("gold", "refusal_accuracy", True, 0.95),
    ("gold", "false_refusal_rate", False, 0.05),
)


def target_rows(result: dict[str, Any]) -> list[list[Any]]:
    """Each target with the user configuration's figure, and whether the full retriever beats its parts."""
    user = result.get("user_configuration", {})
    rows = result.get("comparison") or []

    def figure(benchmark: str, mode: str, metric: str) -> Any:
        model = "-" if mode == "bm25" else user.get("model")
        found = [r for r in rows if r["benchmark"] == benchmark and r["mode"] == mode and r["model"] == model]
        return found[0].get(metric) if found else None

    table: list[list[Any]] = []
    for benchmark, metric, at_least, value in TARGETS:
        got = figure(benchmark, str(user.get("mode")), metric)
        if got is None:
            continue
        met = got >= value if at_least else got <= value
        table.append([benchmark, metric, f"{'>=' if at_least else '<='} {value}", got, met])
    for benchmark in dict.fromkeys(r["benchmark"] for r in rows):
        full = figure(benchmark, str(user.get("mode")), "ndcg@10")
        parts = [figure(benchmark, mode, "ndcg@10") for mode in ("bm25", "dense")]
        if full is not None and None not in parts:
            table.append(
                [benchmark, "ndcg@10 boven bm25 en dense", f"> {max(parts):.3f}", full, full > max(parts)]
            )
    return table


def targets_blocks(result: dict[str, Any]) -> list[Block]:
    table = target_rows(result)
    if not table:
        return []
    return [Heading("Doelen"), _table(("benchmark", "maat", "doel", "gemeten", "gehaald"), table)]


def beir_blocks(name: str, detail: dict[str, Any]) -> list[Block]:
    queries = detail.get("per_query") or []
    failures = [q for q in queries if _ndcg(q) == 0.0]
    blocks: list[Block] = [
        Heading(f"{name}: per vraag", 3),
        Paragraph(
            f"Model `{detail.get('model')}`, zoekwijze `{detail.get('mode')}`: {len(queries)} vragen, "
            f"{len(failures)} zonder relevante passage in de top 10."
        ),
    ]
    if failures:
        blocks.append(
            _table(
                ("vraag", "verwacht", "gevonden (top 3)"),
                [[q["query"], sorted(q["relevant"]), list(q["retrieved"])[:3]] for q in failures],
            )
        )
    return blocks


def _ndcg(row: dict[str, Any]) -> float:
    return float(row.get("ndcg@10") or 0.0)


def gold_blocks(gold: dict[str, Any]) -> list[Block]:
    summary = gold.get("summary", {})
    cases = gold.get("cases", [])
    blocks: list[Block] = [
        Heading("Gold set"),
        Paragraph(
            f"Taalmodel `{gold.get('llm')}`, embeddingmodel `{gold.get('embedding_model')}`, zoekwijze "
            f"`{gold.get('mode')}`; index van {fmt(gold.get('index', {}).get('chunks'))} fragmenten."
        ),
        _table(("maat", "waarde"), [[k, summary.get(k)] for k in GOLD_SUMMARY_KEYS if k in summary]),
    ]
    splits = gold.get("splits") or {}
    if splits:
        # The test half was not tuned on: its figures are the result, the dev half's stand beside them.
        names = [name for name in ("test", "dev") if name in splits]
        blocks += [
            Paragraph("Per helft van de gold set (test: niets op afgestemd; dev: drempels afgestemd):"),
            _table(
                ("maat", *names),
                [[k, *(splits[n].get(k) for n in names)] for k in GOLD_SUMMARY_KEYS if k in splits[names[0]]],
            ),
        ]
    latency = summary.get("latency_s") or {}
    if latency:
        blocks += [Paragraph("Mediane tijd per stap (s):"), _table(tuple(latency), [list(latency.values())])]
    thresholds = gold.get("thresholds")
    if thresholds:
        blocks.append(Paragraph(f"Drempels bewijspoort: {json.dumps(thresholds)}"))
    if cases:
        blocks += [
            Heading("Per vraag", 3),
            _table(
                ("id", "helft", "soort", "beantwoordbaar", "hit@5", "geweigerd", "feiten", "vraag"),
                [
                    [
                        c["id"],
                        c.get("split"),
                        c["kind"],
                        c["answerable"],
                        c.get("hit@5"),
                        c.get("refused"),
                        c.get("facts"),
                        c["question"],
                    ]
                    for c in cases
                ],
            ),
        ]
        failures = gold_failures(cases)
        blocks.append(Heading(f"Mislukt ({len(failures)})", 3))
        if failures:
            blocks.append(
                _table(
                    ("id", "helft", "wat", "verwacht", "gevonden (top 5)", "antwoord"),
                    [
                        [
                            c["id"],
                            c.get("split"),
                            why,
                            c["expected"],
                            c["retrieved"],
                            one_line(c.get("answer", "")),
                        ]
                        for c, why in failures
                    ],
                )
            )
    return blocks


def gold_failures(cases: Sequence[dict[str, Any]], *, facts: bool = True) -> list[tuple[dict[str, Any], str]]:
    """Cases that went wrong, each with what went wrong (in Dutch); ``facts``: also incomplete answers."""
    failures: list[tuple[dict[str, Any], str]] = []
    for case in cases:
        if case["answerable"]:
            if case.get("hit@5") == 0:
                failures.append((case, "bron niet in top 5"))
            elif case.get("refused"):
                failures.append((case, "onterecht geweigerd"))
            elif facts and case.get("facts") is not None and case["facts"] < 1.0:
                failures.append((case, f"feiten {case['facts']:.2f}"))
        elif not case.get("refused"):
            failures.append((case, "beantwoord, niet in archief"))
    return failures


def configuration_blocks(configuration: dict[str, Any]) -> list[Block]:
    return [Heading("Configuratie"), _table(("instelling", "waarde"), sorted(configuration.items()))]


def beir_runs(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The single-benchmark runs in ``result`` (``lobby eval --beir`` with one set or several)."""
    if "comparison" in result:
        return []
    return list(result.get("runs") or ([result] if "per_query" in result else []))


def gold_part(result: dict[str, Any]) -> dict[str, Any] | None:
    """The gold run in ``result``: a comparison holds one, a gold run is one."""
    if "comparison" in result:
        return result.get("gold")
    return result if "summary" in result else None


def report_blocks(
    result: dict[str, Any], configuration: dict[str, Any], images: Sequence[Image]
) -> list[Block]:
    """Everything the report says, in order."""
    blocks: list[Block] = [Heading("Evaluatierapport", 1)]
    blocks += configuration_blocks(configuration)
    for run in beir_runs(result):
        blocks += [
            Heading(f"BEIR: {run.get('benchmark')}"),
            _table(("maat", "waarde"), [[k, run.get(k)] for k in BEIR_KEYS]),
        ]
        blocks += beir_blocks(str(run.get("benchmark")), run)
    blocks += targets_blocks(result)
    blocks += comparison_blocks(result)
    blocks += images
    for name, detail in (result.get("benchmarks") or {}).items():
        blocks += beir_blocks(name, detail)
    gold = gold_part(result)
    if gold:
        blocks += gold_blocks(gold)
    return blocks


# -- renderers --------------------------------------------------------------------------------------


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(blocks: Sequence[Block]) -> str:
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            out.append(f"{'#' * block.level} {block.text}")
        elif isinstance(block, Paragraph):
            out.append(block.text)
        elif isinstance(block, Table):
            lines = [
                "| " + " | ".join(_md_cell(h) for h in block.headers) + " |",
                "|" + "---|" * len(block.headers),
            ]
            lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in block.rows]
            out.append("\n".join(lines))
        else:
            out.append(f"![{block.alt}]({block.path})")
    return "\n\n".join(out) + "\n"


def render_html(blocks: Sequence[Block], title: str = "Evaluatierapport") -> str:
    esc = html.escape
    body: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            body.append(f"<h{block.level}>{esc(block.text)}</h{block.level}>")
        elif isinstance(block, Paragraph):
            body.append(f"<p>{esc(block.text)}</p>")
        elif isinstance(block, Table):
            head = "".join(f"<th>{esc(h)}</th>" for h in block.headers)
            rows = "".join(
                "<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in block.rows
            )
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        else:
            body.append(f'<figure><img src="{esc(block.path)}" alt="{esc(block.alt)}"></figure>')
    style = (
        "body{font-family:sans-serif;max-width:70em;margin:2em auto}table{border-collapse:collapse;"
        "margin:1em 0}td,th{border:1px solid #ccc;padding:.2em .5em;font-size:90%;text-align:left}"
        "img{max-width:100%}"
    )
    return (
        f'<!DOCTYPE html>\n<html lang="nl"><head><meta charset="utf-8"><title>{esc(title)}</title>'
        f"<style>{style}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


# -- plots ------------------------------------------------------------------------------------------


def plot_comparison(rows: Sequence[dict[str, Any]], path: Path) -> bool:
    """Grouped bars of nDCG@10 per benchmark and configuration; False when there is nothing to plot."""
    rows = [r for r in rows if r.get("ndcg@10") is not None]
    if not rows:
        return False
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    benchmarks = list(dict.fromkeys(r["benchmark"] for r in rows))
    configs = list(dict.fromkeys(f"{r['model']} / {r['mode']}" for r in rows))
    width = 0.8 / len(configs)
    fig, ax = plt.subplots(figsize=(max(6.0, 1.6 * len(benchmarks) + 0.25 * len(configs)), 4.5))
    for i, config in enumerate(configs):
        scores = {r["benchmark"]: r["ndcg@10"] for r in rows if f"{r['model']} / {r['mode']}" == config}
        values = [scores.get(b, 0.0) for b in benchmarks]
        ax.bar([x + i * width for x in range(len(benchmarks))], values, width, label=config)
    ax.set_xticks([x + 0.4 - width / 2 for x in range(len(benchmarks))], benchmarks)
    ax.set_ylabel("nDCG@10")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=7, loc="lower left", ncol=2)
    ax.set_title("nDCG@10 per benchmark en configuratie")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def plot_per_question(scores: Mapping[str, Sequence[float]], path: Path, *, label: str = "nDCG@10") -> bool:
    """Per-question scores, sorted, one line per benchmark: where the failures are and how many."""
    scores = {name: values for name, values in scores.items() if values}
    if not scores:
        return False
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.0, 4.0))
    for name, values in scores.items():
        ordered = sorted(values)
        ax.plot(
            [i / max(1, len(ordered) - 1) for i in range(len(ordered))],
            ordered,
            label=f"{name} (n={len(ordered)})",
        )
    ax.set_xlabel("aandeel vragen (gesorteerd)")
    ax.set_ylabel(label)
    ax.set_ylim(-0.02, 1.02)
    ax.legend(fontsize=8)
    ax.set_title(f"{label} per vraag")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def per_question_scores(result: dict[str, Any]) -> dict[str, list[float]]:
    """nDCG@10 per query of every BEIR set and answerable gold case in ``result``."""
    scores: dict[str, list[float]] = {}
    for run in beir_runs(result):
        scores[str(run.get("benchmark"))] = [_ndcg(q) for q in run["per_query"]]
    for name, detail in (result.get("benchmarks") or {}).items():
        scores[name] = [_ndcg(q) for q in detail.get("per_query", [])]
    gold = gold_part(result)
    if gold and gold.get("cases"):
        scores["gold"] = [float(c["ndcg@10"]) for c in gold["cases"] if c.get("ndcg@10") is not None]
    return scores


def write_report(
    result: dict[str, Any], out_dir: Path, *, configuration: dict[str, Any] | None = None
) -> Path:
    """Write ``report.md``, ``report.html``, the plots and ``run.json`` into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    configuration = dict(configuration or {})
    configuration.setdefault("datum", datetime.now().isoformat(timespec="seconds"))
    images: list[Image] = []
    if plot_comparison(result.get("comparison") or [], out_dir / "comparison.png"):
        images.append(Image("comparison.png", "nDCG@10 per benchmark en configuratie"))
    if plot_per_question(per_question_scores(result), out_dir / "per_question.png"):
        images.append(Image("per_question.png", "nDCG@10 per vraag"))
    blocks = report_blocks(result, configuration, images)
    (out_dir / "report.md").write_text(render_markdown(blocks), encoding="utf-8")
    (out_dir / "report.html").write_text(render_html(blocks), encoding="utf-8")
    (out_dir / "run.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return out_dir / "report.md"
