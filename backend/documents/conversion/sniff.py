"""Byte-level sniffing: PDF checks, signatures of files that are not documents, text decoding and text kinds."""

from __future__ import annotations

import csv
import re

from backend.core.errors import ValidationFailed

_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"MZ", "a Windows program"),
    (0, b"\x7fELF", "a Linux program"),
    (0, b"\xcf\xfa\xed\xfe", "a macOS program"),
    (0, b"\xce\xfa\xed\xfe", "a macOS program"),
    (0, b"\xca\xfe\xba\xbe", "a macOS or Java program"),
    (0, b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (0, b"\xff\xd8\xff", "a JPEG image"),
    (0, b"GIF87a", "a GIF image"),
    (0, b"GIF89a", "a GIF image"),
    (0, b"II*\x00", "a TIFF image"),
    (0, b"MM\x00*", "a TIFF image"),
    (8, b"WEBP", "a WebP image"),
    (0, b"Rar!\x1a\x07", "a RAR archive"),
    (0, b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (0, b"\x1f\x8b", "a compressed (gzip) archive"),
    (0, b"BZh", "a compressed (bzip2) archive"),
    (0, b"\xfd7zXZ\x00", "a compressed (xz) archive"),
    (0, b"PK\x05\x06", "an empty ZIP archive"),
    (0, b"ID3", "an audio file"),
    (0, b"OggS", "an audio or video file"),
    (0, b"fLaC", "an audio file"),
    (4, b"ftyp", "a video or audio file"),
    (0, b"\x1a\x45\xdf\xa3", "a video file"),
    (0, b"{\\rtf", "an RTF document (please save it as .docx)"),
    (0, b"%!PS", "a PostScript file (please save it as PDF)"),
    (0, b"SQLite format 3\x00", "a database file"),
)
_PDF_MAGIC = b"%PDF-"
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_HTML_RE = re.compile(r"<!doctype html|<html[\s>]|<head[\s>]|<body[\s>]", re.IGNORECASE)
_TAG_RE = re.compile(r"</(?:p|div|span|h[1-6]|table|li|a|section|article)>", re.IGNORECASE)
# Every pattern runs in linear time on any input: no repeated group can run past where the next attempt
# starts (`[^\[\]\n]` stops at the next "[", `[ \t]` at the end of a line). The earlier `\[[^\]\n]+\]\(`
# took seconds on a line of "[" and `^\s*` (which crosses lines) a minute on a file of blank lines.
_MD_SIGNALS = (
    re.compile(r"^#{1,6} \S", re.MULTILINE),
    re.compile(r"^[ \t]*[-*+] \S", re.MULTILINE),
    re.compile(r"^[ \t]*\d+\. \S", re.MULTILINE),
    re.compile(r"\[[^\[\]\n]+\]\([^)\s]+\)"),
    re.compile(r"^```", re.MULTILINE),
    re.compile(r"\*\*[^*\n]+\*\*|__[^_\n]+__"),
    re.compile(r"^\|.*\|[ \t]*$\n^\|?[ \t]*:?-{3,}", re.MULTILINE),
    re.compile(r"^> \S", re.MULTILINE),
)


def is_pdf(data: bytes) -> bool:
    # The PDF specification lets a header appear anywhere in the first kilobyte.
    return _PDF_MAGIC in data[:1024]


def pdf_page_count(data: bytes) -> int:
    """Pages of a PDF; typed errors for a truncated, damaged or password-protected one."""
    if b"%%EOF" not in data[-4096:]:
        raise ValidationFailed(
            "This PDF seems incomplete (it may have been cut off during upload or download). Please upload it again.",
            code="truncated_file",
        )
    import pypdfium2
    from docling.utils.locks import pypdfium2_lock  # PDFium is not thread-safe; Docling serialises on this lock

    with pypdfium2_lock:
        try:
            document = pypdfium2.PdfDocument(data)
        except pypdfium2.PdfiumError as exc:
            if "password" in str(exc).lower():
                raise ValidationFailed(
                    "This PDF is protected with a password. Please upload a copy without the password.",
                    code="encrypted_file",
                ) from exc
            raise ValidationFailed(
                "This PDF is damaged and cannot be opened. Please export it again and upload the new copy.",
                code="corrupt_file",
            ) from exc
        try:
            return len(document)
        finally:
            document.close()


def binary_signature(data: bytes) -> str | None:
    """What a known non-document binary is ("a PNG image"), or None."""
    for offset, magic, what in _SIGNATURES:
        if data[offset : offset + len(magic)] == magic:
            return what
    return None


def decode_text(data: bytes) -> tuple[str, str] | None:
    """(text, encoding) when `data` is text, else None. A byte-order mark wins; then UTF-8; then Windows-1252."""
    for bom, encoding in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe\x00\x00", "utf-32"),
        (b"\x00\x00\xfe\xff", "utf-32"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return _plausible(data.decode(encoding), encoding)
            except UnicodeDecodeError:
                return None
    if b"\x00" in data[:8192]:
        return None
    for encoding in ("utf-8", "cp1252"):
        try:
            return _plausible(data.decode(encoding), encoding)
        except UnicodeDecodeError:
            continue
    return None


def _plausible(text: str, encoding: str) -> tuple[str, str] | None:
    sample = text[:65536]
    if len(_CONTROL_RE.findall(sample)) > max(2, len(sample) // 100):
        return None
    return text, encoding


def text_kind(text: str, extension: str) -> str:
    """ "html", "csv", "markdown" or "txt" for decoded text; the extension only breaks ties between them."""
    head = text[:4096]
    if extension in {"html", "htm", "xhtml"} and ("<" in head and ">" in head):
        return "html"
    if _HTML_RE.search(head) or (head.lstrip().startswith("<") and len(_TAG_RE.findall(head)) >= 3):
        return "html"
    if extension in {"md", "markdown"}:
        return "markdown"
    if extension in {"csv", "tsv"} or (extension != "txt" and _looks_like_csv(text)):
        return "csv"
    if extension != "txt" and sum(1 for signal in _MD_SIGNALS if signal.search(text[:65536])) >= 2:
        return "markdown"
    return "txt"


def _looks_like_csv(text: str) -> bool:
    lines = [line for line in text[:65536].splitlines() if line.strip()][:50]
    if len(lines) < 3:
        return False
    try:
        dialect = csv.Sniffer().sniff("\n".join(lines[:20]), delimiters=",;\t|")
    except csv.Error:
        return False
    widths = [len(row) for row in csv.reader(lines, dialect)]
    if widths[0] < 2:
        return False
    consistent = sum(1 for width in widths if width == widths[0]) / len(widths)
    # Prose with commas has long, uneven "fields"; a table has many short ones in every row.
    avg_field = sum(len(line) for line in lines) / max(1, sum(widths))
    return consistent >= 0.9 and avg_field < 60
