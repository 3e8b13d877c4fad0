"""Document identity: the file copies of one document share a doc_id; different documents do not."""

from __future__ import annotations

from collections import defaultdict

from assistant.core.records import DocMeta
from ingest.identity import document_id
from ingest.loaders import load
from ingest.metadata import extract_metadata

from .conftest import REPO


def test_copies_in_the_sample_archive_share_their_document_id() -> None:
    ids: dict[str, set[str]] = defaultdict(set)
    data = REPO / "data"
    for path in sorted(p for p in data.rglob("*") if p.is_file()):
        document = load(path)
        source = path.relative_to(data).as_posix()
        ids[document_id(extract_metadata(document, filename=source), document.text)].add(source)
    copies = sorted(sorted(files) for files in ids.values() if len(files) > 1)
    assert copies == [
        ["brieven/2024-11-01_brief-bzk-nationale-digitaliseringsstrategie.docx",
         "brieven/2024-11-01_brief-bzk-nationale-digitaliseringsstrategie.pdf"],
        ["brieven/2024-11-05_brief-ocw-studenten-reis-product.docx",
         "brieven/2024-11-05_brief-ocw-studenten-reis-product.pdf"],
        ["presentaties/2024-11-19_presentatie-lobby-namens-de-provincies-in-den-haag.pdf",
         "presentaties/2024-11-19_presentatie-lobby-namens-de-provincies-in-den-haag.pptx"],
    ]  # fmt: skip
    assert len(ids) == 11  # 14 files, 11 documents


def test_identity_rules() -> None:
    letter = DocMeta("Brief", "brief", "2024-11-05", kenmerk="11812/2024")
    assert document_id(letter, "tekst") == document_id(
        DocMeta("Andere titel", "brief", "2024-11-05", "11812/2024"), ""
    )
    assert document_id(letter, "") != document_id(
        DocMeta("Brief", "brief", "2024-11-06", kenmerk="11812/2024"), ""
    )
    dated = DocMeta("Reactie op de Miljoenennota", "reactie", "2024-09-17")
    assert document_id(dated, "a") == document_id(
        DocMeta("Reactie op de  Miljoenennota", "reactie", "2024-09-17"), "b"
    )
    assert document_id(dated, "") != document_id(
        DocMeta("Reactie op de Miljoenennota", "nota", "2024-09-17"), ""
    )
    undated = DocMeta("Notitie")
    assert document_id(undated, "Eén  tekst\nhier") == document_id(undated, "een tekst hier")
    assert document_id(undated, "een tekst") != document_id(undated, "andere tekst")
