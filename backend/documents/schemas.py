"""The API shapes of documents and chunks (what `/api/v1/documents...` reads and answers).

Built from the table rows with `model_validate` (attributes are read, and renamed where the column name is not
the public one), so the router never assembles a dict by hand.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, computed_field

from backend.documents.models import DocumentStatus


class DocumentPublic(BaseModel):
    """A document as the library lists it (API.md fields plus a few the library shows)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    title: str
    filename: str
    kind: str
    status: DocumentStatus
    progress: int = Field(ge=0, le=100)
    size_bytes: int
    pages: int | None
    chunk_count: int
    quarantined_count: int
    tags: list[str]
    error: str | None
    source_url: str | None
    valid_until: date | None
    uploaded_by: str | None = Field(
        default=None,
        validation_alias=AliasChoices("uploaded_by_email", "uploaded_by"),
        description="The email of who added it",
    )
    created_at: datetime
    updated_at: datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def stale(self) -> bool:
        """Past its "valid until" date: still searchable, ranked lower and flagged."""
        return bool(self.valid_until and self.valid_until < datetime.now(UTC).date())


class DocumentDetail(DocumentPublic):
    """A document with the structure its conversion found (title, headings, tables, images)."""

    structure: dict[str, Any]


class DocumentAccepted(DocumentPublic):
    """An added document: queued for ingestion (202), or the one already holding the same bytes or URL (200)."""

    duplicate: bool


class DocumentUrlCreate(BaseModel):
    url: str = Field(max_length=2048)
    tags: list[str] | str | None = None


class DocumentUpdate(BaseModel):
    title: str | None = Field(default=None, max_length=600)
    tags: list[str] | str | None = None
    valid_until: date | None = None
    clear_valid_until: bool = False


class ChunkPublic(BaseModel):
    """One chunk of a document, with where it sits and whether it is quarantined."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    index: int = Field(validation_alias=AliasChoices("chunk_index", "index"))
    content: str
    heading_path: list[str]
    page: int | None
    kind: str
    token_count: int
    quarantined: bool
    quarantine_reason: str | None
    quarantine_evidence: dict[str, Any] | None = Field(
        default=None,
        validation_alias=AliasChoices("scan_evidence", "quarantine_evidence"),
        description="Why the detector flagged it: family, span, decoded text (when an encoding hid it), confidence.",
    )
    scan_version: str | None = Field(default=None, description="The injection detector version of the verdict.")
    metadata: dict[str, Any] = Field(validation_alias=AliasChoices("meta", "metadata"))


__all__ = ["ChunkPublic", "DocumentAccepted", "DocumentDetail", "DocumentPublic", "DocumentUpdate", "DocumentUrlCreate"]
