"""The team's own published content with its numbers in the Strategy and SEO tools, from a fake provider; and the
provider slot of the real env (the caller's space given to the registered provider, nothing without one).
The real provider (one space's linked items, GA4 figures from the fake Google) is tested in
tests/db/test_agent_own_content.py."""

from __future__ import annotations

import subprocess
import sys
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from backend.agents.tools import env as env_module
from backend.agents.tools.base import OwnContent, OwnContentItem
from backend.agents.tools.env import register_own_content_provider, space_tool_env
from backend.agents.tools.seo_keywords import keyword_research
from backend.agents.tools.strategy_analysis import content_gap
from backend.agents.tools.strategy_calendar import content_calendar
from backend.tenancy.context import SpaceContext
from tests.unit.agents.tools.conftest import FakeSpace, passage

PUBLISHED = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)


def _item(title: str, path: str, sessions: float | None, conversions: float | None, days: int = 10) -> OwnContentItem:
    return OwnContentItem(
        title=title,
        url=f"https://ours.example{path}",
        published_at=PUBLISHED,
        days=days,
        sessions=sessions,
        conversions=conversions,
        sessions_per_day=round(sessions / days, 2) if sessions is not None else None,
    )


def provider(content: OwnContent, calls: list[int] | None = None) -> Any:
    async def own_content() -> OwnContent:
        if calls is not None:
            calls.append(1)
        return content

    return own_content


RANKED = OwnContent(
    state="ok",
    items=(
        _item("Old pricing page", "/pricing", 100, 9, days=50),  # 2 a day
        _item("Email automation guide", "/blog/email-automation-guide", 300, 4, days=10),  # 30 a day
        _item("Launch notes", "/blog/launch", 0, 0, days=2),
    ),
)


@pytest.fixture
def ours(space: FakeSpace) -> FakeSpace:
    space.add("product", passage("p1", "Email automation sends the welcome series.", title="Guide"))
    return space


async def test_content_gap_lists_the_teams_content_with_its_numbers_best_first(ours: FakeSpace) -> None:
    calls: list[int] = []
    outcome = await content_gap(
        ours.env(own_content=provider(RANKED, calls)), {"topics": ["email automation", "podcast ads"]}
    )
    result = outcome.result or {}
    yours = result["your_content"]
    assert [(p["title"], p["sessions"], p["conversions"], p["sessions_per_day"]) for p in yours] == [
        ("Email automation guide", 300, 4, 30.0),
        ("Old pricing page", 100, 9, 2.0),
        ("Launch notes", 0, 0, 0.0),
    ]
    assert yours[0]["url"] == "https://ours.example/blog/email-automation-guide"
    assert yours[0]["published"] == "2026-11-01" and yours[0]["days"] == 10 and calls == [1]
    rows = {r["topic"]: r for r in result["topics"]}
    assert "Your published 'Email automation guide'" in rows["email automation"]["suggestion"]
    assert "300 sessions, 4 key events, 30.0 a day" in rows["email automation"]["suggestion"]
    assert "Your published" not in rows["podcast ads"]["suggestion"]
    assert any("the team's 3 best published items" in n for n in result["notes"])


async def test_content_gap_says_when_ga4_is_not_connected_or_nothing_is_linked(ours: FakeSpace) -> None:
    bare = OwnContent(
        state="not_connected",
        message="GA4 is not connected: an admin can connect it under Integrations.",
        items=(_item("Email automation guide", "/blog/email-automation-guide", None, None),),
    )
    result = (await content_gap(ours.env(own_content=provider(bare)), {"topics": ["email automation"]})).result or {}
    assert [p.get("sessions") for p in result["your_content"]] == [None]
    note = next(n for n in result["notes"] if "published content" in n)
    assert note.startswith("GA4 is not connected") and "listed without figures" in note
    assert "sessions" not in result["topics"][0]["suggestion"].split("Your published")[1]

    none = OwnContent(state="no_linked_items", message="No published item is linked to its address.")
    result = (await content_gap(ours.env(own_content=provider(none)), {"topics": ["email automation"]})).result or {}
    assert result["your_content"] == []
    assert any("No published item of the team is linked to its URL" in n for n in result["notes"])

    gone = OwnContent(state="needs_reconnect", message="Google no longer accepts the grant: reconnect GA4.")
    result = (await content_gap(ours.env(own_content=provider(gone)), {"topics": ["email automation"]})).result or {}
    assert any(n.startswith("Google no longer accepts the grant: reconnect GA4:") for n in result["notes"])


async def test_without_a_provider_or_when_it_fails_the_tools_say_so(ours: FakeSpace) -> None:
    result = (await content_gap(ours.env(), {"topics": ["email automation"]})).result or {}
    assert result["your_content"] == [] and any("not available to this tool" in n for n in result["notes"])

    async def broken() -> OwnContent:
        raise ConnectionError("database down")

    outcome = await keyword_research(ours.env(own_content=broken), {"topic": "email automation"})
    assert outcome.ok and outcome.result
    assert "The team's published content could not be read (ConnectionError)." in outcome.result["notes"]


async def test_keyword_research_shows_the_teams_content_and_what_already_targets_the_topic(ours: FakeSpace) -> None:
    outcome = await keyword_research(ours.env(own_content=provider(RANKED)), {"topic": "email automation"})
    result = outcome.result or {}
    titles = [p["title"] for p in result["your_content"]]
    assert titles == ["Email automation guide", "Old pricing page", "Launch notes"]
    assert result["your_content"][0]["sessions_per_day"] == 30.0
    already = [n for n in result["notes"] if n.startswith("Already published on this topic")]
    assert len(already) == 1
    assert "'Email automation guide' (https://ours.example/blog/email-automation-guide" in already[0]
    assert any("GA4 not connected" in n for n in result["notes"]), "search queries: no analytics in this env"


def _ctx() -> SpaceContext:
    return SpaceContext(
        organization_id=uuid.uuid4(), space_id=uuid.uuid4(), user_id=uuid.uuid4(), role="viewer", space_name="General"
    )


async def test_the_real_env_gives_the_registered_provider_the_callers_space(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(env_module, "_own_content", [])

    async def no_documents(ctx: SpaceContext, **kwargs: Any) -> tuple[list[Any], int]:
        return [], 0

    async def no_sources(ctx: SpaceContext, **kwargs: Any) -> list[str]:
        return []

    async def no_ga4(ctx: SpaceContext) -> None:
        return None

    monkeypatch.setattr(env_module.documents_service, "list_documents", no_documents)
    monkeypatch.setattr(env_module.documents_service, "ready_source_urls", no_sources)
    monkeypatch.setattr(env_module.analytics_service, "tool_analytics", no_ga4)
    ctx = _ctx()
    assert (await space_tool_env(ctx)).own_content is None, "no provider registered: the slot is empty"

    seen: list[SpaceContext] = []

    async def own_content(given: SpaceContext) -> OwnContent:
        seen.append(given)
        return RANKED

    register_own_content_provider(own_content)
    env = await space_tool_env(ctx)
    assert env.own_content is not None and await env.own_content() == RANKED
    other = _ctx()
    assert (await space_tool_env(other)).own_content is not None
    assert seen == [ctx], "built per space: a provider is only ever called with the env's own space"
    register_own_content_provider(None)
    assert env_module.own_content_provider() is None


def test_the_web_process_and_the_worker_load_the_content_provider() -> None:
    """`load_task_modules` (the lifespan's and `make worker`'s) registers it, in a fresh interpreter."""
    code = (
        "from backend.tasks import load_task_modules\n"
        "from backend.agents.tools.env import own_content_provider\n"
        "assert own_content_provider() is None\n"
        "load_task_modules()\n"
        "provider = own_content_provider()\n"
        "assert provider is not None and provider.__module__ == 'backend.content.performance', provider\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]


async def test_the_calendar_names_the_teams_item_a_weeks_theme_already_covers(space: FakeSpace) -> None:
    args = {"start_date": "2026-12-07", "weeks": 2, "themes": ["Email automation", "Podcast ads"]}
    outcome = await content_calendar(space.env(own_content=provider(RANKED)), args)
    result = outcome.result or {}
    first, second = result["weeks"]
    assert first["already_published"].startswith("'Email automation guide' (https://ours.example/blog/email-")
    assert "300 sessions, 4 key events, 30.0 a day" in first["already_published"]
    assert second.get("already_published") is None
    assert result["your_content"][0]["title"] == "Email automation guide"
    bare = (await content_calendar(space.env(), args)).result or {}
    assert bare["your_content"] == [] and any("not available to this tool" in n for n in bare["notes"])
