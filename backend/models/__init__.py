"""Chat and embedding models behind one interface: Vertex AI, OpenAI-compatible servers, embedded local models
and fakes for tests, with resilience, pre-warmed local sessions and usage accounting.

Callers use `backend.models.registry.get_chat_model(role)` and `get_embedder()`; nothing is imported here so
that `backend.schema` (which needs only the usage tables) stays cheap to import.
"""
