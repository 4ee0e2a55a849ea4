"""A published content item can name the URL it is live at, and keeps when it was first published.

Revision ID: 0017_content_published_url
Revises: 0016_chunk_scans
Create Date: 2026-12-03

`published_at` is filled for items published before this revision from their first `publish` transition,
so their GA4 figures count from the day they went live.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0017_content_published_url"
down_revision: str | None = "0016_chunk_scans"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("content_items", sa.Column("published_url", sa.String(2000), nullable=True))
    op.add_column("content_items", sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        """
        UPDATE content_items AS i SET published_at = t.first_published
        FROM (
            SELECT item_id, min(created_at) AS first_published
            FROM content_transitions WHERE action = 'publish' GROUP BY item_id
        ) AS t
        WHERE t.item_id = i.id
        """
    )
    # The dashboard's ranking reads the space's linked items, newest publication first.
    op.create_index(
        "ix_content_items_space_published",
        "content_items",
        ["space_id", "published_at"],
        postgresql_where=sa.text("published_url IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_content_items_space_published", table_name="content_items")
    op.drop_column("content_items", "published_at")
    op.drop_column("content_items", "published_url")
