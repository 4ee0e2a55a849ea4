"""Structure for PDFs read by the model-free native pipeline, which yields one text item per line and nothing
more: no headings, no paragraphs, running headers mixed into the text.

The pass: drop running headers and footers (text repeated in the top or bottom margin of most pages, digits
ignored, so "Page 3 of 20" counts as one) and lone page numbers; take the character-weighted most common
line height as body text; call a short line at least 15% taller a heading, its level from numbering ("2.1" is
level 2), otherwise from its size rank; merge adjacent body lines into paragraphs and bullet lines into
lists. Every block keeps its page number.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from docling_core.types.doc import DoclingDocument, PictureItem, TextItem

from backend.documents.conversion.types import Block

HEADING_RATIO = 1.15
_MARGIN = 0.1
_NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,5})\.?\s+\S")
_PAGE_NUMBER = re.compile(
    r"^(?:[-–—]\s*)?(?:page|seite|p\.|pag\.|página|pagina)?\s*\d{1,4}(?:\s*(?:/|of|von|de|sur)\s*\d{1,4})?(?:\s*[-–—])?$",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^(?:[•▪◦●○■□‣⁃∙·*-]|\(?\d{1,2}[.)]|\(?[a-z][.)])\s+\S")
_TERMINAL = (".", "!", "?", ":", ";", '."', ".”")


@dataclass(frozen=True, slots=True)
class _Line:
    page: int
    text: str
    left: float
    top: float
    bottom: float
    page_height: float

    @property
    def height(self) -> float:
        return self.top - self.bottom


def blocks_from_native_pdf(doc: DoclingDocument) -> tuple[str | None, list[Block]]:
    """(title, blocks) for a DoclingDocument made by the native PDF pipeline."""
    lines = _strip_running_text(_lines(doc))
    if not lines:
        return None, _pictures(doc, [])
    body = _body_height(lines)
    is_heading = [_looks_like_heading(line, body) for line in lines]
    levels, title_index = _levels(lines, is_heading)
    blocks: list[Block] = []
    stack: list[tuple[int, str]] = []
    paragraph: list[_Line] = []
    title: str | None = None

    def flush() -> None:
        if paragraph:
            blocks.extend(_paragraph_blocks(paragraph, tuple(t for _, t in stack)))
            paragraph.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        if is_heading[i]:
            flush()
            parts = [line]
            while i + 1 < len(lines) and is_heading[i + 1] and _continues_heading(lines[i + 1], parts[-1]):
                i += 1
                parts.append(lines[i])
            text = " ".join(p.text for p in parts)
            if len(parts) > 3 or len(text) > 200:  # a run of large print is a paragraph (a lead-in), not a heading
                paragraph.extend(parts)
                i += 1
                continue
            level = 0 if i - len(parts) + 1 == title_index else levels[i - len(parts) + 1]
            if level == 0:
                title = text
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, text))
            blocks.append(Block("heading", text, line.page, level, tuple(t for _, t in stack)))
        elif paragraph and not _continues_paragraph(paragraph, line, body):
            flush()
            paragraph.append(line)
        else:
            paragraph.append(line)
        i += 1
    flush()
    return title, _pictures(doc, blocks)


def _lines(doc: DoclingDocument) -> list[_Line]:
    lines = []
    for item in doc.texts:
        if not isinstance(item, TextItem) or not item.prov or not item.text.strip():
            continue
        prov = item.prov[0]
        page = doc.pages.get(prov.page_no)
        height = page.size.height if page is not None else 842.0
        box = prov.bbox.to_bottom_left_origin(page_height=height)
        lines.append(_Line(prov.page_no, " ".join(item.text.split()), box.l, box.t, box.b, height))
    return lines


def _in_margin(line: _Line) -> bool:
    middle = (line.top + line.bottom) / 2
    return middle > line.page_height * (1 - _MARGIN) or middle < line.page_height * _MARGIN


def _strip_running_text(lines: list[_Line]) -> list[_Line]:
    pages = len({line.page for line in lines})
    key = {id(line): re.sub(r"\d+", "#", line.text.casefold()) for line in lines}
    seen: dict[str, set[int]] = defaultdict(set)
    for line in lines:
        if _in_margin(line):
            seen[key[id(line)]].add(line.page)
    needed = max(2, math.ceil(pages / 2))
    running = {text for text, on_pages in seen.items() if pages >= 2 and len(on_pages) >= needed}
    return [
        line for line in lines if not (_in_margin(line) and (key[id(line)] in running or _PAGE_NUMBER.match(line.text)))
    ]


def _body_height(lines: list[_Line]) -> float:
    weights: Counter[float] = Counter()
    for line in lines:
        weights[round(line.height * 2) / 2] += len(line.text)
    return weights.most_common(1)[0][0]


def _looks_like_heading(line: _Line, body: float) -> bool:
    words = line.text.split()
    return (
        line.height >= body * HEADING_RATIO
        and len(line.text) <= 150
        and len(words) <= 20
        and any(ch.isalpha() for ch in line.text)
    )


def _levels(lines: list[_Line], is_heading: list[bool]) -> tuple[list[int], int | None]:
    """A level per line (headings only are meaningful) and the index of the title line, if any."""
    sizes = sorted({round(line.height * 2) / 2 for line, h in zip(lines, is_heading, strict=True) if h}, reverse=True)
    numbered: dict[float, Counter[int]] = defaultdict(Counter)
    for line, heading in zip(lines, is_heading, strict=True):
        if heading and (m := _NUMBERED.match(line.text)):
            numbered[round(line.height * 2) / 2][m.group(1).count(".") + 1] += 1
    title_index = None
    first = next((i for i, h in enumerate(is_heading) if h), None)
    if first is not None and lines[first].page == 1 and not _NUMBERED.match(lines[first].text):
        size = round(lines[first].height * 2) / 2
        if size == sizes[0] and size not in numbered:
            title_index = first
    title_size = round(lines[title_index].height * 2) / 2 if title_index is not None else None
    heading_sizes = Counter(round(x.height * 2) / 2 for x, h in zip(lines, is_heading, strict=True) if h)
    ranked = [s for s in sizes if s != title_size or heading_sizes[s] > 1]
    levels = []
    for line, heading in zip(lines, is_heading, strict=True):
        size = round(line.height * 2) / 2
        if not heading:
            levels.append(0)
        elif m := _NUMBERED.match(line.text):
            levels.append(m.group(1).count(".") + 1)
        elif numbered.get(size):
            levels.append(numbered[size].most_common(1)[0][0])
        else:
            levels.append(ranked.index(size) + 1 if size in ranked else 1)
    return levels, title_index


def _continues_heading(line: _Line, previous: _Line) -> bool:
    return (
        line.page == previous.page
        and abs(line.height - previous.height) <= 0.05 * previous.height
        and 0 <= previous.bottom - line.top <= 0.8 * previous.height
        and not _NUMBERED.match(line.text)
    )


def _continues_paragraph(paragraph: list[_Line], line: _Line, body: float) -> bool:
    previous = paragraph[-1]
    if _BULLET.match(line.text) and not _BULLET.match(paragraph[0].text):
        return False  # a list starts; bullets after a bullet stay in the same list
    if line.page != previous.page:
        # A paragraph broken by a page turn: the text stopped mid-sentence and resumes in lower case.
        return not previous.text.endswith(_TERMINAL) and line.text[:1].islower()
    if abs(line.height - previous.height) > 0.2 * max(previous.height, body):
        return False
    gap = previous.bottom - line.top
    return -previous.height * 2 <= gap <= 0.9 * max(previous.height, body)


def _paragraph_blocks(lines: list[_Line], path: tuple[str, ...]) -> list[Block]:
    """One paragraph, or a list when its lines start with bullets (continuation lines join their item)."""
    items: list[list[str]] = []
    for line in lines:
        if _BULLET.match(line.text) or not items:
            items.append([line.text])
        else:
            items[-1].append(line.text)
    texts = [_join(parts) for parts in items]
    if len(items) > 1 or _BULLET.match(lines[0].text):
        bullets = [re.sub(r"^[•▪◦●○■□‣⁃∙·*-]\s+", "", text) for text in texts]
        markdown = "\n".join(t if re.match(r"^\(?\w{1,2}[.)]\s", t) else f"- {t}" for t in bullets)
        return [Block("list", markdown, lines[0].page, 0, path)]
    return [Block("paragraph", texts[0], lines[0].page, 0, path)]


def _join(parts: list[str]) -> str:
    text = parts[0]
    for part in parts[1:]:
        # A line ending in a hyphen continues the word on the next line ("market-" + "ing" stays joined).
        text = text + part if text.endswith("-") and part[:1].islower() else f"{text} {part}"
    return text


def _pictures(doc: DoclingDocument, blocks: list[Block]) -> list[Block]:
    """Append embedded images (no captions: the native pipeline has none) after the text of their page."""
    pictures = [p for p in doc.pictures if isinstance(p, PictureItem) and p.prov]
    if not pictures:
        return blocks
    out: list[Block] = []
    pending = sorted(pictures, key=lambda p: p.prov[0].page_no)
    for block in blocks:
        while pending and block.page is not None and pending[0].prov[0].page_no < block.page:
            out.append(Block("image", "", pending.pop(0).prov[0].page_no, 0, out[-1].heading_path if out else ()))
        out.append(block)
    out.extend(Block("image", "", p.prov[0].page_no, 0, out[-1].heading_path if out else ()) for p in pending)
    return out
