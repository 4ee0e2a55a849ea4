"""The embedded local chat model (llama.cpp through xllamacpp) as a LangChain chat model.

Prompts are assembled stable-first: every leading system message, and the tool list when tools are bound,
is merged into ONE system message that opens the prompt. That block is the request's prefix; its hash picks
the llama.cpp slot that already holds it (see `local_engine`), so only the variable tail is prefilled.

Tools: small local models do not follow a native tool-call format reliably (Qwen2.5-Coder writes the call as
plain text). Tool calls therefore use the same mechanism as structured output: the reply is constrained by a
JSON schema to `{"tool": <name>, "arguments": {...}}` (or `{"tool": "none", "reply": ...}` when the model may
also answer directly), which llama.cpp enforces with a grammar, and is turned into LangChain tool calls.
"""

from __future__ import annotations

import hashlib
import json
import queue
import threading
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import LanguageModelInput
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.messages.tool import tool_call_chunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import ConfigDict, Field

from backend.models.base import GuardedChatModel, ModelRole, text_of
from backend.models.errors import ModelOutputInvalid
from backend.models.local_engine import Chunk, LocalCompletion, LocalEngine
from backend.models.resilience import ModelGuard
from backend.models.structured import parse_json_object, structured_runnable

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


def _call_text(name: str, args: Any) -> str:
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
            calls = [_call_text(call["name"], call["args"]) for call in message.tool_calls]
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


def _tool_message(text: str) -> AIMessage:
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


class _LocalChatCore(BaseChatModel):
    """llama.cpp calls; `LocalChatModel` adds resilience and accounting in front."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_name: str
    engine: LocalEngine = Field(exclude=True)
    temperature: float = 0.3
    max_tokens: int = 1024
    seed: int | None = None

    @property
    def _llm_type(self) -> str:
        return "llamacpp-local"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name, "temperature": self.temperature, "max_tokens": self.max_tokens}

    def bind_tools(
        self, tools: Sequence[Any], *, tool_choice: Any = None, **kwargs: Any
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools; the reply becomes a tool call (or, unless a call is required, a plain answer)."""
        formatted = [convert_to_openai_tool(tool) for tool in tools]
        return self.bind(tools=formatted, tool_choice=tool_choice, **kwargs)

    def with_structured_output(  # type: ignore[override]
        self, schema: Any, *, include_raw: bool = False, **kwargs: Any
    ) -> Runnable[Any, Any]:
        """Answer under a JSON schema (grammar-constrained, so the reply always parses)."""
        return structured_runnable(self, schema, include_raw=include_raw)

    def build_request(
        self, messages: Sequence[BaseMessage], stop: list[str] | None = None, **kwargs: Any
    ) -> tuple[dict[str, Any], str | None, bool]:
        """The llama.cpp request, its prefix key, and whether the reply is a tool call."""
        tools: list[dict[str, Any]] = list(kwargs.pop("tools", None) or [])
        tool_choice = kwargs.pop("tool_choice", None)
        tool_text, tool_instruction, tool_schema = tool_instructions(tools, tool_choice) if tools else ("", "", {})
        rendered, stable = render_messages(messages, tool_text, tool_instruction)
        request: dict[str, Any] = {
            "messages": rendered,
            "max_tokens": kwargs.pop("max_tokens", self.max_tokens),
            "temperature": kwargs.pop("temperature", self.temperature),
        }
        if stop:
            request["stop"] = stop
        seed = kwargs.pop("seed", self.seed)
        if seed is not None:
            request["seed"] = seed
        if tools:
            request["response_format"] = {"type": "json_schema", "json_schema": {"name": "tool_call",
                                                                                   "schema": tool_schema}}
        elif "response_format" in kwargs:
            request["response_format"] = kwargs.pop("response_format")
        for passthrough in ("top_p", "top_k", "repeat_penalty", "presence_penalty", "frequency_penalty"):
            if passthrough in kwargs:
                request[passthrough] = kwargs.pop(passthrough)
        return request, prefix_key(stable), bool(tools)

    def _metadata(self, completion: LocalCompletion) -> dict[str, Any]:
        return {
            "model_name": self.model_name,
            "finish_reason": completion.finish_reason,
            "ttft_ms": completion.ttft_ms,
            "cached_tokens": completion.cached_tokens,
            "slot": completion.slot,
            "timings": completion.timings,
        }

    def _usage(self, completion: LocalCompletion) -> dict[str, Any]:
        return {
            "input_tokens": completion.prompt_tokens,
            "output_tokens": completion.completion_tokens,
            "total_tokens": completion.prompt_tokens + completion.completion_tokens,
            "input_token_details": {"cache_read": completion.cached_tokens},
        }

    def _result(self, completion: LocalCompletion, is_tool_call: bool) -> ChatResult:
        message = _tool_message(completion.content) if is_tool_call else AIMessage(content=completion.content)
        message.response_metadata = self._metadata(completion)
        message.usage_metadata = self._usage(completion)  # type: ignore[assignment]
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        request, key, is_tool_call = self.build_request(messages, stop, **kwargs)
        return self._result(self.engine.run(request, prefix_key=key), is_tool_call)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        request, key, is_tool_call = self.build_request(messages, stop, **kwargs)
        return self._result(await self.engine.arun(request, prefix_key=key), is_tool_call)

    def _chunk(self, chunk: Chunk, completion: LocalCompletion) -> ChatGenerationChunk | None:
        text = ""
        metadata: dict[str, Any] = {}
        for choice in chunk.get("choices") or []:
            text += (choice.get("delta") or {}).get("content") or ""
            if choice.get("finish_reason"):
                metadata["finish_reason"] = choice["finish_reason"]
        usage = chunk.get("usage")
        if not text and not usage and not metadata:
            return None
        message = AIMessageChunk(content=text)
        if usage:
            completion.absorb({"usage": usage, "timings": chunk.get("timings") or {}}, 0.0)
            message.usage_metadata = self._usage(completion)  # type: ignore[assignment]
            metadata.update(model_name=self.model_name, cached_tokens=completion.cached_tokens,
                            timings=completion.timings)
        message.response_metadata = metadata
        return ChatGenerationChunk(message=message)

    def _tool_chunk(self, text: str) -> ChatGenerationChunk:
        message = _tool_message(text)
        chunk = AIMessageChunk(
            content=message.content,
            tool_call_chunks=[
                tool_call_chunk(name=call["name"], args=json.dumps(call["args"]), id=call["id"], index=i)
                for i, call in enumerate(message.tool_calls)
            ],
        )
        return ChatGenerationChunk(message=chunk)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        request, key, is_tool_call = self.build_request(messages, stop, **kwargs)
        chunks: queue.Queue[Chunk | BaseException | None] = queue.Queue()
        cancel = threading.Event()

        def _work() -> None:
            try:
                self.engine.run(request, prefix_key=key, on_chunk=chunks.put, cancel=cancel)
                chunks.put(None)
            except BaseException as exc:  # handed to the consuming thread, which raises it
                chunks.put(exc)

        self.engine.submit(_work)
        try:
            yield from self._convert_stream(iter(chunks.get, None), is_tool_call)
        finally:
            cancel.set()  # the consumer stopped early: stop generating at the next token

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        request, key, is_tool_call = self.build_request(messages, stop, **kwargs)
        completion = LocalCompletion()
        tool_text = ""
        async for raw in self.engine.astream(request, prefix_key=key):
            converted = self._chunk(raw, completion)
            if converted is None:
                continue
            if is_tool_call:
                # A tool call is only meaningful whole: hold the JSON back, pass usage through.
                tool_text += text_of(converted.message)
                converted.message.content = ""
                if not converted.message.usage_metadata:  # type: ignore[attr-defined]
                    continue
            if run_manager and converted.text:
                await run_manager.on_llm_new_token(converted.text, chunk=converted)
            yield converted
        if is_tool_call:
            yield self._tool_chunk(tool_text)

    def _convert_stream(
        self, raw_chunks: Iterator[Chunk | BaseException], is_tool_call: bool
    ) -> Iterator[ChatGenerationChunk]:
        completion = LocalCompletion()
        tool_text = ""
        for raw in raw_chunks:
            if isinstance(raw, BaseException):
                raise raw
            converted = self._chunk(raw, completion)
            if converted is None:
                continue
            if is_tool_call:
                tool_text += text_of(converted.message)
                converted.message.content = ""
                if not converted.message.usage_metadata:  # type: ignore[attr-defined]
                    continue
            yield converted
        if is_tool_call:
            yield self._tool_chunk(tool_text)


class LocalChatModel(GuardedChatModel, _LocalChatCore):
    """A small local model running in this process. Use through `get_chat_model(role)`."""

    guard: ModelGuard = Field(exclude=True)
    role: ModelRole = "main"

    def warm_request(self, prefix: StablePrefix) -> tuple[str, dict[str, Any]]:
        """The `(prefix_key, request)` that fills a slot with `prefix` exactly as real requests render it."""
        request, key, _ = self.build_request(
            [SystemMessage(prefix.system), HumanMessage(".")], tools=list(prefix.tools) or None
        )
        assert key is not None, "a stable prefix needs a non-empty system text"
        return key, request

    async def warm(self, prefixes: Sequence[StablePrefix]) -> list[dict[str, Any]]:
        """Load the model and fill slots with `prefixes` (most important first)."""
        await self.engine.aload()
        return await self.engine.awarm([self.warm_request(prefix) for prefix in prefixes if prefix.system])


__all__ = ["LocalChatModel", "StablePrefix", "prefix_key", "render_messages", "tool_instructions"]
