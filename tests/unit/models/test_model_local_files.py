"""Local model files: a damaged, truncated or foreign GGUF is refused before llama.cpp ever sees it, the 1.5B
model is assembled from its parts only into a verified file, and a verified file is not re-hashed.

Every damaged file is built in a temporary directory; the installed models are only ever read.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
from pathlib import Path

import pytest

from backend.models import local_files
from backend.models.errors import ModelIntegrityError, ModelUnavailable
from backend.models.local_engine import LocalEngine
from backend.models.local_files import (
    LocalModelSpec,
    assemble_parts,
    ensure_model_file,
    smollm2_spec,
    verify_gguf,
)


def _gguf(path: Path, size: int = 64 * 1024) -> tuple[Path, str]:
    path.write_bytes(b"GGUF" + os.urandom(size - 4))
    return path, hashlib.sha256(path.read_bytes()).hexdigest()


def _flip_byte(path: Path, offset: int) -> None:
    with path.open("r+b") as handle:
        handle.seek(offset)
        byte = handle.read(1)
        handle.seek(offset)
        handle.write(bytes([byte[0] ^ 0xFF]))


def test_an_intact_file_passes(tmp_path: Path) -> None:
    path, digest = _gguf(tmp_path / "model.gguf")
    verify_gguf(path, sha256=digest, size=path.stat().st_size)


def test_a_corrupted_file_is_refused_by_its_sha256(tmp_path: Path) -> None:
    path, digest = _gguf(tmp_path / "model.gguf")
    _flip_byte(path, 40_000)
    with pytest.raises(ModelIntegrityError, match="failed its integrity check: sha256") as raised:
        verify_gguf(path, sha256=digest, size=path.stat().st_size, label="Test model")
    assert "will not be loaded" in raised.value.message


def test_a_truncated_file_is_refused_by_its_size(tmp_path: Path) -> None:
    path, digest = _gguf(tmp_path / "model.gguf")
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.truncate(size // 2)
    with pytest.raises(ModelIntegrityError, match="truncated"):
        verify_gguf(path, sha256=digest, size=size)


def test_a_file_that_is_not_gguf_or_is_missing_is_refused(tmp_path: Path) -> None:
    html = tmp_path / "model.gguf"
    html.write_bytes(b"<html>proxy error</html>")
    with pytest.raises(ModelIntegrityError, match="not a GGUF model file"):
        verify_gguf(html, sha256=None, size=None)
    with pytest.raises(ModelIntegrityError, match="does not exist"):
        verify_gguf(tmp_path / "absent.gguf", sha256=None, size=None)


def test_the_installed_small_model_matches_its_pinned_hash_and_a_damaged_copy_does_not(tmp_path: Path) -> None:
    spec = smollm2_spec()
    assert ensure_model_file(spec) == spec.path

    copy = tmp_path / spec.path.name
    shutil.copyfile(spec.path, copy)
    _flip_byte(copy, spec.path.stat().st_size // 2)
    damaged = dataclasses.replace(spec, path=copy)
    with pytest.raises(ModelIntegrityError, match="Reinstall"):
        ensure_model_file(damaged)


def test_the_engine_refuses_to_load_a_damaged_model(tmp_path: Path) -> None:
    path, digest = _gguf(tmp_path / "model.gguf")
    _flip_byte(path, 1000)
    spec = LocalModelSpec("custom", "Damaged model", path, sha256=digest, size=path.stat().st_size)
    engine = LocalEngine(spec, ctx_per_slot=512, slots=1, threads=1, cache_mib=0)
    with pytest.raises(ModelIntegrityError):
        engine.load()
    assert not engine.loaded
    engine.close()


@pytest.fixture
def parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[Path], str, int]:
    """Three packaged 'parts' of a small GGUF, installed in place of the Qwen parts."""
    whole = b"GGUF" + os.urandom(3 * 20_000 - 4)
    paths = []
    for index in range(3):
        part = tmp_path / "site" / f"part{index + 1:02d}.bin"
        part.parent.mkdir(exist_ok=True)
        part.write_bytes(whole[index * 20_000 : (index + 1) * 20_000])
        paths.append(part)
    monkeypatch.setattr(local_files, "qwen_part_paths", lambda: paths)
    return paths, hashlib.sha256(whole).hexdigest(), len(whole)


def _assembled_spec(tmp_path: Path, digest: str, size: int) -> LocalModelSpec:
    return LocalModelSpec("qwen", "Test 1.5B", tmp_path / "models" / "model.gguf", sha256=digest, size=size,
                          assembled=True)


def test_parts_are_assembled_once_with_progress(tmp_path: Path, parts: tuple[list[Path], str, int]) -> None:
    _, digest, size = parts
    spec = _assembled_spec(tmp_path, digest, size)
    messages: list[str] = []

    path = ensure_model_file(spec, messages.append)

    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    assert any("part 3/3" in m for m in messages)
    modified = path.stat().st_mtime_ns
    again: list[str] = []
    ensure_model_file(spec, again.append)
    assert path.stat().st_mtime_ns == modified and not any("assembling" in m for m in again)


def test_a_damaged_part_never_becomes_a_model_file(tmp_path: Path, parts: tuple[list[Path], str, int]) -> None:
    paths, digest, size = parts
    _flip_byte(paths[1], 10)
    spec = _assembled_spec(tmp_path, digest, size)
    with pytest.raises(ModelIntegrityError, match="a part is damaged"):
        ensure_model_file(spec)
    assert not spec.path.exists() and list(spec.path.parent.glob("*.partial")) == []


def test_a_damaged_assembled_file_is_refused_at_load_and_rebuilt_by_prepare(
    tmp_path: Path, parts: tuple[list[Path], str, int]
) -> None:
    _, digest, size = parts
    spec = _assembled_spec(tmp_path, digest, size)
    ensure_model_file(spec)
    _flip_byte(spec.path, 30_000)

    with pytest.raises(ModelIntegrityError, match="prepare-models"):
        ensure_model_file(spec)  # what loading does: refuse, and say how to fix it
    messages: list[str] = []
    ensure_model_file(spec, messages.append, repair=True)
    assert hashlib.sha256(spec.path.read_bytes()).hexdigest() == digest
    assert any("Rebuilding" in m for m in messages)


def test_assembly_needs_room_on_disk(tmp_path: Path, parts: tuple[list[Path], str, int]) -> None:
    paths, digest, _ = parts
    with pytest.raises(ModelUnavailable, match="Not enough disk space"):
        assemble_parts(paths, tmp_path / "huge.gguf", sha256=digest, size=10**15, label="Huge")


def test_a_large_verified_file_is_not_hashed_again_until_it_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, digest = _gguf(tmp_path / "big.gguf")
    monkeypatch.setattr(local_files, "_REMEMBER_ABOVE", 0)  # treat the small file as a 1 GB one
    verify_gguf(path, sha256=digest, size=None)

    def _no_hashing(*_args: object) -> str:
        raise AssertionError("a verified, unchanged file must not be re-hashed")

    with monkeypatch.context() as patched:
        patched.setattr(local_files, "_hash_file", _no_hashing)
        verify_gguf(path, sha256=digest, size=None)

    _flip_byte(path, 5000)  # a write changes the mtime, which invalidates the marker
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    with pytest.raises(ModelIntegrityError):
        verify_gguf(path, sha256=digest, size=None)
