"""Reflex configuration. Ports come from the environment; the launcher passes them explicitly."""

import os

import reflex as rx
from reflex.plugins.sitemap import SitemapPlugin

config = rx.Config(
    app_name="obelisk_app",
    telemetry_enabled=False,
    frontend_port=int(os.environ.get("PORT", "3000")),
    backend_port=int(os.environ.get("BACKEND_PORT", "8000")),
    redis_url=os.environ.get("REFLEX_REDIS_URL") or None,
    show_built_with_reflex=False,
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(appearance="inherit", accent_color="violet", gray_color="slate", radius="medium")
        )
    ],
    disable_plugins=[SitemapPlugin],
)
