"""GA4 over HTTP: the connection (tenant routes, space admins manage it) and reports (any member).

`GET /integrations/ga4/callback` is the one route without a bearer token: Google sends the browser there. Its
`state` is its credential (single use, bound to the user, the space and an expiry: `analytics.service`), and
it always answers with a redirect back to the app, naming what happened, never with an error page.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import RedirectResponse

from backend.analytics import service
from backend.analytics.schemas import Ga4PropertyPublic, Ga4PropertyUpdate, Ga4Status, ReportPublic, ReportRequest
from backend.api.deps import Ctx

router = APIRouter(tags=["analytics"])


@router.get(
    "/integrations/ga4/connect",
    operation_id="connect_ga4",
    status_code=307,
    response_class=RedirectResponse,
    responses={307: {"description": "To Google's consent screen (state and PKCE challenge in the URL)"}},
    summary="Start connecting GA4 to this space (space admins): redirects to Google",
)
async def connect_ga4(ctx: Ctx) -> RedirectResponse:
    return RedirectResponse(await service.start_connect(ctx), status_code=307)


@router.get(
    "/integrations/ga4/callback",
    operation_id="ga4_callback",
    status_code=303,
    response_class=RedirectResponse,
    responses={303: {"description": "Back to the app: `?ga4=connected` or `?ga4_error=<code>`"}},
    summary="Google's redirect after consent (authenticated by its single-use state)",
)
async def ga4_callback(
    code: Annotated[str | None, Query(max_length=2048)] = None,
    state: Annotated[str | None, Query(max_length=512)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
) -> RedirectResponse:
    outcome = await service.complete_connect(code=code, state=state, error=error)
    return RedirectResponse(outcome.redirect_to, status_code=303)


@router.get(
    "/integrations/ga4",
    operation_id="get_ga4",
    response_model=Ga4Status,
    summary="Whether GA4 is connected, the property it reads, and whether it needs a reconnect",
)
async def get_ga4(ctx: Ctx) -> Ga4Status:
    return await service.status(ctx)


@router.get(
    "/integrations/ga4/properties",
    operation_id="list_ga4_properties",
    response_model=list[Ga4PropertyPublic],
    summary="The GA4 properties the connected Google account can read (space admins)",
)
async def list_ga4_properties(ctx: Ctx) -> list[Ga4PropertyPublic]:
    return await service.list_properties(ctx)


@router.put(
    "/integrations/ga4",
    operation_id="set_ga4_property",
    response_model=Ga4Status,
    summary="Choose the GA4 property this space reads (space admins)",
)
async def set_ga4_property(body: Ga4PropertyUpdate, ctx: Ctx) -> Ga4Status:
    return await service.set_property(ctx, body)


@router.delete(
    "/integrations/ga4",
    status_code=204,
    operation_id="disconnect_ga4",
    summary="Disconnect GA4: delete the space's tokens and revoke them at Google (space admins)",
)
async def disconnect_ga4(ctx: Ctx) -> Response:
    await service.disconnect(ctx)
    return Response(status_code=204)


@router.post(
    "/analytics/report",
    operation_id="run_ga4_report",
    response_model=ReportPublic,
    summary="A GA4 report of the space's property: rows by dimension with their metrics, and the quota left",
)
async def run_ga4_report(body: ReportRequest, ctx: Ctx) -> ReportPublic:
    return await service.run_report(ctx, body)
