"""SEO tools: keyword research with intent and GA4, SERP analysis under the URL policy, content audit."""

from __future__ import annotations

from typing import Any

import pytest

from backend.agents.tools.base import DocumentInfo, PageInfo, ToolError, UrlNotAllowed
from backend.agents.tools.seo_audit import content_audit, length_check
from backend.agents.tools.seo_keywords import classify_intent, keyword_research
from backend.agents.tools.seo_serp import serp_analysis
from tests.unit.agents.tools.conftest import FakeSpace, passage


@pytest.mark.parametrize(
    ("keyword", "intent"),
    [
        ("how to automate email follow-ups", "informational"),
        ("email automation", "informational"),
        ("best email automation software", "commercial"),
        ("mailchimp vs obelisk", "commercial"),
        ("email automation pricing", "transactional"),
        ("buy newsletter templates", "transactional"),
        ("obelisk login", "navigational"),
    ],
)
def test_intent_by_rules(keyword: str, intent: str) -> None:
    assert classify_intent(keyword)[0] == intent


@pytest.fixture
def seo_space(space: FakeSpace) -> FakeSpace:
    space.add(
        "product",
        passage("p1", "Email automation sends welcome emails. Email automation saves hours.", title="Product sheet"),
        passage("p2", "Abandoned cart emails recover revenue with email automation.", title="Playbook"),
        passage("p3", "Our office plants need water.", title="Facilities"),
    )
    return space


async def test_keyword_research_without_ga4_says_so(seo_space: FakeSpace) -> None:
    outcome = await keyword_research(
        seo_space.env(), {"topic": "Write a blog post about email automation", "seed_keywords": ["cart recovery"]}
    )
    result = outcome.result or {}
    by_keyword = {k["keyword"]: k for k in result["keywords"]}
    assert "email automation" in by_keyword and "blog post" not in by_keyword and "office plants" not in by_keyword
    assert set(by_keyword["email automation"]["sources"]) == {"brief", "documents"}
    assert by_keyword["email automation"]["documents"] == 2
    assert by_keyword["cart recovery"]["sources"] == ["seed"]
    assert result["keywords"][0]["keyword"] == "email automation"  # in the brief and in two documents
    assert "GA4 not connected" in result["notes"][0]
    cluster = next(c for c in result["clusters"] if "email automation" in c["keywords"])
    assert cluster["head_term"] in {"email", "automation"}
    assert {s.chunk_id for s in outcome.sources} == {"p1", "p2"}


async def test_keyword_research_reads_ga4_queries_when_connected(seo_space: FakeSpace) -> None:
    calls: list[tuple[Any, ...]] = []

    async def analytics(kind: str, **kwargs: Any) -> list[dict[str, Any]]:
        calls.append((kind, kwargs))
        return [
            {"query": "email automation for shopify", "clicks": 40, "impressions": 900},
            {"query": "office chairs", "clicks": 3, "impressions": 10},
        ]

    outcome = await keyword_research(seo_space.env(analytics=analytics), {"topic": "email automation"})
    result = outcome.result or {}
    ga4 = [k for k in result["keywords"] if "ga4" in k["sources"]]
    assert [(k["keyword"], k["clicks"], k["impressions"]) for k in ga4] == [("email automation for shopify", 40, 900)]
    assert calls[0][0] == "search_queries" and result["notes"][0] == "GA4: 2 search queries read."


COMPETITOR = """# Email automation guide

Email automation lets small teams send the right email at the right time. Email automation is simple.

## Welcome series

Send a welcome series in the first week.

## Abandoned cart emails

Recover revenue from abandoned carts.
"""


@pytest.fixture
def serp_space(space: FakeSpace) -> FakeSpace:
    space.pages["https://rival.example/guide"] = PageInfo(
        "https://rival.example/guide", "Email Automation Guide", COMPETITOR
    )
    return space


async def test_serp_analysis_reports_coverage_and_gaps(serp_space: FakeSpace) -> None:
    env = serp_space.env(allowed=("https://rival.example/guide", "https://down.example/"))
    outcome = await serp_analysis(
        env,
        {
            "urls": ["https://rival.example/guide", "https://down.example/"],
            "keywords": ["email automation", "welcome series", "drip campaign"],
            "our_text": "# Welcome series\n\nA short note on welcome emails.",
        },
    )
    result = outcome.result or {}
    page, down = result["pages"]
    assert page["title"] == "Email Automation Guide" and page["word_count"] == 38
    assert page["headings"] == ["H1 Email automation guide", "H2 Welcome series", "H2 Abandoned cart emails"]
    coverage = {k["keyword"]: k for k in page["keywords"]}
    assert coverage["email automation"]["count"] == 3 and coverage["email automation"]["in_title"]
    assert coverage["drip campaign"]["count"] == 0
    assert "404" in down["error"]
    gaps = " ".join(result["gaps"])
    assert "'email automation' appears on 1 of 1 competitor pages but not in ours" in gaps
    assert "Abandoned cart emails" in gaps and "'Welcome series'" not in gaps
    assert [s.source_url for s in outcome.sources] == ["https://rival.example/guide"]


async def test_serp_analysis_refuses_urls_nobody_gave(serp_space: FakeSpace) -> None:
    with pytest.raises(UrlNotAllowed):
        await serp_analysis(serp_space.env(), {"urls": ["https://rival.example/guide"], "keywords": ["x"]})
    assert serp_space.fetched == []
    with pytest.raises(ToolError, match="urls: List should have at most 5 items"):
        await serp_analysis(serp_space.env(), {"urls": ["https://a.example/"] * 6, "keywords": ["x"]})


def test_length_check_previews_the_cut() -> None:
    long = length_check("The complete guide to email automation for small ecommerce teams in 2026", 30, 60)
    assert long.status == "too long" and long.length == 72 and long.preview.endswith("…") and len(long.preview) <= 60
    assert length_check("", 30, 60).status == "missing"
    assert length_check("x" * 158, 120, 155, 160).status == "may be cut"


DRAFT = """# Email automation for small teams

Email automation saves small teams hours every week. It sends the right message at the right time.

#### Setting up a welcome series

Start with three emails. Welcome new subscribers. Show them one quick win.
"""


async def test_content_audit_measures_what_search_results_show(space: FakeSpace) -> None:
    space.add("product", passage("p1", "A welcome series of three emails works best.", title="Welcome playbook"))
    space.add("seo_guidelines", passage("s1", "Every welcome series page needs one H1.", title="SEO rules", doc="d8"))
    space.documents = [
        DocumentInfo("d9", "Email automation checklist", ("seo",), "https://ours.example/checklist"),
        DocumentInfo("d8", "SEO rules", ("seo_guidelines",), None),
    ]
    outcome = await content_audit(
        space.env(), {"text": DRAFT, "target_keyword": "email automation", "meta_description": "Too short."}
    )
    result = outcome.result or {}
    assert result["title"]["text"] == "Email automation for small teams" and result["title"]["status"] == "ok"
    assert result["meta_description"]["status"] == "too short"
    keyword = result["keyword"]
    assert keyword["count"] == 2 and keyword["in_title"] and keyword["in_first_paragraph"]
    assert keyword["density"] == pytest.approx(100 * 2 / 39, abs=0.01) and "high" in keyword["verdict"]
    assert result["readability"]["flesch_reading_ease"] > 60
    issues = " ".join(result["issues"])
    assert "jumps from H1 to H4: use H2" in issues and "Meta description is too short" in issues
    links = {link["document_title"]: link for link in result["internal_links"]}
    assert links["Welcome playbook"]["anchor_text"] == "welcome series"
    assert links["Email automation checklist"]["source_url"] == "https://ours.example/checklist"
    assert "SEO rules" not in links  # working material is not a page to link to
    assert result["internal_links"][0]["document_title"] == "Email automation checklist"  # it has an address
