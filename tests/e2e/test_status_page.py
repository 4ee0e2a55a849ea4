"""The production app serves /status with what health reports, and survives SIGTERM without loss."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from tests.e2e.conftest import ROOT, RunningApp, app_env
from tests.support.browser import sign_up_in_browser

pytestmark = pytest.mark.e2e


async def test_status_page_shows_database_pgvector_and_backends(page: Any, running_app: RunningApp) -> None:
    # Anonymous: the overall status and a hint to sign in, nothing about what runs behind it.
    await page.goto("/status")
    await page.get_by_test_id("status-sign-in-hint").wait_for()
    # The hint is there at once; the status arrives with the page's first health check.
    await page.wait_for_function(
        "document.querySelector('[data-testid=status-overall]')?.textContent !== 'loading'"
    )
    assert await page.get_by_test_id("status-overall").text_content() == "ok"
    assert await page.get_by_test_id("status-pgvector").count() == 0

    await sign_up_in_browser(
        page, name="Stella Status", organization="Status Co", email="stella@status.example", password="stella-pw-123"
    )
    await page.goto("/status")
    version = page.get_by_test_id("status-pgvector")
    await version.wait_for()
    await page.wait_for_function(
        "document.querySelector('[data-testid=status-pgvector]').textContent.match(/^\\d+\\.\\d+/)"
    )
    text = await version.text_content()
    assert re.match(r"^0\.(8|9)|^[1-9]", text or ""), text
    assert "18" in (await page.get_by_test_id("status-db-version").text_content() or "")
    assert await page.get_by_test_id("status-cache").text_content() == "in-process"
    assert await page.get_by_test_id("status-overall").text_content() == "ok"
    assert await page.get_by_test_id("status-worker").text_content() == "running"
    assert (await page.get_by_test_id("status-embedding-model").text_content() or "").strip()


async def test_theme_switch_and_navigation_are_present(page: Any, running_app: RunningApp) -> None:
    await page.goto("/status")
    await page.get_by_test_id("status-overall").wait_for()
    html = page.locator("html")
    before = await html.get_attribute("class") or ""
    await page.get_by_label("Toggle light and dark theme").click()
    await page.wait_for_function(f"document.documentElement.className !== {before!r}")
    assert (await html.get_attribute("class") or "") != before
    assert await page.get_by_test_id("nav-status").count() >= 1


def test_sigterm_then_restart_keeps_committed_data(running_app: RunningApp) -> None:
    data_dir = running_app.data_dir
    owner_url = _owner_url(data_dir)
    with psycopg.connect(owner_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE durability_probe (value text)")
        conn.execute("INSERT INTO durability_probe VALUES ('written before SIGTERM')")
    code = running_app.stop()
    log = running_app.log.read_text()
    assert code == 0, log[-3000:]
    assert "embedded PostgreSQL stopped cleanly" in log
    assert not (data_dir / "pg" / "postmaster.pid").exists(), "PostgreSQL must be shut down with the app"

    running_app.restart()
    # Anonymous callers get the status alone; "ok" means the database answered.
    assert httpx.get(f"{running_app.url}/api/v1/health", timeout=5).json()["status"] == "ok"
    with psycopg.connect(_owner_url(data_dir)) as conn:
        rows = conn.execute("SELECT value FROM durability_probe").fetchall()
        conn.execute("DROP TABLE durability_probe")
        conn.commit()
    assert rows == [("written before SIGTERM",)]


def test_a_second_launcher_on_a_busy_port_leaves_the_running_app_alone(running_app: RunningApp) -> None:
    second = subprocess.run(
        [sys.executable, "-m", "backend", "run"],
        cwd=ROOT,
        env=app_env(running_app.data_dir, running_app.port),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert second.returncode == 1 and "already in use" in second.stderr, second.stderr[-2000:]
    health = httpx.get(f"{running_app.url}/api/v1/health", timeout=5).json()
    assert health["status"] == "ok", "the first app keeps its database"


def _owner_url(data_dir: Path) -> str:
    from backend.core.embedded_pg import embedded_url

    return embedded_url(data_dir)
