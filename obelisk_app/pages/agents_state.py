"""State of the Agents page: each agent's effective settings in the space, its defaults, and admin edits."""

from __future__ import annotations

from typing import Any, TypedDict

import reflex as rx

from backend.agents import service
from backend.agents.schemas import AgentSettingsPublic, AgentSettingsUpdate
from backend.core.errors import ValidationFailed
from obelisk_app.states.space import SpaceState


class AgentRow(TypedDict):
    agent: str
    name: str
    description: str
    tools: str
    temperature: str
    top_k: str
    max_iterations: str
    collections: str
    extra_instructions: str
    default_temperature: str
    default_top_k: str
    default_max_iterations: str
    default_collections: str
    overridden: str


def _row(agent: AgentSettingsPublic) -> AgentRow:
    return AgentRow(
        agent=agent.agent,
        name=agent.name,
        description=agent.description,
        tools=", ".join(agent.tools),
        temperature=f"{agent.temperature:g}",
        top_k=str(agent.top_k),
        max_iterations=str(agent.max_iterations),
        collections=", ".join(agent.collections),
        extra_instructions=agent.extra_instructions,
        default_temperature=f"{agent.defaults.temperature:g}",
        default_top_k=str(agent.defaults.top_k),
        default_max_iterations=str(agent.defaults.max_iterations),
        default_collections=", ".join(agent.defaults.collections),
        overridden=", ".join(agent.overridden),
    )


def _number(form: dict[str, Any], name: str, label: str, kind: type) -> Any:
    raw = str(form.get(name, "")).strip()
    if not raw:
        return None
    try:
        return kind(raw)
    except ValueError:
        raise ValidationFailed(f"{label} must be a number (got '{raw[:20]}').", code="invalid_agent_settings") from None


def update_from_form(form: dict[str, Any]) -> AgentSettingsUpdate:
    """The form's fields as overrides; an empty field means "use the default"."""
    collections = [t.strip() for t in str(form.get("collections", "")).replace("\n", ",").split(",") if t.strip()]
    try:
        return AgentSettingsUpdate(
            temperature=_number(form, "temperature", "Temperature", float),
            top_k=_number(form, "top_k", "Passages per search", int),
            max_iterations=_number(form, "max_iterations", "Step limit", int),
            collections=collections or None,
            extra_instructions=str(form.get("extra_instructions", "")).strip() or None,
        )
    except ValueError as exc:  # pydantic's bounds, as one sentence
        first = exc.errors()[0] if hasattr(exc, "errors") else {"loc": ("",), "msg": str(exc)}
        field = str(first["loc"][0]).replace("_", " ")
        raise ValidationFailed(f"{field.capitalize()}: {first['msg']}.", code="invalid_agent_settings") from None


class AgentsState(SpaceState):
    agents: list[AgentRow] = []
    editing: str = ""
    error: str = ""

    async def _reload(self) -> None:
        self.agents = [_row(a) for a in await service.list_agent_settings(await self._ctx())]

    @rx.event
    async def load(self) -> Any:
        self.editing = ""
        return await self._call(self._reload())

    @rx.event
    def edit(self, agent: str) -> None:
        self.editing = agent

    @rx.event
    def cancel(self) -> None:
        self.editing = ""

    @rx.event
    async def save(self, form: dict[str, Any]) -> Any:
        agent = self.editing

        async def work() -> None:
            await service.update_agent_settings(await self._ctx(), agent, update_from_form(form))
            await self._reload()
            self.editing = ""

        return await self._call(work(), success="Agent settings saved")

    @rx.event
    async def restore_defaults(self, agent: str) -> Any:
        async def work() -> None:
            await service.update_agent_settings(await self._ctx(), agent, AgentSettingsUpdate())
            await self._reload()
            self.editing = ""

        return await self._call(work(), success="Back to the defaults")


__all__ = ["AgentRow", "AgentsState", "update_from_form"]
