"""The event writer: fewer events, the same text, the order the graph produced, one transaction for many runs."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from backend.core.db import TenantScope
from backend.runs.coalesce import Batch, EventWriter, Outcome
from backend.runs.events import RunEventPublic, TokenPayload, parse_payload

SCOPE = TenantScope(uuid.uuid4(), uuid.uuid4())


class Sink:
    """Records what the writer stores (one call = one transaction)."""

    def __init__(self) -> None:
        self.calls: list[list[Batch]] = []
        self.arrived = asyncio.Event()

    async def __call__(self, batches: list[Batch]) -> list[Outcome]:
        self.calls.append(batches)
        self.arrived.set()
        await asyncio.sleep(0.002)  # a transaction takes time: events keep arriving meanwhile
        return [[] for _ in batches]

    def events(self, run_id: uuid.UUID | None = None) -> list[tuple[str, dict[str, Any]]]:
        return [e for call in self.calls for _, rid, events in call if run_id in (None, rid) for e in events]


def _text(events: list[tuple[str, dict[str, Any]]]) -> str:
    return "".join(p["text"] for kind, p in events if kind == "token")


async def test_many_tokens_become_few_events_with_the_same_text_and_order() -> None:
    sink = Sink()
    stream = EventWriter(sink).stream(SCOPE, uuid.uuid4())
    words = [f"word{i} " for i in range(500)]
    stream.add("step", {"name": "write", "status": "started"})
    for i, word in enumerate(words):
        stream.add("token", {"text": word})
        if i == 249:
            stream.add("step", {"name": "halfway", "status": "done"})
        if i % 50 == 0:
            await asyncio.sleep(0.005)
    stream.add("citation", {"chunk_id": "c1"})
    await stream.drain()
    events = sink.events()
    assert _text(events) == "".join(words)
    assert len([e for e in events if e[0] == "token"]) < len(words) / 10
    kinds = [kind for kind, _ in events]
    assert kinds[0] == "step" and kinds[-1] == "citation"
    halfway = kinds.index("step", 1)
    assert _text(events[:halfway]) == "".join(words[:250])  # the step sits exactly where it was produced
    assert all(len(p["text"]) <= 1024 for kind, p in events if kind == "token")


async def test_many_runs_share_one_transaction_per_window_and_a_first_event_goes_out_at_once() -> None:
    sink = Sink()
    writer = EventWriter(sink, window=0.05)
    streams = [writer.stream(SCOPE, uuid.uuid4()) for _ in range(20)]
    streams[0].add("token", {"text": "first"})
    await asyncio.wait_for(sink.arrived.wait(), 0.04)  # no window after a quiet spell
    for round_ in range(5):
        for stream in streams:
            stream.add("token", {"text": f"r{round_} "})
        await asyncio.sleep(0.01)
    await asyncio.gather(*(s.drain() for s in streams))
    assert len(sink.calls) <= 4  # 20 runs x 5 tokens in 50 ms: the first call, then one per window
    for stream in streams:
        text = _text(sink.events(stream.run_id))
        assert text.endswith("r0 r1 r2 r3 r4 ")


async def test_a_runs_first_token_does_not_wait_for_the_window_its_later_tokens_do() -> None:
    sink = Sink()
    writer = EventWriter(sink, window=3600.0)  # a window nobody waits out in a test
    stream = writer.stream(SCOPE, uuid.uuid4())
    stream.add("step", {"name": "write", "status": "started"})  # opens the window
    await stream.drain()
    stream.add("token", {"text": "First"})
    for _ in range(20):
        await asyncio.sleep(0)  # the writer runs: the first token goes out as soon as it is free
    assert [_text(call[0][2]) for call in sink.calls] == ["", "First"]
    stream.add("token", {"text": " second"})
    for _ in range(20):
        await asyncio.sleep(0)  # the writer runs, and waits for the window
    assert len(sink.calls) == 2
    other = writer.stream(SCOPE, uuid.uuid4())
    other.add("token", {"text": "Other"})  # another run's first token: it goes out now, with what waited
    await asyncio.gather(stream.drain(), other.drain())
    assert len(sink.calls) == 3 and _text(sink.events(stream.run_id)) == "First second"


async def test_a_burst_is_cut_at_the_size_cap() -> None:
    sink = Sink()
    stream = EventWriter(sink, window=0.01, max_chars=100).stream(SCOPE, uuid.uuid4())
    await stream.append([("token", {"text": "x" * 350})])
    assert [len(p["text"]) for _, p in sink.events()] == [100, 100, 100, 50]


async def test_a_storage_failure_stops_the_producer() -> None:
    async def broken(batches: list[Batch]) -> list[Outcome]:
        raise ConnectionError("database gone")

    stream = EventWriter(broken, window=0.001).stream(SCOPE, uuid.uuid4())
    stream.add("step", {"name": "x", "status": "started"})
    with pytest.raises(ConnectionError):
        await stream.drain()
    with pytest.raises(ConnectionError):
        stream.add("token", {"text": "a"})


async def test_one_runs_failure_leaves_the_others_alone() -> None:
    lost = uuid.uuid4()

    async def sink(batches: list[Batch]) -> list[Outcome]:
        return [LookupError("deleted") if rid == lost else [] for _, rid, _ in batches]

    writer = EventWriter(sink)
    gone, kept = writer.stream(SCOPE, lost), writer.stream(SCOPE, uuid.uuid4())
    gone.add("token", {"text": "a"})
    kept.add("token", {"text": "b"})
    await kept.drain()
    with pytest.raises(LookupError):
        await gone.drain()


def test_event_payloads_parse_into_their_typed_models() -> None:
    from datetime import UTC, datetime

    event = RunEventPublic(sequence=1, type="token", payload={"text": "Hi"}, created_at=datetime.now(UTC))
    parsed = parse_payload(event)
    assert isinstance(parsed, TokenPayload) and parsed.text == "Hi"
