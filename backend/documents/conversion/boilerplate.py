"""Web-page boilerplate removal before Docling sees the page.

Docling drops `<footer>` and whatever precedes the first heading, but keeps a navigation bar that follows the
first heading, sidebars, and everything on a page without headings. Menus and cookie notices repeated on every
page of a site would otherwise end up in every chunk.
"""

from __future__ import annotations

from bs4 import BeautifulSoup, Tag

# Not <form>: some site builders wrap the whole page in one.
_ALWAYS = ("nav", "footer", "script", "style", "noscript", "template", "iframe", "button", "svg")
_ROLES = {"navigation", "contentinfo", "search", "menu", "menubar", "dialog", "alertdialog"}


def strip_boilerplate(html: str | bytes) -> str:
    """The page as HTML text without navigation, footers, sidebars, scripts and forms. When the page marks its
    main content (`<main>` or role="main"), only that and the `<head>` (for the title) are kept."""
    soup = BeautifulSoup(html, "html.parser")
    main = soup.find("main") or soup.select_one('[role="main"]')
    if isinstance(main, Tag) and main.get_text(strip=True):
        head = soup.find("head")
        return f"<html>{head or ''}<body>{main}</body></html>"
    for name in _ALWAYS:
        for element in soup.find_all(name):
            if isinstance(element, Tag) and not element.decomposed:
                element.decompose()
    for element in soup.select("[role]"):
        if not element.decomposed and str(element.get("role", "")).lower() in _ROLES:
            element.decompose()
    for name in ("header", "aside"):
        for element in soup.find_all(name):
            # A marketing page's hero often sits in <header> with the page's main heading: keep that one.
            if isinstance(element, Tag) and not element.decomposed and element.find("h1") is None:
                element.decompose()
    return str(soup)
