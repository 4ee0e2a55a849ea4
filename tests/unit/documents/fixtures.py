"""Builds fixture files of every format in memory, so no binary fixture lives in the repository.

Each builder returns bytes (text formats too) with known content the tests assert against: titles, numbered
headings, a table in a known section, slides, named sheets, and broken variants (truncated, encrypted, zip
bombs, wrong type).
"""

from __future__ import annotations

import io
import struct
import textwrap
import zipfile
import zlib

BODY = (
    "Our brand voice is warm, precise and helpful. We write for busy marketers who want clear answers, "
    "so every sentence earns its place and every claim is backed by a fact from our product sheets."
)
PRICING_ROWS = [
    ("Plan", "Price", "Seats"),
    ("Starter", "19 EUR", "3"),
    ("Pro", "49 EUR", "10"),
    ("Team", "99 EUR", "25"),
]
RUNNING_HEADER = "Obelisk Brand Guide | Internal use only"


# --- office formats ----------------------------------------------------------------------------------------


def build_docx(*, long_section_paragraphs: int = 0) -> bytes:
    """Title, Heading 1/2/3, paragraphs, a bullet list, and the pricing table under "2.1 Pricing"."""
    from docx import Document

    doc = Document()
    doc.core_properties.title = "Obelisk Brand Guide"
    doc.add_heading("Obelisk Brand Guide", 0)
    doc.add_paragraph("How we write, what we sell and how we talk about it.")
    doc.add_heading("1 Voice and tone", 1)
    doc.add_paragraph(BODY)
    doc.add_heading("1.1 Words we use", 2)
    for item in ("Say 'team', not 'users'.", "Say 'plan', not 'tier'.", "Write numbers as digits."):
        doc.add_paragraph(item, style="List Bullet")
    doc.add_heading("1.1.1 Words we avoid", 3)
    doc.add_paragraph("We avoid hype words such as 'revolutionary' and 'game-changing'.")
    doc.add_heading("2 Commercial terms", 1)
    doc.add_paragraph("Prices are per month, billed yearly, excluding VAT.")
    doc.add_heading("2.1 Pricing", 2)
    doc.add_paragraph("Every plan includes the brand checker.")
    table = doc.add_table(rows=len(PRICING_ROWS), cols=3)
    for r, row in enumerate(PRICING_ROWS):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    doc.add_paragraph("Discounts need approval from the sales lead.")
    doc.add_heading("3 Long section", 1)
    for n in range(long_section_paragraphs):
        doc.add_paragraph(f"Paragraph {n + 1}. {BODY} {BODY}")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def build_pptx(*, slides: int = 4) -> bytes:
    """Titled slides with bullets, slide 3 with the pricing table, and an untitled last slide."""
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    for number in range(1, slides + 1):
        if number == 3:
            slide = deck.slides.add_slide(deck.slide_layouts[5])  # title only
            slide.shapes.title.text = "Pricing at a glance"
            shape = slide.shapes.add_table(len(PRICING_ROWS), 3, Inches(1), Inches(2), Inches(6), Inches(2))
            for r, row in enumerate(PRICING_ROWS):
                for c, value in enumerate(row):
                    shape.table.cell(r, c).text = value
        elif number == slides:
            slide = deck.slides.add_slide(deck.slide_layouts[6])  # blank
            box = slide.shapes.add_textbox(Inches(1), Inches(1), Inches(6), Inches(1))
            box.text_frame.text = "Thank you! Questions: hello@obelisk.example"
        else:
            slide = deck.slides.add_slide(deck.slide_layouts[1])  # title and content
            slide.shapes.title.text = f"Campaign idea {number}"
            frame = slide.placeholders[1].text_frame
            frame.text = f"Audience for idea {number}: marketing leads"
            frame.add_paragraph().text = f"Channel for idea {number}: email and LinkedIn"
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


def build_xlsx(*, extra_rows: int = 0) -> bytes:
    """Two named sheets ("Price list", "Contacts"), each with a header row."""
    from openpyxl import Workbook

    book = Workbook()
    prices = book.active
    prices.title = "Price list"
    for row in PRICING_ROWS:
        prices.append(list(row))
    for n in range(extra_rows):
        prices.append([f"Custom plan {n}", f"{100 + n} EUR", str(30 + n)])
    contacts = book.create_sheet("Contacts")
    contacts.append(["Name", "Role", "Email"])
    contacts.append(["Ada Lovelace", "Brand lead", "ada@obelisk.example"])
    contacts.append(["Grace Hopper", "SEO lead", "grace@obelisk.example"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- text formats ------------------------------------------------------------------------------------------


def build_csv() -> bytes:
    return "\n".join(",".join(row) for row in PRICING_ROWS).encode() + b"\n"


def build_html() -> bytes:
    return textwrap.dedent(
        """\
        <!DOCTYPE html>
        <html><head><title>Acme Pricing | Acme</title></head>
        <body>
          <header><a href="/">Acme home</a></header>
          <nav><ul><li><a href="/about">About us</a></li><li><a href="/careers">Careers</a></li></ul></nav>
          <main>
            <h1>Acme Pricing</h1>
            <p>Simple plans for growing marketing teams.</p>
            <h2>Plans</h2>
            <p>Every plan includes the brand checker.</p>
            <table>
              <tr><th>Plan</th><th>Price</th><th>Seats</th></tr>
              <tr><td>Starter</td><td>19 EUR</td><td>3</td></tr>
              <tr><td>Pro</td><td>49 EUR</td><td>10</td></tr>
            </table>
            <figure><img src="growth.png" alt="growth"><figcaption>Customer growth in 2026</figcaption></figure>
            <h2>FAQ</h2>
            <p>You can cancel at any time.</p>
          </main>
          <footer><p>Copyright 2026 Acme Footer Ltd. Imprint and privacy.</p></footer>
        </body></html>
        """
    ).encode()


def build_markdown(*, long_paragraphs: int = 0) -> bytes:
    long_part = "\n\n".join(f"Detail {n + 1}. {BODY}" for n in range(long_paragraphs))
    return (
        textwrap.dedent(
            """\
        # Content Playbook

        Guidance for every channel.

        ## Email

        Subject lines stay under 50 characters.

        ### Newsletter

        - Send on Tuesdays
        - One topic per issue

        | Metric | Target |
        |--------|--------|
        | Open rate | 35% |
        | Click rate | 4% |

        ## SEO

        Write for people first.

        ## Appendix

        """
        ).encode()
        + long_part.encode()
    )


def build_txt() -> bytes:
    return f"Field notes\n\n{BODY}\n\nSecond paragraph about the spring campaign.\n".encode()


# --- PDF ---------------------------------------------------------------------------------------------------


def pdf_sections(min_pages: int = 3) -> list[tuple[str, int]]:
    """(heading, font size) for the generated PDF: numbered sections, enough of them for `min_pages`."""
    sections = [
        ("1 Introduction", 16),
        ("1.1 Purpose", 13),
        ("2 Commercial terms", 16),
        ("2.1 Pricing", 13),
        ("2.2 Discounts", 13),
        ("3 Voice and tone", 16),
    ]
    number = 4
    while len(sections) < min_pages * 2:
        sections += [(f"{number} Topic {number}", 16), (f"{number}.1 Details of topic {number}", 13)]
        number += 1
    return sections


def build_pdf(*, min_pages: int = 3, encrypt: object = None) -> bytes:
    """A multi-page PDF: a 24 pt title, numbered 16/13 pt headings, 10.5 pt body paragraphs, a bullet list,
    a running header and a "Page N" footer on every page."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, encrypt=encrypt)
    pdf.setTitle("Obelisk Brand Guide")
    width, height = A4
    page = 1

    def furniture() -> None:
        pdf.setFont("Helvetica", 9)
        pdf.drawString(72, height - 40, RUNNING_HEADER)
        pdf.drawString(width / 2 - 15, 30, f"Page {page}")

    def new_page() -> float:
        nonlocal page
        pdf.showPage()
        page += 1
        furniture()
        return height - 90

    furniture()
    pdf.setFont("Helvetica-Bold", 24)
    pdf.drawString(72, height - 100, "Obelisk Brand Guide")
    y = height - 150
    sections = pdf_sections(min_pages)
    per_page = max(1, len(sections) // min_pages)
    for index, (heading, size) in enumerate(sections):
        if index and index % per_page == 0 and page < min_pages:
            y = new_page()
        if y < 220:
            y = new_page()
        pdf.setFont("Helvetica-Bold", size)
        pdf.drawString(72, y, heading)
        y -= size * 1.8
        pdf.setFont("Helvetica", 10.5)
        topic = heading.split(" ", 1)[1]
        for paragraph in (f"This part covers {topic.lower()}. {BODY}", BODY):
            for line in textwrap.wrap(paragraph, 95):
                pdf.drawString(72, y, line)
                y -= 14
            y -= 12
        if heading == "2.1 Pricing":
            for bullet in ("Starter costs 19 EUR per month.", "Pro costs 49 EUR per month."):
                pdf.drawString(80, y, f"• {bullet}")
                y -= 14
            y -= 12
    pdf.save()
    return buffer.getvalue()


# --- broken and hostile files ------------------------------------------------------------------------------


def truncate(data: bytes) -> bytes:
    return data[: len(data) // 2]


def build_plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("holiday-photos/readme.txt", "Just some photos.")
        archive.writestr("holiday-photos/list.csv", "a,b\n1,2\n")
    return buffer.getvalue()


def build_odt() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def _docx_with(extra: dict[str, bytes]) -> bytes:
    """A real DOCX with extra parts added (the zip is rewritten, not appended to)."""
    source = zipfile.ZipFile(io.BytesIO(build_docx()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info, source.read(info))
        for name, data in extra.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def build_zip_bomb_declared(declared_bytes: int = 0xFFFFFFF0) -> bytes:
    """A DOCX whose central directory declares a 4 GB part: built in milliseconds, refused before opening."""
    data = bytearray(_docx_with({"word/media/huge.bin": b"x" * 1000}))
    entry = data.rfind(b"PK\x01\x02", 0, data.rfind(b"PK\x05\x06"))  # last central directory entry
    struct.pack_into("<I", data, entry + 24, declared_bytes)  # its uncompressed size
    return bytes(data)


def build_zip_bomb_zeros(megabytes: int = 200) -> bytes:
    """A DOCX with a real part of `megabytes` of zeros (compresses about 1000:1), streamed in 1 MB steps."""
    buffer = io.BytesIO(_docx_with({}))
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo("word/media/zeros.bin")
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as part:
            block = bytes(1024 * 1024)
            for _ in range(megabytes):
                part.write(block)
    return buffer.getvalue()


def build_nested_zip_docx() -> bytes:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("a.txt", "inner")
    return _docx_with({"word/media/archive.zip": inner.getvalue()})


def build_many_entries_docx(entries: int) -> bytes:
    return _docx_with({f"word/media/part{n}.txt": b"" for n in range(entries)})


def build_ole(streams: list[str]) -> bytes:
    """A compound-file (OLE) container whose directory names `streams`, as Office writes for password-protected
    OOXML ("EncryptionInfo", "EncryptedPackage") and for pre-2007 files ("WordDocument")."""
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)  # minor, major version, byte order, sector shifts
    struct.pack_into("<IIII", header, 44, 1, 1, 0, 0x1000)  # 1 FAT sector, directory at sector 1
    struct.pack_into("<IIII", header, 60, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)  # no mini FAT, no DIFAT
    struct.pack_into("<I", header, 76, 0)  # FAT in sector 0
    header[80:512] = b"\xff" * 432
    fat = bytearray(b"\xff" * 512)
    struct.pack_into("<III", fat, 0, 0xFFFFFFFD, 0xFFFFFFFE, 0xFFFFFFFE)
    directory = bytearray(512)
    for index, name in enumerate(["Root Entry", *streams][:4]):
        encoded = (name + "\x00").encode("utf-16-le")
        entry = index * 128
        directory[entry : entry + len(encoded)] = encoded
        struct.pack_into("<HB", directory, entry + 64, len(encoded), 5 if index == 0 else 2)
    return bytes(header + fat + directory) + bytes(512)


def build_encrypted_docx() -> bytes:
    return build_ole(["EncryptionInfo", "EncryptedPackage", "\x06DataSpaces"])


def build_legacy_doc() -> bytes:
    return build_ole(["WordDocument", "1Table"])


ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(56) + zlib.compress(b"program") * 4
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + bytes(120) + b"This program cannot be run in DOS mode."
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200)


# --- decompression bombs in spreadsheets and PDFs ------------------------------------------------------------


def _office_with(source: bytes, parts: dict[str, bytes]) -> bytes:
    """`source` (an Office zip) with `parts` replaced or added, rewritten as a new zip."""
    original = zipfile.ZipFile(io.BytesIO(source))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in original.infolist():
            if info.filename not in parts:
                archive.writestr(info, original.read(info))
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def build_xlsx_zip_bomb(megabytes: int = 200) -> bytes:
    """A real XLSX whose first worksheet is padded with `megabytes` of spaces (about 1000:1 compressed)."""
    sheet = zipfile.ZipFile(io.BytesIO(build_xlsx())).read("xl/worksheets/sheet1.xml")
    return _office_with(build_xlsx(), {"xl/worksheets/sheet1.xml": sheet + b" " * (megabytes * 1024 * 1024)})


def build_pptx_zip_bomb(megabytes: int = 200) -> bytes:
    return _office_with(build_pptx(), {"ppt/media/zeros.bin": bytes(megabytes * 1024 * 1024)})


def build_xlsx_with_cells(cells: int, *, prefix: str = "") -> bytes:
    """A real XLSX whose first worksheet holds `cells` numeric cells in rows of 10 (namespace `prefix` optional)."""
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns:{prefix}="http://schemas.openxmlformats.org/spreadsheetml/2006/main"' if prefix else (
        'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    )
    rows = []
    for r in range(cells // 10):
        row_cells = "".join(f'<{p}c r="{chr(65 + c)}{r + 1}"><{p}v>{r * 10 + c}</{p}v></{p}c>' for c in range(10))
        rows.append(f'<{p}row r="{r + 1}">{row_cells}</{p}row>')
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<{p}worksheet {xmlns}><{p}cols>'
        f'<{p}col min="1" max="10" width="9"/></{p}cols><{p}sheetData>{"".join(rows)}</{p}sheetData></{p}worksheet>'
    )
    return _office_with(build_xlsx(), {"xl/worksheets/sheet1.xml": sheet.encode()})


def _pdf_with_content(stream_dict: bytes, stream: bytes, extra_objects: bytes = b"") -> bytes:
    """A one-page PDF whose page content is `stream` (already encoded) with the dictionary `stream_dict`."""
    objects = [
        b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n",
        b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n",
        b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>\nendobj\n",
        b"4 0 obj\n" + stream_dict + b"\nstream\n" + stream + b"\nendstream\nendobj\n",
    ]
    body = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    offsets = []
    for obj in objects:
        offsets.append(len(body))
        body += obj
    body += extra_objects
    xref = len(body)
    body += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    body += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    body += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return body


def _zlib_of_spaces(megabytes: int) -> bytes:
    packer = zlib.compressobj(9)
    block = b" " * (1024 * 1024)
    return b"".join(packer.compress(block) for _ in range(megabytes)) + packer.flush()


def build_pdf_bomb(megabytes: int = 600, *, length: bytes | None = None) -> bytes:
    """A valid one-page PDF whose content stream is `megabytes` of spaces, Flate compressed (about 1000:1).

    `length` overrides the /Length entry (a lie, or an indirect reference) to show it is not trusted."""
    packed = _zlib_of_spaces(megabytes)
    declared = length if length is not None else str(len(packed)).encode()
    return _pdf_with_content(b"<< /Length " + declared + b" /Filter /FlateDecode >>", packed)


def build_pdf_with_text_stream(text: bytes = b"BT /F1 12 Tf 72 720 Td (Hello) Tj ET") -> bytes:
    """A small valid PDF with one compressed content stream: what a normal file looks like to the check."""
    packed = zlib.compress(text)
    return _pdf_with_content(b"<< /Length " + str(len(packed)).encode() + b" /Filter /FlateDecode >>", packed)
