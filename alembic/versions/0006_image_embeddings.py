"""Image embeddings: a multimodal vector on image chunks, so a search text finds the pictures it describes.

Revision ID: 0006_image_embeddings
Revises: 0005_retrieval
Create Date: 2026-12-05

The column is separate from `embedding`: the multimodal model's vectors live in another space than the text
model's and must never be compared with them. It stays NULL on every chunk that is not a picture, and on all
chunks where the embedding provider is not Vertex AI (the only provider with a multimodal model here). Its
dimension is VERTEX_MULTIMODAL_DIMENSIONS when this migration runs. The HNSW index skips NULLs, so it costs
nothing until pictures are embedded. Row-level security on `chunks` covers the column as it covers the rest.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from backend.core.config import get_settings
from backend.documents.models import HALFVEC_ABOVE, vector_type

revision: str = "0006_image_embeddings"
down_revision: str | None = "0005_retrieval"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    dimension = get_settings().vertex_multimodal_dimensions
    op.add_column("chunks", sa.Column("image_embedding", vector_type(dimension), nullable=True))
    ops = "halfvec_cosine_ops" if dimension > HALFVEC_ABOVE else "vector_cosine_ops"
    op.execute(
        f"CREATE INDEX ix_chunks_image_embedding_hnsw ON chunks USING hnsw (image_embedding {ops}) "
        "WITH (m = 16, ef_construction = 64)"
    )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_chunks_image_embedding_hnsw")
    op.drop_column("chunks", "image_embedding")
