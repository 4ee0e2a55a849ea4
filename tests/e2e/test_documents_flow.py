"""In a real browser: upload a DOCX and a PDF, watch them get ready, open a document and read its chunks."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import expect

from tests.e2e.conftest import RunningApp
from tests.support.browser import sign_up_in_browser
from tests.unit.documents import fixtures

pytestmark = pytest.mark.e2e


async def test_upload_docx_and_pdf_then_open_chunks(browser: Any, running_app: RunningApp, tmp_path: Path) -> None:
    docx, pdf = tmp_path / "Brand Guide.docx", tmp_path / "Product Spec.pdf"
    docx.write_bytes(fixtures.build_docx())
    pdf.write_bytes(fixtures.build_pdf(min_pages=3))
    context = await browser.new_context(base_url=running_app.url)
    page = await context.new_page()
    page.set_default_timeout(30_000)
    await sign_up_in_browser(
        page, name="Dana Docs", organization="Docs Org", email="dana@docs.example", password="dana-password-1"
    )
    await page.get_by_test_id("nav-documents").first.click()
    await page.wait_for_url(re.compile(r".*/documents$"))
    await page.get_by_test_id("upload-tags").fill("brand_guidelines")
    await page.locator("input[type=file]").set_input_files([str(docx), str(pdf)])

    statuses = page.get_by_test_id("document-status")
    await expect(statuses).to_have_count(2)
    # Both move through the pipeline to ready without a reload (the page polls while anything is in flight).
    await expect(statuses.first).to_have_text("ready", timeout=90_000)
    await expect(statuses.nth(1)).to_have_text("ready", timeout=90_000)
    titles = await page.get_by_test_id("document-title").all_text_contents()
    assert len(titles) == 2
    for count in await page.get_by_test_id("document-chunks").all_text_contents():
        assert int(count) > 0

    # The test-retrieval panel finds the uploaded material, with its source and per-stream timings.
    await page.get_by_test_id("retrieval-query").fill("pricing discounts")
    await page.get_by_test_id("retrieval-search").click()
    await expect(page.get_by_test_id("retrieval-result").first).to_be_visible()
    await expect(page.get_by_test_id("retrieval-timings")).to_contain_text("Hybrid search")

    pdf_row = page.get_by_role("row").filter(has=page.get_by_text("PDF", exact=True))
    await pdf_row.get_by_test_id("document-title").click()
    await page.wait_for_url(re.compile(r".*/documents/[0-9a-f-]{36}$"))
    await expect(page.get_by_test_id("document-detail-status")).to_have_text("ready")
    await expect(page.get_by_test_id("outline-heading").first).to_be_visible()
    await expect(page.get_by_test_id("chunk-content").first).to_be_visible()
    paths = await page.get_by_test_id("chunk-path").all_text_contents()
    assert any("›" in p or p.strip() not in ("", "(no heading)") for p in paths), paths
    await context.close()
