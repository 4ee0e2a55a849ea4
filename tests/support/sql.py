"""Statements a test runs beside the code under test, off the event loop.

A test's own synchronous connection must not write on the event loop thread: a write that waits for a row lock
held by one of the process's async connections (a job the in-process worker is finishing) waits for a loop it
blocks, and the run hangs. These run in a thread, with a lock timeout, so such a wait fails the test instead.
"""

from __future__ import annotations

import asyncio
from typing import Any

import psycopg

LOCK_TIMEOUT = "30s"


def _run(url: str, statement: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
        conn.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
        cursor = conn.execute(statement, params)  # type: ignore[arg-type]
        return cursor.fetchall() if cursor.description else []


async def run_sql(url: str, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Run one statement in autocommit on a connection of its own, in a thread; the rows it returns."""
    return await asyncio.to_thread(_run, url, statement, params)


__all__ = ["run_sql"]
