"""Where a published item lives on the web: its URL, checked, and the page paths GA4 reports it under.

Pure functions. GA4's `landingPage` is the path alone (no host, no query string), so an item's figures are
read for its URL's path, with and without a trailing slash (sites serve both and GA4 reports what was
served). A property that covers several hosts adds up a path's traffic on all of them.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

MAX_URL = 2000


def clean_url(value: str) -> str:
    """The URL as stored: http(s), a host, no credentials, no spaces; scheme and host lower-cased.

    Raises ValueError with a sentence a person can act on.
    """
    text = (value or "").strip()
    if not text:
        raise ValueError("Give the address the item is published at.")
    if len(text) > MAX_URL:
        raise ValueError(f"The address is longer than {MAX_URL} characters.")
    if any(ch.isspace() for ch in text):
        raise ValueError("The address contains spaces.")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise ValueError("That is not a valid web address.") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError("The address must start with http:// or https://.")
    if not parts.hostname or ("." not in parts.hostname and parts.hostname != "localhost"):
        raise ValueError("The address needs a host name, like https://example.com/blog/post.")
    if parts.username is not None or parts.password is not None:
        raise ValueError("The address must not contain a user name or password.")
    host = parts.hostname.lower() + (f":{port}" if port is not None else "")
    return urlunsplit((parts.scheme.lower(), host, parts.path or "/", parts.query, ""))


def page_path(url: str) -> str:
    """The path GA4 reports the page under (`/blog/post`)."""
    return urlsplit(url).path or "/"


def path_variants(url: str) -> list[str]:
    """The page's path with and without its trailing slash (the root is only `/`)."""
    path = page_path(url)
    bare = path.rstrip("/") or "/"
    return [bare] if bare == "/" else [bare, bare + "/"]


__all__ = ["MAX_URL", "clean_url", "page_path", "path_variants"]
