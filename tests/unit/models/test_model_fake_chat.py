"""The fake chat model is a faithful stand-in: it streams, calls tools, answers under a schema, drives a
LangGraph agent, and fails the way real providers fail (typed errors through the same guard)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool
from pydantic import BaseModel

from backend.core.db import TenantScope
from backend.models.accounting import counted
from backend.models.chat_fake import REPLY_WITH, fake_tool_call, make_fake_chat
from backend.models.errors import ModelOutputInvalid, ModelUnavailable
from backend.models.registry import get_chat_model


class Outline(BaseModel):
    title: str
    sections: list[str]


@tool
def lookup_product(name: str) -> str:
    """Look a product up in the space's product sheets."""
    return f"{name}: waterproof, 20 L, 540 g"


async def test_streams_the_scripted_reply_word_by_word() -> None:
    model = make_fake_chat(["Fresh copy for spring"])
    chunks = [chunk.content async for chunk in model.astream("Write")]
    assert [c for c in chunks if c] == ["Fresh ", "copy ", "for ", "spring"]


async def test_tool_calls_round_trip_through_bind_tools() -> None:
    model = make_fake_chat([fake_tool_call("lookup_product", {"name": "Trail 20"}), "The Trail 20 weighs 540 g."])
    bound = model.bind_tools([lookup_product])

    first = await bound.ainvoke([HumanMessage("How heavy is the Trail 20?")])
    call = first.tool_calls[0]
    result = ToolMessage(await lookup_product.ainvoke(call["args"]), tool_call_id=call["id"])
    second = await bound.ainvoke([HumanMessage("How heavy is the Trail 20?"), first, result])

    assert call["name"] == "lookup_product" and second.content == "The Trail 20 weighs 540 g."
    assert model.calls[0]["tools"][0]["function"]["name"] == "lookup_product"


async def test_a_required_tool_call_is_made_even_unscripted() -> None:
    reply = await make_fake_chat().bind_tools([lookup_product], tool_choice="required").ainvoke("go")
    assert reply.tool_calls[0]["name"] == "lookup_product"


async def test_structured_output_parses_into_the_schema() -> None:
    model = make_fake_chat([{"title": "Spring launch", "sections": ["Why", "What", "When"]}])
    outline = await model.with_structured_output(Outline).ainvoke("Outline the post")
    assert outline == Outline(title="Spring launch", sections=["Why", "What", "When"])
    assert model.calls[0]["response_format"]["type"] == "json_schema"

    unscripted = await make_fake_chat().with_structured_output(Outline).ainvoke("Outline")
    assert isinstance(unscripted, Outline)


async def test_a_reply_in_the_wrong_shape_is_a_typed_error() -> None:
    model = make_fake_chat(["this is not JSON"])
    with pytest.raises(ModelOutputInvalid):
        await model.with_structured_output(Outline).ainvoke("Outline the post")

    raw = await make_fake_chat(["{}"]).with_structured_output(Outline, include_raw=True).ainvoke("Outline")
    assert raw["parsed"] is None and raw["parsing_error"] is not None and isinstance(raw["raw"], AIMessage)


async def test_scripted_provider_failures_arrive_typed() -> None:
    model = make_fake_chat([ModelUnavailable("the provider is down")])
    with pytest.raises(ModelUnavailable):
        await model.ainvoke("Hello")


async def test_a_langgraph_agent_runs_on_it() -> None:
    from langgraph.prebuilt import create_react_agent

    model = make_fake_chat([fake_tool_call("lookup_product", {"name": "Trail 20"}), "It weighs 540 g."])
    agent = create_react_agent(model, [lookup_product])

    state = await agent.ainvoke({"messages": [HumanMessage("How heavy is the Trail 20?")]})

    assert state["messages"][-1].content == "It weighs 540 g."
    assert "540 g" in state["messages"][-2].content  # the tool really ran


async def test_the_registry_fake_answers_and_is_metered() -> None:
    scope = TenantScope(organization_id=uuid.uuid4(), space_id=uuid.uuid4())
    async with counted(scope) as meter:
        reply = await get_chat_model("fast").ainvoke("Rewrite: spring shoes")
    assert "spring shoes" in str(reply.content)
    (event,) = meter.events
    assert event.provider == "fake" and event.role == "fast" and event.tokens_in == 3


async def test_the_registry_fake_streams_slowly_when_tests_ask_for_it() -> None:
    """FAKE_CHAT_STREAM_PAUSE_SECONDS: the browser tests' slow stream (the pause is awaited between words)."""
    import asyncio

    from backend.core.config import Settings

    model = get_chat_model("main", Settings(chat_provider="fake", fake_chat_stream_pause_seconds=0.05))
    loop = asyncio.get_running_loop()
    words, started = [], loop.time()
    async for chunk in model.astream("one two three"):
        if chunk.content:
            words.append(chunk.content)
    assert "".join(words) == "Fake reply to: one two three"
    assert loop.time() - started >= 0.05 * (len(words) - 1)


async def test_a_user_message_can_script_the_plain_answer_and_schemas_still_win() -> None:
    fake = make_fake_chat()
    conversation = [
        HumanMessage(f"Draft the launch post. {REPLY_WITH} Our Team plan is here. Book a demo."),
        HumanMessage("Write the answer now, citing the sources."),
    ]
    assert (await fake.ainvoke(conversation)).content == "Our Team plan is here. Book a demo."
    streamed = "".join([str(chunk.content) async for chunk in fake.astream(conversation)])
    assert streamed == "Our Team plan is here. Book a demo."
    assert isinstance(await fake.with_structured_output(Outline).ainvoke(conversation), Outline), "schemas win"
    assert (await fake.ainvoke([HumanMessage("Hello")])).content == "Fake reply to: Hello"


async def test_an_unscripted_review_calls_the_draft_complete_so_a_fake_run_ends_normally() -> None:
    from backend.agents.graph.decisions import Review, decision_model

    fake = make_fake_chat()
    review = await fake.with_structured_output(Review).ainvoke([HumanMessage("Review your draft.")])
    assert isinstance(review, Review) and review.complete and not review.needs_more_context
    # Other schemas keep their smallest valid value (booleans false); the agent's decision still writes.
    decision = await fake.with_structured_output(decision_model(())).ainvoke([HumanMessage("Decide.")])
    assert decision.action == "use_tool" and decision.tool == "none"  # an unknown tool: the agent writes


async def test_an_unscripted_agent_turn_ends_completed_after_one_draft() -> None:
    from dataclasses import replace

    from langgraph.checkpoint.memory import InMemorySaver

    from backend.agents.configs import DEFAULTS
    from backend.agents.graph.context import AgentContext
    from backend.agents.graph.graph import build_graph, recursion_limit
    from backend.agents.graph.state import initial_input
    from tests.unit.agents.test_graph import SCOPE as scope
    from tests.unit.agents.test_graph import Retriever, _env

    llm = make_fake_chat()
    graph = build_graph(
        llm=llm, fast_llm=make_fake_chat(role="fast"), retriever=Retriever(), tools={}, checkpointer=InMemorySaver()
    )
    config = replace(DEFAULTS["seo"], tools=())
    context = AgentContext(scope=scope, config=config, tool_env=_env())
    request = f"How did Acme grow? {REPLY_WITH} Acme grew revenue by 40% in 2025 [S1]."
    limit = recursion_limit(config.max_iterations)
    run_config: Any = {"configurable": {"thread_id": f"{scope.space_id}:t"}, "recursion_limit": limit}
    events = [
        e
        async for e in graph.astream(
            initial_input(request, run_id="r", document_ids=[]), run_config, context=context, stream_mode="custom"
        )
    ]
    assert events[-1]["payload"]["stop_reason"] == "completed"
    assert len(llm.calls) == 1  # one draft, not one per step until the limit
