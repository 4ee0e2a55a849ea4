"""Adding web pages by URL against a real HTTP server on 127.0.0.1: success, and every failure a clear reason."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from backend.core.config import get_settings
from tests.support.servers import serve_in_thread

PAGE = """<html><head><title>Acme Pricing</title></head><body>
<nav><a href="/">Home</a> <a href="/blog">Blog</a> navigation-boilerplate</nav>
<main><h1>Acme Pricing</h1><p>The Starter plan costs 49 EUR per month and includes five seats.</p>
<h2>Enterprise</h2><p>Enterprise plans include single sign-on and a named success manager.</p></main>
<footer>Copyright Acme footer-boilerplate</footer></body></html>"""


async def pricing(request: Request) -> Response:
    return HTMLResponse(PAGE)


async def slow(request: Request) -> Response:
    await asyncio.sleep(3)
    return HTMLResponse("<p>late</p>")


async def loop(request: Request) -> Response:
    return RedirectResponse("/loop-b" if request.url.path == "/loop-a" else "/loop-a", status_code=302)


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    app = Starlette(
        routes=[Route("/pricing", pricing), Route("/slow", slow), Route("/loop-a", loop), Route("/loop-b", loop)]
    )
    with serve_in_thread(app) as url:
        yield url


async def _add(client: httpx.AsyncClient, account: Any, url: str) -> httpx.Response:
    return await client.post(
        "/api/v1/documents/url", json={"url": url, "tags": ["competitor_analysis"]}, headers=account.headers()
    )


@pytest.mark.usefixtures("private_urls")  # the site is served on 127.0.0.1
async def test_a_page_is_fetched_converted_without_boilerplate_and_chunked(
    client: httpx.AsyncClient, signup: Any, site: str
) -> None:
    ada = await signup("ada")
    added = await _add(client, ada, f"{site}/pricing")
    assert added.status_code == 202, added.text
    document = (await client.get(f"/api/v1/documents/{added.json()['id']}", headers=ada.headers())).json()
    assert document["status"] == "ready" and document["kind"] == "html" and document["title"] == "Acme Pricing"
    assert document["tags"] == ["competitor_analysis"] and document["source_url"] == f"{site}/pricing"
    chunks = (await client.get(f"/api/v1/documents/{document['id']}/chunks", headers=ada.headers())).json()
    text = " ".join(c["content"] for c in chunks)
    assert "49 EUR" in text and "boilerplate" not in text
    again = await _add(client, ada, f"{site}/pricing")
    assert again.status_code == 200 and again.json()["duplicate"] is True


@pytest.mark.usefixtures("private_urls")  # the site is served on 127.0.0.1
async def test_unreachable_loops_and_timeouts_fail_with_a_reason_and_touch_nothing_else(
    client: httpx.AsyncClient, signup: Any, site: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ada = await signup("ada")
    kept = (await _add(client, ada, f"{site}/pricing")).json()["id"]
    monkeypatch.setattr(get_settings(), "url_fetch_timeout_seconds", 0.5)
    for path, words in (("/loop-a", "redirect"), ("/slow", "too long")):
        added = await _add(client, ada, f"{site}{path}")
        assert added.status_code == 202
        failed = (await client.get(f"/api/v1/documents/{added.json()['id']}", headers=ada.headers())).json()
        assert failed["status"] == "failed" and words in failed["error"].lower(), failed["error"]
        assert "Traceback" not in failed["error"]
    unknown = await _add(client, ada, "http://no-such-host.invalid/page")
    assert unknown.status_code in (400, 422) and unknown.json()["error"]["message"]
    bad = await _add(client, ada, "ftp://example.com/file")
    assert bad.status_code == 422
    kept_now = (await client.get(f"/api/v1/documents/{kept}", headers=ada.headers())).json()
    assert kept_now["status"] == "ready"
    assert (await client.get("/api/v1/documents", headers=ada.headers())).headers["X-Total-Count"] == "3"


async def test_private_addresses_are_refused_at_once_unless_allowed(
    client: httpx.AsyncClient, signup: Any, site: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ada = await signup("ada")
    assert get_settings().allow_private_urls is False, "the suite runs with the guard on"
    for url in (f"{site}/pricing", "http://169.254.169.254/latest/meta-data/", "http://[::1]/", "http://10.0.0.1/"):
        response = await _add(client, ada, url)
        assert response.status_code == 400 and response.json()["error"]["code"] == "private_address", url
    assert (await client.get("/api/v1/documents", headers=ada.headers())).json() == []
