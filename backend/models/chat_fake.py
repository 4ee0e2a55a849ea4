"""A scripted chat model for tests: deterministic, instant, and going through the same guard and accounting.

Script it with `responses`, one item per call, in order:

- a `str`: the reply text (streamed word by word);
- an `AIMessage`: returned as is (script tool calls this way, or with `fake_tool_call`);
- a `dict` or pydantic object: the reply is its JSON (for structured output);
- an exception instance: raised by that call (to exercise retries, the circuit breaker, error routing);
- a callable: called with the messages, its result is used as above.

When the script runs out the model still answers: a valid instance of the requested JSON schema, a call of the
first tool when a call is required, the text a user message asks for after `Reply with:` (`requested_reply`), or
an echo of the last user message. Every request is kept in `calls`.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import LanguageModelInput
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage
from langchain_core.messages.tool import tool_call_chunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from backend.models.base import GuardedChatModel, ModelRole, text_of
from backend.models.errors import ModelRequestInvalid
from backend.models.resilience import ModelGuard
from backend.models.structured import example_for, structured_runnable

_WORDS = re.compile(r"\S+\s*|\s+")
_TOKENS = re.compile(r"\w+|[^\w\s]")

ScriptItem = str | AIMessage | dict[str, Any] | BaseModel | BaseException | Callable[[list[BaseMessage]], Any]
"""One scripted reply (see the module docstring)."""


def fake_tool_call(name: str, args: dict[str, Any]) -> AIMessage:
    """A scripted reply that calls tool `name` with `args`."""
    return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": f"call_{uuid.uuid4().hex[:12]}",
                                              "type": "tool_call"}])


REPLY_WITH = "Reply with:"
"""A user message ending with this marker and a text scripts the plain answer: the browser tier's app runs this
model in its own process, where a test cannot pass `responses`, and the default echo of the last prompt message
(the answer request, an instruction) is blocked by the answer check as echoed instructions."""


def requested_reply(messages: Sequence[BaseMessage]) -> str | None:
    """The text after `Reply with:` in the latest user message that has one (None when none does)."""
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            text = text_of(message)
            if REPLY_WITH in text:
                return text.split(REPLY_WITH, 1)[1].strip() or None
    return None


def _structured_default(schema: dict[str, Any]) -> Any:
    """The unscripted structured reply: the smallest valid value, except that a verdict `complete` is true (an
    agent's review of its draft: the fake's drafts are final, so an unscripted run ends as completed instead of
    writing again until its step limit)."""
    value = example_for(schema)
    if isinstance(value, dict) and (schema.get("properties") or {}).get("complete", {}).get("type") == "boolean":
        value["complete"] = True
    return value


def _count(text: str) -> int:
    return len(text.split())


class _FakeChatCore(BaseChatModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_name: str = "fake-chat"
    responses: list[Any] = Field(default_factory=list)
    delay: float = 0.0
    """Seconds each call waits before answering (to exercise timeouts)."""
    stream_pause: float = 0.0
    """Seconds between streamed words (a slow stream that a browser test can reload or stop mid-answer)."""
    calls: list[dict[str, Any]] = Field(default_factory=list)
    """Every request: its messages and keyword arguments (tools, response_format...)."""
    context_tokens: int | None = None
    """A context window like a local model's: a longer prompt (words and punctuation marks counted as tokens,
    the way a tokenizer at least splits them) is refused as llama.cpp refuses it. None: no limit."""
    _next: int = PrivateAttr(default=0)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "fake-chat"

    def bind_tools(
        self, tools: Sequence[Any], *, tool_choice: Any = None, **kwargs: Any
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools like a real provider (OpenAI format); scripted tool calls come from `responses`."""
        return self.bind(tools=[convert_to_openai_tool(tool) for tool in tools], tool_choice=tool_choice, **kwargs)

    def with_structured_output(  # type: ignore[override]
        self, schema: Any, *, include_raw: bool = False, **kwargs: Any
    ) -> Runnable[Any, Any]:
        """Structured output the way the local model does it: a JSON-schema `response_format`."""
        return structured_runnable(self, schema, include_raw=include_raw)

    def _take(self) -> Any:
        with self._lock:
            index = self._next
            self._next += 1
        return self.responses[index] if index < len(self.responses) else None

    def _reply(self, messages: list[BaseMessage], kwargs: dict[str, Any]) -> AIMessage:
        self.calls.append({"messages": list(messages), **kwargs})
        if self.context_tokens is not None:
            needed = sum(len(_TOKENS.findall(text_of(m))) for m in messages)
            if needed > self.context_tokens:
                raise ModelRequestInvalid(
                    f"The prompt is too long for the model {self.model_name}: request ({needed} tokens) exceeds "
                    f"the available context size ({self.context_tokens} tokens).",
                    provider="fake",
                )
        item = self._take()
        if callable(item) and not isinstance(item, BaseException | BaseMessage):
            item = item(messages)
        if isinstance(item, BaseException):
            raise item
        if isinstance(item, AIMessage):
            message = item.model_copy(deep=True)
        elif isinstance(item, BaseModel):
            message = AIMessage(content=item.model_dump_json())
        elif isinstance(item, dict | list):
            message = AIMessage(content=json.dumps(item))
        elif item is not None:
            message = AIMessage(content=str(item))
        else:
            message = self._default(messages, kwargs)
        prompt = sum(_count(text_of(m)) for m in messages)
        answer = _count(text_of(message)) + sum(_count(json.dumps(c["args"])) for c in message.tool_calls)
        message.usage_metadata = {"input_tokens": prompt, "output_tokens": answer, "total_tokens": prompt + answer}
        message.response_metadata = {"model_name": self.model_name, "finish_reason": "stop"}
        return message

    def _default(self, messages: list[BaseMessage], kwargs: dict[str, Any]) -> AIMessage:
        response_format = kwargs.get("response_format") or {}
        if response_format.get("type") == "json_schema":
            return AIMessage(content=json.dumps(_structured_default(response_format["json_schema"]["schema"])))
        tools = kwargs.get("tools") or []
        if tools and kwargs.get("tool_choice") not in (None, "auto", "none"):
            function = tools[0]["function"]
            return fake_tool_call(function["name"], example_for(function.get("parameters") or {}))
        requested = requested_reply(messages)
        if requested is not None:
            return AIMessage(content=requested)
        last = next((text_of(m) for m in reversed(messages) if isinstance(m, HumanMessage)), "")
        return AIMessage(content=f"Fake reply to: {last[:200]}")

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self.delay:
            time.sleep(self.delay)
        return ChatResult(generations=[ChatGeneration(message=self._reply(messages, kwargs))])

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self.delay:
            await asyncio.sleep(self.delay)
        return ChatResult(generations=[ChatGeneration(message=self._reply(messages, kwargs))])

    def _chunks(self, message: AIMessage) -> Iterator[ChatGenerationChunk]:
        for piece in _WORDS.findall(text_of(message)):
            yield ChatGenerationChunk(message=AIMessageChunk(content=piece))
        yield ChatGenerationChunk(
            message=AIMessageChunk(
                content="",
                tool_call_chunks=[
                    tool_call_chunk(name=call["name"], args=json.dumps(call["args"]), id=call["id"], index=i)
                    for i, call in enumerate(message.tool_calls)
                ],
                usage_metadata=message.usage_metadata,
                response_metadata=message.response_metadata,
            )
        )

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        if self.delay:
            time.sleep(self.delay)
        yield from self._chunks(self._reply(messages, kwargs))

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        if self.delay:
            await asyncio.sleep(self.delay)
        for chunk in self._chunks(self._reply(messages, kwargs)):
            if run_manager and chunk.text:
                await run_manager.on_llm_new_token(chunk.text, chunk=chunk)
            yield chunk
            await asyncio.sleep(self.stream_pause if chunk.text else 0)


class FakeChatModel(GuardedChatModel, _FakeChatCore):
    """The scripted test double, with the same resilience and accounting as the real providers."""

    guard: ModelGuard = Field(exclude=True)
    role: ModelRole = "main"


def make_fake_chat(
    responses: Sequence[ScriptItem] = (),
    *,
    role: ModelRole = "main",
    guard: ModelGuard | None = None,
    delay: float = 0.0,
    model_name: str = "fake-chat",
    context_tokens: int | None = None,
) -> FakeChatModel:
    """A fake chat model with its own circuit breaker and no retry waits (tests call this)."""
    from backend.models.resilience import CircuitBreaker, RetryPolicy

    return FakeChatModel(
        responses=list(responses),
        role=role,
        delay=delay,
        model_name=model_name,
        context_tokens=context_tokens,
        guard=guard or ModelGuard("fake", CircuitBreaker(f"fake:{model_name}"), timeout=30.0,
                                  retry=RetryPolicy(max_retries=0)),
    )


__all__ = ["REPLY_WITH", "FakeChatModel", "ScriptItem", "fake_tool_call", "make_fake_chat", "requested_reply"]
