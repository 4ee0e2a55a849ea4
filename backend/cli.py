"""Operator command line: `python -m backend <command>`. The Makefile targets call these."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import typer

from backend.core.config import ROOT_DIR, get_settings

cli = typer.Typer(help="Obelisk operator commands.", no_args_is_help=True, add_completion=False)


def _echo(message: str) -> None:
    typer.echo(f"[obelisk] {message}", err=True)


def ensure_database() -> str:
    """Start the embedded PostgreSQL when no DATABASE_URL is set; return the owner URL."""
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    url = settings.owner_database_url()
    where = "embedded PostgreSQL in DATA_DIR/pg" if settings.uses_embedded_postgres else "DATABASE_URL"
    _echo(f"database ready ({where}) in {time.monotonic() - started:.1f}s")
    return url


def run_migrations(url: str | None = None) -> None:
    from alembic.config import Config

    from alembic import command

    cfg = Config(str(ROOT_DIR / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT_DIR / "alembic"))
    if url:
        cfg.attributes["url"] = url
    command.upgrade(cfg, "head")


@cli.command()
def migrate() -> None:
    """Start the database if embedded and apply every Alembic migration."""
    url = ensure_database()
    run_migrations(url)
    _echo("migrations applied")


@cli.command()
def worker() -> None:
    """Run a job worker in this process (on any machine that can reach the database)."""
    from backend.core.logging import configure_logging
    from backend.jobs import close_jobs, run_worker
    from backend.tasks import load_task_modules

    settings = get_settings()
    configure_logging(settings.log_level)
    ensure_database()
    load_task_modules()

    async def _main() -> None:
        from backend.models.accounting import flush_deferred_usage

        if settings.gc_freeze_on_start:
            from backend.core.heap import freeze_startup_heap

            freeze_startup_heap()
        try:
            await run_worker(in_app=False)
        finally:
            await close_jobs()
            await flush_deferred_usage()  # agents' searches book their usage through the deferred store
            from backend.agents.checkpoint import close_pooled_connections

            await close_pooled_connections()

    asyncio.run(_main())


@cli.command("rotate-keys")
def rotate_keys_command() -> None:
    """Rotate the JWT signing keys now: current becomes previous, a new current is made (audited)."""
    from backend.core.db import dispose_database
    from backend.tenancy.keys_admin import rotate_and_audit

    ensure_database()

    async def _main() -> str | None:
        try:
            return await rotate_and_audit(reason="operator command")
        finally:
            await dispose_database()

    kid = asyncio.run(_main())
    _echo(f"signing keys rotated; new current key {kid}")


@cli.command()
def reindex(yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation.")) -> None:
    """Re-embed every document of every space (after changing the embedding model or its dimension)."""
    from backend.documents.maintenance import reset_embeddings, stored_dimension
    from backend.documents.models import embedding_dimension

    url = ensure_database()
    run_migrations(url)
    before, after = stored_dimension(url), embedding_dimension()
    _echo(f"stored vectors: {before}-d; configured embedding model: {after}-d")
    if not yes and not typer.confirm("Delete every chunk and ingest every document again?"):
        raise typer.Exit(1)
    documents = reset_embeddings(url, after)

    async def _queue() -> None:
        from backend.documents.ingest import defer_ingestion
        from backend.jobs import close_jobs, open_jobs

        await open_jobs()
        try:
            for doc in documents:
                await defer_ingestion(doc)
        finally:
            await close_jobs()

    asyncio.run(_queue())
    _echo(f"{len(documents)} documents queued for ingestion; a running worker processes them")


def queue_rescans(owner_url: str) -> int:
    """Queue a re-scan of every space whose chunks an older injection detector judged; how many."""
    from backend.core.db import TenantScope
    from backend.documents.maintenance import spaces_to_rescan
    from backend.safety.contamination import DETECTOR_VERSION

    spaces = spaces_to_rescan(owner_url, DETECTOR_VERSION)
    if not spaces:
        return 0

    async def _queue() -> None:
        from backend.documents.rescan import defer_rescan
        from backend.jobs import close_jobs, open_jobs

        await open_jobs()
        try:
            for organization_id, space_id in spaces:
                await defer_rescan(TenantScope(organization_id, space_id))
        finally:
            await close_jobs()

    asyncio.run(_queue())
    return len(spaces)


@cli.command()
def rescan() -> None:
    """Queue a re-scan of the chunks an older injection detector judged (a running worker does it)."""
    url = ensure_database()
    run_migrations(url)
    _echo(f"{queue_rescans(url)} space(s) queued for a re-scan")


@cli.command("stop-db")
def stop_db() -> None:
    """Stop the embedded PostgreSQL (no-op with DATABASE_URL)."""
    from backend.core.embedded_pg import stop_embedded

    settings = get_settings()
    if settings.uses_embedded_postgres and stop_embedded(settings.data_dir):
        _echo("embedded PostgreSQL stopped")


@cli.command()
def run(dev: bool = typer.Option(False, help="Hot-reloading dev server instead of production mode.")) -> None:
    """Set up (database, migrations) and serve the app; stop everything cleanly on SIGTERM/SIGINT."""
    settings = get_settings()
    ports = [settings.port] if not dev else [settings.port, int(os.environ.get("BACKEND_PORT", "8000"))]
    busy = [p for p in ports if not _port_free(p)]
    if busy:
        _echo(f"port {busy[0]} is already in use (is Obelisk already running?). Stop it, or set PORT to another port.")
        raise typer.Exit(1)
    from backend.core.embedded_pg import embedded_running

    # Only the launcher that started the embedded server stops it: a second launcher must not pull the
    # database from under the first.
    started_db = settings.uses_embedded_postgres and not embedded_running(settings.data_dir)
    url = ensure_database()
    run_migrations(url)
    _echo("migrations applied")
    queued = queue_rescans(url)
    if queued:
        _echo(f"the injection detector changed: {queued} space(s) queued for a re-scan of their library")
    env = {
        **os.environ,
        "REFLEX_USE_SYSTEM_BUN": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "REFLEX_CHECK_LATEST_VERSION": "false",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    bin_dir = Path(sys.executable).parent
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    reflex = [str(bin_dir / "reflex"), "run", "--loglevel", "warning"]
    if dev:
        reflex += ["--env", "dev", "--frontend-port", str(settings.port)]
    else:
        port = str(settings.port)
        reflex += ["--env", "prod", "--single-port", "--frontend-port", port, "--backend-port", port]
    _echo(f"starting Reflex ({'dev' if dev else 'production'}) on http://localhost:{settings.port}")
    child = subprocess.Popen(reflex, cwd=ROOT_DIR, env=env, start_new_session=True)  # noqa: S603 (fixed argv)

    def _forward(signum: int, _frame: object) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signum)

    signal.signal(signal.SIGTERM, _forward)
    signal.signal(signal.SIGINT, _forward)
    code = 0
    try:
        code = child.wait()
    finally:
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
        if started_db:
            from backend.core.embedded_pg import stop_embedded

            if stop_embedded(settings.data_dir):
                _echo("embedded PostgreSQL stopped cleanly")
    raise typer.Exit(code if code >= 0 else 0)


def _port_free(port: int) -> bool:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        # SO_REUSEADDR: connections of a just-stopped app lingering in TIME_WAIT do not make the port busy.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("0.0.0.0", port))  # noqa: S104  (the app itself listens on every interface)
        except OSError:
            return False
    return True


@cli.command("prepare-models")
def prepare_models() -> None:
    """Assemble and verify the local models when they are selected (a no-op once done, or with remote models)."""
    from backend.models.errors import ModelError
    from backend.models.setup import prepare_models as prepare

    try:
        prepare(get_settings(), progress=_echo)
    except ModelError as exc:
        _echo(f"models are not ready: {exc.message}")
        raise typer.Exit(1) from exc


def main() -> None:
    cli()
