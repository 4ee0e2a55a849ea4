"""Agent settings and conversations: what the UI and the API call. `ctx` first; policy here, SQL in
`repository`, messages read from the conversation's checkpoints."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from backend.agents import repository
from backend.agents.checkpoint import open_checkpointer, thread_id
from backend.agents.models import Conversation
from backend.agents.registry import default_config, effective_config, parse_agent
from backend.agents.schemas import (
    AgentSettingsPublic,
    AgentSettingsUpdate,
    CitationPublic,
    ConversationCreate,
    ConversationPublic,
    ConversationUpdate,
    MessagePublic,
)
from backend.agents.types import AGENT_TYPES, AgentConfig, AgentType
from backend.core.db import get_database
from backend.core.errors import Forbidden, NotFound
from backend.tenancy import audit
from backend.tenancy.context import SpaceContext

_TITLE_WORDS = 8


def _require_admin(ctx: SpaceContext) -> None:
    if not ctx.can("admin"):
        raise Forbidden("Only space admins can change an agent's settings.", code="admin_required")


def _require_editor(ctx: SpaceContext) -> None:
    if not ctx.can("editor"):
        raise Forbidden("Your role in this space is read-only.", code="editor_required")


async def agent_config(ctx: SpaceContext, agent: str) -> AgentConfig:
    """The agent's effective config in the caller's space."""
    kind = parse_agent(agent)
    async with get_database().tenant(ctx.scope) as session:
        rows = await repository.settings_rows(session, ctx.scope)
    row = rows.get(kind)
    return effective_config(kind, row.overrides() if row else None)


async def list_agent_settings(ctx: SpaceContext) -> list[AgentSettingsPublic]:
    """Every agent's effective settings in the space, with the defaults beside them (any role may read)."""
    async with get_database().tenant(ctx.scope) as session:
        rows = await repository.settings_rows(session, ctx.scope)
    return [
        AgentSettingsPublic.of(
            effective_config(agent, rows[agent].overrides() if agent in rows else None), default_config(agent)
        )
        for agent in AGENT_TYPES
    ]


def _clean(update: AgentSettingsUpdate, default: AgentConfig) -> dict[str, Any]:
    """Overrides to store: a value equal to the default is stored as NULL (it follows future defaults)."""
    values: dict[str, Any] = update.model_dump()
    if values["collections"] is not None:
        tags = [" ".join(str(t).split()).lower()[:64] for t in values["collections"]]
        values["collections"] = list(dict.fromkeys(t for t in tags if t))
    if values["extra_instructions"] is not None:
        values["extra_instructions"] = values["extra_instructions"].strip() or None
    current = default.settings()
    for name, value in list(values.items()):
        if value == current.get(name):
            values[name] = None
    return values


async def update_agent_settings(ctx: SpaceContext, agent: str, update: AgentSettingsUpdate) -> AgentSettingsPublic:
    """Replace the space's overrides of one agent (space admins; audited)."""
    _require_admin(ctx)
    kind = parse_agent(agent)
    values = _clean(update, default_config(kind))
    async with get_database().tenant(ctx.scope, user_id=ctx.user_id) as session:
        row = await repository.upsert_settings(session, ctx.scope, agent=kind, values=values, user_id=ctx.user_id)
        await audit.record(
            session,
            organization_id=ctx.organization_id,
            actor=audit.Actor(ctx.user_id, None),
            action="agent.settings_changed",
            target=default_config(kind).name,
            space_id=ctx.space_id,
            details={"overrides": {k: v for k, v in values.items() if v is not None}},
        )
        overrides = row.overrides()
    return AgentSettingsPublic.of(effective_config(kind, overrides), default_config(kind))


# -- conversations ---------------------------------------------------------------------------------------


def _public(row: Conversation) -> ConversationPublic:
    return ConversationPublic.model_validate(row, from_attributes=True)


def _conversation_id(value: Any) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise NotFound("No such conversation in this space.", code="conversation_not_found") from None


async def create_conversation(ctx: SpaceContext, body: ConversationCreate) -> ConversationPublic:
    _require_editor(ctx)
    title = (body.title or "").strip() or f"New {default_config(body.agent).name} conversation"
    async with get_database().tenant(ctx.scope) as session:
        row = await repository.add_conversation(
            session, ctx.scope, agent=body.agent, title=title[:200], user_id=ctx.user_id
        )
    return _public(row)


async def list_conversations(
    ctx: SpaceContext, *, agent: AgentType | None = None, limit: int = 100, offset: int = 0
) -> tuple[list[ConversationPublic], int]:
    async with get_database().tenant(ctx.scope) as session:
        rows, total = await repository.list_conversations(session, ctx.scope, agent=agent, limit=limit, offset=offset)
    return [_public(r) for r in rows], total


async def get_conversation(ctx: SpaceContext, conversation_id: Any) -> ConversationPublic:
    """The conversation when it is in the caller's space; the same 404 for another space's id."""
    cid = _conversation_id(conversation_id)
    async with get_database().tenant(ctx.scope) as session:
        row = await repository.get_conversation(session, ctx.scope, conversation_id=cid)
    if row is None:
        raise NotFound("No such conversation in this space.", code="conversation_not_found")
    return _public(row)


async def conversation_and_config(ctx: SpaceContext, conversation_id: Any) -> tuple[ConversationPublic, AgentConfig]:
    """`get_conversation` and the effective config of its agent, read in one transaction: a run's turn
    needs both before its graph starts, and each transaction is a round trip on the way to the first token."""
    cid = _conversation_id(conversation_id)
    async with get_database().tenant(ctx.scope) as session:
        row = await repository.get_conversation(session, ctx.scope, conversation_id=cid)
        rows = await repository.settings_rows(session, ctx.scope) if row is not None else {}
    if row is None:
        raise NotFound("No such conversation in this space.", code="conversation_not_found")
    conversation = _public(row)
    kind = parse_agent(conversation.agent)
    settings = rows.get(kind)
    return conversation, effective_config(kind, settings.overrides() if settings else None)


async def rename_conversation(ctx: SpaceContext, conversation_id: Any, body: ConversationUpdate) -> ConversationPublic:
    _require_editor(ctx)
    cid = _conversation_id(conversation_id)
    async with get_database().tenant(ctx.scope) as session:
        row = await repository.get_conversation(session, ctx.scope, conversation_id=cid, lock=True)
        if row is None:
            raise NotFound("No such conversation in this space.", code="conversation_not_found")
        row.title = body.title.strip()[:200]
    return _public(row)


async def delete_conversation(ctx: SpaceContext, conversation_id: Any) -> None:
    """Delete the conversation and its checkpoints (its whole history)."""
    _require_editor(ctx)
    cid = _conversation_id(conversation_id)
    async with get_database().tenant(ctx.scope) as session:
        if not await repository.delete_conversation(session, ctx.scope, conversation_id=cid):
            raise NotFound("No such conversation in this space.", code="conversation_not_found")
    async with open_checkpointer(ctx.scope) as saver:
        await saver.adelete_thread(thread_id(ctx.scope, cid))


def title_from(message: str) -> str:
    """A conversation title from its first message."""
    words = message.split()
    title = " ".join(words[:_TITLE_WORDS])
    return (title + ("…" if len(words) > _TITLE_WORDS else ""))[:200] or "Conversation"


async def record_turn(ctx: SpaceContext, conversation_id: uuid.UUID, *, first_message: str | None) -> None:
    """Count a finished turn (two messages) and name a conversation still called by its default title."""
    async with get_database().tenant(ctx.scope) as session:
        row = await repository.get_conversation(session, ctx.scope, conversation_id=conversation_id, lock=True)
        if row is None:
            return
        if first_message and row.message_count == 0 and row.title.startswith("New "):
            row.title = title_from(first_message)
        await repository.touch_conversation(session, ctx.scope, conversation_id=conversation_id, messages_added=2)


async def messages(ctx: SpaceContext, conversation_id: Any) -> list[MessagePublic]:
    """The conversation's messages, read from its latest checkpoint."""
    conversation = await get_conversation(ctx, conversation_id)
    async with open_checkpointer(ctx.scope) as saver:
        found = await saver.aget_tuple({"configurable": {"thread_id": thread_id(ctx.scope, conversation.id)}})
    if found is None:
        return []
    out = []
    for message in found.checkpoint["channel_values"].get("messages", []):
        kwargs = getattr(message, "additional_kwargs", {}) or {}
        role = {"human": "user", "ai": "assistant"}.get(message.type)
        if role is None:
            continue
        created = kwargs.get("created_at")
        out.append(
            MessagePublic(
                role=role,
                content=message.content if isinstance(message.content, str) else str(message.content),
                run_id=kwargs.get("run_id"),
                citations=[CitationPublic(**c) for c in kwargs.get("citations") or []],
                stop_reason=kwargs.get("stop_reason"),
                unsupported_claims=kwargs.get("unsupported_claims") or [],
                created_at=datetime.fromisoformat(created) if created else None,
            )
        )
    return out


__all__ = [
    "agent_config",
    "create_conversation",
    "delete_conversation",
    "get_conversation",
    "list_agent_settings",
    "list_conversations",
    "messages",
    "record_turn",
    "rename_conversation",
    "title_from",
    "update_agent_settings",
]
