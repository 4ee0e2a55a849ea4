"""`python -m backend reindex`: the vector column follows a new embedding model and every document is queued."""

from __future__ import annotations

import psycopg
import pytest

from backend.core.db import Database
from backend.documents import ingest, service
from backend.documents.maintenance import reset_embeddings, stored_dimension
from tests.support.tenants import new_tenant
from tests.unit.documents import fixtures


async def test_reset_changes_the_column_requeues_documents_and_keeps_rls(
    committed_db: Database, pg_url: str, memory_backends: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def no_job(document: object) -> None:
        return None

    monkeypatch.setattr(ingest, "defer_ingestion", no_job)
    ctx = await (await new_tenant("maintenance")).context()
    doc = (await service.add_upload(ctx, data=fixtures.build_markdown(), filename="a.md")).document
    await ingest.run_ingestion(ctx.scope, doc.id)
    assert stored_dimension(pg_url) == 384
    try:
        queued = reset_embeddings(pg_url, 768)
        assert [q.id for q in queued] == [doc.id] and stored_dimension(pg_url) == 768
        after = await service.get_document(ctx, doc.id)
        assert after.status == "queued" and after.chunk_count == 0
    finally:
        queued = reset_embeddings(pg_url, 384)
    assert stored_dimension(pg_url) == 384
    with psycopg.connect(pg_url) as conn:
        flags = conn.execute(
            "SELECT bool_and(relrowsecurity AND relforcerowsecurity) FROM pg_class "
            "WHERE relname IN ('documents', 'chunks')"
        ).fetchone()
        assert flags == (True,), "row-level security is forced again after the maintenance transaction"
        assert conn.execute(
            "SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_chunks_embedding_hnsw'"
        ).fetchone() == (1,)
    await ingest.run_ingestion(ctx.scope, doc.id)
    assert (await service.get_document(ctx, doc.id)).status == "ready"
