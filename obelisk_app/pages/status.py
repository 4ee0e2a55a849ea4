"""`/status`: what `/api/v1/health` reports, for people.

Like the API, the page tells an anonymous visitor the overall status only: versions, the schema revision,
models and queue counts help an attacker more than a visitor, so they are filled in only for a signed-in
user (the token is verified on the server; the browser's claim to be signed in counts for nothing).
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from backend.core.errors import AppError
from backend.dashboard.status import collect_health
from backend.tenancy.access import authenticate
from obelisk_app import routes, styles
from obelisk_app.layout import template
from obelisk_app.states.auth import AuthState
from obelisk_app.states.log_scope import event_scope


class StatusState(rx.State):
    overall: str = "loading"
    # True once the detail below was filled in for a verified signed-in user.
    detailed: bool = False
    db_connected: bool = False
    db_version: str = ""
    db_embedded: bool = False
    pgvector: str = ""
    migration: str = ""
    cache_backend: str = ""
    cache_ok: bool = False
    worker: str = ""
    worker_in_process: bool = False
    live_workers: int = 0
    queue: dict[str, int] = {}
    chat_model: str = ""
    embedding_model: str = ""
    model_note: str = ""
    version: str = ""
    environment: str = ""

    @rx.event
    async def load(self) -> None:
        report: dict[str, Any] = await collect_health()
        if not await self._signed_in():
            self.reset()
            self.overall = report["status"]
            return
        self.overall = report["status"]
        self.detailed = True
        db, jobs, models = report["database"], report["jobs"], report["models"]
        self.db_connected = bool(db.get("connected"))
        self.db_version = str(db.get("server_version") or "unreachable")
        self.db_embedded = bool(db.get("embedded"))
        self.pgvector = str(report.get("pgvector") or "missing")
        self.migration = str(db.get("migration") or "none")
        self.cache_backend = report["redis"]
        self.cache_ok = bool(report["cache"]["ok"])
        self.worker = jobs["worker"]
        self.worker_in_process = bool(jobs["in_process"])
        self.live_workers = int(jobs["live_workers"])
        self.queue = {str(k): int(v) for k, v in jobs.get("queue", {}).items()}
        self.chat_model = models["chat"]
        self.embedding_model = models["embeddings"]
        self.model_note = models.get("note") or ""
        self.version = report["version"]
        self.environment = report["environment"]

    async def _signed_in(self) -> bool:
        token = (await self.get_state(AuthState)).access_token
        if not token:
            return False
        try:
            with event_scope():
                await authenticate(token)
        except AppError:
            return False
        return True


def _row(label: str, value: rx.Var | str, ok: rx.Var | bool | None = None, testid: str = "") -> rx.Component:
    badge = (
        rx.cond(ok, rx.badge("ok", color_scheme="green"), rx.badge("problem", color_scheme="red"))
        if ok is not None
        else rx.fragment()
    )
    return rx.hstack(
        rx.text(label, color=rx.color("gray", 11), width="12rem"),
        rx.text(value, weight="medium", data_testid=testid),
        badge,
        align="center",
        spacing="3",
        wrap="wrap",
    )


def _section(title: str, *rows: rx.Component) -> rx.Component:
    return rx.vstack(rx.heading(title, size="4"), *rows, spacing="2", width="100%", style=styles.card)


@template(route=routes.STATUS, title="Status", on_load=StatusState.load, public=True)
def status() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text("Overall:"),
            rx.badge(
                StatusState.overall,
                color_scheme=rx.cond(StatusState.overall == "ok", "green", "orange"),
                size="2",
                data_testid="status-overall",
            ),
            rx.spacer(),
            rx.button(rx.icon("refresh-cw", size=16), "Refresh", on_click=StatusState.load, variant="soft"),
            width="100%",
            align="center",
        ),
        rx.cond(StatusState.detailed, _details(), _sign_in_hint()),
        spacing="4",
        width="100%",
    )


def _sign_in_hint() -> rx.Component:
    return rx.text(
        "Sign in to see the database, cache, jobs and models.",
        color=rx.color("gray", 11),
        data_testid="status-sign-in-hint",
    )


def _details() -> rx.Component:
    return rx.vstack(
        _section(
            "Database",
            _row("PostgreSQL", StatusState.db_version, StatusState.db_connected, "status-db-version"),
            _row("pgvector", StatusState.pgvector, None, "status-pgvector"),
            _row("Server", rx.cond(StatusState.db_embedded, "embedded (in DATA_DIR)", "external (DATABASE_URL)")),
            _row("Schema revision", StatusState.migration),
        ),
        _section(
            "Cache and broker",
            _row("Backend", StatusState.cache_backend, StatusState.cache_ok, "status-cache"),
        ),
        _section(
            "Jobs",
            _row("Worker in this process", StatusState.worker, None, "status-worker"),
            _row("Live workers", StatusState.live_workers.to_string()),
            rx.foreach(StatusState.queue, lambda kv: _row(f"Jobs {kv[0]}", kv[1].to_string())),
        ),
        _section(
            "Models",
            _row("Chat", StatusState.chat_model, None, "status-chat-model"),
            _row("Embeddings", StatusState.embedding_model, None, "status-embedding-model"),
            rx.cond(StatusState.model_note != "", rx.callout(StatusState.model_note, icon="info", size="1")),
        ),
        rx.text("Obelisk ", StatusState.version, " · ", StatusState.environment, size="1", color=rx.color("gray", 10)),
        spacing="4",
        width="100%",
    )
