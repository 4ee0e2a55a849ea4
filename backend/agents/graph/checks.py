"""How a run ends and whether its answer may be shown: the stop reason, the message the user sees, and the
checks of the answer against the run's sources (detector, canary, an echoed source instruction) with the
chunk that most likely carried an attack. Pure functions of the state. The cheap part of the checks
(`quick_contamination`) also runs while the answer streams (`holdback`)."""

from __future__ import annotations

import re
from typing import Any

from backend.agents.graph.state import AgentState
from backend.agents.injection import echoed_instruction
from backend.safety.contamination import ContaminationDetector

_NGRAM = 4
DETECTOR = ContaminationDetector()
"""One detector for every run of the process (its model and vocabulary load once; headings and titles it has
judged are remembered); the run's canary is passed per check."""
_LINKS = re.compile(r"\S*://\S*")
_QUOTE = re.compile(r":\s*'.*\Z", re.DOTALL)
_RULES = {
    "canary": "it revealed the run's confidential marker",
    "source_instruction_followed": "it did what a source told the model to do",
}


def stop_reason(state: AgentState, max_iterations: int) -> str:
    if state.get("cancelled"):
        return "cancelled"
    if state.get("contamination_detected"):
        return "contaminated"
    if state.get("error"):
        return "error"
    if state.get("task_complete"):
        return "completed"
    return "max_iterations" if state.get("iterations", 0) >= max_iterations else "completed"


STOP_NOTE = re.compile(r"\s*_\(Stopped[^\n]*\)_\s*$")
"""The note `final_message` appends when a run stopped before it was done (a limit, a Stop)."""


def without_stop_note(message: str) -> str:
    """An answer without the stop note `final_message` appended: the text kept when it is saved as content."""
    return STOP_NOTE.sub("", message).strip()


def final_message(reason: str, draft: str, state: AgentState, max_iterations: int) -> str:
    if reason == "contaminated":
        # The notice names the rule and the document, never the attack's own words (they may be the payload).
        found = state.get("contamination") or {}
        source = found.get("source") or {}
        title = _LINKS.sub("[link]", str(source.get("document_title") or ""))[:80]
        where = f" It came from the document “{title}”." if title else ""
        return (
            "The answer was blocked: it followed instructions hidden in the material it read "
            f"({_RULES.get(str(found.get('rule')), 'prompt injection')}).{where} Nothing was saved; an admin can "
            "review that document in the library."
        )
    if reason == "error":
        kept = f"\n\n{draft}" if draft else ""
        return f"The agent stopped because of an error: {state.get('error')}{kept}"
    if reason == "max_iterations":
        note = f"_(Stopped after {max_iterations} steps, the limit for this agent.)_"
        return f"{draft}\n\n{note}" if draft else note
    if reason == "cancelled":
        return draft + ("\n\n_(Stopped.)_" if draft else "_(Stopped before an answer was written.)_")
    return draft


def quick_contamination(
    draft: str, passages: list[dict[str, Any]], canary: str, request: str
) -> dict[str, Any] | None:
    """The checks of `contamination_of` cheap enough to run on an answer while it streams (`holdback`): the
    run's canary, an instruction of a source carried out, an image or link to an address the sources do not
    hold. None when none of them blocks `draft`."""
    if canary and canary.casefold() in draft.casefold():
        return _verdict("the answer repeats the run's confidential marker", "canary", draft, passages)
    if (echo := echoed_instruction(draft, passages, request)) is not None:
        source = next((p for p in passages if str(p.get("chunk_id")) == echo.chunk_id), None)
        return {
            "reason": "the answer carried out an instruction written in a source for AI models",
            "rule": "source_instruction_followed",
            "source": _source_of(source) if source else None,
        }
    links = DETECTOR.check_links(draft, [str(p.get("content", "")) for p in passages])
    if links.contaminated:
        reason = links.reason or "a link to an address the sources do not hold"
        return _verdict(reason, links.pattern or "unlisted_url", draft, passages)
    return None


def contamination_of(draft: str, passages: list[dict[str, Any]], canary: str, request: str) -> dict[str, Any] | None:
    """Why `draft` must not be shown as an answer, with the source chunk that most likely carried the attack."""
    if (quick := quick_contamination(draft, passages, canary, request)) is not None:
        return quick
    docs = [str(p.get("content", "")) for p in passages]
    result = DETECTOR.check_response(draft, docs, canary=canary or None)
    if not result.contaminated:
        return None
    return _verdict(result.reason or "prompt injection", result.pattern or "response_check", draft, passages)


def _verdict(reason: str, rule: str, draft: str, passages: list[dict[str, Any]]) -> dict[str, Any]:
    # The verdict is stored with the run's `complete` event and in the conversation: it names the rule and the
    # source, never the attack's own words (a detector's reason ends with the span it quotes, which may be
    # the payload itself: an exfiltration address, the canary).
    return {"reason": _QUOTE.sub("", reason).rstrip(" .:") + ".", "rule": rule, "source": _culprit(draft, passages)}


def _grams(text: str, n: int) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def _culprit(draft: str, passages: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The passage the draft echoes most (shared word 4-grams, then word pairs, and any link it repeats):
    the likely carrier of the attack. None when the draft echoes no passage at all."""
    long_grams, pairs = _grams(draft, _NGRAM), _grams(draft, 2)
    links = set(re.findall(r"https?://[^\s)\]>\"']+", draft))
    best, best_score = None, 0
    for passage in passages:
        content = str(passage.get("content", ""))
        score = (
            4 * len(long_grams & _grams(content, _NGRAM))
            + len(pairs & _grams(content, 2))
            + 10 * sum(1 for link in links if link in content)
        )
        if score > best_score:
            best, best_score = passage, score
    return _source_of(best) if best is not None else None


def _source_of(passage: dict[str, Any]) -> dict[str, Any]:
    return {k: passage.get(k) for k in ("chunk_id", "document_id", "document_title", "heading_path", "page")}


__all__ = ["DETECTOR", "contamination_of", "final_message", "quick_contamination", "stop_reason"]
