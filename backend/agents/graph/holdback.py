"""Holding back the spans of a streaming answer that the answer check would block.

`Nodes._write` streams the answer token by token and `Nodes.check` judges the finished draft. Without this,
an answer that obeys an attack hidden in a source (an image whose address carries the conversation to
another site, a phishing link, the run's confidential marker, a code a source told the model to print)
reaches every live follower word by word before the check replaces it with a notice. `HoldBack` stands
between the model and the stream:

- plain text is released as it arrives;
- text that could be the start of a risky span is held until the span is complete or turns out to be
  something else: an address (`http://`, `https://`, `www.`), a markdown link or image (`[` or `![` up to
  its closing `)`), an HTML image (`<img`), a prefix of the run's canary, or a prefix of a payload (quoted
  text, link, code) of a sentence in which a source gives the model an order (`injection.payloads`);
- before text that completes or contains such a span is released, the answer so far goes through the
  cheap checks of the final one (`checks.quick_contamination`: canary, echoed source instruction, image or
  link to an address the sources do not hold). Clean: it is released. Contaminated: `blocked` says why, and
  the caller stops generating; the span never left. Before that check, a link to an address no source
  holds that carries no data (no query, no fragment, a short path: a homepage the model made up) is taken
  out (`safety.urls.neutralise_links`): it would be a broken link, not a leak, and costs the link, not the
  answer. Images and data-carrying links still block.

The full check (the detector's classifier over the whole draft) still runs in `check`: what only it can
see is not held, and the run's log drops that text when it blocks (`runs.executor`).

Added delay, measured with bench/bench_holdback.py (a 452-token launch email with 18 citation markers and
two links to a source's own address, eight passages): about 6 us of CPU per token, plus 0.5 ms for the
cheap checks each time an address completes (under 4 ms for the whole answer). The first token and every
token of plain prose are released the moment they arrive (372 of the 452 tokens here); a citation marker
such as `[S1]` waits until the token after its `]` (a link target could follow: 1-3 tokens, 20-60 ms at 50
tokens/s), and an address waits until it ends, then goes out whole. A piece that ends with the start of a
scheme ("www", "http") or of a watched literal waits for the next token only.
"""

from __future__ import annotations

import re
from typing import Any

from backend.agents.graph.checks import quick_contamination
from backend.agents.injection import instructions, payloads
from backend.safety.urls import neutralise_links

_URL_START = re.compile(r"\bhttps?://|(?<![\w.@/])www\.", re.IGNORECASE)
_URL_END = re.compile(r"[\s<>\"'`\])|]")
"""What ends an address (the characters `safety.urls` does not read as part of one)."""
_SCHEMES = ("https://", "http://", "www.")
_OPEN_LINK = re.compile(r"!?\[[^\[\]\n]{0,100}(?:\](?:\([^)\n]{0,2000})?)?\Z")
"""A markdown link or image still open at the end of the text: its text, its `]`, or its target so far."""
_OPEN_IMAGE = re.compile(r"<(?:i(?:m(?:g(?:\b[^>]{0,500})?)?)?)?\Z", re.IGNORECASE)
_RISKY = re.compile(r"://|\bwww\.|\]\(|<img\b", re.IGNORECASE)
"""Released text that holds one of these (an address, a link target, an image) is checked first."""
MIN_PARTIAL = 3
"""A literal's prefix this long is held even inside a word; a shorter one only where a word starts."""


class HoldBack:
    """One answer on its way to the stream: `feed` each piece the model writes and emit what it returns,
    then `finish` at the end of the stream. Once `blocked` is set, nothing more is released."""

    def __init__(self, *, passages: list[dict[str, Any]], canary: str, request: str) -> None:
        self.passages, self.canary, self.request = passages, canary, request
        asked = request.lower()
        found = {
            payload.lower()
            for passage in passages
            for sentence in instructions(str(passage.get("content", "")))
            for payload in payloads(sentence)
        }
        literals = {p for p in found if p not in asked} | ({canary.lower()} if canary else set())
        self._literals = tuple(sorted(literals))
        self._watched = (*((scheme, True) for scheme in _SCHEMES), *((x, False) for x in self._literals))
        """What may be held while it is only begun: (text, only where a word starts)."""
        self._overlap = max((len(x) for x in self._literals), default=0)
        self.text = ""
        """Everything the model wrote so far."""
        self.released = 0
        """How much of `text` has been released."""
        self._docs = [str(p.get("content", "")) for p in passages]
        self.links_removed = 0
        """How many invented links were taken out (`_neutralise`)."""
        self.blocked: dict[str, Any] | None = None
        """Why the answer was blocked (as `checks.contamination_of` says it), once it was."""

    @property
    def shown(self) -> str:
        """The text released so far (what followers have seen)."""
        return self.text[: self.released]

    def feed(self, piece: str) -> str:
        """Take the next piece of the answer; the text that may be shown now ("" when it is held)."""
        if self.blocked is not None:
            return ""
        self.text += piece
        return self._release(self._hold_start())

    def finish(self) -> str:
        """The end of the stream: what is still held, checked, then released ("" when it is blocked)."""
        return "" if self.blocked is not None else self._release(len(self.text))

    def _release(self, end: int) -> str:
        if end <= self.released:
            return ""
        if self._needs_check(end):
            found = quick_contamination(self.text[:end], self.passages, self.canary, self.request)
            if found is not None and found["rule"] == "unlisted_url":
                removed_before = self.links_removed
                end = self._neutralise(end)
                if self.links_removed > removed_before:  # check again what is left
                    found = quick_contamination(self.text[:end], self.passages, self.canary, self.request)
            if found is not None:
                self.blocked = found
                return ""
        out, self.released = self.text[self.released : end], end
        return out

    def _neutralise(self, end: int) -> int:
        """Take invented links (to an address no source holds, carrying no data) out of the text about to be
        released, so a made-up homepage costs a link and not the answer; the new end of that text. Called only
        when the cheap checks' sole finding is such a link (a link a source told the model to write is found as
        an echoed instruction first, and blocks)."""
        pending = self.text[self.released : end]
        cleaned, removed = neutralise_links(pending, self._docs)
        if removed:
            self.text = self.text[: self.released] + cleaned + self.text[end:]
            self.links_removed += removed
        return end + len(cleaned) - len(pending)

    def _needs_check(self, end: int) -> bool:
        """Whether the text about to be released holds (or completes) an address, a link or image target, or
        a risky literal; the look-back covers a literal whose first characters went out before it was one."""
        if _RISKY.search(self.text, self.released, end):
            return True
        window = self.text[max(0, self.released - self._overlap) : end].lower()
        return any(literal in window for literal in self._literals)

    def _hold_start(self) -> int:
        """Where the earliest span that is still open begins (the end of the text when none is)."""
        text, start = self.text, self.released
        holds = [len(text)]
        if m := _OPEN_LINK.search(text, start):
            holds.append(m.start())
        if m := _OPEN_IMAGE.search(text, start):
            holds.append(m.start())
        for m in _URL_START.finditer(text, start):
            if not _URL_END.search(text, m.end()):
                holds.append(m.start())
                break
        tail = text[max(start, len(text) - max(self._overlap, len(_SCHEMES[0]))) :].lower()
        holds += [len(text) - n for n in self._open_prefixes(tail, len(text))]
        return min(holds)

    def _open_prefixes(self, tail: str, length: int) -> list[int]:
        """Lengths of the ends of `tail` that begin a scheme (where a word starts) or a literal (where a word
        starts, or at least MIN_PARTIAL characters of it); `length` is where `tail` ends in the text."""
        found = []
        for watched, word_only in self._watched:
            at = tail.find(watched[0])
            while at != -1:  # the first match is the longest
                n = len(tail) - at
                start_ok = self._word_starts(length - n) or (not word_only and n >= MIN_PARTIAL)
                if n < len(watched) and watched.startswith(tail[at:]) and start_ok:
                    found.append(n)
                    break
                at = tail.find(watched[0], at + 1)
        return found

    def _word_starts(self, index: int) -> bool:
        # As `\b` reads it (an address starts at a word boundary for `safety.urls` too): held wherever the
        # address could begin, so none is ever released half-written and then checked as a fragment.
        return index == 0 or not (self.text[index - 1].isalnum() or self.text[index - 1] == "_")


__all__ = ["MIN_PARTIAL", "HoldBack"]
