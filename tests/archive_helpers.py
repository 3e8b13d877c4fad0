"""A small dated archive of Markdown documents, ingested with the fake embedder into a temp store."""

from __future__ import annotations

from pathlib import Path

from assistant.core.settings import Settings
from assistant.services.requests import Request
from assistant.services.wiring import Index, Services, build_index
from assistant.testing import HashEmbeddings
from ingest.pipeline import Ingestor

DOCS = {
    "brieven/2024-11-05_srp.md": (
        "# Contract Studenten Reis Product\n\nDatum: 5 november 2024\nOns kenmerk: 11812/2024\n"
        "Aan: de heer dr. E.E.W. Bruins, minister van OC&W\n\n"
        "Voor de jaren vanaf 2025 kan de OV-sector ruim €200 miljoen minder inkomsten tegemoet zien door de "
        "herijkingsmetingen van het Studenten Reis Product. Wij verzoeken u om een bestuurlijk gesprek.\n"
    ),
    # The same letter as a second file (e.g. the PDF): the same text, not the same bytes (here: Windows
    # line ends), since ingest stores a byte-identical copy once (tests/test_hostile_files.py).
    "brieven/2024-11-05_srp_kopie.md": None,
    "positions/2024-09-02_h3b.md": (
        "# Inzet Hoofdlijnenakkoord H3b\n\nDatum: 2 september 2024\nDocumenttype: position paper\n\n"
        "Door herijking van het Studenten OV dreigt vanaf 2025 een tekort van € 75 mln per jaar voor het "
        "decentraal OV. Meerjarige compensatie is daarom noodzakelijk.\n"
    ),
    "brieven/2024-11-01_nds.md": (
        "# Inbreng provincies voor de Nationale Digitaliseringsstrategie\n\nDatum: 1 november 2024\n"
        "Aan: Staatssecretaris Digitalisering\n\n"
        "Onze topprioriteit voor de NDS is een excellente informatiepositie voor de opgaven in de fysieke "
        "leefomgeving.\n"
    ),
}


def write_archive(folder: Path) -> Path:
    for name, text in DOCS.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if text is None:
            path.write_bytes(DOCS["brieven/2024-11-05_srp.md"].replace("\n", "\r\n").encode("utf-8"))
        else:
            path.write_text(text, encoding="utf-8")
    return folder


def ingested_index(tmp_path: Path) -> Index:
    settings = Settings(home=tmp_path / "home", embedding_model="fake")
    index = build_index(settings, embeddings=HashEmbeddings())
    report = Ingestor(index.store, index.lexical, index.embeddings).run([write_archive(tmp_path / "archief")])
    assert report.added == len(DOCS) and not report.failed
    return index


def ingested_services(tmp_path: Path, **settings: object) -> Services:
    """Services over the small archive, ingested through the library service, with fake embeddings and a
    gate loose enough for the hash embedder; ``settings`` override (``llm`` defaults to extractive)."""
    services = services_over(tmp_path, write_archive(tmp_path / "archief"), **settings)
    assert len({m["source"] for _, m in services.index.store.metadatas()}) == len(DOCS)
    return services


def services_over(tmp_path: Path, archive: Path, **settings: object) -> Services:
    """Services over ``archive`` (home in ``tmp_path``), ingested through the library service, with fake
    embeddings and a gate loose enough for the hash embedder; fails on any file that did not ingest."""
    values: dict[str, object] = {
        "home": tmp_path / "home", "embedding_model": "fake", "llm": "extractive", "archive": archive,
        "gate_min_dense": 0.05, "gate_min_coverage": 0.5, **settings,
    }  # fmt: skip
    services = Services(Settings(**values))  # type: ignore[arg-type]
    report = services.library.ingest(Request(), [archive])
    assert report.added and not report.failed, report.failed
    return services
