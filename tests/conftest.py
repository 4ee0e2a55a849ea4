"""Shared fixtures for every tier.

Settings are fixed before any backend module reads them: a throwaway data dir, fake models unless a test
asks for a real one, no Redis unless a test uses the Redis fixtures. The database fixtures start ONE
embedded PostgreSQL (with pgvector) per test session in a temporary directory and apply every migration;
each test then runs inside a transaction that is rolled back (see `db`).
"""

from __future__ import annotations

import asyncio
import faulthandler
import os
import sys
import tempfile
import threading
import uuid
from collections.abc import AsyncIterator, Generator, Iterator
from pathlib import Path
from typing import TextIO

_TMP = Path(tempfile.mkdtemp(prefix="obelisk-test-"))
os.environ.update(
    {
        "ENVIRONMENT": "test",
        "DATA_DIR": str(_TMP / "data"),
        "CHAT_PROVIDER": os.environ.get("TEST_CHAT_PROVIDER", "fake"),
        "EMBEDDING_PROVIDER": os.environ.get("TEST_EMBEDDING_PROVIDER", "fake"),
        "WARM_MODELS_ON_START": "false",
        "RUN_WORKER_IN_APP": "false",
        "LOG_LEVEL": "WARNING",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        # Correctness, not speed, is tested here: retrieval's time limits are generous so a loaded machine does
        # not turn a slow page conversion into a missing result (time limits are tested with explicit values).
        "RETRIEVAL_URL_TIMEOUT_MS": "60000",
        "RETRIEVAL_STREAM_TIMEOUT_MS": "30000",
        # A search's usage is written before it answers: a write a second later would land in whatever test
        # holds the database then (the deferred write is tested with its own store in db/test_retrieval.py).
        "SEARCH_USAGE_DELAY_MS": "0",
        # A lifespan started inside the test process would freeze the whole test session's heap (every fixture
        # alive then); tests/unit/test_heap.py tests the freeze itself.
        "GC_FREEZE_ON_START": "false",
    }
)
for _name in ("DATABASE_URL", "DATABASE_APP_URL", "REDIS_URL", "MASTER_KEY", "VERTEX_PROJECT", "OPENAI_BASE_URL"):
    os.environ.pop(_name, None)

import pytest  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncEngine  # noqa: E402

from backend.core import cache as cache_module  # noqa: E402
from backend.core.config import get_settings  # noqa: E402
from backend.core.db import Database, TenantScope, create_engine, set_database  # noqa: E402

REDIS_TEST_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(scope="session")
def tmp_root() -> Path:
    return _TMP


@pytest.fixture(scope="session")
def pg_url(tmp_root: Path) -> Iterator[str]:
    """Owner URL of a per-session embedded PostgreSQL with every migration applied."""
    from backend.cli import run_migrations
    from backend.core.embedded_pg import embedded_url

    data_dir = tmp_root / "pgsession"
    data_dir.mkdir(parents=True, exist_ok=True)
    url = embedded_url(data_dir, cleanup_mode="delete")
    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    run_migrations(url)
    yield url  # cleanup_mode="delete": stopped and removed when the test process exits


@pytest.fixture(scope="session")
def app_db_url(pg_url: str) -> str:
    return get_settings().app_database_url()


@pytest.fixture(scope="session")
async def app_engine(app_db_url: str) -> AsyncIterator[AsyncEngine]:
    """Engine connected as the application role (no ownership, no BYPASSRLS)."""
    engine = create_engine(app_db_url, pool_size=5, max_overflow=5)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
async def owner_engine(pg_url: str) -> AsyncIterator[AsyncEngine]:
    """Engine connected as the schema owner: for fixtures that set up or inspect, never for app code."""
    engine = create_engine(pg_url, pool_size=2, max_overflow=2)
    yield engine
    await engine.dispose()


@pytest.fixture
async def db(app_engine: AsyncEngine) -> AsyncIterator[Database]:
    """A Database whose every session runs inside one transaction, rolled back after the test.

    It is also installed as the process-wide database, so services and the API use it.
    """
    async with app_engine.connect() as conn:
        outer = await conn.begin()
        database = Database(conn, savepoints=True)
        set_database(database)
        try:
            yield database
        finally:
            set_database(None)
            if outer.is_active:
                await outer.rollback()


@pytest.fixture
async def committed_db(app_engine: AsyncEngine, owner_engine: AsyncEngine) -> AsyncIterator[Database]:
    """A Database that really commits (for jobs and other processes); every table is emptied afterwards."""
    database = Database(app_engine)
    set_database(database)
    try:
        yield database
    finally:
        set_database(None)
        async with owner_engine.begin() as conn:
            tables = (
                await conn.execute(
                    text(
                        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                        "AND tablename <> 'alembic_version' AND tablename NOT LIKE 'procrastinate%'"
                    )
                )
            ).scalars().all()
            if tables:
                await conn.execute(text(f"TRUNCATE {', '.join(tables)} CASCADE"))


@pytest.fixture
def private_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let URL fetching reach 127.0.0.1, for a test that serves its pages there: the SSRF guard is on otherwise."""
    monkeypatch.setattr(get_settings(), "allow_private_urls", True)


@pytest.fixture
def scope() -> TenantScope:
    """A random scope (no rows behind it): for code paths that only need the ids."""
    return TenantScope(organization_id=uuid.uuid4(), space_id=uuid.uuid4())


@pytest.fixture
async def memory_backends() -> AsyncIterator[None]:
    """Fresh in-process cache and broker for the test."""
    cache_module.set_cache_and_broker(cache_module.MemoryCache(), cache_module.MemoryBroker())
    yield
    cache_module.set_cache_and_broker(None, None)


def redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1).ping())
    except Exception:
        return False


def require_redis() -> None:
    """Fail (in CI) or skip (elsewhere) the calling test when the real Redis is not reachable."""
    if not redis_available():
        if os.environ.get("CI"):
            pytest.fail("Redis is required in CI and is not reachable at " + REDIS_TEST_URL)
        pytest.skip("Redis not reachable")


@pytest.fixture
def redis_url() -> Iterator[str]:
    """The real Redis on 127.0.0.1 (database 15, flushed). Required in CI; skipped elsewhere if absent."""
    import redis

    require_redis()
    client = redis.Redis.from_url(REDIS_TEST_URL)
    client.flushdb()
    yield REDIS_TEST_URL
    client.flushdb()
    client.close()


# --- a hung test says where it hangs -------------------------------------------------------------------------
# pytest-timeout (pyproject: `timeout`) fails a test that runs too long and lets the run go on. Before that, the
# watchdog below prints every thread's stack and every pending asyncio task of the session's loop: a test that
# waits on a lock held by a task it forgot shows both ends of the wait (a thread dump alone shows only the
# loop's select).
WATCHDOG_SECONDS = float(os.environ.get("TEST_WATCHDOG_SECONDS", "240"))
_session_loop: list[asyncio.AbstractEventLoop] = []


@pytest.fixture(scope="session", autouse=True)
async def _remember_session_loop() -> AsyncIterator[None]:
    _session_loop.append(asyncio.get_running_loop())
    yield
    _session_loop.clear()


def _dump_hung_test(config: pytest.Config, nodeid: str) -> None:
    capture = config.pluginmanager.getplugin("capturemanager")
    if capture is None:
        _write_dump(nodeid)
        return
    with capture.global_and_fixture_disabled():  # straight to the terminal: a killed run keeps it
        _write_dump(nodeid)


def _write_dump(nodeid: str) -> None:
    out = sys.stderr
    print(f"\n=== watchdog: {nodeid} still running after {WATCHDOG_SECONDS:.0f} s ===", file=out, flush=True)
    faulthandler.dump_traceback(file=out, all_threads=True)
    for loop in _session_loop:
        for _attempt in range(3):  # the task set may change under us (this runs on another thread)
            try:
                tasks = list(asyncio.all_tasks(loop))
                break
            except RuntimeError:
                tasks = []
        for task in tasks:
            print(f"--- pending task {task.get_name()}: {task.get_coro()!r}", file=out)
            task.print_stack(limit=30, file=out)
    _write_sessions(out)
    out.flush()


def _write_sessions(out: TextIO) -> None:
    """The database sessions and who blocks whom (a test waiting on a row lock names the holder)."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        return
    import psycopg

    from backend.core.config import libpq_url

    try:
        with psycopg.connect(libpq_url(url), connect_timeout=5, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT pid, usename, state, wait_event_type, wait_event, pg_blocking_pids(pid), xact_start,"
                " left(query, 300) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchall()
    except Exception as exc:  # a diagnostic must not raise on the watchdog thread
        print(f"--- database sessions unavailable: {exc}", file=out)
        return
    for row in rows:
        print("--- db session", *row, sep=" | ", file=out)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, None, None]:
    timer = threading.Timer(WATCHDOG_SECONDS, _dump_hung_test, args=(item.config, item.nodeid))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
