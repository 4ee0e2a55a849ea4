"""Docling conversion into our structure: titles, heading paths, tables, pages, slides, sheets, and failures."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from backend.core.config import Settings
from backend.core.errors import AppError, ServiceUnavailable, UnsupportedMediaType, ValidationFailed
from backend.documents.convert import ConvertedDocument, convert_bytes, convert_html

from . import fixtures as fx

PRICING_TABLE = "| Plan | Price | Seats |\n| --- | --- | --- |\n| Starter | 19 EUR | 3 |"


@pytest.fixture(scope="module")
def converted(files: dict[str, bytes]) -> dict[str, ConvertedDocument]:
    return {kind: convert_bytes(data, kind, f"Upload.{kind}") for kind, data in files.items()}


def _blocks(doc: ConvertedDocument, kind: str) -> list:
    return [b for b in doc.blocks if b.kind == kind]


def test_docx_title_outline_and_heading_paths(converted: dict[str, ConvertedDocument]) -> None:
    doc = converted["docx"]
    assert doc.title == "Obelisk Brand Guide" and doc.kind == "docx" and doc.pages is None
    assert [(h.text, h.level) for h in doc.outline][:5] == [
        ("Obelisk Brand Guide", 0),
        ("1 Voice and tone", 1),
        ("1.1 Words we use", 2),
        ("1.1.1 Words we avoid", 3),
        ("2 Commercial terms", 1),
    ]
    avoid = next(b for b in doc.blocks if b.text.startswith("We avoid hype"))
    assert avoid.heading_path == ("Obelisk Brand Guide", "1 Voice and tone", "1.1 Words we use", "1.1.1 Words we avoid")
    (bullets,) = _blocks(doc, "list")
    assert bullets.text.splitlines() == [
        "- Say 'team', not 'users'.",
        "- Say 'plan', not 'tier'.",
        "- Write numbers as digits.",
    ]


def test_docx_table_is_markdown_in_its_section(converted: dict[str, ConvertedDocument]) -> None:
    doc = converted["docx"]
    (table,) = doc.tables
    assert table.markdown.startswith(PRICING_TABLE)
    assert table.heading_path == ("Obelisk Brand Guide", "2 Commercial terms", "2.1 Pricing")
    assert (table.rows, table.columns) == (4, 3)


def test_pptx_slides_are_numbered_and_titled(converted: dict[str, ConvertedDocument]) -> None:
    doc = converted["pptx"]
    assert doc.title == "Campaign idea 1" and doc.pages == 4
    assert [(h.text, h.page) for h in doc.outline] == [
        ("Campaign idea 1", 1),
        ("Campaign idea 2", 2),
        ("Pricing at a glance", 3),
        ("Slide 4", 4),  # the untitled slide gets a name, so its text does not inherit slide 3's title
    ]
    (table,) = doc.tables
    assert table.page == 3 and table.heading_path == ("Pricing at a glance",)
    thanks = next(b for b in doc.blocks if "Thank you" in b.text)
    assert thanks.page == 4 and thanks.heading_path == ("Slide 4",)


def test_xlsx_sheet_names_come_through(converted: dict[str, ConvertedDocument]) -> None:
    doc = converted["xlsx"]
    assert doc.title == "Upload" and doc.pages == 2
    assert [(t.sheet, t.page, t.heading_path) for t in doc.tables] == [
        ("Price list", 1, ("Price list",)),
        ("Contacts", 2, ("Contacts",)),
    ]
    assert doc.tables[1].markdown.splitlines()[0] == "| Name | Role | Email |"


def test_csv_is_one_table(converted: dict[str, ConvertedDocument]) -> None:
    doc = converted["csv"]
    assert doc.title == "Upload" and [b.kind for b in doc.blocks] == ["table"]
    assert doc.tables[0].markdown.startswith(PRICING_TABLE)


def test_markdown_structure(converted: dict[str, ConvertedDocument]) -> None:
    doc = converted["markdown"]
    assert doc.title == "Content Playbook"
    (table,) = doc.tables
    assert table.heading_path == ("Content Playbook", "Email", "Newsletter")
    assert table.markdown.splitlines()[2] == "| Open rate | 35% |"


def test_txt_paragraphs_and_title(converted: dict[str, ConvertedDocument]) -> None:
    doc = converted["txt"]
    assert doc.title == "Field notes"
    assert [b.kind for b in doc.blocks] == ["heading", "paragraph", "paragraph"]


def test_html_upload_leaves_navigation_and_footer_out(converted: dict[str, ConvertedDocument]) -> None:
    doc = converted["html"]
    text = doc.text()
    assert doc.title == "Acme Pricing | Acme"
    for boilerplate in ("About us", "Careers", "Footer Ltd", "Acme home"):
        assert boilerplate not in text
    assert doc.tables[0].heading_path == ("Acme Pricing", "Plans")
    assert [(i.caption, i.heading_path) for i in doc.images] == [("Customer growth in 2026", ("Acme Pricing", "Plans"))]


def test_convert_html_for_a_fetched_page() -> None:
    doc = convert_html(fx.build_html().decode(), "https://acme.example/pricing")
    assert doc.title == "Acme Pricing | Acme" and "Careers" not in doc.text()
    untitled = convert_html("<p>Just a paragraph.</p>", "https://acme.example/x")
    assert untitled.title == "https://acme.example/x"


def test_pdf_headings_are_recovered(converted: dict[str, ConvertedDocument]) -> None:
    doc = converted["pdf"]
    assert doc.title == "Obelisk Brand Guide" and doc.pages == 3
    assert [(h.text, h.level) for h in doc.outline] == [
        ("Obelisk Brand Guide", 0),
        ("1 Introduction", 1),
        ("1.1 Purpose", 2),
        ("2 Commercial terms", 1),
        ("2.1 Pricing", 2),
        ("2.2 Discounts", 2),
        ("3 Voice and tone", 1),
    ]
    assert [h.page for h in doc.outline] == [1, 1, 1, 2, 2, 3, 3]


def test_pdf_lines_become_paragraphs_and_lists(converted: dict[str, ConvertedDocument]) -> None:
    doc = converted["pdf"]
    pricing = [b for b in doc.blocks if b.heading_path[-1:] == ("2.1 Pricing",) and b.kind != "heading"]
    assert [b.kind for b in pricing] == ["paragraph", "paragraph", "list"]
    assert pricing[0].text == f"This part covers pricing. {fx.BODY}"  # several lines, one paragraph
    assert pricing[2].text == "- Starter costs 19 EUR per month.\n- Pro costs 49 EUR per month."
    assert all(b.page == 2 for b in pricing)


def test_pdf_running_header_and_page_numbers_are_dropped(converted: dict[str, ConvertedDocument]) -> None:
    text = converted["pdf"].text()
    assert fx.RUNNING_HEADER not in text and "Internal use only" not in text
    assert "Page 1" not in text and "Page 3" not in text


def test_structure_summary_is_json_ready(converted: dict[str, ConvertedDocument]) -> None:
    import json

    structure = converted["docx"].structure()
    assert json.loads(json.dumps(structure))["tables"][0]["heading_path"][-1] == "2.1 Pricing"
    assert structure["headings"][0] == {"text": "Obelisk Brand Guide", "level": 0, "page": None}


def _fails(data: bytes, kind: str, settings: Settings | None = None) -> AppError:
    with pytest.raises(AppError) as caught:
        convert_bytes(data, kind, f"file.{kind}", settings=settings)
    assert "Traceback" not in caught.value.message and "docling" not in caught.value.message.lower()
    return caught.value


def test_corrupt_office_file_is_a_clear_error(files: dict[str, bytes]) -> None:
    import io
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(files["docx"]))
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as archive:
        for info in source.infolist():
            data = b"<w:document><<<not xml" if info.filename == "word/document.xml" else source.read(info)
            archive.writestr(info, data)
    error = _fails(broken.getvalue(), "docx")
    assert isinstance(error, ValidationFailed) and error.code == "corrupt_file"
    assert error.message.startswith("Obelisk could not read this Word document.")


def test_bytes_must_match_the_kind(files: dict[str, bytes]) -> None:
    error = _fails(files["pdf"], "docx")
    assert error.message == "This file is a PDF, not a Word document."
    assert isinstance(_fails(fx.PNG, "pdf"), UnsupportedMediaType)


def test_checks_run_again_at_conversion(files: dict[str, bytes], settings_with: Callable[..., Settings]) -> None:
    assert _fails(fx.truncate(files["pdf"]), "pdf").code == "truncated_file"
    assert _fails(fx.build_zip_bomb_declared(), "docx").code == "zip_bomb"
    assert _fails(files["pdf"], "pdf", settings_with(max_pages=1)).code == "too_many_pages"


def test_pdf_without_text_says_so() -> None:
    import io

    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.rect(100, 100, 200, 200, fill=1)  # drawing only, like a scan without a text layer
    pdf.showPage()
    pdf.save()
    error = _fails(buffer.getvalue(), "pdf")
    assert error.code == "no_text" and "scan" in error.message


def test_layout_pipeline_without_its_models_is_a_service_error(
    files: dict[str, bytes], settings_with: Callable[..., Settings]
) -> None:
    error = _fails(files["pdf"], "pdf", settings_with(pdf_pipeline="layout"))
    assert isinstance(error, ServiceUnavailable) and "PDF_PIPELINE=native" in error.message


def test_a_twenty_page_pdf_converts_with_its_outline() -> None:
    """Its speed (ms per page) is measured by bench/bench_convert.py: no time bound in a test."""
    doc = convert_bytes(fx.build_pdf(min_pages=20), "pdf", "twenty.pdf")
    assert doc.pages == 20 and len(doc.outline) >= 40


def test_fetched_page_declaring_another_charset_keeps_its_letters() -> None:
    page = '<html><head><meta charset="iso-8859-1"><title>Café</title></head><body><h1>Grüße</h1><p>Schöne Preise.</p>'
    doc = convert_html(page, "https://acme.example/de")
    assert doc.title == "Café" and "Schöne Preise." in doc.text()


def test_pdf_with_only_an_owner_password_is_readable() -> None:
    from reportlab.lib.pdfencrypt import StandardEncryption

    data = fx.build_pdf(min_pages=1, encrypt=StandardEncryption("", ownerPassword="owner", canPrint=0))
    assert convert_bytes(data, "pdf", "restricted.pdf").title == "Obelisk Brand Guide"


@pytest.mark.parametrize(
    ("data", "kind"), [(b"\n\n  \n", "txt"), (b"<html><body><nav>menu</nav></body></html>", "html")]
)
def test_documents_without_text(data: bytes, kind: str) -> None:
    error = _fails(data, kind)
    assert error.code in {"no_text", "empty_file"}


@pytest.mark.parametrize(
    ("page", "kept", "dropped"),
    [
        (
            "<h1>Offer</h1><p>Body copy.</p><nav><a href='/'>Menu link</a></nav><aside>Related posts</aside>",
            ["Offer", "Body copy."],
            ["Menu link", "Related posts"],
        ),
        (
            "<nav>Menu</nav><p>Only body copy here.</p><footer><p>Footer text</p></footer>",
            ["Only body copy here."],
            ["Menu", "Footer text"],
        ),
        (
            "<header><div>Site banner</div></header><div role='navigation'>Skip links</div><p>Body.</p>",
            ["Body."],
            ["Site banner", "Skip links"],
        ),
        (
            "<header class='hero'><h1>Big headline</h1><p>Hero line.</p></header><p>Rest.</p><script>var x;</script>",
            ["Big headline", "Hero line.", "Rest."],
            ["var x"],
        ),
    ],
)
def test_web_page_boilerplate_is_left_out(page: str, kept: list[str], dropped: list[str]) -> None:
    text = convert_html(f"<html><head><title>T</title></head><body>{page}</body></html>", "https://a.example").text()
    assert all(part in text for part in kept) and not any(part in text for part in dropped)
