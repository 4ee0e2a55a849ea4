"""Rules proposed from reviews, on the Brand voice page: word swaps reviewers keep making across items
("users" → "customers"), which a space admin accepts as a preferred term in one click."""

from __future__ import annotations

from typing import Any, TypedDict

import reflex as rx

from backend.content import service
from obelisk_app import styles
from obelisk_app.pages.brand_voice_state import BrandVoiceState
from obelisk_app.states import AuthState, SpaceState


class ProposalRow(TypedDict):
    find: str
    replace: str
    rule: str
    evidence: str


class VoiceRulesState(SpaceState):
    proposals: list[ProposalRow] = []
    error: str = ""

    async def _reload(self) -> None:
        self.proposals = [
            ProposalRow(
                find=p.find,
                replace=p.replace,
                rule=p.rule,
                evidence=f"changed in {p.items} items ({p.times} times)",
            )
            for p in await service.rule_proposals(await self._ctx())
        ]

    @rx.event
    async def load(self) -> Any:
        return await self._call(self._reload())

    async def _accept(self, find: str, replace: str) -> Any:
        await service.accept_rule(await self._ctx(), str(find), str(replace))
        await self._reload()
        return BrandVoiceState.load

    @rx.event
    async def accept(self, find: str, replace: str) -> Any:
        return await self._call(self._accept(find, replace), success="Added to the preferred terms")


def _proposal(p: rx.Var[ProposalRow]) -> rx.Component:
    return rx.hstack(
        rx.text(p["rule"], size="2", weight="medium", data_testid="rule-proposal"),
        rx.text(p["evidence"], size="1", color=rx.color("gray", 10)),
        rx.spacer(),
        rx.cond(
            AuthState.is_space_admin,
            rx.button(
                "Accept as rule", size="1", variant="soft", on_click=VoiceRulesState.accept(p["find"], p["replace"])
            ),
        ),
        width="100%",
        align="center",
        spacing="2",
    )


def rule_proposals() -> rx.Component:
    """The proposals panel (it loads itself when it appears)."""
    return rx.vstack(
        rx.heading("Learned from reviews", size="4"),
        rx.text(
            "Edits reviewers made in several content items. Accepting one adds it to this space's preferred "
            "terms, so drafts are flagged with a one-click fix.",
            size="2",
            color=rx.color("gray", 11),
        ),
        rx.foreach(VoiceRulesState.proposals, _proposal),
        rx.cond(
            VoiceRulesState.proposals.length() == 0,
            rx.text("No repeated edits yet.", size="2", color=rx.color("gray", 10)),
        ),
        on_mount=VoiceRulesState.load,
        spacing="2",
        width="100%",
        style=styles.card,
    )


__all__ = ["VoiceRulesState", "rule_proposals"]
