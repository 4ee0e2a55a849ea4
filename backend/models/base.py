"""What every chat provider shares: roles, the resilience wrapper and usage measurement.

`GuardedChatModel` is mixed in front of a LangChain chat model class (ChatOpenAI, ChatVertexAI, the local
and the fake model). It overrides the four calls LangChain funnels everything through (`_generate`,
`_agenerate`, `_stream`, `_astream`) so every use, from `ainvoke` to LangGraph's token streaming, gets the
provider's timeout, retries and circuit breaker, leaves with a typed error, and is measured for accounting.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any, Literal

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable, RunnableConfig, RunnableLambda

from backend.models.accounting import UsageEvent, report_usage
from backend.models.classify import classify_exception
from backend.models.embeddings import estimate_tokens
from backend.models.errors import ModelOutputInvalid
from backend.models.resilience import ModelGuard

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel

    _ChatBase = BaseChatModel
else:
    _ChatBase = object

ModelRole = Literal["main", "fast"]
"""`main` writes (drafts, answers); `fast` does the quick small jobs (query rewriting, routing, classifying)."""


def _usage_of(message: BaseMessage | None, llm_output: dict[str, Any] | None = None) -> tuple[int, int]:
    usage = getattr(message, "usage_metadata", None)
    if usage:
        return int(usage.get("input_tokens", 0)), int(usage.get("output_tokens", 0))
    token_usage = (llm_output or {}).get("token_usage") or (llm_output or {}).get("usage_metadata") or {}
    return (
        int(token_usage.get("prompt_tokens", token_usage.get("prompt_token_count", 0)) or 0),
        int(token_usage.get("completion_tokens", token_usage.get("candidates_token_count", 0)) or 0),
    )


def _elapsed_ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


class GuardedChatModel(_ChatBase):
    """Mixin: resilience and usage accounting around a LangChain chat model's primitive calls.

    A class using it declares the pydantic fields `guard: ModelGuard` and `role: ModelRole`.
    """

    guard: ModelGuard
    role: ModelRole

    @property
    def usage_model_name(self) -> str:
        """The model name booked in usage rows."""
        return str(getattr(self, "model_name", None) or getattr(self, "model", None) or type(self).__name__)

    def _book(self, tokens: tuple[int, int], started: float, ttft_ms: int | None) -> None:
        report_usage(
            UsageEvent(
                provider=self.guard.provider,
                model=self.usage_model_name,
                role=self.role,
                tokens_in=tokens[0],
                tokens_out=tokens[1],
                latency_ms=_elapsed_ms(started),
                ttft_ms=ttft_ms,
            )
        )

    def _book_result(self, result: ChatResult, started: float) -> None:
        message = result.generations[0].message if result.generations else None
        ttft = (message.response_metadata or {}).get("ttft_ms") if message is not None else None
        self._book(_usage_of(message, result.llm_output), started, int(ttft) if ttft is not None else None)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        started = time.perf_counter()
        parent = super()._generate  # type: ignore[safe-super]  # the concrete provider class comes next in the MRO
        result = self.guard.call_sync(lambda: parent(messages, stop, run_manager, **kwargs))
        self._book_result(result, started)
        return result

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        started = time.perf_counter()
        parent = super()._agenerate
        result = await self.guard.call(lambda: parent(messages, stop, run_manager, **kwargs))
        self._book_result(result, started)
        return result

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        # The sync stream gets the breaker and typed errors; it is not retried (callers of the sync API are
        # scripts and tests, and a half-consumed stream cannot be replayed anyway).
        started = time.perf_counter()
        first: int | None = None
        tokens = [0, 0]
        self.guard.breaker.before_call()
        try:
            for chunk in super()._stream(messages, stop, run_manager, **kwargs):
                first = _first_token(first, chunk, started)
                _add_usage(tokens, chunk)
                yield chunk
        except Exception as exc:
            error = classify_exception(exc, self.guard.provider)
            if error is None:
                self.guard.breaker.release_trial()
                raise
            self.guard.breaker.record_failure(error)
            if error is exc:
                raise
            raise error from exc
        self.guard.breaker.record_success()
        self._book((tokens[0], tokens[1]), started, first)

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        started = time.perf_counter()
        first: int | None = None
        tokens = [0, 0]
        written: list[str] = []
        parent = super()._astream
        try:
            async for chunk in self.guard.stream(lambda: parent(messages, stop, run_manager, **kwargs)):
                first = _first_token(first, chunk, started)
                _add_usage(tokens, chunk)
                written.append(text_of(chunk.message))
                yield chunk
        except (asyncio.CancelledError, GeneratorExit):
            # Left before the end (a cancelled speculative write, a blocked answer, Stop): the provider's usage
            # chunk never came, but the prompt was sent and tokens were written. Book an estimate (on the high
            # side, as for embeddings) rather than nothing.
            self._book(_estimate(messages, written, tokens), started, first)
            raise
        self._book((tokens[0], tokens[1]), started, first)

    def with_structured_output(  # type: ignore[override]
        self, schema: Any, *, include_raw: bool = False, **kwargs: Any
    ) -> Runnable[Any, Any]:
        """The provider's structured output, with parsing failures raised as `ModelOutputInvalid`."""
        inner = super().with_structured_output(schema, include_raw=include_raw, **kwargs)
        return map_output_errors(inner, self.guard.provider)


def _first_token(first: int | None, chunk: ChatGenerationChunk, started: float) -> int | None:
    if first is not None:
        return first
    message = chunk.message
    if message.content or getattr(message, "tool_call_chunks", None):
        return _elapsed_ms(started)
    return None


def _estimate(messages: list[BaseMessage], written: list[str], reported: list[int]) -> tuple[int, int]:
    """Tokens of a stream that ended early: what the provider reported, else an estimate from the text."""
    tokens_in = reported[0] or sum(estimate_tokens(text_of(m)) for m in messages)
    text = "".join(written)
    tokens_out = reported[1] or (estimate_tokens(text) if text else 0)
    return tokens_in, tokens_out


def _add_usage(tokens: list[int], chunk: ChatGenerationChunk) -> None:
    usage = getattr(chunk.message, "usage_metadata", None)
    if usage:
        tokens[0] += int(usage.get("input_tokens", 0))
        tokens[1] += int(usage.get("output_tokens", 0))


def map_output_errors(runnable: Runnable[Any, Any], provider: str) -> Runnable[Any, Any]:
    """Wrap a structured-output runnable so a reply in the wrong shape raises `ModelOutputInvalid`."""

    def _typed(exc: Exception) -> Exception:
        error = classify_exception(exc, provider)
        return error if isinstance(error, ModelOutputInvalid) else exc

    def _invoke(value: Any, config: RunnableConfig) -> Any:
        try:
            return runnable.invoke(value, config)
        except Exception as exc:
            typed = _typed(exc)
            if typed is exc:
                raise
            raise typed from exc

    async def _ainvoke(value: Any, config: RunnableConfig) -> Any:
        try:
            return await runnable.ainvoke(value, config)
        except Exception as exc:
            typed = _typed(exc)
            if typed is exc:
                raise
            raise typed from exc

    return RunnableLambda(_invoke, afunc=_ainvoke, name="structured_output")


def text_of(message: BaseMessage) -> str:
    """The plain text of a message whatever its content shape (string or list of content blocks)."""
    if isinstance(message.content, str):
        return message.content
    parts = []
    for block in message.content:
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, dict) and block.get("type") == "text":
            parts.append(str(block.get("text", "")))
    return "".join(parts)


__all__ = ["GuardedChatModel", "ModelRole", "map_output_errors", "text_of"]
