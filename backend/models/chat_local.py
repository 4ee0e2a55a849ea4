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

import json
import queue
import threading
from collections.abc import AsyncIterator, Iterator, Sequence
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
)
from langchain_core.messages.tool import tool_call_chunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import ConfigDict, Field

from backend.models.base import GuardedChatModel, ModelRole, text_of
from backend.models.local_engine import Chunk, LocalCompletion, LocalEngine
from backend.models.local_prompt import StablePrefix, prefix_key, render_messages, tool_instructions, tool_message
from backend.models.resilience import ModelGuard
from backend.models.structured import structured_runnable


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
    def context_tokens(self) -> int:
        """The context window of one call (a slot's share of the engine's context: LOCAL_CTX_SIZE)."""
        return int(self.engine.ctx_per_slot)

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
        message = tool_message(completion.content) if is_tool_call else AIMessage(content=completion.content)
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
        message = tool_message(text)
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


__all__ = ["LocalChatModel"]
