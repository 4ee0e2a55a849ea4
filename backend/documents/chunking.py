"""Structure-aware chunking of a `ConvertedDocument`.

A new chunk starts at every heading; tables become chunks of their own (Markdown, with the section they sit
in); a section too long for the embedding model is split at paragraph boundaries (then lines, sentences,
words), each later part marked "(continued)" and opening with the last sentences of the part before. Every
chunk carries its heading path and page, slide or sheet. The same document always gives the same chunks, so a
retried ingestion job replaces rather than duplicates.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from backend.core.config import Settings, get_settings
from backend.documents.conversion.types import Block, ConvertedDocument
from backend.documents.splitting import split_to_fit, tail

ChunkKind = Literal["text", "table", "image"]
DEFAULT_MAX_TOKENS = 256  # all-MiniLM-L6-v2, the default local embedding model
CONTINUED = " (continued)"
_WORD_RE = re.compile(r"[^\W\d_]+|\d+|[^\w\s]", re.UNICODE)
_CASE_CHANGE = re.compile(r"[a-z][A-Z]")
_COMMON_WORDS = frozenset(
    {
        "the", "a", "an", "and", "or", "of", "to", "in", "on", "for", "with", "is", "are", "be", "we", "our", "you",
        "your", "it", "this", "that", "as", "at", "by", "from", "not", "no", "all", "any", "can", "will", "has",
        "have", "was", "were", "they", "their", "them", "if", "then", "so", "but", "more", "most", "new", "one", "two",
        "per", "each", "every", "which", "who", "what", "when", "how", "do", "up", "out", "about", "into", "over",
        "after", "than", "also", "only", "just", "very", "use", "make", "time", "team", "brand", "plan", "price",
        "write", "email", "page", "text", "help", "work",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Chunk:
    """One retrievable piece of a document."""

    index: int
    content: str
    """What a reader (and a model, as a citation) sees: text, a Markdown table or an image caption."""
    embed_text: str
    """What gets embedded: the heading path (with "(continued)" on later parts), a blank line, the content."""
    heading_path: list[str]
    page: int | None
    """PDF page, PPTX slide or XLSX sheet number of the chunk's first block; None for formats without pages."""
    kind: ChunkKind
    content_hash: str
    """sha256 of the normalised content: equal text gives an equal hash, whatever the document."""
    token_count: int
    """Tokens of `embed_text` by the counter given; never above `max_tokens`."""
    metadata: dict[str, Any] = field(default_factory=dict)
    image_png: bytes | None = field(default=None, repr=False, compare=False)
    """Image chunks: the picture (PNG) for the multimodal embedding; not part of `content_hash`, never stored."""


def estimate_tokens(text: str) -> int:
    """A word-piece estimate that errs high, for when the embedding model's tokenizer is not at hand.

    Counts [CLS] and [SEP] as BERT tokenizers do. Common English words cost one piece; other words one per
    three letters (an English vocabulary splits German or French words finely); digits, random-looking strings
    and other scripts cost more. On English brand copy it runs about 1.6x the MiniLM tokenizer's count.
    """
    total = 0
    for word in _WORD_RE.findall(text):
        if word.isdigit():
            total += math.ceil(len(word) / 2)
        elif not word[0].isalnum():
            total += 1
        else:
            plain = "".join(ch for ch in unicodedata.normalize("NFKD", word) if not unicodedata.combining(ch))
            if not plain.isascii():
                total += len(plain)
            elif _CASE_CHANGE.search(plain):
                total += math.ceil(len(plain) / 2)
            elif plain.lower() in _COMMON_WORDS:
                total += 1
            else:
                total += math.ceil(len(plain) / 3) + (plain != word)
    return 2 + math.ceil(total * 1.1)


def content_hash(text: str) -> str:
    """sha256 of `text` after Unicode NFKC and whitespace normalisation."""
    normalised = " ".join(unicodedata.normalize("NFKC", text).split())
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def chunk_document(
    document: ConvertedDocument,
    *,
    max_tokens: int = DEFAULT_MAX_TOKENS,
    count_tokens: Callable[[str], int] | None = None,
    overlap_tokens: int | None = None,
    settings: Settings | None = None,
    uncaptioned_images: bool = False,
) -> list[Chunk]:
    """Chunks of `document`, each `embed_text` within `max_tokens` by `count_tokens`.

    Pass the active embedding model's input limit and its tokenizer's counter; the default counter is
    `estimate_tokens`. `overlap_tokens` defaults to the CHUNK_OVERLAP_TOKENS setting. Images become chunks
    when they have a caption; with `uncaptioned_images` (a multimodal embedder will make them searchable by
    what they show) also pictures without one whose image data the converter kept.
    """
    if max_tokens < 32:
        raise ValueError("max_tokens must be at least 32")
    overlap = (settings or get_settings()).chunk_overlap_tokens if overlap_tokens is None else overlap_tokens
    builder = _Builder(
        document.kind, max_tokens, _once_per_text(count_tokens or estimate_tokens), max(0, overlap), uncaptioned_images
    )
    for block in document.blocks:
        builder.add(block)
    builder.flush_text()
    return builder.chunks


def _once_per_text(count: Callable[[str], int]) -> Callable[[str], int]:
    """`count` remembered for the length of one document: the builder asks for the same text more than once
    (a section that fits is counted when it is checked and again as the chunk's `token_count`), and a real
    tokenizer costs about half a millisecond a call."""
    counted: dict[str, int] = {}

    def remembered(text: str) -> int:
        found = counted.get(text)
        if found is None:
            found = counted[text] = count(text)
        return found

    return remembered


@dataclass
class _Builder:
    kind: str
    max_tokens: int
    count: Callable[[str], int]
    overlap: int
    uncaptioned_images: bool = False
    chunks: list[Chunk] = field(default_factory=list)
    path: tuple[str, ...] = ()
    section_page: int | None = None
    sheet: str | None = None
    pending: list[Block] = field(default_factory=list)
    parts_in_section: int = 0
    previous_text: str = ""
    _headings: dict[tuple[str, ...], str] = field(default_factory=dict)
    _image_count: int = 0

    def add(self, block: Block) -> None:
        if block.kind == "heading" or block.heading_path != self.path:
            # A heading opens a section; so does a block under other headings than the current section's.
            self.flush_text()
            self.path, self.section_page, self.sheet = block.heading_path, block.page, block.sheet
            self.parts_in_section, self.previous_text = 0, ""
        if block.kind == "table":
            self.flush_text()
            self._table(block)
        elif block.kind == "image":
            self.flush_text()
            if block.caption:
                self._emit(
                    "image", f"Image: {block.caption}", block.page, {"caption": block.caption}, block.image_png
                )
            elif self.uncaptioned_images and block.image_png:
                self._image_count += 1
                # Numbered, so two uncaptioned pictures of one section are not taken for duplicates.
                where = f" in {self.path[-1]}" if self.path else ""
                content = f"Image {self._image_count} (no caption){where}"
                self._emit("image", content, block.page, {}, block.image_png)
        elif block.kind != "heading" and block.text.strip():
            self.pending.append(block)

    def flush_text(self) -> None:
        if not self.pending:
            return
        blocks, self.pending = self.pending, []
        units: list[tuple[str, int | None]] = []
        for block in blocks:
            units.extend((piece, block.page) for piece in self._fit(block.text.strip()))
        current: list[tuple[str, int | None]] = []
        lead = self._lead()
        for unit in units:
            if current and self._too_big(lead, [*current, unit]):
                self._emit_text(self._content(lead, current), current)
                lead, current = self._lead(), []
            if not current and lead and self._too_big(lead, [unit]):
                lead = ""  # no room for the overlap next to this paragraph: the paragraph matters more
            current.append(unit)
        if current:
            self._emit_text(self._content(lead, current), current)

    def _emit_text(self, content: str, units: list[tuple[str, int | None]]) -> None:
        pages = [page for _, page in units if page is not None]
        extra: dict[str, Any] = {"page_end": pages[-1]} if pages and pages[-1] != pages[0] else {}
        self._emit("text", content, pages[0] if pages else self.section_page, extra)
        self.previous_text = units[-1][0]

    def _too_big(self, lead: str, units: list[tuple[str, int | None]]) -> bool:
        return self.count(self._embed(self._content(lead, units))) > self.max_tokens

    def _lead(self) -> str:
        return tail(self.previous_text, self.overlap, self.count) if self.overlap and self.parts_in_section else ""

    def _content(self, lead: str, units: list[tuple[str, int | None]]) -> str:
        body = "\n\n".join(text for text, _ in units)
        return f"…{lead}\n\n{body}" if lead else body

    def _table(self, block: Block) -> None:
        lines = block.text.strip().splitlines()
        header, rows = (lines[:2], lines[2:]) if len(lines) > 2 else (lines, [])
        meta: dict[str, Any] = {"caption": block.caption} if block.caption else {}
        prefix = f"Table: {block.caption}\n\n" if block.caption else ""
        whole = prefix + block.text.strip()
        if not rows or self.count(self._embed(whole, table=True)) <= self.max_tokens:
            self._emit("table", whole, block.page, meta)
            return
        # Too big: split by rows, repeating the header row so every part reads as a table on its own.
        budget = self.max_tokens - self.count(self._embed(prefix + "\n".join(header), table=True))
        parts: list[list[str]] = [[]]
        for row in rows:
            if parts[-1] and self.count("\n".join([*parts[-1], row])) > budget:
                parts.append([])
            parts[-1].append(row)
        for number, part in enumerate(parts, 1):
            content = prefix + "\n".join([*header, *part])
            if self.count(self._embed(content, table=True)) > self.max_tokens:  # a single enormous row
                for piece in self._fit(content):
                    self._emit("table", piece, block.page, {**meta, "table_part": number, "table_parts": len(parts)})
                continue
            self._emit("table", content, block.page, {**meta, "table_part": number, "table_parts": len(parts)})

    def _fit(self, text: str) -> list[str]:
        """`text` in pieces that fit a chunk even under a "(continued)" heading line."""
        return split_to_fit(text, self.max_tokens, lambda piece: self.count(self._embed(piece, continued=True)))

    def _heading_line(self, *, continued: bool) -> str:
        line = self._headings.get(self.path)
        if line is None:
            line = " > ".join(self.path)
            if line and self.count(line) > self.max_tokens // 4:
                # Absurdly long headings would leave no room for content: keep their innermost words.
                line = tail(line, self.max_tokens // 4, self.count)
            self._headings[self.path] = line
        return line + CONTINUED if line and continued else line

    def _embed(self, content: str, *, continued: bool | None = None, table: bool = False) -> str:
        if continued is None:
            continued = self.parts_in_section > 0 and not table
        heading = self._heading_line(continued=continued)
        return f"{heading}\n\n{content}" if heading else content

    def _emit(
        self, kind: ChunkKind, content: str, page: int | None, extra: dict[str, Any], image_png: bytes | None = None
    ) -> None:
        continued = kind == "text" and self.parts_in_section > 0
        embed_text = self._embed(content, continued=continued)
        metadata: dict[str, Any] = {**self._location(page), **extra}
        if continued:
            metadata["continued"] = True
        if kind == "text":
            self.parts_in_section += 1
        self.chunks.append(
            Chunk(
                index=len(self.chunks),
                content=content,
                embed_text=embed_text,
                heading_path=list(self.path),
                page=page if page is not None else self.section_page,
                kind=kind,
                content_hash=content_hash(content),
                token_count=self.count(embed_text),
                metadata=metadata,
                image_png=image_png,
            )
        )

    def _location(self, page: int | None) -> dict[str, Any]:
        page = page if page is not None else self.section_page
        if self.kind == "pptx" and page is not None:
            return {"slide": page, "slide_title": self.path[0]} if self.path else {"slide": page}
        if self.kind == "xlsx" and self.sheet:
            return {"sheet": self.sheet, "sheet_index": page}
        return {}
