"""The embedded local chat model (llama.cpp via xllamacpp) with SmolLM2-135M: real tokens, streamed, valid
JSON under a schema, tool calls, warm slots that skip the stable prefix, and never blocking the event loop."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Literal

import pytest
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.tools import tool
from pydantic import BaseModel

from backend.core.db import TenantScope
from backend.models.accounting import counted
from backend.models.chat_local import LocalChatModel
from backend.models.errors import ModelRequestInvalid, ModelTimeout
from backend.models.local_prompt import StablePrefix
from backend.models.resilience import CircuitBreaker, ModelGuard, RetryPolicy

BRAND_VOICE = " ".join(
    f"Rule {n}: write plainly for outdoor customers, name the product, avoid hype words, keep sentences short."
    for n in range(1, 13)
)


class Product(BaseModel):
    name: str
    price_eur: float
    category: Literal["boots", "tents", "jackets"]


@tool
def lookup_product(name: str) -> str:
    """Look a product up in the space's product sheets."""
    return name


async def test_generates_and_streams_real_tokens(smol: LocalChatModel) -> None:
    messages = [SystemMessage("You are a helpful copywriter."), HumanMessage("Write one sentence about hiking boots.")]
    chunks = [chunk async for chunk in smol.astream(messages)]

    pieces = [str(chunk.content) for chunk in chunks if chunk.content]
    text = "".join(pieces).strip()
    assert len(pieces) > 5 and len(text.split()) >= 4  # token by token, and real words
    usage = [chunk.usage_metadata for chunk in chunks if chunk.usage_metadata][-1]
    assert usage["input_tokens"] > 10 and 0 < usage["output_tokens"] <= 48

    reply = await smol.ainvoke(messages)
    assert reply.content.strip() == text  # temperature 0: the same answer streamed or not


async def test_json_schema_output_always_parses(smol: LocalChatModel) -> None:
    structured = smol.with_structured_output(Product)
    for prompt in ["Invent a product for our spring catalogue.", "Describe a tent as JSON."]:
        product = await structured.ainvoke(prompt)
        assert isinstance(product, Product)
        assert product.category in ("boots", "tents", "jackets")


async def test_tool_calls_are_grammar_constrained(smol: LocalChatModel) -> None:
    reply = await smol.bind_tools([lookup_product], tool_choice="required").ainvoke("Look up the Trail 20 backpack.")
    (call,) = reply.tool_calls
    assert call["name"] == "lookup_product" and isinstance(call["args"]["name"], str)

    streamed = [chunk async for chunk in smol.bind_tools([lookup_product], tool_choice="required").astream("Trail 20?")]
    assert any(chunk.tool_call_chunks for chunk in streamed)


async def test_a_warm_slot_skips_prefill_of_the_stable_prefix(smol: LocalChatModel) -> None:
    prefix = StablePrefix.of(f"You write for Northwind Outdoor. {BRAND_VOICE}", [lookup_product], name="email")
    (warmed,) = await smol.warm([prefix])
    assert warmed["prompt_tokens"] > 300

    question = "Write a subject line for the boot sale."
    warm = await smol.bind_tools([lookup_product]).ainvoke([SystemMessage(prefix.system), HumanMessage(question)])
    cold = await smol.bind_tools([lookup_product]).ainvoke(
        [SystemMessage(f"You write for Contoso Gear. {BRAND_VOICE}"), HumanMessage(question)]
    )

    warm_meta, cold_meta = warm.response_metadata, cold.response_metadata
    assert warm_meta["slot"] == warmed["slot"]
    # Only the new tokens (the question and the chat template around it) were evaluated.
    assert warm_meta["cached_tokens"] >= warmed["prompt_tokens"] - 30
    assert warm_meta["timings"]["prompt_n"] < 40
    assert cold_meta["timings"]["prompt_n"] > 300


async def test_generation_never_blocks_the_event_loop(smol: LocalChatModel) -> None:
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.create_task(ticker())
    started = time.perf_counter()
    await smol.ainvoke("Write two sentences about tents.", max_tokens=40)
    elapsed = time.perf_counter() - started
    task.cancel()
    assert elapsed > 0.1
    assert ticks >= elapsed / 0.01 * 0.25  # the loop kept ticking while llama.cpp worked in its own thread


async def test_a_time_limit_stops_the_generation_and_frees_the_slot(smol: LocalChatModel) -> None:
    hasty = smol.model_copy(
        update={"guard": ModelGuard("local", CircuitBreaker("local:hasty"), timeout=0.05, retry=RetryPolicy(0))}
    )
    with pytest.raises(ModelTimeout):
        await hasty.ainvoke("Write a long story about a mountain.", max_tokens=400)
    assert (await smol.ainvoke("Say hello.", max_tokens=5)).content  # the slot came back


async def test_a_prompt_longer_than_the_context_is_refused_clearly(smol: LocalChatModel) -> None:
    with pytest.raises(ModelRequestInvalid, match="LOCAL_CTX_SIZE"):
        await smol.ainvoke("word " * 3000)


async def test_local_calls_are_metered(smol: LocalChatModel) -> None:
    scope = TenantScope(organization_id=uuid.uuid4(), space_id=uuid.uuid4())
    async with counted(scope) as meter:
        await smol.ainvoke("Say hello.", max_tokens=8)
    (event,) = meter.events
    assert event.provider == "local" and event.model == "SmolLM2-135M-Instruct Q4_1"
    assert event.tokens_in > 0 and 0 < event.tokens_out <= 8 and event.ttft_ms is not None
