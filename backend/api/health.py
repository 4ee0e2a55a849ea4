"""GET /api/v1/health: what is connected, which versions, which worker and models."""

from __future__ import annotations

from fastapi import APIRouter, Response

from backend.dashboard.schemas import HealthReport
from backend.dashboard.status import collect_health

router = APIRouter(tags=["health"])


@router.get(
    "/health",
    operation_id="health",
    summary="Service health",
    responses={503: {"model": HealthReport, "description": "Degraded: the database or the cache is unreachable"}},
)
async def health(response: Response) -> HealthReport:
    report = HealthReport.model_validate(await collect_health())
    if report.status != "ok":
        response.status_code = 503
    return report
