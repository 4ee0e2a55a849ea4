"""Operator maintenance across every space: re-embedding everything after the embedding model changed, and
finding the spaces whose chunks an older injection detector judged.

This is the one place that works across tenants, and it does so only through the schema owner's connection,
from the operator command line (`python -m backend reindex`), never from a request. Row-level security is
lifted for the owner inside the same transaction that does the work and restored before it commits, so no
other session ever sees the tables without it.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

import psycopg

from backend.core.config import libpq_url
from backend.documents.models import HALFVEC_ABOVE, embedding_dimension

logger = logging.getLogger(__name__)
# Tables the reset touches: chunks, documents, and the per-space term statistics that triggers on chunks keep.
_TABLES = ("documents", "chunks", "chunk_terms", "chunk_space_stats")


@dataclass(frozen=True, slots=True)
class QueuedDocument:
    id: uuid.UUID
    organization_id: uuid.UUID
    space_id: uuid.UUID


def stored_dimension(owner_url: str) -> int | None:
    """The dimension of the chunks' vector column as it is in the database."""
    with psycopg.connect(libpq_url(owner_url)) as conn:
        row = conn.execute(
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
            "WHERE attrelid = 'chunks'::regclass AND attname = 'embedding'"
        ).fetchone()
    if row is None:
        return None
    text = str(row[0])
    return int(text[text.index("(") + 1 : text.index(")")]) if "(" in text else None


def spaces_to_rescan(owner_url: str, version: str) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(organization id, space id) of every space holding chunks whose verdict is not from `version`.

    Reads ids only; the re-scan itself runs in each space's own transactions (`documents.rescan`).
    """
    with psycopg.connect(libpq_url(owner_url)) as conn, conn.transaction():
        bypass = conn.execute("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user").fetchone()
        if not (bypass and bypass[0]):
            conn.execute("ALTER TABLE chunks NO FORCE ROW LEVEL SECURITY")
        rows = conn.execute(
            "SELECT DISTINCT organization_id, space_id FROM chunks WHERE scan_version IS DISTINCT FROM %s",
            (version,),
        ).fetchall()
        if not (bypass and bypass[0]):
            conn.execute("ALTER TABLE chunks FORCE ROW LEVEL SECURITY")
    return [(r[0], r[1]) for r in rows]


def reset_embeddings(owner_url: str, dimension: int | None = None) -> list[QueuedDocument]:
    """Re-create the vector column for `dimension` (default: the configured model's), drop every chunk and mark
    every document queued. Returns the documents to ingest again; the caller queues their jobs."""
    dimension = dimension or embedding_dimension()
    column = f"halfvec({dimension})" if dimension > HALFVEC_ABOVE else f"vector({dimension})"
    ops = "halfvec_cosine_ops" if dimension > HALFVEC_ABOVE else "vector_cosine_ops"
    with psycopg.connect(libpq_url(owner_url)) as conn, conn.transaction():
        for table in _TABLES:
            conn.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        conn.execute("DROP INDEX IF EXISTS ix_chunks_embedding_hnsw")
        conn.execute("DELETE FROM chunks")
        conn.execute(f"ALTER TABLE chunks ALTER COLUMN embedding TYPE {column} USING NULL")
        conn.execute(
            f"CREATE INDEX ix_chunks_embedding_hnsw ON chunks USING hnsw (embedding {ops}) "
            "WITH (m = 16, ef_construction = 64)"
        )
        rows = conn.execute(
            "UPDATE documents SET status = 'queued', progress = 0, error = NULL, chunk_count = 0, "
            "quarantined_count = 0, embedding_model = NULL, updated_at = now() "
            "RETURNING id, organization_id, space_id"
        ).fetchall()
        for table in _TABLES:
            conn.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    logger.warning("embeddings reset", extra={"dimension": dimension, "documents": len(rows)})
    return [QueuedDocument(r[0], r[1], r[2]) for r in rows]
