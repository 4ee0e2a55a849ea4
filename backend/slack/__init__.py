"""The Slack review bridge: posts content for review in a space's Slack channel and takes approvals and
revision requests back (ARCHITECTURE.md rank 9; it may import content)."""
