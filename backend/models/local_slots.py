"""Which llama.cpp slot serves a request: the one already holding the request's stable prefix in its KV cache,
else the least recently used free one (see `local_engine` for why prefixes matter on a CPU).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass


@dataclass(slots=True)
class _Slot:
    id: int
    prefix_key: str | None = None
    busy: bool = False
    last_used: float = 0.0


class SlotPool:
    """Hands out llama.cpp slots, preferring the idle slot whose KV cache already holds the request's prefix."""

    def __init__(self, size: int) -> None:
        self._slots = [_Slot(i) for i in range(max(1, size))]
        self._cond = threading.Condition()

    def acquire(self, prefix_key: str | None) -> int:
        """Take an idle slot (blocking until one is free): the prefix's own slot, else an empty one, else the LRU."""
        with self._cond:
            while True:
                idle = [slot for slot in self._slots if not slot.busy]
                if idle:
                    break
                self._cond.wait()
            chosen = next((slot for slot in idle if prefix_key is not None and slot.prefix_key == prefix_key), None)
            if chosen is None:
                # Overwrite the slot whose prefix was least recently useful; empty slots first.
                chosen = min(idle, key=lambda slot: (slot.prefix_key is not None, slot.last_used))
            chosen.busy = True
            return chosen.id

    def release(self, slot_id: int, prefix_key: str | None) -> None:
        """Give the slot back; it now holds `prefix_key` (the prompt it just processed)."""
        with self._cond:
            slot = self._slots[slot_id]
            slot.busy = False
            slot.prefix_key = prefix_key
            slot.last_used = time.monotonic()
            self._cond.notify()

    def holder_of(self, prefix_key: str) -> int | None:
        """The slot currently holding `prefix_key`, if any."""
        with self._cond:
            return next((slot.id for slot in self._slots if slot.prefix_key == prefix_key), None)


__all__ = ["SlotPool"]
