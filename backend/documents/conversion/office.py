"""Office Open XML packages (DOCX, PPTX, XLSX) and OLE containers: type, zip-bomb and password checks.

Only the zip directory and the small `[Content_Types].xml` part are read; no XML parser runs on the upload
(a regex over a size-capped part cannot be made to expand entities). A spreadsheet's worksheets are also
streamed through once to count their cells: well inside the size and ratio limits, a 50 MB workbook can hold
millions of cells, and conversion holds several kilobytes per cell (about 3 GB for a million).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from backend.core.config import Settings
from backend.core.errors import AppError, PayloadTooLarge, UnsupportedMediaType, ValidationFailed

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_ENTRIES = 10_000
_MAX_CONTENT_TYPES_BYTES = 1024 * 1024
# A tiny part can compress absurdly well (a run of zeros) without being a danger; the ratio limit only
# matters once the expanded size is large enough to hurt.
_RATIO_FLOOR_BYTES = 1024 * 1024
_ARCHIVE_SUFFIXES = (".zip", ".jar", ".7z", ".rar", ".gz", ".tgz", ".bz2", ".xz", ".tar", ".cab")
_MAIN_PART = re.compile(
    rb"""ContentType=["']application/vnd\.(?:openxmlformats-officedocument\.|ms-)([a-z]+)[.a-zA-Z]*\.main\+xml["']"""
)
_FAMILY = {
    b"wordprocessingml": "docx",
    b"word": "docx",
    b"presentationml": "pptx",
    b"powerpoint": "pptx",
    b"spreadsheetml": "xlsx",
    b"excel": "xlsx",
}
_SLIDE = re.compile(r"ppt/slides/slide\d+\.xml")
_WORKSHEET = re.compile(r"xl/worksheets/[^/]+\.xml", re.IGNORECASE)
# A cell element, `<c ...>` or `<x:c ...>`; `<col`, `<cols>`, `<cfRule` do not match.
_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,19}:)?c[\s/>]")
_CELL_TAIL = 32  # longer than any match: a match cut by a read boundary is counted with the next read
_NOT_OFFICE = "This file looks like a ZIP archive, not a Word, PowerPoint or Excel file."


@dataclass(frozen=True, slots=True)
class Package:
    kind: str
    slides: int | None


def inspect_package(data: bytes, settings: Settings) -> Package:
    """The Office format of a zip upload, after the zip-bomb checks; typed errors otherwise."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ValidationFailed(
            "This file seems incomplete or damaged (it may have been cut off during upload or download). "
            "Please open it, save it again and upload the new copy.",
            code="truncated_file",
        ) from exc
    with archive:
        infos = archive.infolist()
        _check_bomb(infos, settings)
        names = {info.filename for info in infos}
        if "mimetype" in names and "[Content_Types].xml" not in names:
            mimetype = archive.read("mimetype")[:100] if archive.getinfo("mimetype").file_size < 200 else b""
            if b"opendocument" in mimetype:
                raise UnsupportedMediaType(
                    "This looks like an OpenDocument file (LibreOffice or OpenOffice). Please save it as .docx, "
                    ".pptx or .xlsx and upload it again.",
                    code="unsupported_file_type",
                )
        kind = _kind_from_content_types(archive, names)
        if kind == "xlsx":
            _check_cells(archive, infos, settings)
    if kind is None:
        raise UnsupportedMediaType(_NOT_OFFICE, code="unsupported_file_type")
    slides = sum(1 for name in names if _SLIDE.fullmatch(name)) if kind == "pptx" else None
    return Package(kind, slides)


def _kind_from_content_types(archive: zipfile.ZipFile, names: set[str]) -> str | None:
    if "[Content_Types].xml" not in names:
        return None
    info = archive.getinfo("[Content_Types].xml")
    if info.file_size > _MAX_CONTENT_TYPES_BYTES:
        return None
    try:
        content_types = archive.read(info)
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError):
        return None
    for match in _MAIN_PART.finditer(content_types):
        if (kind := _FAMILY.get(match.group(1))) is not None:
            return kind
    return None


def _check_bomb(infos: list[zipfile.ZipInfo], settings: Settings) -> None:
    # The sizes checked are the declared ones. Python's zipfile (under python-docx, python-pptx and openpyxl)
    # stops decompressing an entry at its declared size, so a lying header cannot expand past these numbers.
    if len(infos) > MAX_ENTRIES:
        raise _bomb(f"This Office file contains {len(infos):,} parts, more than the {MAX_ENTRIES:,} Obelisk opens.")
    limit = settings.max_uncompressed_mb * 1024 * 1024
    ratio = settings.max_compression_ratio
    total = sum(info.file_size for info in infos)
    packed = sum(info.compress_size for info in infos)
    if total > limit:
        raise _bomb(
            f"This Office file would expand to {total / 1024**2:,.0f} MB when opened, over the "
            f"{settings.max_uncompressed_mb} MB Obelisk accepts."
        )
    suspicious = total > _RATIO_FLOOR_BYTES and total > ratio * max(packed, 1)
    suspicious |= any(
        info.file_size > _RATIO_FLOOR_BYTES and info.file_size > ratio * max(info.compress_size, 1) for info in infos
    )
    if suspicious:
        raise _bomb(
            f"This Office file is compressed in a suspicious way (parts of it would expand more than {ratio} times), "
            "so Obelisk did not open it. Please save it again from Word, PowerPoint or Excel."
        )
    for info in infos:
        if info.filename.lower().endswith(_ARCHIVE_SUFFIXES):
            raise _bomb(
                f"This Office file has another archive inside it ({info.filename}), which Obelisk does not open."
            )


def _check_cells(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], settings: Settings) -> None:
    limit = settings.max_spreadsheet_cells
    cells = 0
    for info in infos:
        if not _WORKSHEET.fullmatch(info.filename):
            continue
        try:
            with archive.open(info) as part:
                tail = b""
                while block := part.read(1024 * 1024):
                    window = tail + block
                    cut = max(len(window) - _CELL_TAIL, 0)
                    cells += sum(1 for match in _CELL.finditer(window) if match.start() < cut)
                    tail = window[cut:]
                    if cells > limit:
                        break
                cells += len(_CELL.findall(tail))
        except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, EOFError) as exc:
            raise ValidationFailed(
                "This spreadsheet is damaged and cannot be opened. Please save it again and upload the new copy.",
                code="corrupt_file",
            ) from exc
        if cells > limit:
            raise PayloadTooLarge(
                f"This spreadsheet has more than {limit:,} filled cells, more than Obelisk reads from one file. "
                "Please upload the sheets or ranges that matter, or save them as CSV.",
                code="too_many_cells",
            )


def _bomb(message: str) -> AppError:
    return PayloadTooLarge(message, code="zip_bomb")


def ole_error(data: bytes) -> AppError:
    """The error for an OLE compound file: a password-protected Office file, or a pre-2007 one."""
    head = data[: 4 * 1024 * 1024]

    def has(stream: str) -> bool:
        return stream.encode("utf-16-le") in head

    if has("EncryptionInfo") or has("EncryptedPackage"):
        return ValidationFailed(
            "This Office file is protected with a password. Please remove the password (in Office: File > Info > "
            "Protect) and upload it again.",
            code="encrypted_file",
        )
    for stream, what, new in (
        ("WordDocument", "Word file (.doc)", ".docx"),
        ("PowerPoint Document", "PowerPoint file (.ppt)", ".pptx"),
        ("Workbook", "Excel file (.xls)", ".xlsx"),
        ("Book", "Excel file (.xls)", ".xlsx"),
    ):
        if has(stream):
            return UnsupportedMediaType(
                f"This is an older {what}. Please save it as {new} and upload it again.", code="unsupported_file_type"
            )
    return UnsupportedMediaType(
        "This is an older Microsoft Office file. Please save it in the current format (.docx, .pptx or .xlsx) "
        "and upload it again.",
        code="unsupported_file_type",
    )
