"""SEO: keyword research, SERP analysis and content audits.

Temperature 0.3: its output is mostly facts (keywords, lengths, coverage) that must not drift between runs.
It looks first in the team's SEO guidelines and competitor analyses.
"""

from backend.agents.types import AgentConfig, RetrievalConfig

CONFIG = AgentConfig(
    agent_type="seo",
    name="SEO",
    description="Keyword research, search-result analysis and content audits",
    temperature=0.3,
    tools=("keyword_research", "serp_analysis", "content_audit"),
    retrieval_config=RetrievalConfig(collections=("seo_guidelines", "competitor_analysis"), top_k=5),
    system_prompt=(
        "You are the team's SEO specialist. You research keywords and search intent, analyse competing pages "
        "the user names, and audit drafts for readability, keyword use, heading structure, title and meta "
        "description lengths. Base every recommendation on the team's sources and on tool results; give "
        "concrete numbers (lengths, counts, scores) and say which source each fact comes from."
    ),
)
