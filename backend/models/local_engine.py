"""Embedded llama.cpp (xllamacpp): one loaded model per process, its slots, and calls off the event loop.

Each GGUF file is loaded once per process into an xllamacpp `Server` (llama.cpp's own server, in-process) with
`local_parallel_slots` slots; every slot has `local_ctx_size` tokens of context. Calls run in a dedicated
thread pool with one thread per slot, so a generation never blocks the event loop and never waits behind
unrelated blocking work in the default executor.

Pre-warmed sessions: prefill dominates time to first token on a CPU (a 1,000-token system prompt costs
~14 s on the 1.5B model), and llama.cpp skips the part of a prompt that is already in a slot's KV cache. The
`SlotPool` therefore remembers which stable prefix (system prompt, brand voice, tool list) each slot holds and
sends a request to the slot that already holds its prefix; `warm()` fills slots with known prefixes at
start-up. Prefixes pushed out of a slot go to llama.cpp's host-RAM prompt cache (`local_prompt_cache_mib`) and
are restored from there instead of recomputed.

llama.cpp also opens an HTTP listener on 127.0.0.1 that we never use: it is locked with a random API key
so no other local user can drive the model, and its slot/metrics endpoints are off.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import threading
import time
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from backend.core.config import Settings
from backend.models.errors import ModelError, ModelRequestInvalid, ModelTimeout, ModelUnavailable
from backend.models.local_files import LocalModelSpec, Progress, ensure_model_file
from backend.models.local_slots import SlotPool

logger = logging.getLogger(__name__)

Chunk = dict[str, Any]


@dataclass(slots=True)
class LocalCompletion:
    """The outcome of one local generation."""

    content: str = ""
    finish_reason: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    ttft_ms: int | None = None
    latency_ms: int = 0
    slot: int = -1
    timings: dict[str, Any] = field(default_factory=dict)
    error: dict[str, Any] | None = None

    def absorb(self, chunk: Chunk, started: float) -> str:
        """Fold one streamed chunk in; return the text it added."""
        if "error" in chunk:
            self.error = chunk["error"]
            return ""
        text = ""
        for choice in chunk.get("choices") or []:
            delta = choice.get("delta") or {}
            text += delta.get("content") or ""
            if choice.get("finish_reason"):
                self.finish_reason = choice["finish_reason"]
        if text and self.ttft_ms is None:
            self.ttft_ms = int((time.perf_counter() - started) * 1000)
        self.content += text
        if usage := chunk.get("usage"):
            self.prompt_tokens = int(usage.get("prompt_tokens", 0))
            self.completion_tokens = int(usage.get("completion_tokens", 0))
            self.cached_tokens = int((usage.get("prompt_tokens_details") or {}).get("cached_tokens", 0))
        if timings := chunk.get("timings"):
            self.timings = timings
        return text


def _error_from(payload: dict[str, Any], label: str) -> ModelError:
    message = str(payload.get("message") or payload)
    if payload.get("type") == "exceed_context_size_error":
        return ModelRequestInvalid(
            f"The prompt is too long for the local model {label}: {message}. Shorten the context or raise "
            "LOCAL_CTX_SIZE.",
            provider="local",
        )
    if int(payload.get("code") or 500) < 500:
        return ModelRequestInvalid(f"The local model {label} refused the request: {message}", provider="local")
    return ModelUnavailable(f"The local model {label} failed: {message}", provider="local", retryable=False)


def _retrieve(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


class LocalEngine:
    """One GGUF model loaded in this process, with its slots and worker threads."""

    def __init__(self, spec: LocalModelSpec, *, ctx_per_slot: int, slots: int, threads: int, cache_mib: int) -> None:
        self.spec = spec
        self.ctx_per_slot = ctx_per_slot
        self.slots = max(1, slots)
        self.threads = max(1, threads)
        self.cache_mib = cache_mib
        self.pool = SlotPool(self.slots)
        self.load_seconds: float | None = None
        self._server: Any = None
        self._load_lock = threading.Lock()
        self._closing = threading.Event()
        self._executor = ThreadPoolExecutor(max_workers=self.slots, thread_name_prefix=f"llama-{spec.key}")

    @property
    def loaded(self) -> bool:
        """Whether the model is in memory."""
        return self._server is not None

    def load(self, progress: Progress | None = None) -> None:
        """Verify the file and load the model, once (thread-safe; later calls return at once)."""
        if self._server is not None:
            return
        with self._load_lock:
            if self._server is not None:
                return
            path = ensure_model_file(self.spec, progress)
            import xllamacpp

            params = xllamacpp.CommonParams()
            params.model.path = str(path)
            # llama.cpp splits n_ctx between the slots; LOCAL_CTX_SIZE is what each conversation gets.
            params.n_ctx = self.ctx_per_slot * self.slots
            params.n_parallel = self.slots
            params.cpuparams.n_threads = self.threads
            params.cpuparams_batch.n_threads = self.threads
            params.cache_ram_mib = self.cache_mib
            params.verbosity = -1
            params.endpoint_slots = False
            params.endpoint_metrics = False
            params.api_keys = [secrets.token_urlsafe(32)]
            started = time.perf_counter()
            try:
                self._server = xllamacpp.Server(params)
            except RuntimeError as exc:
                raise ModelUnavailable(
                    f"llama.cpp could not load {self.spec.label}: {exc}", provider="local", retryable=False
                ) from exc
            self.load_seconds = time.perf_counter() - started
            logger.info("local model loaded", extra={"model": self.spec.label, "seconds": round(self.load_seconds, 2)})

    def run(
        self,
        request: dict[str, Any],
        *,
        prefix_key: str | None,
        on_chunk: Callable[[Chunk], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> LocalCompletion:
        """Generate (blocking). Always streams inside, so time to first token is measured and `cancel` can stop
        the generation between two tokens."""
        if self._closing.is_set():
            raise ModelUnavailable(f"The local model {self.spec.label} is shutting down", provider="local")
        self.load()
        server = self._server
        cancel = cancel or threading.Event()
        result = LocalCompletion()
        slot = self.pool.acquire(prefix_key)
        result.slot = slot
        body = {**request, "stream": True, "stream_options": {"include_usage": True}, "id_slot": slot,
                "cache_prompt": True}
        started = time.perf_counter()

        def _on_chunk(chunk: Chunk) -> bool:
            result.absorb(chunk, started)
            if on_chunk is not None and "error" not in chunk:
                on_chunk(chunk)
            # True tells llama.cpp to stop generating: the caller gave up, or the app is shutting down.
            return cancel.is_set() or self._closing.is_set()

        try:
            server.handle_chat_completions(body, _on_chunk)
        except ValueError as exc:
            raise ModelRequestInvalid(f"The local model refused the request: {exc}", provider="local") from exc
        finally:
            self.pool.release(slot, prefix_key)
        result.latency_ms = int((time.perf_counter() - started) * 1000)
        if result.error is not None:
            raise _error_from(result.error, self.spec.label)
        if cancel.is_set() or self._closing.is_set():
            raise ModelTimeout("The local generation was stopped before it finished", provider="local")
        return result

    async def arun(self, request: dict[str, Any], *, prefix_key: str | None) -> LocalCompletion:
        """`run` in the engine's threads; cancelling the caller stops the generation at the next token."""
        cancel = threading.Event()
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(
            self._executor, lambda: self.run(request, prefix_key=prefix_key, cancel=cancel)
        )
        try:
            return await future
        except asyncio.CancelledError:
            cancel.set()
            raise

    async def astream(self, request: dict[str, Any], *, prefix_key: str | None) -> AsyncIterator[Chunk]:
        """Yield llama.cpp's chunks (OpenAI chat.completion.chunk dicts) as they are produced."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Chunk | None] = asyncio.Queue()
        cancel = threading.Event()

        def _forward(chunk: Chunk) -> None:
            loop.call_soon_threadsafe(queue.put_nowait, chunk)

        future = loop.run_in_executor(
            self._executor, lambda: self.run(request, prefix_key=prefix_key, on_chunk=_forward, cancel=cancel)
        )
        future.add_done_callback(lambda _f: queue.put_nowait(None))
        try:
            while (chunk := await queue.get()) is not None:
                yield chunk
            await future  # raises the generation's error, if any
        finally:
            if not future.done():
                # The consumer stopped early: stop generating, and let the outcome go unheard on purpose.
                cancel.set()
                future.add_done_callback(_retrieve)

    def warm(self, requests: Sequence[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
        """Prefill slots with stable prefixes: each `(prefix_key, request)` is run for one token.

        With more prefixes than slots the earlier ones move to the host-RAM prompt cache and are restored
        from there when used.
        """
        self.load()
        report = []
        for prefix_key, request in requests:
            started = time.perf_counter()
            result = self.run({**request, "max_tokens": 1}, prefix_key=prefix_key)
            report.append(
                {
                    "prefix": prefix_key,
                    "slot": result.slot,
                    "prompt_tokens": result.prompt_tokens,
                    "seconds": round(time.perf_counter() - started, 2),
                }
            )
        return report

    async def awarm(self, requests: Sequence[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
        """`warm` in the engine's threads."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, lambda: self.warm(requests))

    def submit(self, work: Callable[[], None]) -> None:
        """Run `work` in the engine's threads (the sync streaming API uses it)."""
        self._executor.submit(work)

    async def aload(self, progress: Progress | None = None) -> None:
        """`load` in the engine's threads (start-up warming)."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, lambda: self.load(progress))

    def close(self) -> None:
        """Stop running generations at their next token and unload the model.

        llama.cpp's threads stop and its memory is freed when the last reference to the server is released.
        """
        self._closing.set()
        self._executor.shutdown(wait=True, cancel_futures=True)
        self._server = None


_engines: dict[tuple[Path, int, int, int, int], LocalEngine] = {}
_engines_lock = threading.Lock()


def get_engine(spec: LocalModelSpec, settings: Settings) -> LocalEngine:
    """The process-wide engine of a model file (created unloaded; it loads on first use or on warm-up)."""
    key = (
        spec.path,
        settings.local_ctx_size,
        settings.local_parallel_slots,
        settings.local_threads,
        settings.local_prompt_cache_mib,
    )
    with _engines_lock:
        engine = _engines.get(key)
        if engine is None:
            engine = LocalEngine(
                spec,
                ctx_per_slot=settings.local_ctx_size,
                slots=settings.local_parallel_slots,
                threads=settings.local_threads,
                cache_mib=settings.local_prompt_cache_mib,
            )
            _engines[key] = engine
        return engine


def loaded_engines() -> list[LocalEngine]:
    """The engines whose model is in memory."""
    with _engines_lock:
        return [engine for engine in _engines.values() if engine.loaded]


def close_engines() -> None:
    """Unload every local model (app shutdown, tests)."""
    with _engines_lock:
        engines = list(_engines.values())
        _engines.clear()
    for engine in engines:
        engine.close()


__all__ = ["LocalCompletion", "LocalEngine", "SlotPool", "close_engines", "get_engine", "loaded_engines"]
