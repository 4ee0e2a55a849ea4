"""URL fetching against a real HTTP server on 127.0.0.1 (run by uvicorn in a thread)."""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import AsyncIterator, Callable, Iterator

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from backend.core.config import Settings
from backend.core.errors import AppError, BadRequest, PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from backend.documents import fetch, netguard
from backend.documents.fetch import fetch_url
from tests.support.servers import serve_in_thread

from . import fixtures as fx

PDF = fx.build_pdf(min_pages=1)


async def ok(request: Request) -> Response:
    return HTMLResponse(fx.build_html().decode())


async def slow(request: Request) -> Response:
    await asyncio.sleep(5)
    return HTMLResponse("<p>late</p>")


async def trickle(request: Request) -> Response:
    async def body() -> AsyncIterator[bytes]:
        for _ in range(50):
            yield b"<p>still here</p>"
            await asyncio.sleep(0.1)

    return StreamingResponse(body(), media_type="text/html")


async def loop(request: Request) -> Response:
    other = "b" if request.path_params["name"] == "a" else "a"
    return RedirectResponse(f"/loop/{other}", status_code=302)


async def chain(request: Request) -> Response:
    n = int(request.path_params["n"])
    return (
        RedirectResponse(f"/chain/{n - 1}", status_code=301) if n > 0 else HTMLResponse("<title>End</title><p>end</p>")
    )


async def big_streamed(request: Request) -> Response:
    async def body() -> AsyncIterator[bytes]:
        for _ in range(32):
            yield b"x" * 65536

    return StreamingResponse(body(), media_type="text/plain")


async def big_declared(request: Request) -> Response:
    return Response(b"y" * (2 * 1024 * 1024), media_type="text/plain")


async def image(request: Request) -> Response:
    return Response(fx.PNG, media_type="image/png")


async def pdf(request: Request) -> Response:
    return Response(PDF, media_type=request.query_params.get("type", "application/pdf"))


async def junk(request: Request) -> Response:
    return Response(fx.ELF, media_type="application/octet-stream")


async def missing(request: Request) -> Response:
    return HTMLResponse("<p>gone</p>", status_code=404)


async def latin1(request: Request) -> Response:
    return Response(
        "<title>Caf\xe9 &amp; Co</title><p>Gr\xfc\xdfe</p>".encode("latin-1"),
        media_type="text/html; charset=iso-8859-1",
    )


async def elsewhere(request: Request) -> Response:
    port = request.url.port
    return RedirectResponse(f"http://127.0.0.2:{port}/ok", status_code=302)


APP = Starlette(
    routes=[
        Route("/ok", ok),
        Route("/slow", slow),
        Route("/trickle", trickle),
        Route("/loop/{name}", loop),
        Route("/chain/{n}", chain),
        Route("/big-streamed", big_streamed),
        Route("/big-declared", big_declared),
        Route("/image", image),
        Route("/pdf", pdf),
        Route("/junk", junk),
        Route("/missing", missing),
        Route("/latin1", latin1),
        Route("/elsewhere", elsewhere),
    ]
)


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with serve_in_thread(APP) as url:
        yield url


@pytest.fixture
def quick(settings_with: Callable[..., Settings]) -> Settings:
    return settings_with(
        url_fetch_timeout_seconds=1.0, url_max_bytes=1024 * 1024, url_max_redirects=5, allow_private_urls=True
    )


async def _refused(url: str, settings: Settings) -> AppError:
    with pytest.raises(AppError) as caught:
        await fetch_url(url, settings=settings)
    error = caught.value
    assert error.message[0].isupper() and error.message.endswith(".") and "httpx" not in error.message
    return error


async def test_fetches_an_html_page(base_url: str, quick: Settings) -> None:
    page = await fetch_url(f"{base_url}/ok", settings=quick)
    assert page.url == page.final_url == f"{base_url}/ok"
    assert page.content_type == "text/html" and page.title == "Acme Pricing | Acme"
    assert b"<h1>Acme Pricing</h1>" in page.data


async def test_follows_a_few_redirects(base_url: str, quick: Settings) -> None:
    page = await fetch_url(f"{base_url}/chain/3", settings=quick)
    assert page.final_url == f"{base_url}/chain/0" and page.title == "End"


async def test_pdf_and_generic_binary_labels(base_url: str, quick: Settings) -> None:
    assert (await fetch_url(f"{base_url}/pdf", settings=quick)).data == PDF
    generic = await fetch_url(f"{base_url}/pdf?type=application/octet-stream", settings=quick)
    assert generic.content_type == "application/pdf"
    assert isinstance(await _refused(f"{base_url}/junk", quick), UnsupportedMediaType)


async def test_declared_charset_is_used(base_url: str, quick: Settings) -> None:
    page = await fetch_url(f"{base_url}/latin1", settings=quick)
    assert page.charset == "iso-8859-1" and "Grüße" in page.text()


async def test_slow_page_times_out(base_url: str, quick: Settings) -> None:
    # The page answers after 5 s: a timeout error (not the page) proves the 1 s limit cut it short.
    error = await _refused(f"{base_url}/slow", quick)
    assert isinstance(error, ValidationFailed) and error.code == "url_timeout"
    assert error.message.startswith("The page took too long to answer (1 s).")


async def test_trickling_page_hits_the_overall_deadline(base_url: str, quick: Settings) -> None:
    # Every read arrives within the per-read limit; only the overall deadline can refuse the page.
    assert (await _refused(f"{base_url}/trickle", quick)).code == "url_timeout"


async def test_redirect_loop(base_url: str, quick: Settings) -> None:
    error = await _refused(f"{base_url}/loop/a", quick)
    assert error.code == "redirect_loop" and "loop" in error.message


async def test_too_many_redirects(base_url: str, quick: Settings) -> None:
    error = await _refused(f"{base_url}/chain/9", quick)
    assert error.code == "too_many_redirects" and "more than 5 times" in error.message


@pytest.mark.parametrize("path", ["/big-streamed", "/big-declared"])
async def test_oversized_body(base_url: str, quick: Settings, path: str) -> None:
    error = await _refused(f"{base_url}{path}", quick)
    assert isinstance(error, PayloadTooLarge) and "larger than 1 MB" in error.message


async def test_wrong_content_type_and_http_errors(base_url: str, quick: Settings) -> None:
    image_error = await _refused(f"{base_url}/image", quick)
    assert isinstance(image_error, UnsupportedMediaType) and "image/png" in image_error.message
    missing_error = await _refused(f"{base_url}/missing", quick)
    assert missing_error.code == "url_http_error" and "404" in missing_error.message


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/file.pdf",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "http://",
        "http://user:pw@example.com/",
    ],
)
async def test_only_plain_http_urls(url: str, quick: Settings) -> None:
    assert isinstance(await _refused(url, quick), BadRequest)


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "localhost",
        "[::1]",
        "[::ffff:127.0.0.1]",
        "169.254.169.254",
        "0.0.0.0",
        "10.1.2.3",
        "2130706433",
        # The other spellings of loopback that resolvers accept (octal, hex, short form, IPv6-mapped hex).
        "0177.0.0.1",
        "0x7f.0.0.1",
        "0x7f000001",
        "127.1",
        "[::ffff:7f00:1]",
        "[0:0:0:0:0:ffff:127.0.0.1]",
    ],
)
async def test_private_addresses_are_refused(base_url: str, settings_with: Callable[..., Settings], host: str) -> None:
    strict = settings_with(allow_private_urls=False, url_fetch_timeout_seconds=2.0)
    port = base_url.rsplit(":", 1)[1]
    error = await _refused(f"http://{host}:{port}/ok", strict)
    assert isinstance(error, BadRequest) and error.code == "private_address"
    assert error.message == "That address points inside a private network, which Obelisk does not fetch."


async def test_every_redirect_hop_is_checked(
    base_url: str, settings_with: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only 127.0.0.2 counts as private here, so the first hop (127.0.0.1) passes and the redirect must not.
    monkeypatch.setattr(netguard, "is_public", lambda address: str(address) != "127.0.0.2")
    error = await _refused(f"{base_url}/elsewhere", settings_with(allow_private_urls=False))
    assert error.code == "private_address"


async def test_dns_rebinding_is_caught_at_connect_time(
    base_url: str, settings_with: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def public(host: str, port: int) -> list[str]:
        return ["93.184.216.34"]

    async def private(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]

    monkeypatch.setattr(fetch, "resolve", public)  # the check before the request sees a public address...
    monkeypatch.setattr(netguard, "resolve", private)  # ...and DNS answers differently when connecting
    port = base_url.rsplit(":", 1)[1]
    error = await _refused(f"http://rebind.example:{port}/ok", settings_with(allow_private_urls=False))
    assert error.code == "private_address"


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("127.0.0.1", False),
        ("10.0.0.1", False),
        ("172.16.5.4", False),
        ("192.168.1.1", False),
        ("100.64.0.1", False),
        ("169.254.169.254", False),
        ("0.0.0.0", False),
        ("224.0.0.251", False),
        ("240.0.0.1", False),
        ("255.255.255.255", False),
        ("::1", False),
        ("::", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("ff02::1", False),
        ("::ffff:10.0.0.1", False),
        ("::ffff:93.184.216.34", True),
        ("2002:7f00:1::", False),  # 6to4 wrapping 127.0.0.1
        ("64:ff9b::a00:1", False),  # NAT64 wrapping 10.0.0.1
    ],
)
def test_address_policy(address: str, public: bool) -> None:
    assert netguard.is_public(ipaddress.ip_address(address)) is public


def test_the_page_title_is_found_in_linear_time_and_read_as_before() -> None:
    from backend.documents.fetch import _title

    assert _title(b'<html><head><TITLE lang="en">Pricing &amp; plans\n</title ></head>') == "Pricing & plans"
    assert _title(b"<title></title>") is None
    assert _title(b"<title>never closed") is None
    # Thousands of unclosed titles: the old lazy pattern rescanned the rest of the page from each one.
    assert _title(b"<title>" * 9000) is None
    assert _title(b"<title" * 9000 + b"<title>found</title>") == "found"
