"""The run executor against the real PostgreSQL with scripted models: a run streams into a gap-free log that
followers receive exactly once (also across random disconnects), Stop keeps the partial answer (also while
the model has not produced a token yet), a dead worker's run is marked interrupted and can be resumed, and
a run goes through the durable job queue."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import random
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import text

from backend.agents import runner
from backend.agents import service as agents
from backend.core.db import Database, TenantScope
from backend.core.errors import ServiceUnavailable
from backend.jobs import close_jobs, job_app, open_jobs
from backend.jobs.queue import INTERACTIVE_QUEUE
from backend.models.accounting import BudgetExceeded, DatabaseUsageStore
from backend.models.chat_fake import make_fake_chat
from backend.runs import executor, recovery, repository, service, tasks
from backend.runs.events import RunEventPublic
from backend.tenancy.context import SpaceContext
from tests.db.test_runs_support import conversation, create_space, execute, slow_chat, turn_options
from tests.support.sql import run_sql

ANSWER = " ".join(f"word{i}" for i in range(120)) + " [S1]."


@pytest.fixture
def deferred(monkeypatch: pytest.MonkeyPatch) -> list[uuid.UUID]:
    queued: list[uuid.UUID] = []

    async def defer(scope: Any, run_id: uuid.UUID) -> None:
        queued.append(run_id)

    monkeypatch.setattr(tasks, "defer_run", defer)
    return queued


def _tokens(events: list[RunEventPublic]) -> str:
    return "".join(e.payload.get("text", "") for e in events if e.type == "token")


async def _first(ctx: SpaceContext, run_id: uuid.UUID, kind: str, after: int = 0, **payload: Any) -> RunEventPublic:
    """Follow the run (after sequence `after`) until an event of `kind` (with `payload`'s values) arrives."""
    async with contextlib.aclosing(service.follow_run(ctx, run_id, after)) as events:
        async for event in events:
            if event.type == kind and all(event.payload.get(k) == v for k, v in payload.items()):
                return event
    raise AssertionError(f"the run ended without a {kind} event")


async def test_a_run_streams_into_a_gap_free_log_with_coalesced_tokens_and_ends_completed(
    committed_db: Database, memory_backends: None, deferred: list[uuid.UUID]
) -> None:
    ada = await create_space(committed_db, "alpha")
    chat = await conversation(ada)
    run = await service.start_run(ada, chat, "How did Acme grow?")

    async def follower() -> list[RunEventPublic]:
        return [event async for event in service.follow_run(ada, run.id)]

    following = asyncio.create_task(follower())
    assert await execute(ada, run.id, make_fake_chat([ANSWER])) == "completed"
    seen = await following
    stored = await service.list_events(ada, run.id)
    assert seen == stored and [e.sequence for e in stored] == list(range(1, len(stored) + 1))
    kinds = [e.type for e in stored]
    assert kinds[:2] == ["status", "status"] and kinds[-1] == "complete" and "step" in kinds and "citation" in kinds
    assert stored[1].payload == {"status": "running", "attempt": 1}
    assert _tokens(stored) == ANSWER
    assert kinds.count("token") < len(ANSWER.split())  # coalesced
    done = await service.get_run(ada, run.id)
    assert (done.status, done.stop_reason, done.attempts) == ("completed", "completed", 1)
    assert done.finished_at is not None and done.started_at is not None and done.last_sequence == len(stored)
    assert done.usage is not None and done.usage["calls"] >= 2 and done.usage["tokens_out"] > 0
    assert stored[-1].payload["message"] == ANSWER
    history = await agents.messages(ada, chat)
    assert [m.content for m in history] == ["How did Acme grow?", ANSWER] and history[1].run_id == str(run.id)
    assert await execute(ada, run.id, make_fake_chat(["again"])) is None  # a retried job does nothing
    assert len(await service.list_events(ada, run.id)) == len(stored)


async def test_a_client_that_disconnects_at_random_points_receives_every_event_once_in_order(
    committed_db: Database, memory_backends: None, deferred: list[uuid.UUID]
) -> None:
    ada = await create_space(committed_db, "alpha")
    run = await service.start_run(ada, await conversation(ada), "Write it")
    execution = asyncio.create_task(execute(ada, run.id, slow_chat([ANSWER], pause=0.003)))
    rng = random.Random(20)
    received: list[RunEventPublic] = []
    reconnects = 0
    while not received or received[-1].type != "complete":
        after = received[-1].sequence if received else 0
        async with contextlib.aclosing(service.follow_run(ada, run.id, after)) as events:
            async for event in events:
                received.append(event)
                if event.type != "complete" and rng.random() < 0.2:
                    break  # the connection drops here; the client comes back with its last sequence
        reconnects += 1
    assert await execution == "completed"
    stored = await service.list_events(ada, run.id)
    assert reconnects > 1  # how many depends on how the tokens were coalesced under the machine's load
    assert received == stored and [e.sequence for e in received] == list(range(1, len(stored) + 1))
    assert _tokens(received) == ANSWER


async def test_stop_ends_a_streaming_run_and_keeps_the_partial_answer(
    committed_db: Database, memory_backends: None, deferred: list[uuid.UUID]
) -> None:
    ada = await create_space(committed_db, "alpha")
    chat = await conversation(ada)
    long_answer = " ".join(f"w{i}" for i in range(2000))  # 2,000 words at 10 ms each: 20 s if never stopped
    run = await service.start_run(ada, chat, "Write a long essay")
    execution = asyncio.create_task(execute(ada, run.id, slow_chat([long_answer], pause=0.01)))
    await _first(ada, run.id, "token")
    assert (await service.cancel_run(ada, run.id)).cancel_requested
    assert await execution == "cancelled"
    stored = await service.list_events(ada, run.id)
    partial = _tokens(stored)
    assert partial and long_answer.startswith(partial) and len(partial) < len(long_answer) // 2
    complete = stored[-1]
    assert complete.type == "complete" and complete.payload["stop_reason"] == "cancelled"
    assert complete.payload["message"].startswith(partial.strip()) and "(Stopped.)" in complete.payload["message"]
    done = await service.get_run(ada, run.id)
    assert (done.status, done.stop_reason) == ("cancelled", "cancelled")
    # The conversation keeps the stopped answer (its checkpoints survive a stop) and takes the next message.
    assert (await agents.messages(ada, chat))[-1].content == complete.payload["message"]
    assert (await service.start_run(ada, chat, "Shorter, please")).status == "queued"


async def test_stop_acts_while_the_model_has_not_produced_its_first_token(
    committed_db: Database, memory_backends: None, deferred: list[uuid.UUID]
) -> None:
    ada = await create_space(committed_db, "alpha")
    run = await service.start_run(ada, await conversation(ada), "Write")
    # The model would think for 20 s before streaming: the graph never reaches a check, so the executor
    # cancels the turn itself once the grace period after Stop has passed.
    execution = asyncio.create_task(execute(ada, run.id, make_fake_chat(["too late"], delay=20)))
    await _first(ada, run.id, "step", name="write", status="started")
    await service.cancel_run(ada, run.id)
    assert await execution == "cancelled"
    stored = await service.list_events(ada, run.id)
    assert "token" not in [e.type for e in stored]
    assert stored[-1].payload["stop_reason"] == "cancelled"
    assert "Stopped before an answer was written" in stored[-1].payload["message"]
    # The turn was cancelled outright, yet the conversation keeps the stopped answer like the log says.
    history = await agents.messages(ada, run.conversation_id)
    assert [m.role for m in history] == ["user", "assistant"]
    assert history[-1].content == stored[-1].payload["message"] and history[-1].stop_reason == "cancelled"
    assert history[-1].run_id == str(run.id)


async def test_stop_is_heard_on_the_control_channel_without_waiting_for_the_database_poll(
    committed_db: Database, deferred: list[uuid.UUID], control_broker: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(executor, "STOP_POLL_SECONDS", 3600.0)  # the flag is never read during this test
    ada = await create_space(committed_db, "alpha")
    run = await service.start_run(ada, await conversation(ada), "Write a long essay")
    long_answer = " ".join(f"w{i}" for i in range(2000))
    execution = asyncio.create_task(execute(ada, run.id, slow_chat([long_answer], pause=0.01)))
    await _first(ada, run.id, "token")
    await service.cancel_run(ada, run.id)
    # Only the control message can end it before the 20 s answer is through (the guard is not a timing).
    assert await asyncio.wait_for(execution, 15) == "cancelled"
    stored = await service.list_events(ada, run.id)
    assert stored[-1].payload["stop_reason"] == "cancelled"
    assert len(_tokens(stored)) < len(long_answer) // 2


@pytest.fixture(params=["memory", "redis"])
async def control_broker(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    from backend.core import cache as cache_module
    from tests.conftest import REDIS_TEST_URL, require_redis

    if request.param == "redis":
        require_redis()
        live = cache_module.build_broker(REDIS_TEST_URL, f"runs-test-{uuid.uuid4().hex[:8]}")
    else:
        live = cache_module.MemoryBroker()
    cache_module.set_cache_and_broker(cache_module.MemoryCache(), live)
    yield
    cache_module.set_cache_and_broker(None, None)
    await live.close()


async def test_a_resumed_run_whose_answer_is_already_in_the_checkpoint_is_not_answered_again(
    committed_db: Database, memory_backends: None, deferred: list[uuid.UUID]
) -> None:
    ada = await create_space(committed_db, "alpha")
    chat = await conversation(ada)
    run = await service.start_run(ada, chat, "Write a tagline")
    # The worker finished the graph (the answer is in the conversation's checkpoint), then died before the
    # run's end was written.
    await _simulate_dead_worker(committed_db, ada.scope, run.id, ["Bold ", "ideas, ", "delivered [S1]."])
    graph_events: list[tuple[str, dict[str, Any]]] = []
    options = turn_options(ada.scope, make_fake_chat(["Bold ideas, delivered [S1]."]))
    await runner.run_turn(ada, chat, "Write a tagline", emit=lambda k, p: graph_events.append((k, p)),
                          run_id=str(run.id), **options)  # fmt: skip
    assert await execute(ada, run.id, make_fake_chat(["unused"])) == "interrupted"
    await service.resume_run(ada, run.id)

    never = make_fake_chat([RuntimeError("the model must not be asked again")])
    assert await execute(ada, run.id, never, make_fake_chat([RuntimeError("nor the fast one")], role="fast")) == (
        "completed"
    )
    assert never.calls == []
    stored = await service.list_events(ada, run.id)
    assert [e.sequence for e in stored] == list(range(1, len(stored) + 1))
    assert stored[-1].payload["message"] == graph_events[-1][1]["message"] == "Bold ideas, delivered [S1]."
    assert stored[-1].payload["citations"] == graph_events[-1][1]["citations"]
    history = await agents.messages(ada, chat)
    assert [(m.role, m.content) for m in history] == [
        ("user", "Write a tagline"),
        ("assistant", "Bold ideas, delivered [S1]."),
    ]


async def test_a_resumed_run_continues_its_turn_from_the_checkpoint_without_a_second_question(
    committed_db: Database, memory_backends: None, deferred: list[uuid.UUID]
) -> None:
    ada = await create_space(committed_db, "alpha")
    chat = await conversation(ada)
    run = await service.start_run(ada, chat, "Write a long essay")
    long_answer = " ".join(f"w{i}" for i in range(2000))
    execution = asyncio.create_task(execute(ada, run.id, slow_chat([long_answer], pause=0.01)))
    await _first(ada, run.id, "token")
    execution.cancel()  # the worker shuts down mid-answer: the run is marked interrupted
    with pytest.raises(asyncio.CancelledError):
        await execution
    assert (await service.get_run(ada, run.id)).status == "interrupted"

    await service.resume_run(ada, run.id)
    fast = make_fake_chat([{"complete": True}], role="fast")  # only the check is left to decide
    assert await execute(ada, run.id, make_fake_chat(["A short essay [S1]."]), fast) == "completed"
    stored = await service.list_events(ada, run.id)
    assert [e.sequence for e in stored] == list(range(1, len(stored) + 1))
    assert [e.payload.get("stop_reason") for e in stored if e.type == "complete"] == ["interrupted", "completed"]
    assert recovery.partial_text(stored) == "A short essay [S1]."
    history = await agents.messages(ada, chat)
    assert [(m.role, m.content) for m in history] == [
        ("user", "Write a long essay"),
        ("assistant", "A short essay [S1]."),
    ]


async def _simulate_dead_worker(db: Database, scope: TenantScope, run_id: uuid.UUID, partial: list[str]) -> None:
    """What a worker killed mid-answer leaves: the run `running` and the tokens it had stored."""
    async with db.tenant(scope) as session:
        run = await repository.get_run(session, scope, run_id=run_id, lock=True)
        assert run is not None
        run.status, run.attempts = "running", run.attempts + 1
        await session.flush()
        await repository.append_events(
            session,
            scope,
            run_id=run_id,
            events=[("status", {"status": "running", "attempt": run.attempts})]
            + [("token", {"text": piece}) for piece in partial],
        )


async def test_a_run_left_running_by_a_dead_worker_is_marked_interrupted_and_can_be_resumed(
    committed_db: Database, memory_backends: None, deferred: list[uuid.UUID]
) -> None:
    ada = await create_space(committed_db, "alpha")
    chat = await conversation(ada)
    run = await service.start_run(ada, chat, "Write a tagline")
    await _simulate_dead_worker(committed_db, ada.scope, run.id, ["Bold ", "ideas, "])

    llm = make_fake_chat(["Bold ideas, delivered [S1]."])
    assert await execute(ada, run.id, llm) == "interrupted"  # the retried job finds it running
    assert llm.calls == []
    interrupted = await service.get_run(ada, run.id)
    assert (interrupted.status, interrupted.stop_reason) == ("interrupted", "interrupted")
    events = await service.list_events(ada, run.id)
    assert [e.type for e in events[-2:]] == ["error", "complete"]
    assert events[-2].payload["code"] == "interrupted"
    assert events[-1].payload["message"] == "Bold ideas, " and events[-1].payload["stop_reason"] == "interrupted"
    assert not await recovery.interrupt_run(ada.scope, run.id)  # already done: nothing happens twice

    resumed = await service.resume_run(ada, run.id)
    assert resumed.status == "queued" and deferred == [run.id, run.id]
    with pytest.raises(Exception, match="Only an interrupted run"):
        await service.resume_run(ada, run.id)
    assert await execute(ada, run.id, llm) == "completed"
    stored = await service.list_events(ada, run.id)
    assert [e.sequence for e in stored] == list(range(1, len(stored) + 1))
    assert stored[-1].payload["stop_reason"] == "completed"
    assert recovery.partial_text(stored) == "Bold ideas, delivered [S1]."
    assert (await service.get_run(ada, run.id)).attempts == 2


@pytest.fixture
async def jobs(app_db_url: str) -> AsyncIterator[str]:
    await open_jobs(app_db_url)
    yield app_db_url
    await close_jobs()


async def test_a_run_whose_job_died_is_found_by_the_recovery_sweep(
    committed_db: Database, memory_backends: None, jobs: str
) -> None:
    ada = await create_space(committed_db, "alpha")
    run = await service.start_run(ada, await conversation(ada), "Write")  # deferred for real
    await _simulate_dead_worker(committed_db, ada.scope, run.id, ["Half an ", "answer"])
    await run_sql(
        jobs,
        "UPDATE procrastinate_jobs SET status = 'failed' WHERE task_name = %s AND args->>'run_id' = %s",
        (recovery.TASK_NAME, str(run.id)),
    )
    try:
        assert await recovery.recover_runs() >= 1
        done = await service.get_run(ada, run.id)
        assert done.status == "interrupted"
        assert (await service.list_events(ada, run.id))[-1].payload["message"] == "Half an answer"
        assert await recovery.recover_runs() == 0
    finally:
        await run_sql(jobs, "DELETE FROM procrastinate_jobs WHERE args->>'run_id' = %s", (str(run.id),))


async def test_a_starting_worker_marks_runs_whose_job_died_interrupted(
    committed_db: Database, memory_backends: None, jobs: str
) -> None:
    from backend.jobs.queue import run_worker
    from backend.tasks import load_task_modules

    load_task_modules()
    ada = await create_space(committed_db, "alpha")
    run = await service.start_run(ada, await conversation(ada), "Write")
    await _simulate_dead_worker(committed_db, ada.scope, run.id, ["Half an ", "answer"])
    await run_sql(
        jobs,
        "UPDATE procrastinate_jobs SET status = 'failed' WHERE task_name = %s AND args->>'run_id' = %s",
        (recovery.TASK_NAME, str(run.id)),
    )
    worker = asyncio.create_task(run_worker(in_app=True))
    try:
        complete = await _first(ada, run.id, "complete")
        assert complete.payload["stop_reason"] == "interrupted" and complete.payload["message"] == "Half an answer"
        assert (await service.get_run(ada, run.id)).status == "interrupted"
    finally:
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker
        await run_sql(jobs, "DELETE FROM procrastinate_jobs WHERE args->>'run_id' = %s", (str(run.id),))


async def test_a_run_goes_through_the_durable_job_queue(
    committed_db: Database, memory_backends: None, jobs: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ada = await create_space(committed_db, "alpha")
    # The worker reads the starter's membership itself (in the transaction that claims the run).
    monkeypatch.setattr(
        executor, "run_turn", functools.partial(runner.run_turn, **turn_options(ada.scope, make_fake_chat([ANSWER])))
    )
    run = await service.start_run(ada, await conversation(ada), "Through the queue")
    try:
        await job_app.run_worker_async(wait=False, install_signal_handlers=False, queues=[INTERACTIVE_QUEUE])
        done = await service.get_run(ada, run.id)
        assert done.status == "completed" and _tokens(await service.list_events(ada, run.id)) == ANSWER
        count = len(await service.list_events(ada, run.id))
        await tasks.defer_run(ada.scope, run.id)  # a duplicate job for a finished run
        await job_app.run_worker_async(wait=False, install_signal_handlers=False, queues=[INTERACTIVE_QUEUE])
        assert len(await service.list_events(ada, run.id)) == count
    finally:
        await run_sql(jobs, "DELETE FROM procrastinate_jobs WHERE args->>'run_id' = %s", (str(run.id),))


async def test_a_run_whose_starter_lost_edit_access_after_queueing_fails_without_calling_a_model(
    committed_db: Database, memory_backends: None, deferred: list[uuid.UUID]
) -> None:
    ada = await create_space(committed_db, "alpha")
    first = await service.start_run(ada, await conversation(ada), "Write")
    second = await service.start_run(ada, await conversation(ada), "Write again")
    async with committed_db.tenant(ada.scope) as session:  # demoted while the runs waited in the queue
        await session.execute(
            text("UPDATE space_memberships SET role = 'viewer' WHERE space_id = :space AND user_id = :user"),
            {"space": ada.space_id, "user": ada.user_id},
        )
    llm = make_fake_chat(["unused"])
    # No context loader: the worker reads the membership as in production, fresh, when it claims the run.
    assert await executor.execute_run(ada.scope, first.id, **turn_options(ada.scope, llm)) == "failed"
    events = await service.list_events(ada, first.id)
    assert [e.type for e in events] == ["status", "status", "error", "complete"]
    assert (
        events[2].payload["code"] == "no_access" and (await service.get_run(ada, first.id)).error == executor.NO_ACCESS
    )
    async with committed_db.tenant(ada.scope) as session:  # removed from the space altogether
        await session.execute(
            text("DELETE FROM space_memberships WHERE space_id = :space AND user_id = :user"),
            {"space": ada.space_id, "user": ada.user_id},
        )
    assert await executor.execute_run(ada.scope, second.id, **turn_options(ada.scope, llm)) == "failed"
    assert [e.payload.get("code") for e in await service.list_events(ada, second.id)][2] == "no_access"
    assert llm.calls == []


async def test_an_attempt_that_recovery_took_over_stops_and_does_not_overwrite_the_run(
    committed_db: Database, memory_backends: None, deferred: list[uuid.UUID]
) -> None:
    ada = await create_space(committed_db, "alpha")
    run = await service.start_run(ada, await conversation(ada), "Write")
    long_answer = " ".join(f"w{i}" for i in range(2000))
    execution = asyncio.create_task(execute(ada, run.id, slow_chat([long_answer], pause=0.01)))
    await _first(ada, run.id, "token")
    # The sweep believed the worker dead (a stalled heartbeat) while it was in fact still streaming.
    assert await recovery.interrupt_run(ada.scope, run.id)
    assert await execution is None
    done = await service.get_run(ada, run.id)
    assert (done.status, done.stop_reason) == ("interrupted", "interrupted")
    stored = await service.list_events(ada, run.id)
    assert [e.sequence for e in stored] == list(range(1, len(stored) + 1))
    assert [e.payload.get("stop_reason") for e in stored if e.type == "complete"] == ["interrupted"]


async def test_a_run_the_queue_cannot_take_is_marked_interrupted_not_left_waiting(
    committed_db: Database, memory_backends: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    ada = await create_space(committed_db, "alpha")
    chat = await conversation(ada)

    async def queue_down(scope: Any, run_id: uuid.UUID) -> None:
        raise ConnectionError("job queue unavailable")

    monkeypatch.setattr(tasks, "defer_run", queue_down)
    with pytest.raises(ServiceUnavailable):
        await service.start_run(ada, chat, "Hello")
    [run] = await service.list_runs(ada, chat)
    assert run.status == "interrupted" and run.error == service.NOT_QUEUED


async def test_stop_works_on_a_resumed_run(
    committed_db: Database, memory_backends: None, deferred: list[uuid.UUID]
) -> None:
    ada = await create_space(committed_db, "alpha")
    run = await service.start_run(ada, await conversation(ada), "Write a long essay")
    await _simulate_dead_worker(committed_db, ada.scope, run.id, ["Once "])
    assert await execute(ada, run.id, make_fake_chat(["unused"])) == "interrupted"
    resumed = await service.resume_run(ada, run.id)
    long_answer = " ".join(f"w{i}" for i in range(2000))
    execution = asyncio.create_task(execute(ada, run.id, slow_chat([long_answer], pause=0.01)))
    await _first(ada, run.id, "token", after=resumed.last_sequence)
    await service.cancel_run(ada, run.id)
    assert await execution == "cancelled"
    stored = await service.list_events(ada, run.id)
    assert [e.payload.get("stop_reason") for e in stored if e.type == "complete"] == ["interrupted", "cancelled"]
    partial = recovery.partial_text(stored)
    assert partial and long_answer.startswith(partial) and len(partial) < len(long_answer) // 2
    assert (await service.get_run(ada, run.id)).status == "cancelled"


async def test_a_run_that_cannot_start_or_whose_model_fails_ends_failed_with_a_readable_reason(
    committed_db: Database, memory_backends: None, deferred: list[uuid.UUID]
) -> None:
    ada = await create_space(committed_db, "alpha")
    chat = await conversation(ada)
    run = await service.start_run(ada, chat, "Write")
    await DatabaseUsageStore().set_monthly_limit(ada.scope, 0)  # the budget ran out while the run was queued
    with pytest.raises(BudgetExceeded):
        await service.start_run(ada, await conversation(ada), "A new run is refused at once")
    assert await execute(ada, run.id, make_fake_chat(["unused"])) == "failed"
    events = await service.list_events(ada, run.id)
    assert [e.type for e in events[-2:]] == ["error", "complete"]
    assert "token budget" in events[-2].payload["message"] and events[-1].payload["stop_reason"] == "error"
    assert (await service.get_run(ada, run.id)).error == events[-2].payload["message"]

    await DatabaseUsageStore().set_monthly_limit(ada.scope, None)
    run = await service.start_run(ada, chat, "Write again")
    assert await execute(ada, run.id, make_fake_chat([RuntimeError("provider exploded")])) == "failed"
    done = await service.get_run(ada, run.id)
    assert (done.status, done.stop_reason) == ("failed", "error")
    assert (await service.list_events(ada, run.id))[-1].payload["stop_reason"] == "error"


async def test_with_the_broker_down_a_run_still_streams_and_is_followed_and_stopped_through_the_database(
    committed_db: Database, deferred: list[uuid.UUID]
) -> None:
    from backend.core import cache as cache_module

    class Down:
        """A broker that cannot be reached (Redis restarting): every call fails."""

        backend_name = "down"

        async def publish(self, channel: str, message: str) -> None:
            raise ConnectionError("broker down")

        async def publish_many(self, messages: list[tuple[str, str]]) -> None:
            raise ConnectionError("broker down")

        def subscribe(self, channel: str) -> Any:
            raise ConnectionError("broker down")

        async def close(self) -> None:
            return None

    ada = await create_space(committed_db, "alpha")
    cache_module.set_cache_and_broker(cache_module.MemoryCache(), Down())
    try:
        run = await service.start_run(ada, await conversation(ada), "Write a long essay")
        long_answer = " ".join(f"w{i}" for i in range(2000))
        execution = asyncio.create_task(execute(ada, run.id, slow_chat([long_answer], pause=0.01)))
        await _first(ada, run.id, "token")  # followed from the database alone
        await service.cancel_run(ada, run.id)
        assert await asyncio.wait_for(execution, 15) == "cancelled"
        stored = await service.list_events(ada, run.id)
        assert [e.sequence for e in stored] == list(range(1, len(stored) + 1))
        assert stored[-1].payload["stop_reason"] == "cancelled"
    finally:
        cache_module.set_cache_and_broker(None, None)
