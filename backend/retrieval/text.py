"""Small text helpers for matching in memory: terms of a text, BM25 over a handful of passages, term overlap,
and the URLs written in a message. (Stored chunks are matched in PostgreSQL; see `queries`.)"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
_URL_TRAILING = ".,;:!?)]}»”’"
_STOPWORDS = frozenset(
    ("a", "about", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can", "do", "does", "for", "from",
     "has", "have", "how", "i", "if", "in", "into", "is", "it", "its", "me", "my", "no", "not", "of", "on", "or",
     "our", "so", "than", "that", "the", "their", "them", "then", "there", "these", "they", "this", "to", "us",
     "was", "we", "were", "what", "when", "where", "which", "who", "why", "will", "with", "you", "your")
)  # fmt: skip
_SUFFIXES = ("ing", "ies", "es", "ed", "s")

BM25_K1 = 1.2
BM25_B = 0.75


def stem(word: str) -> str:
    """A light English stemmer (plurals, -ing, -ed): enough to match "campaigns" with "campaign"."""
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def terms(text: str) -> list[str]:
    """The stemmed content words of `text`, in order (stop words left out)."""
    return [stem(w) for w in (m.lower() for m in _WORD.findall(text)) if w not in _STOPWORDS and len(w) > 1]


def overlap(query_terms: Sequence[str], text: str) -> float:
    """The share of the query's distinct terms that occur in `text` (0 to 1)."""
    wanted = set(query_terms)
    if not wanted:
        return 0.0
    return len(wanted & set(terms(text))) / len(wanted)


def bm25(query_terms: Sequence[str], passages: Sequence[str]) -> list[float]:
    """BM25 of each passage for the query, with the passages themselves as the collection."""
    docs = [Counter(terms(p)) for p in passages]
    if not docs:
        return []
    n = len(docs)
    avg_len = sum(sum(d.values()) for d in docs) / n or 1.0
    wanted = set(query_terms)
    df = Counter(term for d in docs for term in wanted if term in d)
    scores = []
    for d in docs:
        length = sum(d.values())
        score = 0.0
        for term in wanted:
            tf = d.get(term, 0)
            if tf:
                idf = math.log(1 + (n - df[term] + 0.5) / (df[term] + 0.5))
                score += idf * tf * (BM25_K1 + 1) / (tf + BM25_K1 * (1 - BM25_B + BM25_B * length / avg_len))
        scores.append(score)
    return scores


def extract_urls(text: str) -> list[str]:
    """The http(s) URLs written in `text`, in order, without duplicates or trailing punctuation."""
    found: list[str] = []
    for match in _URL.findall(text):
        url = match.rstrip(_URL_TRAILING)
        if url not in found:
            found.append(url)
    return found


__all__ = ["BM25_B", "BM25_K1", "bm25", "extract_urls", "overlap", "stem", "terms"]
