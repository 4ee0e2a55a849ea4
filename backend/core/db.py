"""Async SQLAlchemy engine on psycopg 3, and sessions that carry the tenant scope into PostgreSQL.

Every transaction on tenant data runs through `Database.tenant(scope)`, which sets `app.space_id` and
`app.organization_id` with `set_config(..., true)` (transaction-local). Row-level security policies read
them, so a query that forgets its filter still sees only the current space: the second wall.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import orjson
from psycopg.errors import CharacterNotInRepertoire, UntranslatableCharacter
from sqlalchemy import event, text
from sqlalchemy.exc import DataError, DisconnectionError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from backend.core.config import Settings, async_url, get_settings
from backend.core.errors import ValidationFailed


@dataclass(frozen=True, slots=True)
class TenantScope:
    """The space a unit of work is confined to. Repositories require one; there is no default."""

    organization_id: uuid.UUID
    space_id: uuid.UUID

    def key(self) -> str:
        """A prefix for cache keys, channels and paths that belong to this space."""
        return f"org:{self.organization_id}:space:{self.space_id}"


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def create_engine(url: str, settings: Settings | None = None, **overrides: Any) -> AsyncEngine:
    settings = settings or get_settings()
    options = f"-c statement_timeout={settings.db_statement_timeout_ms}"
    kwargs: dict[str, Any] = {
        "pool_size": settings.db_pool_size,
        "max_overflow": settings.db_max_overflow,
        "pool_timeout": settings.db_pool_timeout,
        "pool_recycle": settings.db_pool_recycle,
        # Pinged only after sitting idle (`_ping_when_idle`), unless DB_POOL_PING_IDLE_SECONDS is 0.
        "pool_pre_ping": settings.db_pool_pre_ping and settings.db_pool_ping_idle_seconds <= 0,
        "connect_args": {"options": options},
        # A failed statement's message would otherwise carry its bound parameters (password hashes, tokens'
        # hashes, user text) into logs and error reports.
        "hide_parameters": True,
        # JSON columns through orjson: a replay of 10,000 run events parses 10,000 JSONB payloads.
        "json_serializer": _json_dumps,
        "json_deserializer": orjson.loads,
    }
    kwargs.update(overrides)
    engine = create_async_engine(async_url(url), **kwargs)
    if settings.db_pool_pre_ping and settings.db_pool_ping_idle_seconds > 0 and "pool_pre_ping" not in overrides:
        _ping_when_idle(engine, settings.db_pool_ping_idle_seconds)
    return engine


def _ping_when_idle(engine: AsyncEngine, idle_seconds: float) -> None:
    """Check a pooled connection before use only when it sat idle for `idle_seconds` or more.

    SQLAlchemy's pre-ping costs a round trip on every checkout; a search opens two transactions, so that was
    two of its round trips. A connection returned a moment ago was alive a moment ago: a server that went away
    since is rare, and is then found by the statement itself (the pool drops the connection on that error).
    A dead connection found by the ping is replaced, as with pre-ping (`DisconnectionError`).
    """
    pool = engine.sync_engine.pool

    @event.listens_for(pool, "checkin")
    def _checked_in(dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(pool, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        since = record.info.pop("idle_since", None)
        if since is None or time.monotonic() - since < idle_seconds:
            return  # just connected, or reused within the idle time
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError("a pooled connection did not answer its ping") from exc


_SWITCH_SPACE = text(
    "SELECT set_config('app.organization_id', :organization_id, true), set_config('app.space_id', :space_id, true)"
)


async def switch_space(session: AsyncSession, scope: TenantScope) -> None:
    """Confine the rest of an open transaction (until the next switch) to `scope`'s space.

    For writers that store several spaces' rows in one transaction (one commit instead of one per space):
    each statement is checked by row-level security against the space set when it runs, so a statement
    issued after the switch sees and writes only that space, exactly as in a `Database.tenant` transaction.
    Use only on a session from `Database.session()` without a user, and pass every statement the scope.
    """
    if not isinstance(scope, TenantScope):
        raise RuntimeError("switching needs a TenantScope")
    await session.execute(
        _SWITCH_SPACE, {"organization_id": str(scope.organization_id), "space_id": str(scope.space_id)}
    )


class Database:
    """Sessions bound to an engine (or, in tests, to one connection inside a rolled-back transaction)."""

    def __init__(self, bind: AsyncEngine | AsyncConnection, *, savepoints: bool = False) -> None:
        self.bind = bind
        extra: dict[str, Any] = {"join_transaction_mode": "create_savepoint"} if savepoints else {}
        self._sessions = async_sessionmaker(bind, expire_on_commit=False, **extra)
        # A Database bound to one connection (a test's rolled-back transaction, a caller's own transaction) cannot
        # hold two transactions at once: a background task's session (a usage write) opened while a request's
        # session is open would interleave savepoints on the one connection. Its sessions take turns; a session
        # opened inside another by the same task (or by a task started inside it) nests as before.
        self._turn = asyncio.Lock() if isinstance(bind, AsyncConnection) else None
        self._in_turn: contextvars.ContextVar[bool] = contextvars.ContextVar(f"db_turn_{id(self)}", default=False)

    @asynccontextmanager
    async def session(
        self,
        *,
        organization_id: uuid.UUID | None = None,
        space_id: uuid.UUID | None = None,
        user_id: uuid.UUID | None = None,
        local: Mapping[str, str] | None = None,
    ) -> AsyncIterator[AsyncSession]:
        """A transaction: committed when the block ends, rolled back when it raises.

        The given ids are set as transaction-local settings that row-level security policies read.
        Without a space id, tenant tables show no rows at all. `local` adds other transaction-local settings
        (`statement_timeout`, `hnsw.ef_search`...). All of them go in one statement: on a busy machine every
        round trip to PostgreSQL costs a context switch, and a short request pays for each.
        """
        values: dict[str, str] = {
            "app.organization_id": "" if organization_id is None else str(organization_id),
            "app.space_id": "" if space_id is None else str(space_id),
            "app.user_id": "" if user_id is None else str(user_id),
        }
        values.update(local or {})
        calls = ", ".join(f"set_config(:n{i}, :v{i}, true)" for i in range(len(values)))
        params: dict[str, str] = {}
        for i, (name, value) in enumerate(values.items()):
            params[f"n{i}"], params[f"v{i}"] = name, value
        try:
            async with AsyncExitStack() as turn:
                if self._turn is not None and not self._in_turn.get():
                    await turn.enter_async_context(self._turn)
                    reset = self._in_turn.set(True)
                    turn.callback(self._in_turn.reset, reset)
                async with self._sessions() as session, session.begin():
                    await session.execute(text(f"SELECT {calls}"), params)
                    yield session
        except DataError as exc:
            # A value PostgreSQL refuses (text with a NUL character, which JSON and form input can carry; a
            # number out of range) is the caller's mistake: a clear 422 after the rollback, not a 500.
            if isinstance(exc.orig, UntranslatableCharacter | CharacterNotInRepertoire) or "NUL" in str(exc.orig):
                message = "The text contains a character that cannot be stored (such as a NUL character)."
                raise ValidationFailed(f"{message} Remove it and try again.", code="invalid_characters") from exc
            raise ValidationFailed(
                "A value in the request cannot be stored or used (it may be too large). Check it and try again.",
                code="invalid_value",
            ) from exc

    def tenant(
        self, scope: TenantScope, *, user_id: uuid.UUID | None = None, local: Mapping[str, str] | None = None
    ) -> Any:
        """A transaction confined to one space (application filter and row-level security)."""
        if not isinstance(scope, TenantScope):
            raise RuntimeError("a tenant session needs a TenantScope")
        return self.session(
            organization_id=scope.organization_id, space_id=scope.space_id, user_id=user_id, local=local
        )

    async def dispose(self) -> None:
        if isinstance(self.bind, AsyncEngine):
            await self.bind.dispose()


_database: Database | None = None


def get_database() -> Database:
    """The process-wide database, connected as the application role."""
    global _database
    if _database is None:
        _database = Database(create_engine(get_settings().app_database_url()))
    return _database


def set_database(database: Database | None) -> None:
    """Swap the process-wide database (tests bind it to a rolled-back connection)."""
    global _database
    _database = database


async def dispose_database() -> None:
    global _database
    if _database is not None:
        await _database.dispose()
        _database = None
