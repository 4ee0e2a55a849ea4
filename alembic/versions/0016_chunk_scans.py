"""Every chunk's injection verdict records the detector version that gave it, and its evidence.

Revision ID: 0016_chunk_scans
Revises: 0015_fair_jobs
Create Date: 2026-12-03

Chunks stored before this revision have no version: the next start queues a re-scan of their spaces
(`backend.documents.rescan`), as it does whenever the detector's version changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from alembic import op

revision: str = "0016_chunk_scans"
down_revision: str | None = "0015_fair_jobs"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("chunks", sa.Column("scan_version", sa.String(100), nullable=True))
    op.add_column("chunks", sa.Column("scan_evidence", JSONB, nullable=True))


def downgrade() -> None:
    op.drop_column("chunks", "scan_evidence")
    op.drop_column("chunks", "scan_version")
