"""Embedding calls shared between concurrent callers: one model call for the chunks of many documents.

A small document has two or three chunks; embedded one document at a time, the model runs tiny batches and
every call pays its fixed costs (a thread hop, tokenizer set-up, a usage row). `EmbeddingBatcher` queues the
texts of every caller in the process, waits a few milliseconds for others to join, and embeds whatever has
gathered (up to `max_texts`) in one call; while that call runs the next batch gathers, so the model never
waits for a caller and callers never wait for each other's documents to finish.

Usage stays booked to each caller's own space: the shared call runs outside every meter, and each caller's
meter gets one event with its share of the tokens (split in proportion to its text length) and the call's
latency. A failed call fails every caller of that batch with the same error.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
import weakref
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from backend.models.accounting import UsageEvent, UsageMeter, current_meter
from backend.models.embeddings import Embedder


@dataclass(slots=True)
class _Request:
    texts: list[str]
    tokens: int | None
    future: asyncio.Future[list[list[float]]]
    meter: UsageMeter | None


class EmbeddingBatcher:
    """Document embeddings of concurrent callers, gathered into shared calls of `embedder` (one event loop)."""

    def __init__(self, embedder: Embedder, *, max_texts: int = 64, wait_ms: float = 5.0) -> None:
        self.embedder = embedder
        self.max_texts = max(1, max_texts)
        self.wait = max(0.0, wait_ms) / 1000
        self._pending: deque[_Request] = deque()
        self._runner: asyncio.Task[None] | None = None

    async def embed_documents(self, texts: Sequence[str], *, tokens: int | None = None) -> list[list[float]]:
        """Unit-length vectors of `texts`, in order, as `Embedder.embed_documents` returns them.

        `tokens` is what the texts cost the model when the caller already knows (a chunker counted them);
        otherwise the embedder counts them.
        """
        if not texts:
            return []
        loop = asyncio.get_running_loop()
        request = _Request(list(texts), tokens, loop.create_future(), current_meter())
        self._pending.append(request)
        if self._runner is None or self._runner.done():
            # A context of its own: the shared call must not book usage to whichever caller started the runner.
            self._runner = loop.create_task(self._run(), name="embedding-batcher", context=contextvars.Context())
        return await request.future

    def _take(self) -> list[_Request]:
        """Waiting requests in arrival order, up to `max_texts` texts (always at least one whole request)."""
        batch: list[_Request] = []
        size = 0
        while self._pending:
            request = self._pending[0]
            if request.future.done():  # its caller was cancelled
                self._pending.popleft()
                continue
            if batch and size + len(request.texts) > self.max_texts:
                break
            batch.append(self._pending.popleft())
            size += len(request.texts)
        return batch

    async def _run(self) -> None:
        while self._pending:
            if self.wait:
                await asyncio.sleep(self.wait)
            batch = self._take()
            if batch:
                await self._call(batch)

    async def _call(self, batch: list[_Request]) -> None:
        texts = [text for request in batch for text in request.texts]
        started = time.perf_counter()
        try:
            vectors = await self.embedder.embed_documents(texts)
        except Exception as exc:
            for request in batch:
                if not request.future.done():
                    request.future.set_exception(exc)
            return
        latency_ms = int((time.perf_counter() - started) * 1000)
        tokens = self._tokens(batch)
        offset = 0
        for request, share in zip(batch, tokens, strict=True):
            part = vectors[offset : offset + len(request.texts)]
            offset += len(request.texts)
            if request.meter is not None:
                request.meter.add(
                    UsageEvent(
                        provider=self.embedder.provider,
                        model=self.embedder.model,
                        role="embedding",
                        tokens_in=share,
                        tokens_out=0,
                        latency_ms=latency_ms,
                    )
                )
            if not request.future.done():
                request.future.set_result(part)

    def _tokens(self, batch: list[_Request]) -> list[int]:
        """Each request's input tokens; `count_tokens` is exact for local models and a bound for remote ones."""
        return [
            request.tokens
            if request.tokens is not None
            else sum(self.embedder.count_tokens(text) for text in request.texts)
            for request in batch
        ]


_batchers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, EmbeddingBatcher]] = (
    weakref.WeakKeyDictionary()
)


def batcher_for(embedder: Embedder, *, max_texts: int = 64, wait_ms: float = 5.0) -> EmbeddingBatcher:
    """The process's batcher for `embedder` on the running event loop (each loop gets its own)."""
    per_loop = _batchers.setdefault(asyncio.get_running_loop(), {})
    batcher = per_loop.get(id(embedder))
    if batcher is None or batcher.embedder is not embedder:
        batcher = per_loop[id(embedder)] = EmbeddingBatcher(embedder, max_texts=max_texts, wait_ms=wait_ms)
    batcher.max_texts, batcher.wait = max(1, max_texts), max(0.0, wait_ms) / 1000
    return batcher


__all__ = ["EmbeddingBatcher", "batcher_for"]
