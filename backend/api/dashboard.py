"""The dashboard's data over HTTP (tenant route: X-Space-Id required; any member of the space, viewers too)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from backend.api.deps import Ctx
from backend.dashboard import service
from backend.dashboard.schemas import DashboardPublic

router = APIRouter(tags=["dashboard"])


@router.get(
    "/dashboard",
    operation_id="get_dashboard",
    response_model=DashboardPublic,
    summary="The space's landing-page aggregates for a date range (default: the last 30 days, UTC)",
)
async def get_dashboard(
    ctx: Ctx,
    start_date: Annotated[date | None, Query(description="First day of the range (UTC), e.g. 2026-01-01")] = None,
    end_date: Annotated[date | None, Query(description="Last day of the range (UTC), included")] = None,
) -> DashboardPublic:
    return await service.get_dashboard(ctx, start_date, end_date)
