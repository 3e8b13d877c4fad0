"""Draft templates are data: one TOML file per Dutch genre in ``prompts/drafts/``, loaded by name.

A template names a genre's readers, tone, length and sections; each section lists what it ``asks`` for,
which drives retrieval per section and the gap report (see :mod:`assistant.core.drafts`). Keeping the
genres as files means an advisor adds a genre, or adapts one, by adding a file: a second directory
(the ``LOBBY_DRAFT_TEMPLATES`` setting) is read after the defaults and overrides them by name. The
schema is documented in ``prompts/drafts/README.md``; a malformed file is an error naming the file and
the problem, in Dutch, because advisors write these files.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from assistant.core.drafts import DraftTemplate, SectionSpec

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "prompts" / "drafts"

_TOP_KEYS = frozenset(
    {"title", "description", "audience", "tone", "words", "letter", "words_per_minute", "sections"}
)
_SECTION_KEYS = frozenset({"title", "asks", "words", "instruction"})


class TemplateError(ValueError):
    """A draft template that cannot be read or is unknown; the message (Dutch) names file and problem."""


#: Builds the error for one problem, prefixed with the file (and section) it is in.
_Fail = Callable[[str], TemplateError]


def load_template(path: Path) -> DraftTemplate:
    """The template in ``path`` (its name is the file stem); raises :class:`TemplateError` if malformed."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise TemplateError(f"Sjabloon {path} is geen geldige TOML: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise TemplateError(f"Sjabloon {path} is geen UTF-8-tekst: {exc}") from exc
    except OSError as exc:
        raise TemplateError(f"Sjabloon {path} kan niet gelezen worden: {exc}") from exc
    return _parse(data, path)


def load_templates(*directories: Path) -> dict[str, DraftTemplate]:
    """Every ``*.toml`` template of the directories (default: :data:`DEFAULT_DIR`), sorted by name.

    Directories that do not exist are skipped; a later directory overrides an earlier one by name, so
    a user's folder given after the defaults replaces a default genre with its own version.
    """
    found = {name: load_template(path) for name, path in _template_files(directories).items()}
    return dict(sorted(found.items()))


def find_template(name: str, *directories: Path) -> DraftTemplate:
    """The template ``name`` from the directories (default: :data:`DEFAULT_DIR`), later ones first.

    Only that file is read, so a broken template elsewhere does not block this one. An unknown name
    raises :class:`TemplateError` listing the available names.
    """
    files = _template_files(directories)
    key = name.strip()
    if key not in files:
        folded = {n.casefold(): n for n in files}
        key = folded.get(key.casefold(), key)
    if key in files:
        return load_template(files[key])
    if not files:
        where = ", ".join(str(d) for d in directories or (DEFAULT_DIR,))
        raise TemplateError(f"Onbekend sjabloon '{name}': er zijn geen sjablonen gevonden in {where}.")
    raise TemplateError(f"Onbekend sjabloon '{name}'. Beschikbaar: {', '.join(sorted(files))}.")


def _template_files(directories: tuple[Path, ...]) -> dict[str, Path]:
    """Name -> file of every template; later directories override earlier ones by name."""
    files: dict[str, Path] = {}
    for directory in directories or (DEFAULT_DIR,):
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.toml")):
            if path.is_file():
                files[path.stem] = path
    return files


def _parse(data: Mapping[str, Any], path: Path) -> DraftTemplate:
    def fail(problem: str) -> TemplateError:
        return TemplateError(f"Sjabloon {path}: {problem}")

    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise fail(f"onbekende sleutel(s) {', '.join(unknown)}; toegestaan: {', '.join(sorted(_TOP_KEYS))}")
    title = _text(data, "title", fail, required=True)
    description = _text(data, "description", fail, required=True)
    audience = _text(data, "audience", fail)
    tone = _text(data, "tone", fail)
    letter = data.get("letter", False)
    if not isinstance(letter, bool):
        raise fail("'letter' moet true of false zijn")
    words_per_minute = _positive(data, "words_per_minute", fail)

    raw_sections = data.get("sections")
    if raw_sections is None:
        raise fail("geen secties: voeg minstens één [[sections]] toe met 'title' en 'asks'")
    if not isinstance(raw_sections, list) or not raw_sections:
        raise fail("'sections' moet een lijst van secties zijn ([[sections]]), met minstens één sectie")
    sections = tuple(_section(raw, i, fail) for i, raw in enumerate(raw_sections, start=1))
    titles = [s.title for s in sections]
    doubles = sorted({t for t in titles if titles.count(t) > 1})
    if doubles:
        raise fail(f"sectietitel(s) komen meer dan eens voor: {', '.join(doubles)}")

    words = _positive(data, "words", fail) or sum(s.words for s in sections)
    return DraftTemplate(
        name=path.stem,
        title=title,
        description=description,
        audience=audience,
        tone=tone,
        words=words,
        sections=sections,
        letter=letter,
        words_per_minute=words_per_minute,
        source=str(path),
    )


def _section(raw: object, number: int, fail: _Fail) -> SectionSpec:
    if not isinstance(raw, dict):
        raise fail(f"sectie {number} is geen tabel ([[sections]])")
    label = f"sectie {number}"
    if isinstance(raw.get("title"), str) and raw["title"].strip():
        label = f"sectie {number} ('{raw['title'].strip()}')"

    def section_fail(problem: str) -> TemplateError:
        return fail(f"{label}: {problem}")

    unknown = sorted(set(raw) - _SECTION_KEYS)
    if unknown:
        raise section_fail(
            f"onbekende sleutel(s) {', '.join(unknown)}; toegestaan: {', '.join(sorted(_SECTION_KEYS))}"
        )
    title = _text(raw, "title", section_fail, required=True)
    asks = raw.get("asks")
    if asks is None:
        raise section_fail("'asks' ontbreekt: noem wat deze sectie moet behandelen")
    if not isinstance(asks, list) or not all(isinstance(a, str) for a in asks):
        raise section_fail("'asks' moet een lijst van teksten zijn")
    cleaned = tuple(a.strip() for a in asks if a.strip())
    if not cleaned:
        raise section_fail("'asks' is leeg: noem minstens één onderwerp dat deze sectie moet behandelen")
    words = _positive(raw, "words", section_fail)
    if words is None:
        raise section_fail("'words' ontbreekt: geef het aantal woorden van deze sectie")
    instruction = _text(raw, "instruction", section_fail)
    return SectionSpec(title=title, asks=cleaned, words=words, instruction=instruction)


def _text(data: Mapping[str, Any], key: str, fail: _Fail, *, required: bool = False) -> str:
    value = data.get(key)
    if value is None:
        if required:
            raise fail(f"'{key}' ontbreekt")
        return ""
    if not isinstance(value, str):
        raise fail(f"'{key}' moet tekst zijn")
    if required and not value.strip():
        raise fail(f"'{key}' is leeg")
    return value.strip()


def _positive(data: Mapping[str, Any], key: str, fail: _Fail) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise fail(f"'{key}' moet een positief geheel getal zijn")
    return value
