from assistant.core.records import Hit
from assistant.rag.compose import by_document, extractive_answer, focus, position_changes

LETTER = (
    "Dagelijks reizen honderdduizenden studenten met het OV. Het SRP-contract is waardevol voor onderwijs. "
    "Vanaf 2025 krijgt de OV-sector ruim €200 miljoen minder inkomsten door de herijking. "
    "Wij vragen een bestuurlijk gesprek."
)


def _hit(text: str, date: str, title: str) -> Hit:
    return Hit(title, text, 0.5, {"date": date, "title": title, "source": f"{title}.docx"})


def test_focus_keeps_relevant_sentences_in_original_order_within_budget() -> None:
    focused = focus(LETTER, "Hoeveel minder inkomsten door de herijking?", budget=20)
    assert focused.startswith("Vanaf 2025 krijgt de OV-sector ruim €200 miljoen")
    assert "Dagelijks" not in focused
    everything = focus(LETTER, "iets", budget=500)  # under budget: every sentence, one per line
    assert everything.splitlines() == [s.strip() + "." for s in LETTER.split(".") if s.strip()]


def test_extractive_answer_cites_each_sentence() -> None:
    answer = extractive_answer("minder inkomsten herijking", [_hit(LETTER, "2024-11-05", "SRP")])
    assert (
        answer.startswith("Vanaf 2025 krijgt de OV-sector ruim €200 miljoen minder inkomsten")
        and "[1]" in answer
    )


def test_extractive_answer_quotes_the_answer_not_the_question_it_answers() -> None:
    """Kamervragen repeat the question's words; a question in a source asserts nothing."""
    answers = (
        "Deelt u de mening dat de sluiting van het politiebureau in Wolvega niet in lijn is met het akkoord? "
        "De politiepost groot in Wolvega wordt in 2025 vervangen door een politiepost klein."
    )
    answer = extractive_answer(
        "Wat gebeurt er met het politiebureau in Wolvega?", [_hit(answers, "2024-08-01", "KV")]
    )
    assert answer == "De politiepost groot in Wolvega wordt in 2025 vervangen door een politiepost klein. [1]"


def test_by_document_newest_first_and_one_hit_per_document() -> None:
    a = _hit("x", "2024-09-02", "H3b")
    b = _hit("y", "2024-11-05", "SRP")
    c = _hit("z", "2024-11-05", "SRP")
    undated = Hit("u", "w", 0.1, {"title": "Zonder datum"})
    assert [h.chunk_id for h in by_document([a, b, c, undated])] == ["SRP", "H3b", "u"]


def test_position_changes_names_both_amounts() -> None:
    newer = _hit("De OV-sector krijgt €200 miljoen minder door de herijking.", "2024-11-05", "SRP")
    older = _hit("Door herijking dreigt een tekort van € 75 mln per jaar.", "2024-09-02", "H3b")
    (note,) = position_changes("tekort door herijking", [newer, older])
    assert note.startswith("Verschil: op 5 november 2024") and "€200 miljoen" in note and "€ 75 mln" in note


def test_compound_heads_count_as_overlap() -> None:
    from assistant.rag.compose import overlap, question_terms

    wanted = question_terms("tekort door de herijking")
    assert overlap(wanted, "ten gevolge van de herijkingsmetingen 2022/2023") == 1
    assert overlap(wanted, "een tekort") == 1


def test_a_glossary_term_matches_in_any_of_its_forms_once() -> None:
    """'studentenreisproduct' in the question finds the letter's 'SRP' and 'Studenten Reis Product'."""
    from assistant.rag.compose import overlap, question_terms
    from assistant.rag.glossary import load_glossary

    glossary = load_glossary()
    wanted = question_terms("Wat vroeg het IPO over het studentenreisproduct?", glossary)
    assert overlap(wanted, "Dit SRP berust op een langjarig contract.") == 1
    assert overlap(wanted, "Zij gebruiken het Studenten Reis Product (SRP).") == 1  # one concept, once
    assert overlap(question_terms("Wat vroeg het IPO over het studentenreisproduct?"), "Dit SRP berust.") == 0
    # IPO is named in every question: its long form (a slide footer) is no match for it.
    assert overlap(question_terms("Wat wil het IPO?", glossary), "Resultaat Interprovinciaal Overleg") == 0


def test_each_part_of_a_two_part_question_gets_a_sentence_that_holds_its_kind() -> None:
    from assistant.rag.compose import best_sentences

    hit = _hit(
        "Met het SRP-contract is jaarlijks ruim één miljard euro gemoeid. "
        "Het SRP-contract loopt al sinds de jaren negentig. "
        "Het SRP-contract is herijkt in 2023. "
        "Deze inkomsten uit het SRP-contract zijn 20-25% van de totale OV-omzet.",
        "2024-11-05",
        "SRP",
    )
    question = (
        "Om hoeveel geld gaat het jaarlijks in het SRP-contract, en welk aandeel van de OV-omzet is dat?"
    )
    chosen = best_sentences(question, hit, 1, asked="percentage")  # the kind the gate reads first
    assert any("miljard" in s for s in chosen) and any("20-25%" in s for s in chosen)


def test_asking_matches_in_any_of_its_forms() -> None:
    """'Wat vroeg het IPO?' is answered by 'Wij verzoeken u ...', which shares no word with it."""
    from assistant.rag.compose import overlap, question_terms

    wanted = question_terms("Wat vroeg het IPO aan de minister?")
    assert overlap(wanted, "Daarom verzoeken wij u om een bestuurlijk gesprek.") == 1
    assert overlap(wanted, "Wij vragen en verzoeken u dringend.") == 1  # one concept, once


def test_a_sentence_repeated_inside_a_longer_one_takes_no_second_slot() -> None:
    from assistant.rag.compose import extractive_answer

    hit = _hit(
        "Er zijn geen gronden om de procedure te staken. "
        "Er zijn geen gronden om de procedure te staken, schrijft de provincie aan de gemeente. "
        "De procedure loopt door tot het besluit.",
        "2024-05-01",
        "Brief",
    )
    answer = extractive_answer("Waarom staakt de provincie de procedure niet?", [hit], asked="reason")
    assert sum("geen gronden" in line for line in answer.splitlines()) == 1


def test_the_sentence_after_a_match_that_holds_the_asked_fact_is_quoted_after_it() -> None:
    """'Wanneer sprak de minister met de VNG?': the date stands in the next sentence, which shares no word."""
    from assistant.rag.compose import extractive_answer, follower_of

    text = (
        "Ik ben met de VNG in gesprek gegaan over een verbod op religieuze uitingen. "
        "Dit gesprek heeft plaatsgevonden op 26 februari 2024. "
        "Gemeenten zijn werkgever van boa's."
    )
    assert follower_of(
        text, "Ik ben met de VNG in gesprek gegaan over een verbod op religieuze uitingen.", "date"
    )
    assert not follower_of(text, "Dit gesprek heeft plaatsgevonden op 26 februari 2024.", "date")
    lines = extractive_answer(
        "Wanneer sprak de minister met de VNG over het verbod?",
        [_hit(text, "2024-03-01", "Antwoorden")],
        asked="date",
    ).splitlines()
    assert [line.split(".")[0] for line in lines[:2]] == [
        "Ik ben met de VNG in gesprek gegaan over een verbod op religieuze uitingen",
        "Dit gesprek heeft plaatsgevonden op 26 februari 2024",
    ]


def test_anchor_sentence_searches_every_chunk_of_the_top_document() -> None:
    from assistant.rag.compose import anchor_sentence

    first = _hit(
        "Deze inkomsten vormen voor de OV-sector een wezenlijk onderdeel van de bekostiging.",
        "2024-11-05",
        "SRP",
    )
    second = _hit(LETTER, "2024-11-05", "SRP")
    other = _hit(
        "Door herijking dreigt een tekort van € 75 mln per jaar voor de OV-sector.", "2024-09-02", "H3b"
    )
    anchor = anchor_sentence("Welk tekort verwacht de OV-sector door de herijking?", [first, second, other])
    assert anchor.startswith("Vanaf 2025 krijgt de OV-sector ruim €200 miljoen") and anchor.endswith("[2]")


def test_extractive_quotes_without_full_stop_stay_separate_sentences() -> None:
    from assistant.rag.citations import check_answer

    slide = _hit(
        "Dreigend tekort door herijking Studenten OV\n\nCompensatie is nodig voor het studenten-OV",
        "2024-09-02",
        "Deck",
    )
    letter = _hit(LETTER, "2024-11-05", "SRP")
    answer = extractive_answer("tekort herijking studenten OV", [slide, letter])
    checked = [c for c in check_answer(answer, [slide, letter]) if c.has_content]
    assert checked and all(c.cited and c.verified == c.cited for c in checked), checked


def test_a_reference_question_leads_with_the_documents_letterhead_facts() -> None:
    from assistant.core.records import Hit
    from assistant.rag.compose import asks_for_reference, document_line

    assert asks_for_reference("Wat is het kenmerk van onze brief aan OCW, en van welke datum is die?")
    assert asks_for_reference("Welke brief stuurden we aan BZK? Graag kenmerk en datum.")
    assert not asks_for_reference("Wat vraagt het IPO van minister Bruins?")
    hit = Hit("c1", "tekst", 1.0, {"title": "Inbreng NDS", "doc_type": "brief", "date": "2024-11-01",
                                   "kenmerk": "11813/2024", "addressee": "Drs. F.Z. Szabó"})  # fmt: skip
    assert document_line(hit) == "Inbreng NDS (brief; 1 november 2024; kenmerk 11813/2024)"


def test_a_when_question_gets_a_sentence_with_a_day_or_month_not_only_a_year() -> None:
    from assistant.rag.answer_types import asked_type, holds_answer

    assert asked_type("Wanneer hadden zij hun eerste kennismaking?") == "date"
    assert asked_type("In welk jaar is het contract afgesloten?") == "year"
    assert not holds_answer("Het Werkplan Digitalisering IPO 2024-2027 bevat de activiteiten.", "date")
    assert holds_answer("In onze eerste kennismaking op 30 augustus 2024 hebben wij gesproken.", "date")
    assert holds_answer("Het Werkplan Digitalisering IPO 2024-2027 bevat de activiteiten.", "year")


def test_the_same_sentence_in_two_sources_is_one_quote_with_both_markers() -> None:
    from assistant.core.records import Hit
    from assistant.rag.compose import extractive_answer

    sentence = "Door herijking van het Studenten OV dreigt vanaf 2025 een tekort van € 75 mln per jaar."
    sources = [
        Hit(
            chunk_id="a", text=f"{sentence} Meer tekst over iets anders.", score=1.0, metadata={"title": "A"}
        ),
        Hit(chunk_id="b", text=f"Inleiding over het OV. {sentence}", score=0.9, metadata={"title": "B"}),
    ]
    answer = extractive_answer("Welk tekort dreigt door herijking van het Studenten OV?", sources)
    assert answer.count("dreigt vanaf 2025") == 1
    assert f"{sentence} [1][2]" in answer.splitlines()
