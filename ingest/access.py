"""Access levels of archive files, from ``.toegang`` files beside them.

A folder's ``.toegang`` file holds one level (``openbaar``, ``intern`` or ``vertrouwelijk``) and applies
to the folder and everything below it (whichever folder was given to ingest), until a deeper
``.toegang`` says otherwise. A sidecar next to a file, ``NAME.toegang`` (``brief.pdf.toegang``, or
``brief.toegang`` for every ``brief.*``), wins over the folders. Files without either get the
configured default (``LOBBY_DEFAULT_ACCESS``).

A level file that cannot be read or holds anything but one known level is an error for the files it
governs: guessing a level could publish a confidential document, so such files are not ingested and
the report says why (fail closed).
"""

from __future__ import annotations

from pathlib import Path

from assistant.core.records import ACCESS_LEVELS

#: The suffix of level files; files with it are settings, never archive documents.
SUFFIX = ".toegang"
FOLDER_FILE = SUFFIX


class AccessError(ValueError):
    """A ``.toegang`` file is unreadable or does not name one known level (message in Dutch)."""


def parse_level(text: str, *, where: str) -> str:
    """The level a ``.toegang`` file names: its one word, ignoring case, blank lines and ``#`` comments."""
    words = [word for line in text.splitlines() for word in line.split("#", 1)[0].split()]
    if len(words) != 1 or words[0].lower() not in ACCESS_LEVELS:
        found = " ".join(words) or "(leeg)"
        expected = ", ".join(ACCESS_LEVELS)
        raise AccessError(f"toegangsbestand {where} bevat '{found[:60]}'; verwacht één van: {expected}")
    return words[0].lower()


def _read_level(path: Path, root: Path) -> str:
    where = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise AccessError(f"toegangsbestand {where} kan niet worden gelezen: {exc}") from exc
    return parse_level(text, where=where)


def sidecars(path: Path) -> tuple[Path, ...]:
    """The sidecar files that may set ``path``'s level, the most specific first."""
    full = path.with_name(path.name + SUFFIX)
    stem = path.with_name(path.stem + SUFFIX)
    return (full,) if stem == full else (full, stem)


def level_of(path: Path, root: Path, default: str) -> str:
    """The access level of archive file ``path`` under ``root`` (see the module docstring).

    Raises :class:`AccessError` when the level file that decides is malformed.
    """
    for sidecar in sidecars(path):
        if sidecar.is_file():
            return _read_level(sidecar, root)
    # Up to the file system's root, not just the ingested root: a file ingested on its own (an upload,
    # ``lobby ingest map/brief.pdf``) gets the level it gets when its whole folder is ingested.
    for folder in (path.parent, *path.parent.parents):
        marker = folder / FOLDER_FILE
        if marker.is_file():
            return _read_level(marker, root)
    return default


def is_level_file(path: Path) -> bool:
    """Whether ``path`` is a level file (folder or sidecar), which ingest never treats as a document."""
    return path.name.endswith(SUFFIX)
