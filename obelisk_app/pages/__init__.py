"""Importing this package registers every page (each module decorates its page with `@template`)."""

from obelisk_app.pages import (
    agents,
    audit,
    brand_voice,
    chat,
    content,
    content_item,
    document,
    documents,
    index,
    integrations,
    invite,
    login,
    members,
    slack,
    spaces,
    status,
)

__all__ = [
    "agents",
    "audit",
    "brand_voice",
    "chat",
    "content",
    "content_item",
    "document",
    "documents",
    "index",
    "integrations",
    "invite",
    "login",
    "members",
    "slack",
    "spaces",
    "status",
]
