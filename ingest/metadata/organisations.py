"""Known organisations: the ministries and the twelve provinces, read from data files.

Which ministries exist changes with every cabinet and which domains a province mails from changes
with its IT, not with the parsing, so they are data (``resources/ministries.toml`` and
``resources/provinces.toml``, like ``assistant/resources/glossary.toml``), read with :mod:`tomllib`
once per process. A malformed entry raises ``ValueError`` naming the file and the entry.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

RESOURCES = Path(__file__).resolve().parent / "resources"
MINISTRIES_FILE = RESOURCES / "ministries.toml"
PROVINCES_FILE = RESOURCES / "provinces.toml"


@dataclass(frozen=True, slots=True)
class Province:
    """A province: its name, other spellings of it, and the e-mail domains of its civil service."""

    name: str
    aliases: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()

    @property
    def organisation(self) -> str:
        """The province as a sender ('Provincie Overijssel')."""
        return f"Provincie {self.name}"


def _read(path: Path) -> dict[str, Any]:
    with path.open("rb") as fh:
        return tomllib.load(fh)


def _strings(value: object, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{what} must be a list of strings")
    return tuple(value)


@cache
def ministries() -> Mapping[str, str]:
    """Ministry names by the short name in their Rijksoverheid web address ('jenv' -> 'Ministerie ...')."""
    table: dict[str, str] = {}
    for short, name in _read(MINISTRIES_FILE).items():
        if not isinstance(name, str):
            raise ValueError(
                f"{MINISTRIES_FILE.name}: entry {short!r} must be a string (the ministry's name)"
            )
        table[short.lower()] = name
    return MappingProxyType(table)


@cache
def provinces() -> tuple[Province, ...]:
    """The provinces, in the order of ``resources/provinces.toml``."""
    entries = _read(PROVINCES_FILE).get("province")
    if not isinstance(entries, list):
        raise ValueError(f"{PROVINCES_FILE.name}: expected [[province]] tables")
    found: list[Province] = []
    for i, entry in enumerate(entries, 1):
        what = f"{PROVINCES_FILE.name}: province #{i}"
        name = entry.get("name")
        if not isinstance(name, str) or not name:
            raise ValueError(f"{what} needs a string 'name'")
        found.append(
            Province(
                name,
                _strings(entry.get("aliases", []), f"{what} ({name}) 'aliases'"),
                _strings(entry.get("domains", []), f"{what} ({name}) 'domains'"),
            )
        )
    return tuple(found)


@cache
def province_names() -> tuple[str, ...]:
    """Every name a province goes by (its name, then its aliases), in file order."""
    return tuple(n for p in provinces() for n in (p.name, *p.aliases))


@cache
def province_domains() -> Mapping[str, str]:
    """The provinces' e-mail domains, with the province as a sender ('pzh.nl' -> 'Provincie Zuid-Holland')."""
    return MappingProxyType({d.lower(): p.organisation for p in provinces() for d in p.domains})
