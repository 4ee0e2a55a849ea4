"""Text signals the detector combines: which pattern matches a normalized text, whether a decoded or hidden
span reads as prose or a phrase, zero-width characters woven between letters, and image links that carry data
out (beacons). Pure functions; `contamination` decides what they mean together."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import parse_qsl, urlsplit

from backend.safety import normalize as norm
from backend.safety.action_patterns import (
    ADDRESS_PATTERNS,
    COERCION_PATTERNS,
    EXFILTRATION_PATTERNS,
    HTML_IMAGE_RE,
    MARKDOWN_IMAGE_RE,
    PLACEHOLDER_RE,
    RESPONSE_PATTERNS,
    SCRIPT_PATTERNS,
    SUSPICIOUS_QUERY_KEYS,
)
from backend.safety.addressee import mentioned
from backend.safety.patterns import (
    INSTRUCTION_PATTERNS,
    MARKUP_PATTERNS,
    SQUASHED_PATTERNS,
    TOOL_CALL_PATTERNS,
    Pattern,
)
from backend.safety.prefilter import Gate

WORDS_RE = re.compile(r"[a-z0-9']+")
STATIC_TOKEN_RE = re.compile(r"[A-Za-z0-9]{6,24}")

_PARALLEL_NEW_RE = re.compile(r"\bnew ([a-z]+), new (?:instructions|rules|directives?)\s*:")


def _explained(target: str, m: re.Match[str]) -> bool:
    if mentioned(target, m.start(), m.end()):
        return True
    return _PARALLEL_NEW_RE.search(target, max(0, m.start() - 30), m.end()) is not None


_GROUPS = (
    MARKUP_PATTERNS,
    INSTRUCTION_PATTERNS,
    TOOL_CALL_PATTERNS,
    EXFILTRATION_PATTERNS,
    SCRIPT_PATTERNS,
    ADDRESS_PATTERNS,
    COERCION_PATTERNS,
    RESPONSE_PATTERNS,
)
# One pass over a text finds the literals the patterns need; a pattern whose literals are absent is not run.
_GATE = Gate(pattern.regex for group in _GROUPS for pattern in group)


def match_text(forms: norm.Normalized) -> tuple[Pattern, str] | None:
    targets = (forms.flat,) if forms.despaced == forms.flat else (forms.flat, forms.despaced)
    present: dict[int, frozenset[str]] = {}
    for group in _GROUPS:
        for pattern in group:
            for target in (forms.lines, *targets) if group is MARKUP_PATTERNS else targets:
                if (found_here := present.get(id(target))) is None:
                    found_here = present[id(target)] = _GATE.present(target)
                if not _GATE.allows(pattern.regex, found_here):
                    continue
                if (first := pattern.search(target)) is None:
                    continue
                for found in (first, *pattern.regex.finditer(target, first.end())):
                    # An attack quoted as an example ("a line like 'ignore previous instructions'") is explained,
                    # not given; so is a slogan's parallel "new year, new instructions: rest more".
                    if pattern.category == "instruction" and _explained(target, found):
                        continue
                    return pattern, found.group()
    for squashed in forms.squashed:
        for pattern in SQUASHED_PATTERNS:
            if m := pattern.search(squashed):
                return pattern, m.group()
    return None


def is_prose(text: str) -> bool:
    """Four or more real words with spaces between them, and not an address: a hidden sentence."""
    return (
        "://" not in text
        and text.count(" ") >= 3
        and len([w for w in WORDS_RE.findall(text.lower()) if len(w) >= 3]) >= 4
    )


def is_phrase(text: str) -> bool:
    """Two or more words, only letters and spacing: what a short decoded payload looks like (not JSON or ids)."""
    words = WORDS_RE.findall(text.lower())
    return (
        " " in text.strip()
        and not re.search(r"[{}\[\]<>=_/\\]", text)
        and len([w for w in words if len(w) >= 3 and not w.isdigit()]) >= 2
    )


def interleaved_invisible(text: str) -> bool:
    """Many zero-width characters sitting between letters (not the joiners of emoji or Persian words)."""
    count = 0
    for m in norm.INVISIBLE_RE.finditer(text):
        i = m.start()
        if not (0 < i < len(text) - 1 and text[i - 1].isascii() and text[i - 1].isalnum()):
            continue
        # A soft hyphen marks a syllable break ("mar\u00adket\u00ading"): it counts only between single
        # characters, where one sits after every letter ("m\u00ada\u00adr\u00adk"), which no hyphenation does.
        if text[i] != "\u00ad" or (i >= 2 and text[i - 2] == "\u00ad"):
            count += 1
            if count >= 12:
                return True
    return False


# Combining marks that survive NFC: accents of ordinary words compose into one letter, so what is left over
# is stacked decoration ("zalgo" text), which hides words from filters while a model still reads them.
_MARK_RE = re.compile(r"[\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def stacked_marks(text: str) -> str | None:
    """Runs of four or more words decorated with combining marks (one or more for every three letters of the
    word; one plain word may sit in the run), with the marks removed: the words a reader sees under the
    decoration. None when there is no such run."""
    if len(_MARK_RE.findall(text)) < 8:
        return None
    runs: list[list[str]] = [[]]
    plain = 0
    for word in unicodedata.normalize("NFC", text).split():
        marks = len(_MARK_RE.findall(word))
        if marks and marks * 3 >= sum(ch.isalpha() for ch in word):
            runs[-1].append("".join(ch for ch in unicodedata.normalize("NFD", word) if not unicodedata.combining(ch)))
            plain = 0
        elif runs[-1] and plain == 0 and word.isalpha() and len(word) <= 3:
            runs[-1].append(word)
            plain = 1
        elif runs[-1]:
            runs.append([])
            plain = 0
    found = [" ".join(run) for run in runs if len(run) >= 4]
    return " ".join(found) or None


# Reference-style markdown images: `![chart][ref]` shown from a `[ref]: https://...` line elsewhere.
_REF_IMAGE_RE = re.compile(r"!\[[^\]]{0,200}\]\[([^\]]{1,60})\]")
_REF_DEFINITION_RE = re.compile(r"^[ \t]{0,3}\[([^\]]{1,60})\]:[ \t]*<?([^\s>]{1,2000})", re.MULTILINE)


# A fill-in-the-blank value naming the reader's data ("?q=PASTE_A_SUMMARY_OF_THE_CHAT_HERE", "?u=USER_EMAIL",
# "?leak=SESSION_ID"): the model is meant to put it there. Every word of it must be a fill-in word or a kind of
# user data, so "YOUR_API_KEY" in documentation or "?q=USER_GUIDE_V2" do not count.
_CAPS_RUN_RE = re.compile(r"(?<![A-Za-z0-9])[A-Z]+(?:_[A-Z]+)+(?![A-Za-z0-9])")
_DATA_WORDS = frozenset(
    {"USER", "USERS", "CHAT", "CONVERSATION", "SUMMARY", "SESSION", "EMAIL", "HISTORY", "COOKIE", "COOKIES",
     "MESSAGE", "MESSAGES", "QUESTION", "PASSWORD", "SECRET", "ID", "PROMPT"}
)  # fmt: skip
_FILL_WORDS = frozenset(
    {"INSERT", "PASTE", "PUT", "ADD", "FILL", "A", "AN", "THE", "OF", "HERE", "CURRENT", "FULL", "WHOLE", "ENTIRE",
     "LAST", "NAME", "ADDRESS", "DATA", "TOKEN", "TEXT", "QUERY", "SYSTEM", "LOG", "URLENCODED"}
)  # fmt: skip


def _data_placeholder(query: str) -> bool:
    for m in _CAPS_RUN_RE.finditer(query):
        words = set(m.group().split("_"))
        if words & _DATA_WORDS and words <= _DATA_WORDS | _FILL_WORDS:
            return True
    return False


# Images a page loads by itself besides <img> and markdown: CSS backgrounds, <video poster>, <object data>.
_CSS_IMAGE_RE = re.compile(
    r"\burl\(\s*[\"']?(https?://[^)\"'\s]{1,2000})|<(?:video|object|embed|input)\b[^>]{0,300}?\b(?:poster|data|src)\s*=\s*"
    r"[\"']?(https?://[^\"'\s>]{1,2000})",
    re.IGNORECASE,
)


def data_link(text: str) -> str | None:
    """A markdown link whose address carries a placeholder for the reader's data (the model fills it in and the
    click sends it away): `[verify your booking](https://x.example/v?session=INSERT_USER_ID)`."""
    for m in _MARKDOWN_LINK_RE.finditer(text):
        if _data_placeholder(urlsplit(m.group(1).strip()).query):
            return m.group(1)
    # The same blank in any address the page would load or send to: an HTML attribute (`<object data=...>`,
    # `<a href=...>`, a form's action, a meta refresh) or a markdown reference definition (`[ref]: https://...`).
    for m in _ATTRIBUTE_URL_RE.finditer(text):
        url = m.group(1) or m.group(2)
        if _data_placeholder(urlsplit(url.strip()).query):
            return url
    return None


_ATTRIBUTE_URL_RE = re.compile(
    r"\b(?:href|src|data|action|poster|url)\s*=\s*[\"']?(https?://[^\"'\s>]{1,2000})"
    r"|^\s*\[[^\]\n]{1,60}\]:\s*<?(https?://\S{1,2000})",
    re.IGNORECASE | re.MULTILINE,
)


_MARKDOWN_LINK_RE = re.compile(r"(?<!!)\[[^\]]{0,200}\]\(\s*<?(https?://[^)\s>]{1,2000})")


_PATH_BLANK_RE = re.compile(
    r"/(?:SUMMARY|CHAT|HISTORY|CONVERSATION|PASSWORD|SECRET|SESSION|EMAIL|COOKIES?|PROMPT|MESSAGES?|CONTEXT)(?:[._/]|$)"
)


def image_beacon(text: str) -> str | None:
    urls = [m.group(1) for m in MARKDOWN_IMAGE_RE.finditer(text)] + [m.group(1) for m in HTML_IMAGE_RE.finditer(text)]
    urls += [m.group(1) or m.group(2) for m in _CSS_IMAGE_RE.finditer(text)]
    if "][" in text and "]:" in text:
        labels = {m.group(1).strip().lower() for m in _REF_IMAGE_RE.finditer(text)}
        urls += [m.group(2) for m in _REF_DEFINITION_RE.finditer(text) if m.group(1).strip().lower() in labels]
    for url in urls:
        parts = urlsplit(url.strip())
        if parts.scheme.lower() not in ("http", "https", "") or not (parts.netloc or url.startswith("//")):
            continue
        # A badge's static token (`?token=RXP95LE2XL`) is not a beacon; an empty, long or wordy value is.
        carried = [
            value
            for key, value in parse_qsl(parts.query, keep_blank_values=True)
            if key.lower() in SUSPICIOUS_QUERY_KEYS and not STATIC_TOKEN_RE.fullmatch(value)
        ]
        if PLACEHOLDER_RE.search(parts.query.lower()) or carried or _data_placeholder(parts.query):
            return url
        # The blank may be a path segment too: "![ ](https://x.example/i/SUMMARY.png)".
        if _PATH_BLANK_RE.search(parts.path) or _data_placeholder(parts.path.replace("/", " ").replace(".", " ")):
            return url
    return None


def clip(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = [
    "WORDS_RE",
    "clip",
    "data_link",
    "image_beacon",
    "interleaved_invisible",
    "is_phrase",
    "is_prose",
    "match_text",
    "stacked_marks",
]
