"""The Agents page's handlers, called as a browser would (including a hostile one naming another space)."""

from __future__ import annotations

from typing import Any

import httpx

from obelisk_app.pages.agents_state import AgentsState
from tests.api.world import World
from tests.support.ui import Tab


def _page(token: str, space_id: str) -> AgentsState:
    return Tab(token, space_id).state(AgentsState)


async def _b_seo(client: httpx.AsyncClient, w: World) -> dict[str, Any]:
    agents = (await client.get("/api/v1/agents", headers=w.eve.headers())).json()
    return next(a for a in agents if a["agent"] == "seo")


async def test_an_admin_adjusts_an_agent_and_resets_it(client: httpx.AsyncClient, signup: Any) -> None:
    ada = await signup("ada")
    page = _page(ada.token, ada.space_id)
    await AgentsState.load.fn(page)
    assert [a["agent"] for a in page.agents] == ["seo", "email", "brand", "strategy"]
    assert page.agents[0]["temperature"] == "0.3" and page.agents[0]["default_top_k"] == "5"
    AgentsState.edit.fn(page, "seo")
    await AgentsState.save.fn(
        page,
        {
            "temperature": "0.5",
            "top_k": "",
            "collections": "playbook, seo_guidelines",
            "max_iterations": "6",
            "extra_instructions": "Use British spelling.",
        },
    )
    assert page.error == "" and page.editing == ""
    seo = page.agents[0]
    assert (seo["temperature"], seo["top_k"], seo["max_iterations"]) == ("0.5", "5", "6")
    assert seo["collections"] == "playbook, seo_guidelines" and seo["default_temperature"] == "0.3"
    assert "temperature" in seo["overridden"]

    AgentsState.edit.fn(page, "seo")
    await AgentsState.save.fn(page, {"temperature": "warm", "top_k": "", "collections": "", "max_iterations": ""})
    assert "must be a number" in page.error and page.agents[0]["temperature"] == "0.5"
    await AgentsState.save.fn(page, {"temperature": "", "top_k": "500", "collections": "", "max_iterations": ""})
    assert "Top k" in page.error and page.agents[0]["top_k"] == "5"

    await AgentsState.restore_defaults.fn(page, "seo")
    assert page.agents[0]["overridden"] == "" and page.agents[0]["temperature"] == "0.3"


async def test_agent_handlers_refuse_another_space(client: httpx.AsyncClient, world: World) -> None:
    w = world
    before = await _b_seo(client, w)
    page = _page(w.ada.token, w.eve.space_id)  # A's token, B's space id from the "browser"
    await AgentsState.load.fn(page)
    assert page.agents == [] and page.error
    page.editing = "seo"
    await AgentsState.save.fn(page, {"temperature": "1.9", "top_k": "", "collections": "", "max_iterations": ""})
    await AgentsState.restore_defaults.fn(page, "seo")
    assert page.agents == [] and page.error
    assert await _b_seo(client, w) == before


async def test_a_viewer_sees_the_settings_but_cannot_change_them(client: httpx.AsyncClient, signup: Any) -> None:
    ada = await signup("ada")
    invite = await client.post(
        f"/api/v1/spaces/{ada.space_id}/members",
        json={"email": "vic@example.com", "role": "viewer"},
        headers=ada.headers(),
    )
    vic = (
        await client.post(
            f"/api/v1/invitations/{invite.json()['invitation_token']}/accept",
            json={"name": "Vic", "password": "vic-password-1"},
        )
    ).json()
    page = _page(vic["access_token"], ada.space_id)
    await AgentsState.load.fn(page)
    assert len(page.agents) == 4
    page.editing = "brand"
    await AgentsState.save.fn(page, {"temperature": "0.1", "top_k": "", "collections": "", "max_iterations": ""})
    assert "admins" in page.error and page.agents[2]["temperature"] == "0.7"
