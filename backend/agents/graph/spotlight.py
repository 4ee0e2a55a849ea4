"""Untrusted text enters prompts as marked data, never as instructions ("spotlighting").

Two layers: every source is delimited by a tag the text cannot forge (a per-run random boundary; any
occurrence of the tag name inside the text is neutralised), and its words are datamarked: whitespace is
replaced by a marker character, so the model can tell at every word that it is reading data. The system
prompt's instruction hierarchy says that text between the markers is quoted material to use, not orders to
follow. Datamarking can be switched off for one run to measure what it buys (`AgentContext.spotlight`).
"""

from __future__ import annotations

import re
from typing import Any

MARK = "\u02c6"  # ˆ: rare in marketing prose, one token in common vocabularies
_SPACE = re.compile(r"[ \t]+")
_TAG = re.compile(r"</?\s*(source|tool_result|data)\b", re.IGNORECASE)


def datamark(text: str) -> str:
    """Interleave the marker between words (line breaks kept, so tables and lists stay readable)."""
    return _SPACE.sub(MARK, text.strip())


def _neutralise(text: str) -> str:
    return _TAG.sub(lambda m: m.group(0).replace("<", "‹"), text)


def render_sources(passages: list[dict[str, Any]], *, boundary: str, mark: bool = True, limit: int = 1800) -> str:
    """The retrieved passages as numbered, delimited (and datamarked) data blocks: S1, S2, ..."""
    blocks = []
    for number, passage in enumerate(passages, start=1):
        section = " › ".join(passage.get("heading_path") or ())
        page = f' page="{passage["page"]}"' if passage.get("page") else ""
        body = _neutralise(str(passage.get("content", ""))[:limit])
        if mark:
            body = datamark(body)
        title = _neutralise(str(passage.get("document_title") or passage.get("source_url") or "untitled"))
        blocks.append(
            f'<source id="S{number}" boundary="{boundary}" title="{title}" section="{_neutralise(section)}"{page}>\n'
            f"{body}\n</source {boundary}>"
        )
    return "\n".join(blocks) if blocks else "(no sources found in this space)"


def render_tool_results(
    results: list[dict[str, Any]],
    *,
    boundary: str,
    mark: bool = True,
    limit: int | None = None,
    last_limit: int | None = None,
) -> str:
    """Tool outputs are data too (a fetched page can carry an attack): delimited and marked like sources.
    `limit` cuts every result but the latest, `last_limit` the latest (None: as the tool rendered it)."""
    blocks = []
    for index, result in enumerate(results):
        body = str(result.get("rendered", ""))
        cut = last_limit if index == len(results) - 1 else limit
        if cut is not None and len(body) > cut:
            body = body[: max(0, cut - 12)] + " …[shortened]"
        body = _neutralise(body)
        if mark:
            body = datamark(body)
        name = result.get("tool")
        blocks.append(f'<tool_result name="{name}" boundary="{boundary}">\n{body}\n</tool_result {boundary}>')
    return "\n".join(blocks)


_ECHOED_BLOCK = re.compile(r"<(source|tool_result)\b[^>]*>.*?(</\1[^>]*>|\Z)", re.DOTALL | re.IGNORECASE)


def unmark(text: str) -> str:
    """Undo datamarking in a model's answer (a model sometimes copies the marker when quoting)."""
    return text.replace(MARK, " ")


def strip_echoed_blocks(text: str) -> str:
    """A weak model sometimes pastes a whole data block into its answer: keep the answer, drop the block."""
    return _ECHOED_BLOCK.sub("", text).strip()


__all__ = ["MARK", "datamark", "render_sources", "render_tool_results", "strip_echoed_blocks", "unmark"]
