"""A DoclingDocument (DOCX, PPTX, XLSX, CSV, HTML, Markdown, layout-pipeline PDF) as our own blocks.

Docling nests items unevenly (a DOCX table can land inside the list before it; HTML captions sit beside their
picture), so the heading path is tracked here from the headings in reading order, not from Docling's tree.
Slides and sheets become level-1 headings so every chunk names its slide or sheet.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field

from docling_core.types.doc import (
    CodeItem,
    ContentLayer,
    DocItem,
    DocItemLabel,
    DoclingDocument,
    FloatingItem,
    GroupItem,
    GroupLabel,
    ListGroup,
    ListItem,
    NodeItem,
    PictureItem,
    SectionHeaderItem,
    TableItem,
    TextItem,
    TitleItem,
)

from backend.documents.conversion.types import MAX_IMAGE_SIDE, Block, BlockKind
from backend.documents.splitting import compact_table

logger = logging.getLogger(__name__)

_SKIPPED_LABELS = {DocItemLabel.PAGE_HEADER, DocItemLabel.PAGE_FOOTER}


@dataclass
class _Walk:
    doc: DoclingDocument
    kind: str
    blocks: list[Block] = field(default_factory=list)
    stack: list[tuple[int, str]] = field(default_factory=list)
    consumed: set[str] = field(default_factory=set)
    sheet: str | None = None
    slide: int = 0

    def path(self) -> tuple[str, ...]:
        return tuple(text for _, text in self.stack)

    def heading(self, text: str, level: int, page: int | None) -> None:
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        self.stack.append((level, text))
        self.blocks.append(Block("heading", text, page, level, self.path(), sheet=self.sheet))

    def add(
        self, kind: BlockKind, text: str, page: int | None, caption: str | None = None, image_png: bytes | None = None
    ) -> None:
        self.blocks.append(
            Block(kind, text, page, 0, self.path(), sheet=self.sheet, caption=caption, image_png=image_png)
        )


def blocks_from_docling(doc: DoclingDocument, kind: str) -> list[Block]:
    """Blocks in reading order with heading paths, pages/slides/sheets, tables as Markdown, image captions."""
    walk = _Walk(doc, kind)
    walk.consumed = {ref.cref for item in [*doc.tables, *doc.pictures] for ref in item.captions}
    for item, _level in doc.iterate_items(with_groups=True):
        if item.self_ref in walk.consumed:
            continue
        if isinstance(item, GroupItem):
            _group(walk, item)
        elif isinstance(item, DocItem):
            _item(walk, item)
    return walk.blocks


def furniture_title(doc: DoclingDocument) -> str | None:
    """The HTML `<title>`, which Docling keeps in the furniture layer."""
    for item, _ in doc.iterate_items(included_content_layers={ContentLayer.FURNITURE}):
        if isinstance(item, TitleItem) and item.text.strip():
            return " ".join(item.text.split())
    return None


def _group(walk: _Walk, group: GroupItem) -> None:
    if group.label == GroupLabel.SHEET:
        walk.sheet = group.name
        walk.stack.clear()
        walk.heading(group.name, 1, _first_page(walk.doc, group))
    elif walk.kind == "pptx" and group.label in (GroupLabel.CHAPTER, GroupLabel.SLIDE) and group.parent is not None:
        if group.parent.cref != walk.doc.body.self_ref:
            return
        walk.slide += 1
        walk.stack.clear()
        if not any(isinstance(ref.resolve(walk.doc), TitleItem) for ref in group.children):
            walk.heading(f"Slide {walk.slide}", 1, walk.slide)
    elif isinstance(group, ListGroup) and group.self_ref not in walk.consumed:
        lines = _list_lines(walk, group, depth=0)
        if lines:
            walk.add("list", "\n".join(lines), _first_page(walk.doc, group))


def _list_lines(walk: _Walk, group: GroupItem, depth: int) -> list[str]:
    walk.consumed.add(group.self_ref)
    lines: list[str] = []
    number = 0
    for ref in group.children:
        child = ref.resolve(walk.doc)
        if isinstance(child, ListGroup):
            lines.extend(_list_lines(walk, child, depth + 1))
        elif isinstance(child, ListItem):
            walk.consumed.add(child.self_ref)
            number += 1
            text = _clean(child.text)
            if text:
                marker = f"{number}." if child.enumerated else "-"
                lines.append(f"{'  ' * depth}{marker} {text}")
            for grandchild in child.children:  # nested lists hang off their item
                nested = grandchild.resolve(walk.doc)
                if isinstance(nested, ListGroup):
                    lines.extend(_list_lines(walk, nested, depth + 1))
    return lines


def _item(walk: _Walk, item: DocItem) -> None:
    page = item.prov[0].page_no if item.prov else None
    if isinstance(item, TableItem):
        markdown = compact_table(item.export_to_markdown(walk.doc))
        if markdown:
            walk.add("table", markdown, page, caption=_clean(item.caption_text(walk.doc)) or None)
    elif isinstance(item, PictureItem):
        caption = _clean(item.caption_text(walk.doc)) or None
        walk.add("image", caption or "", page, caption=caption, image_png=_picture_png(walk.doc, item))
    elif isinstance(item, TitleItem):
        if text := _clean(item.text):
            if walk.kind == "pptx":
                walk.slide = page or walk.slide
                walk.stack.clear()
            walk.heading(text, 1 if walk.kind == "pptx" else 0, page)
    elif isinstance(item, SectionHeaderItem):
        if text := _clean(item.text):
            # Under a slide or sheet heading (level 1) a section heading must sit deeper.
            offset = 1 if walk.kind in ("pptx", "xlsx") else 0
            walk.heading(text, item.level + offset, page)
    elif isinstance(item, CodeItem):
        if item.text.strip():
            walk.add("code", f"```\n{item.text.strip()}\n```", page)
    elif isinstance(item, ListItem):
        if text := _clean(item.text):  # a list item outside a list group
            walk.add("list", f"- {text}", page)
    elif isinstance(item, TextItem) and item.label not in _SKIPPED_LABELS and not isinstance(item, FloatingItem):
        _paragraph(walk, item, page)


def _paragraph(walk: _Walk, item: TextItem, page: int | None) -> None:
    if text := _clean(item.text):
        walk.add("paragraph", text, page)


def _picture_png(doc: DoclingDocument, picture: PictureItem) -> bytes | None:
    """The picture as a downscaled PNG, or None where the backend kept no image data (model-free PDFs)."""
    try:
        image = picture.get_image(doc)
    except Exception:  # a broken embedded image loses its visual embedding, not the document
        logger.warning("picture could not be read", extra={"picture": picture.self_ref})
        return None
    if image is None:
        return None
    image = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
    image.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _first_page(doc: DoclingDocument, node: NodeItem) -> int | None:
    for item, _ in doc.iterate_items(root=node):
        if isinstance(item, DocItem) and item.prov:
            return item.prov[0].page_no
    return None


def _clean(text: str) -> str:
    return " ".join(text.split())
