"""What an uploaded file really is, decided from its bytes (never its name), and whether Obelisk may open it.

Every check here runs before any parser sees the file: size, emptiness, truncation, passwords, zip bombs and
page limits. Errors are typed (`backend.core.errors`) with sentences a marketer can act on.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from backend.core.config import Settings, get_settings
from backend.core.errors import PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from backend.documents.conversion import office, pdf_limits, sniff


class DocumentKind(StrEnum):
    """The formats Obelisk converts. The value is what the documents table stores."""

    PDF = "pdf"
    DOCX = "docx"
    PPTX = "pptx"
    XLSX = "xlsx"
    CSV = "csv"
    HTML = "html"
    MARKDOWN = "markdown"
    TXT = "txt"


MIME_TYPES: dict[DocumentKind, str] = {
    DocumentKind.PDF: "application/pdf",
    DocumentKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    DocumentKind.PPTX: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    DocumentKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    DocumentKind.CSV: "text/csv",
    DocumentKind.HTML: "text/html",
    DocumentKind.MARKDOWN: "text/markdown",
    DocumentKind.TXT: "text/plain",
}
SUPPORTED = "PDF, Word (.docx), PowerPoint (.pptx), Excel (.xlsx), CSV, HTML, Markdown and plain text"
_BINARY_KINDS = {"pdf": "PDF", "docx": "Word file", "pptx": "PowerPoint file", "xlsx": "Excel file"}


@dataclass(frozen=True, slots=True)
class DetectedFile:
    """The verdict on an accepted file."""

    kind: DocumentKind
    mime_type: str
    size_bytes: int
    page_count: int | None = None
    """PDF pages or PPTX slides, when known without parsing the whole file."""
    encoding: str | None = None
    """The text encoding, for CSV, HTML, Markdown and plain text."""


def check_upload_size(size_bytes: int, *, settings: Settings | None = None) -> None:
    """Refuse a file over MAX_UPLOAD_MB (413). Call it while streaming an upload, with the bytes so far."""
    settings = settings or get_settings()
    if size_bytes > settings.upload_limit_bytes:
        raise PayloadTooLarge(
            f"This file is larger than the {settings.max_upload_mb} MB upload limit. "
            "Please upload a smaller file or split it into parts.",
            code="file_too_large",
        )


def detect_file(data: bytes, filename: str | None = None, *, settings: Settings | None = None) -> DetectedFile:
    """Identify `data` and check it is safe to convert, or raise a typed error (400/413/415/422).

    The file name only chooses between text formats that look alike (a `.md` file is read as Markdown, a
    `.csv` as CSV); it never makes bytes pass for a format they are not.
    """
    settings = settings or get_settings()
    check_upload_size(len(data), settings=settings)
    if not data.strip():
        raise ValidationFailed("This file is empty. Please check it and upload it again.", code="empty_file")
    if sniff.is_pdf(data):
        # Before PDFium opens it: opening inflates the object and cross-reference streams.
        pdf_limits.check_pdf_streams(data, settings)
        pages = sniff.pdf_page_count(data)
        _check_pages(pages, "PDF", "pages", settings)
        return DetectedFile(DocumentKind.PDF, MIME_TYPES[DocumentKind.PDF], len(data), page_count=pages)
    if data.startswith(office.ZIP_MAGIC):
        package = office.inspect_package(data, settings)
        kind = DocumentKind(package.kind)
        _check_pages(package.slides, "presentation", "slides", settings)
        return DetectedFile(kind, MIME_TYPES[kind], len(data), page_count=package.slides)
    if data.startswith(office.OLE_MAGIC):
        raise office.ole_error(data)
    if (what := sniff.binary_signature(data)) is not None:
        raise UnsupportedMediaType(
            f"This file is {what}, not a document. Obelisk reads {SUPPORTED}.", code="unsupported_file_type"
        )
    decoded = sniff.decode_text(data)
    if decoded is None:
        raise UnsupportedMediaType(
            f"Obelisk can't read this kind of file. It reads {SUPPORTED}.", code="unsupported_file_type"
        )
    text, encoding = decoded
    extension = _extension(filename)
    if extension in _BINARY_KINDS:
        raise UnsupportedMediaType(
            f"This file is named like a {_BINARY_KINDS[extension]} but contains plain text. It may be damaged or "
            "renamed; please export it again.",
            code="unsupported_file_type",
        )
    kind = DocumentKind(sniff.text_kind(text, extension))
    return DetectedFile(kind, MIME_TYPES[kind], len(data), encoding=encoding)


def safe_display_name(filename: str | None, *, fallback: str = "Untitled document") -> str:
    """A file name fit for display only: the last path segment, without control or invisible characters.

    Never use the result (or the original) as a path: stored files are named by id.
    """
    name = unicodedata.normalize("NFKC", filename or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
    name = re.sub(r'[<>:"|?*]', "_", name)
    name = " ".join(name.split()).strip(". ")
    if not name:
        return fallback
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = stem[: 200 - len(ext) - 1] + dot + ext if dot and len(ext) <= 10 else name[:200]
    return name


def title_from_filename(filename: str) -> str:
    """A readable default title for a file: its stem with `_` and `-` as spaces (at most 500 characters)."""
    stem = filename.rsplit(".", 1)[0] if "." in filename else filename
    return " ".join(stem.replace("_", " ").replace("-", " ").split())[:500] or "Untitled document"


def _extension(filename: str | None) -> str:
    name = safe_display_name(filename, fallback="")
    return name.rpartition(".")[2].lower() if "." in name else ""


def _check_pages(count: int | None, what: str, unit: str, settings: Settings) -> None:
    if count is not None and count > settings.max_pages:
        raise PayloadTooLarge(
            f"This {what} has {count} {unit}; Obelisk accepts up to {settings.max_pages} per document. "
            "Please split it into smaller files.",
            code="too_many_pages",
        )
