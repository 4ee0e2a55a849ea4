"""The one way tests create a tenant: sign up an organization, as a customer does.

`await new_tenant("ada")` signs up `ada@example.com` as the owner of "ada Org", whose first space is
"General" (she is its admin), and returns a `Tenant`. With `client=` (the api tier's httpx client) it goes
through `POST /api/v1/auth/signup`; without, through the same sign-up service (the db tier, which has no
HTTP app). Both give the same `Tenant`: ids, a signed token, `headers()` for the API, `context()` for
services. Every tier's database fixtures roll the rows back (or truncate them) afterwards.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from backend.tenancy.context import SpaceContext


def auth_headers(token: str, space_id: str | None = None) -> dict[str, str]:
    """The headers of an API call: the bearer token, and the space it acts in when there is one."""
    out = {"Authorization": f"Bearer {token}"}
    if space_id:
        out["X-Space-Id"] = space_id
    return out


@dataclass
class Tenant:
    """An organization with one space, seen through its owner (who is that space's admin)."""

    email: str
    password: str
    token: str
    user_id: str
    organization_id: str
    space_id: str
    body: dict[str, Any]  # the sign-up response, as `POST /api/v1/auth/signup` returns it

    def headers(self, space_id: str | None = None) -> dict[str, str]:
        """Headers acting as the owner in `space_id` (default: the tenant's first space)."""
        return auth_headers(self.token, space_id or self.space_id)

    async def context(self) -> SpaceContext:
        """The owner's `SpaceContext` in the first space, resolved from the token as a request would."""
        from backend.tenancy.access import authenticate, resolve_space_context

        return await resolve_space_context(await authenticate(self.token), self.space_id)

    def stand_in(self, role: str) -> SpaceContext:
        """Someone else in the tenant's space with `role` (a made-up user id): for policy checks by role."""
        return SpaceContext(
            organization_id=uuid.UUID(self.organization_id),
            space_id=uuid.UUID(self.space_id),
            user_id=uuid.uuid4(),
            role=role,
            space_name="General",
        )


async def new_tenant(who: str, organization: str | None = None, *, client: httpx.AsyncClient | None = None) -> Tenant:
    """Sign up `who` (`<who>@example.com`, password `<who>-correct-horse`) with a new organization."""
    email, password = f"{who}@example.com", f"{who}-correct-horse"
    organization_name = organization or f"{who} Org"
    form = {"email": email, "password": password, "name": who.title(), "organization_name": organization_name}
    if client is not None:
        response = await client.post("/api/v1/auth/signup", json=form)
        assert response.status_code == 201, response.text
        body = response.json()
    else:
        from backend.auth.keys import set_keyring
        from backend.tenancy import accounts
        from backend.tenancy.schemas import SignInPublic

        # The signing keys live in the test's database; a keyring cached by an earlier test would sign
        # with keys this database does not have.
        set_keyring(None)
        body = SignInPublic.model_validate(await accounts.sign_up(**form)).model_dump(mode="json")
    return Tenant(
        email=email,
        password=password,
        token=body["access_token"],
        user_id=body["user_id"],
        organization_id=body["organization_id"],
        space_id=body["space_id"],
        body=body,
    )
