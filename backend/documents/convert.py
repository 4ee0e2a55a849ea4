"""Docling conversion, torch-free: bytes of a detected file in, a `ConvertedDocument` of our own types out.

Conversion is CPU-bound and synchronous; call it from a worker thread (`asyncio.to_thread`). One Docling
converter per PDF pipeline is built once and reused (pipelines are cached inside it). PDFs go through the
model-free native pipeline plus our heading-recovery pass (`conversion.pdf_headings`), or through Docling's layout
pipeline when PDF_PIPELINE=layout and its models are installed. Whatever goes wrong inside Docling reaches the
caller as a typed error with a plain sentence, never as a Docling stack trace.
"""

from __future__ import annotations

import io
import logging
import re
import threading
from functools import lru_cache
from typing import TYPE_CHECKING

from backend.core.config import Settings, get_settings
from backend.core.errors import AppError, ServiceUnavailable, ValidationFailed
from backend.documents.conversion.boilerplate import strip_boilerplate
from backend.documents.conversion.sniff import decode_text
from backend.documents.conversion.types import Block, ConvertedDocument, Heading, ImageInfo, TableInfo, finish
from backend.documents.detect import DocumentKind, detect_file, safe_display_name

if TYPE_CHECKING:
    from docling.datamodel.document import ConversionResult
    from docling.document_converter import DocumentConverter

__all__ = [
    "Block",
    "ConvertedDocument",
    "Heading",
    "ImageInfo",
    "TableInfo",
    "convert_bytes",
    "convert_html",
    "warm_up",
]

log = logging.getLogger(__name__)
_LABELS = {
    "pdf": "PDF",
    "docx": "Word document",
    "pptx": "presentation",
    "xlsx": "spreadsheet",
    "csv": "CSV file",
    "html": "web page",
    "markdown": "Markdown file",
    "txt": "text file",
}
_EXTENSIONS = {"pdf": "pdf", "docx": "docx", "pptx": "pptx", "xlsx": "xlsx", "csv": "csv", "html": "html"}
_EXTENSIONS["markdown"] = "md"
_BINARY = {DocumentKind.PDF, DocumentKind.DOCX, DocumentKind.PPTX, DocumentKind.XLSX}
_build_lock = threading.Lock()


def convert_bytes(data: bytes, kind: str, name: str, *, settings: Settings | None = None) -> ConvertedDocument:
    """Convert a file of `kind` (a `DocumentKind` value). `name` is the display name, the fallback title.

    The bytes are checked again (type, size, zip bomb, password, page limit), so a job never converts a file
    that upload-time checks would refuse. Raises a typed `AppError` on any failure.
    """
    settings = settings or get_settings()
    try:
        doc_kind = DocumentKind(kind)
    except ValueError:
        message = f"Obelisk does not convert files of type '{kind}'."
        raise ValidationFailed(message, code="unsupported_file_type") from None
    detected = detect_file(data, settings=settings)
    if (doc_kind in _BINARY or detected.kind in _BINARY) and detected.kind != doc_kind:
        raise ValidationFailed(
            f"This file is a {_LABELS[detected.kind]}, not a {_LABELS[doc_kind]}.", code="unsupported_file_type"
        )
    fallback = _stem(safe_display_name(name))
    if doc_kind == DocumentKind.TXT:
        text, _ = decode_text(data) or ("", "")
        return _convert_text(text, fallback)
    if doc_kind == DocumentKind.HTML:
        # The parser honours the page's own charset declaration here, so it gets the original bytes.
        return _convert_page(strip_boilerplate(data), fallback, settings)
    if doc_kind in (DocumentKind.MARKDOWN, DocumentKind.CSV):
        decoded = decode_text(data)  # Docling gets UTF-8, whatever the upload's encoding was
        data = decoded[0].encode("utf-8") if decoded else data
    result = _run(data, doc_kind, settings)
    return _to_converted(result, doc_kind, fallback, detected.page_count, settings)


def convert_html(html: str, url: str, *, settings: Settings | None = None) -> ConvertedDocument:
    """Convert a fetched web page. Navigation, footers, sidebars and scripts are left out (only `<main>` is
    kept when the page has one); the `<title>` (or else the first heading, or else the URL) becomes the title.
    Nothing the page links to is fetched."""
    return _convert_page(strip_boilerplate(html), url, settings or get_settings())


def _convert_page(html: str, fallback: str, settings: Settings) -> ConvertedDocument:
    # The text is already decoded; a byte-order mark makes the parser read it as UTF-8 even when the page
    # declares another charset in a <meta> tag (which would otherwise garble every non-ASCII letter).
    result = _run(b"\xef\xbb\xbf" + html.encode("utf-8"), DocumentKind.HTML, settings)
    return _to_converted(result, DocumentKind.HTML, fallback, None, settings)


def warm_up(settings: Settings | None = None) -> None:
    """Import Docling and build the converter now (about 3 s), e.g. when a worker starts."""
    _converter((settings or get_settings()).pdf_pipeline)


@lru_cache(maxsize=2)
def _converter(pdf_pipeline: str) -> DocumentConverter:
    with _build_lock:
        from docling.datamodel.backend_options import HTMLBackendOptions
        from docling.datamodel.base_models import InputFormat
        from docling.datamodel.pipeline_options import NativePdfPipelineOptions, PdfPipelineOptions
        from docling.document_converter import DocumentConverter, HTMLFormatOption, PdfFormatOption
        from docling.pipeline.native_pdf_pipeline import NativePdfPipeline

        pdf = (
            PdfFormatOption(pipeline_options=PdfPipelineOptions(do_ocr=False))
            if pdf_pipeline == "layout"
            else PdfFormatOption(
                pipeline_cls=NativePdfPipeline,
                pipeline_options=NativePdfPipelineOptions(generate_page_images=False, generate_picture_images=False),
            )
        )
        # Pages and uploads must never make the server fetch anything (images, stylesheets): SSRF.
        html = HTMLFormatOption(
            backend_options=HTMLBackendOptions.model_validate(
                {"enable_remote_fetch": False, "enable_local_fetch": False, "fetch_images": False}
            )
        )
        formats = [InputFormat.PDF, InputFormat.DOCX, InputFormat.PPTX, InputFormat.XLSX]
        formats += [InputFormat.CSV, InputFormat.HTML, InputFormat.MD]
        return DocumentConverter(allowed_formats=formats, format_options={InputFormat.PDF: pdf, InputFormat.HTML: html})


def _run(data: bytes, kind: DocumentKind, settings: Settings) -> ConversionResult:
    from docling.datamodel.base_models import ConversionStatus, DocumentStream

    label = _LABELS[kind]
    try:
        converter = _converter(settings.pdf_pipeline)
        stream = DocumentStream(name=f"document.{_EXTENSIONS[kind]}", stream=io.BytesIO(data))
        result = converter.convert(
            stream, raises_on_error=False, max_num_pages=settings.max_pages, max_file_size=settings.upload_limit_bytes
        )
    except AppError:
        raise
    except ImportError as exc:
        log.warning("docling pipeline unavailable: %s", exc)
        raise ServiceUnavailable(
            "The full PDF layout pipeline is not installed on this server. An administrator can set "
            "PDF_PIPELINE=native to read PDFs without it.",
            code="pdf_pipeline_unavailable",
        ) from exc
    except Exception as exc:
        log.warning("docling failed on a %s", kind.value, exc_info=True)
        raise _unreadable(label) from exc
    if result.status not in (ConversionStatus.SUCCESS, ConversionStatus.PARTIAL_SUCCESS):
        log.warning("docling could not convert a %s: %s", kind.value, [e.error_message for e in result.errors])
        raise _unreadable(label)
    return result


def _unreadable(label: str) -> AppError:
    return ValidationFailed(
        f"Obelisk could not read this {label}. It may be damaged or saved in an unusual way; try opening it, "
        "saving it again and uploading the new copy.",
        code="corrupt_file",
    )


def _to_converted(
    result: ConversionResult, kind: DocumentKind, fallback: str, pages: int | None, settings: Settings
) -> ConvertedDocument:
    from backend.documents.conversion.from_docling import blocks_from_docling, furniture_title

    doc = result.document
    warnings = list(
        dict.fromkeys(
            f"Page {e.page_no} could not be read and was skipped."
            if getattr(e, "page_no", None)
            else "Part of the document could not be read and was skipped."
            for e in result.errors
        )
    )
    title: str | None = None
    if kind == DocumentKind.PDF and settings.pdf_pipeline == "native":
        from backend.documents.conversion.pdf_headings import blocks_from_native_pdf

        title, blocks = blocks_from_native_pdf(doc)
    else:
        blocks = blocks_from_docling(doc, kind.value)
    if not any(block.text for block in blocks):
        raise _no_text(kind)
    if kind == DocumentKind.HTML:
        title = furniture_title(doc)
    if kind not in (DocumentKind.XLSX, DocumentKind.CSV):  # a sheet name is no title for the workbook
        title = title or _first_heading(blocks)
    title = title or fallback
    if kind == DocumentKind.PDF:
        pages = pages or len(doc.pages) or None
    elif kind in (DocumentKind.PPTX, DocumentKind.XLSX):
        pages = len(doc.pages) or pages
    return finish(title, kind.value, pages, blocks, warnings)


def _no_text(kind: DocumentKind) -> AppError:
    if kind == DocumentKind.PDF:
        message = (
            "This PDF has no selectable text (it may be a scan or made of images). Obelisk cannot read scanned "
            "pages yet; please upload a PDF with text."
        )
    else:
        message = f"This {_LABELS[kind]} has no text Obelisk can read."
    return ValidationFailed(message, code="no_text")


def _convert_text(text: str, fallback: str) -> ConvertedDocument:
    """Plain text: paragraphs at blank lines; a short first line without final punctuation is the title."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]
    blocks: list[Block] = []
    title = fallback
    first = paragraphs[0] if paragraphs else ""
    if first and "\n" not in first and len(first) <= 100 and not first.endswith((".", "!", "?", ":", ";", ",")):
        title = first
        blocks.append(Block("heading", first, None, 0, (first,)))
        paragraphs = paragraphs[1:]
    path = (title,) if blocks else ()
    blocks.extend(Block("paragraph", p, None, 0, path) for p in paragraphs)
    if not blocks:
        raise _no_text(DocumentKind.TXT)
    return finish(title, DocumentKind.TXT.value, None, blocks, [])


def _first_heading(blocks: list[Block]) -> str | None:
    headings = [b for b in blocks if b.kind == "heading"]
    return min(headings, key=lambda b: b.level).text if headings else None


def _stem(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return stem if dot and stem and len(ext) <= 10 else name
