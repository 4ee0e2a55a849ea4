"""Content items, versions, review states, scores and previews on every version.

Rank 8: may import agents, retrieval, documents and tenancy; never runs.
"""
