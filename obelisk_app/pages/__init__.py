"""Importing this package registers every page (each module decorates its page with `@template`)."""

from obelisk_app.pages import (
    agents,
    audit,
    brand_voice,
    content,
    content_item,
    dashboard,
    document,
    documents,
    index,
    integrations,
    invite,
    login,
    members,
    spaces,
    status,
)

__all__ = [
    "agents",
    "audit",
    "brand_voice",
    "content",
    "content_item",
    "dashboard",
    "document",
    "documents",
    "index",
    "integrations",
    "invite",
    "login",
    "members",
    "spaces",
    "status",
]
