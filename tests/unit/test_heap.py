"""The start-up heap is frozen: the collector's full passes skip every object alive when the process started."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

import backend.api.app  # noqa: F401  (the web process's modules, as a served process holds them)
from backend.core.heap import freeze_startup_heap


@pytest.fixture
def frozen_after() -> Iterator[None]:
    yield
    gc.unfreeze()  # the rest of the test session collects as usual


def _in_scanned_generations(obj: object) -> bool:
    ident = id(obj)
    return any(id(o) == ident for o in gc.get_objects())


def test_every_object_alive_at_start_up_is_frozen_and_later_ones_are_not(frozen_after: None) -> None:
    held = {"a dict the process keeps": [1, 2, 3]}
    tracked = len(gc.get_objects())
    assert tracked > 100_000  # the imported platform: what a full pass would walk without the freeze

    frozen = freeze_startup_heap()

    # (The count is not compared later: frozen objects freed by their reference count leave the frozen set.)
    assert frozen >= tracked * 0.95
    assert not _in_scanned_generations(held), "alive at start-up: never walked again"
    later = {"allocated after start-up": [4, 5]}
    assert _in_scanned_generations(later), "new objects are still collected"
    assert len(gc.get_objects()) < tracked * 0.05
