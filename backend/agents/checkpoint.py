"""LangGraph checkpoints in PostgreSQL, confined to one space.

Thread ids are issued by the server as `<space id>:<conversation id>` (`thread_id`) and checked against the
caller's scope before any read or resume (`check_thread`). The checkpoint tables have row-level security
on that prefix (migration 0007_agents), so the checkpointer's connection carries the space as a
*session* setting: LangGraph's saver runs each statement in autocommit mode, where a transaction-local
setting would be gone by the next statement. One connection per run, never shared between two spaces at once.

Connections are pooled per process (and event loop): opening one (a server process forked, authentication)
was the longest single wait of a turn's start, 10-30 ms at load. A connection is taken from the pool
exclusively, gets its space set on checkout (the one statement a new connection also runs) and has it
cleared on return; a connection that comes back in a transaction, broken, or from a block that raised (a
cancelled run may have left a statement half-sent) is closed instead of returned. At most
`CHECKPOINT_POOL_SIZE` idle connections are kept (4 by default; 0 opens a new connection for every run).

Connections are as the saver requires: autocommit, dict rows, and no prepared statements (so a
transaction-mode pooler such as PgBouncer in front of the database works).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import psycopg
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from psycopg import AsyncConnection
from psycopg.pq import TransactionStatus
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


_SET_SCOPE = "SELECT set_config('app.space_id', %s, false), set_config('app.organization_id', %s, false)"
_CLEAR_SCOPE = "SELECT set_config('app.space_id', '', false), set_config('app.organization_id', '', false)"

_pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, list[AsyncConnection[DictRow]]]] = (
    weakref.WeakKeyDictionary()
)


def _idle(conninfo: str) -> list[AsyncConnection[DictRow]]:
    """This event loop's idle connections to `conninfo` (a connection belongs to the loop that opened it)."""
    return _pools.setdefault(asyncio.get_running_loop(), {}).setdefault(conninfo, [])


async def _close(conn: AsyncConnection[DictRow]) -> None:
    with contextlib.suppress(Exception):
        await conn.close()


def _reusable(conn: AsyncConnection[DictRow]) -> bool:
    return not conn.closed and conn.info.transaction_status == TransactionStatus.IDLE


async def _scoped(conninfo: str, scope: TenantScope) -> AsyncConnection[DictRow]:
    """A connection with its session confined to `scope`: a pooled one when one is idle, else a new one."""
    params = (str(scope.space_id), str(scope.organization_id))
    idle = _idle(conninfo)
    while idle:
        conn = idle.pop()
        if not _reusable(conn):
            await _close(conn)
            continue
        try:
            await conn.execute(_SET_SCOPE, params)
            return conn
        except psycopg.OperationalError:  # the server closed it while it was idle
            await _close(conn)
        except BaseException:
            await _close(conn)
            raise
    conn = await _connect(conninfo)
    try:
        await conn.execute(_SET_SCOPE, params)
    except BaseException:
        await _close(conn)
        raise
    return conn


async def _give_back(conninfo: str, conn: AsyncConnection[DictRow]) -> None:
    """Clear the space from the session and keep the connection for the next run (or close it)."""
    idle, size = _idle(conninfo), get_settings().checkpoint_pool_size
    if not _reusable(conn) or len(idle) >= size:
        await _close(conn)
        return
    try:
        await conn.execute(_CLEAR_SCOPE)
    except Exception:
        await _close(conn)
        return
    if _reusable(conn) and len(idle) < size:
        idle.append(conn)
    else:
        await _close(conn)


async def close_pooled_connections() -> None:
    """Close this event loop's idle checkpoint connections (at shutdown)."""
    pools = _pools.pop(asyncio.get_running_loop(), {})
    for idle in pools.values():
        while idle:
            await _close(idle.pop())


@asynccontextmanager
async def space_connection(scope: TenantScope, url: str | None = None) -> AsyncIterator[AsyncConnection[DictRow]]:
    """A connection as the application role whose session is confined to `scope` (for the checkpointer), from
    the process's pool; no other space can have it until the block ends and its scope is cleared."""
    if not isinstance(scope, TenantScope):
        raise RuntimeError("a checkpoint connection needs a TenantScope")
    conninfo = libpq_url(url or get_settings().app_database_url())
    conn = await _scoped(conninfo, scope)
    try:
        yield conn
    except BaseException:
        # The block failed or was cancelled (maybe mid-statement): no more database work on this connection.
        await _close(conn)
        raise
    await _give_back(conninfo, conn)


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


__all__ = [
    "check_thread",
    "close_pooled_connections",
    "open_checkpointer",
    "space_connection",
    "thread_id",
]
