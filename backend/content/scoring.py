"""Scores of a content version, computed once when it is saved and stored with it. Pure and deterministic.

- brand voice: `backend.agents.tools.voice.score_voice` (the same score the Brand agent's tool gives), with
  each flag's source and fix, plus a machine-applicable edit (`apply`) where the fix is mechanical (a term
  with a named replacement, exclamation marks), so the item page can apply it in one click;
- grounding: `backend.agents.grounding.check_claims` over the passages retrieved for the text, each claim
  with the chunks that support it or marked unsupported;
- channel previews: the text as each channel shows it, cut where that channel cuts it.

Channel limits are the published figures (characters; pixel-based cut-offs approximated by the usual
character counts): email subject ~60 characters on desktop inboxes and ~35 on phones, preheader ~100 on
desktop and ~50 on phones (Litmus / Campaign Monitor guidance); Google shows ~60 characters of a title and
~160 of a meta description (~120 on phones); an X post is at most 280 characters; LinkedIn folds a post
behind "see more" after ~210 characters on desktop and ~140 on phones; a Google responsive search ad
headline is at most 30 characters and a description 90.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from backend.agents.grounding import check_claims
from backend.agents.tools.base import Passage
from backend.agents.tools.text import plain_text
from backend.agents.tools.voice import VoiceFlag, score_voice
from backend.agents.tools.voice_rules import term_rules
from backend.content.learning import weighted

EMAIL_SUBJECT = {"desktop": 60, "mobile": 35}
EMAIL_PREHEADER = {"desktop": 100, "mobile": 50}
SEARCH_TITLE = 60
META_DESCRIPTION = {"desktop": 160, "mobile": 120}
X_POST = 280
LINKEDIN_SEE_MORE = {"desktop": 210, "mobile": 140}
AD_HEADLINE, AD_DESCRIPTION = 30, 90
ELLIPSIS = "…"
SOURCE_EXCERPT = 240

_FIELD = re.compile(
    r"^\s*(subject|preheader|preview text|meta description|description|headline)\s*:\s*(.+)$", re.I | re.M
)


@dataclass(frozen=True, slots=True)
class Preview:
    """One channel's view of the text: what is shown there, and whether the channel cut it."""

    channel: str
    label: str
    text: str
    limit: int
    shown: str
    truncated: bool
    length: int
    hard_limit: bool = False
    """True where the channel refuses longer text (an X post, an ad field) rather than folding it."""


def truncate(text: str, limit: int) -> str:
    """`text` as a channel with a `limit`-character cut shows it: whole when it fits, else cut at the last
    word boundary before the limit with an ellipsis (which counts towards the limit)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if text[limit - 1] != " " and space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + ELLIPSIS


def _preview(channel: str, label: str, text: str, limit: int, *, hard: bool = False) -> Preview:
    clean = " ".join(text.split())
    shown = truncate(clean, limit)
    return Preview(channel, label, clean, limit, shown, shown != clean, len(clean), hard)


def fields(body: str) -> dict[str, str]:
    """`Subject: ...`, `Preheader: ...`, `Meta description: ...` lines a writer (or an agent) put in the text."""
    found: dict[str, str] = {}
    for name, value in _FIELD.findall(body):
        key = {"preview text": "preheader", "description": "meta description"}.get(name.lower(), name.lower())
        found.setdefault(key, value.strip())
    return found


def _prose(body: str) -> str:
    """The text without its field lines and Markdown, as a reader sees it."""
    return plain_text(_FIELD.sub("", body)).strip()


def _first_sentence(text: str) -> str:
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    return (match.group(1) if match else text).strip()


def channel_previews(content_type: str, title: str, body: str) -> list[Preview]:
    """The previews that matter for the type: email → subject and preheader; blog post and landing page →
    search result; social post → X and LinkedIn; ad → headline and description."""
    given, prose = fields(body), _prose(body)
    if content_type == "email":
        subject, preheader = given.get("subject", title), given.get("preheader", _first_sentence(prose))
        return [
            _preview("email_subject_desktop", "Email subject (desktop)", subject, EMAIL_SUBJECT["desktop"]),
            _preview("email_subject_mobile", "Email subject (mobile)", subject, EMAIL_SUBJECT["mobile"]),
            _preview("email_preheader_desktop", "Preheader (desktop)", preheader, EMAIL_PREHEADER["desktop"]),
            _preview("email_preheader_mobile", "Preheader (mobile)", preheader, EMAIL_PREHEADER["mobile"]),
        ]
    if content_type == "social_post":
        return [
            _preview("x_post", "X post (280 characters)", prose, X_POST, hard=True),
            _preview("linkedin_desktop", "LinkedIn before “see more” (desktop)", prose, LINKEDIN_SEE_MORE["desktop"]),
            _preview("linkedin_mobile", "LinkedIn before “see more” (mobile)", prose, LINKEDIN_SEE_MORE["mobile"]),
        ]
    if content_type == "ad":
        headline = given.get("headline", title)
        description = given.get("meta description", _first_sentence(prose))
        return [
            _preview("ad_headline", "Search ad headline", headline, AD_HEADLINE, hard=True),
            _preview("ad_description", "Search ad description", description, AD_DESCRIPTION, hard=True),
        ]
    description = given.get("meta description", prose)
    return [
        _preview("search_title", "Search result title", title, SEARCH_TITLE),
        _preview("meta_description_desktop", "Meta description (desktop)", description, META_DESCRIPTION["desktop"]),
        _preview("meta_description_mobile", "Meta description (mobile)", description, META_DESCRIPTION["mobile"]),
    ]


def _term_pattern(term: str) -> re.Pattern[str]:
    parts = [re.escape(p) for p in term.split()]
    return re.compile(r"(?<![\w'’-])(" + r"\s+".join(parts) + r")(e?s)?(?![\w'’-])", re.IGNORECASE)


def apply_edit(body: str, edit: dict[str, str]) -> str:
    """`body` with a flag's mechanical fix applied: every use of a term replaced (keeping a capital first
    letter and a plural ending), or a character swapped (`!` → `.`)."""
    kind, find, replace = edit.get("kind"), edit.get("find", ""), edit.get("replace", "")
    if kind == "replace_char":
        return body.replace(find, replace)
    if kind != "replace_term" or not find:
        raise ValueError("unknown edit")

    def swap(match: re.Match[str]) -> str:
        word = replace
        if match.group(1)[:1].isupper():
            word = word[:1].upper() + word[1:]
        return word + (match.group(2) or "")

    return _term_pattern(find).sub(swap, body)


def _voice_flags(body: str, flags: Sequence[VoiceFlag], rules: dict[str, str | None]) -> list[dict[str, Any]]:
    out = []
    for flag in flags:
        apply: dict[str, str] | None = None
        if flag.rule == "banned_term":
            term = next((t for t in rules if f"'{t}'" in flag.message), None)
            if term is not None and rules[term]:
                apply = {"kind": "replace_term", "find": term, "replace": str(rules[term])}
        elif flag.rule == "style_rule" and "exclamation" in flag.message and "!" in body:
            apply = {"kind": "replace_char", "find": "!", "replace": "."}
        out.append(
            {
                "text": flag.excerpt or flag.message,
                "message": flag.message,
                "rule": flag.rule,
                "severity": flag.severity,
                "source": flag.source,
                "source_chunk_id": flag.source_chunk_id,
                "fix": flag.fix,
                "apply": apply,
            }
        )
    return out


def brand_voice_report(
    body: str,
    voice: dict[str, Any],
    guidelines: Sequence[Passage],
    approved: Sequence[Passage],
    weights: dict[str, int] | None = None,
) -> dict[str, Any]:
    """`score_voice`'s report; with `weights` (calibrated on the space's review decisions) the overall
    score is the sub-scores weighted so, and the default-weighted score is kept beside it."""
    report = score_voice(body, voice, guidelines, approved)
    rules = {rule.term: rule.replacement for rule in term_rules(voice, guidelines)}
    sub_scores = [s.model_dump() for s in report.sub_scores]
    calibrated = weighted(sub_scores, weights) if weights else None
    return {
        "score": report.score if calibrated is None else calibrated,
        "default_score": report.score,
        "weights": "calibrated" if calibrated is not None else "default",
        "sub_scores": sub_scores,
        "flags": _voice_flags(body, report.flags, rules),
        "reading_grade": round(report.reading_grade, 1),
        "avg_sentence_words": round(report.avg_sentence_words, 1),
    }


def _passage_dict(p: Passage) -> dict[str, Any]:
    return {"chunk_id": p.chunk_id, "document_id": p.document_id, "content": p.content}


def grounding_report(body: str, passages: Sequence[Passage]) -> dict[str, Any]:
    by_id = {p.chunk_id: p for p in passages}
    claims = []
    for claim in check_claims(_FIELD.sub("", body), [_passage_dict(p) for p in passages]):
        sources = []
        for source in claim.sources:
            passage = by_id.get(str(source.get("chunk_id")))
            sources.append(
                {
                    "chunk_id": str(source.get("chunk_id")),
                    "document_id": None if source.get("document_id") is None else str(source.get("document_id")),
                    "label": passage.label() if passage else "",
                    "excerpt": " ".join(passage.content.split())[:SOURCE_EXCERPT] if passage else "",
                }
            )
        claims.append({"text": claim.text, "supported": claim.supported, "sources": sources})
    unsupported = sum(1 for c in claims if not c["supported"])
    return {"claims": claims, "supported": len(claims) - unsupported, "unsupported": unsupported}


def score_version(
    content_type: str,
    title: str,
    body: str,
    *,
    voice: dict[str, Any],
    guidelines: Sequence[Passage],
    approved: Sequence[Passage],
    passages: Sequence[Passage],
    weights: dict[str, int] | None = None,
) -> dict[str, Any]:
    """Everything stored with a version: `{brand_voice, grounding, previews}`."""
    return {
        "brand_voice": brand_voice_report(body, voice, guidelines, approved, weights),
        "grounding": grounding_report(body, passages),
        "previews": {p.channel: asdict(p) for p in channel_previews(content_type, title, body)},
    }


__all__ = [
    "Preview",
    "apply_edit",
    "brand_voice_report",
    "channel_previews",
    "fields",
    "grounding_report",
    "score_version",
    "truncate",
]
