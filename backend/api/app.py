"""The FastAPI application that Reflex mounts itself into (`rx.App(api_transformer=create_api())`)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse

from backend.api import (
    agents,
    analytics,
    audit,
    auth,
    content,
    dashboard,
    documents,
    health,
    key_facts,
    runs,
    search,
    slack,
    spaces,
    ws,
)
from backend.api.errors import ERROR_RESPONSES, error_response, install_error_handlers
from backend.api.middleware import CorrelationIdMiddleware, SecurityHeadersMiddleware
from backend.api.upload_guard import TokenCheck, UploadGuard
from backend.core.config import get_settings

API_PREFIX = "/api/v1"


def _routers() -> list[APIRouter]:
    """Every resource router, in the order they appear in the OpenAPI document."""
    return [
        health.router,
        auth.router,
        spaces.router,
        documents.router,
        search.router,
        key_facts.router,
        agents.router,
        runs.router,
        content.router,
        slack.router,
        analytics.router,
        ws.router,
        audit.router,
        dashboard.router,
    ]


def create_api(*, upload_token_check: TokenCheck | None = None) -> FastAPI:
    """The API app. `upload_token_check` (from the UI layer, which knows Reflex's sockets) puts the upload
    guard in front of Reflex's `/_upload`, inside the correlation-id and security-header middleware."""
    settings = get_settings()
    api = FastAPI(
        title="Obelisk API",
        version=settings.app_version,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
    )
    install_error_handlers(api)
    for router in _routers():
        api.include_router(router, prefix=API_PREFIX, responses=ERROR_RESPONSES)

    @api.api_route(
        f"{API_PREFIX}/{{path:path}}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False
    )
    async def _unknown_api_route(request: Request, path: str) -> JSONResponse:
        # Without this, unknown API paths would fall through to the Reflex frontend and answer HTML.
        return error_response(404, "not_found", f"No API route {request.method} {API_PREFIX}/{path}.")

    if upload_token_check is not None:
        api.add_middleware(UploadGuard, token_is_live=upload_token_check)
    api.add_middleware(CorrelationIdMiddleware)
    api.add_middleware(SecurityHeadersMiddleware)
    return api
