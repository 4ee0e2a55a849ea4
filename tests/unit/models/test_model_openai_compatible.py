"""The OpenAI-compatible provider against a real HTTP server speaking the OpenAI wire protocol.

These prove what a team self-hosting vLLM, Ollama or llama.cpp server gets: plain and streamed answers,
tool calls, JSON-schema structured output and embeddings; and that 429/5xx/slow answers are retried with
backoff, counted by the breaker, and reach the caller as typed errors.
"""

from __future__ import annotations

import math
import uuid

import pytest
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.tools import tool
from pydantic import BaseModel

from backend.core.db import TenantScope
from backend.models.accounting import counted
from backend.models.errors import CircuitOpen, ModelRequestInvalid, ModelTimeout, ModelUnavailable
from backend.models.registry import get_chat_model, get_embedder

from .fake_openai_server import FakeOpenAIServer
from .model_helpers import model_settings


def _settings(server: FakeOpenAIServer, **overrides: object):
    values = {
        "chat_provider": "openai_compatible",
        "embedding_provider": "openai_compatible",
        "openai_base_url": server.base_url,
        "openai_api_key": "sk-test",
        "openai_chat_model": "writer-7b",
        "openai_fast_model": "router-1b",
        "openai_embedding_model": "embed-small",
        "openai_embedding_dimensions": 16,
    }
    values.update(overrides)
    return model_settings(**values)


class Headline(BaseModel):
    headline: str
    score: int


@tool
def search_documents(query: str, limit: int) -> str:
    """Search the space's documents."""
    return query


async def test_chat_completion_on_the_wire(fake_server: FakeOpenAIServer) -> None:
    model = get_chat_model("main", _settings(fake_server))
    reply = await model.ainvoke([SystemMessage("You write for Acme."), HumanMessage("A subject line, please")])

    assert reply.content == fake_server.reply
    assert reply.usage_metadata is not None and reply.usage_metadata["output_tokens"] == len(fake_server.reply.split())
    (request,) = fake_server.requests_to("/chat/completions")
    assert request["body"]["model"] == "writer-7b"
    assert request["headers"]["authorization"] == "Bearer sk-test"
    assert [m["role"] for m in request["body"]["messages"]] == ["system", "user"]


async def test_fast_role_uses_the_fast_model_and_is_cached(fake_server: FakeOpenAIServer) -> None:
    settings = _settings(fake_server)
    fast = get_chat_model("fast", settings)
    assert get_chat_model("fast", settings) is fast
    assert get_chat_model("main", settings) is not fast
    await fast.ainvoke("Rewrite this query")
    assert fake_server.requests_to("/chat/completions")[0]["body"]["model"] == "router-1b"


async def test_streaming_yields_sse_chunks_with_usage(fake_server: FakeOpenAIServer) -> None:
    model = get_chat_model("main", _settings(fake_server))
    chunks = [chunk async for chunk in model.astream("Write the intro")]

    texts = [chunk.content for chunk in chunks if chunk.content]
    assert len(texts) == len(fake_server.reply.split(" "))  # one chunk per streamed word: not buffered
    assert "".join(texts) == fake_server.reply
    usage = [chunk.usage_metadata for chunk in chunks if chunk.usage_metadata]
    assert usage and usage[-1]["output_tokens"] > 0
    body = fake_server.requests_to("/chat/completions")[0]["body"]
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}


async def test_structured_output_sends_a_json_schema(fake_server: FakeOpenAIServer) -> None:
    model = get_chat_model("main", _settings(fake_server))
    result = await model.with_structured_output(Headline).ainvoke("Score this headline")

    assert isinstance(result, Headline) and result.headline == "Obelisk" and result.score == 3
    response_format = fake_server.requests_to("/chat/completions")[0]["body"]["response_format"]
    assert response_format["type"] == "json_schema"
    assert set(response_format["json_schema"]["schema"]["properties"]) == {"headline", "score"}


async def test_bound_tools_come_back_as_tool_calls(fake_server: FakeOpenAIServer) -> None:
    model = get_chat_model("main", _settings(fake_server))
    reply = await model.bind_tools([search_documents]).ainvoke("Find the brand guide")

    assert reply.tool_calls[0]["name"] == "search_documents"
    assert reply.tool_calls[0]["args"] == {"query": "Obelisk", "limit": 3}
    assert fake_server.requests_to("/chat/completions")[0]["body"]["tools"][0]["function"]["name"] == "search_documents"


async def test_embeddings_are_normalised_ordered_and_batched(fake_server: FakeOpenAIServer) -> None:
    embedder = get_embedder(_settings(fake_server))
    embedder.batch_size = 2  # type: ignore[attr-defined]
    texts = ["spring launch", "brand voice guide", "pricing sheet"]
    vectors = await embedder.embed_documents(texts)
    query = await embedder.embed_query("pricing sheet")

    assert embedder.model_id == "openai_compatible:embed-small" and embedder.dimension == 16
    assert [len(v) for v in vectors] == [16, 16, 16]
    assert all(math.isclose(sum(x * x for x in v), 1.0, rel_tol=1e-5) for v in vectors)
    assert vectors[2] == pytest.approx(query)  # the server answered out of order; the client sorted by index
    batches = [r["body"]["input"] for r in fake_server.requests_to("/embeddings")]
    assert batches == [texts[:2], texts[2:], ["pricing sheet"]]
    assert fake_server.requests_to("/embeddings")[0]["body"]["dimensions"] == 16


async def test_rate_limits_are_retried_until_the_call_succeeds(fake_server: FakeOpenAIServer) -> None:
    fake_server.fail(429, times=2, headers={"retry-after": "0"})
    model = get_chat_model("main", _settings(fake_server))

    reply = await model.ainvoke("Hello")

    assert reply.content == fake_server.reply
    assert len(fake_server.requests_to("/chat/completions")) == 3


async def test_server_errors_exhaust_retries_as_a_typed_error(fake_server: FakeOpenAIServer) -> None:
    fake_server.fail(500, times=3)
    model = get_chat_model("main", _settings(fake_server, model_max_retries=2))

    with pytest.raises(ModelUnavailable) as raised:
        await model.ainvoke("Hello")

    assert raised.value.retryable and raised.value.provider == "openai_compatible"
    assert len(fake_server.requests_to("/chat/completions")) == 3


async def test_a_rejected_request_is_not_retried(fake_server: FakeOpenAIServer) -> None:
    fake_server.fail(400)
    model = get_chat_model("main", _settings(fake_server))

    with pytest.raises(ModelRequestInvalid):
        await model.ainvoke("Hello")
    assert len(fake_server.requests_to("/chat/completions")) == 1


async def test_circuit_opens_after_repeated_failures_then_recovers(fake_server: FakeOpenAIServer) -> None:
    import asyncio

    settings = _settings(fake_server, model_max_retries=0, circuit_breaker_failures=3,
                         circuit_breaker_reset_seconds=0.3)
    model = get_chat_model("main", settings)
    fake_server.fail(503, times=3)
    for _ in range(3):
        with pytest.raises(ModelUnavailable):
            await model.ainvoke("Hello")

    with pytest.raises(CircuitOpen) as raised:
        await model.ainvoke("Hello")
    assert "paused" in raised.value.message
    assert len(fake_server.requests_to("/chat/completions")) == 3  # the open circuit sent nothing

    # The embedder talks to the same server but has its own breaker: one endpoint's trouble is not another's.
    assert len(await get_embedder(settings).embed_documents(["still fine"])) == 1

    await asyncio.sleep(0.35)
    assert (await model.ainvoke("Hello")).content == fake_server.reply  # the half-open trial call succeeds
    assert (await model.ainvoke("Hello again")).content == fake_server.reply


async def test_slow_answers_time_out_and_are_retried(fake_server: FakeOpenAIServer) -> None:
    model = get_chat_model("main", _settings(fake_server, model_timeout_seconds=0.3, model_max_retries=1))

    fake_server.slow(1.0)
    assert (await model.ainvoke("Hello")).content == fake_server.reply
    assert len(fake_server.requests_to("/chat/completions")) == 2

    fake_server.slow(1.0, times=2)
    with pytest.raises(ModelTimeout):
        await model.ainvoke("Hello")


async def test_a_stream_that_fails_before_its_first_chunk_is_retried(fake_server: FakeOpenAIServer) -> None:
    fake_server.fail(502)
    model = get_chat_model("main", _settings(fake_server))

    text = "".join([str(chunk.content) async for chunk in model.astream("Write")])

    assert text == fake_server.reply
    assert len(fake_server.requests_to("/chat/completions")) == 2


async def test_embedding_batches_are_retried_on_429(fake_server: FakeOpenAIServer) -> None:
    fake_server.fail(429, path="/embeddings")
    vectors = await get_embedder(_settings(fake_server)).embed_documents(["one", "two"])
    assert len(vectors) == 2
    assert len(fake_server.requests_to("/embeddings")) == 2


async def test_calls_are_measured_for_usage_accounting(fake_server: FakeOpenAIServer) -> None:
    settings = _settings(fake_server)
    scope = TenantScope(organization_id=uuid.uuid4(), space_id=uuid.uuid4())
    async with counted(scope) as meter:
        await get_chat_model("main", settings).ainvoke("Hello there")
        async for _ in get_chat_model("fast", settings).astream("Classify this"):
            pass
        await get_embedder(settings).embed_documents(["a chunk of text"])

    main, fast, embedding = meter.events
    assert (main.model, main.role, main.provider) == ("writer-7b", "main", "openai_compatible")
    assert main.tokens_in == 2 and main.tokens_out == len(fake_server.reply.split())
    assert fast.model == "router-1b" and fast.ttft_ms is not None and fast.tokens_out > 0
    assert embedding.role == "embedding" and embedding.tokens_in == 4
    assert meter.totals.calls == 3
