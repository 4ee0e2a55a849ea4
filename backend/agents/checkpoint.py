"""LangGraph checkpoints in PostgreSQL, confined to one space.

Thread ids are issued by the server as `<space id>:<conversation id>` (`thread_id`) and checked against the
caller's scope before any read or resume (`check_thread`). The checkpoint tables have row-level security
on that prefix (migration 0007_agents), so the checkpointer's connection carries the space as a
*session* setting: LangGraph's saver runs each statement in autocommit mode, where a transaction-local
setting would be gone by the next statement. One connection per run, never shared between spaces.

Connections are as the saver requires: autocommit, dict rows, and no prepared statements (so a
transaction-mode pooler such as PgBouncer in front of the database works).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import psycopg
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from psycopg import AsyncConnection
from psycopg.rows import DictRow, dict_row

from backend.core.config import get_settings, libpq_url
from backend.core.db import TenantScope
from backend.core.errors import NotFound

logger = logging.getLogger(__name__)


def thread_id(scope: TenantScope, conversation_id: uuid.UUID) -> str:
    """The checkpoint thread of a conversation: the space first, so row-level security can key on it."""
    return f"{scope.space_id}:{conversation_id}"


def check_thread(scope: TenantScope, thread: str) -> uuid.UUID:
    """The conversation id of `thread` when it belongs to the caller's space; otherwise NotFound.

    The same answer for a malformed id and for another space's thread: no existence oracle.
    """
    space, _, conversation = thread.partition(":")
    try:
        space_id, conversation_id = uuid.UUID(space), uuid.UUID(conversation)
    except ValueError:
        raise NotFound("No such conversation in this space.", code="conversation_not_found") from None
    if space_id != scope.space_id:
        raise NotFound("No such conversation in this space.", code="conversation_not_found")
    return conversation_id


CONNECT_TIMEOUT_SECONDS = 10
"""A checkpoint connection that is not up by then is tried once more. A local server answers in
milliseconds; waiting psycopg's default 130 s would leave a chat answer hanging for two minutes."""


async def _connect(conninfo: str) -> AsyncConnection[DictRow]:
    for attempt in (1, 2):
        try:
            return await AsyncConnection.connect(
                conninfo,
                autocommit=True,
                prepare_threshold=None,
                row_factory=dict_row,
                connect_timeout=CONNECT_TIMEOUT_SECONDS,
            )
        except psycopg.errors.ConnectionTimeout:
            if attempt == 2:
                raise
            logger.warning("checkpoint connection timed out; trying once more")
    raise AssertionError("unreachable")


@asynccontextmanager
async def space_connection(scope: TenantScope, url: str | None = None) -> AsyncIterator[AsyncConnection[DictRow]]:
    """A connection as the application role whose session is confined to `scope` (for the checkpointer)."""
    if not isinstance(scope, TenantScope):
        raise RuntimeError("a checkpoint connection needs a TenantScope")
    conninfo = libpq_url(url or get_settings().app_database_url())
    conn = await _connect(conninfo)
    try:
        await conn.execute(
            "SELECT set_config('app.space_id', %s, false), set_config('app.organization_id', %s, false)",
            (str(scope.space_id), str(scope.organization_id)),
        )
        yield conn
    finally:
        await conn.close()


@asynccontextmanager
async def open_checkpointer(scope: TenantScope, url: str | None = None) -> AsyncIterator[AsyncPostgresSaver]:
    """LangGraph's async PostgreSQL saver on a connection confined to `scope`. Its tables come from our
    migrations; `setup()` is never called."""
    async with space_connection(scope, url) as conn:
        saver = AsyncPostgresSaver(conn)
        # Writes go in a plain transaction, not psycopg's pipeline mode: a run cancelled while the saver's
        # pipeline was being closed (a worker shutting down mid-answer) crashed the whole process in psycopg's C
        # code (segmentation fault in the pipeline's result fetch, psycopg 3.3.9; seen in
        # tests/db/test_runs_executor.py under load). A transaction costs a few round trips more per step.
        saver.supports_pipeline = False
        yield saver


__all__ = ["check_thread", "open_checkpointer", "space_connection", "thread_id"]
