"""The team's own published content with its numbers, as the Strategy and SEO tools show it.

What a tool gets from `env.own_content` (the space's published items linked to their URL, with their GA4
figures since publication), turned into a short list for the model, best first by sessions per day since
publication, and a note that says plainly where the figures come from or why there are none: GA4 not
connected (or needing a reconnect), no published item linked to its address, or no provider at all.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from backend.agents.tools.base import OwnContent, ToolEnv
from backend.agents.tools.text import term_set
from backend.core.errors import AppError

MAX_ITEMS = 10
"""How many of the team's items a tool result lists (the best ones: a prompt has no room for an archive)."""


class OwnPage(BaseModel):
    """One of the team's published items with its GA4 figures since publication (None: GA4 not read)."""

    title: str
    url: str
    published: date
    days: int = Field(description="Days since publication, both ends included")
    sessions: int | None = None
    conversions: int | None = Field(default=None, description="GA4 key events of those sessions")
    sessions_per_day: float | None = None


def _sort_key(page: OwnPage) -> tuple[float, float, str]:
    return (-(page.sessions_per_day or 0.0), -(page.conversions or 0), page.title)


async def own_pages(env: ToolEnv, notes: list[str]) -> list[OwnPage]:
    """The space's published items with their numbers, best first, and a note on `notes` saying what they are."""
    if env.own_content is None:
        notes.append("The team's published content is not available to this tool, so it is not compared.")
        return []
    try:
        content: OwnContent = await env.own_content()
    except Exception as exc:
        reason = exc.message if isinstance(exc, AppError) else type(exc).__name__
        notes.append(f"The team's published content could not be read ({reason}).")
        return []
    pages = sorted(
        (
            OwnPage(
                title=i.title,
                url=i.url,
                published=i.published_at.date(),
                days=i.days,
                sessions=round(i.sessions) if i.sessions is not None else None,
                conversions=round(i.conversions) if i.conversions is not None else None,
                sessions_per_day=i.sessions_per_day,
            )
            for i in content.items
        ),
        key=_sort_key,
    )[:MAX_ITEMS]
    if content.state == "no_linked_items" or (content.state == "ok" and not pages):
        notes.append(
            "No published item of the team is linked to its URL, so there are no figures for the team's own "
            "content: link published items to their address to see them."
        )
    elif content.state == "ok":
        notes.append(
            f"GA4: the team's {len(pages)} best published items with their sessions and key events since "
            "publication (sorted by sessions per day)."
        )
    else:
        reason = content.message or "GA4 could not be read"
        what = "GA4 is not connected" if content.state in ("not_connected", "not_configured") else reason
        listed = " (listed without figures)" if pages else ""
        notes.append(f"{what.rstrip('.')}: the team's published content has no figures{listed}.")
    return pages


def pages_about(topic: str, pages: list[OwnPage]) -> list[OwnPage]:
    """The team's items whose title or URL path names all of the topic's terms."""
    wanted = term_set(topic)
    if not wanted:
        return []
    out = []
    for page in pages:
        path = page.url.split("://", 1)[-1].partition("/")[2]
        words = term_set(" ".join((page.title, path.replace("/", " ").replace("-", " ").replace("_", " "))))
        if wanted <= words:
            out.append(page)
    return out


def describe(page: OwnPage) -> str:
    """`'Title' (url, published 2026-01-31): 120 sessions, 4 key events, 6.3 a day`, or without figures."""
    head = f"'{page.title}' ({page.url}, published {page.published.isoformat()})"
    if page.sessions is None:
        return head
    return f"{head}: {page.sessions} sessions, {page.conversions or 0} key events, {page.sessions_per_day} a day"


__all__ = ["MAX_ITEMS", "OwnPage", "describe", "own_pages", "pages_about"]
