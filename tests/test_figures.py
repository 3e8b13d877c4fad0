"""Dated figures: amounts found, ordered newest first, and the per-date line only where they differ."""

from __future__ import annotations

from assistant.core.answers import CheckedSentence
from assistant.core.records import Hit
from assistant.rag.figures import amounts_in, dated_figures, figures_note, newest_first


def _hit(date: str | None, doc: str) -> Hit:
    return Hit(chunk_id=doc, text="", score=1.0, metadata={"date": date or "", "doc_id": doc, "title": doc})


def _sentence(text: str, n: int) -> CheckedSentence:
    return CheckedSentence(text, (n,), (n,))


def test_amounts_are_found_with_and_without_the_euro_sign() -> None:
    text = (
        "ruim €200 miljoen minder, waarvan plm. 110 miljoen decentraal; € 75 mln/jaar; 1,2 miljard euro; 2025"
    )
    assert amounts_in(text) == ["€200 miljoen", "110 miljoen", "€ 75 mln", "1,2 miljard euro"]
    assert amounts_in("in 2025 en 2026, 20-25% van de omzet") == []


def test_different_amounts_on_different_dates_are_listed_newest_first() -> None:
    sources = [_hit("2024-09-02", "paper"), _hit("2024-11-05", "letter"), _hit(None, "undated")]
    checked = [
        _sentence("Er dreigt een tekort van € 75 mln/jaar.", 1),
        _sentence("Het gaat om een tekort van Nog geen bedrag.", 3),
        _sentence("De sector loopt ruim €200 miljoen mis.", 2),
    ]
    figures = dated_figures(checked, sources)
    assert [(f.date, f.amounts) for f in figures] == [
        ("2024-11-05", ("€200 miljoen",)),
        ("2024-09-02", ("€ 75 mln",)),
    ]
    assert figures_note(figures) == (
        "Bedragen naar datum (nieuwste eerst): 5 november 2024: €200 miljoen [2]; 2 september 2024: € 75 mln [1]. "
        "Na te gaan of het om hetzelfde bedrag gaat; het nieuwste staat bovenaan."
    )
    assert [s.cited for s in newest_first(checked, sources)] == [(2,), (1,), (3,)]


def test_no_line_when_the_amounts_agree_or_come_from_one_date() -> None:
    sources = [_hit("2024-09-02", "a"), _hit("2024-11-05", "b"), _hit("2024-11-05", "c")]
    same = [_sentence("Een tekort van € 75 mln.", 1), _sentence("Nog steeds € 75 mln tekort.", 2)]
    assert figures_note(dated_figures(same, sources)) == ""
    one_date = [_sentence("Een tekort van € 75 mln.", 2), _sentence("Ruim €200 miljoen.", 3)]
    assert figures_note(dated_figures(one_date, sources)) == ""
    unsupported = [CheckedSentence("Een tekort van € 75 mln.", (1,), ()), _sentence("Ruim €200 miljoen.", 2)]
    assert figures_note(dated_figures(unsupported, sources)) == ""
