"""An agent's search is the space's parallel retrieval without the query rewrite: the rewrite's model call
would stand between the request and the first token, and an agent refines its own searches."""

from __future__ import annotations

from backend.agents.runner import SpaceRetriever
from backend.core.config import get_settings
from backend.core.db import Database
from backend.models.chat_fake import make_fake_chat
from backend.retrieval.enhance import QueryEnhancer
from backend.retrieval.retriever import ParallelRetriever
from tests.support.tenants import new_tenant


async def test_an_agent_search_never_waits_for_the_query_rewrite(db: Database, memory_backends: None) -> None:
    ctx = await (await new_tenant("ada")).context()
    settings = get_settings().model_copy(update={"query_enhancement": True})  # on, as on a remote model stack
    rewrite = {"expanded_query": "Halcyon thermostat launch email", "alternatives": [], "entities": ["Halcyon"]}
    rewriter = make_fake_chat([rewrite, rewrite])
    retriever = ParallelRetriever(ctx, enhancer=QueryEnhancer(rewriter, settings=settings), settings=settings)

    await SpaceRetriever(ctx, retriever)(ctx.scope, "launch email for Halcyon", tags=(), top_k=4, document_ids=())
    assert rewriter.calls == []

    await retriever.retrieve("launch email for Halcyon", top_k=4)  # the search API still rewrites
    assert len(rewriter.calls) == 1
