"""The kind of answer a question asks for, and whether a sentence holds one."""

from __future__ import annotations

import pytest

from assistant.rag.answer_types import asked_type, asked_types, holds_answer


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Hoeveel geld trekt het kabinet uit voor het Nationaal Programma Circulaire Economie?", "amount"),
        ("Hoeveel procent van de OV-omzet komt uit het SRP?", "percentage"),
        ("Welke functie heeft Annemarie Dubbink in de gemeente Hellendoorn?", "role"),
        ("Wie gaf de presentatie, en wat is zijn functie?", "person"),  # "wie" asks for the person first
        ("Wanneer kwam de reactie uit?", "date"),
        ("Waar staat SRP voor?", "abbreviation"),
    ],
)
def test_asked_type(question: str, kind: str) -> None:
    assert asked_type(question) == kind


def test_a_percentage_is_no_amount_of_money_and_a_sum_is_no_percentage() -> None:
    assert not holds_answer("De uitstoot moet in 2030 met 55 procent omlaag.", "amount")
    assert holds_answer("Het tekort is € 75 mln per jaar.", "amount")
    assert holds_answer("Het gaat om ruim één miljard euro.", "amount")
    assert holds_answer("Dat is 20-25% van de omzet.", "percentage")
    assert not holds_answer("Het tekort is € 75 mln per jaar.", "percentage")


def test_a_question_in_two_parts_asks_for_two_kinds() -> None:
    assert asked_types("Om hoeveel geld gaat het jaarlijks, en welk aandeel van de omzet is dat?") == [
        "percentage",
        "amount",
    ]
    assert asked_types("Wie gaf de presentatie, en wat is zijn functie?") == ["person", "role"]
    assert asked_types("Wat vindt het IPO van de Spuks?") == ["other"]


def test_causal_gezien_gives_a_reason_and_the_participle_does_not() -> None:
    assert holds_answer("Trend keren, gezien emotioneel leed en economische schade.", "reason")
    assert holds_answer("Gezien de kosten is structurele financiering nodig.", "reason")
    assert not holds_answer("Wij hebben het rapport gezien.", "reason")


def test_a_role_answer_names_a_function() -> None:
    assert holds_answer("Annemarie Dubbink, wethouder van Hellendoorn, opende de vergadering.", "role")
    assert not holds_answer("Annemarie Dubbink heeft verzocht met Tijs de Bree te overleggen.", "role")
