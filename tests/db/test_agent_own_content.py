"""The agents' tools see the team's own published content with its numbers: the provider the content domain
registers into the tool env reads the caller's space only (its linked items, never another space's), with the
GA4 figures of one filtered report from the fake Google on 127.0.0.1 (`tests/support/fake_google.py`: a month
of traffic on /pricing, /blog/guide and /blog/old-post, nothing today), and says when GA4 is not connected or
no item is linked. Real PostgreSQL under row-level security."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from backend.agents.tools import TOOLS
from backend.agents.tools.env import own_content_provider, space_tool_env
from backend.content import performance, service
from backend.content.schemas import ContentCreate
from backend.core.db import Database
from backend.tenancy.context import SpaceContext
from tests.db.test_content_performance import published_item
from tests.db.test_runs_support import sibling_space
from tests.support.dashboard_data import connect_ga4
from tests.support.fake_google import ALICE, BOB, FakeGoogle, serve_fake_google, two_accounts


@pytest.fixture
def google(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGoogle]:
    with serve_fake_google(monkeypatch, two_accounts()) as fake:
        yield fake



async def test_the_tools_see_only_their_spaces_published_content_with_its_ga4_figures(
    db: Database, spaces: tuple[SpaceContext, SpaceContext], google: FakeGoogle
) -> None:
    alpha, bravo = spaces
    assert own_content_provider() is performance.own_content, "registered when the content domain is loaded"
    await published_item(alpha, "Pricing", publish="https://alpha.example/pricing", days_ago=7)
    await published_item(alpha, "Guide", publish="https://alpha.example/blog/guide", days_ago=20)
    await published_item(alpha, "Not linked", days_ago=5)
    await service.create_item(alpha, ContentCreate(title="Draft", type="email", body="Not live."))
    await published_item(bravo, "Bravo secret", publish="https://bravo.example/blog/guide", days_ago=20)

    env = await space_tool_env(alpha)
    assert env.own_content is not None
    before = await env.own_content()
    assert before.state == "not_connected" and "not connected" in (before.message or "")
    assert sorted(i.title for i in before.items) == ["Guide", "Pricing"] and before.items[0].sessions is None
    gap = await TOOLS["content_gap"](env, {"topics": ["pricing"]})
    assert gap.result and [p["title"] for p in gap.result["your_content"]] == ["Guide", "Pricing"]
    assert any(n.startswith("GA4 is not connected") for n in gap.result["notes"])

    google.consent_as = ALICE
    await connect_ga4(alpha, "111")
    google.consent_as = BOB
    await connect_ga4(bravo, "222")
    calls = len(google.report_calls)
    env = await space_tool_env(alpha)
    assert env.own_content is not None
    ranked = await env.own_content()
    assert ranked.state == "ok"
    assert [(i.title, i.days, i.sessions, i.conversions, i.sessions_per_day) for i in ranked.items] == [
        ("Guide", 21, 55 * 20, 1 * 20, 52.38),
        ("Pricing", 8, 40 * 7, 6 * 7, 35.0),
    ]
    filtered = [c for c in google.report_calls[calls:] if "dimensionFilter" in c["body"]]
    assert len(filtered) == 1, "one report for every linked item"
    assert sorted(filtered[0]["body"]["dimensionFilter"]["filter"]["inListFilter"]["values"]) == [
        "/blog/guide", "/blog/guide/", "/pricing", "/pricing/",
    ]  # fmt: skip
    assert filtered[0]["property"] == "111", "alpha's own property"

    gap = await TOOLS["content_gap"](env, {"topics": ["pricing"]})
    assert gap.result and [p["title"] for p in gap.result["your_content"]] == ["Guide", "Pricing"]
    assert "Your published 'Pricing' (https://alpha.example/pricing" in gap.result["topics"][0]["suggestion"]
    keywords = await TOOLS["keyword_research"](env, {"topic": "guide"})
    assert keywords.result and keywords.result["your_content"][0]["sessions"] == 1100
    assert "Bravo" not in str(gap.result) + str(keywords.result)

    bravo_env = await space_tool_env(bravo)
    assert bravo_env.own_content is not None
    theirs = await bravo_env.own_content()
    assert [(i.title, i.sessions) for i in theirs.items] == [("Bravo secret", 0)], "bravo's property, not alpha's"

    sibling = await sibling_space(db, alpha, "Sibling")
    sibling_env = await space_tool_env(sibling)
    assert sibling_env.own_content is not None
    nothing = await sibling_env.own_content()
    assert nothing.state in ("no_linked_items", "not_connected") and nothing.items == ()
    gap = await TOOLS["content_gap"](sibling_env, {"topics": ["pricing"]})
    assert gap.result and gap.result["your_content"] == []
    assert any("No published item of the team is linked" in n for n in gap.result["notes"])
