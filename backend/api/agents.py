"""Agents and conversations over HTTP (tenant routes: X-Space-Id required).

Any member reads the agents' effective settings; space admins change them. Editors create, rename and delete
conversations; any member reads them. Runs (answering a message) are the Runs domain's routes.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from backend.agents import service
from backend.agents.schemas import (
    AgentSettingsPublic,
    AgentSettingsUpdate,
    ConversationCreate,
    ConversationPublic,
    ConversationUpdate,
    MessagePublic,
)
from backend.agents.types import AgentType
from backend.api.deps import Ctx, PageDep, set_total

router = APIRouter(tags=["agents"])


@router.get(
    "/agents",
    operation_id="list_agents",
    response_model=list[AgentSettingsPublic],
    summary="The four agents with their effective settings in this space and the defaults beside them",
)
async def list_agents(ctx: Ctx) -> list[AgentSettingsPublic]:
    return await service.list_agent_settings(ctx)


@router.put(
    "/agents/{agent}",
    operation_id="update_agent",
    response_model=AgentSettingsPublic,
    summary="Set an agent's overrides in this space (space admins); fields left out return to the default",
)
async def update_agent(agent: str, body: AgentSettingsUpdate, ctx: Ctx) -> AgentSettingsPublic:
    return await service.update_agent_settings(ctx, agent, body)


@router.post(
    "/conversations",
    status_code=201,
    operation_id="create_conversation",
    response_model=ConversationPublic,
    summary="Start a conversation with an agent (editors)",
)
async def create_conversation(body: ConversationCreate, ctx: Ctx) -> ConversationPublic:
    return await service.create_conversation(ctx, body)


@router.get(
    "/conversations",
    operation_id="list_conversations",
    response_model=list[ConversationPublic],
    summary="The space's conversations, most recently active first",
)
async def list_conversations(
    ctx: Ctx, response: Response, page: PageDep, agent: Annotated[AgentType | None, Query()] = None
) -> list[ConversationPublic]:
    rows, total = await service.list_conversations(ctx, agent=agent, limit=page.limit, offset=page.offset)
    set_total(response, total)
    return rows


@router.get(
    "/conversations/{conversation_id}",
    operation_id="get_conversation",
    response_model=ConversationPublic,
    summary="One conversation",
)
async def get_conversation(conversation_id: str, ctx: Ctx) -> ConversationPublic:
    return await service.get_conversation(ctx, conversation_id)


@router.patch(
    "/conversations/{conversation_id}",
    operation_id="rename_conversation",
    response_model=ConversationPublic,
    summary="Rename a conversation (editors)",
)
async def rename_conversation(conversation_id: str, body: ConversationUpdate, ctx: Ctx) -> ConversationPublic:
    return await service.rename_conversation(ctx, conversation_id, body)


@router.delete(
    "/conversations/{conversation_id}",
    status_code=204,
    operation_id="delete_conversation",
    summary="Delete a conversation and its history (editors)",
)
async def delete_conversation(conversation_id: str, ctx: Ctx) -> Response:
    await service.delete_conversation(ctx, conversation_id)
    return Response(status_code=204)


@router.get(
    "/conversations/{conversation_id}/messages",
    operation_id="list_messages",
    response_model=list[MessagePublic],
    summary="The conversation's messages, oldest first, with each answer's citations and stop reason",
)
async def list_messages(conversation_id: str, ctx: Ctx) -> list[MessagePublic]:
    return await service.messages(ctx, conversation_id)
