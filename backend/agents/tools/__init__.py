"""The agents' tools: real, deterministic where they can be, each behind the walls of `base.AgentTool`.

`SEO_TOOLS`, `EMAIL_TOOLS`, `BRAND_TOOLS` and `STRATEGY_TOOLS` are what each agent config offers its model;
`TOOLS` finds any of them by name. `env.space_tool_env` builds the `ToolEnv` a run gives them.
"""

from __future__ import annotations

from backend.agents.tools.base import (
    AgentTool,
    DocumentInfo,
    PageInfo,
    Passage,
    ScopeMissing,
    ToolArgs,
    ToolEnv,
    ToolError,
    ToolOutcome,
    UrlNotAllowed,
)
from backend.agents.tools.brand import style_guide_lookup, tone_checker, voice_analyzer
from backend.agents.tools.email_lines import preheader, subject_line_variants
from backend.agents.tools.email_sequence import sequence_planner
from backend.agents.tools.seo_audit import content_audit
from backend.agents.tools.seo_keywords import keyword_research
from backend.agents.tools.seo_serp import serp_analysis
from backend.agents.tools.strategy_analysis import competitive_analysis, content_gap
from backend.agents.tools.strategy_calendar import content_calendar
from backend.agents.tools.voice import VoiceReport, score_voice

SEO_TOOLS: list[AgentTool] = [keyword_research, serp_analysis, content_audit]
EMAIL_TOOLS: list[AgentTool] = [subject_line_variants, preheader, sequence_planner]
BRAND_TOOLS: list[AgentTool] = [voice_analyzer, tone_checker, style_guide_lookup]
STRATEGY_TOOLS: list[AgentTool] = [content_calendar, competitive_analysis, content_gap]
TOOLS: dict[str, AgentTool] = {t.name: t for t in (*SEO_TOOLS, *EMAIL_TOOLS, *BRAND_TOOLS, *STRATEGY_TOOLS)}

__all__ = [
    "BRAND_TOOLS",
    "EMAIL_TOOLS",
    "SEO_TOOLS",
    "STRATEGY_TOOLS",
    "TOOLS",
    "AgentTool",
    "DocumentInfo",
    "PageInfo",
    "Passage",
    "ScopeMissing",
    "ToolArgs",
    "ToolEnv",
    "ToolError",
    "ToolOutcome",
    "UrlNotAllowed",
    "VoiceReport",
    "score_voice",
]
