"""What the local chat model is sent: the chat rendered as one prompt with the model's template, tool
instructions for a model without native tool calls, and the stable prefix (system prompt and tools) whose KV
cache a slot keeps between calls.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.utils.function_calling import convert_to_openai_tool

from backend.models.base import text_of
from backend.models.errors import ModelOutputInvalid
from backend.models.structured import parse_json_object

NO_TOOL = "none"


@dataclass(frozen=True, slots=True)
class StablePrefix:
    """The stable head of a family of prompts (system prompt, brand voice, tool list), warmed into a slot.

    Build requests with the same `system` text (and the same tools bound) and they reuse the warm slot.
    """

    system: str
    tools: tuple[dict[str, Any], ...] = ()
    name: str = ""

    @classmethod
    def of(cls, system: str, tools: Sequence[Any] = (), *, name: str = "") -> StablePrefix:
        """A prefix from a system text and LangChain tools (or OpenAI tool dicts)."""
        return cls(system, tuple(convert_to_openai_tool(tool) for tool in tools), name)


def tool_instructions(tools: Sequence[dict[str, Any]], tool_choice: Any) -> tuple[str, str, dict[str, Any]]:
    """The tool list as prompt text, the reply instruction, and the JSON schema that constrains the reply to
    one call (or an answer).

    The list is part of the stable prefix; the instruction depends on `tool_choice`, so it is kept apart and
    rendered after the list: two requests that differ only in `tool_choice` still share the cached prefix.
    """
    names = [tool["function"]["name"] for tool in tools]
    forced = None
    if isinstance(tool_choice, str) and tool_choice in names:
        forced = tool_choice
    elif isinstance(tool_choice, dict):
        forced = (tool_choice.get("function") or {}).get("name") or tool_choice.get("name")
    must_call = forced is not None or tool_choice in ("required", "any", True)
    options = []
    lines = ["You can use these tools:"]
    for tool in tools:
        function = tool["function"]
        parameters = function.get("parameters") or {"type": "object", "properties": {}}
        lines.append(f"- {function['name']}: {function.get('description', '').strip()} "
                     f"Arguments (JSON schema): {json.dumps(parameters, separators=(',', ':'))}")
        if forced in (None, function["name"]):
            options.append({
                "type": "object",
                "properties": {"tool": {"const": function["name"]}, "arguments": parameters},
                "required": ["tool", "arguments"],
            })
    if forced is not None:
        instruction = f'Reply with JSON only: {{"tool": "{forced}", "arguments": {{...}}}}.'
    elif must_call:
        instruction = 'Reply with JSON only: {"tool": "<tool name>", "arguments": {...}}.'
    else:
        instruction = ('Reply with JSON only: {"tool": "<tool name>", "arguments": {...}} to use a tool, or '
                       '{"tool": "none", "reply": "<your answer>"} to answer without one.')
        options.append({
            "type": "object",
            "properties": {"tool": {"const": NO_TOOL}, "reply": {"type": "string"}},
            "required": ["tool", "reply"],
        })
    return "\n".join(lines), instruction, {"anyOf": options}


def call_text(name: str, args: Any) -> str:
    return json.dumps({"tool": name, "arguments": args}, ensure_ascii=False)


def render_messages(
    messages: Sequence[BaseMessage], tool_text: str = "", tool_instruction: str = ""
) -> tuple[list[dict[str, Any]], str]:
    """OpenAI-style messages for llama.cpp, stable part first.

    Every leading system message and the tool list are merged into one opening system message (followed by
    the tool instruction, which varies with `tool_choice`). Returns the messages and the stable text: the
    part of the prompt that is the same for every request of this kind, which routes it to a warm slot.
    """
    index = 0
    system_parts = []
    while index < len(messages) and isinstance(messages[index], SystemMessage):
        system_parts.append(text_of(messages[index]))
        index += 1
    if tool_text:
        system_parts.append(tool_text)
    stable = "\n\n".join(part for part in system_parts if part)
    system = f"{stable}\n{tool_instruction}" if tool_instruction else stable
    rendered: list[dict[str, Any]] = [{"role": "system", "content": system}] if system else []
    tool_names: dict[str, str] = {}
    for message in messages[index:]:
        if isinstance(message, AIMessage):
            for call in message.tool_calls:
                tool_names[str(call.get("id"))] = call["name"]
            calls = [call_text(call["name"], call["args"]) for call in message.tool_calls]
            rendered.append({"role": "assistant", "content": "\n".join([text_of(message), *calls]).strip()})
        elif isinstance(message, ToolMessage):
            name = tool_names.get(message.tool_call_id, "the tool")
            rendered.append({"role": "user", "content": f"Result of {name}:\n{text_of(message)}"})
        elif isinstance(message, SystemMessage):
            rendered.append({"role": "system", "content": text_of(message)})
        else:
            rendered.append({"role": "user", "content": text_of(message)})
    return rendered, stable


def prefix_key(system: str) -> str | None:
    """The slot-routing key of a prompt's stable head."""
    return hashlib.sha256(system.encode()).hexdigest()[:16] if system else None


def tool_message(text: str) -> AIMessage:
    try:
        data = parse_json_object(text)
    except ValueError as exc:
        raise ModelOutputInvalid(f"The local model's tool call is not valid JSON: {text[:200]!r}",
                                 provider="local") from exc
    if not isinstance(data, dict) or "tool" not in data:
        raise ModelOutputInvalid(f"The local model's reply is not a tool call: {text[:200]!r}", provider="local")
    if data["tool"] == NO_TOOL:
        return AIMessage(content=str(data.get("reply", "")))
    call = {"name": str(data["tool"]), "args": data.get("arguments") or {}, "id": f"call_{uuid.uuid4().hex[:24]}",
            "type": "tool_call"}
    return AIMessage(content="", tool_calls=[call])


__all__ = ["NO_TOOL", "StablePrefix", "call_text", "prefix_key", "render_messages", "tool_instructions", "tool_message"]
