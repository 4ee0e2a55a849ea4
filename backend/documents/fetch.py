"""Fetching a web page (or a linked PDF or Office file) for ingestion, safely.

Only http and https; never an address inside a private network (unless ALLOW_PRIVATE_URLS), checked for the
first URL, for every redirect hop and again at connect time; one deadline for the whole fetch
(URL_FETCH_TIMEOUT_SECONDS), so a server that trickles bytes cannot hold a worker; the body capped at
URL_MAX_BYTES while it streams; at most URL_MAX_REDIRECTS redirects, loops detected. Every failure is a typed
error with a sentence a marketer understands.
"""

from __future__ import annotations

import asyncio
import html
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from backend.core.config import Settings, get_settings
from backend.core.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from backend.documents.netguard import BlockedAddress, GuardedTransport, check_addresses, resolve

ACCEPTED_TYPES = frozenset(
    {
        "text/html",
        "application/xhtml+xml",
        "text/plain",
        "text/markdown",
        "text/x-markdown",
        "text/csv",
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
)
# Servers often label files generically; those are accepted only when the body is a PDF or an Office file.
_GENERIC_TYPES = frozenset({"application/octet-stream", "binary/octet-stream", "application/download", ""})
_USER_AGENT = "ObeliskBot/0.1 (document import)"
_ACCEPT = "text/html,application/xhtml+xml,application/pdf,text/*;q=0.8,*/*;q=0.5"
# The opening tag is bounded and the closing one found with a plain search: linear on any page (the lazy
# `<title[^>]*>(.*?)</title>` rescanned the rest of the page from every unclosed "<title>").
_TITLE_OPEN_RE = re.compile(rb"<title\b[^<>]{0,500}>", re.IGNORECASE)
_TITLE_SCAN_BYTES = 65536
_PRIVATE = "That address points inside a private network, which Obelisk does not fetch."


@dataclass(frozen=True, slots=True)
class FetchedPage:
    """A fetched resource: the URL asked for, the URL the body came from, its media type and bytes."""

    url: str
    final_url: str
    content_type: str
    """The media type without parameters, e.g. "text/html"."""
    data: bytes
    title: str | None = None
    """The HTML `<title>`, when the page has one."""
    charset: str | None = None

    def text(self) -> str:
        """The body decoded with the declared charset (UTF-8 when none is declared or it is unknown)."""
        try:
            return self.data.decode(self.charset or "utf-8", errors="replace")
        except LookupError:
            return self.data.decode("utf-8", errors="replace")


async def fetch_url(url: str, *, settings: Settings | None = None) -> FetchedPage:
    """Fetch `url` under every rule above, or raise a typed `backend.core.errors.AppError`."""
    settings = settings or get_settings()
    timeout = settings.url_fetch_timeout_seconds
    try:
        async with asyncio.timeout(timeout):
            return await _fetch(url.strip(), settings)
    except TimeoutError:
        raise ValidationFailed(
            f"The page took too long to answer ({timeout:g} s). Please try again later or upload the file instead.",
            code="url_timeout",
        ) from None


async def _fetch(url: str, settings: Settings) -> FetchedPage:
    transport = GuardedTransport(allow_private=settings.allow_private_urls)
    headers = {"User-Agent": _USER_AGENT, "Accept": _ACCEPT}
    async with httpx.AsyncClient(
        transport=transport,
        headers=headers,
        timeout=httpx.Timeout(settings.url_fetch_timeout_seconds),
        follow_redirects=False,
        trust_env=False,
    ) as client:
        current = url
        seen = {url}
        for _hop in range(settings.url_max_redirects + 1):
            await check_fetchable(current, settings)
            try:
                async with client.stream("GET", current) as response:
                    if response.is_redirect:
                        current = _next_hop(response, seen)
                        continue
                    return await _read(url, response, settings)
            except BlockedAddress:
                raise BadRequest(_PRIVATE, code="private_address") from None
            except httpx.TimeoutException:
                raise TimeoutError from None
            except httpx.InvalidURL:
                raise BadRequest("That web address is not valid.", code="invalid_url") from None
            except httpx.HTTPError as exc:
                raise ValidationFailed(
                    "Obelisk could not reach that page. Please check the address and try again.",
                    code="url_unreachable",
                ) from exc
        raise ValidationFailed(
            f"The page redirected more than {settings.url_max_redirects} times, so Obelisk stopped following it.",
            code="too_many_redirects",
        )


async def check_fetchable(url: str, settings: Settings | None = None) -> None:
    """Refuse an address Obelisk will not fetch (bad scheme, unknown host, private network) with a clear error."""
    settings = settings or get_settings()
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        raise BadRequest("That web address is not valid.", code="invalid_url") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise BadRequest("Only web addresses starting with http:// or https:// can be added.", code="invalid_url")
    if not host:
        raise BadRequest("That web address has no site name in it.", code="invalid_url")
    if parts.username or parts.password:
        raise BadRequest("Web addresses with a user name or password in them are not fetched.", code="invalid_url")
    try:
        addresses = await resolve(host, port or (443 if parts.scheme.lower() == "https" else 80))
    except OSError:
        raise ValidationFailed(
            f"Obelisk could not find the site '{host}'. Please check the address.", code="url_unreachable"
        ) from None
    if not settings.allow_private_urls:
        try:
            check_addresses(host, addresses)
        except BlockedAddress:
            raise BadRequest(_PRIVATE, code="private_address") from None


def _next_hop(response: httpx.Response, seen: set[str]) -> str:
    location = response.headers.get("location", "").strip()
    if not location:
        raise ValidationFailed("The page redirected without saying where to.", code="bad_redirect")
    target = str(response.url.join(location))
    if target in seen:
        raise ValidationFailed("The page redirects in a loop, so Obelisk stopped following it.", code="redirect_loop")
    seen.add(target)
    return target


async def _read(url: str, response: httpx.Response, settings: Settings) -> FetchedPage:
    if response.status_code >= 400:
        raise ValidationFailed(
            f"The page answered with an error ({response.status_code} {response.reason_phrase}).",
            code="url_http_error",
        )
    media_type, charset = _content_type(response.headers.get("content-type", ""))
    if media_type not in ACCEPTED_TYPES and media_type not in _GENERIC_TYPES:
        raise UnsupportedMediaType(
            f"That address serves '{media_type}', not a web page, PDF or Office document.", code="unsupported_file_type"
        )
    limit = settings.url_max_bytes
    too_big = PayloadTooLarge(
        f"The page is larger than {limit / 1024**2:g} MB, which is the most Obelisk fetches.", code="file_too_large"
    )
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_big
    body = bytearray()
    async for piece in response.aiter_bytes():
        body.extend(piece)
        if len(body) > limit:
            raise too_big
    data = bytes(body)
    if media_type in _GENERIC_TYPES:
        media_type = _sniff_generic(data)
    is_html = media_type in ("text/html", "application/xhtml+xml")
    title = await asyncio.to_thread(_title, data) if is_html else None
    return FetchedPage(url, str(response.url), media_type, data, title, charset)


def _content_type(header: str) -> tuple[str, str | None]:
    media_type, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'")
    return media_type.strip().lower(), charset


def _sniff_generic(data: bytes) -> str:
    if data[:1024].find(b"%PDF-") != -1:
        return "application/pdf"
    if data.startswith(b"PK\x03\x04"):
        return "application/zip"  # the upload checks decide which Office format, if any
    raise UnsupportedMediaType(
        "That address serves a file Obelisk cannot read. It reads web pages, PDF and Office documents.",
        code="unsupported_file_type",
    )


def _title(data: bytes) -> str | None:
    head = data[:_TITLE_SCAN_BYTES]
    opening = _TITLE_OPEN_RE.search(head)
    if not opening:
        return None
    end = head.lower().find(b"</title", opening.end())
    if end == -1:
        return None
    raw = head[opening.end() : end]
    title = " ".join(html.unescape(raw.decode("utf-8", errors="replace")).split())
    return title[:300] or None
