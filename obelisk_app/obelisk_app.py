"""The Reflex app: the shell and pages, with the REST API mounted in the same ASGI app."""

import reflex as rx

from backend.api.app import create_api
from backend.api.lifespan import platform_lifespan
from obelisk_app import pages  # noqa: F401  (registers every page)

app = rx.App(api_transformer=create_api())
app.register_lifespan_task(platform_lifespan)
