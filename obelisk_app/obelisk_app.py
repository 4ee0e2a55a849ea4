"""The Reflex app: the shell and pages, with the REST API mounted in the same ASGI app."""

import reflex as rx

from backend.api.app import create_api
from backend.api.lifespan import platform_lifespan
from obelisk_app import pages  # noqa: F401  (registers every page)
from obelisk_app.client_tokens import live_token_check

# The upload guard (in front of Reflex's /_upload) asks Reflex's sockets whether a client token is live.
app = rx.App(api_transformer=create_api(upload_token_check=live_token_check(lambda: app)))
app.register_lifespan_task(platform_lifespan)
