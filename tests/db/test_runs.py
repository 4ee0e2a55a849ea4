"""Runs against the real PostgreSQL: gap-free sequences under concurrency, the service's policy, isolation
between spaces (the same organization's included), and following a run (replay, then live) without a gap or
a duplicate, including events that arrive while the replay runs and messages the broker loses."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from backend.core import cache as cache_module
from backend.core.cache import Broker, MemoryBroker, MemoryCache, build_broker
from backend.core.db import Database
from backend.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from backend.models.chat_fake import make_fake_chat
from backend.runs import executor, fanout, repository, retention, service, tasks
from backend.runs.coalesce import EventWriter
from backend.runs.events import RunEventPublic
from tests.conftest import REDIS_TEST_URL, require_redis
from tests.db.conftest import space_context
from tests.db.test_runs_support import conversation, create_space, execute, sibling_space


@pytest.fixture
def deferred(monkeypatch: pytest.MonkeyPatch) -> list[uuid.UUID]:
    """Runs handed to the job queue (no worker in these tests: they execute runs directly)."""
    queued: list[uuid.UUID] = []

    async def defer(scope: Any, run_id: uuid.UUID) -> None:
        queued.append(run_id)

    monkeypatch.setattr(tasks, "defer_run", defer)
    return queued


@pytest.fixture(params=["memory", "redis"])
async def broker(request: pytest.FixtureRequest) -> AsyncIterator[Broker]:
    """The in-process broker and, when reachable, Redis pub/sub: following must hold on both."""
    if request.param == "redis":
        require_redis()
        live = build_broker(REDIS_TEST_URL, f"runs-test-{uuid.uuid4().hex[:8]}")
    else:
        live = MemoryBroker()
    cache_module.set_cache_and_broker(MemoryCache(), live)
    yield live
    cache_module.set_cache_and_broker(None, None)
    await live.close()


async def test_concurrent_appenders_get_sequences_one_to_n_without_gap(
    committed_db: Database, memory_backends: None, deferred: list[uuid.UUID]
) -> None:
    ada = await create_space(committed_db, "alpha")
    run = await service.start_run(ada, await conversation(ada), "Hello")
    assert run.last_sequence == 1 and deferred == [run.id]
    batches: list[list[int]] = []

    async def appender(worker: int) -> None:
        for round_ in range(6):
            size = 1 + (worker + round_) % 3
            async with committed_db.tenant(ada.scope) as session:
                stored = await repository.append_events(
                    session,
                    ada.scope,
                    run_id=run.id,
                    events=[("step", {"worker": worker, "round": round_, "i": i}) for i in range(size)],
                )
            batches.append([e.sequence for e in stored])
            await asyncio.sleep(0)

    await asyncio.gather(*(appender(w) for w in range(8)))
    # A transaction that rolls back gives its numbers back: no hole where it would have been.
    with pytest.raises(RuntimeError):
        async with committed_db.tenant(ada.scope) as session:
            await repository.append_events(session, ada.scope, run_id=run.id, events=[("step", {"lost": True})] * 3)
            raise RuntimeError("rolled back")
    async with committed_db.tenant(ada.scope) as session:
        await repository.append_events(session, ada.scope, run_id=run.id, events=[("step", {"after": True})])

    events = await service.list_events(ada, run.id)
    total = 1 + sum(1 + (w + r) % 3 for w in range(8) for r in range(6)) + 1
    assert [e.sequence for e in events] == list(range(1, total + 1))
    assert all(b == list(range(b[0], b[0] + len(b))) for b in batches)  # each batch is contiguous
    assert not any(e.payload.get("lost") for e in events)
    assert (await service.get_run(ada, run.id)).last_sequence == total
    assert [e.sequence for e in await service.list_events(ada, run.id, after=total - 2)] == [total - 1, total]


async def test_the_event_writer_stores_many_runs_of_several_spaces_in_one_transaction_each_under_its_space(
    committed_db: Database, memory_backends: None, deferred: list[uuid.UUID]
) -> None:
    ada, eve = await create_space(committed_db, "alpha"), await create_space(committed_db, "beta")
    ada_runs = [(await service.start_run(ada, await conversation(ada), "Hi")).id for _ in range(3)]
    eve_run = (await service.start_run(eve, await conversation(eve), "Hi")).id
    calls = 0
    original = committed_db.session

    def counted(**kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        return original(**kwargs)

    committed_db.session = counted  # type: ignore[method-assign]
    try:
        writer = EventWriter(window=0.01)
        streams = [writer.stream(ada.scope, r) for r in ada_runs] + [writer.stream(eve.scope, eve_run)]
        intruder = writer.stream(ada.scope, eve_run)  # eve's run named under ada's space
        for round_ in range(5):
            for i, stream in enumerate(streams):
                stream.add("token", {"text": f"s{i}r{round_} "})
                stream.add("step", {"name": "n", "status": "done"})
        intruder.add("token", {"text": "injected"})
        await asyncio.gather(*(s.drain() for s in streams))
        with pytest.raises(LookupError):
            await intruder.drain()
    finally:
        committed_db.session = original  # type: ignore[method-assign]
    assert calls <= 2 * writer.transactions and writer.transactions <= 3  # not one per run, nor per event
    for i, (ctx, run_id) in enumerate([(ada, r) for r in ada_runs] + [(eve, eve_run)]):
        events = await service.list_events(ctx, run_id)
        assert [e.sequence for e in events] == list(range(1, 12))  # queued status + 5 x (token, step)
        assert "".join(e.payload.get("text", "") for e in events) == "".join(f"s{i}r{r} " for r in range(5))
    assert all(ctx_run.type != "token" or "injected" not in ctx_run.payload.get("text", "")
               for ctx_run in await service.list_events(eve, eve_run))  # fmt: skip


async def test_retention_folds_old_finished_runs_token_events_and_a_replay_still_gives_the_whole_answer(
    committed_db: Database, memory_backends: None, deferred: list[uuid.UUID]
) -> None:
    ada, eve = await create_space(committed_db, "alpha"), await create_space(committed_db, "beta")
    answer = " ".join(f"w{i}" for i in range(600)) + " "
    runs = []
    for ctx in (ada, eve, ada):
        run = await service.start_run(ctx, await conversation(ctx), "Hi")
        writer = executor.RunWriter(ctx.scope, run.id)
        await writer.append([("step", {"name": "write", "status": "started"})])
        for i in range(0, 600, 3):  # separate transactions: one token event each
            await writer.append([("token", {"text": " ".join(f"w{j}" for j in range(i, i + 3)) + " "})])
        await writer.append([("citation", {"chunk_id": "c1"})])
        await _finish(writer)
        runs.append((ctx, run.id))
    before = {rid: await service.list_events(ctx, rid) for ctx, rid in runs}
    # The first two finished 40 days ago; the third is recent.
    for ctx, rid in runs[:2]:
        async with committed_db.tenant(ctx.scope) as session:
            await session.execute(
                text("UPDATE agent_runs SET finished_at = now() - interval '40 days' WHERE id = :id"), {"id": rid}
            )
    assert await retention.compact_runs() == 2
    assert await retention.compact_runs() == 0  # folded once
    for index, (ctx, rid) in enumerate(runs):
        after = await service.list_events(ctx, rid)
        tokens = "".join(e.payload.get("text", "") for e in after if e.type == "token")
        assert tokens == answer
        assert [e.type for e in after if e.type != "token"] == [e.type for e in before[rid] if e.type != "token"]
        assert after[-1] == before[rid][-1] and after[-1].type == "complete"
        folded = [e for e in after if e.type == "token"]
        if index < 2:
            assert len(folded) == -(-len(answer) // 1024) and all(len(e.payload["text"]) <= 1024 for e in folded)
            replayed = [e async for e in service.follow_run(ctx, rid)]
            assert replayed == after
        else:
            assert after == before[rid]


async def test_starting_a_run_checks_role_message_conversation_and_one_active_run(
    db: Database, memory_backends: None, deferred: list[uuid.UUID]
) -> None:
    ada = await create_space(db, "alpha")
    other = await sibling_space(db, ada)
    chat = await conversation(ada)
    viewer = space_context(ada.organization_id, ada.space_id, role="viewer")
    with pytest.raises(Forbidden):
        await service.start_run(viewer, chat, "Hello")
    with pytest.raises(ValidationFailed):
        await service.start_run(ada, chat, "   ")
    with pytest.raises(NotFound):
        await service.start_run(other, chat, "Hello")

    run = await service.start_run(ada, chat, "  Write a tagline  ", document_ids=["d1", "d1", "d2"])
    assert (run.status, run.message, run.document_ids, run.agent) == ("queued", "Write a tagline", ["d1", "d2"], "seo")
    [first] = await service.list_events(ada, run.id)
    assert (first.sequence, first.type, first.payload) == (1, "status", {"status": "queued"})
    with pytest.raises(Conflict):
        await service.start_run(ada, chat, "A second message while the first is queued")
    assert deferred == [run.id]
    assert [r.id for r in await service.list_runs(ada, chat)] == [run.id]


async def test_a_cancelled_queued_run_never_starts(
    db: Database, memory_backends: None, deferred: list[uuid.UUID]
) -> None:
    ada = await create_space(db, "alpha")
    chat = await conversation(ada)
    run = await service.start_run(ada, chat, "Hello")
    cancelled = await service.cancel_run(ada, run.id)
    assert cancelled.status == "cancelled" and cancelled.stop_reason == "cancelled"
    events = await service.list_events(ada, run.id)
    assert [(e.sequence, e.type) for e in events] == [(1, "status"), (2, "complete")]
    assert events[-1].payload["stop_reason"] == "cancelled"
    assert (await service.cancel_run(ada, run.id)).status == "cancelled"  # Stop twice is fine

    llm = make_fake_chat(["never written"])
    assert await execute(ada, run.id, llm) is None  # the job that picks it up later does nothing
    assert llm.calls == [] and (await service.get_run(ada, run.id)).status == "cancelled"
    assert len(await service.list_events(ada, run.id)) == 2
    assert (await service.start_run(ada, chat, "Next")).status == "queued"  # the conversation is free again


async def test_another_spaces_run_is_refused_everywhere_with_the_answer_of_a_missing_one(
    db: Database, memory_backends: None, deferred: list[uuid.UUID]
) -> None:
    ada = await create_space(db, "alpha")
    eve = await sibling_space(db, ada, "Eve's")  # same organization
    bob = await create_space(db, "bravo")  # another organization
    run = await service.start_run(ada, await conversation(ada), "Confidential launch plan")

    async def first_followed(ctx: Any, run_id: Any) -> Any:
        async for event in service.follow_run(ctx, run_id):
            return event
        return None

    calls = (
        service.get_run,
        service.list_events,
        service.cancel_run,
        service.resume_run,
        first_followed,
    )
    for call in calls:
        with pytest.raises(NotFound) as missing:
            await call(ada, uuid.uuid4())
        for intruder in (eve, bob):
            for run_id in (run.id, str(run.id)):
                with pytest.raises(NotFound) as refused:
                    await call(intruder, run_id)
                assert refused.value.to_dict() == missing.value.to_dict()
        with pytest.raises(NotFound):
            await call(ada, "not-a-uuid")
    assert (await service.get_run(ada, run.id)).status == "queued"  # eve's cancel changed nothing

    # Second wall: row-level security hides the rows and refuses writes even to code that skips the filter.
    async with db.tenant(eve.scope) as session:
        for table in ("agent_runs", "agent_run_events"):
            assert (await session.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one() == 0
        with pytest.raises(LookupError):
            await repository.append_events(session, eve.scope, run_id=run.id, events=[("token", {"text": "x"})])
    with pytest.raises(DBAPIError):
        async with db.tenant(eve.scope) as session:
            await session.execute(
                text(
                    "INSERT INTO agent_run_events (run_id, sequence, organization_id, space_id, type, payload, "
                    "created_at) VALUES (:run, 99, :org, :space, 'token', '{}', now())"
                ),
                {"run": run.id, "org": ada.organization_id, "space": ada.space_id},
            )
    assert [e.sequence for e in await service.list_events(ada, run.id)] == [1]
    # Redacting a blocked attempt's tokens reaches no other space's run: not by its filter, nor when code names
    # the run's own space from another space's transaction (row-level security alone).
    async with db.tenant(ada.scope) as session:
        await repository.append_events(session, ada.scope, run_id=run.id, events=[("token", {"text": "12 May"})])
    for named in (eve.scope, ada.scope):
        async with db.tenant(eve.scope) as session:
            assert await repository.redact_attempt_tokens(session, named, run_id=run.id) == 0
    assert (await service.list_events(ada, run.id))[-1].payload == {"text": "12 May"}


def _sequences(events: list[RunEventPublic]) -> list[int]:
    return [e.sequence for e in events]


async def _finish(writer: executor.RunWriter) -> None:
    complete = ("complete", {"stop_reason": "completed", "message": "done", "citations": [], "unsupported_claims": []})
    await writer.finish([complete], status="completed", stop_reason="completed", error=None)


async def test_follow_replays_then_goes_live_without_gap_or_duplicate_when_events_land_during_the_replay(
    committed_db: Database, broker: Broker, deferred: list[uuid.UUID], monkeypatch: pytest.MonkeyPatch
) -> None:
    ada = await create_space(committed_db, "alpha")
    run = await service.start_run(ada, await conversation(ada), "Hello")
    writer = executor.RunWriter(ada.scope, run.id)
    await writer.append([("token", {"text": f"before{i} "}) for i in range(5)])  # 2..6
    original = fanout._stored
    replays = 0

    async def racing_replay(*args: Any, **kwargs: Any) -> list[RunEventPublic]:
        nonlocal replays
        replays += 1
        if replays > 1:
            return await original(*args, **kwargs)
        # Stored and published just before the replay reads: the follower gets it twice (replay and live).
        await writer.append([("token", {"text": "during-a "})])
        page = await original(*args, **kwargs)
        # Stored and published after the replay read: only the live stream has it.
        await writer.append([("token", {"text": "during-b "}), ("step", {"name": "after-read", "status": "done"})])
        return page

    monkeypatch.setattr(fanout, "_stored", racing_replay)
    seen: list[RunEventPublic] = []
    async for event in service.follow_run(ada, run.id):
        seen.append(event)
        if event.type == "step":
            await writer.append([("token", {"text": "live "})])
            await _finish(writer)
    stored = await service.list_events(ada, run.id)
    assert _sequences(seen) == _sequences(stored) == list(range(1, len(stored) + 1))
    assert seen == stored and seen[-1].type == "complete"
    assert "".join(e.payload.get("text", "") for e in seen).endswith("during-a during-b live ")


async def test_follow_recovers_messages_the_broker_lost(
    committed_db: Database, memory_backends: None, deferred: list[uuid.UUID]
) -> None:
    ada = await create_space(committed_db, "alpha")
    run = await service.start_run(ada, await conversation(ada), "Hello")
    live = MemoryBroker()

    class Lossy:
        """Drops every other publish, like a Redis connection that blipped (events stay in the database)."""

        backend_name = "lossy"
        published = 0

        async def publish(self, channel: str, message: str) -> None:
            self.published += 1
            if self.published % 2:
                await live.publish(channel, message)

        async def publish_many(self, messages: list[tuple[str, str]]) -> None:
            for channel, message in messages:
                await self.publish(channel, message)

        def subscribe(self, channel: str) -> Any:
            return live.subscribe(channel)

        async def close(self) -> None:
            return None

    lossy = Lossy()
    cache_module.set_cache_and_broker(MemoryCache(), lossy)
    writer = executor.RunWriter(ada.scope, run.id)
    seen: list[RunEventPublic] = []
    async for event in fanout.follow(ada.scope, run.id, 0, poll_seconds=0.05):
        seen.append(event)
        if event.sequence == 1:
            for i in range(6):
                await writer.append([("token", {"text": f"t{i} "})])
            await _finish(writer)
    assert _sequences(seen) == list(range(1, 9)) and seen[-1].type == "complete"


async def test_a_payload_is_stored_as_json_gives_it_back(
    db: Database, memory_backends: None, deferred: list[uuid.UUID]
) -> None:
    ada = await create_space(db, "alpha")
    run = await service.start_run(ada, await conversation(ada), "Report")
    async with db.tenant(ada.scope) as session:
        [stored] = await repository.append_events(
            session,
            ada.scope,
            run_id=run.id,
            events=[("tool_result", {"tool": "ga4", "ok": True, "day": date(2026, 12, 1), "range": (1, 7)})],
        )
    assert stored.payload == {"tool": "ga4", "ok": True, "day": "2026-12-01", "range": [1, 7]}
    assert (await service.list_events(ada, run.id, after=1)) == [stored]


async def test_a_redis_subscription_receives_what_is_published_the_moment_it_opens(redis_url: str) -> None:
    broker, publisher = build_broker(redis_url, "confirm"), build_broker(redis_url, "confirm")
    try:
        for attempt in range(20):
            async with broker.subscribe(f"runs:confirm:{attempt}") as subscription:
                # Published on another connection right after subscribe() returned: Redis has confirmed it.
                await publisher.publish(f"runs:confirm:{attempt}", f"m{attempt}")
                received = await asyncio.wait_for(anext(aiter(subscription)), 10)
            assert received == f"m{attempt}"
    finally:
        await broker.close()
        await publisher.close()
