"""Splitting text that is too long for one chunk, at the gentlest boundary that works: lines, then sentences,
then words, then (for a single monster "word" such as a URL or a blob) characters."""

from __future__ import annotations

import re
from collections.abc import Callable

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)]*\s+")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")


def split_to_fit(text: str, budget: int, count: Callable[[str], int]) -> list[str]:
    """Pieces of `text`, each costing at most `budget` tokens by `count`, in order, nothing dropped."""
    if count(text) <= budget:
        return [text]
    for splitter in (_lines, _sentences, _words):
        parts = splitter(text)
        if len(parts) > 1:
            return _pack(parts, budget, count)
    return _characters(text, budget, count)


def tail(text: str, budget: int, count: Callable[[str], int]) -> str:
    """The end of `text` worth at most `budget` tokens: whole sentences when they fit, else trailing words."""
    if budget <= 0 or not text:
        return ""
    sentences = _sentences(text)
    taken: list[str] = []
    for sentence in reversed(sentences):
        if count(" ".join([sentence, *taken])) > budget:
            break
        taken.insert(0, sentence)
    if taken:
        return " ".join(taken)
    words = text.split()
    taken = []
    for word in reversed(words):
        if count(" ".join([word, *taken])) > budget:
            break
        taken.insert(0, word)
    return " ".join(taken)


def compact_table(markdown: str) -> str:
    """Docling pads table cells for alignment; the padding costs storage and reading time, not meaning."""
    lines = []
    for line in markdown.strip().splitlines():
        stripped = line.strip()
        if not stripped.startswith("|"):
            lines.append(stripped)
            continue
        cells = [cell.strip() for cell in _CELL_SPLIT.split(stripped.strip("|"))]
        if all(set(cell) <= set("-:") and cell for cell in cells):
            cells = ["---"] * len(cells)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _pack(parts: list[str], budget: int, count: Callable[[str], int]) -> list[str]:
    joiner = "\n" if any("\n" in p for p in parts) else " "
    pieces: list[str] = []
    current: list[str] = []
    for part in parts:
        for piece in split_to_fit(part, budget, count):
            if current and count(joiner.join([*current, piece])) > budget:
                pieces.append(joiner.join(current))
                current = []
            current.append(piece)
    if current:
        pieces.append(joiner.join(current))
    return pieces


def _lines(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.strip()]


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text.strip()) if s.strip()]


def _words(text: str) -> list[str]:
    return text.split()


def _characters(text: str, budget: int, count: Callable[[str], int]) -> list[str]:
    pieces: list[str] = []
    start = 0
    while start < len(text):
        # Binary search for the longest prefix that fits: counters are monotone in practice.
        low, high = start + 1, len(text)
        while low < high:
            middle = (low + high + 1) // 2
            if count(text[start:middle]) <= budget:
                low = middle
            else:
                high = middle - 1
        pieces.append(text[start:low])
        start = low
    return pieces
