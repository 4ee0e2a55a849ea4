"""A word-level diff between two versions' texts, as segments a page can colour. Pure.

Prose edits are word swaps and inserted sentences, so a line diff would mark a whole paragraph changed for
one word; words (with the whitespace after them) keep the change as small as the edit was.
"""

from __future__ import annotations

import difflib
import re
from typing import Literal, TypedDict

_TOKEN = re.compile(r"\S+\s*|\s+")


class DiffSegment(TypedDict):
    kind: Literal["equal", "insert", "delete"]
    text: str


def word_diff(old: str, new: str) -> list[DiffSegment]:
    """Segments that read as `new` when the `delete`s are dropped and as `old` when the `insert`s are."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    out: list[DiffSegment] = []

    def add(kind: Literal["equal", "insert", "delete"], tokens: list[str]) -> None:
        text = "".join(tokens)
        if not text:
            return
        if out and out[-1]["kind"] == kind:
            out[-1]["text"] += text
        else:
            out.append(DiffSegment(kind=kind, text=text))

    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            add("equal", a[i1:i2])
        else:
            add("delete", a[i1:i2])
            add("insert", b[j1:j2])
    return out


def changed_words(segments: list[DiffSegment]) -> tuple[int, int]:
    """(words inserted, words deleted): the size of an edit."""
    inserted = sum(len(s["text"].split()) for s in segments if s["kind"] == "insert")
    deleted = sum(len(s["text"].split()) for s in segments if s["kind"] == "delete")
    return inserted, deleted


__all__ = ["DiffSegment", "changed_words", "word_diff"]
