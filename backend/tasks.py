"""The modules that register durable job tasks, and those that fill the agents' tool env with what a higher layer
provides; the web process and `make worker` load the same lists."""

from __future__ import annotations

import importlib

TASK_MODULES: tuple[str, ...] = (
    "backend.jobs.queue",
    "backend.tenancy.tasks",
    "backend.documents.ingest",
    "backend.documents.rescan",
    "backend.runs.tasks",
    "backend.slack.tasks",
)
TOOL_ENV_PROVIDERS: tuple[str, ...] = ("backend.content.performance",)
"""Register into `backend.agents.tools.env` at import (the team's own content with its GA4 numbers): agents may
not import content, so a run's tools get it only when the process has loaded these."""


def load_task_modules() -> None:
    for module in (*TASK_MODULES, *TOOL_ENV_PROVIDERS):
        importlib.import_module(module)
