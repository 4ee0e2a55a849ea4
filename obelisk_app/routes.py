"""Route constants and the sidebar navigation (pages add themselves here when they exist)."""

from __future__ import annotations

from dataclasses import dataclass

HOME = "/"
STATUS = "/status"


@dataclass(frozen=True)
class NavItem:
    label: str
    route: str
    icon: str


NAV: list[NavItem] = [
    NavItem("Status", STATUS, "activity"),
]
