"""Shared styles: one accent colour, spacing and widths used by the shell and pages."""

SIDEBAR_WIDTH = "15rem"
CONTENT_MAX_WIDTH = "72rem"

card = {"padding": "1rem", "border_radius": "var(--radius-3)", "border": "1px solid var(--gray-a5)"}
