"""Text normalisation that undoes the usual tricks for hiding an instruction from a pattern match.

Attackers hide "ignore previous instructions" from naive filters with look-alike letters from other scripts,
full-width or mathematical letters, zero-width characters between letters, letter spacing, and invisible
Unicode "tag" characters. Everything here is pure string work; the detector matches its patterns against the
forms built here, never against the raw text.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

# Characters that render as nothing (or nearly nothing) in most viewers. Some are legitimate on their own
# (ZWJ in emoji, ZWNJ in Persian, soft hyphens), so they are removed for matching, not flagged by themselves.
_INVISIBLE_RANGES = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180E),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE007F),
    (0xE0100, 0xE01EF),
)
_INVISIBLE_CLASS = "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in _INVISIBLE_RANGES)
INVISIBLE_RE = re.compile(f"[{_INVISIBLE_CLASS}]")
INVISIBLE_RUN_RE = re.compile(f"[{_INVISIBLE_CLASS}]{{8,}}")
BIDI_OVERRIDE_RE = re.compile("[\u202d\u202e]")
TAG_RUN_RE = re.compile("(\U0001f3f4?)([\U000e0000-\U000e007f]+)")

# Letters from other scripts that look like Latin letters, folded so "іgnоrе" (Cyrillic і, о, е) matches.
# NFKC already folds full-width, mathematical and circled letters; these survive it.
_CONFUSABLES = str.maketrans(
    {
        # Cyrillic
        "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
        "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "ԁ": "d", "һ": "h", "ӏ": "l",
        "ԛ": "q", "ԝ": "w", "ү": "y", "ɡ": "g", "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H",
        "О": "O", "Р": "P", "С": "C", "Т": "T", "Х": "X", "У": "Y", "Ѕ": "S", "І": "I", "Ј": "J", "Ԛ": "Q",
        "Ԝ": "W",
        # Greek
        "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u",
        "χ": "x", "γ": "y", "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
        "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
        # Latin and Armenian look-alikes
        "ı": "i", "ɑ": "a", "ɩ": "i", "ɪ": "i", "ʏ": "y", "օ": "o", "ս": "u", "հ": "h", "ց": "g",
        # Punctuation variants, so patterns need only the ASCII form
        "‘": "'", "’": "'", "‚": "'", "‛": "'", "´": "'", "`": "'", "“": '"', "”": '"', "„": '"',
        "«": '"', "»": '"', "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-",
    }
)  # fmt: skip

_SPACES_RE = re.compile(r"[^\S\n]+")
_LINES_RE = re.compile(r"\s*\n\s*")
_WS_RE = re.compile(r"\s+")
# "i g n o r e  a l l" or "i.g.n.o.r.e": six or more single letters joined by one separator each.
_SPACED_LETTERS_RE = re.compile(r"(?<![a-z])(?:[a-z][ ._*·-]{1,3}){5,}[a-z](?![a-z])")


@dataclass(frozen=True, slots=True)
class Normalized:
    """The forms of one text that patterns are matched against."""

    lines: str
    """Folded, lower-cased, accents kept out, newlines kept: for markers that must start a line."""
    flat: str
    """Like `lines` with every run of whitespace a single space: for phrases."""
    despaced: str
    """`flat` with letter-spaced runs ("i g n o r e") closed up ("ignore")."""
    squashed: tuple[str, ...]
    """Each letter-spaced run on its own with the separators removed (word gaps are lost there too)."""
    hidden: str
    """Text spelled in invisible Unicode tag characters (not emoji flags), decoded to ASCII."""


def fold(text: str) -> str:
    """NFKC, invisible characters removed, look-alikes folded, accents stripped, case folded."""
    if len(text) > _FOLD_CACHE_LONGEST:
        return _fold(text)
    return _fold_cached(text)


def _fold(text: str) -> str:
    if text.isascii():
        # ASCII is its own NFKC and NFKD, holds no invisible characters and no combining marks: only the
        # look-alike table (the backtick) and the case apply.
        return text.translate(_CONFUSABLES).casefold()
    text = unicodedata.normalize("NFKC", text)
    text = INVISIBLE_RE.sub("", text).translate(_CONFUSABLES)
    decomposed = unicodedata.normalize("NFKD", text)
    if not decomposed.isascii():
        marks = {ord(ch): None for ch in set(decomposed) if not ch.isascii() and unicodedata.combining(ch)}
        if marks:
            decomposed = decomposed.translate(marks)
    return decomposed.casefold()


_FOLD_CACHE_LONGEST = 20_000
# A chunk is folded for the rules, again for the classifier's features and again for the decoders' hints: the
# same text, so the last few folds are kept (texts up to `_FOLD_CACHE_LONGEST` characters).
_fold_cached = functools.lru_cache(maxsize=64)(_fold)


def hidden_tag_text(text: str) -> str:
    """ASCII spelled by Unicode tag characters, except the short runs that make up emoji subdivision flags."""
    parts: list[str] = []
    for match in TAG_RUN_RE.finditer(text):
        flag, run = match.group(1), match.group(2)
        if flag and len(run) <= 7:
            continue  # a regional flag such as Scotland's: U+1F3F4 + "gbsct" + cancel tag
        parts.append("".join(chr(ord(ch) - 0xE0000) for ch in run if 0xE0020 <= ord(ch) <= 0xE007E))
    return " ".join(part for part in parts if part.strip())


def normalize(text: str) -> Normalized:
    """Every matching form of `text`."""
    folded = fold(text)
    lines = _LINES_RE.sub("\n", _SPACES_RE.sub(" ", folded)).strip()
    flat = _WS_RE.sub(" ", lines)
    runs = [m.group() for m in _SPACED_LETTERS_RE.finditer(folded)]
    if runs:
        despaced = _WS_RE.sub(" ", _SPACED_LETTERS_RE.sub(lambda m: _squash_words(m.group()), folded)).strip()
    else:
        despaced = flat
    return Normalized(
        lines=lines,
        flat=flat,
        despaced=despaced,
        squashed=tuple(_squash(run) for run in runs),
        hidden=hidden_tag_text(text),
    )


def _squash(run: str) -> str:
    return re.sub(r"[^a-z]", "", run)


def _squash_words(run: str) -> str:
    # A wider gap (two or more separators) between letters was a word gap: keep it as a space.
    return " ".join(_squash(word) for word in re.split(r"[ ._*·-]{2,}", run))
