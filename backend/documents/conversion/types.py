"""The neutral structure a converted document takes: our own dataclasses, so nothing past conversion
depends on Docling's types (and a Docling upgrade stays inside `convert`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

BlockKind = Literal["heading", "paragraph", "list", "table", "image", "code"]
MAX_IMAGE_SIDE = 1024
"""Pictures are downscaled to this many pixels on their long side before they are embedded."""


@dataclass(frozen=True, slots=True)
class Block:
    """One unit of content in reading order."""

    kind: BlockKind
    text: str
    """Plain text; Markdown for tables, lists and code; the caption (or "") for images."""
    page: int | None = None
    """PDF page, PPTX slide or XLSX sheet number (1-based); None where the format has no pages (DOCX, HTML)."""
    level: int = 0
    """Headings only: 0 for the document title, 1 for top-level sections, deeper numbers below."""
    heading_path: tuple[str, ...] = ()
    """The headings this block sits under, outermost first; a heading's own path ends with itself."""
    sheet: str | None = None
    """XLSX: the name of the sheet the block comes from."""
    caption: str | None = None
    """Tables and images: their caption, when the document gives one."""
    image_png: bytes | None = field(default=None, repr=False)
    """Images: the picture as PNG (at most `MAX_IMAGE_SIDE` px on its long side) where the converter yields it
    (DOCX, PPTX, HTML with embedded images); kept for the multimodal embedding, never stored."""


@dataclass(frozen=True, slots=True)
class Heading:
    text: str
    level: int
    page: int | None = None


@dataclass(frozen=True, slots=True)
class TableInfo:
    markdown: str
    page: int | None
    heading_path: tuple[str, ...]
    rows: int
    """Rows including the header row."""
    columns: int
    sheet: str | None = None
    caption: str | None = None


@dataclass(frozen=True, slots=True)
class ImageInfo:
    caption: str | None
    page: int | None
    heading_path: tuple[str, ...]


@dataclass(slots=True)
class ConvertedDocument:
    """A document after conversion: its title, its blocks in reading order and a summary of its structure."""

    title: str
    kind: str
    pages: int | None
    """Pages (PDF), slides (PPTX) or sheets (XLSX); None for formats without pages."""
    blocks: list[Block]
    outline: list[Heading] = field(default_factory=list)
    tables: list[TableInfo] = field(default_factory=list)
    images: list[ImageInfo] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """Problems that did not stop conversion (a page that failed to parse), in plain sentences."""

    def structure(self) -> dict[str, Any]:
        """A JSON-ready summary (title, headings, tables, images) for the document row and the library."""
        return {
            "title": self.title,
            "kind": self.kind,
            "pages": self.pages,
            "headings": [{"text": h.text, "level": h.level, "page": h.page} for h in self.outline],
            "tables": [
                {
                    "page": t.page,
                    "heading_path": list(t.heading_path),
                    "rows": t.rows,
                    "columns": t.columns,
                    "sheet": t.sheet,
                    "caption": t.caption,
                }
                for t in self.tables
            ],
            "images": [
                {"caption": i.caption, "page": i.page, "heading_path": list(i.heading_path)} for i in self.images
            ],
            "warnings": list(self.warnings),
        }

    def text(self) -> str:
        """All block text in reading order (for a quick preview or a whole-document contamination scan)."""
        return "\n\n".join(block.text for block in self.blocks if block.text)


def finish(title: str, kind: str, pages: int | None, blocks: list[Block], warnings: list[str]) -> ConvertedDocument:
    """Build the outline, table and image summaries from the blocks."""
    outline = [Heading(b.text, b.level, b.page) for b in blocks if b.kind == "heading"]
    tables = [
        TableInfo(b.text, b.page, b.heading_path, *_table_shape(b.text), sheet=b.sheet, caption=b.caption)
        for b in blocks
        if b.kind == "table"
    ]
    images = [ImageInfo(b.caption, b.page, b.heading_path) for b in blocks if b.kind == "image"]
    return ConvertedDocument(title, kind, pages, blocks, outline, tables, images, warnings)


def _table_shape(markdown: str) -> tuple[int, int]:
    lines = [line for line in markdown.splitlines() if line.strip().startswith("|")]
    body = [line for line in lines if not set(line.replace("|", "").strip()) <= set("-: ")]
    columns = max((line.strip().strip("|").count("|") + 1 for line in body), default=0)
    return len(body), columns
