"""Document and chunk tables. Both are space-scoped tenant tables under forced row-level security
(migration 0004_documents). This module only declares them; `repository` reads and writes them.

The vector column's dimension is fixed when the table is created, from the embedding model configured
then (`embedding_dimension`): pgvector can only index a column of one dimension, and vectors of two models
must never be compared. Every chunk also records the model id that made its vector.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any, Literal

import sqlalchemy as sa
from pgvector.sqlalchemy import HALFVEC, VECTOR
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlmodel import Field, SQLModel

from backend.core.config import Settings, get_settings
from backend.models.info import resolve_provider

DocumentStatus = Literal["queued", "converting", "chunking", "embedding", "ready", "failed"]
STATUSES: tuple[str, ...] = ("queued", "converting", "chunking", "embedding", "ready", "failed")
IN_FLIGHT: tuple[str, ...] = ("queued", "converting", "chunking", "embedding")
HALFVEC_ABOVE = 2000
"""pgvector's HNSW indexes `vector` up to 2,000 dimensions; larger embeddings are stored as `halfvec`."""


def embedding_dimension(settings: Settings | None = None) -> int:
    """The dimension of the configured embedding model, known without loading it."""
    settings = settings or get_settings()
    provider = resolve_provider(settings.embedding_provider, settings)
    if provider == "vertex":
        return settings.vertex_embedding_dimensions
    if provider == "openai_compatible":
        return settings.openai_embedding_dimensions or 1536
    return 384  # all-MiniLM-L6-v2 (local) and the fake embedder


def vector_type(dimension: int) -> Any:
    return HALFVEC(dimension) if dimension > HALFVEC_ABOVE else VECTOR(dimension)


def _now() -> datetime:
    return datetime.now(UTC)


def _space_fk(target: str) -> Any:
    return sa.Column(sa.Uuid, sa.ForeignKey(target, ondelete="CASCADE"), nullable=False)


class Document(SQLModel, table=True):
    """One uploaded file or fetched web page in a space, and where its ingestion stands."""

    __tablename__ = "documents"
    __table_args__ = (
        sa.Index("ix_documents_space_created", "space_id", "created_at"),
        # Every search's eligibility read, index-only (migration 0021_search_eligibility).
        sa.Index(
            "ix_documents_space_eligibility",
            "space_id",
            postgresql_include=["id", "status", "tags", "chunk_count", "quarantined_count"],
        ),
        # The same bytes uploaded twice to one space are one document (a different space gets its own copy).
        sa.Index(
            "uq_documents_space_sha256",
            "space_id",
            "sha256",
            unique=True,
            postgresql_where=sa.text("sha256 IS NOT NULL"),
        ),
        sa.CheckConstraint(f"status IN {STATUSES!r}", name="ck_documents_status"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    organization_id: uuid.UUID = Field(sa_column=_space_fk("organizations.id"))
    space_id: uuid.UUID = Field(sa_column=_space_fk("spaces.id"))
    title: str = Field(max_length=500)
    filename: str = Field(max_length=500, description="Display name only; never used as a path")
    kind: str = Field(max_length=16, description="pdf, docx, pptx, xlsx, csv, html, markdown, txt")
    mime_type: str = Field(default="", max_length=200)
    source_url: str | None = Field(default=None, sa_type=sa.Text, nullable=True)
    size_bytes: int = Field(default=0, sa_type=sa.BigInteger)
    sha256: str | None = Field(default=None, max_length=64, nullable=True)
    storage_key: str | None = Field(default=None, max_length=500, nullable=True)
    status: str = Field(default="queued", max_length=16)
    progress: int = Field(default=0, sa_type=sa.SmallInteger)
    error: str | None = Field(default=None, sa_type=sa.Text, nullable=True)
    pages: int | None = Field(default=None, sa_type=sa.Integer, nullable=True)
    chunk_count: int = Field(default=0, sa_type=sa.Integer)
    quarantined_count: int = Field(default=0, sa_type=sa.Integer)
    tags: list[str] = Field(default_factory=list, sa_type=ARRAY(sa.String(64)), nullable=False)
    structure: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB, nullable=False)
    valid_until: date | None = Field(default=None, sa_type=sa.Date, nullable=True)
    embedding_model: str | None = Field(default=None, max_length=200, nullable=True)
    uploaded_by: uuid.UUID | None = Field(default=None, nullable=True)
    uploaded_by_email: str | None = Field(default=None, max_length=320, nullable=True)
    attempts: int = Field(default=0, sa_type=sa.Integer)
    created_at: datetime = Field(default_factory=_now, sa_type=sa.DateTime(timezone=True), nullable=False)
    updated_at: datetime = Field(default_factory=_now, sa_type=sa.DateTime(timezone=True), nullable=False)
    ready_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True), nullable=True)


class DocumentChunk(SQLModel, table=True):
    """One retrievable piece of a document, with its vector and (generated) full-text column."""

    __tablename__ = "chunks"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    organization_id: uuid.UUID = Field(nullable=False)
    space_id: uuid.UUID = Field(nullable=False)
    document_id: uuid.UUID = Field(sa_column=_space_fk("documents.id"))
    chunk_index: int = Field(sa_type=sa.Integer)
    content: str = Field(sa_type=sa.Text)
    heading_path: list[str] = Field(default_factory=list, sa_type=ARRAY(sa.Text), nullable=False)
    page: int | None = Field(default=None, sa_type=sa.Integer, nullable=True)
    kind: str = Field(default="text", max_length=16)
    content_hash: str = Field(max_length=64)
    token_count: int = Field(default=0, sa_type=sa.Integer)
    meta: dict[str, Any] = Field(default_factory=dict, sa_column=sa.Column("metadata", JSONB, nullable=False))
    embedding: Any = Field(default=None, sa_column=sa.Column(vector_type(embedding_dimension()), nullable=True))
    embedding_model: str | None = Field(default=None, max_length=200, nullable=True)
    image_embedding: Any = Field(
        default=None,
        sa_column=sa.Column(vector_type(get_settings().vertex_multimodal_dimensions), nullable=True),
        description="Image chunks with Vertex AI: the picture's multimodal vector (visual search); else NULL.",
    )
    quarantined: bool = Field(default=False)
    quarantine_reason: str | None = Field(default=None, sa_type=sa.Text, nullable=True)
    released_by: uuid.UUID | None = Field(default=None, nullable=True)
    scan_version: str | None = Field(default=None, max_length=100, nullable=True)
    """The injection detector's version that gave the verdict: chunks of an older one are scanned again."""
    scan_evidence: dict[str, Any] | None = Field(default=None, sa_column=sa.Column(JSONB, nullable=True))
    """Why the chunk was quarantined (family, span, decoded text, confidence); NULL when it is clean."""
    created_at: datetime = Field(default_factory=_now, sa_type=sa.DateTime(timezone=True), nullable=False)


__all__ = [
    "HALFVEC_ABOVE",
    "IN_FLIGHT",
    "STATUSES",
    "Document",
    "DocumentChunk",
    "DocumentStatus",
    "embedding_dimension",
    "vector_type",
]
