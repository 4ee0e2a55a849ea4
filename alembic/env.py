"""Alembic environment: the URL comes from settings (the schema owner), never from alembic.ini."""

from __future__ import annotations

from sqlalchemy import create_engine, pool
from sqlmodel import SQLModel

import backend.schema  # noqa: F401  (registers every table on SQLModel.metadata)
from alembic import context
from backend.core.config import async_url, get_settings

target_metadata = SQLModel.metadata


def _url() -> str:
    configured = context.config.attributes.get("url")
    return async_url(configured or get_settings().owner_database_url())


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(_url(), poolclass=pool.NullPool)
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
