"""A published item's address: what is accepted as its URL, and the paths GA4 reports its page under."""

from __future__ import annotations

import pytest

from backend.content.links import clean_url, path_variants


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("  HTTPS://Example.COM/Blog/Post?utm=x#top ", "https://example.com/Blog/Post?utm=x"),
        ("http://example.com", "http://example.com/"),
        ("http://localhost:8080/p", "http://localhost:8080/p"),
    ],
)
def test_addresses_are_stored_clean(given: str, stored: str) -> None:
    assert clean_url(given) == stored


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        ("", "Give the address"),
        ("javascript:alert(1)", "http"),
        ("ftp://example.com/file", "http"),
        ("https://user:secret@example.com/", "user name"),
        ("https://intranet/page", "host name"),
        ("https://exa mple.com/", "spaces"),
        ("https://example.com:99999/", "not a valid"),
        ("https://example.com/" + "a" * 2000, "longer than"),
    ],
)
def test_other_addresses_are_refused_with_a_reason(given: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        clean_url(given)


def test_a_page_is_read_with_and_without_its_trailing_slash() -> None:
    assert path_variants("https://example.com/blog/post/") == ["/blog/post", "/blog/post/"]
    assert path_variants("https://example.com/blog/post?x=1") == ["/blog/post", "/blog/post/"]
    assert path_variants("https://example.com/") == ["/"]
