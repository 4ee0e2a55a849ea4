"""Type detection from content, and every refusal with its typed error and a sentence people understand."""

from __future__ import annotations

import zlib
from collections.abc import Callable

import pytest

from backend.core.config import Settings
from backend.core.errors import AppError, PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from backend.documents.detect import DocumentKind, check_upload_size, detect_file, safe_display_name

from . import fixtures as fx

NAMES = {"pdf": "a.pdf", "docx": "a.docx", "pptx": "a.pptx", "xlsx": "a.xlsx", "csv": "a.csv", "html": "a.html"}


@pytest.mark.parametrize("kind", [k.value for k in DocumentKind])
def test_every_format_is_recognised_from_its_bytes(files: dict[str, bytes], kind: str) -> None:
    detected = detect_file(files[kind], NAMES.get(kind, f"a.{'md' if kind == 'markdown' else kind}"))
    assert detected.kind == kind
    assert detected.size_bytes == len(files[kind])
    assert detected.mime_type


@pytest.mark.parametrize("kind", ["pdf", "docx", "pptx", "xlsx", "html", "markdown", "csv"])
def test_binary_and_obvious_formats_do_not_need_a_name(files: dict[str, bytes], kind: str) -> None:
    assert detect_file(files[kind], None).kind == kind


def test_a_misleading_extension_does_not_change_the_verdict(files: dict[str, bytes]) -> None:
    assert detect_file(files["docx"], "slides.pptx").kind == DocumentKind.DOCX
    assert detect_file(files["pdf"], "notes.txt").kind == DocumentKind.PDF


def test_page_and_slide_counts_are_reported(files: dict[str, bytes]) -> None:
    assert detect_file(files["pdf"]).page_count == 3
    assert detect_file(files["pptx"]).page_count == 4
    assert detect_file(files["docx"]).page_count is None


@pytest.mark.parametrize(
    ("data", "name", "kind"),
    [
        (b"# Title\n\nSome *text* with a [link](https://example.com).\n\n- one\n- two\n", None, "markdown"),
        (b"Just a note.\nNothing special here, really.\n", None, "txt"),
        (b"# not a heading in a txt file\n- or a list\n", "notes.txt", "txt"),
        (b"name;price;seats\nStarter;19;3\nPro;49;10\nTeam;99;25\n", None, "csv"),
        (b"one column\nonly\n", "list.csv", "csv"),
        ("Grüße aus Köln, schöne Preise: 19 €".encode("cp1252"), None, "txt"),
        ("\ufeffUTF-8 with a byte order mark".encode(), None, "txt"),
        ("UTF-16 text with a byte order mark".encode("utf-16"), None, "txt"),
        (b"<html><body><p>Hi</p></body></html>", "page.txt", "html"),
    ],
)
def test_text_kinds(data: bytes, name: str | None, kind: str) -> None:
    assert detect_file(data, name).kind == kind


def test_text_encoding_is_reported() -> None:
    assert detect_file("Grüße".encode("cp1252")).encoding == "cp1252"
    assert detect_file("Grüße".encode()).encoding == "utf-8"


def _refused(data: bytes, name: str | None = None, settings: Settings | None = None) -> AppError:
    with pytest.raises(AppError) as caught:
        detect_file(data, name, settings=settings)
    error = caught.value
    assert error.message and error.message[0].isupper() and error.message.endswith(".")
    assert "Traceback" not in error.message and "zipfile" not in error.message.lower()
    return error


@pytest.mark.parametrize("data", [b"", b"   \n\t  "])
def test_empty_file(data: bytes) -> None:
    error = _refused(data, "empty.pdf")
    assert isinstance(error, ValidationFailed) and error.code == "empty_file" and "empty" in error.message


@pytest.mark.parametrize(
    ("data", "what"),
    [(fx.EXE, "Windows program"), (fx.ELF, "Linux program"), (fx.PNG, "PNG image")],
)
def test_wrong_type_renamed_as_pdf(data: bytes, what: str) -> None:
    error = _refused(data, "invoice.pdf")
    assert isinstance(error, UnsupportedMediaType) and error.status_code == 415
    assert what in error.message


def test_text_named_like_a_pdf_is_refused() -> None:
    error = _refused(b"This is not really a PDF.\n", "report.pdf")
    assert isinstance(error, UnsupportedMediaType) and "named like a PDF" in error.message


@pytest.mark.parametrize("kind", ["docx", "pdf"])
def test_truncated_files(files: dict[str, bytes], kind: str) -> None:
    error = _refused(fx.truncate(files[kind]), f"cut.{kind}")
    assert isinstance(error, ValidationFailed) and error.code == "truncated_file"
    assert "incomplete" in error.message


def test_corrupt_pdf_body(files: dict[str, bytes]) -> None:
    data = files["pdf"]
    garbled = data[:20] + bytes(len(data) - 40) + data[-20:]  # header and %%EOF kept, everything between zeroed
    error = _refused(garbled, "broken.pdf")
    assert isinstance(error, ValidationFailed) and error.code == "corrupt_file"


def test_plain_zip_is_not_an_office_file() -> None:
    error = _refused(fx.build_plain_zip(), "photos.docx")
    assert isinstance(error, UnsupportedMediaType)
    assert error.message == "This file looks like a ZIP archive, not a Word, PowerPoint or Excel file."


def test_opendocument_is_explained() -> None:
    error = _refused(fx.build_odt(), "letter.odt")
    assert isinstance(error, UnsupportedMediaType) and "OpenDocument" in error.message


def test_zip_bomb_by_declared_size() -> None:
    error = _refused(fx.build_zip_bomb_declared(), "bomb.docx")
    assert isinstance(error, PayloadTooLarge) and error.code == "zip_bomb"
    assert "would expand to" in error.message and "500 MB" in error.message


def test_zip_bomb_by_compression_ratio() -> None:
    error = _refused(fx.build_zip_bomb_zeros(200), "zeros.docx")
    assert isinstance(error, PayloadTooLarge) and error.code == "zip_bomb"
    assert "compressed in a suspicious way" in error.message


def test_zip_bomb_limits_follow_settings(settings_with: Callable[..., Settings]) -> None:
    small = fx.build_zip_bomb_zeros(3)  # 3 MB of zeros: fine by default (size) but over a 1 MB limit
    error = _refused(small, "zeros.docx", settings_with(max_uncompressed_mb=1))
    assert error.code == "zip_bomb"


def test_nested_archive_and_too_many_parts() -> None:
    assert _refused(fx.build_nested_zip_docx(), "nested.docx").code == "zip_bomb"
    error = _refused(fx.build_many_entries_docx(10_001), "many.docx")
    assert error.code == "zip_bomb" and "parts" in error.message


def test_password_protected_office_file() -> None:
    error = _refused(fx.build_encrypted_docx(), "secret.docx")
    assert isinstance(error, ValidationFailed) and error.code == "encrypted_file"
    assert "password" in error.message


def test_legacy_word_file_is_explained() -> None:
    error = _refused(fx.build_legacy_doc(), "old.doc")
    assert isinstance(error, UnsupportedMediaType) and ".docx" in error.message


def test_password_protected_pdf() -> None:
    error = _refused(fx.build_pdf(min_pages=1, encrypt="s3cret"), "secret.pdf")
    assert isinstance(error, ValidationFailed) and error.code == "encrypted_file"
    assert error.message == "This PDF is protected with a password. Please upload a copy without the password."


def test_oversized_upload(settings_with: Callable[..., Settings], files: dict[str, bytes]) -> None:
    settings = settings_with(max_upload_mb=1)
    error = _refused(files["txt"] * 100_000, "huge.txt", settings)
    assert isinstance(error, PayloadTooLarge) and error.code == "file_too_large" and "1 MB" in error.message
    with pytest.raises(PayloadTooLarge):
        check_upload_size(1024 * 1024 + 1, settings=settings)
    check_upload_size(1024 * 1024, settings=settings)


def test_page_limit(settings_with: Callable[..., Settings], files: dict[str, bytes]) -> None:
    settings = settings_with(max_pages=2)
    pdf_error = _refused(files["pdf"], "long.pdf", settings)
    assert isinstance(pdf_error, PayloadTooLarge) and pdf_error.code == "too_many_pages"
    assert "3 pages" in pdf_error.message and "up to 2" in pdf_error.message
    assert "4 slides" in _refused(files["pptx"], "deck.pptx", settings).message


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\ada\\Brand Guide 2026.docx", "Brand Guide 2026.docx"),
        ("invoice\u202egpj.exe", "invoicegpj.exe"),
        ("bad\x00name\n.pdf", "badname.pdf"),
        ('what?<is>:"this"|*.pdf', "what__is___this___.pdf"),
        ("..", "Untitled document"),
        ("", "Untitled document"),
        (None, "Untitled document"),
        ("   spaced    out   .md ", "spaced out .md"),
    ],
)
def test_safe_display_name(name: str | None, shown: str) -> None:
    assert safe_display_name(name) == shown


def test_safe_display_name_keeps_the_extension_of_long_names() -> None:
    shown = safe_display_name("x" * 500 + ".pptx")
    assert len(shown) == 200 and shown.endswith(".pptx")


# --- decompression bombs: refused before any converter opens the file ------------------------------------------


@pytest.mark.parametrize(
    ("build", "name"), [(fx.build_xlsx_zip_bomb, "sheet.xlsx"), (fx.build_pptx_zip_bomb, "a.pptx")]
)
def test_xlsx_and_pptx_zip_bombs_are_refused_like_docx(build: Callable[[int], bytes], name: str) -> None:
    error = _refused(build(200), name)
    assert isinstance(error, PayloadTooLarge) and error.code == "zip_bomb"
    assert "compressed in a suspicious way" in error.message


def test_xlsx_over_the_size_limit_is_refused(settings_with: Callable[..., Settings]) -> None:
    error = _refused(fx.build_xlsx_zip_bomb(3), "sheet.xlsx", settings_with(max_uncompressed_mb=2))
    assert error.code == "zip_bomb" and "would expand to" in error.message


@pytest.mark.parametrize("prefix", ["", "x"])
def test_a_spreadsheet_with_too_many_cells_is_refused(settings_with: Callable[..., Settings], prefix: str) -> None:
    data = fx.build_xlsx_with_cells(5_000, prefix=prefix)
    assert detect_file(data, "a.xlsx", settings=settings_with(max_spreadsheet_cells=5_100)).kind == "xlsx"
    error = _refused(data, "a.xlsx", settings_with(max_spreadsheet_cells=4_900))
    assert isinstance(error, PayloadTooLarge) and error.code == "too_many_cells"
    assert "4,900 filled cells" in error.message


def test_the_default_cell_limit_refuses_a_large_workbook() -> None:
    error = _refused(fx.build_xlsx_with_cells(210_000), "big.xlsx")
    assert error.code == "too_many_cells"


def test_a_pdf_bomb_is_refused_before_pdfium_opens_it() -> None:
    data = fx.build_pdf_bomb(600)
    assert len(data) < 2 * 1024 * 1024, "a small upload"
    error = _refused(data, "bomb.pdf")
    assert isinstance(error, PayloadTooLarge) and error.code == "pdf_bomb"
    assert "500 MB" in error.message


@pytest.mark.parametrize("length", [b"10", b"5 0 R", b"999999999"])
def test_a_pdf_bomb_cannot_hide_behind_its_declared_length(
    settings_with: Callable[..., Settings], length: bytes
) -> None:
    error = _refused(fx.build_pdf_bomb(8, length=length), "bomb.pdf", settings_with(max_uncompressed_mb=5))
    assert error.code == "pdf_bomb"


def test_pdf_limit_follows_settings_and_normal_pdfs_pass(
    files: dict[str, bytes], settings_with: Callable[..., Settings]
) -> None:
    bomb = fx.build_pdf_bomb(8)
    assert detect_file(bomb, "a.pdf", settings=settings_with(max_uncompressed_mb=10)).kind == "pdf"
    assert _refused(bomb, "a.pdf", settings_with(max_uncompressed_mb=7)).code == "pdf_bomb"
    assert detect_file(files["pdf"], "a.pdf").page_count == 3
    assert detect_file(fx.build_pdf_with_text_stream(), "a.pdf").page_count == 1


def test_streams_hidden_inside_another_stream_are_refused(settings_with: Callable[..., Settings]) -> None:
    """Streams that overlap (one stored inside another's zlib data) would make the check read the file many
    times over; a normal PDF never does that."""
    nested = fx._pdf_with_content(b"<< /Filter /FlateDecode >>", zlib.compress(b"q Q " * 5_000, 0))
    for _ in range(20):  # each level stores the previous one, markers and all, in one uncompressed block
        nested = fx._pdf_with_content(b"<< /Filter /FlateDecode >>", zlib.compress(nested, 0))
    error = _refused(nested, "nested.pdf", settings_with(max_uncompressed_mb=500))
    assert error.code == "pdf_bomb" and "overlap" in error.message
