from assistant.core.answers import verified_share
from assistant.core.records import Hit
from assistant.rag.citations import (
    FLAG,
    check_answer,
    parse_markers,
    render,
    split_sentences,
    support,
)

SRP = Hit(
    "c1",
    "Maar voor de jaren vanaf 2025 is er nog geen oplossing voor het feit dat de OV-sector ruim €200 miljoen "
    "minder inkomsten tegemoet kan zien ten gevolge van de herijkingsmetingen. Zonder oplossing verschraalt het OV.",
    0.9,
    {"source": "brief.docx", "title": "SRP", "date": "2024-11-05"},
)
NDS = Hit(
    "c2",
    "Onze topprioriteit voor de NDS: een excellente informatiepositie voor de opgaven in de fysieke leefomgeving.",
    0.8,
    {"source": "nds.pdf", "title": "NDS", "date": "2024-11-01"},
)


def test_parse_markers_variants() -> None:
    assert parse_markers("Het tekort is €200 miljoen [1].") == ("Het tekort is €200 miljoen.", (1,))
    assert parse_markers("Twee bronnen [1, 2] en nog een [3][1].") == ("Twee bronnen en nog een.", (1, 2, 3))
    assert parse_markers("Geen bron.") == ("Geen bron.", ())


def test_split_sentences_keeps_markers_with_their_sentence() -> None:
    answer = "De OV-sector mist €200 miljoen [1]. De NDS heeft een topprioriteit [2].\n- Punt drie [1]"
    assert split_sentences(answer) == [
        "De OV-sector mist €200 miljoen [1].",
        "De NDS heeft een topprioriteit [2].",
        "- Punt drie [1]",
    ]


def test_support_requires_words_and_every_number() -> None:
    good = support("De OV-sector krijgt ruim €200 miljoen minder inkomsten.", SRP.text)
    assert good.ok(0.6) and "200 miljoen" in good.quote
    wrong_amount = support("De OV-sector krijgt ruim €300 miljoen minder inkomsten.", SRP.text)
    assert wrong_amount.coverage >= 0.6 and not wrong_amount.numbers_ok
    off_topic = support("Provincies willen meer geld voor stikstof en natuur.", SRP.text)
    assert not off_topic.ok(0.6)


def test_check_answer_verifies_adds_missing_markers_and_rejects_wrong_citations() -> None:
    answer = (
        "De OV-sector krijgt ruim €200 miljoen minder inkomsten [1]. "  # verified
        "De topprioriteit voor de NDS is een excellente informatiepositie. "  # no marker -> [2] added
        "De OV-sector krijgt ruim €200 miljoen minder inkomsten [2]. "  # wrong source, right elsewhere -> [1]
        "Het kabinet verhoogt de accijns op tabak [1]."  # unsupported
    )
    checked = check_answer(answer, [SRP, NDS])
    assert [c.verified for c in checked] == [(1,), (), (), ()]
    assert [c.added for c in checked] == [(), (2,), (1,), ()]
    assert [c.supported for c in checked] == [True, True, True, False]
    assert verified_share(checked) == 0.75
    text = render(checked)
    assert "tabak" not in text and text.count("[1]") == 2 and "[2]" in text
    assert FLAG in render(checked, drop_unsupported=False)


def test_out_of_range_marker_is_not_verified() -> None:
    (sentence,) = check_answer("De OV-sector krijgt ruim €200 miljoen minder inkomsten [7].", [SRP])
    assert sentence.verified == () and sentence.added == (1,)


def test_short_connectives_need_no_source() -> None:
    checked = check_answer("Samengevat: ja. De OV-sector krijgt ruim €200 miljoen minder [1].", [SRP])
    assert render(checked).startswith("Samengevat: ja.")
    assert verified_share(checked) == 1.0


def test_pieces_of_the_prompt_are_dropped_and_never_verified() -> None:
    """The small model sometimes writes the prompt back ("De bronnummer is.", "Vraag 1") or a bare label."""
    answer = "De bronnummer is.\nVraag 1\nBron. [1]\nDe OV-sector krijgt ruim €200 miljoen minder [1]."
    checked = check_answer(answer, [SRP])
    assert [c.supported for c in checked] == [False, False, False, True]
    assert render(checked, lines=True) == "De OV-sector krijgt ruim €200 miljoen minder. [1]"


def test_abbreviation_full_stop_does_not_split_a_cited_sentence() -> None:
    answer = "De sector mist €200 miljoen, waarvan plm. 110 miljoen decentraal [1]. Tweede zin [2]."
    assert split_sentences(answer) == [
        "De sector mist €200 miljoen, waarvan plm. 110 miljoen decentraal [1].",
        "Tweede zin [2].",
    ]


def test_sentence_that_only_restates_the_question_is_not_an_answer() -> None:
    question = "Welke metafoor voor de digitale overheid spreekt de provincies aan?"
    checked = check_answer(
        "De metafoor voor de digitale overheid spreekt de provincies aan [1].", [NDS], question=question
    )
    assert not checked[0].supported and render(checked) == ""


def test_a_citation_vouches_for_its_documents_date_and_title() -> None:
    """Page 2 of a letter does not repeat its date; citing the letter for its date is still right."""
    checked = check_answer(
        "Op 5 november 2024 schreef het IPO in SRP over ruim €200 miljoen minder inkomsten [1].", [SRP]
    )
    assert checked[0].verified == (1,)
    quote = checked[0].quotes[1]
    assert "€200 miljoen" in quote and "november" not in quote, "quotes come from the text, not the metadata"
    wrong_date = check_answer(
        "Op 6 november 2023 schreef het IPO over ruim €200 miljoen minder inkomsten [1].", [SRP]
    )
    assert wrong_date[0].verified == ()
    other_doc = check_answer(
        "Op 5 november 2024 schreef het IPO over ruim €200 miljoen minder inkomsten [1].", [NDS]
    )
    assert other_doc[0].verified == ()
