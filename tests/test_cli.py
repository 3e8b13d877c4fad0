"""The `lobby` command in-process (typer's runner), with the fake embedder and a temp store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.app.cli import app

from .conftest import CITATION_KEYS, FIXTURES


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LOBBY_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LOBBY_EMBEDDING_MODEL", "fake")
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "archief"
    folder.mkdir()
    for name in ["brief.docx", "drie_dias.pptx", "notitie.md", "beschadigd.pdf"]:
        shutil.copy(FIXTURES / name, folder / name)
    return folder


def test_ingest_json_is_one_object_with_the_contract_keys(env: Path) -> None:
    result = CliRunner().invoke(app, ["ingest", str(env), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)  # exactly one JSON document on stdout
    assert {"added", "updated", "unchanged", "removed", "chunks", "failed", "seconds"} <= set(report)
    assert report["added"] == 3 and report["chunks"] > 0
    assert report["failed"] == [{"source": "beschadigd.pdf", "reason": report["failed"][0]["reason"]}]
    again = json.loads(CliRunner().invoke(app, ["ingest", str(env), "--json"]).stdout)
    assert (again["unchanged"], again["chunks"]) == (3, 0)


def test_ingest_human_summary_names_failures(env: Path) -> None:
    result = CliRunner().invoke(app, ["ingest", str(env), "--no-progress"])
    assert result.exit_code == 0
    assert "3 nieuw" in result.stderr and "mislukt: beschadigd.pdf" in result.stderr


def test_ingest_missing_path_is_a_clear_error(env: Path) -> None:
    result = CliRunner().invoke(app, ["ingest", "bestaat-niet"])
    assert result.exit_code == 2 and "Bestaat niet: bestaat-niet" in result.stderr


def test_search_json_hits(env: Path) -> None:
    CliRunner().invoke(app, ["ingest", str(env), "--json"])
    result = CliRunner().invoke(app, ["search", "Onderwerp brief", "--json", "-k", "2"])
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert 1 <= len(hits) <= 2
    assert {
        "chunk_id",
        "doc_id",
        "source",
        "root",
        "path",
        "title",
        "page",
        "slide",
        "date",
        "score",
        "text",
    } <= set(hits[0])
    assert Path(hits[0]["path"]).is_file() and hits[0]["path"] == str(
        Path(hits[0]["root"], hits[0]["source"])
    )


def test_documents_open_and_remove(env: Path) -> None:
    CliRunner().invoke(app, ["ingest", str(env), "--json"])
    listed = json.loads(CliRunner().invoke(app, ["documents", "--json"]).stdout)
    assert len(listed) == 3 and {"doc_id", "title", "date", "files", "chunks", "access", "status"} <= set(
        listed[0]
    )
    hit = json.loads(CliRunner().invoke(app, ["search", "dia", "--json", "-k", "1"]).stdout)[0]
    opened = CliRunner().invoke(app, ["open", hit["chunk_id"], "--json"])
    assert opened.exit_code == 0 and json.loads(opened.stdout)["span"] is not None
    gone = CliRunner().invoke(app, ["remove", hit["doc_id"]])
    assert gone.exit_code == 0 and "verwijderd" in gone.stderr
    assert len(json.loads(CliRunner().invoke(app, ["documents", "--json"]).stdout)) == 2
    missing = CliRunner().invoke(app, ["remove", "bestaat-niet"])
    assert missing.exit_code == 2 and "bestaat niet" in missing.stderr


def test_interactive_search_ends_on_eof(env: Path) -> None:
    CliRunner().invoke(app, ["ingest", str(env), "--json"])
    result = CliRunner().invoke(app, ["search"], input="dia\n")
    assert result.exit_code == 0
    assert "[1]" in result.stdout


def test_help_is_dutch_and_fast_to_import() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0 and "Archiefassistent" in result.stdout


def test_bench_ingest_prints_the_ratios(env: Path) -> None:
    result = CliRunner().invoke(app, ["bench", "ingest", str(env), "--json"])
    assert result.exit_code == 0, result.output
    numbers = json.loads(result.stdout)
    assert (
        numbers["chunks"] > 0 and numbers["unchanged_reingest_files_unchanged"] == numbers["documents"] == 3
    )
    for key in (
        "encoder_only_chunks_per_s",
        "pipeline_chunks_per_s",
        "pipeline_overhead_pct",
        "unchanged_reingest_pct_of_first",
        "pipeline_non_embedding_pct",
    ):
        assert isinstance(numbers[key], float | int), key


@pytest.fixture
def archive_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from .archive_helpers import write_archive

    monkeypatch.setenv("LOBBY_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LOBBY_EMBEDDING_MODEL", "fake")
    monkeypatch.setenv("LOBBY_GATE_MIN_COVERAGE", "0.5")
    monkeypatch.setenv("LOBBY_GATE_MIN_DENSE", "0.05")  # the calibrated default is for the real model
    monkeypatch.chdir(tmp_path)
    folder = write_archive(tmp_path / "archief")
    assert CliRunner().invoke(app, ["ingest", str(folder), "--json"]).exit_code == 0
    return folder


def test_ask_json_contract_with_fake_model(archive_env: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "ask",
            "Hoeveel minder inkomsten krijgt de OV-sector door de herijkingsmetingen?",
            "--json",
            "--llm",
            "fake",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["refused"] is False and "200 miljoen" in data["answer"]
    citation = data["citations"][0]
    assert set(citation) >= CITATION_KEYS
    assert citation["date"] == "2024-11-05" and Path(citation["path"]).is_file()
    assert {"retrieve", "generate", "total"} <= set(data["timings"])


def test_ask_refuses_and_filters_apply(archive_env: Path) -> None:
    refused = json.loads(
        CliRunner()
        .invoke(app, ["ask", "Wat vindt IPO van kernenergie?", "--json", "--llm", "extractive"])
        .stdout
    )
    assert refused["refused"] is True and refused["citations"] == []
    filtered = CliRunner().invoke(
        app,
        ["ask", "tekort studenten OV herijking", "--json", "--llm", "extractive", "--type", "position paper"],
    )
    assert {c["source"] for c in json.loads(filtered.stdout)["citations"]} == {"positions/2024-09-02_h3b.md"}
    for bad_date in ("2024-13-45", "31-02-2024", "volgende week"):
        bad = CliRunner().invoke(app, ["ask", "x", "--from", bad_date])
        assert (
            bad.exit_code == 2
            and f"ongeldige datum '{bad_date}'" in bad.stderr
            and "JJJJ-MM-DD" in bad.stderr
        )
        assert "Traceback" not in bad.stderr
    # A Dutch day-first date is that date, not a wrong number: 5-11-2024 is 5 November 2024.
    dutch = CliRunner().invoke(
        app, ["search", "tekort", "--json", "--from", "5-11-2024", "--to", "5 november 2024"]
    )
    assert dutch.exit_code == 0 and {h["date"] for h in json.loads(dutch.stdout)} == {"2024-11-05"}
    backwards = CliRunner().invoke(app, ["search", "x", "--from", "2024-12-01", "--to", "2024-01-01"])
    assert backwards.exit_code == 2 and "na de einddatum" in backwards.stderr


def test_chat_follow_up_and_glossary(archive_env: Path) -> None:
    session = "Wat vraagt IPO over het Studenten Reis Product?\nEn hoeveel minder inkomsten zijn dat?\n/woordenlijst UDO\n/stop\n"
    result = CliRunner().invoke(app, ["chat", "--llm", "extractive"], input=session)
    assert result.exit_code == 0, result.output
    assert "Bronnen:" in result.stdout and "200 miljoen" in result.stdout
    assert "gezocht als:" in result.stderr
    assert "UDO: Uitvoerbaarheidstoets Decentrale Overheden" in result.stdout


def test_woordenlijst_command() -> None:
    result = CliRunner().invoke(app, ["woordenlijst", "SRP"])
    assert result.exit_code == 0 and "Studenten Reis Product" in result.stdout
    assert CliRunner().invoke(app, ["woordenlijst", "XYZQ"]).exit_code == 1


def test_draft_lists_templates_and_writes_json_and_a_docx(env: Path, tmp_path: Path) -> None:
    listed = CliRunner().invoke(app, ["draft", "--list"])
    assert listed.exit_code == 0, listed.output
    names = [line.split()[0] for line in listed.stdout.splitlines()]
    assert {
        "position-paper",
        "spreektekst-commissiedebat",
        "kernboodschappen",
        "brief-bewindspersoon",
    } <= set(names)
    CliRunner().invoke(app, ["ingest", str(env), "--json"])
    out = tmp_path / "uit" / "concept.docx"
    result = CliRunner().invoke(
        app,
        ["draft", "kernboodschappen", "de brief", "--llm", "extractive", "--json", "--out", str(out),
         "--punt", "windturbines op zee bij Texel"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    draft = json.loads(result.stdout)
    assert {"template", "subject", "sections", "gaps", "sources", "timings", "used"} <= set(draft)
    assert draft["template"] == "kernboodschappen" and out.is_file()
    assert {"section": "Aanvullende punten", "ask": "windturbines op zee bij Texel"} in draft["gaps"]


def test_draft_with_an_unknown_template_or_source_is_a_clear_error(env: Path) -> None:
    unknown = CliRunner().invoke(app, ["draft", "persbericht", "x", "--llm", "extractive"])
    assert unknown.exit_code == 2 and "Onbekend sjabloon 'persbericht'" in unknown.stderr
    CliRunner().invoke(app, ["ingest", str(env), "--json"])
    missing = CliRunner().invoke(
        app, ["draft", "kernboodschappen", "x", "--llm", "extractive", "--bron", "bestaat-niet"]
    )
    assert missing.exit_code == 2 and "geen document gevonden voor 'bestaat-niet'" in missing.stderr


def test_a_draft_that_cannot_be_written_is_still_shown(env: Path, tmp_path: Path) -> None:
    CliRunner().invoke(app, ["ingest", str(env), "--json"])
    blocker = tmp_path / "bestand"
    blocker.write_text("geen map")
    result = CliRunner().invoke(
        app,
        ["draft", "kernboodschappen", "de brief", "--llm", "extractive", "--out", str(blocker / "c.docx")],
    )
    assert result.exit_code == 0, result.output
    assert "kon niet worden geschreven" in result.stderr and "# Kernboodschappen: de brief" in result.stdout
