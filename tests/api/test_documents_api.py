"""The document library over HTTP: uploads of every format, bad input with clear errors, the library views."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from backend.core.config import get_settings
from tests.unit.documents import fixtures

FORMATS = {
    "guide.docx": fixtures.build_docx,
    "deck.pptx": fixtures.build_pptx,
    "prices.xlsx": fixtures.build_xlsx,
    "data.csv": fixtures.build_csv,
    "page.html": fixtures.build_html,
    "notes.md": fixtures.build_markdown,
    "readme.txt": fixtures.build_txt,
    "spec.pdf": fixtures.build_pdf,
}


async def _upload(client: httpx.AsyncClient, account: Any, name: str, data: bytes, tags: str = "") -> httpx.Response:
    return await client.post(
        "/api/v1/documents",
        files={"file": (name, data)},
        data={"tags": tags} if tags else None,
        headers=account.headers(),
    )


async def test_every_format_is_ingested_and_listed(client: httpx.AsyncClient, signup: Any) -> None:
    ada = await signup("ada")
    for name, build in FORMATS.items():
        response = await _upload(client, ada, name, build(), tags="product")
        assert response.status_code == 202, (name, response.text)
        assert set(response.json()) >= {"id", "status"}
    listing = await client.get("/api/v1/documents", headers=ada.headers())
    assert listing.headers["X-Total-Count"] == str(len(FORMATS))
    documents = listing.json()
    assert {d["kind"] for d in documents} == {"docx", "pptx", "xlsx", "csv", "html", "markdown", "txt", "pdf"}
    for document in documents:
        assert document["status"] == "ready", document
        assert document["progress"] == 100 and document["chunk_count"] > 0 and document["tags"] == ["product"]
        assert document["uploaded_by"] == "ada@example.com" and document["size_bytes"] > 0
    pdf = next(d for d in documents if d["kind"] == "pdf")
    detail = (await client.get(f"/api/v1/documents/{pdf['id']}", headers=ada.headers())).json()
    assert detail["structure"]["headings"] and detail["pages"] >= 3
    chunks = (await client.get(f"/api/v1/documents/{pdf['id']}/chunks", headers=ada.headers())).json()
    assert all(
        {"id", "content", "heading_path", "page", "kind", "quarantined", "quarantine_reason"} <= set(c) for c in chunks
    )
    assert all(c["page"] is not None for c in chunks)


async def test_duplicate_upload_returns_the_existing_document(client: httpx.AsyncClient, signup: Any) -> None:
    ada = await signup("ada")
    data = fixtures.build_markdown()
    first = await _upload(client, ada, "a.md", data)
    second = await _upload(client, ada, "b.md", data)
    assert (
        second.status_code == 200 and second.json()["duplicate"] is True and second.json()["id"] == first.json()["id"]
    )


@pytest.mark.parametrize(
    ("name", "data", "status", "code"),
    [
        ("empty.pdf", b"", 422, "empty_file"),
        ("program.pdf", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 512, 415, "unsupported_file_type"),
        ("image.docx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 512, 415, "unsupported_file_type"),
        ("locked.docx", fixtures.build_encrypted_docx(), 422, "encrypted_file"),
        ("bomb.docx", fixtures.build_zip_bomb_declared(), 413, "zip_bomb"),
        ("bomb.xlsx", fixtures.build_xlsx_zip_bomb(200), 413, "zip_bomb"),
        ("cells.xlsx", fixtures.build_xlsx_with_cells(210_000), 413, "too_many_cells"),
        ("bomb.pdf", fixtures.build_pdf_bomb(600), 413, "pdf_bomb"),
    ],
)
async def test_bad_uploads_get_a_clear_error_and_change_nothing(
    client: httpx.AsyncClient, signup: Any, name: str, data: bytes, status: int, code: str
) -> None:
    ada = await signup("ada")
    kept = await _upload(client, ada, "kept.md", fixtures.build_markdown())
    response = await _upload(client, ada, name, data)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code and response.json()["error"]["message"]
    assert "Traceback" not in response.text
    documents = (await client.get("/api/v1/documents", headers=ada.headers())).json()
    assert [d["id"] for d in documents] == [kept.json()["id"]]


async def test_oversized_upload_is_413_before_it_is_stored(
    client: httpx.AsyncClient, signup: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ada = await signup("ada")
    monkeypatch.setattr(get_settings(), "max_upload_mb", 1)
    response = await _upload(client, ada, "big.txt", b"word " * 400_000)
    assert response.status_code == 413 and response.json()["error"]["code"] == "file_too_large"
    assert (await client.get("/api/v1/documents", headers=ada.headers())).json() == []


async def test_missing_file_field_and_viewer_role(client: httpx.AsyncClient, signup: Any) -> None:
    ada = await signup("ada")
    response = await client.post("/api/v1/documents", data={"tags": "x"}, headers=ada.headers())
    assert response.status_code in (400, 422) and response.json()["error"]["code"]
    invite = await client.post(
        f"/api/v1/spaces/{ada.space_id}/members",
        json={"email": "v@example.com", "role": "viewer"},
        headers=ada.headers(),
    )
    viewer = await client.post(
        f"/api/v1/invitations/{invite.json()['invitation_token']}/accept",
        json={"name": "V", "password": "viewer-pass-1"},
    )
    headers = {"Authorization": f"Bearer {viewer.json()['access_token']}", "X-Space-Id": ada.space_id}
    denied = await client.post("/api/v1/documents", files={"file": ("a.md", b"# A\n\ntext\n")}, headers=headers)
    assert denied.status_code == 403
    assert (await client.get("/api/v1/documents", headers=headers)).status_code == 200


async def test_update_reindex_download_and_delete(client: httpx.AsyncClient, signup: Any) -> None:
    ada = await signup("ada")
    data = fixtures.build_docx()
    doc = (await _upload(client, ada, "Brand Guide.docx", data)).json()
    patched = await client.patch(
        f"/api/v1/documents/{doc['id']}",
        json={"tags": ["brand_guidelines"], "valid_until": "2020-01-01"},
        headers=ada.headers(),
    )
    assert (
        patched.status_code == 200
        and patched.json()["stale"] is True
        and patched.json()["tags"] == ["brand_guidelines"]
    )
    filtered = (await client.get("/api/v1/documents", params={"tag": "brand_guidelines"}, headers=ada.headers())).json()
    assert [d["id"] for d in filtered] == [doc["id"]]
    assert (
        await client.get("/api/v1/documents", params={"q": "nothing-like-this"}, headers=ada.headers())
    ).json() == []
    before = (await client.get(f"/api/v1/documents/{doc['id']}", headers=ada.headers())).json()
    assert before["chunk_count"] > 0
    reindexed = await client.post(f"/api/v1/documents/{doc['id']}/reindex", headers=ada.headers())
    assert reindexed.status_code == 202
    again = (await client.get(f"/api/v1/documents/{doc['id']}", headers=ada.headers())).json()
    assert again["status"] == "ready" and again["chunk_count"] == before["chunk_count"]
    download = await client.get(f"/api/v1/documents/{doc['id']}/file", headers=ada.headers())
    assert download.content == data and "attachment" in download.headers["content-disposition"]
    assert (await client.delete(f"/api/v1/documents/{doc['id']}", headers=ada.headers())).status_code == 204
    assert (await client.get(f"/api/v1/documents/{doc['id']}", headers=ada.headers())).status_code == 404
    bad = await client.get("/api/v1/documents/not-a-uuid", headers=ada.headers())
    assert bad.status_code == 404
