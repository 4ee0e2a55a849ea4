"""The Reflex app: the shell and pages, with the REST API mounted in the same ASGI app."""

import reflex as rx

from backend.api.app import create_api
from backend.api.lifespan import platform_lifespan
from backend.api.upload_guard import UploadGuard
from obelisk_app import pages  # noqa: F401  (registers every page)
from obelisk_app.client_tokens import live_token_check

api = create_api()
app = rx.App(api_transformer=api)
app.register_lifespan_task(platform_lifespan)
# In front of Reflex's /_upload, which would read any body to disk before our handler sees it.
api.add_middleware(UploadGuard, token_is_live=live_token_check(app))
