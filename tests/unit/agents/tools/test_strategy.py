"""Strategy tools: the calendar grid, competitors against our own documents, content gaps."""

from __future__ import annotations

from datetime import date

import pytest

from backend.agents.tools.base import DocumentInfo, PageInfo, ToolError, UrlNotAllowed
from backend.agents.tools.strategy_analysis import competitive_analysis, content_gap
from backend.agents.tools.strategy_calendar import content_calendar
from tests.unit.agents.tools.conftest import FakeSpace, passage


async def test_calendar_is_channels_by_weeks_on_each_channels_weekday(space: FakeSpace) -> None:
    outcome = await content_calendar(
        space.env(),
        {"start_date": "2026-12-07", "weeks": 4, "channels": ["Blog", "email"], "themes": ["Launch", "Pricing"]},
    )
    result = outcome.result or {}
    assert [w["theme"] for w in result["weeks"]] == ["Launch", "Pricing", "Launch", "Pricing"]
    assert [w["stage"] for w in result["weeks"]] == ["awareness", "consideration", "decision", "retention"]
    entries = result["entries"]
    assert len(entries) == 8 and result["themes_from"] == "arguments"
    first_blog = next(e for e in entries if e["channel"] == "blog")
    assert first_blog["publish_date"] == "2026-12-08" and date.fromisoformat(first_blog["publish_date"]).weekday() == 1
    assert first_blog["working_title"] == "Launch: why it matters" and first_blog["format"] == "Article"
    emails = [e["publish_date"] for e in entries if e["channel"] == "email"]
    assert emails == ["2026-12-10", "2026-12-17", "2026-12-24", "2026-12-31"]
    with pytest.raises(ToolError, match="start_date"):
        await content_calendar(space.env(), {"start_date": "next monday"})


async def test_calendar_themes_come_from_the_spaces_documents(space: FakeSpace) -> None:
    space.add(
        "product",
        passage("p1", "Reports arrive every Monday.", title="Product", heading="Weekly reports"),
        passage("p2", "Reports can be shared as links.", title="Product", heading="Sharing reports"),
    )
    outcome = await content_calendar(space.env(), {"start_date": "2026-12-07", "weeks": 2, "topic": "reports"})
    result = outcome.result or {}
    assert result["themes_from"] == "documents"
    assert {w["theme"] for w in result["weeks"]} == {"Weekly reports", "Sharing reports"}


@pytest.fixture
def market(space: FakeSpace) -> FakeSpace:
    space.add(
        "competitor_analysis",
        passage("c1", "Acme offers social scheduling and influencer search.", title="Acme teardown", doc="dc1"),
    )
    space.add("product", passage("o1", "Our social scheduling includes brand voice scoring.", title="Ours", doc="do1"))
    space.documents = [
        DocumentInfo("dc1", "Acme teardown", ("competitor_analysis",), None),
        DocumentInfo("do1", "Ours", ("product",), None),
    ]
    space.pages["https://www.rivalco.example/"] = PageInfo(
        "https://www.rivalco.example/", "RivalCo", "# RivalCo\n\nRivalCo offers influencer search and ad budgets."
    )
    return space


async def test_competitive_analysis_separates_theirs_ours_and_shared(market: FakeSpace) -> None:
    outcome = await competitive_analysis(
        market.env(allowed=("https://www.rivalco.example/",)),
        {"competitors": ["Acme"], "urls": ["https://www.rivalco.example/"], "focus": "social scheduling"},
    )
    result = outcome.result or {}
    acme, rival = result["competitors"]
    assert acme["name"] == "Acme" and acme["sources"] == ["Acme teardown"]
    assert "influencer search" in acme["they_cover_we_do_not"] and "social scheduling" in acme["shared_with_us"]
    assert rival["name"] == "rivalco.example" and "influencer search" in rival["they_cover_we_do_not"]
    assert "brand voice scoring" in result["our_differentiators"]
    assert "social scheduling" not in result["our_differentiators"]


async def test_competitive_analysis_reads_only_given_links(market: FakeSpace) -> None:
    with pytest.raises(UrlNotAllowed):
        await competitive_analysis(market.env(), {"urls": ["https://www.rivalco.example/"]})
    assert market.fetched == []
    empty = FakeSpace()
    outcome = await competitive_analysis(empty.env(), {"focus": "pricing"})
    assert outcome.result and "No competitor material found" in outcome.result["notes"][0]


async def test_content_gap_sorts_topics_by_what_the_space_has(market: FakeSpace) -> None:
    outcome = await content_gap(
        market.env(), {"topics": ["social scheduling", "brand voice analytics", "influencer search", "podcast ads"]}
    )
    result = outcome.result or {}
    rows = {r["topic"]: r for r in result["topics"]}
    assert rows["social scheduling"]["status"] == "covered" and rows["social scheduling"]["best_source"] == "Ours"
    assert rows["brand voice analytics"]["status"] == "partial"
    assert rows["brand voice analytics"]["missing_terms"] == ["analytic"]
    # Only a competitor's document mentions it: that is not our coverage.
    assert rows["influencer search"]["status"] == "missing"
    assert rows["podcast ads"]["status"] == "missing" and "New content needed" in rows["podcast ads"]["suggestion"]
    assert (result["covered"], result["partial"], result["missing"]) == (1, 1, 2)
