"""Every SECURITY DEFINER function, the only doors through row-level security, is declared here with the test
that attacks it; a new one fails `test_every_security_definer_function_is_declared` until it is.

Each runs with its owner's rights, so what it returns or changes is all the policy it has: one exact key,
one narrow answer, nothing to a role other than the application's, and a fixed search path.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import text

from backend.core.db import Database
from backend.tenancy import invitations
from backend.tenancy.invitations import token_hash
from tests.db.test_runs_support import conversation, create_space
from tests.support.tenants import new_tenant

# function name -> where it is attacked
DEFINER_FUNCTIONS = {
    "obelisk_login_lookup": "test_login_lookup_answers_one_exact_address_only (here)",
    "obelisk_invitation_lookup": "test_invitation_lookup_answers_one_exact_token_only (here)",
    "obelisk_keyword_candidates": "tests/db/test_retrieval.py::test_row_level_security_alone_keeps_space_a_out",
    "obelisk_slack_spaces_due": "tests/api/test_slack_api.py::test_waiting_reviews_get_one_reminder",
    "obelisk_verify_email": "tests/db/test_email_verification.py::test_verification_needs_a_live_token",
    "obelisk_release_unverified_email": "tests/db/test_email_verification.py (three release tests)",
    "obelisk_runs_to_compact": "test_runs_to_compact_gives_only_ids_of_long_finished_runs (here)",
}


async def _definers(db: Database) -> list[Any]:
    async with db.session() as session:
        return list(
            (
                await session.execute(
                    text(
                        "SELECT p.proname, has_function_privilege('public', p.oid, 'EXECUTE') AS public_may, "
                        "has_function_privilege('obelisk_app', p.oid, 'EXECUTE') AS app_may, "
                        "coalesce(array_to_string(p.proconfig, ','), '') AS config "
                        "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                        "WHERE p.prosecdef AND n.nspname = 'public'"
                    )
                )
            ).mappings()
        )


async def test_every_security_definer_function_is_declared(db: Database) -> None:
    rows = await _definers(db)
    assert {row["proname"] for row in rows} == set(DEFINER_FUNCTIONS), "declare a new function with its attack test"
    for row in rows:
        assert row["public_may"] is False and row["app_may"] is True, row["proname"]
        assert "search_path=pg_catalog" in row["config"].replace(" ", ""), f"{row['proname']} pins its search path"


async def test_login_lookup_answers_one_exact_address_only(db: Database, memory_backends: None) -> None:
    ada = await new_tenant("ada", "Alpha")
    await new_tenant("adam", "Adam Org")
    call = text("SELECT * FROM obelisk_login_lookup(:email)")
    async with db.session() as session:  # no organization: what a log-in has
        exact = (await session.execute(call, {"email": "ADA@example.com"})).mappings().all()
        assert [str(r["user_id"]) for r in exact] == [ada.user_id] and str(exact[0]["organization_id"]) == (
            ada.organization_id
        )
        assert set(exact[0]) == {"user_id", "organization_id", "password_hash", "token_generation", "disabled"}
        for pattern in ("ada%", "%@example.com", "_da@example.com", "ada@example.com ", ""):
            assert (await session.execute(call, {"email": pattern})).all() == [], pattern


async def test_invitation_lookup_answers_one_exact_token_only(db: Database, memory_backends: None) -> None:
    ada = await new_tenant("ada", "Alpha")
    outcome = await invitations.invite(await ada.context(), email="bob@example.com", role="viewer")
    token = outcome.invitation_token or ""
    call = text("SELECT * FROM obelisk_invitation_lookup(:h)")
    async with db.session() as session:
        (row,) = (await session.execute(call, {"h": token_hash(token)})).mappings().all()
        assert row["email"] == "bob@example.com" and row["proves_address"] is False
        assert row["organization_id"] == uuid.UUID(ada.organization_id)
        for key in (token, token_hash(token)[:32], token_hash(token)[:-1] + "%", "%", "", None):
            assert (await session.execute(call, {"h": key})).all() == [], key


async def test_runs_to_compact_gives_only_ids_of_long_finished_runs(
    db: Database, memory_backends: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backend.runs import service as runs
    from backend.runs import tasks

    async def defer(scope: Any, run_id: uuid.UUID) -> None:
        return None

    monkeypatch.setattr(tasks, "defer_run", defer)
    ada = await create_space(db, "alpha")
    old = await runs.start_run(ada, await conversation(ada), "Hi")
    await runs.start_run(ada, await conversation(ada), "Still queued")
    async with db.tenant(ada.scope) as session:
        await session.execute(
            text("UPDATE agent_runs SET status = 'completed', finished_at = now() - interval '40 days' WHERE id = :id"),
            {"id": old.id},
        )
    call = text("SELECT * FROM obelisk_runs_to_compact(now() - interval '30 days', :limit)")
    async with db.session() as session:  # no space: what the retention job has
        rows = (await session.execute(call, {"limit": 10})).mappings().all()
        assert [dict(r) for r in rows] == [
            {"organization_id": ada.scope.organization_id, "space_id": ada.scope.space_id, "run_id": old.id}
        ], "ids only, and only the run that finished before the cut-off"
        assert (await session.execute(call, {"limit": -5})).all() == []
        assert (await session.execute(text("SELECT count(*) FROM agent_runs"))).scalar() == 0, "RLS still holds"
