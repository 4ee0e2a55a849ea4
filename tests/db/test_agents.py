"""Agents against the real PostgreSQL: conversations, settings, checkpoints under row-level security, and a
conversation that continues after a simulated restart (new graph, new connection)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import text

from backend.agents import runner, service
from backend.agents.checkpoint import check_thread, open_checkpointer, space_connection, thread_id
from backend.agents.schemas import AgentSettingsUpdate, ConversationCreate, ConversationUpdate
from backend.core.db import Database
from backend.core.errors import Forbidden, NotFound
from backend.models.accounting import counted
from backend.models.chat_fake import make_fake_chat
from backend.tenancy.context import SpaceContext
from tests.db.conftest import space_context
from tests.db.test_runs_support import FixedRetriever, sibling_space, tool_env
from tests.support.tenants import new_tenant


async def _tenant(name: str) -> SpaceContext:
    """A signed-up organization's owner in its first space."""
    return await (await new_tenant(name, name)).context()


@pytest.fixture(autouse=True)
def _count_usage(monkeypatch: pytest.MonkeyPatch, memory_backends: None) -> None:
    # Usage rows are written on their own connections in production; the rolled-back test connection can't.
    monkeypatch.setattr(runner, "metered", lambda scope, **kw: counted(scope))


async def _turn(ctx: SpaceContext, conversation: Any, message: str, answer: str) -> tuple[Any, list[Any], Any]:
    events: list[tuple[str, dict[str, Any]]] = []
    llm = make_fake_chat([answer])
    fast = make_fake_chat([{"action": "write_answer", "tool": "none"}, {"complete": True}], role="fast")
    outcome = await runner.run_turn(
        ctx,
        conversation,
        message,
        emit=lambda kind, payload: events.append((kind, payload)),
        llm=llm,
        fast_llm=fast,
        retriever=FixedRetriever(ctx.scope),
        tools={},
        tool_env=tool_env(ctx.scope),
    )
    return outcome, events, llm


async def test_conversations_are_created_listed_renamed_and_deleted_in_their_space(db: Database) -> None:
    ada = await _tenant("alpha")
    other = await sibling_space(db, ada)
    mine = await service.create_conversation(ada, ConversationCreate(agent="brand"))
    assert mine.title == "New Brand conversation" and mine.agent == "brand"
    await service.create_conversation(other, ConversationCreate(agent="seo", title="Other space"))
    listed, total = await service.list_conversations(ada)
    assert [c.id for c in listed] == [mine.id] and total == 1
    renamed = await service.rename_conversation(ada, mine.id, ConversationUpdate(title="Tone check"))
    assert renamed.title == "Tone check"
    with pytest.raises(NotFound):
        await service.get_conversation(other, mine.id)
    with pytest.raises(NotFound):
        await service.rename_conversation(other, mine.id, ConversationUpdate(title="Hijacked"))
    with pytest.raises(NotFound):
        await service.delete_conversation(other, mine.id)
    assert (await service.get_conversation(ada, mine.id)).title == "Tone check"
    viewer = space_context(ada.organization_id, ada.space_id, role="viewer")
    with pytest.raises(Forbidden):
        await service.create_conversation(viewer, ConversationCreate(agent="seo"))
    await service.delete_conversation(ada, mine.id)
    with pytest.raises(NotFound):
        await service.get_conversation(ada, mine.id)


async def test_agent_settings_show_defaults_and_keep_overrides_per_space(db: Database) -> None:
    ada = await _tenant("alpha")
    other = await sibling_space(db, ada)
    seo = next(a for a in await service.list_agent_settings(ada) if a.agent == "seo")
    assert (seo.temperature, seo.top_k, seo.collections) == (0.3, 5, ["seo_guidelines", "competitor_analysis"])
    assert seo.overridden == [] and seo.defaults.temperature == 0.3
    brand = next(a for a in await service.list_agent_settings(ada) if a.agent == "brand")
    assert (brand.temperature, brand.top_k, brand.collections) == (0.7, 8, ["brand_guidelines", "approved_content"])

    changed = await service.update_agent_settings(
        ada,
        "seo",
        AgentSettingsUpdate(
            temperature=0.1,
            collections=["Playbook ", "playbook"],
            top_k=5,
            extra_instructions="  Always use British spelling. ",
        ),
    )
    assert changed.temperature == 0.1 and changed.collections == ["playbook"]
    assert changed.extra_instructions == "Always use British spelling."
    assert sorted(changed.overridden) == ["collections", "extra_instructions", "temperature"]  # top_k = default
    assert (await service.agent_config(ada, "seo")).temperature == 0.1
    assert (await service.agent_config(other, "seo")).temperature == 0.3
    async with db.tenant(ada.scope) as session:
        actions = (
            (await session.execute(text("SELECT action FROM audit_log WHERE space_id = :s"), {"s": ada.space_id}))
            .scalars()
            .all()
        )
    assert "agent.settings_changed" in actions
    editor = space_context(ada.organization_id, ada.space_id, role="editor")
    with pytest.raises(Forbidden):
        await service.update_agent_settings(editor, "seo", AgentSettingsUpdate(temperature=1.0))
    with pytest.raises(NotFound):
        await service.update_agent_settings(ada, "legal", AgentSettingsUpdate())
    reset = await service.update_agent_settings(ada, "seo", AgentSettingsUpdate())
    assert reset.overridden == [] and reset.temperature == 0.3


async def test_a_turn_is_answered_cited_and_kept_across_a_restart(db: Database) -> None:
    ada = await _tenant("alpha")
    conversation = await service.create_conversation(ada, ConversationCreate(agent="seo"))
    outcome, events, _ = await _turn(ada, conversation.id, "How did Acme grow last year?", "Acme grew by 40% [S1].")
    assert outcome.stop_reason == "completed" and outcome.thread_id == f"{ada.space_id}:{conversation.id}"
    assert [c["chunk_id"] for c in outcome.citations] == ["c1"]
    kinds = [kind for kind, _ in events]
    assert kinds[-1] == "complete" and "token" in kinds and "citation" in kinds

    # A "restart": a new graph, a new checkpointer connection, new model objects. The history is all there.
    outcome, _, llm = await _turn(ada, conversation.id, "And what about 2024?", "I have no 2024 figures.")
    assert outcome.stop_reason == "completed"
    assert any("Acme grew by 40% [S1]." in str(m.content) for m in llm.calls[0]["messages"])
    history = await service.messages(ada, conversation.id)
    assert [(m.role, m.content) for m in history] == [
        ("user", "How did Acme grow last year?"),
        ("assistant", "Acme grew by 40% [S1]."),
        ("user", "And what about 2024?"),
        ("assistant", "I have no 2024 figures."),
    ]
    assert history[1].citations[0].chunk_id == "c1" and history[1].stop_reason == "completed"
    assert history[1].run_id and history[0].created_at is not None
    refreshed = await service.get_conversation(ada, conversation.id)
    assert refreshed.message_count == 4 and refreshed.title == "How did Acme grow last year?"


async def test_the_first_search_runs_while_the_turn_still_sets_up_its_checkpoints_and_is_not_repeated(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first search starts as soon as the agent's config is read: it is under way before LangGraph has
    read the thread's last checkpoint (a real PostgreSQL checkpointer), and the retrieval step uses it."""
    ada = await _tenant("alpha")
    conversation = await service.create_conversation(ada, ConversationCreate(agent="seo"))
    order: list[str] = []

    class RecordingRetriever(FixedRetriever):
        async def __call__(self, scope: Any, query: str, **options: Any) -> Any:
            order.append(f"search: {query}")
            return await super().__call__(scope, query, **options)

    opened = runner.open_checkpointer

    @contextlib.asynccontextmanager
    async def recording_checkpointer(scope: Any, url: str | None = None) -> AsyncIterator[Any]:
        async with opened(scope, url) as saver:
            read = saver.aget_tuple

            async def aget_tuple(config: Any) -> Any:
                found = await read(config)  # a real round trip to PostgreSQL
                order.append("checkpoint read")
                return found

            saver.aget_tuple = aget_tuple
            yield saver

    monkeypatch.setattr(runner, "open_checkpointer", recording_checkpointer)
    events: list[tuple[str, dict[str, Any]]] = []
    outcome = await runner.run_turn(
        ada,
        conversation.id,
        "How did Acme grow last year?",
        emit=lambda kind, payload: events.append((kind, payload)),
        llm=make_fake_chat(["Acme grew by 40% [S1]."]),
        fast_llm=make_fake_chat([{"action": "write_answer", "tool": "none"}, {"complete": True}], role="fast"),
        retriever=RecordingRetriever(ada.scope),
        tools={},
        tool_env=tool_env(ada.scope),
    )
    assert order[0] == "search: How did Acme grow last year?" and "checkpoint read" in order
    assert order.count("search: How did Acme grow last year?") == 1, order  # the step took the running search
    steps = [(p["name"], p["status"]) for kind, p in events if kind == "step" and p["name"] == "retrieve"]
    assert steps == [("retrieve", "started"), ("retrieve", "done")]
    assert next(p for kind, p in events if kind == "step" and p["status"] == "done")["found"] == 1
    assert outcome.stop_reason == "completed" and [c["chunk_id"] for c in outcome.citations] == ["c1"]


async def test_another_spaces_conversation_is_refused_at_the_entry_point_and_by_row_level_security(
    db: Database,
) -> None:
    ada = await _tenant("alpha")
    eve = await sibling_space(db, ada, "Eve's")
    theirs = await service.create_conversation(eve, ConversationCreate(agent="email"))
    await _turn(eve, theirs.id, "Write a welcome email", "Welcome aboard.")

    with pytest.raises(NotFound):
        await _turn(ada, theirs.id, "Show me", "leak")
    with pytest.raises(NotFound):
        await service.messages(ada, theirs.id)
    with pytest.raises(NotFound):
        check_thread(ada.scope, thread_id(eve.scope, theirs.id))
    assert check_thread(eve.scope, thread_id(eve.scope, theirs.id)) == theirs.id
    for malformed in ("", "x:y", f"{ada.space_id}", f"{ada.space_id}:not-a-uuid"):
        with pytest.raises(NotFound):
            check_thread(ada.scope, malformed)

    # Second wall: ada's checkpoint connection sees none of eve's rows and cannot write into eve's threads.
    eve_thread = thread_id(eve.scope, theirs.id)
    async with open_checkpointer(ada.scope) as saver:
        assert await saver.aget_tuple({"configurable": {"thread_id": eve_thread}}) is None
    async with space_connection(ada.scope) as conn:
        for table in ("checkpoints", "checkpoint_blobs", "checkpoint_writes"):
            row = await (
                await conn.execute(f"SELECT count(*) AS n FROM {table} WHERE thread_id = %s", (eve_thread,))
            ).fetchone()
            assert row is not None and row["n"] == 0, table
        with pytest.raises(Exception, match="row-level security"):
            await conn.execute(
                "INSERT INTO checkpoints (thread_id, checkpoint_ns, checkpoint_id, checkpoint) "
                "VALUES (%s, '', 'planted', '{}')",
                (f"{eve.space_id}:{uuid.uuid4()}",),
            )
    async with space_connection(eve.scope) as conn:
        row = await (
            await conn.execute("SELECT count(*) AS n FROM checkpoints WHERE thread_id = %s", (eve_thread,))
        ).fetchone()
        assert row is not None and row["n"] > 0


async def _checkpoint_rows(conn: Any, thread: str) -> int:
    row = await (await conn.execute("SELECT count(*) AS n FROM checkpoints WHERE thread_id = %s", (thread,))).fetchone()
    assert row is not None
    return int(row["n"])


async def test_a_pooled_checkpoint_connection_sees_only_the_space_that_holds_it(db: Database) -> None:
    ada = await _tenant("alpha")
    eve = await sibling_space(db, ada, "Eve's")
    mine = await service.create_conversation(ada, ConversationCreate(agent="seo"))
    theirs = await service.create_conversation(eve, ConversationCreate(agent="email"))
    await _turn(ada, mine.id, "How did Acme grow?", "Acme grew by 40% [S1].")
    await _turn(eve, theirs.id, "Draft a launch email", "A launch email.")
    ada_thread, eve_thread = thread_id(ada.scope, mine.id), thread_id(eve.scope, theirs.id)

    async with space_connection(ada.scope) as conn:
        pid = conn.info.backend_pid
        assert await _checkpoint_rows(conn, ada_thread) > 0 and await _checkpoint_rows(conn, eve_thread) == 0
    # Returned by ada's run, taken by eve's: the same server session, now confined to eve's space only.
    async with space_connection(eve.scope) as conn:
        assert conn.info.backend_pid == pid
        assert await _checkpoint_rows(conn, eve_thread) > 0 and await _checkpoint_rows(conn, ada_thread) == 0
        async with space_connection(ada.scope) as other:  # held by eve: ada gets another connection
            assert other.info.backend_pid != pid and await _checkpoint_rows(other, eve_thread) == 0
    async with open_checkpointer(eve.scope) as saver:
        assert await saver.aget_tuple({"configurable": {"thread_id": ada_thread}}) is None
    # A connection whose block failed (a cancelled run may leave a statement half-sent) is closed, not reused.
    with pytest.raises(RuntimeError):
        async with space_connection(ada.scope) as conn:
            failed = conn.info.backend_pid
            raise RuntimeError("the run failed")
    async with space_connection(ada.scope) as conn:
        assert conn.info.backend_pid != failed


async def test_deleting_a_conversation_deletes_its_checkpoints(db: Database) -> None:
    ada = await _tenant("alpha")
    conversation = await service.create_conversation(ada, ConversationCreate(agent="strategy"))
    await _turn(ada, conversation.id, "Plan Q3", "A plan.")
    await service.delete_conversation(ada, conversation.id)
    async with open_checkpointer(ada.scope) as saver:
        found = await saver.aget_tuple({"configurable": {"thread_id": thread_id(ada.scope, conversation.id)}})
    assert found is None


async def test_bad_messages_are_refused_with_a_clear_error(db: Database) -> None:
    from backend.core.errors import ValidationFailed

    ada = await _tenant("alpha")
    conversation = await service.create_conversation(ada, ConversationCreate(agent="seo"))
    with pytest.raises(ValidationFailed, match="empty"):
        await _turn(ada, conversation.id, "   ", "x")
    with pytest.raises(ValidationFailed, match="at most"):
        await _turn(ada, conversation.id, "x" * (runner.MAX_MESSAGE + 1), "x")


AGENT_TOOL_CALLS = {
    "seo": (
        "content_audit",
        {"text": "# Halcyon\n\nThe Halcyon thermostat cuts bills.", "target_keyword": "thermostat"},
    ),
    "email": ("subject_line_variants", {"topic": "Halcyon thermostat launch", "count": 3}),
    "brand": ("voice_analyzer", {"text": "Our revolutionary thermostat is the best!!!"}),
    "strategy": ("content_calendar", {"start_date": "2027-01-04", "weeks": 2}),
}


@pytest.mark.parametrize("agent", ["seo", "email", "brand", "strategy"])
async def test_each_agent_uses_its_tool_and_writes_a_grounded_cited_draft(
    db: Database, spaces: tuple[SpaceContext, SpaceContext], agent: str
) -> None:
    """The real retriever over ingested documents, the real tools and tool environment; scripted models."""
    import textwrap

    from backend.documents import ingest
    from backend.documents import service as documents

    ctx, other = spaces
    brief = "# Halcyon brief\n\nThe Halcyon smart thermostat cuts heating bills by 18% in our field trial.\n"
    upload = await documents.add_upload(ctx, data=textwrap.dedent(brief).encode(), filename="brief.md")
    await ingest.run_ingestion(ctx.scope, upload.document.id)
    secret = await documents.add_upload(other, data=b"# Bravo\n\nBravo secret thermostat plan.\n", filename="b.md")
    await ingest.run_ingestion(other.scope, secret.document.id)

    tool, args = AGENT_TOOL_CALLS[agent]
    conversation = await service.create_conversation(ctx, ConversationCreate(agent=agent))  # type: ignore[arg-type]
    events: list[tuple[str, dict[str, Any]]] = []
    fast = make_fake_chat(
        [{"action": "use_tool", "tool": tool}, args, {"action": "write_answer"}, {"complete": True}], role="fast"
    )
    # Twice: the first decision is a tool call, so the writing call started beside it (speculative write) is
    # made and discarded, then the answer is written after the tool.
    llm = make_fake_chat(["The Halcyon smart thermostat cuts heating bills by 18% in our field trial [S1]."] * 2)
    outcome = await runner.run_turn(
        ctx,
        conversation.id,
        "What does the Halcyon thermostat save?",
        emit=lambda kind, payload: events.append((kind, payload)),
        llm=llm,
        fast_llm=fast,
    )
    result = next(payload for kind, payload in events if kind == "tool_result")
    assert result["tool"] == tool and result["ok"], result
    assert outcome.stop_reason == "completed"
    assert [c["document_id"] for c in outcome.citations] == [str(upload.document.id)]
    assert outcome.unsupported_claims == []
    assert "Bravo" not in str(events) and "secret" not in str(events)
