"""The document library over HTTP (tenant routes: X-Space-Id required)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException

from backend.api.deps import Ctx, PageDep, set_total
from backend.core.config import get_settings
from backend.core.errors import BadRequest, PayloadTooLarge
from backend.documents import service
from backend.documents.detect import check_upload_size
from backend.documents.intake import AddResult
from backend.documents.schemas import (
    ChunkPublic,
    DocumentAccepted,
    DocumentDetail,
    DocumentPublic,
    DocumentUpdate,
    DocumentUrlCreate,
)

router = APIRouter(tags=["documents"])

# Multipart framing (boundaries, headers, the tags field) on top of the file itself.
_MULTIPART_SLACK = 64 * 1024
_UPLOAD_SCHEMA = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "tags": {"type": "string", "description": "comma-separated tags"},
                    },
                }
            }
        },
    }
}


def _accepted(result: AddResult, response: Response) -> DocumentAccepted:
    """202 for a new document; 200 with the existing one when the same bytes (or URL) are already here."""
    if not result.created:
        response.status_code = 200
    public = DocumentPublic.model_validate(result.document).model_dump(exclude={"stale"})
    return DocumentAccepted(**public, duplicate=not result.created)


def _limit_body(request: Request, limit: int) -> None:
    """Count the request body as it streams in and stop at the limit, before it is all received."""
    receive = request._receive
    seen = 0

    async def counting_receive() -> Any:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise PayloadTooLarge(
                    f"This upload is larger than the {get_settings().max_upload_mb} MB limit.", code="file_too_large"
                )
        return message

    request._receive = counting_receive


@router.post(
    "/documents",
    status_code=202,
    operation_id="upload_document",
    summary="Upload a document (multipart: file, tags)",
    openapi_extra=_UPLOAD_SCHEMA,
)
async def upload_document(request: Request, ctx: Ctx, response: Response) -> DocumentAccepted:
    limit = get_settings().upload_limit_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit():
        check_upload_size(max(0, int(declared) - _MULTIPART_SLACK))
    _limit_body(request, limit + _MULTIPART_SLACK)
    try:
        form = await request.form(max_files=1, max_fields=10)
    except MultiPartException as exc:
        raise BadRequest(f"The upload could not be read: {exc.message}", code="bad_multipart") from exc
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise BadRequest("Send the document as a multipart form field named 'file'.", code="file_required")
    data = await upload.read()
    check_upload_size(len(data))
    tags = form.get("tags")
    result = await service.add_upload(
        ctx, data=data, filename=upload.filename, tags=tags if isinstance(tags, str) else None
    )
    return _accepted(result, response)


@router.post("/documents/url", status_code=202, operation_id="add_document_url", summary="Add a web page by URL")
async def add_url(body: DocumentUrlCreate, ctx: Ctx, response: Response) -> DocumentAccepted:
    return _accepted(await service.add_url(ctx, url=body.url, tags=body.tags), response)


@router.get("/documents", operation_id="list_documents", summary="The space's documents, newest first")
async def list_documents(
    ctx: Ctx,
    response: Response,
    page: PageDep,
    q: Annotated[str | None, Query(max_length=200, description="search in title and file name")] = None,
    tag: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[
        Literal["queued", "converting", "chunking", "embedding", "ready", "failed", "processing"] | None, Query()
    ] = None,
) -> list[DocumentPublic]:
    documents, total = await service.list_documents(
        ctx, query=q, tag=tag, status=status, limit=page.limit, offset=page.offset
    )
    set_total(response, total)
    return [DocumentPublic.model_validate(d) for d in documents]


@router.get(
    "/documents/{document_id}",
    operation_id="get_document",
    summary="A document with its structure (title, headings, tables, images)",
)
async def get_document(document_id: str, ctx: Ctx) -> DocumentDetail:
    return DocumentDetail.model_validate(await service.get_document(ctx, document_id))


@router.patch("/documents/{document_id}", operation_id="update_document", summary="Change title, tags or 'valid until'")
async def update_document(document_id: str, body: DocumentUpdate, ctx: Ctx) -> DocumentPublic:
    document = await service.update_document(
        ctx,
        document_id,
        title=body.title,
        tags=body.tags,
        valid_until=body.valid_until,
        clear_valid_until=body.clear_valid_until,
    )
    return DocumentPublic.model_validate(document)


@router.get(
    "/documents/{document_id}/chunks",
    operation_id="list_chunks",
    summary="A document's chunks with their heading paths",
)
async def list_chunks(document_id: str, ctx: Ctx, response: Response, page: PageDep) -> list[ChunkPublic]:
    chunks, total = await service.list_chunks(ctx, document_id, limit=page.limit, offset=page.offset)
    set_total(response, total)
    return [ChunkPublic.model_validate(c) for c in chunks]


@router.post(
    "/documents/{document_id}/chunks/{chunk_id}/release",
    operation_id="release_chunk",
    summary="Release a quarantined chunk (space admins)",
)
async def release_chunk(document_id: str, chunk_id: str, ctx: Ctx) -> ChunkPublic:
    return ChunkPublic.model_validate(await service.release_chunk(ctx, document_id, chunk_id))


@router.get(
    "/documents/{document_id}/file",
    operation_id="download_document",
    summary="Download the original file",
    response_class=Response,
    responses={200: {"description": "The original bytes", "content": {"application/octet-stream": {}}}},
)
async def download(document_id: str, ctx: Ctx) -> Response:
    data, document = await service.read_file(ctx, document_id)
    safe = "".join(c if c.isalnum() or c in "._- " else "_" for c in document.filename)[:200] or "document"
    return Response(
        data,
        media_type=document.mime_type or "application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{safe}"', "X-Content-Type-Options": "nosniff"},
    )


@router.post(
    "/documents/{document_id}/reindex",
    status_code=202,
    operation_id="reindex_document",
    summary="Process the document again",
)
async def reindex(document_id: str, ctx: Ctx) -> DocumentPublic:
    return DocumentPublic.model_validate(await service.reindex(ctx, document_id))


@router.delete(
    "/documents/{document_id}",
    status_code=204,
    operation_id="delete_document",
    summary="Delete a document, its chunks and its file",
)
async def delete_document(document_id: str, ctx: Ctx) -> Response:
    await service.delete_document(ctx, document_id)
    return Response(status_code=204)
