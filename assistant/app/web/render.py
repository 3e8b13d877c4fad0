"""HTML for the web app: answers with clickable markers, progress, the evidence panel, filters.

Pure functions from the services' typed results (or their JSON) to strings. Every text that comes from
an archive document or a user is escaped here: a document may hold ``<script>``, and the chat renders
HTML. A marker ``[n]`` becomes ``<a class="cite" href="#bron=T:n">`` (the chat's sanitiser keeps
``href``, not ``data-`` attributes); a small script in the page (:data:`CITE_SCRIPT`) turns a click on
it into a call that opens source ``n`` of turn ``T`` in the side panel.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from typing import Any

from assistant.core.dates import format_date

_MARKERS = re.compile(r"((?:\[\d+\])+)")
_ONE = re.compile(r"\[(\d+)\]")

#: What each answering stage looks like to a user (Stage.name -> Dutch).
STAGES = {
    "condense": "Vervolgvraag in de context van het gesprek plaatsen…",
    "retrieve": "Zoeken in het archief…",
    "found": "{detail} document(en) gevonden. Antwoord opstellen…",
    "generate": "Antwoord schrijven…",
    "verify": "Elke zin controleren tegen de bronnen…",
}


def stage_text(name: str, detail: str = "") -> str:
    """The Dutch progress line of an answering stage."""
    return STAGES.get(name, name).format(detail=detail)


def cite_links(text: str, turn: str) -> str:
    """``text`` escaped, with each ``[n]`` marker a link that opens source ``n`` of ``turn``."""
    parts = _MARKERS.split(text)
    out: list[str] = []
    for index, part in enumerate(parts):
        if index % 2 == 0:
            out.append(html.escape(part, quote=False))
            continue
        for number in _ONE.findall(part):
            out.append(
                f'<a class="cite" href="#bron={html.escape(turn)}:{number}" '
                f'title="Open bron {number}">[{number}]</a>'
            )
    return "".join(out)


def _location(citation: Mapping[str, Any]) -> str:
    if citation.get("page"):
        return f"p. {citation['page']}" + (" (OCR)" if citation.get("ocr") else "")
    if citation.get("slide"):
        return f"dia {citation['slide']}"
    return str(citation.get("section") or "")


def source_line(citation: Mapping[str, Any]) -> str:
    """One numbered source: title, date, type, kenmerk and page or slide (escaped)."""
    facts = [
        format_date(str(citation["date"])) if citation.get("date") else "",
        str(citation.get("doc_type") or ""),
        f"kenmerk {citation['kenmerk']}" if citation.get("kenmerk") else "",
        _location(citation),
    ]
    detail = ", ".join(f for f in facts if f)
    title = html.escape(str(citation.get("title") or citation.get("source") or ""))
    return f"{title} ({html.escape(detail)})" if detail else title


def removed_block(removed: Sequence[Mapping[str, Any]]) -> str:
    """The sentences the check took out, collapsed, each with why."""
    if not removed:
        return ""
    items = "".join(
        f"<li>{html.escape(str(r['text']))} <em>({html.escape(str(r.get('why', '')))})</em></li>"
        for r in removed
    )
    return (
        f'<details class="removed"><summary>{len(removed)} zin(nen) weggelaten: niet door een bron gedekt'
        f"</summary><ul>{items}</ul></details>"
    )


def answer_html(
    text: str,
    citations: Sequence[Mapping[str, Any]],
    turn: str,
    *,
    refused: bool = False,
    nearest: Sequence[Mapping[str, Any]] = (),
    removed: Sequence[Mapping[str, Any]] = (),
) -> str:
    """A finished answer: verified text with clickable markers, the source list, removed sentences.

    A refusal shows its text (what was searched) and the nearest documents, each openable.
    """
    if refused:
        lines = [line for line in text.splitlines() if not line.startswith("- ")]
        body = "<br>".join(html.escape(line) for line in lines if not line.startswith("Dichtstbijzijnde"))
        docs = "".join(
            f'<li><a class="cite" href="#bron={html.escape(turn)}:{n}">{source_line(d)}</a></li>'
            for n, d in enumerate(nearest, start=1)
        )
        listing = (
            f'<div class="sources"><b>Dichtstbijzijnde documenten</b><ol>{docs}</ol></div>' if docs else ""
        )
        return f'<div class="refusal">{body}</div>{listing}'
    body = "<br>".join(cite_links(line, turn) for line in text.splitlines())
    # Two passages of one page are two numbers but one place: listed once, with both numbers.
    places: dict[str, list[int]] = {}
    for citation in sorted(citations, key=lambda c: int(c["n"])):
        places.setdefault(source_line(citation), []).append(int(citation["n"]))
    items = "".join(
        "<li>"
        + " ".join(f'<a class="cite" href="#bron={html.escape(turn)}:{n}">[{n}]</a>' for n in numbers)
        + f' <a class="cite" href="#bron={html.escape(turn)}:{numbers[0]}">{line}</a></li>'
        for line, numbers in places.items()
    )
    sources = f'<div class="sources"><b>Bronnen</b><ul>{items}</ul></div>' if items else ""
    return f'<div class="answer">{body}</div>{sources}{removed_block(removed)}'


def draft_html(text: str, status: str) -> str:
    """Text of a model still being written or checked: visibly a draft, never the answer."""
    body = "<br>".join(html.escape(line) for line in text.splitlines())
    return (
        f'<div class="status">{html.escape(status)}</div>'
        f'<div class="draft"><div class="draft-label">Concept — wordt nog gecontroleerd</div>{body}</div>'
    )


def progress_html(lines: Sequence[str]) -> str:
    """The progress so far (newest last) while no text is there yet."""
    return '<div class="status">' + "<br>".join(html.escape(line) for line in lines) + "</div>"


_LINE_BREAK = re.compile(r"(?<!\n)\n(?!\n|\s*(?:[-•*–]|\d+[.)])\s)")


def _flow(text: str) -> str:
    """A PDF's hard line breaks joined into running text; paragraph breaks and list items stay."""
    return _LINE_BREAK.sub(" ", text)


def evidence_html(
    meta: Mapping[str, Any], text: str, span: tuple[int, int] | None, *, window: int = 900, note: str = ""
) -> str:
    """The evidence panel: the source's facts, and the passage marked in its surrounding text."""
    facts = [
        ("Titel", meta.get("title")),
        ("Datum", format_date(str(meta["date"])) if meta.get("date") else None),
        ("Type", meta.get("doc_type")),
        ("Kenmerk", meta.get("kenmerk")),
        ("Vindplaats", meta.get("location")),
        ("Bestand", meta.get("source")),
    ]
    rows = "".join(
        f"<tr><th>{label}</th><td>{html.escape(str(value))}</td></tr>" for label, value in facts if value
    )
    if span is None:
        context = html.escape(_flow(text[: 2 * window])) + ("…" if len(text) > 2 * window else "")
        marked = (
            f'<p class="nomark">De passage kon niet precies worden aangewezen; dit is de tekst.</p>{context}'
        )
    else:
        start, end = span
        lo, hi = max(0, start - window), min(len(text), end + window)
        marked = (
            ("…" if lo else "")
            + html.escape(_flow(text[lo:start]))
            + f'<mark id="passage">{html.escape(_flow(text[start:end]))}</mark>'
            + html.escape(_flow(text[end:hi]))
            + ("…" if hi < len(text) else "")
        )
    extra = f'<p class="note">{html.escape(note)}</p>' if note else ""
    return f'<table class="facts">{rows}</table>{extra}<div class="context">{marked}</div>'


def filters_summary(values: Mapping[str, Any]) -> str:
    """The active filters in one Dutch line, or that none are set."""
    parts = []
    if values.get("date_from") or values.get("date_to"):
        parts.append(f"periode {values.get('date_from') or '…'} t/m {values.get('date_to') or '…'}")
    if values.get("doc_types"):
        parts.append("type " + ", ".join(values["doc_types"]))
    if values.get("addressee"):
        parts.append(f"geadresseerde '{values['addressee']}'")
    if values.get("folder"):
        parts.append(f"map {values['folder']}")
    if not parts:
        return "Geen filters: het hele archief."
    return "**Actieve filters:** " + html.escape("; ".join(parts))


#: Opens a source when a marker is clicked: the key in the marker's ``href`` goes into a hidden textbox and a
#: hidden button fires the Python handler. Event delegation, so markers rendered later work too.
CITE_SCRIPT = """
<script>
document.addEventListener("click", (event) => {
  const link = event.target.closest('a[href^="#bron="]');
  if (!link) return;
  event.preventDefault();
  const box = document.querySelector("#cite-target textarea, #cite-target input");
  const button = document.querySelector("#cite-open");
  if (!box || !button) return;
  box.value = decodeURIComponent(link.getAttribute("href").slice("#bron=".length));
  box.dispatchEvent(new Event("input", { bubbles: true }));
  setTimeout(() => button.click(), 50);
});
// When the panel shows a marked passage, scroll its text box (not the page) to it.
new MutationObserver(() => {
  const mark = document.querySelector("#evidence mark#passage:not([data-seen])");
  if (!mark) return;
  mark.setAttribute("data-seen", "1");
  const box = mark.closest(".context");
  if (box) box.scrollTop = Math.max(0, mark.offsetTop - box.clientHeight / 3);
}).observe(document.documentElement, { childList: true, subtree: true });
</script>
"""

CSS = """
.status { color: #555; font-style: italic; margin-bottom: .4em; }
.draft { border-left: 4px solid #e0a800; background: #fff8e1; padding: .4em .6em; color: #555; }
.draft-label { font-weight: bold; font-size: .85em; color: #8a6d00; }
.refusal { border-left: 4px solid #9e9e9e; padding-left: .6em; }
.sources { margin-top: .6em; font-size: .9em; }
.sources ol { margin: .2em 0 0 1.2em; }
.sources ul { list-style: none; margin: .2em 0 0 .2em; padding: 0; }
a.cite { color: #0b57d0; text-decoration: none; font-weight: 600; cursor: pointer; }
a.cite:hover { text-decoration: underline; }
details.removed { margin-top: .5em; font-size: .85em; color: #666; }
table.facts th { text-align: left; padding-right: 1em; vertical-align: top; }
.context { position: relative; white-space: pre-wrap; font-size: .92em; max-height: 28em; overflow-y: auto;
  border: 1px solid #ddd; padding: .6em; margin-top: .5em; }
mark#passage { background: #ffe066; padding: 0 .1em; }
.nomark, .note { font-size: .85em; color: #666; }
"""
