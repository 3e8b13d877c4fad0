"""The draft templates in prompts/drafts: they load, are true to their genre, and users can add their own."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.rag.draft_templates import (
    DEFAULT_DIR,
    TemplateError,
    find_template,
    load_template,
    load_templates,
)

GENRES = {
    "position-paper",
    "inbreng-schriftelijk-overleg",
    "inbreng-begrotingsbehandeling",
    "spreektekst-commissiedebat",
    "brief-bewindspersoon",
    "reactie-kabinetsstuk",
    "kernboodschappen",
}

USER_TEMPLATE = """
title = "Eigen position paper"
description = "Een kortere variant van het position paper."
audience = "Kamerleden"
tone = "constructief en kritisch"

[[sections]]
title = "Kern"
asks = ["het standpunt van de provincies"]
words = 100

[[sections]]
title = "Vraag"
asks = ["wat de provincies vragen"]
words = 50
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_all_seven_genres_load_from_the_default_folder() -> None:
    templates = load_templates()
    assert set(templates) == GENRES
    assert list(templates) == sorted(templates)
    assert load_templates(DEFAULT_DIR) == templates
    for name, template in templates.items():
        assert template.name == name
        assert template.source.endswith(f"{name}.toml")
        assert template.title and template.description and template.audience and template.tone


@pytest.mark.parametrize("name", sorted(GENRES))
def test_each_genre_has_sections_with_asks_and_consistent_length(name: str) -> None:
    template = find_template(name)
    assert 3 <= len(template.sections) <= 5
    for section in template.sections:
        assert section.title and section.instruction
        assert 1 <= len(section.asks) <= 3 and all(a.strip() for a in section.asks)
        assert section.words > 0
    total = sum(s.words for s in template.sections)
    assert abs(total - template.words) <= 0.25 * template.words, (total, template.words)


def test_only_the_speaking_text_has_words_per_minute_and_only_the_letter_is_a_letter() -> None:
    templates = load_templates()
    assert [n for n, t in templates.items() if t.words_per_minute] == ["spreektekst-commissiedebat"]
    assert [n for n, t in templates.items() if t.letter] == ["brief-bewindspersoon"]


def test_speaking_text_scales_with_speaking_time() -> None:
    template = find_template("spreektekst-commissiedebat")
    assert template.words_per_minute == 130
    three = template.scaled(3)
    assert three.words == 390
    assert abs(sum(s.words for s in three.sections) - 390) <= len(three.sections)
    six = template.scaled(6)
    assert six.words == 780
    for base, doubled in zip(three.sections, six.sections, strict=True):
        assert doubled.title == base.title and doubled.asks == base.asks
        assert abs(doubled.words - 2 * base.words) <= 2
    assert find_template("position-paper").scaled(3) == find_template("position-paper")


def test_words_default_to_the_sum_of_the_sections(tmp_path: Path) -> None:
    template = load_template(write(tmp_path, "kort", USER_TEMPLATE))
    assert template.name == "kort"
    assert template.words == 150
    assert not template.letter and template.words_per_minute is None
    assert template.sections[0].asks == ("het standpunt van de provincies",)
    assert template.sections[0].instruction == ""


def test_user_folder_adds_a_genre_and_overrides_a_default_by_name(tmp_path: Path) -> None:
    write(tmp_path, "position-paper", USER_TEMPLATE)
    write(tmp_path, "notitie-werkbezoek", USER_TEMPLATE.replace("Eigen position paper", "Notitie werkbezoek"))
    templates = load_templates(DEFAULT_DIR, tmp_path)
    assert set(templates) == GENRES | {"notitie-werkbezoek"}
    assert templates["position-paper"].title == "Eigen position paper"
    assert templates["position-paper"].source == str(tmp_path / "position-paper.toml")
    assert templates["kernboodschappen"].source.startswith(str(DEFAULT_DIR))
    assert find_template("position-paper", DEFAULT_DIR, tmp_path).title == "Eigen position paper"
    assert find_template("notitie-werkbezoek", DEFAULT_DIR, tmp_path).title == "Notitie werkbezoek"
    # The user's folder first: the defaults win.
    assert find_template("position-paper", tmp_path, DEFAULT_DIR).title == "Position paper"


def test_missing_folder_is_skipped(tmp_path: Path) -> None:
    assert set(load_templates(DEFAULT_DIR, tmp_path / "bestaat-niet")) == GENRES


BAD = {
    "missing sections": ('title = "X"\ndescription = "Y"\n', "geen secties"),
    "empty asks": (
        'title = "X"\ndescription = "Y"\n[[sections]]\ntitle = "Kern"\nasks = []\nwords = 100\n',
        "'asks' is leeg",
    ),
    "missing asks": (
        'title = "X"\ndescription = "Y"\n[[sections]]\ntitle = "Kern"\nwords = 100\n',
        "'asks' ontbreekt",
    ),
    "bad TOML": ('title = "X\ndescription = "Y"\n', "geen geldige TOML"),
    "missing title": (
        'description = "Y"\n[[sections]]\ntitle = "K"\nasks = ["a"]\nwords = 1\n',
        "'title' ontbreekt",
    ),
    "negative words": (
        'title = "X"\ndescription = "Y"\n[[sections]]\ntitle = "K"\nasks = ["a"]\nwords = -5\n',
        "positief geheel getal",
    ),
    "asks not a list": (
        'title = "X"\ndescription = "Y"\n[[sections]]\ntitle = "K"\nasks = "a"\nwords = 10\n',
        "lijst van teksten",
    ),
    "unknown key": (
        'title = "X"\ndescription = "Y"\nword = 5\n[[sections]]\ntitle = "K"\nasks = ["a"]\nwords = 1\n',
        "onbekende sleutel(s) word;",
    ),
    "letter not a bool": (
        'title = "X"\ndescription = "Y"\nletter = "ja"\n[[sections]]\ntitle = "K"\nasks = ["a"]\nwords = 1\n',
        "'letter'",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_file_raises_template_error_naming_the_file(tmp_path: Path, case: str) -> None:
    text, problem = BAD[case]
    path = write(tmp_path, "kapot", text)
    with pytest.raises(TemplateError) as caught:
        load_template(path)
    assert str(path) in str(caught.value) and problem in str(caught.value)
    # One bad file in a folder stops loading that folder, and says which file.
    with pytest.raises(TemplateError, match=r"kapot\.toml"):
        load_templates(DEFAULT_DIR, tmp_path)


def test_section_problem_names_the_section(tmp_path: Path) -> None:
    text = USER_TEMPLATE.replace('asks = ["wat de provincies vragen"]', "asks = []")
    with pytest.raises(TemplateError, match=r"sectie 2 \('Vraag'\)"):
        load_template(write(tmp_path, "kort", text))


def test_find_reads_only_the_named_file(tmp_path: Path) -> None:
    write(tmp_path, "kapot", "dit is geen toml =")
    assert find_template("kernboodschappen", DEFAULT_DIR, tmp_path).name == "kernboodschappen"


def test_unknown_name_lists_the_available_ones() -> None:
    with pytest.raises(TemplateError) as caught:
        find_template("persbericht")
    message = str(caught.value)
    assert "persbericht" in message
    assert all(name in message for name in GENRES)


def test_no_templates_at_all_says_where_it_looked(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="geen sjablonen gevonden"):
        find_template("position-paper", tmp_path)
