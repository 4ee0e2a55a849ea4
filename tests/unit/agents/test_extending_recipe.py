"""docs/extending.md, recipe 3 ("Add a tool to an agent"), built and run as the document writes it."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from langgraph.checkpoint.memory import InMemorySaver

from backend.agents.configs import DEFAULTS
from backend.agents.graph.context import AgentContext
from backend.agents.graph.graph import build_graph, recursion_limit
from backend.agents.graph.state import initial_input
from backend.agents.tools.base import AgentTool
from backend.models.chat_fake import make_fake_chat
from tests.unit.agents.test_graph import SCOPE, Retriever, _env

DOC = Path(__file__).resolve().parents[3] / "docs" / "extending.md"


def _recipe_tool() -> AgentTool:
    """Execute the recipe's code block, as a developer would paste it into a module."""
    text = DOC.read_text()
    section = text[text.index("## 3. Add a tool to an agent") :]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code, "recipe 3 has its code block"
    namespace: dict[str, Any] = {"__name__": "recipe"}
    exec(compile(code.group(1), "docs/extending.md", "exec"), namespace)
    tool = namespace["reading_time"]
    assert isinstance(tool, AgentTool)
    return tool


async def test_the_recipe_tool_works_through_the_wrapper() -> None:
    tool = _recipe_tool()
    ok = await tool.invoke(_env(), {"text": "word " * 460})
    assert ok.ok and ok.result == {"words": 460, "seconds": 120, "verdict": "long for an email"}
    too_long = await tool.invoke(_env(), {"text": "word " * 5001})
    assert not too_long.ok and "5,000 words" in (too_long.error or "")
    bad = await tool.invoke(_env(), {"text": ""})
    assert not bad.ok and bad.error


async def test_the_recipe_tool_runs_in_the_email_agents_graph() -> None:
    tool = _recipe_tool()
    fast = make_fake_chat(
        [{"action": "use_tool", "tool": "reading_time"}, {"text": "Hello there, welcome aboard."},
         {"action": "write_answer"}, {"complete": True}],
        role="fast",
    )  # fmt: skip
    graph = build_graph(llm=make_fake_chat(["It takes about a second to read."]), fast_llm=fast,
                        retriever=Retriever(), tools={"reading_time": tool}, checkpointer=InMemorySaver())  # fmt: skip
    config = replace(DEFAULTS["email"], tools=(*DEFAULTS["email"].tools, "reading_time"))
    context = AgentContext(scope=SCOPE, config=config, tool_env=_env())
    run: Any = {"configurable": {"thread_id": f"{SCOPE.space_id}:recipe"}, "recursion_limit": recursion_limit(10)}
    events = [e async for e in graph.astream(initial_input("How long is it?", run_id="r", document_ids=[]), run,
                                             context=context, stream_mode="custom")]  # fmt: skip
    result = next(e["payload"] for e in events if e["type"] == "tool_result")
    assert result["tool"] == "reading_time" and result["result"]["words"] == 4
    assert events[-1]["payload"]["stop_reason"] == "completed"
