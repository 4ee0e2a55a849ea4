"""Markdown is converted in a child process with a time limit (`conversion/isolated.py`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from backend.core.config import Settings
from backend.core.errors import AppError, ValidationFailed
from backend.documents.conversion import isolated
from backend.documents.convert import convert_bytes

PATHOLOGICAL = b"_a" * 32768  # one quadratic regex call of the Markdown parser: ~18 s holding the GIL


@pytest.fixture(autouse=True)
def fresh_pool() -> Iterator[None]:
    yield
    isolated.shutdown()


async def test_markdown_converts_in_the_child_as_in_this_process() -> None:
    data = b"# Pricing\n\nPro costs **49 EUR** a month.\n\n- one\n- two\n"
    here = convert_bytes(data, "markdown", "pricing.md")
    there = await isolated.convert_file(data, "markdown", "pricing.md")
    assert there == here and there.title == "Pricing" and "49 EUR" in there.text()


async def test_an_error_in_the_child_comes_back_typed_with_its_code() -> None:
    with pytest.raises(AppError) as here:
        convert_bytes(b"   \n\n  ", "markdown", "empty.md")
    with pytest.raises(AppError) as there:
        await isolated.convert_file(b"   \n\n  ", "markdown", "empty.md")
    assert (type(there.value), there.value.code, there.value.message) == (
        type(here.value), here.value.code, here.value.message
    )


async def test_a_pathological_file_is_stopped_at_the_limit_and_the_next_one_converts() -> None:
    settings = Settings(_env_file=None, conversion_timeout_seconds=2)  # type: ignore[call-arg]
    with pytest.raises(ValidationFailed) as stopped:
        await isolated.convert_file(PATHOLOGICAL, "markdown", "notes.md", settings=settings)
    assert stopped.value.code == "conversion_timeout" and "2 seconds" in stopped.value.message
    after = await isolated.convert_file(b"# After\n\nFine.\n", "markdown", "after.md")
    assert after.title == "After"


_ORPHANING = """
import asyncio, os, signal, sys
from backend.documents.conversion import isolated

asyncio.run(isolated.convert_file(b"# Hello\\n\\nWorld.\\n", "markdown", "hello.md"))
print(" ".join(str(pid) for pid in isolated._current_pool()._processes), flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # no shutdown, no atexit: what a crash or `kill -9` of a worker leaves
"""


def _running(pid: int) -> bool:
    """The process exists and is not a zombie (a dead child its new parent has not reaped yet)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False


def test_conversion_processes_end_when_the_process_that_started_them_is_killed() -> None:
    import subprocess
    import sys
    import time
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    killed = subprocess.run(
        [sys.executable, "-c", _ORPHANING], cwd=root, capture_output=True, text=True, timeout=120, check=False
    )
    children = [int(pid) for pid in killed.stdout.split()]
    assert killed.returncode == -9 and len(children) >= 1, killed.stderr[-2000:]
    deadline = time.monotonic() + 60  # they check once a second; a minute is a hang, not a slow machine
    while any(_running(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(_running(pid) for pid in children), "conversion processes outlived the process that started them"
