"""Hashed n-gram features for the linear injection classifier, shared by training and scanning.

A text is folded (`normalize.fold`), reduced to a small ASCII alphabet and turned into two streams of
feature indices, each tagged with the byte position it starts at: character 4- and 5-grams and word 1- and
2-grams. Because every feature has a position, the score of any span is a difference of two prefix sums,
so a chunk is scored sentence by sentence (an instruction hidden in a long report is not diluted by the
report) in one vectorised pass. Hashing is our own fixed arithmetic, never Python's salted `hash()`, so
the weights trained in one process mean the same thing in every other.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import numpy as np

from backend.safety.normalize import fold

DIM = 1 << 18
"""Size of the hashed feature space (the classifier's weight vector)."""

_CHAR_NS = (4, 5)
_KEEP_RE = re.compile(r"[^a-z0-9\s.,:;!?'\"<>|\[\](){}/=#@_*-]+")
_SPACES_RE = re.compile(r"[^\S\n]+")
_NEWLINES_RE = re.compile(r"\s*\n\s*")
_WORD_RE = re.compile(rb"[a-z0-9']+")
# A sentence ends at . ! ? or a line break followed by space; spans are scored per sentence and pair.
_BOUNDARY_RE = re.compile(rb"[.!?]+[\s\"')\]]+|\n")
_WORD_BYTES = np.zeros(256, dtype=bool)
_WORD_BYTES[list(b"abcdefghijklmnopqrstuvwxyz0123456789'")] = True
"""The bytes `_WORD_RE` counts as word characters."""
_MAX_SPAN = 360
_SPAN_STEP = 180
_MULT = np.uint64(0x100000001B3)
_MIX = np.uint64(0x9E3779B97F4A7C15)


def prepare(text: str) -> bytes:
    """The folded ASCII form features are computed from (letters, digits, spacing and some punctuation)."""
    folded = fold(text)
    folded = _KEEP_RE.sub(" ", folded)
    folded = _NEWLINES_RE.sub("\n", _SPACES_RE.sub(" ", folded)).strip()
    return folded.encode("ascii", "ignore")


@dataclass(frozen=True, slots=True)
class Features:
    """Feature indices with the byte positions they start at, for one prepared text."""

    char_pos: np.ndarray
    char_idx: np.ndarray
    word_pos: np.ndarray
    word_idx: np.ndarray

    def indices(self) -> np.ndarray:
        """Every feature index of the whole text (duplicates kept: they are counts)."""
        return np.concatenate([self.char_idx, self.word_idx])


def _mix(h: np.ndarray, salt: int) -> np.ndarray:
    h = (h ^ np.uint64(salt)) * _MIX
    h ^= h >> np.uint64(29)
    return (h % np.uint64(DIM)).astype(np.int64)


def extract(data: bytes) -> Features:
    """Character and word n-gram features of a prepared text."""
    arr = np.frombuffer(b" " + data + b" ", dtype=np.uint8).astype(np.uint64)
    char_pos: list[np.ndarray] = []
    char_idx: list[np.ndarray] = []
    with np.errstate(over="ignore"):
        for n in _CHAR_NS:
            count = len(arr) - n + 1
            if count <= 0:
                continue
            h = np.zeros(count, dtype=np.uint64)
            for k in range(n):
                h = h * _MULT + arr[k : k + count]
            char_idx.append(_mix(h, n))
            char_pos.append(np.arange(count, dtype=np.int64) - 1)
        words = _WORD_RE.findall(data)
        cached = [_WORD_HASHES.get(w) for w in words]
        word_hashes = np.array(
            [h if h is not None else _word_hash(w) for h, w in zip(cached, words, strict=True)], dtype=np.uint64
        )
        # Where each word starts: a word byte after a byte that is not one (the matches of `_WORD_RE`).
        inside = _WORD_BYTES[arr[1:-1].astype(np.uint8)]
        starts = np.flatnonzero(inside & ~np.concatenate(([False], inside[:-1]))).astype(np.int64)
        word_idx = [_mix(word_hashes, 101)]
        word_pos = [starts]
        if len(words) > 1:
            word_idx.append(_mix(word_hashes[:-1] * _MULT + word_hashes[1:], 202))
            word_pos.append(starts[:-1])
    empty = np.zeros(0, dtype=np.int64)
    cpos, cidx = (np.concatenate(char_pos), np.concatenate(char_idx)) if char_pos else (empty, empty)
    wpos, widx = (np.concatenate(word_pos), np.concatenate(word_idx)) if words else (empty, empty)
    corder, worder = np.argsort(cpos, kind="stable"), np.argsort(wpos, kind="stable")
    return Features(char_pos=cpos[corder], char_idx=cidx[corder], word_pos=wpos[worder], word_idx=widx[worder])


def _word_hash(word: bytes) -> int:
    # Words repeat from chunk to chunk: each one is hashed once (the cache is emptied when it grows large).
    if (h := _WORD_HASHES.get(word)) is None:
        if len(_WORD_HASHES) >= _WORD_CACHE_SIZE:
            _WORD_HASHES.clear()
        h = _WORD_HASHES[word] = _fnv1a(word)
    return h


_WORD_CACHE_SIZE = 100_000
_WORD_HASHES: dict[bytes, int] = {}


def _fnv1a(word: bytes) -> int:
    # FNV-1a over the bytes: stable across processes and platforms.
    h = 0xCBF29CE484222325
    for b in word:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def spans(data: bytes) -> list[tuple[int, int]]:
    """The byte spans a text is scored on: each sentence, each pair of neighbours, long ones in windows."""
    cuts = [0] + [m.end() for m in _BOUNDARY_RE.finditer(data)] + [len(data)]
    sentences = [(a, b) for a, b in itertools.pairwise(cuts) if b - a > 1]
    out: list[tuple[int, int]] = []
    for i, (a, b) in enumerate(sentences):
        if b - a > _MAX_SPAN:
            out.extend((s, min(s + _MAX_SPAN, b)) for s in range(a, b - _SPAN_STEP, _SPAN_STEP))
        else:
            out.append((a, b))
        if i + 1 < len(sentences) and sentences[i + 1][1] - a <= _MAX_SPAN:
            out.append((a, sentences[i + 1][1]))
    if len(data) <= _MAX_SPAN and (0, len(data)) not in out:
        out.append((0, len(data)))
    return out or [(0, len(data))]


def vectorize(indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sparse (index, value) of one span's features: counts divided by the square root of the total."""
    if len(indices) == 0:
        return indices, np.zeros(0, dtype=np.float32)
    uniq, counts = np.unique(indices, return_counts=True)
    return uniq, (counts / np.sqrt(len(indices))).astype(np.float32)


def span_indices(feats: Features, start: int, end: int) -> np.ndarray:
    """The feature indices that start inside [start, end) (word bigrams straddling the end are kept)."""
    c0, c1 = np.searchsorted(feats.char_pos, [start, end])
    w0, w1 = np.searchsorted(feats.word_pos, [start, end])
    return np.concatenate([feats.char_idx[c0:c1], feats.word_idx[w0:w1]])
