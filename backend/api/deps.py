"""Dependencies shared by the routers: the verified caller and the space they act in.

Tenant routes declare `Ctx` (or `EditorCtx`/`AdminCtx`), which requires `X-Space-Id`: missing → 400, no role in
that space → 403 with the same body whether or not the space exists. Handlers receive a resolved
`SpaceContext` and pass it (or its scope) to services; no handler trusts a space id from the body.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Query, Request, Response

from backend.core.errors import BadRequest, Forbidden
from backend.core.logging import space_id_var, user_id_var
from backend.tenancy.access import authenticate, resolve_space_context
from backend.tenancy.context import Principal, SpaceContext


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def current_principal(
    authorization: Annotated[str | None, Header(description="Bearer <access token>")] = None,
) -> Principal:
    principal = await authenticate(bearer_token(authorization))
    # The request's log records carry the user from here on (reset when the request's context ends).
    user_id_var.set(str(principal.user_id))
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


async def space_context(
    principal: CurrentPrincipal,
    x_space_id: Annotated[str | None, Header(alias="X-Space-Id", description="The space this request acts in")] = None,
) -> SpaceContext:
    if not x_space_id:
        raise BadRequest(
            "This route needs the X-Space-Id header (the id of the space you act in).", code="space_id_required"
        )
    ctx = await resolve_space_context(principal, x_space_id.strip())
    space_id_var.set(str(ctx.space_id))
    return ctx


Ctx = Annotated[SpaceContext, Depends(space_context)]


def _role(minimum: str, message: str):  # type: ignore[no-untyped-def]
    async def dependency(ctx: Ctx) -> SpaceContext:
        if not ctx.can(minimum):
            raise Forbidden(message, code=f"{minimum}_required")
        return ctx

    return dependency


EditorCtx = Annotated[SpaceContext, Depends(_role("editor", "Your role in this space is read-only."))]
AdminCtx = Annotated[SpaceContext, Depends(_role("admin", "Only space admins can do this."))]


async def path_space_context(space_id: str, principal: CurrentPrincipal, request: Request) -> SpaceContext:
    """For routes with the space in the path: it must agree with X-Space-Id when that header is sent."""
    header = request.headers.get("x-space-id")
    if header and header.strip().lower() != space_id.strip().lower():
        raise BadRequest("X-Space-Id does not match the space in the path.", code="space_id_mismatch")
    ctx = await resolve_space_context(principal, space_id)
    space_id_var.set(str(ctx.space_id))
    return ctx


PathCtx = Annotated[SpaceContext, Depends(path_space_context)]


class Page:
    """`limit` (default 100, at most 1000) and `offset`, as every list route takes them."""

    def __init__(
        self,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> None:
        self.limit, self.offset = limit, offset


PageDep = Annotated[Page, Depends()]


def set_total(response: Response, total: int) -> None:
    response.headers["X-Total-Count"] = str(total)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
