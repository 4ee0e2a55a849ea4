"""Where original files live: under DATA_DIR/files (default) or in a Cloud Storage bucket.

Keys are built only from ids (`<organization>/<space>/<document>`), never from a file name a user chose,
so no upload can write outside its space's folder.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from pathlib import Path
from typing import Protocol

from backend.core.config import Settings, get_settings
from backend.core.db import TenantScope


def storage_key(scope: TenantScope, document_id: uuid.UUID) -> str:
    return f"{scope.organization_id}/{scope.space_id}/{document_id}"


class FileStorage(Protocol):
    backend_name: str

    async def put(self, key: str, data: bytes) -> None: ...
    async def get(self, key: str) -> bytes: ...
    async def delete(self, key: str) -> None: ...


class LocalFileStorage:
    """Files under a directory; writes are atomic (temporary file, then rename)."""

    backend_name = "local"

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        parts = key.split("/")
        if len(parts) != 3 or not all(_is_uuid(p) for p in parts):
            raise ValueError("storage keys are <organization>/<space>/<document> ids")
        return self.root.joinpath(*parts)

    async def put(self, key: str, data: bytes) -> None:
        await asyncio.to_thread(self._put, self._path(key), data)

    @staticmethod
    def _put(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + f".{uuid.uuid4().hex}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)

    async def get(self, key: str) -> bytes:
        return await asyncio.to_thread(self._path(key).read_bytes)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, True)


class GcsFileStorage:
    """A Cloud Storage bucket (STORAGE_BACKEND=gcs), for workers on several machines."""

    backend_name = "gcs"

    def __init__(self, bucket: str) -> None:
        from google.cloud import storage  # imported only when selected

        self._bucket = storage.Client().bucket(bucket)

    async def put(self, key: str, data: bytes) -> None:
        await asyncio.to_thread(self._bucket.blob(key).upload_from_string, data)

    async def get(self, key: str) -> bytes:
        return await asyncio.to_thread(self._bucket.blob(key).download_as_bytes)

    async def delete(self, key: str) -> None:
        from google.api_core.exceptions import NotFound

        with contextlib.suppress(NotFound):
            await asyncio.to_thread(self._bucket.blob(key).delete)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


_storage: FileStorage | None = None


def get_storage(settings: Settings | None = None) -> FileStorage:
    global _storage
    if _storage is None:
        settings = settings or get_settings()
        if settings.storage_backend == "gcs":
            if not settings.gcs_bucket:
                raise RuntimeError("STORAGE_BACKEND=gcs needs GCS_BUCKET")
            _storage = GcsFileStorage(settings.gcs_bucket)
        else:
            _storage = LocalFileStorage(settings.data_dir / "files")
    return _storage


def set_storage(storage: FileStorage | None) -> None:
    global _storage
    _storage = storage
