"""Uploaded files checked and stored: a safe name inside the archive folder, a size limit, a known type.

An upload is refused (a Dutch reason, nothing written) when its name cannot be made safe, its type is
not one the ingest reads, it is larger than ``LOBBY_MAX_FILE_MB`` or empty, or a PDF/Office file does
not start like one. A stored upload never replaces another file: when its name is taken by a file with
other bytes it gets the next free name (``brief-2.pdf``); the same bytes again reuse the file, so the
ingest reports it unchanged. The name is claimed with a hard link, which fails rather than replacing
a file, so two uploads at the same moment cannot overwrite each other either.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import time
import unicodedata
from pathlib import Path, PurePosixPath

from ingest.loaders import SUPPORTED_SUFFIXES, sniff

#: Longest stored name in UTF-8 bytes: well under the 255 of common file systems, with room for a
#: ``-NN`` suffix and for the archive's own folder names in tools with path limits.
MAX_NAME_BYTES = 150
#: What :func:`ingest.loaders.sniff` must find in an upload of these types (the loaders' own test); a
#: file that does not pass is refused before it is written.
_CONTENT = {".pdf": "een PDF", ".docx": "een zip-bestand", ".pptx": "een zip-bestand"}
#: Characters Windows (a share the archive is synced to) does not allow in names.
_WINDOWS_FORBIDDEN = re.compile(r'[<>:"|?*]')
_WINDOWS_DEVICES = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}
)


class UploadError(ValueError):
    """An upload refused before anything was written; the message is Dutch and says why."""


def shown_name(name: str, limit: int = 80) -> str:
    """``name`` as a message may show it: no control or direction characters, at most ``limit`` long."""
    text = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def upload_name(name: str) -> str:
    r"""The name an upload is stored under: its last path part, cleaned; :class:`UploadError` if none.

    Folders (``/``, ``\\``, and look-alike slashes once Unicode-normalised) are dropped; a name with a
    control character (NUL, newline) is refused, as is a hidden name, one of only dots, or an
    unsupported type. Invisible format characters (right-to-left override, zero-width space) that could
    disguise the real extension are removed, characters Windows forbids become ``_``, and a long name is
    cut to :data:`MAX_NAME_BYTES` keeping its extension.
    """
    shown = shown_name(name)
    if any(unicodedata.category(c) == "Cc" for c in name):
        raise UploadError(f"ongeldige bestandsnaam '{shown}': de naam bevat stuurtekens")
    text = unicodedata.normalize("NFKC", name)
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    text = text.replace("\\", "/").replace("\u2215", "/").replace("\u2044", "/")
    # A name ending in a folder separator names a folder, not a file.
    base = "" if text.rstrip().endswith("/") else PurePosixPath(text).name.strip().rstrip(". ")
    base = _WINDOWS_FORBIDDEN.sub("_", base)
    if not base or base.startswith(".") or not base.strip("."):
        raise UploadError(f"ongeldige bestandsnaam '{shown}'")
    stem, suffix = _split(base)
    if suffix.lower() not in SUPPORTED_SUFFIXES:
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise UploadError(f"bestandstype van '{shown}' wordt niet ondersteund (ondersteund: {supported})")
    if stem.lower() in _WINDOWS_DEVICES:
        stem = f"_{stem}"
    return _cut(stem, MAX_NAME_BYTES - len(suffix.encode())) + suffix


def check_upload(name: str, data: bytes, max_bytes: int) -> None:
    """Refuse (:class:`UploadError`) an empty upload, one over ``max_bytes``, or a file not of its type."""
    size_refusal(name, len(data), max_bytes)
    suffix = _split(name)[1].lower()
    expected = _CONTENT.get(suffix)
    if expected is None:  # text and HTML: the loaders read any bytes, and refuse binaries themselves
        return
    actual = sniff(data[:1024])
    if actual != expected:
        what = f"maar {actual}" if actual else "(de inhoud past niet)"
        raise UploadError(f"'{shown_name(name)}' is geen {suffix[1:].upper()}-bestand {what}")


def size_refusal(name: str, size: int, max_bytes: int) -> None:
    """Refuse (:class:`UploadError`) an upload of ``size`` bytes that is empty or over ``max_bytes``."""
    if size == 0:
        raise UploadError(f"'{shown_name(name)}' is leeg")
    if size > max_bytes:
        raise UploadError(
            f"'{shown_name(name)}' is te groot ({size / 1_000_000:.1f} MB; "
            f"de grens is {max_bytes / 1_000_000:g} MB, LOBBY_MAX_FILE_MB)"
        )


def store_upload(folder: Path, name: str, data: bytes) -> Path:
    """Write ``data`` as ``name`` in ``folder`` without replacing any file; the path it was stored at.

    ``name`` must come from :func:`upload_name`. A file with the same name and bytes is reused; one with
    other bytes keeps its name and the upload gets ``stem-2``, ``stem-3``, ...
    """
    folder.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(folder)
    stem, suffix = _split(name)
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=".upload-", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        tmp.chmod(0o644)
        for n in range(1, 10_000):
            candidate = folder / (name if n == 1 else _cut(stem, MAX_NAME_BYTES - 8) + f"-{n}{suffix}")
            if _claim(tmp, candidate, data):
                return candidate
            if _same_bytes(candidate, data):
                return candidate
        raise UploadError(f"geen vrije naam meer voor '{shown_name(name)}' in {folder}")
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


#: A temporary upload file older than this belongs to no running upload: its process was killed.
STALE_SECONDS = 3600.0


def remove_stale_temporaries(folder: Path, *, now: float | None = None) -> list[Path]:
    """Delete the ``.upload-*.tmp`` files a killed upload left in ``folder``; the ones deleted.

    Ingest never reads them (hidden files), but they hold a user's bytes and fill the disk. A file younger
    than :data:`STALE_SECONDS` may belong to an upload still writing, so it stays.
    """
    limit = (time.time() if now is None else now) - STALE_SECONDS
    removed = []
    for leftover in folder.glob(".upload-*.tmp"):
        with contextlib.suppress(FileNotFoundError):
            if leftover.stat().st_mtime < limit:
                leftover.unlink()
                removed.append(leftover)
    return removed


def _claim(tmp: Path, candidate: Path, data: bytes) -> bool:
    """Give the written ``tmp`` the name ``candidate`` unless that name exists; whether it did.

    A hard link never replaces a file and the name appears with all its bytes at once. Where the file
    system has no hard links (FAT, some shares), the name is created exclusively and then written.
    """
    try:
        os.link(tmp, candidate)
        return True
    except FileExistsError:
        return False
    except OSError:
        pass
    try:
        fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    return True


def _same_bytes(path: Path, data: bytes) -> bool:
    """Whether the regular file at ``path`` holds exactly ``data`` (a link or folder never does)."""
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def _split(name: str) -> tuple[str, str]:
    """``name`` as stem and extension (``.pdf``); no extension for a name like ``pdf``."""
    suffix = PurePosixPath(name).suffix
    return name[: len(name) - len(suffix)] if suffix else name, suffix


def _cut(text: str, max_bytes: int) -> str:
    """``text`` cut to at most ``max_bytes`` in UTF-8, never inside a character."""
    encoded = text.encode()
    if len(encoded) <= max_bytes:
        return text
    return encoded[:max_bytes].decode(errors="ignore").rstrip(". ")
