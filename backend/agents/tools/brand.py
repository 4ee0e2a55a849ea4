"""Brand tools: the voice score of a draft, its tone against the voice, and the brand guidelines themselves.

They read only the space's brand voice, the documents tagged `brand_guidelines` and `approved_content`, and the
guideline documents the voice links (searched first, `space_tool_env`), so what a draft is measured against
is always the team's own guidance.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from backend.agents.tools.base import AgentTool, ToolArgs, ToolEnv
from backend.agents.tools.text import term_set, words
from backend.agents.tools.tone import DIMENSIONS, TONE_GAP, measure_tone, tone_fix, tone_targets
from backend.agents.tools.voice import VoiceReport, score_voice

GUIDELINES = ("brand_guidelines",)
APPROVED = ("approved_content",)
NO_GUIDELINES = (
    "No brand-guideline document matched; upload one tagged 'brand_guidelines' or link it on the Brand voice page."
)


class VoiceArgs(ToolArgs):
    text: str = Field(min_length=1, max_length=30000, description="The draft to score against the brand voice")
    focus: str = Field(default="", max_length=300, description="What to look up in the guidelines (optional)")


async def _voice_analyzer(env: ToolEnv, args: VoiceArgs) -> VoiceReport:
    query = args.focus or args.text[:400]
    guidelines = await env.search(query, GUIDELINES, 6)
    approved = await env.search(args.text[:400], APPROVED, 4)
    return score_voice(args.text, env.brand_voice, guidelines, approved)


voice_analyzer = AgentTool(
    name="voice_analyzer",
    description=(
        "Score a draft 0-100 against the space's brand voice (tone, banned and preferred terms, reading level, "
        "sentence length, similarity to approved content); each flag names its rule's source and a fix."
    ),
    args_model=VoiceArgs,
    run=_voice_analyzer,
)


class ToneArgs(ToolArgs):
    text: str = Field(min_length=1, max_length=30000, description="The text to check")
    target_tone: str = Field(
        default="", max_length=300, description="Tone wanted, e.g. 'friendly, confident'; defaults to the brand's"
    )


class ToneDimension(BaseModel):
    name: str
    value: float = Field(description="0-1")
    target: float | None
    verdict: str = Field(description="on target, too high, too low, or no target")
    evidence: list[str]
    fix: str | None


class ToneResult(BaseModel):
    target_tone: str
    target_source: str
    match: int | None = Field(description="0-100 match with the target tone; null without a target")
    dimensions: list[ToneDimension]


async def _tone_checker(env: ToolEnv, args: ToneArgs) -> ToneResult:
    tone = args.target_tone or str(env.brand_voice.get("tone") or "")
    source = "argument" if args.target_tone else ("brand_voice.tone" if tone else "none")
    targets = tone_targets(tone)
    reading = measure_tone(args.text)
    dimensions, gaps = [], []
    for name in DIMENSIONS:
        value, target = reading.values[name], targets.get(name)
        verdict, fix = "no target", None
        if target is not None:
            gaps.append(abs(value - target))
            verdict = "on target"
            if abs(value - target) > TONE_GAP:
                verdict = "too high" if value > target else "too low"
                fix = tone_fix(name, verdict.split()[1], reading.evidence[name])
        dimensions.append(
            ToneDimension(
                name=name, value=value, target=target, verdict=verdict, evidence=reading.evidence[name], fix=fix
            )
        )
    match = round(max(0.0, 100 - 150 * sum(gaps) / len(gaps))) if gaps else None
    return ToneResult(target_tone=tone, target_source=source, match=match, dimensions=dimensions)


tone_checker = AgentTool(
    name="tone_checker",
    description=(
        "Measure a text's formality, confidence (hedging), positivity and energy, 0-1 each, against the tone "
        "asked for (or the brand voice's tone), with the words that caused each and a fix."
    ),
    args_model=ToneArgs,
    run=_tone_checker,
)


class LookupArgs(ToolArgs):
    query: str = Field(min_length=2, max_length=300, description="What to look up, e.g. 'how we write headlines'")
    top_k: int = Field(default=5, ge=1, le=10, description="How many guideline passages")


class GuidelinePassage(BaseModel):
    chunk_id: str
    document_title: str
    section: str
    page: int | None
    content: str


class LookupResult(BaseModel):
    passages: list[GuidelinePassage]
    voice_rules: list[str] = Field(description="Brand-voice style rules and terms related to the query")
    note: str | None = None


async def _style_guide_lookup(env: ToolEnv, args: LookupArgs) -> LookupResult:
    found = await env.search(args.query, GUIDELINES, args.top_k)
    wanted = term_set(args.query)
    voice = env.brand_voice
    rules = [f"style rule: {r}" for r in voice.get("style_rules") or [] if term_set(r) & wanted]
    asked = {w.lower() for w in words(args.query)}
    if asked & {"term", "terms", "word", "words", "vocabulary", "language", "say", "banned", "preferred", "jargon"}:
        for name in ("banned_terms", "preferred_terms"):
            rules.extend(f"{name}: {t}" for t in voice.get(name) or [])
    return LookupResult(
        passages=[
            GuidelinePassage(
                chunk_id=p.chunk_id,
                document_title=p.document_title,
                section=" › ".join(p.heading_path),
                page=p.page,
                content=p.content,
            )
            for p in found
        ],
        voice_rules=rules,
        note=None if found else NO_GUIDELINES,
    )


style_guide_lookup = AgentTool(
    name="style_guide_lookup",
    description=(
        "Look up the space's brand guidelines (documents tagged brand_guidelines, and those the brand voice links)"
        " for a question."
    ),
    args_model=LookupArgs,
    run=_style_guide_lookup,
)
