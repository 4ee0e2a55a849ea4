"""In a real browser: a new owner lands on the Dashboard, sees what to do in each empty panel, then (after their
team's work is seeded through the app's own API and GA4 is connected through Google's consent on a fake Google on
127.0.0.1) sees every chart drawn with data, readable on the dark theme (labels, legends, tooltips and series
measured against their background); switching the date range redraws them with the new range's GA4 figures; the
sidebar stays beside the long page; the published item is ranked and its page shows its live address and figures.
Screenshots are kept in the test's output directory (`output_dir`: tests/e2e/output/<test name>/)."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import expect

from tests.e2e.conftest import RunningApp
from tests.support.browser import sign_up_in_browser
from tests.support.fake_google import ALICE, FakeGoogle, totals
from tests.support.tenants import auth_headers

pytestmark = pytest.mark.e2e

EMAIL, PASSWORD = "dora@dash.example", "dora-password-1"
LIVE_URL = "https://dash.example/pricing"
GUIDE = b"# Brand guide\n\nWe write plainly for marketing teams. Our launch is in May.\n"
CHARTS = (
    "chart-traffic",
    "chart-landing-pages",
    "chart-pipeline",
    "chart-voice",
    "chart-run-status",
    "chart-stop-reasons",
    "chart-usage-by-agent",
    "chart-documents",
)


async def _seed(app_url: str) -> None:
    """The team's work, through the app's REST API: a document, content in review, and two agent runs."""
    async with httpx.AsyncClient(base_url=app_url, timeout=60) as http:
        token = (await http.post("/api/v1/auth/token", json={"email": EMAIL, "password": PASSWORD})).json()
        me = (await http.get("/api/v1/auth/me", headers=auth_headers(token["access_token"]))).json()
        headers = auth_headers(token["access_token"], me["spaces"][0]["id"])
        upload = await http.post(
            "/api/v1/documents", files={"file": ("guide.md", GUIDE, "text/markdown")}, headers=headers
        )
        assert upload.status_code == 202, upload.text
        for title, submit in (("Launch post", True), ("May newsletter", False)):
            made = await http.post(
                "/api/v1/content", json={"title": title, "type": "blog_post", "body": GUIDE.decode()}, headers=headers
            )
            assert made.status_code == 201, made.text
            if submit:  # then published, live at its address
                for step in ({"action": "submit"}, {"action": "approve"}, {"action": "publish", "url": LIVE_URL}):
                    moved = await http.post(
                        f"/api/v1/content/{made.json()['id']}/transitions", json=step, headers=headers
                    )
                    assert moved.status_code == 200, moved.text
        runs = []
        for agent in ("seo", "brand"):
            conversation = (await http.post("/api/v1/conversations", json={"agent": agent}, headers=headers)).json()
            started = await http.post(
                f"/api/v1/conversations/{conversation['id']}/runs",
                json={"message": "Plan the May launch post."},
                headers=headers,
            )
            assert started.status_code == 202, started.text
            runs.append(started.json()["run_id"])
        for run_id in runs:  # the app's own worker runs them; follow each run's stream until it ends
            async with http.stream("GET", f"/api/v1/runs/{run_id}/stream", headers=headers) as stream:
                async for line in stream.aiter_lines():
                    if line.startswith("event: complete") or line.startswith("event: error"):
                        break
        for _ in range(300):  # the upload's ingestion job, in the same worker
            documents = (await http.get("/api/v1/documents", headers=headers)).json()
            if documents and documents[0]["status"] in ("ready", "failed"):
                break
            await asyncio.sleep(0.2)


async def _ticks(page: Any, testid: str, axis: str = "xAxis") -> list[str]:
    ticks = page.get_by_test_id(testid).locator(f".recharts-{axis}-tick-labels .recharts-cartesian-axis-tick-value")
    return list(await ticks.all_text_contents())


_PAINT = """
  const rgba = (css) => {  // any CSS colour (rgb, display-p3, oklch...) as sRGB bytes, through a canvas
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 1;
    const ctx = canvas.getContext("2d", {willReadFrequently: true});
    ctx.clearRect(0, 0, 1, 1);
    ctx.fillStyle = css;
    ctx.fillRect(0, 0, 1, 1);
    return Array.from(ctx.getImageData(0, 0, 1, 1).data);
  };
  const behind = (el) => {  // backgrounds from the element outwards, down to the first opaque one
    const layers = [];
    for (; el; el = el.parentElement) {
      const colour = rgba(getComputedStyle(el).backgroundColor);
      if (colour[3] > 0) layers.push(colour);
      if (colour[3] === 255) break;
    }
    return layers;
  };
"""
_COLOURS = (
    "(testid) => {"
    + _PAINT
    + """
  const chart = document.querySelector(`[data-testid="${testid}"]`);
  const tick = chart.querySelector(".recharts-cartesian-axis-tick-value");
  const legend = [...chart.querySelectorAll(".recharts-legend-item-text")];
  const lines = [...chart.querySelectorAll(".recharts-line-curve")].map((l) => getComputedStyle(l).stroke);
  const bars = [...chart.querySelectorAll(".recharts-bar-rectangle path")].map((b) => getComputedStyle(b).fill);
  const dots = [...chart.querySelectorAll(".recharts-line-dots circle")].map((d) => getComputedStyle(d).fill);
  return {
    background: behind(chart),
    tick: rgba(getComputedStyle(tick).fill),
    legend: legend.map((l) => rgba(getComputedStyle(l).color)),
    marks: [...lines, ...bars, ...dots].map(rgba),
  };
}"""
)
_TOOLTIP = (
    "(testid) => {"
    + _PAINT
    + """
  const box = document.querySelector(`[data-testid="${testid}"] .recharts-default-tooltip`);
  const texts = [...box.querySelectorAll(".recharts-tooltip-label, .recharts-tooltip-item")];
  return {background: behind(box), texts: texts.map((t) => rgba(getComputedStyle(t).color))};
}"""
)


def _flatten(layers: list[list[int]]) -> tuple[float, float, float]:
    """The colour seen through the background layers (innermost first, the last opaque; none: the browser's
    white canvas)."""
    layers = layers or [[255, 255, 255, 255]]
    red, green, blue = (float(c) for c in layers[-1][:3])
    for layer in reversed(layers[:-1]):
        alpha = layer[3] / 255
        red, green, blue = (alpha * layer[i] + (1 - alpha) * base for i, base in enumerate((red, green, blue)))
    return red, green, blue


def _luminance(rgb: tuple[float, float, float] | list[int]) -> float:
    def linear(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(float(c)) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(fore: list[int], back: tuple[float, float, float]) -> float:
    """WCAG contrast ratio of an opaque foreground on a background."""
    lighter, darker = sorted((_luminance(fore), _luminance(back)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


async def _readable(page: Any, testid: str) -> None:
    """The chart is drawn on a dark page and its labels, legend and series (lines, bars, the dots of a line's
    points) stand out from its background (WCAG: 4.5 for text, 3 for graphics)."""
    colours = await page.evaluate(_COLOURS, testid)
    back = _flatten(colours["background"])
    assert _luminance(back) < 0.05, f"{testid} is not on a dark background: {colours}"
    assert _contrast(colours["tick"], back) >= 4.5, (testid, "axis labels", colours)
    assert colours["legend"] and all(_contrast(c, back) >= 4.5 for c in colours["legend"]), (testid, "legend", colours)
    assert colours["marks"] and all(_contrast(m, back) >= 3 for m in colours["marks"]), (testid, "series", colours)


async def _readable_tooltip(page: Any, testid: str) -> None:
    """Hovering the chart shows a tooltip whose text stands out from its box (4.5:1)."""
    await page.get_by_test_id(testid).locator("svg.recharts-surface[role=application]").hover()
    await expect(page.get_by_test_id(testid).locator(".recharts-default-tooltip")).to_be_visible()
    colours = await page.evaluate(_TOOLTIP, testid)
    back = _flatten(colours["background"])
    assert colours["texts"] and all(_contrast(c, back) >= 4.5 for c in colours["texts"]), (testid, colours)


async def test_the_dashboard_draws_its_charts_and_follows_the_date_range(
    browser: Any, running_app: RunningApp, fake_google: tuple[FakeGoogle, str], output_dir: Path
) -> None:
    google, _ = fake_google
    context = await browser.new_context(
        base_url=running_app.url, viewport={"width": 1280, "height": 900}, color_scheme="dark"
    )
    page = await context.new_page()
    page.set_default_timeout(60_000)
    await sign_up_in_browser(page, name="Dora Dash", organization="Dash Co", email=EMAIL, password=PASSWORD)

    # A new space: every panel says what to do.
    await expect(page.get_by_test_id("empty-runs")).to_contain_text("No agent runs")
    await expect(page.get_by_test_id("empty-pipeline")).to_contain_text("No content yet")
    await expect(page.get_by_test_id("empty-documents")).to_contain_text("Upload brand guidelines")
    await expect(page.get_by_test_id("ga4-message")).to_contain_text("Connect Google Analytics 4")

    # GA4 through the Integrations page and Google's consent; the team's work through the API.
    google.consent_as = ALICE
    await page.get_by_test_id("ga4-integrations-link").click()
    await page.wait_for_url(re.compile(r".*/integrations$"))
    await page.get_by_test_id("ga4-connect").click()
    await page.wait_for_url(re.compile(r".*/integrations/?\?ga4=connected$"))
    await page.get_by_test_id("ga4-property-picker").click()
    await page.get_by_role("option", name=re.compile("alpha.example")).click()
    await expect(page.get_by_test_id("ga4-property")).to_contain_text("alpha.example")
    await _seed(running_app.url)

    await page.get_by_test_id("nav-dashboard").first.click()
    await page.wait_for_url(re.compile(r".*/dashboard$"))
    await page.get_by_test_id("dashboard-refresh").click()  # the first visit's figures are cached for a few seconds
    for chart in CHARTS:
        await expect(page.get_by_test_id(chart).locator("svg.recharts-surface[role=application]")).to_be_visible()
    await expect(page.get_by_test_id("chart-traffic").locator(".recharts-line-curve")).to_have_count(2)
    await expect(page.get_by_test_id("chart-landing-pages").locator(".recharts-bar-rectangle")).not_to_have_count(0)
    await expect(page.get_by_test_id("chart-pipeline").locator(".recharts-bar-rectangle")).not_to_have_count(0)
    pages = await _ticks(page, "chart-landing-pages", axis="yAxis")
    assert {"/blog/guide", "/pricing", "/blog/old-post"} <= set(pages)
    await expect(page.get_by_test_id("pipeline-total")).to_have_text("2")
    await expect(page.get_by_test_id("runs-total")).to_have_text("2")
    await expect(page.get_by_test_id("documents-total")).to_have_text("1")
    for chart in CHARTS:  # the browser asked for the dark theme: every chart must stay readable in it
        await _readable(page, chart)
    await _readable_tooltip(page, "chart-traffic")
    await _readable_tooltip(page, "chart-landing-pages")
    await page.mouse.move(0, 0)  # the tooltip away from the screenshot
    await page.screenshot(path=str(output_dir / "dashboard-30-days.png"), full_page=True)

    # The sidebar runs down the whole of a long page (its background used to stop after one screen), and its
    # links stay in view at the bottom.
    await page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    await page.wait_for_function("window.scrollY > 0")
    sidebar = await page.get_by_test_id("sidebar").bounding_box()
    assert sidebar is not None and sidebar["y"] <= 0 and sidebar["y"] + sidebar["height"] >= 900, sidebar
    link = await page.get_by_test_id("nav-dashboard").first.bounding_box()
    assert link is not None and 0 <= link["y"] < 900, link
    await page.evaluate("window.scrollTo(0, 0)")

    # Switching the range redraws the charts for it, with that range's figures.
    def figures(start: str, end: str) -> tuple[str, str]:
        counted = totals(google.facts["111"], start, end)
        return f"{counted.get('sessions', 0):,.0f}", f"{counted.get('keyEvents', 0):,.0f}"

    today = datetime.now(UTC).date()
    month = figures((today - timedelta(days=29)).isoformat(), today.isoformat())
    await expect(page.get_by_test_id("ga4-sessions")).to_have_text(month[0])
    await expect(page.get_by_test_id("ga4-conversions")).to_have_text(month[1])
    month_ticks = await _ticks(page, "chart-traffic")
    month_scale = await _ticks(page, "chart-landing-pages")  # the sessions axis of the top pages
    await page.get_by_test_id("range-7").click()
    week_start = today - timedelta(days=6)
    await expect(page.get_by_test_id("range-shown")).to_contain_text(f"{week_start.isoformat()} to {today.isoformat()}")
    await expect(
        page.get_by_test_id("chart-traffic")
        .locator(".recharts-xAxis-tick-labels .recharts-cartesian-axis-tick-value")
        .first
    ).to_have_text(week_start.strftime("%d %b"))
    week_ticks = await _ticks(page, "chart-traffic")
    assert week_ticks != month_ticks and (today - timedelta(days=29)).strftime("%d %b") not in week_ticks
    week_scale = await _ticks(page, "chart-landing-pages")
    assert week_scale != month_scale and max(map(float, week_scale)) < max(map(float, month_scale))
    week = figures(week_start.isoformat(), today.isoformat())
    assert week != month and week[0] != "0"
    await expect(page.get_by_test_id("ga4-sessions")).to_have_text(week[0])
    await expect(page.get_by_test_id("ga4-conversions")).to_have_text(week[1])
    await page.screenshot(path=str(output_dir / "dashboard-7-days.png"), full_page=True)

    # A range before any of it: the charts give way to what to do.
    await page.get_by_test_id("range-start").fill("2025-01-01")
    await page.get_by_test_id("range-end").fill("2025-01-31")
    await page.get_by_test_id("range-apply").click()
    await expect(page.get_by_test_id("range-shown")).to_contain_text("2025-01-01 to 2025-01-31")
    await expect(page.get_by_test_id("ga4-sessions")).to_have_text("0")
    await expect(page.get_by_test_id("empty-runs")).to_be_visible()
    await expect(page.get_by_test_id("empty-voice")).to_be_visible()
    await expect(
        page.get_by_test_id("chart-pipeline").locator("svg.recharts-surface[role=application]")
    ).to_be_visible()
    await page.screenshot(path=str(output_dir / "dashboard-past-range.png"), full_page=True)

    # The published item, ranked by its page's figures since publication, and its own Live page card.
    await expect(page.get_by_test_id("ranked-item")).to_have_text("Launch post")
    await page.get_by_test_id("ranked-item").click()
    await expect(page.get_by_test_id("live-url")).to_have_text(LIVE_URL)
    await expect(page.get_by_test_id("live-sessions")).to_have_text("0")  # published today: nothing counted yet
    await expect(page.get_by_test_id("chart-live").locator("svg.recharts-surface[role=application]")).to_be_visible()
    await page.screenshot(path=str(output_dir / "content-live-page.png"), full_page=True)
    shots = sorted(shot.name for shot in output_dir.glob("*.png") if shot.read_bytes().startswith(b"\x89PNG"))
    assert shots == [
        "content-live-page.png",
        "dashboard-30-days.png",
        "dashboard-7-days.png",
        "dashboard-past-range.png",
    ], "the screenshots are kept in the test's output directory"
    await context.close()
