"""Search: a covering index for the eligibility read of every search.

Revision ID: 0021_search_eligibility
Revises: 0020_slack_channel_name
Create Date: 2026-12-05

Every search first reads which of the space's documents it may return (`retrieval.queries.eligibility`): one
pass over all the space's documents for their status, tags, chunk and quarantine counters. With 31,250
documents (100,000 chunks, bench_runs' first-token corpus) that pass read every heap page of the space's
documents and was the search's first statement on both legs' critical path. With the columns it reads carried
in an index keyed by space it is an index-only scan once autovacuum has set the visibility map: 16 → 11 ms
filtered by a collection, 9.5 → 6.7 ms unfiltered. The price: changes of those columns (status, tags,
counters) are no longer HOT updates, a few per document ingested.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0021_search_eligibility"
down_revision: str | None = "0020_slack_channel_name"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


ELIGIBILITY_COLUMNS = ["id", "status", "tags", "chunk_count", "quarantined_count"]


def upgrade() -> None:
    op.create_index("ix_documents_space_eligibility", "documents", ["space_id"], postgresql_include=ELIGIBILITY_COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_documents_space_eligibility", table_name="documents")
