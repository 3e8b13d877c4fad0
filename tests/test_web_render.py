"""The web app's HTML: markers become links to their source, archive text is escaped, passages are marked."""

from __future__ import annotations

from assistant.app.web.render import answer_html, cite_links, draft_html, evidence_html, filters_summary

CITATION = {
    "n": 2, "title": "Contract <Studenten> Reis Product", "date": "2024-11-05", "doc_type": "brief",
    "kenmerk": "11812/2024", "page": 1, "slide": None, "section": None, "source": "brieven/srp.pdf",
}  # fmt: skip


def test_each_marker_links_to_its_source_of_this_turn() -> None:
    html = cite_links("Het tekort is € 75 mln [2][3]. Zie ook [1].", "t7")
    assert (
        html.count('href="#bron=t7:2"') == 1 and 'href="#bron=t7:3"' in html and 'href="#bron=t7:1"' in html
    )
    assert "[2]</a>" in html and "Het tekort is € 75 mln" in html


def test_archive_text_is_escaped_never_rendered_as_html() -> None:
    html = cite_links('<script>alert("x")</script> tekst [1]', "t1")
    assert "<script>" not in html and "&lt;script&gt;" in html
    answer = answer_html("Zin [2].", [CITATION], "t1")
    assert "<Studenten>" not in answer and "&lt;Studenten&gt;" in answer


def test_an_answer_lists_its_sources_with_date_kenmerk_and_page() -> None:
    html = answer_html("Zin [2].", [CITATION], "t4")
    assert '<li><a class="cite" href="#bron=t4:2">[2]</a>' in html
    assert "5 november 2024" in html and "kenmerk 11812/2024" in html and "p. 1" in html


def test_removed_sentences_are_collapsed_with_why() -> None:
    removed = [
        {"text": "Het IPO wil € 1 miljard.", "cited": [2], "why": "de aangehaalde bron [2] zegt dit niet"}
    ]
    html = answer_html("Zin [2].", [CITATION], "t4", removed=removed)
    assert "<details" in html and "1 zin(nen) weggelaten" in html and "zegt dit niet" in html


def test_a_refusal_shows_what_was_searched_and_openable_nearest_documents() -> None:
    text = (
        "Het archief geeft geen goed onderbouwd antwoord op deze vraag.\nGezocht op: motie, Krul\n"
        "Dichtstbijzijnde documenten:\n- A (1 november 2024; a.pdf)"
    )
    nearest = [{"title": "A", "date": "2024-11-01", "source": "a.pdf", "chunk_id": "c1"}]
    html = answer_html(text, [], "t9", refused=True, nearest=nearest)
    assert "Gezocht op: motie, Krul" in html and 'href="#bron=t9:1"' in html
    assert "- A (1 november 2024" not in html  # the plain list is replaced by the links


def test_model_text_under_check_is_visibly_a_draft() -> None:
    html = draft_html("Het IPO vraagt <b>geld</b>.", "Elke zin controleren…")
    assert "Concept — wordt nog gecontroleerd" in html and "&lt;b&gt;" in html


def test_the_evidence_panel_marks_the_passage_in_its_context() -> None:
    text = "Eerste zin. Hierbij maken zij gebruik van het SRP. Laatste zin."
    start = text.index("Hierbij")
    html = evidence_html(
        {"title": "Brief", "date": "2024-11-05", "location": "p. 1"}, text, (start, start + 38)
    )
    assert '<mark id="passage">Hierbij maken zij gebruik van het SRP.</mark>' in html
    assert "5 november 2024" in html and "Eerste zin." in html and "Laatste zin." in html
    unplaced = evidence_html({"title": "Brief"}, text, None)
    assert "<mark" not in unplaced and "niet precies worden aangewezen" in unplaced


def test_active_filters_are_named() -> None:
    assert filters_summary({}) == "Geen filters: het hele archief."
    shown = filters_summary({"date_from": "2024-09-01", "doc_types": ["brief"], "folder": "brieven"})
    assert "periode 2024-09-01 t/m …" in shown and "type brief" in shown and "map brieven" in shown


def test_two_passages_of_one_page_are_listed_once_with_both_numbers() -> None:
    html = answer_html("Zin [2]. Zin [3].", [CITATION, {**CITATION, "n": 3}], "t4")
    assert html.count("Contract &lt;Studenten&gt; Reis Product") == 1
    assert 'href="#bron=t4:2">[2]</a> <a class="cite" href="#bron=t4:3">[3]</a>' in html


def test_a_failure_is_told_in_dutch_with_its_cause() -> None:
    from assistant.app.web.chat_tab import failure_text
    from assistant.index.models import ModelError

    assert failure_text(ModelError("model ontbreekt")).startswith(
        "Het taalmodel is niet beschikbaar: model ontbreekt"
    )
    assert "lobby models fetch" in failure_text(ModelError("x"))
    other = failure_text(RuntimeError("schijf vol"))
    assert "RuntimeError: schijf vol" in other and "Het gesprek is bewaard" in other


def test_a_marker_of_an_unstored_answer_opens_its_passage_also_for_a_refusals_nearest_documents() -> None:
    from assistant.app.web.evidence import AnswerMemo, resolve

    memo = AnswerMemo()
    cited = memo.keep([{"n": 1, "chunk_id": "c1", "quote": "Wij vragen een gesprek.", "title": "Brief"}])
    nearest = memo.keep([{"n": 1, "chunk_id": "c7", "title": "Nota", "date": None, "source": "a.md"}])
    store: object = None  # stored turns are not consulted for memo keys
    first = resolve(f"{cited}:1", user="lokaal", store=store, memo=memo)  # type: ignore[arg-type]
    assert (first.chunk_id, first.quote) == ("c1", "Wij vragen een gesprek.")
    near = resolve(f"{nearest}:1", user="lokaal", store=store, memo=memo)  # type: ignore[arg-type]
    assert (near.chunk_id, near.quote) == ("c7", None)
    assert resolve("c:c9", user="lokaal", store=store, memo=memo).chunk_id == "c9"  # type: ignore[arg-type]
