import pytest

from assistant.core.records import Hit
from assistant.rag.gate import Evidence, Thresholds, calibrate, content_words, decide, measure


def _hit(text: str, dense: float) -> Hit:
    return Hit("id", text, 0.0, {"title": "Brief"}, dense=dense)


def test_content_words_drop_question_and_generic_words() -> None:
    assert content_words("Wat zei het IPO over het Studenten Reis Product?") == ["student", "reis", "product"]


def test_measure_best_chunk_coverage_and_dense() -> None:
    hits = [_hit("Het Studenten Reis Product van OCW", 0.61), _hit("Studenten reizen", 0.4)]
    evidence = measure("Wat vindt IPO van het Studenten Reis Product contract?", hits)
    assert evidence.dense == 0.61
    assert evidence.coverage == pytest.approx(
        3 / 4
    )  # student, reis, product of {student, reis, product, contract}


def test_measure_without_hits_or_content() -> None:
    assert measure("Wat vindt het IPO?", [_hit("x", 0.5)]).coverage == 0.0
    assert measure("stikstof", []).dense == 0.0


def test_decide_needs_both_signals() -> None:
    t = Thresholds(min_dense=0.5, min_coverage=0.5)
    assert decide(Evidence(0.6, 0.6, ()), t)
    assert not decide(Evidence(0.6, 0.4, ()), t)
    assert not decide(Evidence(0.4, 0.9, ()), t)


def test_calibrate_separates_and_uses_midpoints() -> None:
    samples = [
        (Evidence(0.70, 1.0, ()), True),
        (Evidence(0.60, 0.8, ()), True),
        (Evidence(0.55, 0.3, ()), False),
        (Evidence(0.40, 0.9, ()), False),
    ]
    thresholds, accuracy = calibrate(samples)
    assert accuracy == 1.0
    assert all(decide(e, thresholds) == ok for e, ok in samples)
    assert thresholds.min_dense in {0.0, 0.475, 0.575} and thresholds.min_coverage in {0.0, 0.55}


def test_calibrate_respects_the_false_refusal_budget() -> None:
    samples = [
        (Evidence(0.5, 0.5, ()), True),
        (Evidence(0.6, 0.9, ()), True),
        (Evidence(0.55, 0.7, ()), False),
    ]
    thresholds, _ = calibrate(samples, max_false_refusal=0.0)
    assert decide(samples[0][0], thresholds) and decide(samples[1][0], thresholds)
    with pytest.raises(ValueError):
        calibrate([(Evidence(0.5, 0.5, ()), True)])


def test_glossary_term_is_one_concept_covered_by_any_form() -> None:
    from assistant.rag.gate import concepts
    from assistant.rag.glossary import load_glossary

    glossary = load_glossary()
    question = "Welk tekort ontstaat door het studentenreisproduct?"
    assert len(concepts(question, glossary)) == 3  # tekort, ontstaat, {SRP forms}
    hits = [_hit("Het tekort door het Studenten Reis Product ontstaat vanaf 2025", 0.6)]
    assert measure(question, hits, glossary).coverage == 1.0
    assert measure(question, hits).coverage == pytest.approx(2 / 3)  # without glossary: one word missing


def test_idf_weighting_makes_rare_missing_words_count_more() -> None:
    hits = [_hit("Het windbeleid van de provincie Overijssel", 0.6)]
    question = "Wat is het windbeleid van Gelderland?"
    assert measure(question, hits).coverage == 0.5  # windbeleid yes, gelderland no
    from assistant.core.tokens import tokenize

    rare = {tokenize("Gelderland")[0]: 5.0, tokenize("windbeleid")[0]: 1.0}
    assert measure(question, hits, idf=lambda t: rare.get(t, 1.0)).coverage == pytest.approx(1 / 6)


def test_content_terms_are_shown_as_written() -> None:
    from assistant.rag.gate import content_terms

    assert content_terms("Wat is het windbeleid van Gelderland?") == ["windbeleid", "Gelderland"]


def test_calibration_for_new_questions_allows_fewer_false_refusals_than_its_budget() -> None:
    from assistant.rag.gate import calibrate_for_new_questions, held_out_false_refusal

    # Answerable questions spread over dense 0.40-0.99, near misses over 0.30-0.69: any threshold that
    # refuses near misses refuses some answerable ones too.
    answerable = [(Evidence(0.40 + i / 100, 0.9, (), 0.9), True) for i in range(60)]
    near = [(Evidence(0.30 + i / 100, 0.9, (), 0.9), False) for i in range(40)]
    samples = answerable + near
    assert held_out_false_refusal(samples, 0) <= held_out_false_refusal(samples, 3)
    thresholds, _, allowed = calibrate_for_new_questions(samples, max_false_refusal=0.05)
    assert allowed <= 3 and held_out_false_refusal(samples, allowed) <= 0.05
    refused = sum(not decide(e, thresholds) for e, ok in samples if ok)
    assert refused == allowed
