"""Pictures and visual search against the real PostgreSQL: with a multimodal embedder (Vertex AI in production, a
colour-reading fake here) the pictures of a DOCX get an image embedding and the general stream finds them by
what they show; without one nothing is stored and retrieval is unchanged; another space never sees them.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Sequence
from typing import Any

import numpy as np
from docx import Document as DocxDocument
from PIL import Image
from sqlalchemy import text

from backend.core.config import get_settings
from backend.core.db import Database
from backend.documents import ingest, service
from backend.retrieval.retriever import ParallelRetriever
from backend.retrieval.streams import GeneralStream
from backend.tenancy.context import SpaceContext

_COLOURS = {"crimson": (1.0, 0.0, 0.0), "red": (1.0, 0.0, 0.0), "navy": (0.0, 0.0, 1.0), "blue": (0.0, 0.0, 1.0)}


class ColourEmbedder:
    """Pictures by their mean colour, texts by the colour words they contain: one shared space, like Vertex's."""

    model_id = "fake:colour"

    def __init__(self) -> None:
        self.dimension = get_settings().vertex_multimodal_dimensions
        self.images: list[tuple[int, int]] = []

    def _vector(self, rgb: Sequence[float]) -> list[float]:
        vector = np.full(self.dimension, 0.01, dtype=np.float32)
        vector[:3] += np.asarray(rgb, dtype=np.float32)
        return (vector / np.linalg.norm(vector)).tolist()

    async def embed_images(self, images: Sequence[bytes]) -> list[list[float]]:
        out = []
        for data in images:
            picture = Image.open(io.BytesIO(data)).convert("RGB")
            self.images.append(picture.size)
            out.append(self._vector(np.asarray(picture, dtype=np.float32).mean(axis=(0, 1)) / 255.0))
        return out

    async def embed_text(self, text: str) -> list[float]:
        rgb = np.zeros(3)
        for word in text.lower().split():
            rgb += np.asarray(_COLOURS.get(word.strip(".,?"), (0.0, 0.0, 0.0)))
        return self._vector(rgb)


def _png(colour: tuple[int, int, int], size: tuple[int, int]) -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    out.seek(0)
    return out


def _docx_with_pictures() -> bytes:
    document = DocxDocument()
    document.add_heading("Brand visuals", 0)
    document.add_heading("Logo", 1)
    document.add_paragraph("Our emblem sits at the top left of every page.")
    document.add_picture(_png((220, 20, 30), (2400, 1200)))
    document.add_heading("Packaging", 1)
    document.add_paragraph("Boxes are printed on recycled cardboard.")
    document.add_picture(_png((20, 30, 200), (300, 300)))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


async def _ingest(db: Database, ctx: SpaceContext, data: bytes, name: str, multimodal: Any = None) -> uuid.UUID:
    result = await service.add_upload(ctx, data=data, filename=name)
    await ingest.run_ingestion(ctx.scope, result.document.id, multimodal=multimodal)
    document = await service.get_document(ctx, result.document.id)
    assert document.status == "ready", document.error
    return document.id


async def _image_rows(db: Database, ctx: SpaceContext, document_id: uuid.UUID) -> list[Any]:
    async with db.tenant(ctx.scope) as session:
        rows = await session.execute(
            text(
                "SELECT id, kind, content, heading_path, image_embedding IS NOT NULL AS embedded FROM chunks "
                "WHERE document_id = :d ORDER BY chunk_index"
            ),
            {"d": document_id},
        )
        return list(rows)


def _visual_hits(response: Any) -> dict[str, float]:
    return {
        r.candidate.content: r.candidate.visual_similarity
        for r in response.results
        if r.candidate.visual_similarity is not None
    }


async def test_pictures_get_an_image_embedding_and_are_found_by_what_they_show(
    db: Database, spaces: tuple[SpaceContext, SpaceContext]
) -> None:
    alpha, _ = spaces
    colours = ColourEmbedder()
    document_id = await _ingest(db, alpha, _docx_with_pictures(), "visuals.docx", multimodal=colours)

    rows = await _image_rows(db, alpha, document_id)
    images = [r for r in rows if r.kind == "image"]
    assert [(r.content, list(r.heading_path), r.embedded) for r in images] == [
        ("Image 1 (no caption) in Logo", ["Brand visuals", "Logo"], True),
        ("Image 2 (no caption) in Packaging", ["Brand visuals", "Packaging"], True),
    ]
    assert not any(r.embedded for r in rows if r.kind != "image")
    assert max(colours.images[0]) == 1024, "pictures are downscaled to 1024 px on the long side"

    retriever = ParallelRetriever(alpha, streams=[GeneralStream()], multimodal=colours)
    for query, expected in (("crimson", "Image 1 (no caption) in Logo"), ("navy", "Image 2 (no caption) in Packaging")):
        response = await retriever.retrieve(query, enhance=False)
        hits = _visual_hits(response)
        assert max(hits, key=lambda content: hits[content]) == expected, hits
        assert {r.candidate.kind for r in response.results if r.candidate.content in hits} == {"image"}
        assert response.streams["general"].status == "ok"


async def test_without_a_multimodal_embedder_nothing_is_stored_and_retrieval_is_unchanged(
    db: Database, spaces: tuple[SpaceContext, SpaceContext]
) -> None:
    alpha, _ = spaces
    document_id = await _ingest(db, alpha, _docx_with_pictures(), "visuals.docx")

    rows = await _image_rows(db, alpha, document_id)
    assert rows and not any(r.embedded for r in rows)
    assert not [r for r in rows if r.kind == "image"], "uncaptioned pictures need visual search to be findable"
    response = await ParallelRetriever(alpha, streams=[GeneralStream()]).retrieve(
        "recycled cardboard boxes", enhance=False
    )
    assert "recycled cardboard" in response.results[0].candidate.content
    assert _visual_hits(response) == {}


async def test_another_space_never_finds_the_pictures(db: Database, spaces: tuple[SpaceContext, SpaceContext]) -> None:
    alpha, bravo = spaces
    colours = ColourEmbedder()
    document_id = await _ingest(db, alpha, _docx_with_pictures(), "visuals.docx", multimodal=colours)
    alpha_ids = {str(r.id) for r in await _image_rows(db, alpha, document_id)}
    await _ingest(db, bravo, b"# Bravo notes\n\nA red wall and a navy door.\n", "bravo.md", multimodal=colours)

    response = await ParallelRetriever(bravo, streams=[GeneralStream()], multimodal=colours).retrieve(
        "crimson navy red", enhance=False
    )
    assert response.results and response.streams["general"].status == "ok"
    assert not {r.candidate.chunk_id for r in response.results} & alpha_ids
    assert _visual_hits(response) == {}
