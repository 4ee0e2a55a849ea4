"""Imports every table module so `SQLModel.metadata` is complete (Alembic and tests use it).

Each domain adds its models module here when it gains tables.
"""
