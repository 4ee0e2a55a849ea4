"""What the platform is running on: database, pgvector, cache/broker backend. Used by health and /status."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy import text

from backend.core.cache import get_cache
from backend.core.config import get_settings
from backend.core.db import get_database

logger = logging.getLogger(__name__)


async def database_health(timeout: float = 3.0) -> dict[str, Any]:
    settings = get_settings()
    info: dict[str, Any] = {"connected": False, "embedded": settings.uses_embedded_postgres}
    try:
        async with asyncio.timeout(timeout), get_database().session() as session:
            info["server_version"] = (await session.execute(text("SHOW server_version"))).scalar()
            info["pgvector"] = (
                await session.execute(text("SELECT extversion FROM pg_extension WHERE extname = 'vector'"))
            ).scalar()
            info["role"] = (await session.execute(text("SELECT current_user"))).scalar()
            info["migration"] = (
                await session.execute(text("SELECT version_num FROM alembic_version LIMIT 1"))
            ).scalar()
            info["connected"] = True
    except Exception as exc:  # health must report, not raise
        logger.warning("database health check failed", extra={"error": type(exc).__name__})
        info["error"] = "database unreachable"
    return info


async def cache_health(timeout: float = 2.0) -> dict[str, Any]:
    cache = get_cache()
    try:
        async with asyncio.timeout(timeout):
            ok = await cache.ping()
    except Exception:
        ok = False
    return {"backend": cache.backend_name, "ok": ok}
