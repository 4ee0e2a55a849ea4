"""Text statistics the tools share: words, sentences, syllables, readability, keyword density, headings.

All pure and deterministic, so a score is the same every time a draft is checked. Readability uses the
published Flesch formulas over a rule-based syllable count (vowel groups, a silent final "e", the "-es"/"-ed"
endings): exact for common words, off by one on some long ones, as every syllable heuristic is.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from backend.retrieval.text import terms

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’-]*")
_VOWELS = re.compile(r"[aeiouy]+")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")
_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "vs.", "mr.", "mrs.", "ms.", "dr.", "inc.", "ltd.", "co.", "no.", "approx.")
_CODE_FENCE = re.compile(r"```.*?```", re.DOTALL)
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)")
_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
STOPWORDS = frozenset(
    ("a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been", "before", "being",
     "but", "by", "can", "could", "did", "do", "does", "each", "for", "from", "get", "had", "has", "have", "he",
     "her", "here", "his", "how", "i", "if", "in", "into", "is", "it", "its", "just", "like", "make", "may", "me",
     "more", "most", "much", "must", "my", "new", "no", "not", "now", "of", "on", "one", "only", "or", "other",
     "our", "out", "over", "she", "should", "so", "some", "such", "than", "that", "the", "their", "them", "then",
     "there", "these", "they", "this", "those", "through", "to", "too", "up", "us", "use", "very", "was", "way",
     "we", "were", "what", "when", "where", "which", "while", "who", "why", "will", "with", "would", "you", "your",
     # Verbs that join topics rather than name them ("Acme offers social scheduling").
     "allow", "allows", "bring", "brings", "enable", "enables", "give", "gives", "help", "helps", "include",
     "includes", "let", "lets", "makes", "offer", "offers", "provide", "provides", "support", "supports", "uses")
)  # fmt: skip


def words(text: str) -> list[str]:
    """The words of `text` (letters and digits, keeping inner apostrophes and hyphens)."""
    return _WORD.findall(text)


def syllables(word: str) -> int:
    """Syllables in an English word by rule (at least 1 for any word with a letter)."""
    w = re.sub(r"[^a-z]", "", word.lower())
    if not w:
        return 0
    if len(w) <= 3:
        return 1
    count = len(_VOWELS.findall(w))
    if w.endswith("e") and not w.endswith(("ee", "ye")) and w[-2] not in "aeiouy":
        # A final "-le" after a consonant is its own syllable (ta-ble); any other final "e" is silent (make).
        silent = not (w.endswith("le") and w[-3] not in "aeiouy")
    else:
        # "-es" and "-ed" are silent after most consonants (makes, jumped), not after s/x/z/ch/ce/ge or t/d.
        silent = (w.endswith("es") and w[-3] not in "aeiouysxzcgh") or (w.endswith("ed") and w[-3] not in "aeiouytd")
    count -= silent
    return max(1, count)


def plain_text(markdown: str) -> str:
    """Markdown as prose: code dropped, links and images reduced to their text, marks removed; every heading
    or list item ends as a sentence of its own."""
    text = _CODE_FENCE.sub(" ", markdown)
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    lines = []
    for line in text.splitlines():
        heading = _HEADING.match(line)
        stripped = heading.group(2) if heading else _LIST_MARK.sub("", line)
        stripped = _EMPHASIS.sub("", stripped).strip()
        if stripped and (heading or _LIST_MARK.match(line)):
            # A blank line after it: a heading or list item is a sentence even without end punctuation.
            lines.extend([stripped if stripped[-1] in ".!?:" else stripped + ".", ""])
        else:
            lines.append(stripped)
    return "\n".join(lines)


def sentences(text: str) -> list[str]:
    """The sentences of prose (blank lines and single line breaks after end punctuation separate too)."""
    found: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        block = " ".join(block.split())
        if not block:
            continue
        pieces = _SENTENCE_END.split(block)
        merged: list[str] = []
        for piece in pieces:
            if merged and merged[-1].lower().endswith(_ABBREVIATIONS):
                merged[-1] = f"{merged[-1]} {piece}"
            else:
                merged.append(piece)
        found.extend(s.strip() for s in merged if words(s))
    return found


@dataclass(frozen=True, slots=True)
class TextStats:
    """Counts and readability of a text."""

    words: int
    sentences: int
    syllables: int
    characters: int
    flesch_reading_ease: float
    """206.835 − 1.015 × words/sentence − 84.6 × syllables/word: higher is easier (60-70 is plain English)."""
    flesch_kincaid_grade: float
    """0.39 × words/sentence + 11.8 × syllables/word − 15.59: the US school grade that can read it."""
    avg_sentence_words: float
    long_sentences: tuple[str, ...]
    """Sentences over `LONG_SENTENCE_WORDS` words, in order."""


LONG_SENTENCE_WORDS = 25


def text_stats(text: str, *, markdown: bool = True, long_sentence_words: int = LONG_SENTENCE_WORDS) -> TextStats:
    """Statistics of a text (Markdown reduced to prose first unless `markdown` is False)."""
    prose = plain_text(text) if markdown else text
    found = sentences(prose)
    all_words = [w for s in found for w in words(s)]
    n_words, n_sentences = len(all_words), len(found)
    n_syllables = sum(syllables(w) for w in all_words)
    if n_words == 0 or n_sentences == 0:
        return TextStats(0, 0, 0, len(prose), 0.0, 0.0, 0.0, ())
    wps, spw = n_words / n_sentences, n_syllables / n_words
    return TextStats(
        words=n_words,
        sentences=n_sentences,
        syllables=n_syllables,
        characters=len(prose),
        flesch_reading_ease=round(206.835 - 1.015 * wps - 84.6 * spw, 1),
        flesch_kincaid_grade=round(0.39 * wps + 11.8 * spw - 15.59, 1),
        avg_sentence_words=round(wps, 1),
        long_sentences=tuple(s for s in found if len(words(s)) > long_sentence_words),
    )


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    parts = [re.escape(p) for p in words(phrase.lower())]
    if not parts:
        return re.compile(r"(?!x)x")
    # The last word may take a plural ending, so "email campaign" also matches "email campaigns".
    return re.compile(r"(?<![\w'’-])" + r"\s+".join(parts) + r"(?:e?s)?(?![\w'’-])", re.IGNORECASE)


def count_phrase(text: str, phrase: str) -> int:
    """How often `phrase` occurs in `text` as whole words (case-insensitive; a plural counts)."""
    return len(_phrase_pattern(phrase).findall(text))


def contains_phrase(text: str, phrase: str) -> bool:
    return _phrase_pattern(phrase).search(text) is not None


def keyword_density(text: str, keyword: str) -> float:
    """Occurrences of `keyword` per 100 words of `text` (the usual SEO keyphrase density), in percent."""
    total = len(words(plain_text(text)))
    return round(100.0 * count_phrase(text, keyword) / total, 2) if total else 0.0


def headings(markdown: str) -> list[tuple[int, str]]:
    """The Markdown headings of a text as (level, text), in order (`#` is level 1)."""
    found = []
    in_code = False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            in_code = not in_code
            continue
        match = None if in_code else _HEADING.match(line)
        if match:
            found.append((len(match.group(1)), _EMPHASIS.sub("", match.group(2)).strip()))
    return found


def truncate(text: str, limit: int) -> str:
    """`text` as a list shows it when it allows `limit` characters: cut at a word boundary, with "…"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: max(1, limit - 1)]
    if " " in cut and not text[len(cut)].isspace():
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:-–—") + "…"


def term_set(text: str) -> set[str]:
    """The distinct stemmed content words of a text (for overlap and similarity)."""
    return set(terms(text))


def jaccard(a: set[str], b: set[str]) -> float:
    """Shared terms over all terms (0 when both are empty)."""
    union = a | b
    return len(a & b) / len(union) if union else 0.0


def key_phrases(texts: Iterable[str], *, max_words: int = 3, limit: int = 30) -> list[tuple[str, int]]:
    """The most frequent 1-3 word phrases of some texts (runs of content words: no stop word, no bare number),
    with the number of texts each occurs in, most frequent (then longest) first."""
    counts: Counter[str] = Counter()
    for text in texts:
        seen: set[str] = set()
        for sentence in sentences(plain_text(text)):
            tokens = [w.lower().strip("'’-") for w in words(sentence)]
            for n in range(1, max_words + 1):
                for i in range(len(tokens) - n + 1):
                    gram = tokens[i : i + n]
                    if any(t in STOPWORDS or len(t) < 2 for t in gram):
                        continue
                    if all(t.isdigit() for t in gram):
                        continue
                    seen.add(" ".join(gram))
        counts.update(seen)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], -len(item[0].split()), item[0]))
    return ranked[:limit]
