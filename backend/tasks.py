"""The modules that register durable job tasks; the web process and `make worker` load the same list."""

from __future__ import annotations

import importlib

TASK_MODULES: tuple[str, ...] = (
    "backend.jobs.queue",
    "backend.tenancy.tasks",
    "backend.documents.ingest",
    "backend.documents.rescan",
    "backend.runs.tasks",
)


def load_task_modules() -> None:
    for module in TASK_MODULES:
        importlib.import_module(module)
