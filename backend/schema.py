"""Imports every table module so `SQLModel.metadata` is complete (Alembic and tests use it).

Each domain adds its models module here when it gains tables.
"""

import backend.agents.models  # agent settings and conversations
import backend.analytics.models  # GA4 connections and OAuth states
import backend.content.models  # content items, versions, review transitions, comments
import backend.documents.models  # documents and chunks
import backend.models.usage  # model usage and space budgets
import backend.retrieval.models  # key facts and keyword statistics
import backend.runs.models  # agent runs and their event log
import backend.tenancy.models  # noqa: F401  (tenancy tables and signing keys)
