"""The local embedder (all-MiniLM-L6-v2 int8 through onnxruntime): 384-d unit vectors that rank related text
above unrelated text, the same vector whatever the batch, and work kept off the event loop."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from backend.models.embed_local import LocalEmbedder


@pytest.fixture(scope="module")
def embedder() -> LocalEmbedder:
    return LocalEmbedder(threads=2, batch_size=4)


def _cosine(a: list[float], b: list[float]) -> float:
    return float(np.dot(a, b))


async def test_vectors_are_384_d_and_normalised(embedder: LocalEmbedder) -> None:
    vectors = await embedder.embed_documents(["Waterproof hiking boots for wet trails.", "Quarterly pricing sheet."])
    assert embedder.model_id == "local:all-MiniLM-L6-v2-int8" and embedder.dimension == 384
    assert np.asarray(vectors).shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


async def test_related_sentences_score_higher_than_unrelated_ones(embedder: LocalEmbedder) -> None:
    query = await embedder.embed_query("Which boots keep my feet dry on muddy hikes?")
    boots, salad, invoice = await embedder.embed_documents(
        [
            "Our waterproof hiking boots have a sealed membrane that keeps feet dry in mud and rain.",
            "Toss the tomatoes with olive oil, basil and a pinch of salt.",
            "Invoices are due thirty days after the end of the billing month.",
        ]
    )
    assert _cosine(query, boots) > 0.5
    assert _cosine(query, boots) > _cosine(query, salad) + 0.3
    assert _cosine(query, boots) > _cosine(query, invoice) + 0.3


async def test_batching_does_not_change_the_vectors(embedder: LocalEmbedder) -> None:
    texts = ["short", "a somewhat longer sentence about tents", "x " * 300, "mid length text here", "one more"]
    together = await embedder.embed_documents(texts)  # two batches of up to 4, padded to different lengths
    alone = [await embedder.embed_query(text) for text in texts]
    assert np.allclose(together, alone, atol=1e-4)


async def test_concurrent_queries_share_model_calls_and_each_gets_its_own_vector(
    embedder: LocalEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = [f"query number {n} about waterproof boots" for n in range(6)] + ["pricing of the pro plan"]
    alone = [await embedder.embed_query(text) for text in texts]
    calls: list[int] = []
    original = embedder._embed_rows

    def counted(batch: list[str], **kwargs: object) -> tuple[np.ndarray, np.ndarray]:
        calls.append(len(batch))
        return original(batch, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(embedder, "_embed_rows", counted)
    together = await asyncio.gather(*(embedder.embed_query(text) for text in texts))
    assert calls == [7], "the queries that arrived together ran as one call"
    assert np.allclose(together, alone, atol=1e-4), "each caller gets its own row"
    many = await asyncio.gather(*(embedder.embed_query(f"another query {n}") for n in range(10)))
    assert calls[1:] == [8, 2] and len(many) == 10, "at most QUERY_BATCH texts per call"


async def test_a_cancelled_query_does_not_disturb_the_others_and_a_failure_reaches_its_batch(
    embedder: LocalEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = await embedder.embed_query("kept query")
    cancelled = asyncio.ensure_future(embedder.embed_query("abandoned query"))
    kept = asyncio.ensure_future(embedder.embed_query("kept query"))
    await asyncio.sleep(0)
    cancelled.cancel()
    assert np.allclose(await kept, expected, atol=1e-4)
    assert cancelled.cancelled()

    def broken(batch: list[str], **kwargs: object) -> tuple[np.ndarray, np.ndarray]:
        raise RuntimeError("model crashed")

    monkeypatch.setattr(embedder, "_embed_rows", broken)
    outcomes = await asyncio.gather(*(embedder.embed_query(f"q{n}") for n in range(3)), return_exceptions=True)
    assert [str(o) for o in outcomes] == ["model crashed"] * 3
    monkeypatch.undo()
    assert np.allclose(await embedder.embed_query("kept query"), expected, atol=1e-4), "the next query still runs"


async def test_long_text_is_cut_at_the_models_limit(embedder: LocalEmbedder) -> None:
    long_text = "trail " * 600
    assert embedder.count_tokens(long_text) > 256  # the chunker can see what would be cut...
    (vector,) = await embedder.embed_documents([long_text])  # ...and the model still embeds the first 256
    assert len(vector) == 384


async def test_embedding_runs_off_the_event_loop(embedder: LocalEmbedder) -> None:
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.005)
            ticks += 1

    task = asyncio.create_task(ticker())
    await embedder.embed_documents([f"Product sheet number {i} about tents and boots." for i in range(64)])
    task.cancel()
    assert ticks >= 5
