"""The benchmark commands run end to end on a tiny archive with fake models, and carry their JSON keys.

The figures themselves are only printed (``lobby bench ...``), never asserted: these tests check that a
benchmark measures what it says (a first token counted from the model's own stream, a peak read from a
new process), not how fast this machine is.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.core.settings import Settings
from assistant.rag.prompts import PromptLibrary
from assistant.rag.steps import Generate
from assistant.services.wiring import Services
from assistant.testing import EchoChatModel
from eval.bench_process import bench_memory, bench_startup
from eval.bench_serve import answer_timings

from .archive_helpers import ingested_services
from .conftest import FIXTURES

SRP = "Hoeveel minder inkomsten krijgt de OV-sector door de herijkingsmetingen?"
OFF_TOPIC = "Wat vindt het IPO van kerncentrales in Zeeland?"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return ingested_services(tmp_path, llm="fake").settings


def test_answer_timings_count_the_models_first_token_and_refusals(settings: Settings) -> None:
    result = answer_timings(settings, "fake", questions=[SRP, OFF_TOPIC])
    assert result["questions"] == 2 and result["refused"] == 1
    assert len(result["first_token_s"]) == 1  # only the answered question has a first token
    assert 0 < result["first_token_s_median"] <= result["verified_answer_s_median"]
    assert result["first_progress_s_median"] <= result["first_text_s_median"]


def test_extractive_first_token_is_the_composed_answer(settings: Settings) -> None:
    result = answer_timings(settings, "extractive", questions=[SRP])
    assert result["refused"] == 0 and result["first_token_s"] and result["tokens_per_s_median"] is None


def test_priming_reads_the_fixed_prompt_start_of_a_local_model(settings: Settings) -> None:
    index = Services(settings).index
    hits = index.store.query(index.embeddings.embed_query(SRP), 3)
    model = EchoChatModel()
    generator = Generate(model, PromptLibrary(), serialize=True)  # one local context: llama.cpp
    generator.prime("lead")
    assert len(model.prompts) == 1
    list(generator.stream(SRP, hits, timeline=False, template="lead", words=60))
    primed, asked = model.prompts
    fixed = primed.split("Vraag:")[0].rstrip()
    assert "Beantwoord de vraag" in fixed and asked.startswith(fixed)  # what was primed opens every prompt


def test_an_endpoint_model_is_not_primed() -> None:
    model = EchoChatModel()
    Generate(model, PromptLibrary(), serialize=False).prime("lead")
    assert model.prompts == []


def test_serve_warm_up_primes_the_local_model(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    primed: list[str] = []
    monkeypatch.setattr(Generate, "prime", lambda self, template: primed.append(template))
    Services(settings).warm_up()
    assert primed == ["lead"]  # the default answer shape is lead+quotes


def _fake_environment(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    for key, value in {
        "LOBBY_HOME": str(home), "LOBBY_EMBEDDING_MODEL": "fake", "LOBBY_LLM": "extractive",
    }.items():  # fmt: skip
        monkeypatch.setenv(key, value)


def test_startup_times_help_and_serve(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_environment(monkeypatch, tmp_path / "home")
    result = bench_startup(runs=1, help_runs=2)
    assert len(result["help_runs_s"]) == 2 and result["help_s"] > 0
    assert len(result["serve_ready_runs_s"]) == 1 and result["serve_ready_s"] > 0


def test_memory_reads_the_peak_of_ingest_and_of_serve_after_an_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_environment(monkeypatch, tmp_path / "unused")
    folder = tmp_path / "archief"
    folder.mkdir()
    for name in ("brief.docx", "notitie.md", "twee_paginas.pdf"):
        shutil.copy(FIXTURES / name, folder / name)
    result = bench_memory([folder], question="Wat staat er in de brief?")
    assert result["ingest_peak_rss_mb"] > 50  # a Python process with Chroma loaded
    assert result["serve_peak_rss_mb"] >= result["serve_ready_peak_rss_mb"] > 50
