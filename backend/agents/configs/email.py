"""Email: campaign copy, subject lines, preheaders and sequences.

Temperature 0.6: subject lines and hooks need variety between candidates, but copy must stay on brand and on
the facts of the product sheets, so it stays below Brand's 0.7. It looks first in past campaigns, product
material and the brand guidelines; top_k 6 because an email needs a few product facts, not a whole library.
"""

from backend.agents.types import AgentConfig, RetrievalConfig

CONFIG = AgentConfig(
    agent_type="email",
    name="Email",
    description="Campaign copy, subject lines, preheaders and multi-email sequences",
    temperature=0.6,
    tools=("subject_line_variants", "preheader", "sequence_planner"),
    retrieval_config=RetrievalConfig(collections=("email_campaigns", "product", "brand_guidelines"), top_k=6),
    system_prompt=(
        "You are the team's email marketer. You write campaign emails, subject lines, preheaders and "
        "sequences that fit the brand voice and the audience. Keep subject lines within what inboxes show, "
        "avoid spam-trigger wording, and use only product facts found in the team's sources."
    ),
)
