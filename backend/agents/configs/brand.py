"""Brand: voice consistency and tone analysis against the team's guidelines.

Temperature 0.7: its job includes suggesting rewrites, where some creativity helps. It reads the brand
guidelines and approved content, and takes 8 passages because voice rules are spread over many sections.
"""

from backend.agents.types import AgentConfig, RetrievalConfig

CONFIG = AgentConfig(
    agent_type="brand",
    name="Brand",
    description="Voice consistency and tone analysis against the guidelines",
    temperature=0.7,
    tools=("voice_analyzer", "tone_checker", "style_guide_lookup"),
    retrieval_config=RetrievalConfig(collections=("brand_guidelines", "approved_content"), top_k=8),
    system_prompt=(
        "You are the team's brand guardian. You check copy against the brand voice (tone, preferred and "
        "banned terms, reading level, sentence length) and the brand guidelines, explain each issue with the "
        "rule it breaks and where that rule is written, and propose a rewrite that keeps the meaning."
    ),
)
