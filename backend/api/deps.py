"""Dependencies shared by the routers: the verified caller and the space they act in.

Tenant routes declare `Ctx` (or `EditorCtx`/`AdminCtx`), which requires `X-Space-Id`: missing → 400, no role in
that space → 403 with the same body whether or not the space exists. Handlers receive a resolved
`SpaceContext` and pass it (or its scope) to services; no handler trusts a space id from the body.

The bearer token and `X-Space-Id` are declared once, as OpenAPI security schemes (`BearerAuth`, `SpaceId`),
so a generated client has an authenticated client instead of two loose string parameters on every
operation. Both schemes are built with `auto_error=False`: a missing or malformed header reaches our own
checks, which answer in the error envelope with our codes (401 `unauthorized`..., 400 `space_id_required`).

The user and space a request acts for go into the log context for as long as the request runs, and are
reset when it ends (yield dependencies around `log_context`), so nothing leaks into the next request served
by the same task or thread.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Query, Request, Response
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from backend.core import clients
from backend.core.errors import BadRequest, Forbidden
from backend.core.logging import log_context
from backend.tenancy.access import authenticate, resolve_space_context
from backend.tenancy.context import Principal, SpaceContext

bearer_scheme = HTTPBearer(
    auto_error=False, scheme_name="BearerAuth", bearerFormat="JWT", description="An access token (RS256 JWT)."
)
space_id_scheme = APIKeyHeader(
    name="X-Space-Id",
    auto_error=False,
    scheme_name="SpaceId",
    description="The id of the space a tenant route acts in.",
)


async def current_principal(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> AsyncIterator[Principal]:
    principal = await authenticate(credentials.credentials if credentials else None)
    with log_context(user_id=principal.user_id):
        yield principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


async def optional_principal(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Principal | None:
    """The caller when a token is sent (a bad one is 401, never silently anonymous), else None."""
    return await authenticate(credentials.credentials) if credentials else None


OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]
SpaceIdHeader = Annotated[str | None, Depends(space_id_scheme)]


async def space_context(principal: CurrentPrincipal, x_space_id: SpaceIdHeader) -> AsyncIterator[SpaceContext]:
    if not x_space_id:
        raise BadRequest(
            "This route needs the X-Space-Id header (the id of the space you act in).", code="space_id_required"
        )
    ctx = await resolve_space_context(principal, x_space_id.strip())
    with log_context(space_id=ctx.space_id):
        yield ctx


Ctx = Annotated[SpaceContext, Depends(space_context)]


def _role(minimum: str, message: str) -> Callable[[SpaceContext], Awaitable[SpaceContext]]:
    async def dependency(ctx: Ctx) -> SpaceContext:
        if not ctx.can(minimum):
            raise Forbidden(message, code=f"{minimum}_required")
        return ctx

    return dependency


EditorCtx = Annotated[SpaceContext, Depends(_role("editor", "Your role in this space is read-only."))]
AdminCtx = Annotated[SpaceContext, Depends(_role("admin", "Only space admins can do this."))]


async def path_space_context(
    space_id: str, principal: CurrentPrincipal, x_space_id: SpaceIdHeader
) -> AsyncIterator[SpaceContext]:
    """For routes with the space in the path: it must agree with X-Space-Id when that header is sent."""
    if x_space_id and x_space_id.strip().lower() != space_id.strip().lower():
        raise BadRequest("X-Space-Id does not match the space in the path.", code="space_id_mismatch")
    ctx = await resolve_space_context(principal, space_id)
    with log_context(space_id=ctx.space_id):
        yield ctx


PathCtx = Annotated[SpaceContext, Depends(path_space_context)]


# Offsets and sequence numbers past this are not a page anyone has: PostgreSQL's bigint would overflow.
MAX_OFFSET = 2**62


class Page:
    """`limit` (default 100, at most 1000) and `offset`, as every list route takes them."""

    def __init__(
        self,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    ) -> None:
        self.limit, self.offset = limit, offset


PageDep = Annotated[Page, Depends()]


def set_total(response: Response, total: int) -> None:
    response.headers["X-Total-Count"] = str(total)


def client_address(request: Request) -> str:
    """The caller's address: the peer, or what a trusted proxy forwarded (`core.clients`)."""
    peer = request.client.host if request.client else None
    return clients.client_address(peer, request.headers.get("x-forwarded-for"))
