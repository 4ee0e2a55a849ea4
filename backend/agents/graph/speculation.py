"""The writing call started beside the decision that may ask for it (a speculative write).

Before an answer's first token, `think` asks the fast model what to do next and only then does `act` call
the main model to write: two model round trips one after the other. Most first decisions are "write the
answer", and the writing prompt does not depend on the decision (`think` changes nothing the prompt shows),
so `think` starts the writing call at the same time as the decision call (`Nodes._speculate`). Its chunks
wait in a buffer here: nothing is emitted, checked or stored while the decision is pending.

- The decision is `write_answer`: `act` takes the buffered call (`SpeculationSlot.take`) and streams it
  through the same HoldBack gate and checks as a call it makes itself; the first token is then already
  there or on its way.
- Anything else (a tool, a search, an error, a Stop, the run cancelled): the call is cancelled and its
  buffer dropped, so none of its text reaches an event, a follower or the checkpoint.

The call runs in a task of its own that does nothing but read the model's HTTP stream: cancelling it never
interrupts database work (cancelling inside psycopg's pipeline mode once crashed the process). A cancelled
call's tokens are still booked (`GuardedChatModel._astream` estimates what it consumed): they were spent.

Measured with bench/bench_runs.py's first-token scenario (a 300 ms fake model, 100k chunks): see
bench/results/runs.md.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

_END = object()


@dataclass(frozen=True, slots=True)
class _Failed:
    error: BaseException


class Speculation:
    """One writing call running in the background; `chunks()` replays what it buffered, then follows it."""

    def __init__(self, stream: AsyncIterator[Any], *, key: Any = None) -> None:
        self.key = key
        """What the call was started for (the state it wrote from): `take` hands it only to the same."""
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        self._task = asyncio.create_task(self._pump(stream), name="speculative-write")
        self.taken = False

    async def _pump(self, stream: AsyncIterator[Any]) -> None:
        try:
            async for chunk in stream:
                self._queue.put_nowait(chunk)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # handed to the reader, raised where a direct call would raise it
            self._queue.put_nowait(_Failed(exc))
        finally:
            self._queue.put_nowait(_END)

    async def chunks(self) -> AsyncIterator[Any]:
        """The call's chunks in order: the buffered ones at once, then as they arrive."""
        while True:
            item = await self._queue.get()
            if item is _END:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item

    def cancel(self) -> None:
        """Stop the call (its HTTP stream only; no database work runs in its task) and drop its buffer."""
        self._task.cancel()
        while not self._queue.empty():
            self._queue.get_nowait()

    async def cancelled(self) -> None:
        """`cancel`, then wait until the call's task has ended."""
        self.cancel()
        with contextlib.suppress(BaseException):
            await self._task

    @property
    def done(self) -> bool:
        return self._task.done()


class SpeculationSlot:
    """Where `think` leaves a speculative call for the `act` that follows it (one per run, in its context)."""

    def __init__(self) -> None:
        self.held: Speculation | None = None

    def put(self, speculation: Speculation) -> None:
        self.drop()
        self.held = speculation

    def take(self, key: Any) -> Speculation | None:
        """The held call when it was started for `key`; any other is cancelled (it wrote from another state)."""
        held, self.held = self.held, None
        if held is not None and held.key != key:
            held.cancel()
            return None
        if held is not None:
            held.taken = True
        return held

    def drop(self) -> None:
        """Cancel the held call, if any (the run ended or failed between `think` and `act`)."""
        held, self.held = self.held, None
        if held is not None:
            held.cancel()


__all__ = ["Speculation", "SpeculationSlot"]
