"""GET /api/v1/health: what is connected, which versions, which worker and models."""

from __future__ import annotations

from fastapi import APIRouter, Response

from backend.api.deps import OptionalPrincipal
from backend.dashboard.schemas import HealthReport
from backend.dashboard.status import collect_health

router = APIRouter(tags=["health"])


@router.get(
    "/health",
    operation_id="health",
    summary="Service health",
    responses={503: {"model": HealthReport, "description": "Degraded: the database or the cache is unreachable"}},
)
async def health(response: Response, principal: OptionalPrincipal) -> HealthReport:
    """The full report for a signed-in caller; `status` alone for anyone else (a bad token is still 401)."""
    report = HealthReport.model_validate(await collect_health())
    if report.status != "ok":
        response.status_code = 503
    return report if principal is not None else HealthReport(status=report.status)
