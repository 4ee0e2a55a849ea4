"""The walls every tool runs behind: scope, argument validation, the URL policy, errors and sources."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field

from backend.agents.tools.base import (
    AgentTool,
    PageInfo,
    ScopeMissing,
    ToolArgs,
    ToolEnv,
    ToolError,
    ToolOutcome,
    UrlNotAllowed,
    normalize_url,
    strip_urls,
)
from tests.unit.agents.tools.conftest import FakeSpace, passage


class ReadArgs(ToolArgs):
    url: str = Field(description="page")
    count: int = Field(default=1, ge=1, le=3)


class ReadResult(BaseModel):
    title: str | None
    hits: int


async def _read(env: ToolEnv, args: ReadArgs) -> ReadResult:
    page = await env.fetch_page(args.url)
    hits = await env.search(f"pricing {args.url}", ("brand_guidelines",), 3)
    return ReadResult(title=page.title, hits=len(hits))


reader = AgentTool("reader", "reads a page", ReadArgs, _read, fetches_urls=True)
non_fetcher = AgentTool("non_fetcher", "must not read pages", ReadArgs, _read)


@pytest.fixture
def web(space: FakeSpace) -> FakeSpace:
    space.pages["https://rival.example/pricing"] = PageInfo("https://rival.example/pricing", "Rival pricing", "# P")
    space.add("brand_guidelines", passage("g1", "Our pricing is simple."))
    return space


async def test_a_tool_without_scope_refuses_loudly(web: FakeSpace) -> None:
    with pytest.raises(ScopeMissing) as caught:
        await reader(web.env(scoped=False), {"url": "https://rival.example/pricing"})
    assert isinstance(caught.value, RuntimeError) and isinstance(caught.value, ToolError)
    assert web.fetched == [] and web.searches == []


async def test_bad_arguments_name_each_field(web: FakeSpace) -> None:
    with pytest.raises(ToolError) as caught:
        await reader(web.env(), {"count": 9})
    message = str(caught.value)
    assert message.startswith("Bad arguments for reader:")
    assert "url: Field required" in message and "count: Input should be less than or equal to 3" in message
    with pytest.raises(ToolError, match="not valid JSON"):
        await reader(web.env(), "{url: ")


async def test_only_allowed_urls_are_fetched(web: FakeSpace) -> None:
    with pytest.raises(UrlNotAllowed, match="was not given in your message"):
        await reader(web.env(allowed=("https://other.example/",)), {"url": "https://rival.example/pricing"})
    assert web.fetched == []
    outcome = await reader(
        web.env(allowed=("HTTPS://Rival.example/pricing/#top",)), {"url": "https://rival.example/pricing"}
    )
    assert outcome.ok and outcome.result == {"title": "Rival pricing", "hits": 1}


async def test_a_tool_not_declared_as_fetching_never_fetches(web: FakeSpace) -> None:
    with pytest.raises(UrlNotAllowed, match="does not read web pages"):
        await non_fetcher(web.env(allowed=("https://rival.example/pricing",)), {"url": "https://rival.example/pricing"})
    assert web.fetched == []


async def test_urls_are_removed_from_search_queries(web: FakeSpace) -> None:
    await reader(web.env(allowed=("https://rival.example/pricing",)), {"url": "https://rival.example/pricing"})
    assert web.searches == [("pricing", ("brand_guidelines",), 3)]
    assert strip_urls("see https://a.example/x?y=1, then http://b.example.") == "see , then ."


async def test_sources_are_the_passages_and_pages_read(web: FakeSpace) -> None:
    outcome = await reader(
        web.env(allowed=("https://rival.example/pricing",)), {"url": "https://rival.example/pricing"}
    )
    ids = [s.chunk_id for s in outcome.sources]
    assert ids == ["url:https://rival.example/pricing", "g1"]
    assert outcome.sources[0].source_url == "https://rival.example/pricing"
    assert "sources: [1] Rival pricing; [2] Doc" in outcome.render()


async def test_unexpected_errors_become_tool_errors_and_invoke_never_raises(space: FakeSpace) -> None:
    async def broken(env: ToolEnv, args: ReadArgs) -> ReadResult:
        raise KeyError("boom")

    tool = AgentTool("broken", "fails", ReadArgs, broken)
    with pytest.raises(ToolError, match=r"broken failed unexpectedly \(KeyError\)"):
        await tool(space.env(), {"url": "x"})
    outcome = await tool.invoke(space.env(), {"url": "x"})
    assert not outcome.ok and outcome.error and "unexpectedly" in outcome.error
    fetch_failed = await reader.invoke(space.env(allowed=("https://gone.example/",)), {"url": "https://gone.example/"})
    assert fetch_failed.error == "https://gone.example/ could not be read: the server answered 404."


def test_render_is_compact_and_bounded() -> None:
    outcome = ToolOutcome("t", True, {"items": ["x" * 50] * 100}, None)
    text = outcome.render(limit=300)
    assert len(text) == 300 and text.endswith("…[truncated]") and text.startswith('[t result]\n{"items":["xxx')
    assert ToolOutcome.failed("t", "no").render() == "[t failed] no"
    assert (
        ToolOutcome("t", True, {"a": None, "b": [{"c": None, "d": 1}]}, None).render() == '[t result]\n{"b":[{"d":1}]}'
    )


def test_urls_compare_in_normal_form() -> None:
    assert normalize_url("HTTPS://Example.COM:443/a/#frag") == "https://example.com/a"
    assert normalize_url("http://example.com") == "http://example.com/"
    assert normalize_url("http://example.com:8080/x?q=1") == "http://example.com:8080/x?q=1"
