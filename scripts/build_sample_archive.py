"""Build the sample IPO lobby archive under ``data/`` from the seed extractions of one IPO presentation.

The seeds are two text extractions of the IPO presentation "Lobby namens de provincies in Den Haag"
(``000_*.txt``: cleaner text incl. the embedded letters and press clippings; ``001_*.txt``: the slide
order). This script reads them at build time and writes the documents an archive would hold: two
letters (DOCX + PDF), the deck (PPTX + PDF) and separate reactions, position papers, inbreng and a
background note in DOCX, PDF, Markdown and HTML, plus ``docs/sample-archive.md``
(kept outside data/ so it is not ingested as an archive document).

Faithfulness is enforced, not promised: every piece of text that goes into a document is either cut
from the seed text (long passages, by start/end anchors) or checked to occur in a seed (short
items); only strings wrapped in :class:`Ed` (titles, "Datum:"-lines, letter layout, archive notes)
are editorial framing. ``[…]`` marks text that is clipped in the seed; ``[xx]`` is an editorial
completion of a clipped word. The build fails if a seed passage is missing.

Usage (from the repository root)::

    .venv/bin/python scripts/build_sample_archive.py [--seeds ../shared/seeds] [--out data]

Needs the DejaVu Sans TrueType fonts (Debian/Ubuntu package ``fonts-dejavu-core``) for the PDFs, for
€ and ë; pass ``--font-dir`` if they live elsewhere. Output is deterministic: fixed creation dates,
and DOCX/PPTX zip entries are rewritten with fixed timestamps, so a rebuild is byte-identical.
"""

from __future__ import annotations

import argparse
import html
import io
import re
import sys
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt, RGBColor
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from lxml import etree
from pptx import Presentation
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches
from pptx.util import Pt as PptPt

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SEEDS = REPO.parent / "shared" / "seeds"
SEED_FULL = "000_c3277b4c3cb96f35.txt"
SEED_SLIDES = "001_58738fa6074fde0d.txt"

FONT_REGULAR = "DejaVuSans.ttf"
FONT_BOLD = "DejaVuSans-Bold.ttf"
FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/usr/local/share/fonts"),
    Path("/Library/Fonts"),
)

IPO = "Interprovinciaal Overleg"
AFZENDER = "Interprovinciaal Overleg (IPO)"
DECK_TITLE = "Lobby namens de provincies in Den Haag"
DECK_SUBTITLE = "De rol van parlementaire lobby bij IPO"

MONTHS = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip

# Obvious extraction typos, fixed in the seed text before anything is taken from it. Each must occur.
FIXES: tuple[tuple[str, str], ...] = (
    ("Hoofdpijnenakkoord", "Hoofdlijnenakkoord"),
    ("Strateg Public Affairs", "Strateeg Public Affairs"),
    ("UItkomst", "Uitkomst"),
    ("digitaliseringsstrategi (NDS)", "digitaliseringsstrategie (NDS)"),
    ("bevrozing", "bevriezing"),
    ("regionsamenwerking versnellen werken", "regionale samenwerking versnellend werken"),
    ("moblitieit", "mobiliteit"),
    ("mobiliteitssyteem", "mobiliteitssysteem"),
    ("gezamelijk", "gezamenlijk"),
    ("petitie's", "petities"),
    ("Nader uit gewerkt", "Nader uitgewerkt"),
    ("FINANCIELE", "FINANCIËLE"),
    ("Inlichtingen bij :", "Inlichtingen bij:"),
    ("Email :", "Email:"),
)


class Ed(str):
    """Editorial framing (a title, a date line, letter layout): exempt from the seed check."""

    __slots__ = ()


class SeedError(RuntimeError):
    """A passage the archive needs is not (or no longer) in the seed text."""


def nl_date(d: date) -> str:
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def _tidy(raw: str) -> str:
    """One seed paragraph as clean text: emphasis markers dropped, whitespace collapsed."""
    text = raw.replace("**", "").replace("*", "")
    return re.sub(r"\s+", " ", text).strip()


def _unmark(text: str) -> str:
    """Strip list markers ("- > ", "➤ ", "❖ ") from the start of a seed line."""
    return re.sub(r"^[\s\-–>➤❖•]+", "", text).strip()


_PRIVATE_USE = re.compile(r"[\ue000-\uf8ff]")
_EDITORIAL = re.compile(r"\[[^\]]*\]")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "„": '"'})


def _norm(text: str) -> str:
    """Comparison form: case, quote style, list glyphs, emphasis and line wrapping do not matter."""
    text = _PRIVATE_USE.sub(" ", text).replace("*", "").translate(_QUOTES)
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r" ([:;,.?!)])", r"\1", text)
    return text.casefold().strip()


def _mark(text: str, edits: Sequence[tuple[str, str]]) -> str:
    """Apply editorial clip marks (``[…]``) to a seed passage; each target must occur exactly once."""
    for old, new in edits:
        if text.count(old) != 1:
            raise SeedError(f"clip mark target {old!r} occurs {text.count(old)}x, expected once")
        text = text.replace(old, new)
    return text


class Seeds:
    """The two seed extractions, with typo fixes applied, and checks that text comes from them."""

    def __init__(self, seed_dir: Path) -> None:
        paths = (seed_dir / SEED_FULL, seed_dir / SEED_SLIDES)
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            raise SeedError(f"seed file(s) not found: {', '.join(missing)} (pass --seeds DIR)")
        full, slides = (p.read_text(encoding="utf-8") for p in paths)
        for old, new in FIXES:
            if old not in full and old not in slides:
                raise SeedError(f"typo fix {old!r} matches nothing in the seeds")
            full, slides = full.replace(old, new), slides.replace(old, new)
        self.full = full
        self.slides = slides
        self._norm_full = _norm(full)
        self._norm_slides = _norm(slides)
        self.checked = 0

    def check(self, text: str) -> None:
        """Raise unless ``text`` (editorial ``[...]`` parts ignored) occurs in one of the seeds."""
        if isinstance(text, Ed):
            return
        key = _norm(_EDITORIAL.sub(" ", text))
        if key and key not in self._norm_full and key not in self._norm_slides:
            raise SeedError(f"text not found in the seeds: {text!r}")
        self.checked += 1

    def fmt(self, template: str, *parts: str) -> Ed:
        """Editorial template filled with seed parts; each part is checked against the seeds."""
        for part in parts:
            self.check(part)
        return Ed(template.format(*parts))

    def _span(self, start: str, end: str) -> str:
        i = self.full.find(start)
        if i < 0:
            raise SeedError(f"start anchor not in {SEED_FULL}: {start!r}")
        j = self.full.find(end, i)
        if j < 0:
            raise SeedError(f"end anchor not in {SEED_FULL} after {start!r}: {end!r}")
        return self.full[i : j + len(end)]

    def paragraphs(self, start: str, end: str) -> list[str]:
        """The blank-line separated paragraphs of the full seed from ``start`` through ``end``."""
        parts = (_tidy(p) for p in re.split(r"\n[ \t]*\n", self._span(start, end)))
        return [p for p in parts if p]

    def lines(self, start: str, end: str) -> list[str]:
        """The non-empty lines of the full seed from ``start`` through ``end``."""
        parts = (_tidy(line) for line in self._span(start, end).splitlines())
        return [p for p in parts if p]

    def paragraph(self, start: str, end: str) -> str:
        paras = self.paragraphs(start, end)
        if len(paras) != 1:
            raise SeedError(f"expected one paragraph from {start!r} to {end!r}, got {len(paras)}")
        return paras[0]

    def check_slide_order(self, titles: Iterable[str]) -> None:
        """The slide titles must occur in this order in the slide-order extraction (001_*.txt)."""
        pos = 0
        for title in titles:
            pattern = r"(?<!\w)" + re.escape(_norm(title)) + r"(?!\w)"
            match = re.compile(pattern).search(self._norm_slides, pos)
            if match is None:
                raise SeedError(f"slide {title!r} not found in {SEED_SLIDES} after position {pos}")
            pos = match.end()


# --------------------------------------------------------------------------------------------------
# Document model
# --------------------------------------------------------------------------------------------------

Item = tuple[str, str]
"""(kind, text). Kinds: h2/h3 headings, p paragraph, b/bb bullets (level 1/2), bh bold bullet,
h label (bold, no bullet; slides), note (archive note), quote."""


@dataclass(frozen=True)
class Doc:
    folder: str
    slug: str
    fmt: str  # docx | pdf | md | html
    title: str
    when: date
    doc_type: str
    blocks: tuple[Item, ...]
    subtitle: str = ""

    @property
    def path(self) -> str:
        return f"{self.folder}/{self.when.isoformat()}_{self.slug}.{self.fmt}"

    @property
    def meta_lines(self) -> tuple[Ed, ...]:
        return (
            Ed(f"Datum: {nl_date(self.when)}"),
            Ed(f"Afzender: {AFZENDER}"),
            Ed(f"Documenttype: {self.doc_type}"),
        )


@dataclass(frozen=True)
class Letter:
    slug: str
    title: str
    when: date
    kenmerk: str
    onderwerp: str
    addressee: tuple[str, ...]
    salutation: str
    body: tuple[Item, ...]
    trailer: tuple[str, ...] = ()

    def path(self, ext: str) -> str:
        return f"brieven/{self.when.isoformat()}_{self.slug}.{ext}"


@dataclass(frozen=True)
class Slide:
    title: str
    body: tuple[Item, ...] = ()
    notes: tuple[str, ...] = ()
    kind: str = "content"  # title | section | content
    order_check: bool = True


@dataclass(frozen=True)
class Deck:
    slug: str
    title: str
    when: date
    slides: tuple[Slide, ...]

    def path(self, ext: str) -> str:
        return f"presentaties/{self.when.isoformat()}_{self.slug}.{ext}"


@dataclass
class Archive:
    letters: list[Letter] = field(default_factory=list)
    deck: Deck | None = None
    docs: list[Doc] = field(default_factory=list)


# --------------------------------------------------------------------------------------------------
# Content, taken from the seeds
# --------------------------------------------------------------------------------------------------

D_OCW = date(2024, 11, 5)
D_BZK = date(2024, 11, 1)
D_DECK = date(2024, 11, 19)  # assumed: not in the seeds, after both letters
D_REGEER = date(2024, 9, 13)
D_PRINSJESDAG = date(2024, 9, 17)
D_AFB = date(2024, 10, 1)
D_H3B = date(2024, 9, 2)  # assumed
D_BEGROTING = date(2024, 10, 15)  # assumed
D_OVERHEDEN = date(2024, 10, 22)  # assumed
D_NDS = date(2024, 11, 12)  # assumed
D_NOTA = date(2024, 11, 19)  # assumed

OCW_ONDERWERP = "Contract Studenten Reis Product en implicaties OV-voorzieningenniveau/tarief"
BZK_ONDERWERP = "Inbreng provincies voor de Nationale Digitaliseringsstrategie"

LOBBY_STEPS = (
    "Agenderen",
    "Mobiliseren en coalities sluiten",
    "Ontwerpen (ambtelijk overleg IPO)",
    "Consulteren (consultatie-reactie IPO)",
    "Bestuurlijk akkoord (IPO aan tafel)",
    "Politiek akkoord (IPO+)",
    "Kamerbrief (meelezen IPO)",
    "Debat, moties, amendement",
    "Stemmingen",
    "Behandeling Eerste Kamer",
)
LOBBY_QUOTE = '"Beïnvloeding is een proces van lange adem, wij lobbyisten doen maar een klein stukje"'

AANBOD = (
    "Onze topprioriteit voor de NDS: een excellente informatiepositie voor de opgaven in de fysieke "
    "leefomgeving.",
    "Om onze ambities waar te maken moet de informatiehuishouding van de overheid op orde zijn",
    "We delen graag onze lessen op gebied van digitale ethiek",
    "We benutten graag de kansen die Europa biedt",
    "Digitaal vakmanschap is essentieel voor overheid en bedrijfsleven",
)


def ocw_letter(sd: Seeds) -> Letter:
    body = sd.paragraphs("Dagelijks reizen honderdduizenden", "belangrijke gesprekspartner in dit geheel.")
    if len(body) != 4:
        raise SeedError(f"OCW letter: expected 4 body paragraphs, got {len(body)}")
    trailer = sd.lines("Inlichtingen bij:", "HvdBaan@ipo.nl")
    return Letter(
        slug="brief-ocw-studenten-reis-product",
        title=sd.fmt("Brief aan de minister van OC&W: {}", OCW_ONDERWERP),
        when=D_OCW,
        kenmerk="11812/2024",
        onderwerp=OCW_ONDERWERP,
        addressee=(
            "Aan de heer dr. E.E.W. Bruins, minister van OC&W",
            "Postbus 16375",
            "2500 BJ 's-GRAVENHAGE",
        ),
        salutation="Geachte heer Bruins,",
        body=tuple(("p", p) for p in body),
        trailer=tuple(trailer),
    )


def bzk_letter(sd: Seeds) -> Letter:
    opening = sd.paragraphs(
        "In onze eerste kennismaking", "ervaren de digitale overheid immers als één geheel."
    )
    prio1 = sd.paragraph("1. Onze topprioriteit voor de NDS:", "opgaven in de fysieke leefomgeving")
    prio1_body = sd.paragraphs("Provincies staan als gebiedsautoriteit", "dat inmiddels operationeel is.")
    if len(opening) != 2 or len(prio1_body) != 2:
        raise SeedError("BZK letter: unexpected paragraph structure in the seed")
    body: list[Item] = [("p", p) for p in opening]
    body.append(("h3", prio1))
    body += [("p", p) for p in prio1_body]
    for n, prio in enumerate(AANBOD[1:], start=2):
        sd.check(prio)
        body.append(("h3", Ed(f"{n}. {prio}")))
    body.append(
        (
            "note",
            Ed(
                "[Archiefnotitie: van deze brief is alleen het begin bewaard (inleiding en de toelichting "
                "bij prioriteit 1). Prioriteiten 2 tot en met 5 zijn opgenomen zoals de presentatie ze "
                "samenvat; hun toelichting en het slot van de brief ontbreken.]"
            ),
        )
    )
    return Letter(
        slug="brief-bzk-nationale-digitaliseringsstrategie",
        title=sd.fmt(
            "Brief aan de staatssecretaris Digitalisering en Koninkrijksrelaties: {}", BZK_ONDERWERP
        ),
        when=D_BZK,
        kenmerk="11813/2024",
        onderwerp=BZK_ONDERWERP,
        addressee=(
            "Ministerie van Binnenlandse Zaken en Koninkrijksrelaties (BZK)",
            "Staatssecretaris Digitalisering en Koninkrijksrelaties",
            "Drs. F.Z. Szabó",
            "Postbus 20011",
            "2500 EA Den Haag",
        ),
        salutation="Geachte heer Szabó,",
        body=tuple(body),
    )


def h3b_sections(sd: Seeds) -> list[tuple[str, str, list[tuple[str, list[str]]]]]:
    """The H3b input as (section, intro, [(point, paragraphs)]) from the full seed."""
    paras = sd.paragraphs("Inzet richting Prinsjesdag:", "bestaande middelen en andere financiering.")
    sections: list[tuple[str, str, list[tuple[str, list[str]]]]] = []
    for para in paras:
        if para.endswith(":") and not para.startswith(("-", "➤")):
            sections.append((para.rstrip(":"), "", []))
        elif para.startswith(("-", "➤")):
            sections[-1][2].append((_unmark(para), []))
        elif not sections[-1][2]:
            name, _, points = sections[-1]
            sections[-1] = (name, para, points)
        else:
            sections[-1][2][-1][1].append(para)
    shape = [len(points) for _, _, points in sections]
    if shape != [2, 4]:
        raise SeedError(f"H3b: expected 2 + 4 points, got {shape}")
    return sections


def press(sd: Seeds) -> dict[str, str]:
    """Press clippings and other fragments as they appear in the seed (clipped text marked […])."""
    nos_fragment = _mark(
        sd.paragraph("Het Interprovinciaal Overleg (IPO), dat de provincies", "problemen met het stroomnet."),
        (
            ("provincies dat dat het", "provincies dat […] dat het"),
            ("voor de pr van", "voor de pr[…] van"),
            ("het IPO dossiers", "het IPO […] dossiers"),
            ("er p komen", "er p[…] komen"),
            ("is er de problemen", "is er […] de problemen"),
        ),
    )
    volkskrant = _mark(
        sd.paragraph("De provincies zijn meer te spreken over het regeerpr", "om aan te pakken."),
        (
            ("regeerpr zo", "regeerpr[…] zo"),
            ("Interprovinciaal (IPO)", "Interprovinciaal […] (IPO)"),
            ("een goede kabinet", "een goede […] kabinet"),
            ("woningtek benadrukt", "woningtek[…] benadrukt"),
            ("worden aanverwante", "worden […] aanverwante"),
            ("bereikbaar overbelasting", "bereikbaar[…] overbelasting"),
            ("provincies zorgen", "provincies […] zorgen"),
            ("om aan te pakken", "om […] aan te pakken"),
        ),
    )
    afb = _mark(
        sd.paragraph("Het kabinet wil een betrouwbare overheid zijn", "doet zich een paradoxale situatie"),
        (
            ("zowel binet", "zowel [met het ka]binet"),
            ("paradoxale situatie", "paradoxale situatie […]"),
        ),
    )
    return {
        "reactie": sd.paragraph("Provincies gaan graag met het kabinet", "een cruciale rol."),
        "nos": sd.paragraph("De provincies vinden dat er onvoldoende geld", "vrijdag is gepresenteerd."),
        "nos_fragment": nos_fragment,
        "volkskrant": volkskrant,
        "kop_sch": "Het IPO lijkt meer te spreken over de plannen van het kabinet Sch[…]",
        "afb": afb,
        "anp": sd.paragraph("Over dat rijk gesproken", "addertje onder het gras.'"),
        **{
            f"fd{i}": p
            for i, p in enumerate(
                sd.paragraphs("De provincies krijgen, net als de gemeenten", "op dezelfde wijze."), start=1
            )
        },
    }


def deck(sd: Seeds) -> Deck:
    pr = press(sd)
    h3b = h3b_sections(sd)
    oog = "Oog voor sterk bestuur en medeoverheden – Regeerprogramma"
    fbv = "Financiële en bestuurlijke verhoudingen"

    def h3b_items(index: int) -> tuple[Item, ...]:
        _, intro, points = h3b[index]
        items: list[Item] = [("h", intro)] if intro else []
        for point, paras in points:
            items.append(("bh", point))
            items += [("p", p) for p in paras]
        return tuple(items)

    def letter_slide(title: str, to: str, kenmerk: str, when: date, onderwerp: str) -> Slide:
        return Slide(
            Ed(title),
            (
                ("b", sd.fmt("Aan: {}", to)),
                ("b", sd.fmt("Ons kenmerk: {}", kenmerk)),
                ("b", sd.fmt("Datum: {}", nl_date(when))),
                ("b", sd.fmt("Onderwerp: {}", onderwerp)),
            ),
        )

    slides = (
        Slide(
            DECK_TITLE,
            (
                ("p", DECK_SUBTITLE),
                ("p", "Door Robin Middel"),
                ("p", "Strateeg Public Affairs en Communicatie"),
                ("p", IPO),
                ("p", Ed(nl_date(D_DECK))),
            ),
            kind="title",
            order_check=False,
        ),
        Slide("Lobby", (("h", LOBBY_QUOTE), *(("b", s) for s in LOBBY_STEPS))),
        Slide(
            "Agenderen",
            (
                ("h", '"Er is een probleem!"'),
                (
                    "b",
                    "Issue aanhangig maken (media), ingezonden brief, demonstratie, interview tv/krant etc.",
                ),
                ("b", "Doel: aandacht genereren voor onze boodschap"),
                (
                    "b",
                    "Uitkomst: kamervragen, vraag in debat, motie, amendement, initiatief wetsvoorstel etc.",
                ),
            ),
        ),
        letter_slide(
            "Brief aan de minister van OC&W",
            "de heer dr. E.E.W. Bruins, minister van OC&W",
            "11812/2024",
            D_OCW,
            OCW_ONDERWERP,
        ),
        Slide(
            "Mobiliseren",
            (
                ("h", '"Het is een groot en belangrijk probleem"'),
                (
                    "b",
                    "Coalities smeden en krachten bundelen (het liefst met unusual suspects), media-aandacht "
                    "genereren, enquêtes, polls, oploopjes organiseren, werkbezoeken, "
                    "(verkiezings)debatten etc.",
                ),
                ("b", "Voorbeeld:"),
                (
                    "bb",
                    "Warmtewet publieke route met VNG, IPO, Netbeheerders, mobiliteit studentenreisproduct "
                    "etc.",
                ),
            ),
        ),
        Slide(
            "Praten met beleidsmakers",
            (
                ("h", '"Laten we het samen oplossen!"'),
                ("b", "Meedenken, meepraten, meedoen."),
                ("b", "Veel werk achter de schermen"),
                *(("bb", s) for s in LOBBY_STEPS[2:7]),
                ("b", "Niet naar ons zin? Dan naar politiek!"),
            ),
        ),
        Slide(
            "Richting Kamer",
            (
                ("b", "Bilaterale gesprekken, kennis delen!"),
                ("b", "Broodjes provincies, werkbezoeken, petities, acties."),
                ("b", "Position Papers"),
                ("bb", "Allemaal te vinden op www.ipo.nl/lobby"),
            ),
        ),
        Slide(
            "12 provincies, samen één verhaal",
            (
                ("h", "Provincies hebben toch eigen lobbyisten?"),
                ("b", "Ja, in goede samenwerking"),
                ("b", "Ook eigen belang:"),
                ("bb", "Bv MIRT, regiodeals, gaswinning, krimpgebied etc."),
                ("bb", "Waar we als IPO niets op doen"),
                ("h", "Maar ook een gezamenlijk belang!"),
                ("b", "Gezamenlijke onderwerpen, klimaat, stikstof, warmtewet, mobiliteit."),
                ("b", "Regelmatig overleg, samen sterker in output."),
            ),
        ),
        Slide("Vragen?", kind="section"),
        Slide(
            "Voorbeeld gezamenlijk traject",
            (
                ("h", "Lopend"),
                ("b", "Regeerprogramma"),
                ("bb", "Highlights"),
                ("bb", "Reactie gezamenlijke provincies"),
                ("b", "Troonrede en Miljoenennota"),
                ("bb", "Quick scan"),
                ("bb", "Analyse voor de BAC en begrotingen"),
                ("b", "APB"),
                ("bb", "Analyse HZ"),
                ("b", "AFB"),
                ("bb", "Inbreng overkoepelende (financiële) highlights"),
                ("b", "Begrotingen"),
                ("bb", "Inbreng specifieke (financiële) highlights"),
                ("b", "Overhedenoverleg"),
                ("bb", "Kernboodschappen"),
            ),
        ),
        Slide(
            "Regeerprogramma",
            (
                ("h", "Afwijkingen Hoofdlijnenakkoord"),
                ("b", "Bedoeling is om dit snel te gebruiken op de dag zelf voor externe reactie."),
                ("h", "Resultaat"),
                ("b", "Toon = combinatie van constructief en kritisch"),
                ("b", "Gekozen voor specifieke thema's: wonen, LG, financiën"),
                ("b", "Duidelijk narratief om op verder te bouwen"),
            ),
            notes=(
                Ed("Resultaat, zoals getoond op de dia:"),
                sd.fmt(
                    "{} – {}: {}",
                    "13 september 2024",
                    "Reactie regeerprogramma: Ruimte voor realisatie",
                    pr["reactie"],
                ),
                sd.fmt(
                    'NOS, {}: "{}" – {}',
                    "14 sep 2024",
                    "Provincies: 'Geld ontbreekt om doelen te halen'",
                    pr["nos"],
                ),
                sd.fmt("de Volkskrant (fragment, tekst in de bron afgekapt): {}", pr["volkskrant"]),
                sd.fmt("Kop (afgekapt): {}", pr["kop_sch"]),
            ),
        ),
        Slide(
            "Troonrede en Miljoenennota",
            (
                ("h", "Twee highlights reactie voorzitter"),
                ("b", "Quick scan voor de provincies"),
                ("b", "Externe reactie Ina Adema (taken en middelen in balans)"),
                ("h", "Analyse voor begrotingsbehandeling"),
                ("b", "Voor de BAC"),
                ("b", "Voor de begrotingsbehandeling gereed"),
                ("h", "Resultaat"),
                ("b", sd.fmt("FD, {}: {}", "17.56 uur", "Ook de provincies krijgen minder geld")),
            ),
            notes=(
                sd.fmt('Resultaat – FD, {}: "{}"', "17.56 uur", "Ook de provincies krijgen minder geld"),
                pr["fd1"],
                pr["fd2"],
                pr["fd3"],
            ),
        ),
        Slide(
            "Algemene Politieke Beschouwingen",
            (("h", "Algemeen verslag APB door IPO (lobby)"), ("b", "Voor bredere analyse")),
        ),
        Slide(
            "Algemene Financiële Beschouwingen",
            (
                ("h", "Overkoepelende (financiële) highlights"),
                ("b", "Nader uitgewerkt in begrotingsbehandelingen"),
                ("b", "Taken en middelen in balans"),
                ("b", "Regie in eigen regio"),
                ("h", "Resultaat"),
                ("b", sd.fmt("Binnenlands Bestuur: {}", "Urgente Opgaven, Gebrek aan middelen")),
                (
                    "b",
                    sd.fmt(
                        "Persbureau ANP ({}): {}",
                        "1 oktober, 17:55",
                        "Provincies willen kabinet helpen, maar verlangen wel meer geld",
                    ),
                ),
                ("b", sd.fmt("De Telegraaf: {}", "Provincies willen helpen mits Rijk meer geld geeft")),
            ),
            notes=(
                sd.fmt(
                    "Binnenlands Bestuur – {}. {}:",
                    "Urgente Opgaven, Gebrek aan middelen",
                    "Inbreng Interprovinciaal Overleg Algemene Financiële Beschouwingen",
                ),
                pr["afb"],
                sd.fmt(
                    'Persbureau ANP, {} – "{}":',
                    "1 oktober, 17:55",
                    "Provincies willen kabinet helpen, maar verlangen wel meer geld",
                ),
                pr["anp"],
                sd.fmt(
                    '{} – {}: "{}" ({}, {}). {}: {}',
                    "De Telegraaf",
                    "Boodschap jaarcongres",
                    "Provincies willen helpen mits Rijk meer geld geeft",
                    "Ina Adema",
                    "Voorzitter Interprovinciaal Overleg",
                    "Oproep provincies",
                    "Urgente opgave, gebrek aan middelen",
                ),
            ),
        ),
        Slide(
            "Begrotingsbehandeling",
            (
                ("h", "Onderwerpen inbrengen per thema"),
                ("b", "Infrastructuur mobiliteit rond woningbouw."),
                ("b", "Structurele financiering behoud immaterieel erfgoed"),
                ("b", "Doorwerking Spuks op halen klimaatdoelen"),
                ("b", "Aandachtspunten Nationale Digitaliserings Strategie"),
                ("h", "Resultaat"),
            ),
        ),
        Slide(
            "Overhedenoverleg",
            (
                ("h", "Overkoepelende thema's"),
                (
                    "b",
                    "Negen thema's waarover gesprek met medeoverheden moeten plaatsvinden in regeerprogramma",
                ),
                ("b", "Gesprek gaat met name erover om daar meer lijn in te krijgen."),
                ("b", "Meerdere overheidsoverleggen gepland."),
                ("h", "Resultaat"),
            ),
        ),
        Slide(oog, (("h", fbv), *OOG[0])),
        Slide(oog, (("h", fbv), *OOG[1])),
        Slide(oog, (("h", fbv), *OOG[2])),
        Slide("Inzet gezamenlijke provincies Hoofdlijnenakkoord 2024", kind="section"),
        Slide("H3b: Infrastructuur, openbaar vervoer en luchtvaart", kind="section"),
        Slide(
            sd.fmt("H3b – {}", h3b[0][0]),
            h3b_items(0),
            order_check=False,
        ),
        Slide(
            sd.fmt("H3b – {}", h3b[1][0]),
            h3b_items(1),
            order_check=False,
        ),
        Slide("Nationale digitaliseringsstrategie (NDS)", kind="section"),
        Slide("Doel NDS", tuple(("b", s) for s in DOEL_NDS)),
        Slide("Uitgangspunten NDS", tuple(("b", s) for s in UITGANGSPUNTEN_NDS)),
        Slide(
            "Prioriteiten in de Nationale Digitaliseringsstrategie",
            (*(("b", s) for s in PRIORITEITEN_NDS), ("p", SCHRIJFGROEPEN)),
        ),
        Slide(
            "Aanbod provincies (brief aan Staatssecretaris d.d. 1/11/2024)", tuple(("b", s) for s in AANBOD)
        ),
        letter_slide(
            "Brief aan de staatssecretaris Digitalisering en Koninkrijksrelaties",
            sd.fmt(
                "{}, {} ({})",
                "Drs. F.Z. Szabó",
                "Staatssecretaris Digitalisering en Koninkrijksrelaties",
                "BZK",
            ),
            "11813/2024",
            D_BZK,
            BZK_ONDERWERP,
        ),
        Slide("Vervolg", (("p", "Projectplanning Nederlandse Digitaliseringsstrategie (NDS)"),)),
        Slide("Digitalisering in het IPO Bestuursprogramma", DIGI_1),
        Slide("Digitalisering in het IPO Bestuursprogramma", DIGI_2),
    )
    sd.check_slide_order(s.title for s in slides if s.order_check and not isinstance(s.title, Ed))
    return Deck(
        slug="presentatie-lobby-namens-de-provincies-in-den-haag",
        title=Ed(f"{DECK_TITLE} — {DECK_SUBTITLE}"),
        when=D_DECK,
        slides=slides,
    )


OOG: tuple[tuple[Item, ...], ...] = (
    (
        (
            "b",
            "Overheden nemen gezamenlijk verantwoordelijkheid voor de grote opgaven. Belangrijk is dat "
            "plannen "
            "haalbaar en uitvoerbaar zijn.",
        ),
        (
            "bb",
            "Dit vraagt om beter betrekken van medeoverheden: Uitvoerbaarheidstoets Decentrale Overheden "
            "(UDO).",
        ),
        (
            "bb",
            "Nadere afspraken gemaakt over hoe medeoverheden betrokken worden bij de uitwerking: "
            "Overhedenoverleg.",
        ),
        ("b", "Oproep om houdbare en toereikende financiering van decentrale overheden te waarborgen."),
    ),
    (
        (
            "b",
            "Voldoende beleidsmatige ruimte voor het maken van eigen afwegingen en administratieve- en "
            "controlelasten te verminderen.",
        ),
        (
            "bb",
            "Specifieke uitkeringen (Spuks) in 2026 omzetten in fondsuitkeringen. Omzetten met 10% korting "
            "is "
            "niet reëel.",
        ),
        (
            "bb",
            "Het uitkeringsstelsel moderniseren door wijziging van de Financiële-verhoudingswet. Introductie "
            "bijzondere fondsuitkering waarbij er ook oog is voor de financiële risicoverdeling tussen "
            "Rijk en "
            "medeoverheden.",
        ),
        ("b", "Basis op orde en voldoende geld in het provinciefonds"),
        ("bb", "Korting op het provincie- en gemeentefonds is nog niet opgelost."),
        (
            "bb",
            "De inflatiecompensatie voor het gemeente- en provinciefonds stelselmatig koppelen aan "
            "werkelijke inflatie.",
        ),
    ),
    (
        (
            "b",
            "Van belang dat taken en bevoegdheden aan het best passend bestuurlijk niveau worden "
            "toebedeeld en "
            "dat ambities, taken, middelen en uitvoeringskracht – en democratische controle daarop – in "
            "balans "
            "zijn.",
        ),
        (
            "b",
            "Er wordt een Beleidskader decentraal en gedeconcentreerd bestuur opgesteld met een "
            "afwegingskader "
            "voor het Rijk voor de toedeling van taken en bevoegdheden.",
        ),
        (
            "b",
            "Impact van de ingevoerde bbp-systematiek voor het provinciefonds. Afspraak om onderzoek uit te "
            "voeren naar de balans taken-middelen m.b.t. Infrastructuur, Openbaar Vervoer en Natuur.",
        ),
    ),
)

DOEL_NDS = (
    "Hoofdlijnen digitaliseringsbeleid voor komende jaren vaststellen als één overheid en gezamenlijk werken "
    "aan overstijgende opgaven.",
    "Belang van digitalisering onderstrepen.",
    "Kabinet in staat stellen om gezamenlijk en integraal te sturen.",
    "Samenleving en parlement inzicht bieden in kabinetsbrede inzet op digitalisering.",
)
UITGANGSPUNTEN_NDS = (
    "Opgavegericht als één overheid",
    "Gebruiken wat er al ligt",
    "Departementen en medeoverheden in de lead laten en bestaande strategieën benutten",
    "Voldoende tijd voor afstemming met stakeholders",
    "Aansluiting bij Europese initiatieven in het voordeel van Nederland",
)
PRIORITEITEN_NDS = (
    "Eén-overheidsgedachte (politiek/bestuurlijke aansturing): overkoepelend punt voor uitwerking alle "
    "prio's",
    "Burgers en ondernemers centraal",
    "Data(gedreven werken)",
    "AI",
    "Cloud",
    "Digitale weerbaarheid",
    "Goed toegeruste ambtenaren",
)
SCHRIJFGROEPEN = (
    "Provincies hebben de mogelijkheid om actief inbreng te leveren, en zijn aangesloten bij "
    '"schrijfgroepen" per thema.'
)
DIGI_1: tuple[Item, ...] = (
    (
        "p",
        "In IPO-verband werken de provincies samen aan de volgende strategische doelen op gebied van "
        "Digitalisering:",
    ),
    (
        "b",
        "Versterken informatiepositie provincies voor maatschappelijke opgaven, afzonderlijk en in samenhang",
    ),
    ("b", "Coördineren implementatie digitaliseringswetgeving bij provincies"),
    ("b", "Lessen delen voor borging publieke waarden bij digitalisering provincies (ethiek)"),
)
DIGI_2: tuple[Item, ...] = (
    (
        "p",
        "Het Werkplan Digitalisering IPO 2024-2027 bevat een nadere uitwerking van de activiteiten onder elk "
        "van deze strategische doelen. Daarnaast beschrijft dit werkplan hoe de gezamenlijke provincies:",
    ),
    ("b", "werken aan strategievorming op het gebied van digitalisering"),
    ("b", "hun belangenbehartigingsagenda op dit thema inrichten, en"),
    (
        "b",
        "portefeuillehouders Digitalisering in de colleges van GS en de bestuurlijke adviescommissies bij "
        "IPO "
        "voor de transitie in de fysieke leefomgeving betrekken bij het thema.",
    ),
)


def documents(sd: Seeds) -> list[Doc]:
    pr = press(sd)
    h3b = h3b_sections(sd)
    media = Ed("Berichtgeving (mediaberichten over de inzet van het IPO; geen IPO-tekst)")

    regeer = Doc(
        folder="reacties",
        slug="reactie-regeerprogramma-ruimte-voor-realisatie",
        fmt="html",
        title="Reactie regeerprogramma: Ruimte voor realisatie",
        when=D_REGEER,
        doc_type="reactie",
        blocks=(
            ("h2", Ed("Reactie")),
            ("p", pr["reactie"]),
            ("h2", Ed("Aanpak en thema's")),
            ("b", "Afwijkingen Hoofdlijnenakkoord"),
            ("b", "Bedoeling is om dit snel te gebruiken op de dag zelf voor externe reactie."),
            ("b", "Toon = combinatie van constructief en kritisch"),
            (
                "b",
                sd.fmt(
                    "Gekozen voor specifieke thema's: {}, {} ({}), {}",
                    "wonen",
                    "landelijk gebied",
                    "LG",
                    "financiën",
                ),
            ),
            ("b", "Duidelijk narratief om op verder te bouwen"),
            ("h2", media),
            (
                "h3",
                sd.fmt(
                    'NOS, {} ({}): "{}"',
                    "14 sep 2024",
                    "René Bouwmeester",
                    "Provincies: 'Geld ontbreekt om doelen te halen'",
                ),
            ),
            ("p", pr["nos"]),
            ("p", sd.fmt("Fragment (tekst in de bron afgekapt): {}", pr["nos_fragment"])),
            ("h3", Ed("de Volkskrant")),
            ("p", sd.fmt("Fragment (tekst in de bron afgekapt): {}", pr["volkskrant"])),
            ("h3", Ed("Kop zonder bronvermelding")),
            ("p", sd.fmt("Fragment (afgekapt): {}", pr["kop_sch"])),
        ),
    )
    troonrede = Doc(
        folder="reacties",
        slug="reactie-troonrede-en-miljoenennota",
        fmt="docx",
        title=sd.fmt("Reactie {} (Prinsjesdag 2024)", "Troonrede en Miljoenennota"),
        when=D_PRINSJESDAG,
        doc_type="reactie",
        blocks=(
            ("h2", "Twee highlights reactie voorzitter"),
            ("b", "Quick scan voor de provincies"),
            ("b", "Externe reactie Ina Adema (taken en middelen in balans)"),
            ("h2", "Analyse voor begrotingsbehandeling"),
            ("b", "Voor de BAC"),
            ("b", "Voor de begrotingsbehandeling gereed"),
            ("h2", media),
            ("h3", sd.fmt('FD, {}: "{}"', "17.56 uur", "Ook de provincies krijgen minder geld")),
            ("p", pr["fd1"]),
            ("p", pr["fd2"]),
            ("p", pr["fd3"]),
        ),
    )
    afb = Doc(
        folder="inbreng",
        slug="inbreng-algemene-financiele-beschouwingen",
        fmt="pdf",
        title="Urgente opgaven, gebrek aan middelen",
        subtitle="Inbreng Interprovinciaal Overleg Algemene Financiële Beschouwingen",
        when=D_AFB,
        doc_type="inbreng",
        blocks=(
            ("p", pr["afb"]),
            (
                "note",
                Ed("[Archiefnotitie: de tekst van de inbreng is in de bron na deze alinea afgebroken.]"),
            ),
            ("h2", "Overkoepelende (financiële) highlights"),
            ("b", "Taken en middelen in balans"),
            ("b", "Regie in eigen regio"),
            ("b", "Nader uitgewerkt in begrotingsbehandelingen"),
            ("h2", media),
            ("h3", sd.fmt('Binnenlands Bestuur: "{}"', "Urgente Opgaven, Gebrek aan middelen")),
            (
                "h3",
                sd.fmt(
                    'Persbureau ANP, {}: "{}"',
                    "1 oktober, 17:55",
                    "Provincies willen kabinet helpen, maar verlangen wel meer geld",
                ),
            ),
            ("p", pr["anp"]),
            (
                "h3",
                sd.fmt(
                    '{} – {}: "{}"',
                    "De Telegraaf",
                    "Boodschap jaarcongres",
                    "Provincies willen helpen mits Rijk meer geld geeft",
                ),
            ),
            (
                "p",
                sd.fmt(
                    '{}, {}. {}: "{}"',
                    "Ina Adema",
                    "Voorzitter Interprovinciaal Overleg",
                    "Oproep provincies",
                    "Urgente opgave, gebrek aan middelen",
                ),
            ),
        ),
    )
    h3b_blocks: list[Item] = []
    for section, intro, points in h3b:
        h3b_blocks.append(("h2", section))
        if intro:
            h3b_blocks.append(("p", intro))
        for point, paras in points:
            h3b_blocks.append(("h3", point))
            h3b_blocks += [("p", p) for p in paras]
    h3b_doc = Doc(
        folder="positions",
        slug="position-paper-hoofdlijnenakkoord-h3b-infrastructuur-ov-luchtvaart",
        fmt="docx",
        title="Inzet gezamenlijke provincies Hoofdlijnenakkoord 2024",
        subtitle="H3b: Infrastructuur, openbaar vervoer en luchtvaart",
        when=D_H3B,
        doc_type="position paper",
        blocks=tuple(h3b_blocks),
    )
    begroting = Doc(
        folder="inbreng",
        slug="inbreng-begrotingsbehandeling",
        fmt="md",
        title=sd.fmt("Inbreng {}", "begrotingsbehandeling"),
        when=D_BEGROTING,
        doc_type="inbreng",
        blocks=(
            ("h2", "Onderwerpen inbrengen per thema"),
            ("b", "Infrastructuur mobiliteit rond woningbouw."),
            ("b", "Structurele financiering behoud immaterieel erfgoed"),
            ("b", "Doorwerking Spuks op halen klimaatdoelen"),
            ("b", "Aandachtspunten Nationale Digitaliserings Strategie"),
            ("h2", Ed("Plaats in het gezamenlijke traject")),
            ("b", "Inbreng specifieke (financiële) highlights"),
            ("b", "Analyse voor de BAC en begrotingen"),
            ("b", "Voor de begrotingsbehandeling gereed"),
        ),
    )
    overheden = Doc(
        folder="inbreng",
        slug="inbreng-overhedenoverleg-financiele-en-bestuurlijke-verhoudingen",
        fmt="html",
        title=sd.fmt("Inbreng {}: {}", "overhedenoverleg", "financiële en bestuurlijke verhoudingen"),
        subtitle="Oog voor sterk bestuur en medeoverheden – Regeerprogramma",
        when=D_OVERHEDEN,
        doc_type="inbreng",
        blocks=(
            ("h2", "Overkoepelende thema's"),
            ("b", "Negen thema's waarover gesprek met medeoverheden moeten plaatsvinden in regeerprogramma"),
            ("b", "Gesprek gaat met name erover om daar meer lijn in te krijgen."),
            ("b", "Meerdere overheidsoverleggen gepland."),
            ("h2", "Financiële en bestuurlijke verhoudingen"),
            *OOG[0],
            *OOG[1],
            *OOG[2],
        ),
    )
    nds = Doc(
        folder="positions",
        slug="position-paper-aandachtspunten-nds",
        fmt="pdf",
        title=sd.fmt("Aandachtspunten provincies {}", "Nationale Digitaliseringsstrategie"),
        when=D_NDS,
        doc_type="position paper",
        blocks=(
            ("h2", "Doel NDS"),
            *(("b", s) for s in DOEL_NDS),
            ("h2", "Uitgangspunten NDS"),
            *(("b", s) for s in UITGANGSPUNTEN_NDS),
            ("h2", "Prioriteiten in de Nationale Digitaliseringsstrategie"),
            *(("b", s) for s in PRIORITEITEN_NDS),
            ("p", SCHRIJFGROEPEN),
            ("h2", "Aanbod provincies (brief aan Staatssecretaris d.d. 1/11/2024)"),
            *(("b", s) for s in AANBOD),
            ("h2", "Digitalisering in het IPO Bestuursprogramma"),
            *DIGI_1,
            *DIGI_2,
            ("h2", "Vervolg"),
            ("p", "Projectplanning Nederlandse Digitaliseringsstrategie (NDS)"),
        ),
    )
    nota = Doc(
        folder="achtergrond",
        slug="nota-het-lobbyproces-van-ipo",
        fmt="md",
        title=Ed("Het lobbyproces van IPO"),
        subtitle=sd.fmt(
            'Toelichting voor nieuwe medewerkers, naar de presentatie "{}" ({}, {})',
            DECK_TITLE,
            "Robin Middel",
            "Strateeg Public Affairs en Communicatie",
        ),
        when=D_NOTA,
        doc_type="nota",
        blocks=(
            ("quote", LOBBY_QUOTE),
            ("h2", Ed("De stappen")),
            *(("n", s) for s in LOBBY_STEPS),
            ("h2", "Agenderen"),
            ("p", '"Er is een probleem!"'),
            ("b", "Issue aanhangig maken (media), ingezonden brief, demonstratie, interview tv/krant etc."),
            ("b", "Doel: aandacht genereren voor onze boodschap"),
            ("b", "Uitkomst: kamervragen, vraag in debat, motie, amendement, initiatief wetsvoorstel etc."),
            ("h2", "Mobiliseren en coalities sluiten"),
            ("p", '"Het is een groot en belangrijk probleem"'),
            (
                "b",
                "Coalities smeden en krachten bundelen (het liefst met unusual suspects), media-aandacht "
                "genereren, enquêtes, polls, oploopjes organiseren, werkbezoeken, (verkiezings)debatten etc.",
            ),
            ("b", "Voorbeeld:"),
            (
                "bb",
                "Warmtewet publieke route met VNG, IPO, Netbeheerders, mobiliteit studentenreisproduct etc.",
            ),
            ("h2", "Praten met beleidsmakers"),
            ("p", '"Laten we het samen oplossen!"'),
            ("b", "Meedenken, meepraten, meedoen."),
            ("b", "Veel werk achter de schermen"),
            *(("bb", s) for s in LOBBY_STEPS[2:7]),
            ("b", "Niet naar ons zin? Dan naar politiek!"),
            ("h2", "Richting Kamer"),
            ("b", "Bilaterale gesprekken, kennis delen!"),
            ("b", "Broodjes provincies, werkbezoeken, petities, acties."),
            ("b", "Position Papers"),
            ("bb", "Allemaal te vinden op www.ipo.nl/lobby"),
            ("h2", "12 provincies, samen één verhaal"),
            ("p", "Provincies hebben toch eigen lobbyisten?"),
            ("b", "Ja, in goede samenwerking"),
            ("b", "Ook eigen belang:"),
            ("bb", "Bv MIRT, regiodeals, gaswinning, krimpgebied etc."),
            ("bb", "Waar we als IPO niets op doen"),
            ("p", "Maar ook een gezamenlijk belang!"),
            ("b", "Gezamenlijke onderwerpen, klimaat, stikstof, warmtewet, mobiliteit."),
            ("b", "Regelmatig overleg, samen sterker in output."),
            ("h2", "Voorbeeld gezamenlijk traject"),
            ("b", sd.fmt("{}: {}; {}", "Regeerprogramma", "Highlights", "Reactie gezamenlijke provincies")),
            (
                "b",
                sd.fmt(
                    "{}: {}; {}",
                    "Troonrede en Miljoenennota",
                    "Quick scan",
                    "Analyse voor de BAC en begrotingen",
                ),
            ),
            ("b", sd.fmt("{}: {}", "APB", "Analyse HZ")),
            ("b", sd.fmt("{}: {}", "AFB", "Inbreng overkoepelende (financiële) highlights")),
            ("b", sd.fmt("{}: {}", "Begrotingen", "Inbreng specifieke (financiële) highlights")),
            ("b", sd.fmt("{}: {}", "Overhedenoverleg", "Kernboodschappen")),
        ),
    )
    return [regeer, troonrede, afb, h3b_doc, begroting, overheden, nds, nota]


def build_archive(sd: Seeds) -> Archive:
    archive = Archive(letters=[ocw_letter(sd), bzk_letter(sd)], deck=deck(sd), docs=documents(sd))
    # Every string that is not editorial framing must come from the seeds.
    for letter in archive.letters:
        for text in (letter.onderwerp, letter.salutation, *letter.addressee, *letter.trailer):
            sd.check(text)
        for _, text in letter.body:
            sd.check(text)
    assert archive.deck is not None
    for slide in archive.deck.slides:
        sd.check(slide.title)
        for _, text in slide.body:
            sd.check(text)
        for text in slide.notes:
            sd.check(text)
    for doc in archive.docs:
        for text in (doc.title, doc.subtitle):
            sd.check(text)
        for _, text in doc.blocks:
            sd.check(text)
    return archive


# --------------------------------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------------------------------


def _stamp(d: date) -> datetime:
    """Fixed creation timestamp for a document date (noon UTC, so no time zone shifts the day)."""
    return datetime(d.year, d.month, d.day, 12, 0, 0, tzinfo=UTC)


def _stabilise_zip(path: Path, d: date) -> None:
    """Rewrite an OOXML package with fixed entry timestamps so rebuilds are byte-identical."""
    with zipfile.ZipFile(path) as zin:
        entries = [(info.filename, zin.read(info.filename)) for info in zin.infolist()]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=(d.year, d.month, d.day, 12, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zout.writestr(info, data)
    path.write_bytes(buf.getvalue())


def _core_props(
    props: object, title: str, d: date, doc_type: str, subject: str = "", keywords: str = ""
) -> None:
    stamp = _stamp(d).replace(tzinfo=None)
    props.title = title  # type: ignore[attr-defined]
    props.author = IPO  # type: ignore[attr-defined]
    props.last_modified_by = IPO  # type: ignore[attr-defined]
    props.created = stamp  # type: ignore[attr-defined]
    props.modified = stamp  # type: ignore[attr-defined]
    props.revision = 1  # type: ignore[attr-defined]
    props.category = doc_type  # type: ignore[attr-defined]
    props.subject = subject  # type: ignore[attr-defined]
    props.keywords = keywords  # type: ignore[attr-defined]
    props.language = "nl-NL"  # type: ignore[attr-defined]
    props.comments = ""  # type: ignore[attr-defined]


# ---- DOCX -----------------------------------------------------------------------------------------


def _docx_new() -> docx.document.Document:
    document = docx.Document()
    for section in document.sections:
        section.page_height, section.page_width = Cm(29.7), Cm(21.0)
        section.left_margin = section.right_margin = Cm(2.5)
        section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    normal = document.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10.5)
    return document


def _docx_line(
    document: docx.document.Document,
    text: str,
    size: float = 10.5,
    bold: bool = False,
    grey: bool = False,
    after: float = 0,
) -> None:
    para = document.add_paragraph()
    para.paragraph_format.space_after = Pt(after)
    run = para.add_run(text)
    run.font.size = Pt(size)
    run.bold = bold
    if grey:
        run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)


def _docx_blocks(document: docx.document.Document, blocks: Iterable[Item]) -> None:
    for kind, text in blocks:
        if kind == "h2":
            document.add_heading(text, level=1)
        elif kind == "h3":
            document.add_heading(text, level=2)
        elif kind in ("b", "bh"):
            para = document.add_paragraph(style="List Bullet")
            para.add_run(text).bold = kind == "bh"
        elif kind == "bb":
            document.add_paragraph(text, style="List Bullet 2")
        elif kind == "n":
            document.add_paragraph(text, style="List Number")
        elif kind == "quote":
            document.add_paragraph(text, style="Quote")
        elif kind == "note":
            para = document.add_paragraph()
            run = para.add_run(text)
            run.italic = True
            run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
        else:
            document.add_paragraph(text)


def write_letter_docx(letter: Letter, path: Path) -> None:
    document = _docx_new()
    _docx_line(document, IPO, size=16, bold=True)
    _docx_line(document, "van, voor en door provincies", size=9, grey=True, after=24)
    for i, line in enumerate(letter.addressee):
        _docx_line(document, line, after=18 if i == len(letter.addressee) - 1 else 0)

    table = document.add_table(rows=2, cols=4)
    labels = ("uw brief van", "uw kenmerk", "ons kenmerk", "datum")
    values = ("", "", letter.kenmerk, nl_date(letter.when))
    for col, (label, value) in enumerate(zip(labels, values, strict=True)):
        for row, (text, size, grey) in enumerate(((label, 8, True), (value, 10, False))):
            cell = table.cell(row, col)
            cell.width = Cm(4.0)
            run = cell.paragraphs[0].add_run(text)
            run.font.size = Pt(size)
            if grey:
                run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    document.add_paragraph().paragraph_format.space_after = Pt(0)
    _docx_line(document, f"Onderwerp: {letter.onderwerp}", bold=True)
    _docx_line(document, f"Ons kenmerk: {letter.kenmerk}")
    _docx_line(document, f"Datum: {nl_date(letter.when)}", after=18)

    document.add_paragraph(letter.salutation)
    for kind, text in letter.body:
        if kind == "h3":
            para = document.add_paragraph()
            para.add_run(text).bold = True
        elif kind == "note":
            _docx_blocks(document, [(kind, text)])
        else:
            para = document.add_paragraph(text)
            para.alignment = WD_ALIGN_PARAGRAPH.LEFT
    document.add_paragraph("Hoogachtend,").paragraph_format.space_before = Pt(12)
    _docx_line(document, IPO, after=18)
    for line in letter.trailer:
        _docx_line(document, line, size=9, grey=True)
    _core_props(
        document.core_properties,
        letter.onderwerp,
        letter.when,
        "brief",
        subject=letter.title,
        keywords=f"ons kenmerk {letter.kenmerk}",
    )
    document.save(str(path))
    _stabilise_zip(path, letter.when)


def write_doc_docx(doc: Doc, path: Path) -> None:
    document = _docx_new()
    document.add_heading(doc.title, level=0)
    if doc.subtitle:
        document.add_paragraph(doc.subtitle, style="Subtitle")
    for i, line in enumerate(doc.meta_lines):
        _docx_line(document, line, after=12 if i == len(doc.meta_lines) - 1 else 0)
    _docx_blocks(document, doc.blocks)
    _core_props(document.core_properties, doc.title, doc.when, doc.doc_type, subject=doc.subtitle)
    document.save(str(path))
    _stabilise_zip(path, doc.when)


# ---- PDF ------------------------------------------------------------------------------------------


class _Pdf(FPDF):
    footer_text = ""

    def footer(self) -> None:
        if not self.footer_text:
            return
        self.set_y(-12)
        self.set_font("DejaVu", "", 8)
        self.set_text_color(110, 110, 110)
        self.cell(0, 5, self.footer_text.replace("%PAGE%", str(self.page_no())), align="R")
        self.set_text_color(0, 0, 0)


def _pdf_new(
    fonts: tuple[Path, Path],
    title: str,
    d: date,
    subject: str = "",
    keywords: str = "",
    landscape: bool = False,
) -> _Pdf:
    if landscape:
        pdf = _Pdf(orientation="L", unit="mm", format=(190.5, 338.667))
    else:
        pdf = _Pdf(orientation="P", unit="mm", format="A4")
    pdf.add_font("DejaVu", "", str(fonts[0]))
    pdf.add_font("DejaVu", "B", str(fonts[1]))
    pdf.set_title(title)
    pdf.set_author(IPO)
    pdf.set_creator("scripts/build_sample_archive.py")
    pdf.set_subject(subject)
    pdf.set_keywords(keywords)
    pdf.set_lang("nl-NL")
    pdf.set_creation_date(_stamp(d))
    pdf.set_margins(25, 20, 25)
    pdf.set_auto_page_break(True, margin=20)
    pdf.alias_nb_pages()
    return pdf


def _pdf_text(
    pdf: _Pdf,
    text: str,
    size: float = 10.5,
    bold: bool = False,
    indent: float = 0,
    after: float = 2.0,
    grey: bool = False,
) -> None:
    pdf.set_font("DejaVu", "B" if bold else "", size)
    if grey:
        pdf.set_text_color(90, 90, 90)
    pdf.set_x(pdf.l_margin + indent)
    pdf.multi_cell(pdf.epw - indent, size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)
    pdf.ln(after)


def _pdf_bullet(
    pdf: _Pdf, text: str, level: int, size: float = 10.5, bold: bool = False, glyph: str = ""
) -> None:
    indent = 4 + 6 * level
    pdf.set_font("DejaVu", "", size)
    pdf.set_x(pdf.l_margin + indent)
    pdf.cell(5, size * 0.5, glyph or ("•" if level == 0 else "–"))
    pdf.set_font("DejaVu", "B" if bold else "", size)
    pdf.multi_cell(pdf.epw - indent - 5, size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1.2)


def _pdf_blocks(pdf: _Pdf, blocks: Iterable[Item]) -> None:
    number = 0
    for kind, text in blocks:
        number = number + 1 if kind == "n" else 0
        if kind == "h2":
            pdf.ln(2)
            _pdf_text(pdf, text, size=13, bold=True)
        elif kind == "h3":
            _pdf_text(pdf, text, size=11, bold=True, after=1.5)
        elif kind in ("b", "bh"):
            _pdf_bullet(pdf, text, 0, bold=kind == "bh")
        elif kind == "bb":
            _pdf_bullet(pdf, text, 1)
        elif kind == "n":
            _pdf_bullet(pdf, text, 0, glyph=f"{number}.")
        elif kind == "quote":
            _pdf_text(pdf, text, indent=8, after=3)
        elif kind == "note":
            _pdf_text(pdf, text, size=9, grey=True, after=3)
        else:
            _pdf_text(pdf, text, after=3)


def _pdf_one_line(pdf: _Pdf, text: str, size: float = 10.5, bold: bool = False) -> None:
    """A labelled line kept on one line (smaller type if needed), so "Label: value" stays parseable."""
    style = "B" if bold else ""
    pdf.set_font("DejaVu", style, size)
    while size > 7 and pdf.get_string_width(text) > pdf.epw - 2 * pdf.c_margin:
        size -= 0.25
        pdf.set_font("DejaVu", style, size)
    pdf.cell(pdf.epw, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(0.5)


def write_letter_pdf(letter: Letter, path: Path, fonts: tuple[Path, Path]) -> None:
    pdf = _pdf_new(
        fonts, letter.onderwerp, letter.when, subject=letter.title, keywords=f"ons kenmerk {letter.kenmerk}"
    )
    pdf.footer_text = f"{IPO} · ons kenmerk {letter.kenmerk} · pagina %PAGE%/{{nb}}"
    pdf.add_page()
    _pdf_text(pdf, IPO, size=16, bold=True, after=0.5)
    _pdf_text(pdf, "van, voor en door provincies", size=9, grey=True, after=10)
    for line in letter.addressee:
        _pdf_text(pdf, line, after=0.5)
    pdf.ln(8)
    _pdf_one_line(pdf, f"Ons kenmerk: {letter.kenmerk}")
    _pdf_one_line(pdf, f"Datum: {nl_date(letter.when)}")
    _pdf_one_line(pdf, f"Onderwerp: {letter.onderwerp}", bold=True)
    pdf.ln(7.5)
    _pdf_text(pdf, letter.salutation, after=3)
    for kind, text in letter.body:
        if kind == "h3":
            _pdf_text(pdf, text, bold=True, after=2)
        elif kind == "note":
            _pdf_text(pdf, text, size=9, grey=True, after=3)
        else:
            _pdf_text(pdf, text, after=3)
    pdf.ln(3)
    _pdf_text(pdf, "Hoogachtend,", after=1)
    _pdf_text(pdf, IPO, after=8)
    for line in letter.trailer:
        _pdf_text(pdf, line, size=9, grey=True, after=0.5)
    pdf.output(str(path))


def write_doc_pdf(doc: Doc, path: Path, fonts: tuple[Path, Path]) -> None:
    pdf = _pdf_new(fonts, doc.title, doc.when, subject=doc.subtitle)
    pdf.footer_text = f"{IPO} · {doc.title} · pagina %PAGE%/{{nb}}"
    pdf.add_page()
    _pdf_text(pdf, doc.title, size=17, bold=True, after=1.5)
    if doc.subtitle:
        _pdf_text(pdf, doc.subtitle, size=12, after=3)
    for line in doc.meta_lines:
        _pdf_text(pdf, line, size=10, after=0.5)
    pdf.ln(2)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(4)
    _pdf_blocks(pdf, doc.blocks)
    pdf.output(str(path))


def _slide_block_height(pdf: _Pdf, body: Sequence[Item], size: float, width: float) -> float:
    total = 0.0
    for kind, text in body:
        indent = {"bb": 16.0, "p": 0.0, "h": 0.0}.get(kind, 8.0)
        pdf.set_font("DejaVu", "B" if kind in ("h", "bh") else "", size)
        height = pdf.multi_cell(width - indent, size * 0.45, text, dry_run=True, output="HEIGHT")
        total += float(height) + size * 0.18
    return total


def write_deck_pdf(deck_: Deck, path: Path, fonts: tuple[Path, Path]) -> None:
    pdf = _pdf_new(fonts, deck_.title, deck_.when, subject=Ed("Presentatie"), landscape=True)
    pdf.set_auto_page_break(False)
    pdf.set_margins(18, 14, 18)
    for number, slide in enumerate(deck_.slides, start=1):
        pdf.add_page()
        pdf.set_fill_color(0, 84, 135)
        pdf.rect(0, 0, pdf.w, 6, style="F")
        if slide.kind in ("title", "section"):
            pdf.set_y(58 if slide.kind == "title" else 80)
            pdf.set_font("DejaVu", "B", 32 if slide.kind == "title" else 30)
            pdf.multi_cell(pdf.epw, 14, slide.title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(6)
            for _, text in slide.body:
                pdf.set_font("DejaVu", "", 16)
                pdf.multi_cell(pdf.epw, 9, text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        else:
            pdf.set_y(14)
            pdf.set_font("DejaVu", "B", 24)
            pdf.multi_cell(pdf.epw, 11, slide.title, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(5)
            top = pdf.get_y()
            room = pdf.h - top - 14
            size = 20.0
            while size > 7 and _slide_block_height(pdf, slide.body, size, pdf.epw) > room:
                size -= 0.5
            for kind, text in slide.body:
                indent = {"bb": 16.0, "p": 0.0, "h": 0.0}.get(kind, 8.0)
                pdf.set_font("DejaVu", "B" if kind in ("h", "bh") else "", size)
                if kind in ("b", "bb", "bh"):
                    pdf.set_x(pdf.l_margin + indent - 6)
                    pdf.cell(6, size * 0.45, "•" if kind != "bb" else "–")
                pdf.set_x(pdf.l_margin + indent)
                pdf.multi_cell(
                    pdf.epw - indent, size * 0.45, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
                )
                pdf.ln(size * 0.18)
        pdf.set_font("DejaVu", "", 9)
        pdf.set_text_color(110, 110, 110)
        pdf.set_xy(pdf.l_margin, pdf.h - 10)
        pdf.cell(pdf.epw, 5, f"{IPO} · {number}", align="R")
        pdf.set_text_color(0, 0, 0)
    pdf.output(str(path))


# ---- PPTX -----------------------------------------------------------------------------------------


def _no_bullet(paragraph: object) -> None:
    ppr = paragraph._p.get_or_add_pPr()  # type: ignore[attr-defined]
    ppr.set("marL", "0")
    ppr.set("indent", "0")
    etree.SubElement(ppr, qn("a:buNone"))


def _pptx_size(body: Sequence[Item]) -> int:
    chars = sum(len(text) for _, text in body) + 40 * len(body)
    for limit, size in ((450, 24), (750, 20), (1000, 18), (1400, 16), (1900, 13), (2500, 11)):
        if chars <= limit:
            return size
    return 10


def write_deck_pptx(deck_: Deck, path: Path) -> None:
    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(12192000), Emu(6858000)
    width = prs.slide_width - Inches(1.2)
    layouts = {
        "title": prs.slide_layouts[0],
        "section": prs.slide_layouts[5],
        "content": prs.slide_layouts[1],
    }
    for slide_def in deck_.slides:
        slide = prs.slides.add_slide(layouts[slide_def.kind])
        title = slide.shapes.title
        assert title is not None
        title.text = slide_def.title
        if slide_def.kind == "section":
            title.left, title.top, title.width, title.height = Inches(0.6), Inches(2.6), width, Inches(1.6)
        elif slide_def.kind == "title":
            title.left, title.top, title.width, title.height = Inches(0.6), Inches(1.6), width, Inches(1.5)
            subtitle = slide.placeholders[1]
            subtitle.left, subtitle.top, subtitle.width, subtitle.height = (
                Inches(0.6),
                Inches(3.3),
                width,
                Inches(2.8),
            )
            frame = subtitle.text_frame
            for i, (_, text) in enumerate(slide_def.body):
                para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
                para.add_run().text = text
                para.runs[0].font.size = PptPt(24 if i == 0 else 18)
        else:
            title.left, title.top, title.width, title.height = Inches(0.6), Inches(0.3), width, Inches(1.1)
            for run in title.text_frame.paragraphs[0].runs:
                run.font.size = PptPt(32 if len(slide_def.title) < 45 else 26)
            body = slide.placeholders[1]
            body.left, body.top, body.width, body.height = Inches(0.6), Inches(1.5), width, Inches(5.6)
            frame = body.text_frame
            frame.word_wrap = True
            size = _pptx_size(slide_def.body)
            for i, (kind, text) in enumerate(slide_def.body):
                para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
                run = para.add_run()
                run.text = text
                run.font.size = PptPt(size)
                run.font.bold = kind in ("h", "bh")
                para.level = 1 if kind == "bb" else 0
                if kind in ("h", "p"):
                    _no_bullet(para)
        if slide_def.notes:
            slide.notes_slide.notes_text_frame.text = "\n".join(slide_def.notes)
    _core_props(
        prs.core_properties,
        deck_.title,
        deck_.when,
        "presentatie",
        subject="Door Robin Middel, Strateeg Public Affairs en Communicatie",
    )
    prs.save(str(path))
    _stabilise_zip(path, deck_.when)


# ---- Markdown / HTML ------------------------------------------------------------------------------


def write_doc_md(doc: Doc, path: Path) -> None:
    out = [f"# {doc.title}", ""]
    if doc.subtitle:
        out += [f"_{doc.subtitle}_", ""]
    for line in doc.meta_lines:
        out += [line, ""]
    number = 0
    previous = ""
    for kind, text in doc.blocks:
        list_kind = kind in ("b", "bb", "bh", "n")
        if previous and not list_kind and previous in ("b", "bb", "bh", "n"):
            out.append("")
        number = number + 1 if kind == "n" else 0
        if kind == "h2":
            out += [f"## {text}", ""]
        elif kind == "h3":
            out += [f"### {text}", ""]
        elif kind in ("b", "bh"):
            out.append(f"- **{text}**" if kind == "bh" else f"- {text}")
        elif kind == "bb":
            out.append(f"  - {text}")
        elif kind == "n":
            out.append(f"{number}. {text}")
        elif kind == "quote":
            out += [f"> {text}", ""]
        else:
            out += [text, ""]
        previous = kind
    text_out = "\n".join(out).rstrip("\n") + "\n"
    path.write_text(text_out, encoding="utf-8", newline="\n")


def _html_list(items: Sequence[Item]) -> list[str]:
    """A run of bullets as a <ul>, sub-bullets (bb) nested under the bullet before them."""
    e = html.escape
    out = ["<ul>"]
    i = 0
    while i < len(items):
        kind, text = items[i]
        label = f"<strong>{e(text)}</strong>" if kind == "bh" else e(text)
        j = i + 1
        while j < len(items) and items[j][0] == "bb":
            j += 1
        if j > i + 1:
            out.append(f"<li>{label}")
            out.append("<ul>")
            out += [f"<li>{e(sub)}</li>" for _, sub in items[i + 1 : j]]
            out.append("</ul>")
            out.append("</li>")
        else:
            out.append(f"<li>{label}</li>")
        i = j
    out.append("</ul>")
    return out


def write_doc_html(doc: Doc, path: Path) -> None:
    e = html.escape
    out = [
        "<!DOCTYPE html>",
        '<html lang="nl">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{e(doc.title)}</title>",
        f'<meta name="author" content="{e(IPO)}">',
        f'<meta name="date" content="{doc.when.isoformat()}">',
        f'<meta name="dcterms.created" content="{doc.when.isoformat()}">',
        f'<meta name="dcterms.type" content="{e(doc.doc_type)}">',
        "</head>",
        "<body>",
        "<article>",
        f"<h1>{e(doc.title)}</h1>",
    ]
    if doc.subtitle:
        out.append(f'<p class="subtitle">{e(doc.subtitle)}</p>')
    out += [f'<p class="meta">{e(line)}</p>' for line in doc.meta_lines]
    blocks = list(doc.blocks)
    i = 0
    while i < len(blocks):
        kind, text = blocks[i]
        if kind in ("b", "bh", "bb"):
            j = i
            while j < len(blocks) and blocks[j][0] in ("b", "bh", "bb"):
                j += 1
            out += _html_list(blocks[i:j])
            i = j
            continue
        if kind == "h2":
            out.append(f"<h2>{e(text)}</h2>")
        elif kind == "h3":
            out.append(f"<h3>{e(text)}</h3>")
        elif kind == "quote":
            out.append(f"<blockquote>{e(text)}</blockquote>")
        else:
            out.append(f"<p>{e(text)}</p>")
        i += 1
    out += ["</article>", "</body>", "</html>", ""]
    path.write_text("\n".join(out), encoding="utf-8", newline="\n")


# --------------------------------------------------------------------------------------------------
# README
# --------------------------------------------------------------------------------------------------

ASSUMED = "assumed (not in the seeds)"
FROM_SEED = "from the seeds"
NOTES: dict[str, tuple[str, str]] = {
    # path prefix -> (where the date comes from, description)
    "brieven/2024-11-05": (
        FROM_SEED,
        "Letter from IPO to the minister of OC&W (dr. E.E.W. Bruins), ons kenmerk 11812/2024, onderwerp "
        '"Contract Studenten Reis Product en implicaties OV-voorzieningenniveau/tarief" (€200 miljoen less '
        'income, plm. 110 miljoen decentraal; request for a bestuurlijk gesprek; "Inlichtingen bij" lines). '
        "Full letter text from the seeds. The letterhead (DOCX: a 2-row table uw brief van / uw kenmerk / "
        'ons kenmerk / datum; both formats: labelled lines "Ons kenmerk:", "Datum:", "Onderwerp:") and '
        'the closing "Hoogachtend, Interprovinciaal Overleg" are added layout; no signer is named.',
    ),
    "brieven/2024-11-01": (
        FROM_SEED,
        "Letter from IPO to the Staatssecretaris Digitalisering en Koninkrijksrelaties (BZK, drs. F.Z. "
        'Szabó), ons kenmerk 11813/2024, onderwerp "Inbreng provincies voor de Nationale '
        "Digitaliseringsstrategie\". **The seeds hold only part of this letter's text**: the opening and "
        "priority 1 with its explanation. Priorities 2-5 appear only as headings, taken word for word from "
        'the slide "Aanbod provincies (brief aan Staatssecretaris d.d. 1/11/2024)"; their explanation and '
        "the end of the letter are missing. The letter itself says so in a bracketed archive note.",
    ),
    "presentaties/": (
        ASSUMED,
        'The deck "Lobby namens de provincies in Den Haag — De rol van parlementaire lobby bij IPO" (Robin '
        "Middel, Strateeg Public Affairs en Communicatie): 32 slides, one PDF page per slide, in the seeds' "
        "order. **The date 19 november 2024 is assumed** (not in the seeds; it post-dates both letters). "
        "Two short slides referring to the letters (title, kenmerk, datum, onderwerp) were added where the "
        'seeds show the letter texts (after "Agenderen" and after "Aanbod provincies"). Speaker notes '
        '(PPTX only) on "Regeerprogramma", "Troonrede en Miljoenennota" and "Algemene Financiële '
        'Beschouwingen" hold the press clippings the seeds show there as RESULTAAT. "Vragen?" sits after '
        '"12 provincies, samen één verhaal", as in both seeds (the slide numbers 16 and 18 in the seed '
        'confirm this order); there is no closing "Vragen?" slide.',
    ),
    "reacties/2024-09-13": (
        FROM_SEED,
        'IPO reaction to the regeerprogramma "Ruimte voor realisatie": the reaction text, approach and '
        'themes (wonen, landelijk gebied, financiën), and a section "Berichtgeving" marked as media '
        "coverage (NOS 14 sep 2024, de Volkskrant). The Volkskrant text and part of the NOS text are "
        "clipped in the seed; the gaps are marked […].",
    ),
    "reacties/2024-09-17": (
        "derived: Prinsjesdag 2024 (the seeds give no date)",
        "Reaction to Troonrede en Miljoenennota: quick scan, external reaction by chair Ina Adema (taken en "
        "middelen in balans), analysis for the BAC and the begrotingsbehandeling; as media coverage the FD "
        "item on the 10% korting when Spuks move to the provinciefonds and the bbp-koppeling (zo'n 10% of "
        "€300 mln per jaar minder, Bram Schmaal).",
    ),
    "inbreng/2024-10-01": (
        'derived: ANP item dated "1 oktober" (year from context)',
        'Inbreng Algemene Financiële Beschouwingen "Urgente opgaven, gebrek aan middelen": the opening '
        'text (cut off in the seed, marked […]; "[met het ka]binet" completes a clipped word), the '
        "overarching highlights (taken en middelen in balans, regie in eigen regio) and as media coverage "
        "Binnenlands Bestuur, the ANP item with the Ina Adema quote and De Telegraaf / jaarcongres.",
    ),
    "positions/2024-09-02": (
        ASSUMED,
        'Position paper "Inzet gezamenlijke provincies Hoofdlijnenakkoord 2024", H3b Infrastructuur, '
        "openbaar vervoer en luchtvaart: inzet richting Prinsjesdag (€ 2.5 mld = 5 x € 500 mln/jaar for "
        "woningbouw-bereikbaarheid; € 75 mln/jaar shortfall from the herijking Studenten OV next to the "
        "€ 300 mln Bikkermiddelen) and verdere inzet (OV-groei € 100 mln + € 50 mln Social Climate Fund, "
        "verkeersveiligheid SPV structureel € 100 mln vanaf 2026, doorfietsroutes, LAM). Date assumed: an "
        'input "richting Prinsjesdag" 2024. The seed writes "€ 2.5 mld" (kept as is).',
    ),
    "inbreng/2024-10-15": (
        ASSUMED,
        "Inbreng begrotingsbehandeling: the topics per theme (infrastructuur/mobiliteit rond woningbouw, "
        "immaterieel erfgoed, Spuks en klimaatdoelen, aandachtspunten NDS). The seeds give only these "
        "topics, no worked-out text, so this file is short.",
    ),
    "inbreng/2024-10-22": (
        ASSUMED,
        'Inbreng overhedenoverleg, "Oog voor sterk bestuur en medeoverheden – Regeerprogramma": the '
        "overarching themes and the three slides on financiële en bestuurlijke verhoudingen (UDO, "
        "Overhedenoverleg, Spuks met 10% korting niet reëel, Financiële-verhoudingswet, provinciefonds, "
        "inflatiecompensatie, Beleidskader decentraal en gedeconcentreerd bestuur, balans taken-middelen).",
    ),
    "positions/2024-11-12": (
        ASSUMED,
        'Position paper "Aandachtspunten provincies Nationale Digitaliseringsstrategie": doel, '
        "uitgangspunten and prioriteiten of the NDS, the provinces' offer (letter of 1/11/2024), the "
        "digitalisation goals in the IPO Bestuursprogramma and the Werkplan Digitalisering IPO 2024-2027.",
    ),
    "achtergrond/": (
        ASSUMED,
        'Nota "Het lobbyproces van IPO" for new staff: the steps from Agenderen to Behandeling Eerste '
        "Kamer with the slide texts (Agenderen, Mobiliseren, Praten met beleidsmakers, Richting Kamer, 12 "
        "provincies) and the example of the joint track. Date assumed (same as the deck).",
    ),
}

UNPLACED = (
    'The project planning on the slide "Vervolg" ("Projectplanning Nederlandse Digitaliseringsstrategie '
    '(NDS)") was an image in the source; only its heading survives.',
    "A last page without text in the slide-order seed (probably a closing slide) is not reproduced.",
    'Stray numbers "20", "16", "18" (slide/page numbers) are left out; "ip^o" and "van, voor en door '
    'provincies" are the IPO logo and slogan (the slogan is used in the letterhead).',
    'The headline "Het IPO lijkt meer te spreken over de plannen van het kabinet Sch[…]" is clipped and '
    "has no source in the seed; it appears as a fragment with the regeerprogramma reaction and in the notes.",
    'Which activity belongs to which phase on the slide "Voorbeeld gezamenlijk traject" is read from the '
    "order of the text in the seed and from the slides that follow; the seed has no table structure.",
    'Whether the label "De Telegraaf" belongs to the ANP item or to the headline "Provincies willen '
    "helpen mits Rijk meer geld geeft\" cannot be told from the seed; the seed's order is kept.",
    '"Analyse HZ" and "BAC" are not explained in the seeds and are kept as they are.',
    'Some seed text is ungrammatical where words were clipped (e.g. "uitdagingen die Nederland wordt '
    'geconfronteerd"); it is kept rather than guessed.',
)


def write_readme(archive: Archive, out: Path, built: Sequence[Path]) -> None:
    def note(rel: str) -> tuple[str, str]:
        for prefix, value in NOTES.items():
            if rel.startswith(prefix):
                return value
        raise KeyError(rel)

    rows = []
    for path in built:
        rel = path.relative_to(out).as_posix()
        when = date.fromisoformat(rel.split("/")[-1][:10])
        kind = next(
            (d.doc_type for d in archive.docs if d.path == rel),
            "presentatie" if rel.startswith("presentaties/") else "brief",
        )
        size = f"{path.stat().st_size / 1024:.0f} kB"
        rows.append(f"| `{rel}` | {nl_date(when)} | {note(rel)[0]} | {kind} | {size} |")
    details = []
    seen: set[str] = set()
    for path in built:
        rel = path.relative_to(out).as_posix()
        stem = rel.rsplit(".", 1)[0]
        if stem in seen:
            continue
        seen.add(stem)
        exts = sorted(p.suffix.lstrip(".") for p in built if p.with_suffix("") == path.with_suffix(""))
        details.append(f"- **`{stem}`** ({' + '.join(exts)}) — {note(rel)[1]}")
    fixes = "\n".join(f'  - "{old}" → "{new}"' for old, new in FIXES if old.strip(" :") != new.strip(" :"))
    total = sum(p.stat().st_size for p in built)
    text = f"""# Sample archive: IPO lobby documents

A small, real sample archive for the Lobby Archive Assistant: documents the Interprovinciaal Overleg
(IPO) would hold in its lobby archive, in every format the ingestion reads (DOCX, PDF, PPTX, Markdown,
HTML). Everything comes from one IPO presentation, "Lobby namens de provincies in Den Haag — De rol
van parlementaire lobby bij IPO" (Robin Middel, Strateeg Public Affairs en Communicatie), of which
two text extractions live in `../shared/seeds/` (not in this repository). The deck itself shows the
letters, reactions, inbreng and position papers that are separate files here.

This page describes the sample archive in `data/`; it lives outside `data/` so it is not ingested.

Rebuild (from the repository root; needs the seeds and the DejaVu Sans fonts, Debian/Ubuntu package
`fonts-dejavu-core`, used in the PDFs so that € and ë are extractable text):

```
.venv/bin/python scripts/build_sample_archive.py --seeds ../shared/seeds --out data
```

The build is deterministic (fixed creation dates, fixed zip timestamps): a rebuild is byte-identical.

## Faithfulness

The script reads the seeds at build time: long passages are cut from the seed text by start/end
anchors, and every other string is checked to occur in a seed; the build fails otherwise. Only
titles, the lines `Datum:` / `Afzender:` / `Documenttype:`, the letter layout (letterhead, "Hoogachtend,
Interprovinciaal Overleg"), short labels ("Berichtgeving", "Fragment") and bracketed archive notes are
editorial. No facts, figures, names or quotes were added.

- `[…]` marks text that is clipped in the seed; `[met het ka]binet` is the one editorial completion of a
  clipped word.
- Press coverage is always in a section "Berichtgeving" (or in speaker notes) and is not IPO text.
- Extraction typos fixed before use:
{fixes}
- Kept as in the seed: "verschravingen", "verschaalt", "€ 2.5 mld", "Nationale Digitaliserings Strategie".

## Files ({len(built)} files, {total / 1024:.0f} kB in total)

| File | Date | Date source | Type | Size |
|---|---|---|---|---|
{chr(10).join(rows)}

Every non-letter document starts with a title, `Datum: <d maand jjjj>`, `Afzender: Interprovinciaal
Overleg (IPO)` and `Documenttype: <type>` (reactie, inbreng, position paper, nota). Letters carry
`Ons kenmerk:`, `Datum:` and `Onderwerp:` lines. DOCX/PPTX core properties and PDF metadata hold the
title, author "Interprovinciaal Overleg" and the document date as creation date (12:00 UTC); HTML has
`<title>` and `<meta name="date">`. Note that PDF text extraction wraps long lines, so a phrase such
as "plm. 110 miljoen decentraal" may contain a line break: compare with normalised whitespace.

## Per document

{chr(10).join(details)}

## From the seeds but not (fully) placed

{chr(10).join(f"- {item}" for item in UNPLACED)}
"""
    readme = REPO / "docs" / "sample-archive.md"
    readme.parent.mkdir(parents=True, exist_ok=True)
    readme.write_text(text, encoding="utf-8", newline="\n")


# --------------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------------


def find_fonts(font_dir: Path | None) -> tuple[Path, Path]:
    dirs = (font_dir,) if font_dir else FONT_DIRS
    for directory in dirs:
        regular, bold = directory / FONT_REGULAR, directory / FONT_BOLD
        if regular.is_file() and bold.is_file():
            return regular, bold
    where = font_dir or ", ".join(str(d) for d in FONT_DIRS)
    raise SystemExit(
        f"error: the PDFs need the TrueType fonts {FONT_REGULAR} and {FONT_BOLD} (DejaVu Sans, for € and ë), "
        f"not found in {where}. Install them (Debian/Ubuntu: apt-get install fonts-dejavu-core) or pass "
        "--font-dir DIR."
    )


def build(seed_dir: Path, out: Path, fonts: tuple[Path, Path]) -> list[Path]:
    sd = Seeds(seed_dir)
    archive = build_archive(sd)
    built: list[Path] = []

    def target(rel: str) -> Path:
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        built.append(path)
        return path

    for letter in archive.letters:
        write_letter_docx(letter, target(letter.path("docx")))
        write_letter_pdf(letter, target(letter.path("pdf")), fonts)
    assert archive.deck is not None
    write_deck_pptx(archive.deck, target(archive.deck.path("pptx")))
    write_deck_pdf(archive.deck, target(archive.deck.path("pdf")), fonts)
    for doc in archive.docs:
        path = target(doc.path)
        if doc.fmt == "docx":
            write_doc_docx(doc, path)
        elif doc.fmt == "pdf":
            write_doc_pdf(doc, path, fonts)
        elif doc.fmt == "md":
            write_doc_md(doc, path)
        elif doc.fmt == "html":
            write_doc_html(doc, path)
        else:
            raise ValueError(doc.fmt)
    built.sort(key=lambda p: p.relative_to(out).as_posix())
    write_readme(archive, out, built)
    print(f"checked {sd.checked} seed passages; wrote {len(built)} files to {out} and docs/sample-archive.md")
    return built


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--seeds",
        type=Path,
        default=DEFAULT_SEEDS,
        help="directory with the seed extractions (default: ../shared/seeds from the repo root)",
    )
    parser.add_argument("--out", type=Path, default=REPO / "data", help="output directory (default: data/)")
    parser.add_argument(
        "--font-dir",
        type=Path,
        default=None,
        help=f"directory holding {FONT_REGULAR} and {FONT_BOLD} (default: system font dirs)",
    )
    args = parser.parse_args(argv)
    fonts = find_fonts(args.font_dir)
    try:
        built = build(args.seeds.resolve(), args.out.resolve(), fonts)
    except SeedError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path in built:
        print(f"{path.stat().st_size:>8}  {path.relative_to(args.out.resolve()).as_posix()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
