"""Documents and their chunks: vectors (HNSW, cosine), generated full-text column (GIN), space RLS.

Revision ID: 0004_documents
Revises: 0003_model_usage
Create Date: 2026-12-02

The vector column takes the dimension of the embedding model configured when this migration runs
(384 for the local MiniLM model); `halfvec` above 2,000 dimensions, where HNSW on `vector` stops. Changing
the embedding model later means re-indexing (`python -m backend reindex`), which re-creates the column.

Both tables are space-scoped: forced row-level security confines every read and write to the
transaction's `app.space_id`, so a query that forgets its filter returns nothing of another space.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from alembic import op
from backend.core.rls import disable_rls, enable_space_rls
from backend.documents.models import HALFVEC_ABOVE, STATUSES, embedding_dimension, vector_type

revision: str = "0004_documents"
down_revision: str | None = "0003_model_usage"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

_TZ = sa.DateTime(timezone=True)


def _fk(name: str, target: str) -> sa.Column:
    return sa.Column(name, sa.Uuid, sa.ForeignKey(target, ondelete="CASCADE"), nullable=False)


def upgrade() -> None:
    dimension = embedding_dimension()
    op.create_table(
        "documents",
        sa.Column("id", sa.Uuid, primary_key=True),
        _fk("organization_id", "organizations.id"),
        _fk("space_id", "spaces.id"),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("filename", sa.String(500), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("mime_type", sa.String(200), nullable=False, server_default=""),
        sa.Column("source_url", sa.Text, nullable=True),
        sa.Column("size_bytes", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("sha256", sa.String(64), nullable=True),
        sa.Column("storage_key", sa.String(500), nullable=True),
        sa.Column("status", sa.String(16), nullable=False, server_default="queued"),
        sa.Column("progress", sa.SmallInteger, nullable=False, server_default="0"),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("pages", sa.Integer, nullable=True),
        sa.Column("chunk_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("quarantined_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("tags", ARRAY(sa.String(64)), nullable=False, server_default="{}"),
        sa.Column("structure", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("valid_until", sa.Date, nullable=True),
        sa.Column("embedding_model", sa.String(200), nullable=True),
        sa.Column("uploaded_by", sa.Uuid, nullable=True),
        sa.Column("uploaded_by_email", sa.String(320), nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", _TZ, nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", _TZ, nullable=False, server_default=sa.func.now()),
        sa.Column("ready_at", _TZ, nullable=True),
        sa.CheckConstraint(f"status IN {STATUSES!r}", name="ck_documents_status"),
    )
    op.create_index("ix_documents_space_created", "documents", ["space_id", "created_at"])
    op.create_index(
        "uq_documents_space_sha256",
        "documents",
        ["space_id", "sha256"],
        unique=True,
        postgresql_where=sa.text("sha256 IS NOT NULL"),
    )
    op.create_index("ix_documents_space_tags", "documents", ["tags"], postgresql_using="gin")

    op.create_table(
        "chunks",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("organization_id", sa.Uuid, nullable=False),
        sa.Column("space_id", sa.Uuid, nullable=False),
        _fk("document_id", "documents.id"),
        sa.Column("chunk_index", sa.Integer, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("heading_path", ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("page", sa.Integer, nullable=True),
        sa.Column("kind", sa.String(16), nullable=False, server_default="text"),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("token_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("metadata", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("embedding", vector_type(dimension), nullable=True),
        sa.Column("embedding_model", sa.String(200), nullable=True),
        sa.Column("quarantined", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("quarantine_reason", sa.Text, nullable=True),
        sa.Column("released_by", sa.Uuid, nullable=True),
        sa.Column("created_at", _TZ, nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("document_id", "chunk_index", name="uq_chunks_document_index"),
    )
    # Headings weigh more than body text in keyword search: a match in the section title is a strong signal.
    # array_to_string is only STABLE (it could depend on settings for some element types); for text[] it is
    # not, and a generated column needs an IMMUTABLE expression, hence this wrapper.
    op.execute(
        "CREATE FUNCTION obelisk_heading_text(text[]) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE "
        "AS $$ SELECT array_to_string($1, ' ') $$"
    )
    op.execute(
        "ALTER TABLE chunks ADD COLUMN tsv tsvector GENERATED ALWAYS AS ("
        "setweight(to_tsvector('english', obelisk_heading_text(heading_path)), 'A') || "
        "setweight(to_tsvector('english', content), 'B')) STORED"
    )
    op.create_index("ix_chunks_space_document", "chunks", ["space_id", "document_id", "chunk_index"])
    op.create_index("ix_chunks_space_hash", "chunks", ["space_id", "content_hash"])
    op.create_index("ix_chunks_tsv", "chunks", ["tsv"], postgresql_using="gin")
    ops = "halfvec_cosine_ops" if dimension > HALFVEC_ABOVE else "vector_cosine_ops"
    op.execute(
        f"CREATE INDEX ix_chunks_embedding_hnsw ON chunks USING hnsw (embedding {ops}) "
        "WITH (m = 16, ef_construction = 64)"
    )

    for table in ("documents", "chunks"):
        for statement in enable_space_rls(table):
            op.execute(statement)


def downgrade() -> None:
    for table in ("chunks", "documents"):
        for statement in disable_rls(table):
            op.execute(statement)
    op.drop_table("chunks")
    op.drop_table("documents")
    op.execute("DROP FUNCTION IF EXISTS obelisk_heading_text(text[])")
