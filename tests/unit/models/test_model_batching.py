"""The embedding batcher: concurrent documents share model calls, each keeps its own vectors and usage."""

from __future__ import annotations

import asyncio
import uuid

import numpy as np
import pytest

from backend.core.db import TenantScope
from backend.models.accounting import counted
from backend.models.batching import EmbeddingBatcher, batcher_for
from backend.models.embeddings import EmbeddingTask, FakeEmbedder


class RecordingEmbedder(FakeEmbedder):
    """The fake embedder, remembering the texts of every model call (and failing on a poisoned text)."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    async def _embed(self, texts: list[str], task_type: EmbeddingTask) -> tuple[np.ndarray, int]:
        self.calls.append(texts)
        await asyncio.sleep(0.01)  # a model call takes time: later callers gather meanwhile
        if "poison" in texts:
            raise RuntimeError("the model failed")
        return await super()._embed(texts, task_type)


def scope() -> TenantScope:
    return TenantScope(uuid.uuid4(), uuid.uuid4())


async def test_concurrent_documents_share_calls_and_get_their_own_vectors() -> None:
    embedder = RecordingEmbedder()
    batcher = EmbeddingBatcher(embedder, max_texts=64, wait_ms=5)
    documents = [[f"document {d} chunk {c} about pricing" for c in range(3)] for d in range(10)]

    results = await asyncio.gather(*(batcher.embed_documents(texts) for texts in documents))

    assert len(embedder.calls) == 1, "ten documents of three chunks fit one call"
    for texts, vectors in zip(documents, results, strict=True):
        assert vectors == await FakeEmbedder().embed_documents(texts)


async def test_a_call_holds_at_most_max_texts_and_whole_requests() -> None:
    embedder = RecordingEmbedder()
    batcher = EmbeddingBatcher(embedder, max_texts=8, wait_ms=1)

    await asyncio.gather(*(batcher.embed_documents([f"d{d} c{c}" for c in range(3)]) for d in range(6)))

    assert [len(call) for call in embedder.calls] == [6, 6, 6]


async def test_usage_is_booked_to_each_callers_meter() -> None:
    embedder = RecordingEmbedder()
    batcher = EmbeddingBatcher(embedder, wait_ms=5)

    async def document(texts: list[str]) -> int:
        async with counted(scope()) as meter:
            await batcher.embed_documents(texts)
        return meter.totals.tokens_in

    short, long = await asyncio.gather(document(["brand voice"]), document(["brand voice guide", "pricing page copy"]))

    assert len(embedder.calls) == 1
    assert short == embedder.count_tokens("brand voice")
    assert long == embedder.count_tokens("brand voice guide") + embedder.count_tokens("pricing page copy")


async def test_a_failed_call_fails_its_callers_and_the_next_call_works() -> None:
    embedder = RecordingEmbedder()
    batcher = EmbeddingBatcher(embedder, wait_ms=5)

    outcomes = await asyncio.gather(
        batcher.embed_documents(["poison"]), batcher.embed_documents(["fine"]), return_exceptions=True
    )

    assert all(isinstance(o, RuntimeError) for o in outcomes)
    assert len(await batcher.embed_documents(["fine again"])) == 1


async def test_a_cancelled_caller_does_not_stop_the_others() -> None:
    embedder = RecordingEmbedder()
    batcher = EmbeddingBatcher(embedder, wait_ms=5)
    gone = asyncio.create_task(batcher.embed_documents(["gone"]))
    kept = asyncio.create_task(batcher.embed_documents(["kept"]))
    await asyncio.sleep(0)
    gone.cancel()

    assert len(await kept) == 1
    with pytest.raises(asyncio.CancelledError):
        await gone
    assert embedder.calls == [["kept"]]


async def test_one_batcher_per_embedder_and_loop() -> None:
    first, second = RecordingEmbedder(), RecordingEmbedder()
    assert batcher_for(first) is batcher_for(first)
    assert batcher_for(first) is not batcher_for(second)


async def test_tokens_the_caller_counted_are_booked_as_given() -> None:
    batcher = EmbeddingBatcher(RecordingEmbedder(), wait_ms=1)
    async with counted(scope()) as meter:
        await batcher.embed_documents(["a chunk the chunker counted"], tokens=7)
    assert meter.totals.tokens_in == 7
