"""Decoders that reveal text hidden in an encoding, so the detector can read what a model could read.

A model decodes base64, hex, rot13, Morse code or the NATO alphabet on request, so an instruction written
in any of them is as dangerous as the plain one, and a filter that only reads plain text misses it. Each
decoder here finds candidate spans cheaply (a regular expression over a bounded alphabet, or a line that
reads as gibberish), decodes them with size limits, and keeps a result only when it reads as text: the
share of its words found in a vocabulary of ordinary English decides, so hashes, keys, images and
identifiers (which also match the alphabets) are dropped. Linear in the input: every pattern is a single
pass over a character class with bounded repetition and no nested quantifiers.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import functools
import html
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import unquote

from backend.safety.alphabets import ATBASH, BRAILLE, LEET, MORSE, NATO_WORDS

MAX_CANDIDATES = 40
MAX_DECODED = 8_000
_MIN_WORDS = 3

_B64_RE = re.compile(r"(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_-]{16,8000}={0,2}")
_B64_BLOCK_RE = re.compile(r"(?:^[ \t]*[A-Za-z0-9+/_-]{16,200}={0,2}[ \t]*(?:\r?\n|\Z)){2,}", re.MULTILINE)
_B32_RE = re.compile(r"(?<![A-Za-z0-9])[A-Z2-7]{16,8000}={0,6}(?![A-Za-z0-9])")
_HEX_RE = re.compile(r"(?<![0-9A-Za-z])(?:(?:0x|\\x)?[0-9A-Fa-f]{2}[ :,-]?){8,4000}(?![0-9A-Za-z])")
_BIN_RE = re.compile(r"(?<![01])(?:[01]{8}[ ,]?){4,2000}(?![01])")
_A85_DELIM_RE = re.compile(r"<~([!-uz\s]{4,8000}?)~>")
_A85_TOKEN_RE = re.compile(r"(?<![!-~])[!-~]{16,8000}(?![!-~])")
_A85_PUNCT_RE = re.compile(r"[!-/:-@\[-`{-~]")
_UU_LINE_RE = re.compile(r"^[!-M][ -`]{4,61}$", re.MULTILINE)
_MORSE_RE = re.compile(r"(?:[.\-·•_−]{1,7}[ \t]{1,3}(?:[/|][ \t]{0,3})?){5,4000}[.\-·•_−]{1,7}")
_BRAILLE_RE = re.compile(r"[\u2800-\u28ff][\u2800-\u28ff\s]{3,4000}")
_NATO_RE = re.compile(
    r"\b(?:(?:" + "|".join(NATO_WORDS) + r")\b[\s,./|-]{1,5}){4,2000}(?:" + "|".join(NATO_WORDS) + r")\b",
    re.IGNORECASE,
)
_NATO_SET = frozenset(w.replace("-", "") for w in NATO_WORDS)
_PERCENT_RE = re.compile(r"(?:%[0-9A-Fa-f]{2}[^%\s]{0,24}){6,4000}")
_ENTITY_RE = re.compile(r"(?:&#x?[0-9A-Fa-f]{1,6};\s?){6,4000}")
# JSON / JavaScript string escapes ("\u0069\u0067..."), and full-width Latin letters (U+FF01-FF5E, NFKC folds them)
# written as whole sentences, which no real text does (rules-12).
_JSON_ESCAPE_RE = re.compile(r"(?:\\u[0-9A-Fa-f]{4}){6,4000}")
_FULLWIDTH_RE = re.compile(r"(?<![\uff01-\uff5e])[\uff01-\uff5e]{2,200}(?:[\u3000 ]{1,3}[\uff01-\uff5e]{1,200}){3,400}")
_WORD_RE = re.compile(r"[a-z]{2,}")
# Symbols stand for letters at the edges of words too ("$ay", "@ll", "+he"): bounded by what is not a leet
# character rather than by a word boundary, which a leading "$" or "@" never has.
_LEET_CHAR_RE = re.compile(r"[0134578@$|+]")
_LEET_TOKEN_RE = re.compile(
    r"(?<![a-z0-9@$!|+])(?=[a-z0-9@$!|+]*[a-z])(?=[a-z0-9@$!|+]*[0134578@$|+])[a-z0-9@$!|+]{3,}(?![a-z0-9@$!|+])"
)


@dataclass(frozen=True, slots=True)
class Decoded:
    """One span of the input and the text it decodes to."""

    encoding: str
    span: str
    text: str


class Vocabulary:
    """Ordinary English words, to tell decoded text from decoded noise."""

    def __init__(self, words: frozenset[str]) -> None:
        self.words = words
        self._max = max((len(w) for w in words), default=1)

    def ratio(self, text: str) -> tuple[float, int]:
        """Share of the alphabetic words of `text` that are known, and how many words there are."""
        tokens = _WORD_RE.findall(text.lower())
        if not tokens:
            return 0.0, 0
        return sum(t in self.words for t in tokens) / len(tokens), len(tokens)

    def readable(self, text: str, min_words: int = _MIN_WORDS) -> bool:
        """True when `text` reads as words (at least `min_words`, most of them known)."""
        share, count = self.ratio(text)
        return count >= min_words and share >= 0.6

    def segment(self, letters: str, min_words: int = _MIN_WORDS) -> str | None:
        """Spaces put back into a run of letters ("ignoreallrules" -> "ignore all rules"), when words cover it."""
        letters = letters[:400]
        n = len(letters)
        best: list[tuple[float, int]] = [(0.0, 0)] + [(float("inf"), 0)] * n
        for end in range(1, n + 1):
            for start in range(max(0, end - self._max), end):
                word = letters[start:end]
                known = word in self.words
                cost = best[start][0] + (1.0 if known else 3.0 + 2.0 * len(word))
                if known and len(word) == 1 and word not in ("a", "i"):
                    cost += 2.0
                if cost < best[end][0]:
                    best[end] = (cost, start)
        words: list[str] = []
        end = n
        while end > 0:
            start = best[end][1]
            words.append(letters[start:end])
            end = start
        words.reverse()
        text = " ".join(words)
        return text if self.readable(text, min_words) else None


def decode_all(text: str, vocab: Vocabulary, *, min_words: int = _MIN_WORDS) -> list[Decoded]:
    """Every readable text hidden in `text` by one layer of encoding (bounded in count and size)."""
    found: list[Decoded] = []
    seen: set[str] = set()
    for encoding, span, decoded in _candidates(text, vocab, min_words):
        decoded = decoded[:MAX_DECODED]
        key = decoded.strip().lower()
        if not key or key in seen:
            continue
        seen.add(key)
        found.append(Decoded(encoding, span[:200], decoded))
        if len(found) >= MAX_CANDIDATES:
            break
    return found


# Cheap tests that a decoder's pattern could match at all, each implied by every match of it: a run of eight
# binary digits, of sixteen base32 characters, two Morse groups in a row, six escapes, five spelling-alphabet words.
# Each starts with a character class or a literal, which `re` finds with a fast scan; the patterns they stand for
# start with a lookbehind or a group and are tried at every position of the text.
_BIN_CORE_RE = re.compile(r"[01][01]{7}")
_B32_CORE_RE = re.compile(r"[A-Z2-7][A-Z2-7]{15}")
_MORSE_CORE_RE = re.compile(r"[.\-·•_−][.\-·•_−]{0,6}[ \t]{1,3}(?:[/|][ \t]{0,3})?[.\-·•_−]")
# Under re.IGNORECASE these letters match an ASCII one too (a dotted or dotless i, a long s, the Kelvin sign).
_ASCII_CASE = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


def _spells_nato(text: str) -> bool:
    """Whether `text` holds the five spelling-alphabet words a `_NATO_RE` match needs (counted anywhere)."""
    lowered = text.translate(_ASCII_CASE).lower()
    count = 0
    for word in NATO_WORDS:
        count += lowered.count(word)
        if count >= 5:
            return True
    return False


def _candidates(text: str, vocab: Vocabulary, min_words: int) -> Iterator[tuple[str, str, str]]:
    def each(regex: re.Pattern[str], possible: bool = True) -> Iterator[str]:
        if not possible:
            return
        # Each decoder gets its own budget, so a page of code tokens cannot starve the Morse decoder.
        for n, m in enumerate(regex.finditer(text)):
            if n >= MAX_CANDIDATES:
                return
            yield m.group()

    def keep(encoding: str, span: str, decoded: str | None) -> Iterator[tuple[str, str, str]]:
        if decoded is None:
            return
        if vocab.readable(decoded, min_words):
            yield encoding, span, decoded
            return
        letters = re.sub(r"[^a-z]", "", decoded.lower())
        if " " not in decoded.strip() and len(letters) >= 8 and (spaced := vocab.segment(letters, min_words)):
            yield encoding, span, spaced
        # Letters that are not words yet: a second layer (rot13, reversal...) inside this one (rules-12).
        elif (
            decoded.count(" ") >= 3
            and len(letters) >= 0.7 * len(decoded.strip())
            and (shifted := _shifted(decoded[:2000], vocab, min_words))
        ):
            yield f"{encoding}+{shifted[0]}", span, shifted[1]

    for block in each(_B64_BLOCK_RE):
        yield from keep("base64", block, _bytes_text(_b64(block)))
    for span in each(_B64_RE):
        yield from keep("base64", span, _bytes_text(_b64(span)))
    for span in each(_B32_RE, _B32_CORE_RE.search(text) is not None):
        yield from keep("base32", span, _bytes_text(_try(base64.b32decode, _pad(span, 8))))
    for span in each(_HEX_RE):
        digits = re.sub(r"0x|\\x|[^0-9A-Fa-f]", "", span)
        if len(digits) % 2 == 0:
            yield from keep("hex", span, _bytes_text(_try(bytes.fromhex, digits)))
    for span in each(_BIN_RE, _BIN_CORE_RE.search(text) is not None):
        bits = re.sub(r"[^01]", "", span)
        raw = bytes(int(bits[i : i + 8], 2) for i in range(0, len(bits) - 7, 8))
        yield from keep("binary", span, _bytes_text(raw))
    for m in _A85_DELIM_RE.finditer(text):
        body = re.sub(r"\s", "", m.group(1))
        yield from keep("ascii85", m.group(), _bytes_text(_try(base64.a85decode, body)))
    for span in each(_A85_TOKEN_RE):
        if re.fullmatch(r"[A-Za-z0-9+/=_-]+", span) or "://" in span or len(_A85_PUNCT_RE.findall(span)) < 3:
            continue  # plain base64, an address or a word, handled elsewhere
        decoded = _bytes_text(_try(base64.a85decode, span))
        if decoded is None:
            decoded = _bytes_text(_try(base64.b85decode, span))
        yield from keep("ascii85", span, decoded)
    if uu := _uudecode(text):
        yield from keep("uuencode", uu[0], uu[1])
    for span in each(_MORSE_RE, _MORSE_CORE_RE.search(text) is not None):
        yield from keep("morse", span, _morse(span))
    for span in each(_BRAILLE_RE):
        yield from keep("braille", span, "".join(BRAILLE.get(ord(ch) - 0x2800, " ") for ch in span))
    for span in each(_NATO_RE, _spells_nato(text)):
        yield from keep("nato", span, _nato(span))
    for span in each(_PERCENT_RE, text.count("%") >= 6):
        yield from keep("percent", span, unquote(span))
    for span in each(_ENTITY_RE, text.count("&#") >= 6):
        yield from keep("html_entities", span, html.unescape(span))
    for span in each(_JSON_ESCAPE_RE) if "\\u" in text else ():
        yield from keep("json_escape", span, re.sub(r"\\u([0-9A-Fa-f]{4})", lambda m: chr(int(m.group(1), 16)), span))
    for span in () if text.isascii() else each(_FULLWIDTH_RE):
        yield from keep("fullwidth", span, unicodedata.normalize("NFKC", span))
    yield from _gibberish_lines(text, vocab, min_words)


def _gibberish_lines(text: str, vocab: Vocabulary, min_words: int) -> Iterator[tuple[str, str, str]]:
    """Lines, or runs of words inside a line, that read as noise but as words after rot13/Caesar, atbash,
    reversal or leetspeak."""
    tried = 0
    for line in re.split(r"\n|(?<=[.!?])\s+", text):
        if tried >= 12:
            return
        share, count = vocab.ratio(line)
        # Leet words are word-sized: a long run (a data URI, a key, a hash) is not one, whatever it holds.
        lowered = line.lower()
        # A leet token holds a digit or symbol standing for a letter: without one there is none to find.
        leet_tokens = (
            len([t for t in _LEET_TOKEN_RE.findall(lowered) if len(t) <= 20]) if _LEET_CHAR_RE.search(lowered) else 0
        )
        if count < 2 and leet_tokens < 2:
            continue
        clipped = line[:2000]
        if leet_tokens >= 2:
            tried += 1
            leet = _leet(clipped, vocab)
            leet_share, leet_count = vocab.ratio(leet)
            # Known words gained by reading the symbols as letters: plain words around the leet ones
            # ("the", "then") keep the share of the line high before decoding, so gains count too.
            gained = leet_share * leet_count - share * count
            improves = leet_share >= share + 0.2 or (leet_share >= 0.75 and gained >= 4)
            if leet_share >= 0.6 and improves and vocab.readable(leet, min_words):
                yield "leetspeak", clipped, leet
                continue
        candidates = [clipped] if share < 0.3 and count >= 4 else _unknown_runs(clipped, vocab)
        for candidate in candidates[:4]:
            tried += 1
            if found := _shifted(candidate, vocab, min_words):
                yield found[0], candidate, found[1]
                break


# Characters that stand for more than one letter: "1" and "!" for i or l, "|" for l or i, "6" for g or b,
# "7" for t or l. The plain table picks one; a word it leaves unknown gets the others tried.
_LEET_ALTERNATIVES = {"1": "il", "!": "il", "|": "li", "6": "gb", "7": "tl", "9": "gq"}
_TOKEN_SPLIT_RE = re.compile(r"(\s+)")


def _leet(line: str, vocab: Vocabulary) -> str:
    """`line` with leet characters read as letters, word by word, choosing the reading of an ambiguous
    character ("c10$3" is "close", not "cioes") that makes a known word (at most 16 readings a word)."""
    out: list[str] = []
    for token in _TOKEN_SPLIT_RE.split(line.lower()):
        plain = token.translate(LEET)
        core = plain.strip(".,;:!?'\"()")
        positions = [i for i, ch in enumerate(token) if ch in _LEET_ALTERNATIVES]
        if not positions or core in vocab.words or len(positions) > 4 or len(token) > 24:
            out.append(plain)
            continue
        chosen = plain
        for pick in itertools.product(*(_LEET_ALTERNATIVES[token[i]] for i in positions)):
            letters = list(plain)
            for i, letter in zip(positions, pick, strict=True):
                letters[i] = letter
            candidate = "".join(letters)
            if candidate.strip(".,;:!?'\"()") in vocab.words:
                chosen = candidate
                break
        out.append(chosen)
    return "".join(out)


def _unknown_runs(line: str, vocab: Vocabulary) -> list[str]:
    """Runs of three or more neighbouring words that are not English (an encoded phrase inside a sentence)."""
    runs: list[list[str]] = [[]]
    for token in line.split():
        letters = token.strip(".,;:!?'\"()").lower()
        # Encoded words are letters only: identifiers, numbers and code never start a run.
        if letters.isalpha() and letters.isascii() and (letters not in vocab.words or len(letters) <= 2):
            runs[-1].append(token)
        elif runs[-1]:
            runs.append([])
    return [" ".join(r) for r in runs if len(r) >= 2 and sum(len(t) >= 3 for t in r) >= 2]


def _shifted(candidate: str, vocab: Vocabulary, min_words: int) -> tuple[str, str] | None:
    transforms: list[tuple[str, Callable[[str], str]]] = [
        ("rot13", lambda s: codecs.encode(s, "rot13")),
        ("atbash", lambda s: s.translate(ATBASH)),
        ("reversed", lambda s: s[::-1]),
    ]
    if len(candidate.split()) >= 4:
        transforms += [(f"caesar{k}", functools.partial(_shift, k)) for k in range(1, 26) if k != 13]
    for name, fn in transforms:
        decoded = fn(candidate)
        share = vocab.ratio(decoded)[0]
        if (share >= 0.75 and _prose(decoded)) or (min_words <= 2 and share == 1.0 and _phrase(decoded)):
            return name, decoded
    return None


def _phrase(text: str) -> bool:
    """Two or more words of three letters or more and nothing but words: a short hidden phrase."""
    return (
        re.fullmatch(r"[A-Za-z' ,.!?-]+", text.strip()) is not None
        and len([w for w in _WORD_RE.findall(text.lower()) if len(w) >= 3]) >= 2
    )


def _prose(text: str) -> bool:
    """At least four words of three letters or more: what a hidden sentence looks like, not a table row."""
    return len([w for w in _WORD_RE.findall(text.lower()) if len(w) >= 3]) >= 4


def _shift(shift: int, text: str) -> str:
    return _caesar(text, shift)


def _caesar(text: str, shift: int) -> str:
    lower = "abcdefghijklmnopqrstuvwxyz"
    table = str.maketrans(
        lower + lower.upper(), lower[shift:] + lower[:shift] + (lower[shift:] + lower[:shift]).upper()
    )
    return text.translate(table)


def _pad(text: str, block: int) -> str:
    text = text.rstrip("=")
    return text + "=" * (-len(text) % block)


def _try(fn: Callable[[str], bytes], arg: str) -> bytes | None:
    try:
        return fn(arg)
    except (binascii.Error, ValueError):
        return None


def _b64(span: str) -> bytes | None:
    raw = _pad("".join(span.split()), 4)
    if "-" in raw or "_" in raw:
        return _try(base64.urlsafe_b64decode, raw)
    return _try(base64.b64decode, raw)


def _bytes_text(data: bytes | None) -> str | None:
    """The text `data` holds, or None when it is binary (an image, a hash, a key)."""
    if not data:
        return None
    try:
        decoded = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    printable = sum(ch.isprintable() or ch in "\n\r\t" for ch in decoded)
    return decoded if printable / len(decoded) >= 0.9 else None


def _uudecode(text: str) -> tuple[str, str] | None:
    # A uuencoded line starts with its byte count; the rest is four characters per three bytes.
    lines = [
        line
        for line in _UU_LINE_RE.findall(text)
        if abs(len(line.rstrip()) - 1 - 4 * -(-(ord(line[0]) - 32) // 3)) <= 1
    ]
    if len(lines) < 1 or not any(line.startswith("M") or len(line) > 8 for line in lines):
        return None
    out = bytearray()
    for line in lines[:200]:
        try:
            out += binascii.a2b_uu(line)
        except binascii.Error:
            continue
    decoded = _bytes_text(bytes(out))
    return ("\n".join(lines)[:200], decoded) if decoded else None


def _morse(span: str) -> str:
    span = re.sub(r"[·•]", ".", span).replace("_", "-").replace("−", "-")
    words = re.split(r"\s*[/|]\s*|\s{2,}", span.strip())
    return " ".join("".join(MORSE.get(code, "") for code in word.split()) for word in words)


def _nato(span: str) -> str:
    out: list[str] = []
    for token in re.split(r"([\s,.|/]+|-(?!ray))", span.lower()):
        if token.replace("-", "") in _NATO_SET:
            out.append("x" if token.startswith("x") else token[0])
        elif "/" in token or "|" in token or "  " in token or "." in token:
            out.append(" ")
    return "".join(out)
