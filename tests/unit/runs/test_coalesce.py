"""The token coalescer: fewer events, the same text, the order the graph produced."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from backend.runs.coalesce import TokenCoalescer
from backend.runs.events import RunEventPublic, TokenPayload, parse_payload


class Sink:
    def __init__(self) -> None:
        self.batches: list[list[tuple[str, dict[str, Any]]]] = []
        self.arrived = asyncio.Event()

    async def __call__(self, batch: list[tuple[str, dict[str, Any]]]) -> None:
        self.batches.append(batch)
        self.arrived.set()

    @property
    def events(self) -> list[tuple[str, dict[str, Any]]]:
        return [event for batch in self.batches for event in batch]


def _text(events: list[tuple[str, dict[str, Any]]]) -> str:
    return "".join(p["text"] for kind, p in events if kind == "token")


async def test_many_tokens_become_few_events_with_the_same_text_and_order() -> None:
    sink = Sink()
    words = [f"word{i} " for i in range(500)]
    async with TokenCoalescer(sink) as coalescer:
        await coalescer.add("step", {"name": "write", "status": "started"})
        for i, word in enumerate(words):
            await coalescer.add("token", {"text": word})
            if i == 249:
                await coalescer.add("step", {"name": "halfway", "status": "done"})
            if i % 50 == 0:
                await asyncio.sleep(0)
        await coalescer.add("citation", {"chunk_id": "c1"})
    events = sink.events
    assert _text(events) == "".join(words)
    assert len([e for e in events if e[0] == "token"]) < len(words) / 10
    kinds = [kind for kind, _ in events]
    assert kinds[0] == "step" and kinds[-1] == "citation"
    halfway = kinds.index("step", 1)
    assert _text(events[:halfway]) == "".join(words[:250])  # the step sits exactly where it was produced
    assert all(len(p["text"]) <= 1024 for kind, p in events if kind == "token")


async def test_a_burst_is_cut_at_the_size_cap_and_a_lone_token_goes_out_after_the_window() -> None:
    sink = Sink()
    async with TokenCoalescer(sink, window=0.01, max_chars=100) as coalescer:
        await coalescer.add("token", {"text": "x" * 350})
        await sink.arrived.wait()  # the cap flushed without waiting for the window or the close
        assert [len(p["text"]) for _, p in sink.events] == [100, 100, 100, 50]
        sink.arrived.clear()
        await coalescer.add("token", {"text": "y"})
        await sink.arrived.wait()  # a lone token goes out when its window ends, with nothing else happening
        assert sink.events[-1] == ("token", {"text": "y"})
    assert all(len(p["text"]) <= 100 for _, p in sink.events)


async def test_a_sink_failure_stops_the_producer() -> None:
    async def broken(batch: list[tuple[str, dict[str, Any]]]) -> None:
        raise ConnectionError("database gone")

    with pytest.raises(ConnectionError):
        async with TokenCoalescer(broken, window=0.001) as coalescer:
            await coalescer.add("step", {"name": "x", "status": "started"})
            for _ in range(100):
                await asyncio.sleep(0)
            await coalescer.add("token", {"text": "a"})


def test_event_payloads_parse_into_their_typed_models() -> None:
    from datetime import UTC, datetime

    event = RunEventPublic(sequence=1, type="token", payload={"text": "Hi"}, created_at=datetime.now(UTC))
    parsed = parse_payload(event)
    assert isinstance(parsed, TokenPayload) and parsed.text == "Hi"
