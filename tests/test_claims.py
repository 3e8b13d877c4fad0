"""Claim-level verification: names, roles and numbers in one source sentence; the claims set's figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.app.cli import app
from assistant.core.records import Hit
from assistant.rag.citations import check_answer, dated_claim
from assistant.rag.claims import MIN_COVERAGE, claim_of, numbers, support
from assistant.rag.glossary import load_glossary
from eval.claims import check, evaluate_claims, load_claims

SLIDE = (
    "Twee highlights reactie voorzitter\n"
    "Het IPO reageert op de Miljoenennota.\n"
    "'Overall 10% is niet aan de orde', zegt Bram Schmaal, gedeputeerde voor financiën in Groningen."
)


def test_a_name_and_a_role_from_different_sentences_are_no_support() -> None:
    """The issue's example: the deck names a person in one line and 'voorzitter' in another."""
    assert not support("Bram Schmaal is de voorzitter van het IPO.", SLIDE).ok(MIN_COVERAGE)
    assert support("Bram Schmaal is gedeputeerde voor financiën in Groningen.", SLIDE).ok(MIN_COVERAGE)


def test_claims_are_taken_apart_into_names_roles_numbers_and_bindings() -> None:
    claim = claim_of(
        "Dr. E.E.W. Bruins is de minister van OC&W en vraagt €200 miljoen voor het SRP-contract."
    )
    assert {"bruin", "srp"} <= claim.anchors and "contract" not in claim.anchors  # "SRP-contract": SRP
    assert "e" not in claim.anchors  # initials name no one
    assert claim.numbers == {"200"} and "200" not in claim.words  # numbers are checked on their own
    assert any({"bruin", "oc"} <= binding for binding in claim.bindings)  # the minister is Bruins of OC&W
    assert numbers("€ 200 miljoen op 01-11-2024; 2,5%") == {"200", "1", "11", "2024", "2.5"}


def test_a_number_must_stand_in_the_sentence_it_is_claimed_from() -> None:
    text = "Provincies krijgen € 300 mln voor het OV. Door de herijking dreigt een tekort van € 75 mln."
    assert support("Door de herijking dreigt een tekort van € 75 mln.", text).ok(MIN_COVERAGE)
    assert not support("Door de herijking dreigt een tekort van € 300 mln.", text).ok(MIN_COVERAGE)


def test_abbreviations_match_their_full_form_through_the_glossary() -> None:
    text = "De OV-sector loopt inkomsten mis door de herijking van het Studenten Reis Product."
    claim = "Door de herijking van het SRP loopt de OV-sector inkomsten mis."
    assert not support(claim, text).ok(MIN_COVERAGE)
    assert support(claim, text, glossary=load_glossary()).ok(MIN_COVERAGE)


def test_a_pair_that_lends_a_name_in_place_of_its_own_is_no_support() -> None:
    text = (
        "Dit vraagt om beter betrekken van medeoverheden: Uitvoerbaarheidstoets Decentrale Overheden (UDO). "
        "Nadere afspraken gemaakt over hoe medeoverheden betrokken worden bij de uitwerking: Overhedenoverleg."
    )
    swapped = "Nadere afspraken over de uitwerking zijn gemaakt in de Uitvoerbaarheidstoets (UDO)."
    assert not support(swapped, text).ok(MIN_COVERAGE)
    true = "Nadere afspraken over hoe medeoverheden betrokken worden bij de uitwerking: Overhedenoverleg."
    assert support(true, text).ok(MIN_COVERAGE)


def test_the_claims_actor_must_not_be_replaced_by_another() -> None:
    text = "Het kabinet wil een betrouwbare overheid zijn. Het erkent de urgente problemen in ons land."
    assert not support("De provincies willen een betrouwbare overheid zijn.", text).ok(MIN_COVERAGE)
    assert support("Het kabinet wil een betrouwbare overheid zijn.", text).ok(MIN_COVERAGE)
    # The archive's voice is one actor: "wij" and "de provincies" speak for "het IPO".
    ours = "Wij vragen de provincies om een betrouwbare bijdrage aan de energietransitie."
    assert support("Het IPO vraagt een betrouwbare bijdrage aan de energietransitie.", ours).ok(MIN_COVERAGE)


def test_slide_lines_bind_with_their_neighbours_and_headings_with_every_bullet() -> None:
    slide = "Door Robin Middel\n\nStrateeg Public Affairs en Communicatie\n\nInterprovinciaal Overleg"
    assert support("Robin Middel is strateeg public affairs en communicatie.", slide).ok(MIN_COVERAGE)
    prose = "Het stuk is van Robin Middel. Hij is geen strateeg maar adviseur communicatie."
    assert not support("Robin Middel is strateeg communicatie.", prose).ok(MIN_COVERAGE)
    bullets = (
        "Onderwerpen inbrengen per thema\n\n- Infrastructuur rond woningbouw.\n"
        "- Behoud immaterieel erfgoed\n- Doorwerking Spuks op halen klimaatdoelen"
    )
    claim = "Een van de thema's is de doorwerking van de Spuks op het halen van de klimaatdoelen."
    assert support(claim, bullets).ok(MIN_COVERAGE)
    assert support(claim, bullets.replace("per thema", "per thema:")).ok(
        MIN_COVERAGE
    )  # "...:" heads a list too
    quoted = "Het stuk is van Robin Middel, zegt “de notitie”\n\nHij is strateeg, zegt ‘de notitie’"
    assert not support("Robin Middel is strateeg.", quoted).ok(MIN_COVERAGE)  # closing quotes end a sentence


def test_a_dated_line_names_its_document_exactly() -> None:
    hit = Hit("c", "Wij vragen een bestuurlijk gesprek.", 1.0, {"title": "SRP", "date": "2024-11-05"})
    assert dated_claim("- 5 november 2024 (SRP): Wij vragen een bestuurlijk gesprek.", hit) == (
        "Wij vragen een bestuurlijk gesprek."
    )
    assert dated_claim("- 6 november 2024 (SRP): Wij vragen een bestuurlijk gesprek.", hit) is None
    assert dated_claim("Wij vragen een gesprek.", hit) == "Wij vragen een gesprek."
    (line,) = check_answer("- 5 november 2024 (SRP): Wij vragen een bestuurlijk gesprek [1]", [hit])
    assert line.verified == (1,)


@pytest.mark.parametrize(
    ("split", "floor_rejected", "floor_accepted"), [("dev", 1.0, 0.9), ("test", 0.9, 0.75)]
)
def test_claims_set_figures_hold(split: str, floor_rejected: float, floor_accepted: float) -> None:
    """Regression floors under the measured figures (dev 1.00 / 0.94, test 0.92 / 0.77); see eval/claims."""
    half = evaluate_claims(load_claims())["splits"][split]
    assert half["wrong_rejected"] >= floor_rejected and half["true_accepted"] >= floor_accepted, half
    assert "quote" not in half["missed_by_kind"], "a quoted source sentence is always support"
    assert len(half["failures"]) == sum(half["missed_by_kind"].values())


def test_every_slide_deck_pairing_is_rejected() -> None:
    deck = [c for c in load_claims() if c.id.startswith("deck-") and not c.supported]
    assert len(deck) >= 5
    assert [c.id for c in deck if check(c).ok(MIN_COVERAGE)] == []


def test_lobby_eval_claims_prints_the_figures_per_half_and_every_miss() -> None:
    result = CliRunner().invoke(app, ["eval", "--claims", "--split", "test"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("test: 92% van 25 onjuiste zinnen afgewezen, 77% van 48 juiste aanvaard")
    assert "[test] ocw-ov-sector-verantwoordelijk-swap (swap-role): aanvaard op:" in result.output
    as_json = json.loads(CliRunner().invoke(app, ["eval", "--claims", "--json"]).output)
    assert set(as_json["splits"]) == {"dev", "test"} and as_json["claims"] == 147


def test_a_malformed_claims_line_is_named(tmp_path: Path) -> None:
    broken = tmp_path / "claims.jsonl"
    broken.write_text('{"id": "a"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"claims.jsonl:1: missing field 'source'"):
        load_claims(broken)
