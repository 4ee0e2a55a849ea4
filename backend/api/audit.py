"""The organization's audit log (organization admins)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from backend.api.deps import CurrentPrincipal, PageDep, set_total
from backend.tenancy.schemas import AuditEntryPublic
from backend.tenancy.spaces import audit_log

router = APIRouter(tags=["audit"])


@router.get("/audit", operation_id="list_audit", summary="Administrative actions, newest first (organization admins)")
async def list_audit(principal: CurrentPrincipal, response: Response, page: PageDep) -> list[AuditEntryPublic]:
    entries, total = await audit_log(principal, limit=page.limit, offset=page.offset)
    set_total(response, total)
    return [AuditEntryPublic.model_validate(e) for e in entries]
