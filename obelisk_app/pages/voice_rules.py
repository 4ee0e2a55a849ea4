"""What the brand voice learned from reviews, on the Brand voice page: word swaps reviewers keep making
across items ("users" → "customers"), which a space admin accepts as a preferred term in one click, and how
well the voice score separates approved from sent-back versions, with the weights fitted to those decisions."""

from __future__ import annotations

from typing import Any, TypedDict

import reflex as rx

from backend.agents.tools.voice import WEIGHTS
from backend.content import service
from backend.content.learning import MIN_EACH
from obelisk_app import styles
from obelisk_app.pages.brand_voice_state import BrandVoiceState
from obelisk_app.states import AuthState, SpaceState


class ProposalRow(TypedDict):
    find: str
    replace: str
    rule: str
    evidence: str


class WeightRow(TypedDict):
    name: str
    weight: str
    separation: str


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{round(100 * value)}%"


class VoiceRulesState(SpaceState):
    proposals: list[ProposalRow] = []
    decisions: str = ""
    separation: str = ""
    weights: list[WeightRow] = []
    error: str = ""

    async def _calibration(self) -> None:
        fit = await service.calibration(await self._ctx())
        self.decisions = f"{fit.approved} approved and {fit.changes_requested} sent back for changes."
        if fit.weights is None:
            self.separation = (
                f"With the default weights an approved version outscores a sent-back one "
                f"{_percent(fit.default_auc)} of the time. Weights are fitted once there are {MIN_EACH} of each."
            )
        else:
            self.separation = (
                f"An approved version outscores a sent-back one {_percent(fit.default_auc)} of the time with the "
                f"default weights, {_percent(fit.calibrated_auc)} with the weights fitted to your decisions "
                "(measured on those same decisions). New versions are scored with the fitted weights."
            )
        self.weights = [
            WeightRow(
                name=name.replace("_", " "),
                weight=str((fit.weights or {}).get(name, WEIGHTS.get(name, 0))),
                separation=_percent(auc),
            )
            for name, auc in fit.part_auc.items()
        ]

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
        await self._calibration()

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
        rx.heading("Score calibration", size="3", margin_top="0.5rem"),
        rx.text(VoiceRulesState.decisions, " ", VoiceRulesState.separation, size="2", data_testid="calibration"),
        rx.foreach(
            VoiceRulesState.weights,
            lambda w: rx.text(
                w["name"],
                ": weight ",
                w["weight"],
                " (separates ",
                w["separation"],
                ")",
                size="2",
                data_testid="calibration-weight",
            ),
        ),
        on_mount=VoiceRulesState.load,
        spacing="2",
        width="100%",
        style=styles.card,
    )


__all__ = ["VoiceRulesState", "rule_proposals"]
