"""Retrieval's tables (migration 0005_retrieval), all space-scoped under forced row-level security.

- `key_facts`: short facts a space pins ("Our launch date is 12 May", "We never discount the Pro plan"); the
  business-context stream returns them with every search.
- `chunk_terms` and `chunk_space_stats`: per-space keyword statistics (how many chunks contain each term,
  how many chunks and tokens the space holds). BM25 needs them for the rarity (IDF) of a query's terms and
  for length normalisation; PostgreSQL's own `ts_rank` knows neither. Triggers on `chunks` keep them exact
  in the same transaction that adds or removes chunks, so no job can fall behind. Terms are tenant data
  (they spell out the documents' vocabulary): they never leave their space.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

KEY_FACT_MAX_CHARS = 500


def _now() -> datetime:
    return datetime.now(UTC)


def _fk(target: str, *, primary_key: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(sa.Uuid, sa.ForeignKey(target, ondelete="CASCADE"), nullable=False, primary_key=primary_key)


class KeyFact(SQLModel, table=True):
    """A fact pinned to a space: always part of the business context an agent writes with."""

    __tablename__ = "key_facts"
    __table_args__ = (sa.Index("ix_key_facts_space_created", "space_id", "created_at"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    organization_id: uuid.UUID = Field(sa_column=_fk("organizations.id"))
    space_id: uuid.UUID = Field(sa_column=_fk("spaces.id"))
    text: str = Field(sa_type=sa.Text)
    created_by: uuid.UUID | None = Field(default=None, nullable=True)
    created_at: datetime = Field(default_factory=_now, sa_type=sa.DateTime(timezone=True), nullable=False)


class ChunkTerm(SQLModel, table=True):
    """How many chunks of a space contain a (stemmed) term: the document frequency behind BM25's IDF."""

    __tablename__ = "chunk_terms"

    space_id: uuid.UUID = Field(sa_column=_fk("spaces.id", primary_key=True))
    term: str = Field(sa_column=sa.Column(sa.Text, primary_key=True))
    organization_id: uuid.UUID = Field(nullable=False)
    df: int = Field(sa_type=sa.Integer)


class ChunkSpaceStats(SQLModel, table=True):
    """How many chunks and tokens a space holds (BM25's N and average length)."""

    __tablename__ = "chunk_space_stats"

    space_id: uuid.UUID = Field(sa_column=_fk("spaces.id", primary_key=True))
    organization_id: uuid.UUID = Field(nullable=False)
    chunks: int = Field(default=0, sa_type=sa.BigInteger)
    tokens: int = Field(default=0, sa_type=sa.BigInteger)


__all__ = ["KEY_FACT_MAX_CHARS", "ChunkSpaceStats", "ChunkTerm", "KeyFact"]
