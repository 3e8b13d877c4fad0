"""Tests for ingest.metadata: Dutch dates, letterhead fields, document types and titles.

The letter excerpts below are copied from the sample archive (../shared/seeds/000_c3277b4c3cb96f35.txt),
and the ``corpus`` cases read real published PDFs/DOCX with pypdf/python-docx; every expected value
was read off the printed document, not off this module's output.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.core.records import DOC_TYPES, LoadedDocument, Page
from ingest.metadata import (
    classify_doc_type,
    date_from_filename,
    extract_metadata,
    find_dates,
    find_labelled,
    parse_dutch_date,
    title_from_filename,
)

from .conftest import shared_path

# --------------------------------------------------------------------------------------------------
# parse_dutch_date
# --------------------------------------------------------------------------------------------------

DATE_CASES = [
    # (text as printed in a real document, expected ISO date)
    ("11812/2024 5 november 2024", "2024-11-05"),  # IPO letter value row (kenmerk is not a date)
    ("Inbreng provincies voor de Nationale Digitaliseringsstrategie datum 1 november 2024", "2024-11-01"),
    ("Aanbod provincies (brief aan Staatssecretaris d.d. 1/11/2024)", "2024-11-01"),
    ("21.05.2024", "2024-05-21"),  # Overijssel letterhead
    ("Zwolle, 12 oktober 2023", "2023-10-12"),  # press release dateline
    ("d.d. 18 Maart 2024", "2024-03-18"),  # capitalised month in a report heading
    ("Woensdag 20 maart 2024 09:00 – 10:30 uur", "2024-03-20"),
    ("Verzonden: woensdag 24 juli 2024 15:47", "2024-07-24"),
    ("Verzoeknummer(s) 20241031 00804 000 (ingediend op 31-10-2024)", "2024-10-31"),
    ("GS-mandaat gebaseerd op: GS-beslissing d.d.: 17 juli 2023", "2023-07-17"),
    ("Datum 3 februari 2023", "2023-02-03"),
    ("2024-11-05", "2024-11-05"),
    ("14 SEP 2024", "2024-09-14"),
    ("5 nov. 2024", "2024-11-05"),
    ("maandag 3 juni 2024", "2024-06-03"),
    ("1e november 2024", "2024-11-01"),
    ("Periode van openstelling: 16 oktober 2024 tot en met 15 februari 2025", "2024-10-16"),
    ("31-02-2024 of anders 1-03-2024", "2024-03-01"),  # the impossible date is skipped
    # not dates
    ("1 oktober", None),  # no year
    ("1e kwartaal", None),
    ("31-02-2024", None),  # impossible
    ("Donderdag 8 februari 08.30 – 09.30 uur", None),  # report heading without a year
    ("Kenmerk D2024-03-011394", None),
    ("ons kenmerk 11813/2024", None),
    ("IENW/BSK-2023/33017", None),
    ("Zaaknummer 2024-009167", None),
    ("Uitgave van provincie Overijssel oktober 2024", None),  # a month is not a date
    ("Telefoon 038 499 88 99", None),
]


@pytest.mark.parametrize(("text", "expected"), DATE_CASES)
def test_parse_dutch_date(text: str, expected: str | None) -> None:
    assert parse_dutch_date(text) == expected


def test_find_dates_in_order() -> None:
    assert find_dates("van 30 juni 2022 tot en met 24 augustus 2022; brief 21.05.2024") == [
        "2022-06-30",
        "2022-08-24",
        "2024-05-21",
    ]


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("240528_Brief_aan_PS_Definitief windbeleid.pdf", "2024-05-28"),
        ("240320_240328_Verslag_BO_ZSDZ.pdf", "2024-03-20"),
        ("2024-11-05_inbreng_nds.docx", "2024-11-05"),
        ("20241105 brief.pdf", "2024-11-05"),
        ("Brief d.d. 12 januari 2024.pdf", "2024-01-12"),
        ("Kamerbrief_circulaire_economie.pdf", None),
        ("Geanonimiseerde_documenten_actief_publiceren_melding_zaaknr._Z2024-00006587.pdf", None),
    ],
)
def test_date_from_filename(filename: str, expected: str | None) -> None:
    assert date_from_filename(filename) == expected


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("240528_Brief_aan_PS_Definitief windbeleid.pdf", "Brief aan PS Definitief windbeleid"),
        ("240320_240328_Verslag_BO_ZSDZ.pdf", "Verslag BO ZSDZ"),
        ("inbreng-provincies-nds.docx", "inbreng provincies nds"),
        ("Reactie OV-voorzieningenniveau.pdf", "Reactie OV-voorzieningenniveau"),
    ],
)
def test_title_from_filename(filename: str, expected: str) -> None:
    assert title_from_filename(filename) == expected


# --------------------------------------------------------------------------------------------------
# The two IPO letters in the sample archive (text from seeds/000_c3277b4c3cb96f35.txt)
# --------------------------------------------------------------------------------------------------

IPO_LETTER_SRP = """\
Aan de heer dr. E.E.W. Bruins, minister van OC&W
Postbus 16375
2500 BJ 's-GRAVENHAGE

uw brief van uw kenmerk ons kenmerk datum
11812/2024 5 november 2024
onderwerp
Contract Studenten Reis Product en implicaties OV-voorzieningenniveau/tarief

Geachte heer Bruins,

Dagelijks reizen honderdduizenden MBO-, HBO- en WO-studenten met het OV. Hierbij maken zij gebruik \
van het Studenten Reis Product (SRP). Dit SRP berust op een langjarig contract tussen OC&W en de \
OV-bedrijven, waardoor studenten hetzij door de week hetzij in het weekend vrij kunnen reizen.

Over de dreigende financiële situatie in 2025 en de zeer gewenste structurele bijstellingen van het \
SRP-contract verzoeken wij u, samen met de staatssecretaris van TenW, dringend om nog in 2024 een \
bestuurlijk gesprek met onze DOVA-delegatie NOVB aan te gaan.

Inlichtingen bij : Jan van Selm (DOVA) of Hugo van de Baan (IPO)
Email : j.vanselm@dova.nl of HvdBaan@ipo.nl
"""

IPO_LETTER_NDS = """\
Ministerie van Binnenlandse Zaken en Koninkrijksrelaties (BZK)
Staatssecretaris Digitalisering en Koninkrijksrelaties
Drs. F.Z. Szabó
Postbus 20011
2500 EA Den Haag

ip Interprovinciaal Overleg
van, voor en door provincies

uw brief van _____ uw kenmerk _____
onderwerp _____ ons kenmerk 11813/2024
Inbreng provincies voor de Nationale Digitaliseringsstrategie datum 1 november 2024

Geachte heer Szabó,

In onze eerste kennismaking op 30 augustus 2024 heb ik met genoegen kennisgenomen van uw voornemen om \
te komen tot een Nationale Digitaliseringsstrategie (NDS), in nauwe samenwerking met de \
medeoverheden, waaronder ook de provincies.
"""

#: The SRP letterhead as a DOCX table renders it ('cell | cell' per row).
IPO_LETTER_SRP_DOCX = """\
Aan de heer dr. E.E.W. Bruins, minister van OC&W
Postbus 16375
2500 BJ 's-GRAVENHAGE
uw brief van | uw kenmerk | ons kenmerk | datum
 |  | 11812/2024 | 5 november 2024
onderwerp | Contract Studenten Reis Product en implicaties OV-voorzieningenniveau/tarief

Geachte heer Bruins,

Dagelijks reizen honderdduizenden MBO-, HBO- en WO-studenten met het OV.
"""

#: The same with empty cells dropped, as the project's DOCX loader renders a table.
IPO_LETTER_SRP_DOCX_COMPACT = """\
Aan de heer dr. E.E.W. Bruins, minister van OC&W Postbus 16375 2500 BJ 's-GRAVENHAGE
uw brief van | uw kenmerk | ons kenmerk | datum
11812/2024 | 5 november 2024
onderwerp | Contract Studenten Reis Product en implicaties OV-voorzieningenniveau/tarief

Geachte heer Bruins,
"""

SRP_ONDERWERP = "Contract Studenten Reis Product en implicaties OV-voorzieningenniveau/tarief"


def _doc(text: str, **properties: str) -> LoadedDocument:
    return LoadedDocument(pages=(Page(text=text, page=1),), properties=dict(properties))


@pytest.mark.parametrize(
    "text",
    [IPO_LETTER_SRP, IPO_LETTER_SRP_DOCX, IPO_LETTER_SRP_DOCX_COMPACT],
    ids=["pdf-text", "docx-table", "docx-table-compact"],
)
def test_ipo_letter_srp(text: str) -> None:
    meta = extract_metadata(_doc(text), filename="ipo_brief_ocw.pdf")
    assert meta.date == "2024-11-05"
    assert meta.kenmerk == "11812/2024"
    assert meta.onderwerp == SRP_ONDERWERP
    assert meta.title == SRP_ONDERWERP
    assert meta.doc_type == "brief"
    assert meta.addressee == "de heer dr. E.E.W. Bruins, minister van OC&W"


def test_ipo_letter_srp_sender_from_contact_details() -> None:
    meta = extract_metadata(_doc(IPO_LETTER_SRP), filename="ipo_brief_ocw.pdf")
    assert meta.sender == "Interprovinciaal Overleg"


def test_ipo_letter_nds_inline_labels() -> None:
    meta = extract_metadata(_doc(IPO_LETTER_NDS), filename="ipo_brief_bzk.pdf")
    assert meta.date == "2024-11-01"
    assert meta.kenmerk == "11813/2024"
    assert meta.onderwerp == "Inbreng provincies voor de Nationale Digitaliseringsstrategie"
    assert meta.doc_type == "brief"  # a letter, although its subject starts with 'Inbreng'
    assert meta.addressee == "Staatssecretaris Digitalisering en Koninkrijksrelaties"
    assert meta.sender == "Interprovinciaal Overleg"  # not the ministry in the address block


def test_unpaginated_text_gives_the_same_result() -> None:
    doc = LoadedDocument(pages=(Page(text=IPO_LETTER_NDS, section=None),))
    meta = extract_metadata(doc, filename="ipo_brief_bzk.docx")
    assert (meta.date, meta.kenmerk) == ("2024-11-01", "11813/2024")


# --------------------------------------------------------------------------------------------------
# Letterhead shapes and precedence rules on small real-looking texts
# --------------------------------------------------------------------------------------------------


def test_label_and_value_on_one_line_with_another_label() -> None:
    text = "Datum 21 mei 2024 Kenmerk 2024/0109\nBetreft: Windbeleid\n\nGeachte leden,\n"
    meta = extract_metadata(_doc(text), filename="x.pdf")
    assert (meta.date, meta.kenmerk, meta.onderwerp) == ("2024-05-21", "2024/0109", "Windbeleid")


def test_uw_kenmerk_and_uw_brief_are_ignored() -> None:
    # pypdf splits 'Uw' and 'kenmerk' over two lines (241129_Brief_Wierden...)
    text = "Datum\n21.11.2024\nUw\n brief\n12.11.2024\nUw\n kenmerk\nZ-24-50275\nOnderwerp: x\n"
    assert find_labelled(text, ["Ons kenmerk", "Kenmerk"]) is None
    assert find_labelled(text, ["Uw kenmerk"]) == "Z-24-50275"
    meta = extract_metadata(_doc(text), filename="x.pdf")
    assert meta.kenmerk is None
    assert meta.date == "2024-11-21"


def test_empty_label_does_not_take_the_next_label() -> None:
    # 240528_Brief_GS_aan_college_gemeente_Wierden: 'Kenmerk' left empty, 'Bijlagen' follows
    assert find_labelled("Datum\n28.05.2024\nKenmerk\n\nBijlagen\nGeen\n", ["Kenmerk"]) is None


def test_placeholder_kenmerk_is_none() -> None:
    assert (
        extract_metadata(_doc("Datum | 26 augustus 2024\nOns kenmerk\n-\n"), filename="x.docx").kenmerk
        is None
    )


def test_flattened_rijksoverheid_docx_letterhead() -> None:
    # how the DOCX loader renders the letterhead table of a Justitie en Veiligheid answer (Lahlah/Chakor)
    text = (
        "> Retouradres Postbus 20301 2500 EH Den Haag\n"
        "Aan de Voorzitter van de Tweede Kamer der Staten-Generaal Postbus 20018 2500 EA DEN HAAG\n"
        "Datum | 16 mei 2024\n"
        "Onderwerp | Beantwoording Kamervragen van de leden Lahlah en Chakor (GroenLinks-PvdA)\n\n"
        "Directoraat-Generaal Politie en Veiligheidsregio’s Turfmarkt 147 2511 DP Den Haag Postbus 20301 "
        "2500 EH Den Haag www.rijksoverheid.nl/jenv Contactpersoon T 070 426 64 26 Projectnaam Beantwoording "
        "Kamervragen Ons kenmerk 5401166 Bij beantwoording de datum en ons kenmerk vermelden.\n\n"
        "In het antwoord op uw brief van 8 maart 2024, nr. 5293107, deel ik u mede dat ...\n"
    )
    meta = extract_metadata(LoadedDocument(pages=(Page(text=text),)), filename="antwoord.docx")
    assert (meta.date, meta.kenmerk) == ("2024-05-16", "5401166")
    assert meta.addressee == "de Voorzitter van de Tweede Kamer der Staten-Generaal"
    assert meta.sender == "Ministerie van Justitie en Veiligheid"
    assert meta.doc_type == "beantwoording kamervragen"  # its subject, although addressed to the Kamer


def test_kenmerk_cited_in_prose_is_not_ours() -> None:
    text = "Bij brief van 21 juni 2022 (kenmerk 2022/0109) hebben wij u geïnformeerd over het concept."
    assert find_labelled(text, ["Kenmerk"]) is None


def test_betreft_wraps_onto_next_line() -> None:
    text = (
        "Datum 3 februari 2023\nBetreft Nationaal Programma Circulaire Economie 2023-2030\n"
        "(NPCE) incl. kabinetsreactie op ICER en SER-verkenning\n\nGeachte voorzitter,\n"
    )
    assert find_labelled(text, ["Onderwerp"]) == (
        "Nationaal Programma Circulaire Economie 2023-2030 (NPCE) "
        "incl. kabinetsreactie op ICER en SER-verkenning"
    )


def test_rijksoverheid_right_column_after_the_body() -> None:
    text = (
        "> Retouradres Postbus 20901 2500 EX Den Haag\n"
        "De voorzitter van de Tweede Kamer\nder Staten-Generaal\nPostbus 20018\n2500 EA DEN HAAG\n\n"
        "Geachte voorzitter,\n\nHierbij bied ik u de voortgangsrapportage aan, zoals toegezegd.\n\n"
        "Ministerie van\nInfrastructuur en\nWaterstaat\n\nRijnstraat 8\n2515 XP Den Haag\n\n"
        "T 070-456 0000\n\nOns kenmerk\nIENW/BSK-2024/1234\n\nDatum\n14 SEP 2024\n"
        "Betreft\nVoortgang Schiphol\n"
    )
    meta = extract_metadata(_doc(text), filename="brief.pdf")
    assert meta.doc_type == "kamerbrief"
    assert (meta.date, meta.kenmerk, meta.onderwerp) == (
        "2024-09-14",
        "IENW/BSK-2024/1234",
        "Voortgang Schiphol",
    )
    assert meta.addressee == "De voorzitter van de Tweede Kamer der Staten-Generaal"
    assert meta.sender == "Ministerie van Infrastructuur en Waterstaat"


def test_explicit_lines_win() -> None:
    text = (
        "Documenttype: Position paper\nTitel: Provincies en de Nationale Digitaliseringsstrategie\n"
        "Afzender: Interprovinciaal Overleg\nDatum: 2 december 2024\n\nGeachte leden,\n"
    )
    meta = extract_metadata(_doc(text), filename="241202_Brief_TK.pdf")
    assert meta.doc_type == "position paper"
    assert meta.title == "Provincies en de Nationale Digitaliseringsstrategie"
    assert meta.sender == "Interprovinciaal Overleg"
    assert meta.date == "2024-12-02"


def test_date_precedence_dateline_filename_prose_created() -> None:
    report = (
        "Verslag bestuurlijk overleg\nDonderdag 8 februari 08.30 uur\n1. Verslag overleg 10 januari 2024\n"
    )
    # a yearless heading: the file name beats a date mentioned in the text
    assert extract_metadata(_doc(report), filename="240208_Verslag.pdf").date == "2024-02-08"
    assert extract_metadata(_doc(report), filename="verslag.pdf").date == "2024-01-10"
    no_dates = "Notitie over windbeleid\nDe provincie wil meer wind op land."
    doc = _doc(no_dates, created="D:20240528133420+02'00'")
    assert extract_metadata(doc, filename="notitie.pdf").date == "2024-05-28"
    doc = _doc(no_dates, created="2023-10-17T09:11:00+00:00")
    assert extract_metadata(doc, filename="notitie.docx").date == "2023-10-17"
    # a dateline beats the file name
    assert extract_metadata(_doc("PERSBERICHT\nZwolle, 12 oktober 2023\n"), filename="231013_x.pdf").date == (
        "2023-10-12"
    )


def test_recipient_letter_date_is_not_the_document_date() -> None:
    text = "In antwoord op uw brief van 5 juli 2024, nr. 2024Z11859, deel ik u mede dat de vragen ..."
    assert extract_metadata(_doc(text, created="2024-07-15T08:45:00"), filename="a.docx").date == "2024-07-15"


def test_title_fallbacks() -> None:
    deck = LoadedDocument(
        pages=(
            Page(
                text="Lobby namens de provincies in Den Haag", slide=1, heading="Lobby namens de provincies"
            ),
            Page(text="Agenderen", slide=2, heading="Agenderen"),
        ),
        properties={"title": "PowerPoint-presentatie"},
    )
    meta = extract_metadata(deck, filename="lobby.pptx")
    assert (meta.title, meta.doc_type) == ("Lobby namens de provincies", "presentatie")
    prose = _doc("Samen met gemeenten wil de provincie\ner alles aan doen om de doelen te halen.")
    assert extract_metadata(prose, filename="221018_stroomschema_wind.pdf").title == "stroomschema wind"
    titled = _doc("Samen met gemeenten wil de provincie\ner alles aan doen.", title="Stroomschema wind")
    assert extract_metadata(titled, filename="x.pdf").title == "Stroomschema wind"
    bad_property = _doc("", title="Microsoft Word - brief.docx")
    assert (
        extract_metadata(bad_property, filename="2024-11-05_Brief_aan_minister.pdf").title
        == "Brief aan minister"
    )


def test_empty_document() -> None:
    meta = extract_metadata(LoadedDocument(pages=()), filename="240528_Leeg.pdf")
    assert (meta.title, meta.doc_type, meta.date, meta.kenmerk) == ("Leeg", "document", "2024-05-28", None)


@pytest.mark.parametrize(
    ("filename", "text", "expected"),
    [
        ("241017_Format_Aanvraagformulier.docx", "", "formulier"),
        ("231012_PERSBERICHT_Zon_op_land.pdf", "", "persbericht"),
        ("Kamerbrief_circulaire_economie.pdf", "", "kamerbrief"),
        ("circulaire_ov_2024.pdf", "", "circulaire"),
        ("Beantwoording Kamervragen van het lid Eerdmans (JA21).docx", "", "beantwoording kamervragen"),
        ("231115_Adviesnota_GS_Mandaat_beantwoording_brieven.pdf", "", "nota"),
        ("221206_Brieven_gemeenten_reactienota.pdf", "", "brief"),
        ("241017_Beleidsregel_Kennisgeving_Openstelling.docx", "", "beleidsregel"),
        ("IPO_position_paper_wonen.pdf", "", "position paper"),
        ("lobby.pptx", "", "presentatie"),
        ("scan.pdf", "P E R S B E R I C H T\n\nZwolle, 12 oktober 2023", "persbericht"),
        ("x.pdf", " 1\nStatenvoorstel nr. PS24-000439\n", "statenvoorstel"),
        ("x.pdf", "1\nVerslag bestuurlijk overleg ZSDZ\n", "verslag"),
        ("x.pdf", "NOTA GS-MANDAAT\n\nOnderwerp: GS Mandaat", "nota"),
        ("x.pdf", "IPO-inbreng consultatie Omgevingswet\n\nDe provincies ...", "inbreng"),
        ("x.pdf", "Reactie van de provincies op het wetsvoorstel\n", "reactie"),
        ("x.pdf", "AI Impact Assessment\nHet hulpmiddel voor een betrouwbaar AI-project", "document"),
    ],
)
def test_classify_doc_type(filename: str, text: str, expected: str) -> None:
    assert classify_doc_type(filename, text) == expected
    assert expected in DOC_TYPES


def test_classify_letter_and_kamerbrief_and_deck() -> None:
    assert classify_doc_type("x.pdf", "", letterhead=True) == "brief"
    kamer = "De voorzitter van de Tweede Kamer der Staten-Generaal"
    assert classify_doc_type("x.pdf", "", letterhead=True, addressee=kamer) == "kamerbrief"
    assert classify_doc_type("x.pdf", "", page_lengths=[300, 250, 410, 120, 500]) == "presentatie"
    assert classify_doc_type("x.pdf", "", explicit="Adviesnota") == "nota"


# --------------------------------------------------------------------------------------------------
# Real documents from ../shared/corpus
# --------------------------------------------------------------------------------------------------


def _load_pdf(path: Path, max_pages: int = 3) -> LoadedDocument:
    """Pages as a loader would produce them (pypdf text per page) plus title/created properties."""
    from pypdf import PdfReader

    reader = PdfReader(path)
    pages = tuple(
        Page(text=p.extract_text() or "", page=i + 1) for i, p in enumerate(reader.pages[:max_pages])
    )
    info = reader.metadata or {}
    properties = {
        key: str(info[raw])
        for key, raw in (("title", "/Title"), ("created", "/CreationDate"))
        if info.get(raw)
    }
    return LoadedDocument(pages=pages, properties=properties)


def _load_docx(path: Path) -> LoadedDocument:
    """Body paragraphs and tables in document order, tables as the project's loader renders them.

    Each row is its cells joined by ' | ': every ``w:tc`` once (a merged cell is not repeated), empty
    cells dropped, a cell's paragraphs joined on one line.
    """
    import docx
    from docx.oxml.ns import qn
    from docx.table import Table, _Cell
    from docx.text.paragraph import Paragraph

    document = docx.Document(str(path))
    lines: list[str] = []
    for element in document.element.body.iterchildren():
        if element.tag == qn("w:p"):
            lines.append(Paragraph(element, document).text)
        elif element.tag == qn("w:tbl"):
            table = Table(element, document)
            for tr in element.iterchildren(qn("w:tr")):
                cells = []
                for tc in tr.iterchildren(qn("w:tc")):
                    v_merge = tc.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
                    if v_merge is not None and v_merge.get(qn("w:val"), "continue") == "continue":
                        continue
                    text = " ".join(_Cell(tc, table).text.split())
                    if text:
                        cells.append(text)
                if cells:
                    lines.append(" | ".join(cells))
    core = document.core_properties
    properties = {"title": core.title or ""}
    if core.created:
        properties["created"] = core.created.date().isoformat()
    return LoadedDocument(pages=(Page(text="\n".join(lines)),), properties=properties)


# (folder, file, expected fields) — values as printed in the documents. A missing key is not checked;
# a key mapped to None must come out as None.
CORPUS_CASES: list[tuple[str, str, dict[str, str | None]]] = [
    (
        "provincie_overijssel_woo",
        "240528_Brief_aan_PS_Definitief windbeleid.pdf",
        {
            "date": "2024-05-21",  # 'Datum 21.05.2024', not 'Datum verzending 22.05.2024' or the file date
            "kenmerk": "D2024-03-011394",  # not 'Zaaknummer 2024-009167'
            "onderwerp": "Brief aan PS Definitief windbeleid",
            "doc_type": "brief",
            "addressee": "Provinciale Staten van Overijssel",
            "sender": "Provincie Overijssel",
        },
    ),
    (
        "provincie_overijssel_woo",
        "240528_Brief_GS_aan_college_gemeente_Wierden.pdf",
        {
            "date": "2024-05-28",
            "kenmerk": None,  # left empty; 'Uw kenmerk Z-24-50275 / UIT-24-62753' is the municipality's
            "onderwerp": "Reactie op uw brieven over kennisgeving Windpark Daarle",
            "doc_type": "brief",
            "addressee": "Gemeente Wierden",  # 'T.a.v. College van B&W' is the attention line
            "sender": "Provincie Overijssel",
        },
    ),
    (
        "provincie_overijssel_woo",
        "241129_Brief_Wierden_informatie_over_voorkeursgebieden_Geredigeerd.pdf",
        {
            "date": "2024-11-21",  # not 'Uw brief 12.11.2024' nor 'Datum verzending 26.11.2024'
            "kenmerk": "D2024-11-006312",
            "onderwerp": "informatie over aanwijzen voorkeursgebieden",
            "doc_type": "brief",
            "addressee": "Gemeente Wierden",
        },
    ),
    (
        "provincie_overijssel_woo",
        "241209_Brief_project_Daarle_Geredigeerd.pdf",
        {
            "date": "2024-12-05",
            "kenmerk": "D2024-11-015492",
            "onderwerp": "project Daarle",
            "title": "project Daarle",
            "doc_type": "brief",
            "addressee": "Tegenwind Daarle",  # above 't.a.v M. Kremer per mail:'
        },
    ),
    (
        "provincie_overijssel_woo",
        "221127_Brief_aan_PS_over_PPE.pdf",
        {
            "date": "2022-11-27",  # not 'Datum verzending 27.01.2023' or 'GS-datum: 13.12.2023'
            "kenmerk": "D2022-11-007340",
            "onderwerp": "Brief aan PS",
            "doc_type": "brief",
            "addressee": "Provinciale Staten van Overijssel",
        },
    ),
    (
        "provincie_overijssel_woo",
        "231012_PERSBERICHT_Zon_op_land.pdf",
        {
            "date": "2023-10-12",  # 'Zwolle, 12 oktober 2023'
            "doc_type": "persbericht",
            "title": "Overijssel weert zonnepanelen van landbouw- en natuurgrond",
            "kenmerk": None,
        },
    ),
    (
        "provincie_overijssel_woo",
        "240208_Verslag_BO_ZSDZ.pdf",
        {
            # printed 'Donderdag 8 februari' without a year; '10 januari 2024' in item 1 is the previous
            # meeting, so the file name's date is the right one
            "date": "2024-02-08",
            "doc_type": "verslag",
            "title": "Verslag bestuurlijk overleg programmeringsafspraken wind ZSDZ",
        },
    ),
    (
        "provincie_overijssel_woo",
        "240318_Verslag_BO_ATT.pdf",
        {
            "date": "2024-03-18",  # 'Datum: 18 maart 2024'
            "doc_type": "verslag",
            "onderwerp": "Bestuurlijk overleg voortgang energiegebied ATT",  # 'Betreft:'
            "title": "Verslag Bestuurlijk Overleg Energiegebied Almelo – Tubbergen – Twenterand (BO ATT)",
        },
    ),
    (
        "provincie_overijssel_woo",
        "241122_Statenvoorstel_vaststelling_aanpassing_omgevingsverordening_geamendeerd.pdf",
        {
            # label row 'Datum GS-kenmerk Inlichtingen bij Gedeputeerde(n)' over '16.07.2024 2024-015664'
            "date": "2024-07-16",
            "kenmerk": "2024-015664",
            "onderwerp": "Vaststelling aanpassing Omgevingsverordening Overijssel "
            "instructieregel windenergie 2024",
            "doc_type": "statenvoorstel",
            "addressee": "Provinciale Staten",  # 'Aan Provinciale Staten'
        },
    ),
    (
        "provincie_overijssel_woo",
        "231115_Adviesnota_GS_Mandaat_beantwoording_brieven_gemeenten_over_voorgenomen_windbeleid_II.pdf",
        {
            "doc_type": "nota",
            "kenmerk": "2023-063875",  # 'Registratiekenmerk: 2023-063875'
            "onderwerp": "GS Mandaat beantwoording brieven gemeenten over voorgenomen windbeleid II",
            # no own date printed: the file name's, not 'GS-beslissing d.d. 17 juli 2023'
            "date": "2023-11-15",
            "addressee": None,  # 'Gedeputeerde Staten hebben besloten ...' is a sentence, not an addressee
        },
    ),
    (
        "provincie_overijssel_woo",
        "240724_Mail_wethouders_windbeleid.pdf",
        # 'Verzonden: woensdag 24 juli 2024 15:47'; the 'Van:' and 'Aan:' fields are redacted
        {"date": "2024-07-24", "onderwerp": "Windbeleid", "addressee": None, "sender": None},
    ),
    (
        "rijksoverheid_kamerbrieven",
        "Kamerbrief_circulaire_economie.pdf",
        {
            "date": "2023-02-03",
            "kenmerk": "IENW/BSK-2023/33017",
            "onderwerp": "Nationaal Programma Circulaire Economie 2023-2030 (NPCE) "
            "incl. kabinetsreactie op ICER en SER-verkenning",
            "doc_type": "kamerbrief",
            "addressee": "De voorzitter van de Tweede Kamer der Staten-Generaal",
            "sender": "Ministerie van Infrastructuur en Waterstaat",
        },
    ),
    (
        "rijksoverheid_kamerbrieven",
        "Kamerbrief_innovatie_missie.pdf",
        {
            "date": "2023-05-30",
            "kenmerk": "DGBI – I&K/ 26844711",  # 'Ons kenmerk' in the right column, as pypdf extracts it
            "onderwerp": "Herijkte missies van het missiegedreven innovatiebeleid",
            "doc_type": "kamerbrief",
            "addressee": "De Voorzitter van de Tweede Kamer der Staten-Generaal",
            "sender": "Ministerie van Economische Zaken en Klimaat",  # www.rijksoverheid.nl/ezk
        },
    ),
    (
        "rijksoverheid_kamerbrieven",
        "Kamerbrief_emissie_luchtvaart.pdf",
        {
            "date": "2022-12-22",
            "kenmerk": "IENW/BSK-2022/268034",
            "onderwerp": "Emissies door de luchtvaart",
            "doc_type": "kamerbrief",
        },
    ),
    (
        "kamervragen_antwoorden",
        "Beantwoording Kamervragen van de leden Lahlah en Chakor (GroenLinks-PvdA) over verbieden van "
        "hoofddoekjes en andere religieuze uitingen bij boa.docx",
        {
            "date": "2024-05-16",  # 'Datum | 16 mei 2024', not 'uw brief van 8 maart 2024'
            "kenmerk": "5401166",
            "onderwerp": "Beantwoording Kamervragen van de leden Lahlah en Chakor (GroenLinks-PvdA) over "
            "verbieden van hoofddoekjes en andere religieuze uitingen bij boa’s",
            "doc_type": "beantwoording kamervragen",
            "addressee": "de Voorzitter van de Tweede Kamer der Staten-Generaal",
            "sender": "Ministerie van Justitie en Veiligheid",
        },
    ),
    (
        "kamervragen_antwoorden",
        "Beantwoording Kamervragen van het lid Teunissen (PvdD) aan de minster van Justitie en Veiligheid en "
        "van Landbouw, Visserij, Voedselzekerheid en.docx",
        {"date": "2024-08-26", "kenmerk": None, "doc_type": "beantwoording kamervragen"},  # 'Ons kenmerk -'
    ),
]


@pytest.mark.corpus
@pytest.mark.parametrize(("folder", "name", "expected"), CORPUS_CASES, ids=[c[1][:48] for c in CORPUS_CASES])
def test_real_documents(folder: str, name: str, expected: dict[str, str | None]) -> None:
    path = shared_path("corpus", folder, name)
    doc = _load_docx(path) if path.suffix == ".docx" else _load_pdf(path)
    meta = extract_metadata(doc, filename=name)
    actual = {key: getattr(meta, key) for key in expected}
    assert actual == expected
    assert meta.doc_type in DOC_TYPES
    assert meta.title
