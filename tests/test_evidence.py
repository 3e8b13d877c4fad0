"""Evidence sentences: letterhead, header lines and page furniture are never evidence."""

from __future__ import annotations

import pytest

from assistant.rag.evidence import evidence_sentences, is_furniture


@pytest.mark.parametrize(
    "line",
    [
        "Aan de heer dr. E.E.W. Bruins Postbus 16375 2500 BJ Den Haag",
        "Datum: 5 november 2024 Afzender: Interprovinciaal Overleg Documenttype: brief",
        "Ons kenmerk | Datum",
        "Onderwerp: Contract Studenten Reis Product",
        "Geachte heer Bruins,",
        "Hoogachtend,",
        "Met vriendelijke groet",
        "Pagina 2 van 3",
        "# Inbreng begrotingsbehandeling",
        "E-mail: info@ipo.nl, telefoon 070 8881212",
    ],
)
def test_furniture(line: str) -> None:
    assert is_furniture(line)


@pytest.mark.parametrize(
    "line",
    [
        "Voor de jaren vanaf 2025 kan de OV-sector ruim €200 miljoen minder inkomsten tegemoet zien.",
        "Onze topprioriteit voor de NDS is een excellente informatiepositie.",
        "Wij verzoeken u om nog in 2024 een bestuurlijk gesprek te voeren met de DOVA-delegatie NOVB.",
        "Datum van inwerkingtreding is 1 januari 2025 volgens de minister.",
    ],
)
def test_sentences_that_say_something_are_evidence(line: str) -> None:
    assert not is_furniture(line)


def test_evidence_sentences_drop_the_header_and_keep_the_text() -> None:
    chunk = (
        "Inzet Hoofdlijnenakkoord H3b\n\nDatum: 2 september 2024\nDocumenttype: position paper\n\n"
        "Door herijking van het Studenten OV dreigt vanaf 2025 een tekort van € 75 mln per jaar."
    )
    assert evidence_sentences(chunk) == [
        "Inzet Hoofdlijnenakkoord H3b",
        "Door herijking van het Studenten OV dreigt vanaf 2025 een tekort van € 75 mln per jaar.",
    ]


def test_a_footnote_that_leads_with_its_link_is_furniture() -> None:
    from assistant.rag.evidence import is_furniture

    long_tail = " ".join(["verzoekt de regering om naast het concretiseren van doelen ook beleidsopties"] * 3)
    assert is_furniture(
        f"5https://www.tweedekamer.nl/kamerstukken/moties/detail?id=2022Z10845 hieruit: {long_tail}"
    )
    assert not is_furniture(f"De regering {long_tail}, zie ook www.rijksoverheid.nl voor de stukken.")


# PDF text of a letter's first page, as pypdf gives it: no line breaks between letterhead and body.
_GLUED = (
    "Interprovinciaal Overleg Ministerie van Binnenlandse Zaken en Koninkrijksrelaties (BZK) "
    "Drs. F.Z. Szabó Postbus 20011 2500 EA Den Haag Ons kenmerk: 11813/2024 Datum: 1 november 2024 "
    "Geachte heer Szabó, In onze eerste kennismaking op 30 augustus 2024 heb ik met genoegen "
    "kennisgenomen van uw voornemen. Met deze brief geef ik u vijf prioriteiten mee."
)


def test_a_first_sentence_glued_to_the_letterhead_is_cut_free_at_the_salutation() -> None:
    assert evidence_sentences(_GLUED) == [
        "In onze eerste kennismaking op 30 augustus 2024 heb ik met genoegen kennisgenomen van uw voornemen.",
        "Met deze brief geef ik u vijf prioriteiten mee.",
    ]


def test_the_claim_check_accepts_the_sentence_cut_free_from_the_letterhead() -> None:
    from assistant.rag.claims import support

    found = support(
        "In onze eerste kennismaking op 30 augustus 2024 heb ik kennisgenomen van uw voornemen.", _GLUED
    )
    assert found.numbers_ok and found.anchors_ok and not found.borrowed
    assert "Postbus" not in found.quote


def test_a_question_is_no_evidence() -> None:
    text = (
        "Deelt u de mening dat het politiebureau open moet blijven? "
        "Het politiebureau wordt in 2025 een politiepost.\n\nKlopt het bericht “Post dicht?”"
    )
    assert evidence_sentences(text) == ["Het politiebureau wordt in 2025 een politiepost."]


def test_a_running_footer_is_cut_off_the_sentence_it_is_glued_to() -> None:
    text = (
        "Wij stellen voor ook vertegenwoordigers vanuit de OV-bedrijven uit te nodigen "
        "Interprovinciaal Overleg · ons kenmerk 11812/2024 · pagina 1/2\n\n"
        "Gesprek gaat erover om meer lijn te krijgen. Resultaat Interprovinciaal Overleg · 16\n\n"
        "Het tekort is € 75 mln · 2024 en 2025 samen.\n\n"
        "• Stemmingen • Behandeling Eerste Kamer Interprovinciaal Overleg · 2"
    )
    assert evidence_sentences(text) == [
        "Wij stellen voor ook vertegenwoordigers vanuit de OV-bedrijven uit te nodigen",
        "Gesprek gaat erover om meer lijn te krijgen.",
        "Resultaat",
        "Het tekort is € 75 mln · 2024 en 2025 samen.",
        "• Stemmingen • Behandeling Eerste Kamer",  # the sender's name is cut, not the words before it
    ]
