"""Importing this package registers every page (each module decorates its page with `@template`)."""

from obelisk_app.pages import index, status

__all__ = ["index", "status"]
