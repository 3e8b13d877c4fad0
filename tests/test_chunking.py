import itertools

from assistant.core.records import DocMeta, Page
from assistant.core.text import split_sentences
from ingest.chunking import chunk_document, embedding_text, estimate_tokens, pack

META = DocMeta(title="Brief SRP", doc_type="brief", date="2024-11-05", kenmerk="11812/2024")


def _sentences(n: int, words: int = 9) -> str:
    return " ".join(f"Zin {i} " + " ".join(["woord"] * (words - 2)) + "." for i in range(n))


def test_estimate_tokens_counts_words_and_punctuation() -> None:
    assert estimate_tokens("Geachte heer Bruins,") == 4
    assert estimate_tokens("") == 0


def test_split_sentences_keeps_abbreviations_and_bullets() -> None:
    text = (
        "Dit is zin één. Dit is zin twee! Hierbij plm. 110 miljoen. Aan dr. E.E.W. Bruins.\n"
        "> Bullet zonder punt"
    )
    assert split_sentences(text) == [
        "Dit is zin één.",
        "Dit is zin twee!",
        "Hierbij plm. 110 miljoen.",
        "Aan dr. E.E.W. Bruins.",
        "> Bullet zonder punt",
    ]
    assert split_sentences("Een voorzitter (Dhr. W. Mul). Volgende zin.") == [
        "Een voorzitter (Dhr. W. Mul).",
        "Volgende zin.",
    ]


def test_short_unit_is_one_piece_with_paragraphs_kept() -> None:
    text = "Eerste alinea.\n\nTweede alinea."
    assert pack(text, target=300, overlap=50) == ["Eerste alinea.\n\nTweede alinea."]


def test_long_unit_is_packed_under_target_with_sentence_overlap() -> None:
    text = _sentences(40)  # 40 sentences of 10 tokens
    pieces = pack(text, target=100, overlap=25)
    assert len(pieces) > 4
    assert all(estimate_tokens(p) <= 100 for p in pieces)
    for before, after in itertools.pairwise(pieces):
        last_two = split_sentences(before)[-2:]
        assert split_sentences(after)[:2] == last_two  # two 10-token sentences fit in 25 overlap tokens
    # every sentence survives
    joined = " ".join(pieces)
    assert all(f"Zin {i} " in joined for i in range(40))


def test_run_on_sentence_is_cut_at_word_bounds() -> None:
    pieces = pack(" ".join(["woord"] * 500), target=100, overlap=0)
    assert len(pieces) == 5
    assert all(estimate_tokens(p) <= 100 for p in pieces)


def test_chunks_never_cross_pages_and_carry_anchor_and_metadata() -> None:
    pages = [Page(text=_sentences(5), page=1), Page(text="Korte tweede pagina.", page=2)]
    chunks = chunk_document(pages, META, source="brieven/srp.pdf", root="/a", file_hash="h")
    assert [c.page for c in chunks] == [1, 2]
    assert chunks[1].text == "Korte tweede pagina."
    assert all(c.meta.kenmerk == "11812/2024" and c.n_chunks == 2 for c in chunks)
    assert [c.ordinal for c in chunks] == [0, 1]


def test_slide_is_a_unit() -> None:
    pages = [Page(text="Agenderen\n\nEr is een probleem!", slide=3, heading="Agenderen")]
    (chunk,) = chunk_document(pages, META, source="deck.pptx", root="/a", file_hash="h")
    assert chunk.slide == 3 and chunk.page is None
    assert chunk.text.startswith("Agenderen")


def test_chunk_ids_are_stable_and_change_with_content_or_position() -> None:
    pages = [Page(text="Tekst A.", page=1), Page(text="Tekst B.", page=2)]
    first = chunk_document(pages, META, source="x.pdf", root="/a", file_hash="h1")
    again = chunk_document(pages, META, source="x.pdf", root="/a", file_hash="h2")
    assert [c.chunk_id for c in first] == [c.chunk_id for c in again]
    edited = chunk_document(
        [pages[0], Page(text="Tekst C.", page=2)], META, source="x.pdf", root="/a", file_hash="h"
    )
    assert edited[0].chunk_id == first[0].chunk_id
    assert edited[1].chunk_id != first[1].chunk_id
    moved = chunk_document(pages, META, source="y.pdf", root="/a", file_hash="h1")
    assert moved[0].chunk_id != first[0].chunk_id


def test_overlap_must_be_below_target() -> None:
    import pytest

    with pytest.raises(ValueError, match="overlap"):
        chunk_document(
            [Page(text="x", page=1)], META, source="x", root="/", file_hash="h", target=50, overlap=50
        )


def test_embedding_text_adds_title_and_heading_context() -> None:
    pages = [Page(text="Voor de BAC.", slide=9, heading="Troonrede en Miljoenennota")]
    (chunk,) = chunk_document(pages, META, source="d.pptx", root="/a", file_hash="h")
    assert embedding_text(chunk) == "Brief SRP — Troonrede en Miljoenennota\nVoor de BAC."


def test_wrapped_pdf_lines_are_rejoined_but_bullets_stay_items() -> None:
    text = "waarvan plm.\n110 miljoen decentraal neer zal slaan.\n• Eerste punt\n• Tweede punt"
    assert split_sentences(text) == [
        "waarvan plm. 110 miljoen decentraal neer zal slaan.",
        "• Eerste punt",
        "• Tweede punt",
    ]
