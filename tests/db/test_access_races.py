"""A removal racing a cache fill: a reader loads the generation or the context from PostgreSQL before the
removal commits and writes it to the cache after the removal published the new generation. The late,
stale write must not let the removed member's old token (or their old role) back in."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from backend.core import cache as cache_module
from backend.core.cache import MemoryBroker, MemoryCache
from backend.core.errors import Unauthorized
from backend.tenancy import accounts, invitations, members
from backend.tenancy.access import authenticate, resolve_space_context
from tests.support.tenants import new_tenant


class PausingCache(MemoryCache):
    """A real in-process cache that holds the first write of a key with `prefix` until `release` is set,
    so a test can put a removal between a reader's database read and its cache write."""

    def __init__(self, prefix: str) -> None:
        super().__init__()
        self.prefix = prefix
        self.reached, self.release = asyncio.Event(), asyncio.Event()

    async def _hold(self, key: str) -> None:
        if key.startswith(self.prefix) and not self.reached.is_set():
            self.reached.set()
            await self.release.wait()

    async def set(self, key: str, value: str, ttl: float) -> None:
        await self._hold(key)
        await super().set(key, value, ttl)

    async def set_max(self, key: str, value: int, ttl: float) -> str:
        await self._hold(key)
        return await super().set_max(key, value, ttl)


async def _space_with_bob(role: str) -> tuple[Any, Any]:
    ada = await new_tenant("ada")
    outcome = await invitations.invite(await ada.context(), email="bob@example.com", role=role)
    assert outcome.invitation_token is not None
    bob = await invitations.accept_invitation(outcome.invitation_token, name="Bob", password="bob-password-1")
    return ada, bob


@pytest.fixture
def pausing(db: Any, memory_backends: None) -> Any:
    def install(prefix: str) -> PausingCache:
        cache = PausingCache(prefix)
        cache_module.set_cache_and_broker(cache, MemoryBroker(), security=cache)
        return cache

    yield install
    cache_module.set_cache_and_broker(None, None)


async def test_a_stale_generation_written_after_a_removal_does_not_revive_the_old_token(pausing: Any) -> None:
    ada, bob = await _space_with_bob("editor")
    admin = await ada.context()
    cache = pausing("tenancy:user-generation:")
    reader = asyncio.create_task(authenticate(bob.access_token))  # reads generation g, then pauses
    await cache.reached.wait()
    await members.remove_member(admin, str(bob.user_id))  # commits g+1 and publishes it
    cache.release.set()
    await asyncio.gather(reader, return_exceptions=True)  # in flight across the removal: either answer is fine
    with pytest.raises(Unauthorized) as caught:
        await authenticate(bob.access_token)
    assert caught.value.code == "token_superseded"


async def test_a_stale_context_written_after_a_demotion_is_not_served(pausing: Any) -> None:
    ada, bob = await _space_with_bob("admin")
    admin = await ada.context()
    principal = await authenticate(bob.access_token)
    cache = pausing("tenancy:context:")
    reader = asyncio.create_task(resolve_space_context(principal, ada.space_id))  # loads "admin", pauses
    await cache.reached.wait()
    await members.change_role(admin, str(bob.user_id), role="viewer")
    cache.release.set()
    assert (await reader).role == "admin"  # the in-flight request started before the change
    fresh = await accounts.log_in(email="bob@example.com", password="bob-password-1", client="10.0.0.2")
    context = await resolve_space_context(await authenticate(fresh.access_token), ada.space_id)
    assert context.role == "viewer"
