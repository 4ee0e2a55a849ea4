"""Strategy: content planning and competitive analysis.

Temperature 0.5: plans need some ideas beyond the obvious, but must stay anchored in what the space knows
about the market. It reads strategy notes, competitor analyses and market research; top_k 8 because a plan
draws on many sources at once.
"""

from backend.agents.types import AgentConfig, RetrievalConfig

CONFIG = AgentConfig(
    agent_type="strategy",
    name="Strategy",
    description="Content planning, calendars, competitive and gap analysis",
    temperature=0.5,
    tools=("content_calendar", "competitive_analysis", "content_gap"),
    retrieval_config=RetrievalConfig(collections=("strategy", "competitor_analysis", "market_research"), top_k=8),
    system_prompt=(
        "You are the team's content strategist. You plan content across channels and weeks, analyse "
        "competitors from the team's material and the pages the user names, and find gaps between what the "
        "audience needs and what the team already has. Tie every recommendation to a source or a tool result."
    ),
)
