"""The /status page's state: an anonymous visitor gets the overall status only, a signed-in user the detail.

The page is public, so its `load` handler is called here as any browser could call it: without a token,
with a made-up one, and signed in.
"""

from __future__ import annotations

from typing import Any

from obelisk_app.pages.status import StatusState
from tests.support.ui import Tab, tab_of

# Values of the detail that would tell an attacker what runs behind the page.
_DETAIL = ("db_version", "pgvector", "migration", "chat_model", "embedding_model", "version", "cache_backend")


async def test_anonymous_visitors_see_the_overall_status_only(signup: Any) -> None:
    for token in ("", "not-a-token"):
        tab = Tab(token, route="/status")
        status = tab.state(StatusState)
        await StatusState.load.fn(status)
        assert status.overall == "ok"
        assert status.detailed is False
        assert all(getattr(status, name) == "" for name in _DETAIL), status.dict()
        assert status.queue == {} and status.live_workers == 0


async def test_signed_in_users_see_database_models_and_jobs(signup: Any) -> None:
    ada = await signup("ada")
    status = tab_of(ada, route="/status").state(StatusState)
    await StatusState.load.fn(status)
    assert status.overall == "ok" and status.detailed is True
    assert "18" in status.db_version and status.pgvector.startswith("0.")
    assert status.migration and status.chat_model and status.embedding_model
    # Signing out (the token revoked) takes the detail away on the next load.
    from backend.tenancy import accounts
    from backend.tenancy.access import authenticate

    await accounts.log_out(await authenticate(ada.token))
    await StatusState.load.fn(status)
    assert status.detailed is False and status.db_version == "" and status.overall == "ok"
