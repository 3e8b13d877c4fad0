"""The sample archive: ``data/`` is what scripts/build_sample_archive.py renders from its content files.

The rebuild tests need the seed extractions in ../shared/seeds (CI has them; a user's clone does not,
and there they skip with a reason) and the DejaVu Sans fonts (Debian/Ubuntu package
``fonts-dejavu-core``): without the fonts they fail, since the PDFs cannot be rebuilt. The unit tests
of the content files' seed checks use small hand-made seeds and run everywhere.
"""

from __future__ import annotations

import importlib.util
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

from ingest.loaders import load
from ingest.metadata import extract_metadata

from .conftest import REPO, shared_path

SCRIPT = REPO / "scripts" / "build_sample_archive.py"
CONTENT = REPO / "scripts" / "sample_archive"
DATA = REPO / "data"
README = REPO / "docs" / "sample-archive.md"
REBUILD = ".venv/bin/python scripts/build_sample_archive.py --seeds ../shared/seeds --out data"


@pytest.fixture(scope="module")
def builder() -> ModuleType:
    """scripts/build_sample_archive.py as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("build_sample_archive", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def rebuilt(builder: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The archive rebuilt from the seeds into a temp dir: (data dir, sample-archive.md)."""
    seeds = shared_path("seeds")
    try:
        fonts = builder.find_fonts(None)
    except SystemExit as exc:
        pytest.fail(f"{exc}\nThe sample-archive rebuild test needs them: CI must install fonts-dejavu-core.")
    out = tmp_path_factory.mktemp("sample-archive")
    builder.build(seeds, out / "data", fonts, out / "sample-archive.md")
    return out / "data", out / "sample-archive.md"


def _files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


# ---- the committed archive is the rendered content ------------------------------------------------


@pytest.mark.corpus
def test_rebuild_is_byte_identical_to_committed_data(rebuilt: tuple[Path, Path]) -> None:
    out, _ = rebuilt
    assert _files(out) == _files(DATA)
    differing = [rel for rel in _files(DATA) if (out / rel).read_bytes() != (DATA / rel).read_bytes()]
    assert not differing, (
        f"rebuilt files differ from the committed data/: {differing}. After changing the content files "
        f"(scripts/sample_archive/) or the renderer, rebuild with `{REBUILD}` and commit data/ too."
    )


@pytest.mark.corpus
def test_rebuild_has_the_committed_text_and_metadata(rebuilt: tuple[Path, Path]) -> None:
    """What ingestion sees: the same pages, format properties and extracted metadata for every file."""
    out, _ = rebuilt
    for rel in _files(DATA):
        committed, fresh = load(DATA / rel), load(out / rel)
        assert fresh.pages == committed.pages, rel
        assert fresh.properties == committed.properties, rel
        assert extract_metadata(fresh, filename=rel) == extract_metadata(committed, filename=rel), rel


@pytest.mark.corpus
def test_rebuild_writes_the_committed_archive_description(rebuilt: tuple[Path, Path]) -> None:
    _, readme = rebuilt
    assert readme.read_text(encoding="utf-8") == README.read_text(encoding="utf-8"), (
        f"docs/sample-archive.md is out of date: rebuild with `{REBUILD}`"
    )


def test_every_committed_file_is_named_by_one_content_file() -> None:
    outputs = [
        output
        for path in sorted((CONTENT / "documents").glob("*.toml"))
        for output in tomllib.loads(path.read_text(encoding="utf-8"))["outputs"]
    ]
    assert sorted(outputs) == _files(DATA)


# ---- seed checks on hand-made content -------------------------------------------------------------

FULL_SEED = """Brief aan de minister

Dagelijks reizen veel studenten met het OV.

Wij verzoeken u om een bestuurlijk gesprek.

Inlichtingen bij : de afdeling
"""
SLIDE_SEED = "Agenderen\nMobiliseren\n"
FIXES = 'fixes = [["Inlichtingen bij :", "Inlichtingen bij:"]]'
ARCHIVE = """[editorial]
author = "Interprovinciaal Overleg"
meta = ["Datum: {datum}"]
[readme]
unplaced = []
"""
DOCUMENT = """kind = "doc"
outputs = ["reacties/2024-09-13_reactie.md"]
date = 2024-09-13
doc_type = "reactie"
title = {{ ed = "Een reactie" }}
blocks = [
  ["h2", "Agenderen"],
  {block},
]
[readme]
date_source = "from the seeds"
description = "A test document."
"""


def _content(tmp_path: Path, block: str, fixes: str = FIXES) -> tuple[Path, Path]:
    """A seed dir and a content dir with one document whose second block is ``block``."""
    seeds, content = tmp_path / "seeds", tmp_path / "content"
    (content / "documents").mkdir(parents=True)
    seeds.mkdir()
    (seeds / "000_c3277b4c3cb96f35.txt").write_text(FULL_SEED, encoding="utf-8")
    (seeds / "001_58738fa6074fde0d.txt").write_text(SLIDE_SEED, encoding="utf-8")
    (content / "archive.toml").write_text(f"{fixes}\n{ARCHIVE}", encoding="utf-8")
    (content / "documents" / "reactie.toml").write_text(DOCUMENT.format(block=block), encoding="utf-8")
    return seeds, content


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        ('["p", "Dagelijks reizen veel studenten"]', [("p", "Dagelijks reizen veel studenten")]),
        ('["b", "dagelijks REIZEN veel\\nstudenten"]', [("b", "dagelijks REIZEN veel\nstudenten")]),
        ('["p", { ed = "Niet uit de bron" }]', [("p", "Niet uit de bron")]),
        (
            '["p", { seed = ["Wij verzoeken", "gesprek."] }]',
            [("p", "Wij verzoeken u om een bestuurlijk gesprek.")],
        ),
        (
            '["p", { seed = ["Wij verzoeken", "gesprek."], clip = [["om een", "om […] een"]] }]',
            [("p", "Wij verzoeken u om […] een bestuurlijk gesprek.")],
        ),
        (
            '["p", { paragraphs = ["Dagelijks", "gesprek."], count = 2 }]',
            [
                ("p", "Dagelijks reizen veel studenten met het OV."),
                ("p", "Wij verzoeken u om een bestuurlijk gesprek."),
            ],
        ),
        (
            '["p", { fmt = "Fragment: {}", parts = ["een bestuurlijk gesprek"] }]',
            [("p", "Fragment: een bestuurlijk gesprek")],
        ),
        ('["p", { lines = ["Inlichtingen bij:", "afdeling"] }]', [("p", "Inlichtingen bij: de afdeling")]),
    ],
)
def test_content_file_resolves_seed_text(
    builder: ModuleType, tmp_path: Path, block: str, expected: list[tuple[str, str]]
) -> None:
    seeds, content = _content(tmp_path, block)
    _, _, [doc] = builder.load_archive(content, seeds)
    assert doc.title == "Een reactie"
    assert doc.blocks == [("h2", "Agenderen"), *expected]


@pytest.mark.parametrize(
    ("block", "message"),
    [
        (
            '["p", "Dagelijks reizen alle studenten"]',
            "text not found in the seeds: 'Dagelijks reizen alle studenten'",
        ),
        (
            '["p", { fmt = "Fragment: {}", parts = ["een ambtelijk gesprek"] }]',
            "text not found in the seeds: 'een ambtelijk gesprek'",
        ),
        (
            '["p", { seed = ["Wij vragen", "gesprek."] }]',
            "start anchor not in 000_c3277b4c3cb96f35.txt: 'Wij vragen'",
        ),
        (
            '["p", { seed = ["Wij verzoeken", "overleg."] }]',
            "end anchor not in 000_c3277b4c3cb96f35.txt after",
        ),
        (
            '["p", { seed = ["Dagelijks", "gesprek."] }]',
            "expected one paragraph from 'Dagelijks' to 'gesprek.'",
        ),
        ('["p", { paragraphs = ["Dagelijks", "gesprek."], count = 3 }]', "expected 3 paragraphs"),
        (
            '["p", { seed = ["Wij verzoeken", "gesprek."], clip = [["om een overleg", "om […]"]] }]',
            "clip mark target 'om een overleg' occurs 0x",
        ),
    ],
)
def test_missing_seed_passage_fails_naming_document_and_passage(
    builder: ModuleType, tmp_path: Path, block: str, message: str
) -> None:
    seeds, content = _content(tmp_path, block)
    with pytest.raises(builder.SeedError) as exc:
        builder.load_archive(content, seeds)
    assert str(exc.value).startswith("reactie.toml, blocks[1]: ")
    assert message in str(exc.value)


def test_missing_seed_passage_fails_the_build_before_writing(
    builder: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seeds, content = _content(tmp_path, '["p", "Dagelijks reizen alle studenten"]')
    fonts = tmp_path / "fonts"  # never opened: the content is checked first
    fonts.mkdir()
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        (fonts / name).write_bytes(b"")
    out = tmp_path / "out"
    argv = ["--seeds", str(seeds), "--out", str(out / "data"), "--readme", str(out / "sample-archive.md")]
    assert builder.main([*argv, "--content", str(content), "--font-dir", str(fonts)]) == 1
    assert capsys.readouterr().err == (
        "error: reactie.toml, blocks[1]: text not found in the seeds: 'Dagelijks reizen alle studenten'\n"
    )
    assert not out.exists()


def test_typo_fix_that_matches_nothing_fails(builder: ModuleType, tmp_path: Path) -> None:
    seeds, content = _content(tmp_path, '["p", "Dagelijks"]', fixes='fixes = [["Hoofdpijnenakkoord", "x"]]')
    with pytest.raises(builder.SeedError, match="typo fix 'Hoofdpijnenakkoord' matches nothing in the seeds"):
        builder.load_archive(content, seeds)
